// matvec.wgsl — a projection of a decoded token, added into the residual stream.
//
//   out[n] += Σ_k inp[k] · w[n, k]   (+ bias[n])                               for n < N
//
// Two uses per layer: the attention output (inp = xb2, w = wo, bias = bo, out = x) and the
// feed-forward output (inp = hb, w = w_down, out = x). Folding the residual add into the projection
// saves a dispatch and a pass over x.
// Dispatch: N workgroups of 64 (as (x, y) when N exceeds 65535); one output row per workgroup.
// CPU twin: `matmul`, `add_bias`, then `add_in_place` (src/cpu/ops.rs).

override K: u32;
override N: u32;
override BIAS: bool = false;
override FORMAT: u32 = 0u;

@group(0) @binding(0) var<storage, read> inp: array<f32>;        // (K)     xb2 or hb
@group(0) @binding(1) var<storage, read> w: array<u32>;          // (N, K)  FORMAT-packed
@group(0) @binding(2) var<storage, read> bias: array<f32>;       // (N)     read only when BIAS
@group(0) @binding(3) var<storage, read_write> out: array<f32>;  // (N)     x, the residual stream

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
    var acc = 0.0;
    for (var k = lid; k < K; k += WG) {
        let i = n * K + k;
        acc += inp[k] * unpack(w[word_of(i)], i);
    }
    partial[lid] = acc;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            partial[lid] += partial[lid + s];
        }
        workgroupBarrier();
    }
    if lid == 0u {
        var y = partial[0];
        if BIAS {
            y += bias[n];
        }
        out[n] += y;
    }
}
