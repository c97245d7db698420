//! The projection kernels against their CPU twins in `src/cpu/ops.rs`, on seeded data at awkward
//! sizes (1, 7, 1000: never a multiple of the workgroup) and in every weight format. Each test
//! prints its worst error (`-- --nocapture`); a failure names the index.
//!
//! Tolerances: exact for the gather; 1e-6 + 1e-5·|x| for rmsnorm and silu_mul; 1e-5·√K absolute
//! for dot products of length K (relative too for the gate · up product, which grows with K).
//! Without a GPU adapter these tests fail, saying how to install one.
#![cfg(not(target_arch = "wasm32"))]

mod gpu_harness;

use gpu_harness::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tiny_reasoner::cpu::ops;
use tiny_reasoner::gpu::kernels::Shader;
use tiny_reasoner::model::weights::DType;

#[test]
fn embed_gathers_rows_exactly() {
    let mut gpu = Gpu::new();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (vocab, hidden) in [(1, 1), (7, 7), (13, 1000)] {
        for dtype in DTYPES {
            let (bytes, table) = weights(&mut rng, vocab * hidden, dtype);
            let tokens: Vec<u32> = (0..7).map(|i| (i * 5 % vocab) as u32).collect();
            let x = gpu.floats(&vec![0.0; tokens.len() * hidden]);
            let params = gpu.params(0, tokens.len() as u32, 1, &tokens);
            let embed = gpu.bytes(&bytes);
            let constants = [("HIDDEN", hidden as f64), ("FORMAT", format(dtype))];
            gpu.run(
                Shader::Embed,
                &constants,
                &[&params, &embed, &x],
                (hidden.div_ceil(64) as u32, tokens.len() as u32),
            );
            let want: Vec<f32> = tokens
                .iter()
                .flat_map(|&t| table[t as usize * hidden..(t as usize + 1) * hidden].to_vec())
                .collect();
            let got = gpu.read(&x, want.len());
            assert_close(
                &format!("embed {vocab}×{hidden} {dtype:?}"),
                &got,
                &want,
                0.0,
                0.0,
            );
        }
    }
    report("embed.wgsl", 0.0);
}

#[test]
fn rmsnorm_matvec_matches_rmsnorm_matmul_add_bias() {
    let mut gpu = Gpu::new();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut worst = 0.0f32;
    for (k, n, t) in [
        (1, 1, 1),
        (7, 7, 3),
        (1000, 7, 1),
        (7, 1000, 2),
        (1000, 1000, 1),
    ] {
        for dtype in DTYPES {
            let bias_on = n % 2 == 1;
            let x = random(&mut rng, t * k);
            let norm = random(&mut rng, k);
            let (w_bytes, w) = weights(&mut rng, n * k, dtype);
            let bias = random(&mut rng, n);
            let eps = 1e-6;
            let mut xb = vec![0.0; k];
            ops::rmsnorm(&mut xb, &x[(t - 1) * k..], &norm, eps);
            let mut want = vec![0.0; n];
            ops::matmul(&mut want, &xb, &w, k);
            if bias_on {
                ops::add_bias(&mut want, &bias);
            }
            let out = gpu.floats(&vec![0.0; n]);
            let buffers = [
                &gpu.params(0, t as u32, 1, &[]),
                &gpu.floats(&x),
                &gpu.floats(&norm),
                &gpu.bytes(&w_bytes),
                &gpu.floats(&bias),
                &out,
            ];
            let constants = [
                ("K", k as f64),
                ("N", n as f64),
                ("EPS", eps as f64),
                ("BIAS", bias_on as u8 as f64),
                ("FORMAT", format(dtype)),
            ];
            // (7, ceil(n / 7)) rather than (n, 1): the flattened index the shaders use past 65535 rows.
            gpu.run(
                Shader::RmsnormMatvec,
                &constants,
                &buffers,
                (7, n.div_ceil(7) as u32),
            );
            let got = gpu.read(&out, n);
            let what = format!("rmsnorm_matvec K={k} N={n} T={t} {dtype:?}");
            worst = worst.max(assert_close(
                &what,
                &got,
                &want,
                1e-5 * (k as f32).sqrt(),
                0.0,
            ));
        }
    }
    report("rmsnorm_matvec.wgsl", worst);
}

