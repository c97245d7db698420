// rmsnorm_gate_up.wgsl — the first half of the feed-forward block of a decoded token, fused:
// RMSNorm, the gate and up projections, and SiLU(gate) · up.
//
//   scale  = 1 / sqrt(mean_k(x[k]²) + EPS)
//   xb[k]  = norm[k] · (x[k] · scale)
//   hb[n]  = silu(Σ_k xb[k] · w_gate[n, k]) · (Σ_k xb[k] · w_up[n, k])          for n < N
//   silu(g) = g / (1 + exp(-g))
//
// Dispatch: N workgroups of 64 (as (x, y) when N exceeds 65535); one output per workgroup.
// CPU twin: `rmsnorm`, `matmul` twice, `silu_mul` (src/cpu/ops.rs).

override K: u32;    // hidden
override N: u32;    // intermediate
override EPS: f32;
override FORMAT: u32 = 0u;

@group(0) @binding(0) var<storage, read> x: array<f32>;          // (K)     residual stream (the one decoded token)
@group(0) @binding(1) var<storage, read> norm: array<f32>;       // (K)     ffn_norm
@group(0) @binding(2) var<storage, read> w_gate: array<u32>;     // (N, K)  FORMAT-packed
@group(0) @binding(3) var<storage, read> w_up: array<u32>;       // (N, K)  FORMAT-packed
@group(0) @binding(4) var<storage, read_write> hb: array<f32>;   // (N)     silu(gate) · up

const WG: u32 = 64u;
var<workgroup> partial: array<vec2<f32>, WG>;

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

// Two sums at once (gate and up share one reduction).
fn workgroup_sum(lid: u32, v: vec2<f32>) -> vec2<f32> {
    partial[lid] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            partial[lid] += partial[lid + s];
        }
        workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier();
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
    var sum_sq = 0.0;
    for (var k = lid; k < K; k += WG) {
        sum_sq += x[k] * x[k];
    }
    let scale = 1.0 / sqrt(workgroup_sum(lid, vec2(sum_sq, 0.0)).x / f32(K) + EPS);
    var acc = vec2(0.0, 0.0);
    for (var k = lid; k < K; k += WG) {
        let xb = norm[k] * (x[k] * scale);
        let i = n * K + k;
        acc += xb * vec2(unpack(w_gate[word_of(i)], i), unpack(w_up[word_of(i)], i));
    }
    let sums = workgroup_sum(lid, acc);
    if lid == 0u {
        let gate = sums.x;
        hb[n] = gate / (1.0 + exp(-gate)) * sums.y;
    }
}
