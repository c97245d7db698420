// silu_mul.wgsl — SwiGLU of a prefill chunk (decoding fuses it into rmsnorm_gate_up).
//
//   hb[i] = silu(hb[i]) · hb2[i] = hb[i] / (1 + exp(-hb[i])) · hb2[i]           for i < T · N
//
// Dispatch: ceil(T · N / 64) workgroups of 64 (as (x, y) when more than 65535); one thread per element.
// CPU twin: `silu_mul` (src/cpu/ops.rs).

struct Params {
    start: u32,
    t: u32,       // tokens in this step
    keep: u32,
    _pad: u32,
}

override N: u32;    // intermediate

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> hb: array<f32>;   // (T, N)  gate, then silu(gate) · up
@group(0) @binding(2) var<storage, read> hb2: array<f32>;        // (T, N)  up

@compute @workgroup_size(64)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = (wid.x + wid.y * groups.x) * 64u + lid;
    if i >= params.t * N {
        return;
    }
    let gate = hb[i];
    hb[i] = gate / (1.0 + exp(-gate)) * hb2[i];
}