#[test]
fn rmsnorm_gate_up_matches_rmsnorm_matmul_silu_mul() {
    let mut gpu = Gpu::new();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut worst = 0.0f32;
    for (k, n) in [(1, 1), (7, 7), (1000, 7), (7, 1000), (1000, 1000)] {
        for dtype in DTYPES {
            let x = random(&mut rng, k);
            let norm = random(&mut rng, k);
            let (gate_bytes, gate_w) = weights(&mut rng, n * k, dtype);
            let (up_bytes, up_w) = weights(&mut rng, n * k, dtype);
            let eps = 1e-5;
            let mut xb = vec![0.0; k];
            ops::rmsnorm(&mut xb, &x, &norm, eps);
            let (mut gate, mut up) = (vec![0.0; n], vec![0.0; n]);
            ops::matmul(&mut gate, &xb, &gate_w, k);
            ops::matmul(&mut up, &xb, &up_w, k);
            ops::silu_mul(&mut gate, &up);
            let hb = gpu.floats(&vec![0.0; n]);
            let buffers = [
                &gpu.floats(&x),
                &gpu.floats(&norm),
                &gpu.bytes(&gate_bytes),
                &gpu.bytes(&up_bytes),
                &hb,
            ];
            let constants = [
                ("K", k as f64),
                ("N", n as f64),
                ("EPS", eps as f64),
                ("FORMAT", format(dtype)),
            ];
            gpu.run(Shader::RmsnormGateUp, &constants, &buffers, (n as u32, 1));
            let got = gpu.read(&hb, n);
            let what = format!("rmsnorm_gate_up K={k} N={n} {dtype:?}");
            worst = worst.max(assert_close(
                &what,
                &got,
                &gate,
                1e-5 * (k as f32).sqrt(),
                1e-5 * (k as f32).sqrt(),
            ));
        }
    }
    report("rmsnorm_gate_up.wgsl", worst);
}

#[test]
fn matvec_matches_matmul_add_bias_add_in_place() {
    let mut gpu = Gpu::new();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut worst = 0.0f32;
    for (k, n) in [(1, 1), (7, 7), (1000, 7), (7, 1000), (1000, 1000)] {
        for dtype in DTYPES {
            let bias_on = k % 2 == 1;
            let inp = random(&mut rng, k);
            let (w_bytes, w) = weights(&mut rng, n * k, dtype);
            let bias = random(&mut rng, n);
            let residual = random(&mut rng, n);
            let mut y = vec![0.0; n];
            ops::matmul(&mut y, &inp, &w, k);
            if bias_on {
                ops::add_bias(&mut y, &bias);
            }
            let mut want = residual.clone();
            ops::add_in_place(&mut want, &y);
            let out = gpu.floats(&residual);
            let buffers = [
                &gpu.floats(&inp),
                &gpu.bytes(&w_bytes),
                &gpu.floats(&bias),
                &out,
            ];
            let constants = [
                ("K", k as f64),
                ("N", n as f64),
                ("BIAS", bias_on as u8 as f64),
                ("FORMAT", format(dtype)),
            ];
            gpu.run(Shader::Matvec, &constants, &buffers, (n as u32, 1));
            let got = gpu.read(&out, n);
            let what = format!("matvec K={k} N={n} {dtype:?}");
            worst = worst.max(assert_close(
                &what,
                &got,
                &want,
                1e-5 * (k as f32).sqrt(),
                0.0,
            ));
        }
    }
    report("matvec.wgsl", worst);
}

