// rmsnorm_matvec.wgsl — RMSNorm fused into the matrix-vector product that follows it.
//
//   r      = T - 1                                   (the last row of x: the decoded token)
//   scale  = 1 / sqrt(mean_k(x[r, k]²) + EPS)
//   out[n] = Σ_k (norm[k] · (x[r, k] · scale)) · w[n, k]   (+ bias[n])      for n < N
//
// Two uses: the q/k/v projection of a decoded token (norm = attn_norm, w = [wq; wk; wv],
// bias = [bq; bk; bv], out = qkv), and the final norm + lm_head at the last position of any step
// (norm = the final norm, w = lm_head or the tied embedding, out = logits).
// Dispatch: N workgroups of 64, as (x, y) when N exceeds 65535; one output row per workgroup, its
// threads strided over K, then a tree reduction. Each workgroup recomputes the norm of x: K reads
// that cost less than a dispatch and a round trip through memory.
// CPU twin: `rmsnorm`, then `matmul`, then `add_bias` (src/cpu/ops.rs).

struct Params {
    start: u32,   // position of the first token of this step
    t: u32,       // tokens in this step
    keep: u32,
    _pad: u32,
}

override K: u32;
override N: u32;
override EPS: f32;
override BIAS: bool = false;
// Storage format of `w`: 0 f32, 1 f16, 2 bf16 (two 16-bit values per word, low half first).
override FORMAT: u32 = 0u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;          // (T, K)  residual stream
@group(0) @binding(2) var<storage, read> norm: array<f32>;       // (K)     norm weight
@group(0) @binding(3) var<storage, read> w: array<u32>;          // (N, K)  FORMAT-packed, rows as nn.Linear
@group(0) @binding(4) var<storage, read> bias: array<f32>;       // (N)     read only when BIAS
@group(0) @binding(5) var<storage, read_write> out: array<f32>;  // (N)     qkv or logits

const WG: u32 = 64u;
var<workgroup> partial: array<f32, WG>;

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

// The sum of every thread's v (tree reduction through workgroup memory).
fn workgroup_sum(lid: u32, v: f32) -> f32 {
    partial[lid] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            partial[lid] += partial[lid + s];
        }
        workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier(); // everyone has read partial[0] before it is written again
    return total;
}

@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let n = wid.x + wid.y * groups.x;
    if n >= N {
        return;
    }
    let row = (params.t - 1u) * K;
    var sum_sq = 0.0;
    for (var k = lid; k < K; k += WG) {
        let v = x[row + k];
        sum_sq += v * v;
    }
    let scale = 1.0 / sqrt(workgroup_sum(lid, sum_sq) / f32(K) + EPS);
    var acc = 0.0;
    for (var k = lid; k < K; k += WG) {
        let i = n * K + k;
        acc += (norm[k] * (x[row + k] * scale)) * unpack(w[word_of(i)], i);
    }
    let total = workgroup_sum(lid, acc);
    if lid == 0u {
        if BIAS {
            out[n] = total + bias[n];
        } else {
            out[n] = total;
        }
    }
}
