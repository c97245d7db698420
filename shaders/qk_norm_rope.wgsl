// qk_norm_rope.wgsl — per-head RMSNorm of q and k (Qwen3), rotary position embeddings in the
// Hugging Face "rotate half" convention, and the new keys and values appended to the KV cache.
//
//   for token t (position pos = start + t) and each head of q (N_HEADS) and of k (N_KV_HEADS):
//     scale   = 1 / sqrt(mean_d(head[d]²) + EPS)                         (when QK_NORM)
//     head[d] = norm[d] · (head[d] · scale)                               (when QK_NORM)
//     for i < half = HEAD_DIM / 2, angle = pos · inv_freq[i]:
//       head[i]        = head[i] · cos(angle) − head[i + half] · sin(angle)
//       head[i + half] = head[i + half] · cos(angle) + head[i] · sin(angle)
//   q heads are written back into qkv; k heads go to key_cache[pos]; v heads are copied to value_cache[pos].
//
// Dispatch: (N_HEADS + N_KV_HEADS, T) workgroups of 64; one head of one token per workgroup.
// CPU twin: `rmsnorm_in_place` (src/cpu/ops.rs), `Rope::apply` (src/cpu/rope.rs), and step 3 of
// `CpuModel::forward` (src/cpu/mod.rs). inv_freq is computed once on the CPU, scaling included.

struct Params {
    start: u32,   // position of the first token of this step
    t: u32,
    keep: u32,
    _pad: u32,
}

override N_HEADS: u32;
override N_KV_HEADS: u32;
override HEAD_DIM: u32;
override EPS: f32;
override QK_NORM: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> qkv: array<f32>;          // (T, (N_HEADS + 2 · N_KV_HEADS) · HEAD_DIM) each row [q | k | v]
@group(0) @binding(2) var<storage, read> q_norm: array<f32>;             // (HEAD_DIM)  read only when QK_NORM
@group(0) @binding(3) var<storage, read> k_norm: array<f32>;             // (HEAD_DIM)  read only when QK_NORM
@group(0) @binding(4) var<storage, read> inv_freq: array<f32>;           // (HEAD_DIM / 2)
@group(0) @binding(5) var<storage, read_write> key_cache: array<f32>;    // (positions, N_KV_HEADS · HEAD_DIM) of this layer
@group(0) @binding(6) var<storage, read_write> value_cache: array<f32>;  // (positions, N_KV_HEADS · HEAD_DIM)

const WG: u32 = 64u;
var<workgroup> partial: array<f32, WG>;

// sin and cos of a large angle (position × frequency reaches thousands of radians). GPU sin/cos
// are only accurate near zero (Vulkan promises 2^-11 absolute in [-π, π], nothing outside), so the
// angle is first reduced by a multiple of 2π, with 2π split into three parts whose products with
// the multiple are exact in f32 (Cody–Waite).
fn sin_cos(angle: f32) -> vec2<f32> {
    let turns = round(angle * 0.15915494);   // angle / 2π
    let r = ((angle - turns * 6.28125) - turns * 0.001934051513671875) - turns * 1.2556659e-6;
    return vec2(sin(r), cos(r));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let h = wid.x;
    let t = wid.y;
    let pos = params.start + t;
    let kv_dim = N_KV_HEADS * HEAD_DIM;
    let half = HEAD_DIM / 2u;
    let is_q = h < N_HEADS;
    // q heads then k heads sit back to back in a row of qkv, so head h starts at h · HEAD_DIM.
    let base = t * (N_HEADS * HEAD_DIM + 2u * kv_dim) + h * HEAD_DIM;
    var scale = 1.0;
    if QK_NORM {
        var squares = 0.0;
        for (var d = lid; d < HEAD_DIM; d += WG) {
            squares += qkv[base + d] * qkv[base + d];
        }
        partial[lid] = squares;
        workgroupBarrier();
        for (var s = WG / 2u; s > 0u; s >>= 1u) {
            if lid < s {
                partial[lid] += partial[lid + s];
            }
            workgroupBarrier();
        }
        scale = 1.0 / sqrt(partial[0] / f32(HEAD_DIM) + EPS);
    }
    // Where this head's k and v go in the cache (k heads only).
    let cached = pos * kv_dim + (h - min(h, N_HEADS)) * HEAD_DIM;
    for (var i = lid; i < half; i += WG) {
        var x1 = qkv[base + i];
        var x2 = qkv[base + i + half];
        if QK_NORM {
            if is_q {
                x1 = q_norm[i] * (x1 * scale);
                x2 = q_norm[i + half] * (x2 * scale);
            } else {
                x1 = k_norm[i] * (x1 * scale);
                x2 = k_norm[i + half] * (x2 * scale);
            }
        }
        let sc = sin_cos(f32(pos) * inv_freq[i]);
        let r1 = x1 * sc.y - x2 * sc.x;
        let r2 = x2 * sc.y + x1 * sc.x;
        if is_q {
            qkv[base + i] = r1;
            qkv[base + i + half] = r2;
        } else {
            key_cache[cached + i] = r1;
            key_cache[cached + i + half] = r2;
        }
    }
    if !is_q {
        // The matching v head sits kv_dim further along the row.
        for (var d = lid; d < HEAD_DIM; d += WG) {
            value_cache[cached + d] = qkv[base + kv_dim + d];
        }
    }
}
