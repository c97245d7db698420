// attention.wgsl — causal self-attention over the KV cache, grouped-query heads (GQA).
//
//   for query t (position pos = start + t) and head h, reading kv head g = h / (N_HEADS / N_KV_HEADS):
//     att[p]    = (q[t, h] · key_cache[p, g]) · SCALE                          for p ≤ pos
//     xb2[t, h] = Σ_p softmax(att)[p] · value_cache[p, g]
//
// The softmax is taken online over tiles of 64 positions (a running max and sum; the partial output
// is rescaled when the max grows), so workgroup memory stays fixed however long the context.
// Dispatch: (N_HEADS, T) workgroups of 64; one head of one query per workgroup (decode: T = 1).
// CPU twin: step 4 of `CpuModel::forward` (src/cpu/mod.rs), with `softmax` (src/cpu/ops.rs).

struct Params {
    start: u32,   // position of the first token of this step
    t: u32,
    keep: u32,
    _pad: u32,
}

override N_HEADS: u32;
override N_KV_HEADS: u32;
override HEAD_DIM: u32;   // at most MAX_HEAD_DIM
override SCALE: f32;      // 1 / sqrt(HEAD_DIM), computed on the CPU as the CPU does

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> qkv: array<f32>;            // (T, (N_HEADS + 2 · N_KV_HEADS) · HEAD_DIM) each row [q | k | v]
@group(0) @binding(2) var<storage, read> key_cache: array<f32>;      // (positions, N_KV_HEADS · HEAD_DIM)
@group(0) @binding(3) var<storage, read> value_cache: array<f32>;    // (positions, N_KV_HEADS · HEAD_DIM)
@group(0) @binding(4) var<storage, read_write> xb2: array<f32>;      // (T, N_HEADS · HEAD_DIM) attention output

const WG: u32 = 64u;
const MAX_HEAD_DIM: u32 = 256u;
const NEG_BIG: f32 = -3.0e38;   // below any score, and exp(NEG_BIG - m) is exactly 0

var<workgroup> q: array<f32, MAX_HEAD_DIM>;     // this head's query
var<workgroup> att: array<f32, WG>;             // exp(score − running max) of the current tile
var<workgroup> partial: array<f32, WG>;         // reductions
var<workgroup> acc: array<f32, MAX_HEAD_DIM>;   // Σ weight · value so far; thread i owns dims i, i + 64, …

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let h = wid.x;
    let t = wid.y;
    let kv_dim = N_KV_HEADS * HEAD_DIM;
    let row = t * (N_HEADS * HEAD_DIM + 2u * kv_dim);
    let g = h / (N_HEADS / N_KV_HEADS);
    let seen = params.start + t + 1u;   // positions 0..=pos
    for (var d = lid; d < HEAD_DIM; d += WG) {
        q[d] = qkv[row + h * HEAD_DIM + d];
        acc[d] = 0.0;
    }
    workgroupBarrier();
    var m = NEG_BIG;   // running max of the scores
    var l = 0.0;       // running Σ exp(score − m)
    for (var p0 = 0u; p0 < seen; p0 += WG) {
        // 1. One score per thread.
        let p = p0 + lid;
        var score = NEG_BIG;
        if p < seen {
            let key = p * kv_dim + g * HEAD_DIM;
            var dot = 0.0;
            for (var d = 0u; d < HEAD_DIM; d++) {
                dot += q[d] * key_cache[key + d];
            }
            score = dot * SCALE;
        }
        // 2. The tile's max, and the new running max.
        partial[lid] = score;
        workgroupBarrier();
        for (var s = WG / 2u; s > 0u; s >>= 1u) {
            if lid < s {
                partial[lid] = max(partial[lid], partial[lid + s]);
            }
            workgroupBarrier();
        }
        let m_new = max(m, partial[0]);
        workgroupBarrier();
        // 3. Weights under the new max and their sum; rescale what came before.
        var e = 0.0;
        if p < seen {
            e = exp(score - m_new);
        }
        att[lid] = e;
        partial[lid] = e;
        workgroupBarrier();
        for (var s = WG / 2u; s > 0u; s >>= 1u) {
            if lid < s {
                partial[lid] += partial[lid + s];
            }
            workgroupBarrier();
        }
        let correction = exp(m - m_new);
        l = l * correction + partial[0];
        m = m_new;
        // 4. Accumulate the tile's values, one output dimension per thread.
        let n = min(WG, seen - p0);
        for (var d = lid; d < HEAD_DIM; d += WG) {
            var a = acc[d] * correction;
            for (var j = 0u; j < n; j++) {
                a += att[j] * value_cache[(p0 + j) * kv_dim + g * HEAD_DIM + d];
            }
            acc[d] = a;
        }
        workgroupBarrier(); // att and partial are read before the next tile writes them
    }
    for (var d = lid; d < HEAD_DIM; d += WG) {
        xb2[t * N_HEADS * HEAD_DIM + h * HEAD_DIM + d] = acc[d] / l;
    }
}
