//! The handful of operations a decoder-only transformer needs, as small free functions over
//! row-major f32 slices. Each has a WGSL twin in `shaders/` that must agree with it.

/// Dot product with eight independent accumulators, so the compiler can vectorise it and
/// rounding does not grow with one long serial chain.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; 8];
    let (a_chunks, a_rest) = a.split_at(a.len() - a.len() % 8);
    let (b_chunks, b_rest) = b.split_at(a_chunks.len());
    for (ca, cb) in a_chunks.chunks_exact(8).zip(b_chunks.chunks_exact(8)) {
        for i in 0..8 {
            acc[i] += ca[i] * cb[i];
        }
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

/// out (T, n_out) = x (T, n_in) · wᵀ, with w (n_out, n_in) as stored by `nn.Linear`.
/// By far most of the time of a forward pass is spent in this little function.
pub fn matmul(out: &mut [f32], x: &[f32], w: &[f32], n_in: usize) {
    let n_out = w.len() / n_in;
    let t = x.len() / n_in;
    debug_assert_eq!(out.len(), t * n_out);
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Split the output columns across cores when there is enough work to pay for the threads.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        if threads > 1 && w.len() * t >= 1 << 20 {
            let rows_per_thread = n_out.div_ceil(threads);
            let mut column_blocks: Vec<Vec<f32>> = Vec::with_capacity(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = w
                    .chunks(rows_per_thread * n_in)
                    .map(|w_block| scope.spawn(move || matmul_serial_transposed(x, w_block, n_in)))
                    .collect();
                column_blocks.extend(
                    handles
                        .into_iter()
                        .map(|h| h.join().expect("matmul worker panicked")),
                );
            });
            // Each block is (T, rows of that block); stitch them back into (T, n_out).
            let mut col = 0;
            for block in &column_blocks {
                let rows = block.len() / t;
                for ti in 0..t {
                    out[ti * n_out + col..ti * n_out + col + rows]
                        .copy_from_slice(&block[ti * rows..(ti + 1) * rows]);
                }
                col += rows;
            }
            return;
        }
    }
    for (ti, row) in out.chunks_exact_mut(n_out).enumerate() {
        let xt = &x[ti * n_in..(ti + 1) * n_in];
        for (o, w_row) in row.iter_mut().zip(w.chunks_exact(n_in)) {
            *o = dot(xt, w_row);
        }
    }
}

/// (T, rows of `w`) product for one thread's block of weight rows.
#[cfg(not(target_arch = "wasm32"))]
fn matmul_serial_transposed(x: &[f32], w: &[f32], n_in: usize) -> Vec<f32> {
    let rows = w.len() / n_in;
    let mut out = vec![0.0; x.len() / n_in * rows];
    for (ti, xt) in x.chunks_exact(n_in).enumerate() {
        for (r, w_row) in w.chunks_exact(n_in).enumerate() {
            out[ti * rows + r] = dot(xt, w_row);
        }
    }
    out
}

/// Adds a bias (n) to every row of x (T, n).
pub fn add_bias(x: &mut [f32], bias: &[f32]) {
    for row in x.chunks_exact_mut(bias.len()) {
        for (v, b) in row.iter_mut().zip(bias) {
            *v += b;
        }
    }
}

/// out = x / sqrt(mean(x²) + eps) · weight, row by row (each row of length weight.len()).
/// Like transformers' RMSNorm: the mean of squares is taken in f32 before the weight is applied.
pub fn rmsnorm(out: &mut [f32], x: &[f32], weight: &[f32], eps: f32) {
    let n = weight.len();
    for (o_row, x_row) in out.chunks_exact_mut(n).zip(x.chunks_exact(n)) {
        let mean_square = x_row.iter().map(|v| v * v).sum::<f32>() / n as f32;
        let scale = 1.0 / (mean_square + eps).sqrt();
        for ((o, v), w) in o_row.iter_mut().zip(x_row).zip(weight) {
            *o = w * (v * scale);
        }
    }
}

/// In-place rmsnorm of every row of x.
pub fn rmsnorm_in_place(x: &mut [f32], weight: &[f32], eps: f32) {
    let n = weight.len();
    for row in x.chunks_exact_mut(n) {
        let mean_square = row.iter().map(|v| v * v).sum::<f32>() / n as f32;
        let scale = 1.0 / (mean_square + eps).sqrt();
        for (v, w) in row.iter_mut().zip(weight) {
            *v = w * (*v * scale);
        }
    }
}

/// In-place softmax, subtracting the max first so exp never overflows.
pub fn softmax(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in x.iter_mut() {
        *v /= sum;
    }
}

/// gate = silu(gate) · up, elementwise (SwiGLU).
pub fn silu_mul(gate: &mut [f32], up: &[f32]) {
    for (g, u) in gate.iter_mut().zip(up) {
        *g = *g / (1.0 + (-*g).exp()) * u;
    }
}

/// x += y, elementwise (the residual connection).
pub fn add_in_place(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matmul_matches_naive_on_threaded_and_serial_paths() {
        for (t, n_in, n_out) in [(1, 7, 3), (3, 1000, 513), (5, 64, 4096)] {
            let x: Vec<f32> = (0..t * n_in)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
                .collect();
            let w: Vec<f32> = (0..n_out * n_in)
                .map(|i| ((i * 53 % 97) as f32 - 48.0) / 48.0)
                .collect();
            let mut out = vec![0.0; t * n_out];
            matmul(&mut out, &x, &w, n_in);
            for ti in 0..t {
                for o in 0..n_out {
                    let expected: f64 = (0..n_in)
                        .map(|k| x[ti * n_in + k] as f64 * w[o * n_in + k] as f64)
                        .sum();
                    let got = out[ti * n_out + o] as f64;
                    assert!(
                        (got - expected).abs() < 1e-3,
                        "t={ti} o={o}: {got} vs {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn softmax_sums_to_one_and_survives_large_logits() {
        let mut x = vec![1000.0, 1001.0, 999.0];
        softmax(&mut x);
        assert!((x.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(x[1] > x[0] && x[0] > x[2]);
    }
}
