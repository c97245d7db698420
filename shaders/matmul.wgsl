// matmul.wgsl — the projections of a prefill chunk, tiled.
//
//   y[t, n] = Σ_k inp[t, k] · w[n, k]   (+ bias[n])                   for t < T, n < N
//   out[t, n] = y[t, n], or out[t, n] += y[t, n] when RESIDUAL
//
// Dispatch: (ceil(N / 16), ceil(T / 16)) workgroups of 16 × 16. Each computes a 16-token by 16-row
// tile of out, walking K in steps of 64 through workgroup memory: a weight is fetched once per
// 16 tokens instead of once per token, which is the point of prefilling in chunks. Each step
// loads two 16 × 64 tiles (8 KiB of the 16 KiB WebGPU guarantees) and runs 64 FMAs a thread
// between its two barriers.
// CPU twin: `matmul`, `add_bias`, and `add_in_place` when RESIDUAL (src/cpu/ops.rs).

struct Params {
    start: u32,
    t: u32,       // tokens in this step
    keep: u32,
    _pad: u32,
}

override K: u32;
override N: u32;
override BIAS: bool = false;
override RESIDUAL: bool = false;
override FORMAT: u32 = 0u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> inp: array<f32>;        // (T, K)  xb, xb2 or hb
@group(0) @binding(2) var<storage, read> w: array<u32>;          // (N, K)  FORMAT-packed
@group(0) @binding(3) var<storage, read> bias: array<f32>;       // (N)     read only when BIAS
@group(0) @binding(4) var<storage, read_write> out: array<f32>;  // (T, N)  qkv, hb, hb2, or x (RESIDUAL)

const TILE: u32 = 16u;     // tokens and rows per workgroup
const STEP: u32 = 64u;     // k per step
var<workgroup> inp_tile: array<f32, 1024>;  // (TILE tokens, STEP k)
var<workgroup> w_tile: array<f32, 1024>;    // (TILE rows, STEP k)

fn word_of(i: u32) -> u32 {
    return select(i, i >> 1u, FORMAT != 0u);
}
fn unpack(word: u32, i: u32) -> f32 {
    let odd = (i & 1u) == 1u;
    switch FORMAT {
        case 1u: { return select(unpack2x16float(word).x, unpack2x16float(word).y, odd); }
        case 2u: { return bitcast<f32>(select(word << 16u, word & 0xffff0000u, odd)); }
        default: { return bitcast<f32>(word); }
    }
}

@compute @workgroup_size(16, 16)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let t0 = wid.y * TILE;
    let n0 = wid.x * TILE;
    let tokens = params.t;
    var acc = 0.0;
    for (var k0 = 0u; k0 < K; k0 += STEP) {
        // The 256 threads fetch the two 16 × 64 tiles, four elements each; neighbouring threads
        // read neighbouring words.
        for (var e = li; e < TILE * STEP; e += 256u) {
            let r = e / STEP;
            let k = k0 + e % STEP;
            let t = t0 + r;
            var a = 0.0;
            if t < tokens && k < K {
                a = inp[t * K + k];
            }
            inp_tile[e] = a;
            let n = n0 + r;
            var b = 0.0;
            if n < N && k < K {
                let i = n * K + k;
                b = unpack(w[word_of(i)], i);
            }
            w_tile[e] = b;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < STEP; kk++) {
            acc += inp_tile[lid.y * STEP + kk] * w_tile[lid.x * STEP + kk];
        }
        workgroupBarrier(); // the tiles are read before the next step overwrites them
    }
    let t = t0 + lid.y;
    let n = n0 + lid.x;
    if t < tokens && n < N {
        var y = acc;
        if BIAS {
            y += bias[n];
        }
        if RESIDUAL {
            out[t * N + n] += y;
        } else {
            out[t * N + n] = y;
        }
    }
}
