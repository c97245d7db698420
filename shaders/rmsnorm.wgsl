// rmsnorm.wgsl — RMSNorm of every row of a prefill chunk (decoding fuses it into the matvec).
//
//   scale[t] = 1 / sqrt(mean_k(x[t, k]²) + EPS)
//   out[t, k] = w[k] · (x[t, k] · scale[t])                          for t < T, k < K
//
// Dispatch: T workgroups of 64; one row per workgroup.
// CPU twin: `rmsnorm` (src/cpu/ops.rs).

override K: u32;
override EPS: f32;

@group(0) @binding(0) var<storage, read> x: array<f32>;          // (T, K)  residual stream
@group(0) @binding(1) var<storage, read> w: array<f32>;          // (K)     attn_norm or ffn_norm
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // (T, K)  xb

const WG: u32 = 64u;
var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let row = wid.x * K;
    var squares = 0.0;
    for (var k = lid; k < K; k += WG) {
        squares += x[row + k] * x[row + k];
    }
    partial[lid] = squares;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            partial[lid] += partial[lid + s];
        }
        workgroupBarrier();
    }
    let scale = 1.0 / sqrt(partial[0] / f32(K) + EPS);
    for (var k = lid; k < K; k += WG) {
        out[row + k] = w[k] * (x[row + k] * scale);
    }
}