#[test]
fn rmsnorm_matches_rmsnorm() {
    let mut gpu = Gpu::new();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut worst = 0.0f32;
    for (k, t) in [(1, 1), (7, 7), (1000, 3)] {
        let x = random(&mut rng, t * k);
        let w = random(&mut rng, k);
        let mut want = vec![0.0; t * k];
        ops::rmsnorm(&mut want, &x, &w, 1e-6);
        let out = gpu.floats(&vec![0.0; t * k]);
        let constants = [("K", k as f64), ("EPS", 1e-6f32 as f64)];
        gpu.run(
            Shader::Rmsnorm,
            &constants,
            &[&gpu.floats(&x), &gpu.floats(&w), &out],
            (t as u32, 1),
        );
        let got = gpu.read(&out, t * k);
        worst = worst.max(assert_close(
            &format!("rmsnorm K={k} T={t}"),
            &got,
            &want,
            1e-6,
            1e-5,
        ));
    }
    report("rmsnorm.wgsl", worst);
}

#[test]
fn matmul_matches_matmul_add_bias_add_in_place() {
    let mut gpu = Gpu::new();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let mut worst = 0.0f32;
    for (t, k, n) in [
        (1, 1, 1),
        (7, 7, 7),
        (33, 100, 7),
        (2, 7, 1000),
        (17, 1000, 33),
    ] {
        for (dtype, bias_on, residual) in [
            (DType::F32, false, false),
            (DType::F16, true, false),
            (DType::BF16, true, true),
            (DType::F32, false, true),
        ] {
            let inp = random(&mut rng, t * k);
            let (w_bytes, w) = weights(&mut rng, n * k, dtype);
            let bias = random(&mut rng, n);
            let before = random(&mut rng, t * n);
            let mut y = vec![0.0; t * n];
            ops::matmul(&mut y, &inp, &w, k);
            if bias_on {
                ops::add_bias(&mut y, &bias);
            }
            let want = if residual {
                let mut x = before.clone();
                ops::add_in_place(&mut x, &y);
                x
            } else {
                y
            };
            let out = gpu.floats(&before);
            let buffers = [
                &gpu.params(0, t as u32, 1, &[]),
                &gpu.floats(&inp),
                &gpu.bytes(&w_bytes),
                &gpu.floats(&bias),
                &out,
            ];
            let constants = [
                ("K", k as f64),
                ("N", n as f64),
                ("BIAS", bias_on as u8 as f64),
                ("RESIDUAL", residual as u8 as f64),
                ("FORMAT", format(dtype)),
            ];
            gpu.run(
                Shader::Matmul,
                &constants,
                &buffers,
                (n.div_ceil(16) as u32, t.div_ceil(16) as u32),
            );
            let got = gpu.read(&out, t * n);
            let what =
                format!("matmul T={t} K={k} N={n} {dtype:?} bias={bias_on} residual={residual}");
            worst = worst.max(assert_close(
                &what,
                &got,
                &want,
                1e-5 * (k as f32).sqrt(),
                0.0,
            ));
        }
    }
    report("matmul.wgsl", worst);
}

#[test]
fn silu_mul_matches_silu_mul() {
    let mut gpu = Gpu::new();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut worst = 0.0f32;
    for (t, n) in [(1, 1), (7, 7), (3, 1000)] {
        let gate: Vec<f32> = random(&mut rng, t * n).iter().map(|v| v * 8.0).collect();
        let up = random(&mut rng, t * n);
        let mut want = gate.clone();
        ops::silu_mul(&mut want, &up);
        let hb = gpu.floats(&gate);
        let buffers = [&gpu.params(0, t as u32, 1, &[]), &hb, &gpu.floats(&up)];
        gpu.run(
            Shader::SiluMul,
            &[("N", n as f64)],
            &buffers,
            ((t * n).div_ceil(64) as u32, 1),
        );
        let got = gpu.read(&hb, t * n);
        worst = worst.max(assert_close(
            &format!("silu_mul T={t} N={n}"),
            &got,
            &want,
            1e-6,
            1e-6,
        ));
    }
    report("silu_mul.wgsl", worst);
}
