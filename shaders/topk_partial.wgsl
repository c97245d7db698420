// topk_partial.wgsl — first half of the distribution summary, per block of 4096 logits:
//
//   m_b = max_i l_i,   z_b = Σ_i exp(l_i − m_b),   w_b = Σ_i exp(l_i − m_b) · (l_i − m_b)
//   top_b = the `keep` best (id, logit) of the block, best first (logit descending, then id ascending)
//
// topk_merge.wgsl combines the blocks, so the CPU never receives the vocabulary.
// Dispatch: ceil(VOCAB / 4096) workgroups of 256; each thread holds 16 logits.
// CPU twin: `Distribution::from_logits` (src/sampler.rs), with topk_merge.wgsl.

struct Params {
    start: u32,
    t: u32,
    keep: u32,    // candidates wanted, 1..=MAX_KEEP
    _pad: u32,
}

override VOCAB: u32;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;                // (VOCAB)
@group(0) @binding(2) var<storage, read_write> block_stats: array<vec4<f32>>;  // (blocks) m_b, z_b, w_b, unused
@group(0) @binding(3) var<storage, read_write> block_top: array<vec2<u32>>;    // (blocks, MAX_KEEP) id, logit bits

const WG: u32 = 256u;
const ITEMS: u32 = 16u;
const BLOCK: u32 = 4096u;       // WG · ITEMS
const MAX_KEEP: u32 = 64u;
const NONE: u32 = 0xffffffffu;  // "no candidate" (an exhausted block)

var<workgroup> best_logit: array<f32, WG>;
var<workgroup> best_id: array<u32, WG>;
var<workgroup> sums: array<vec2<f32>, WG>;

// The order of the candidates: higher logit first, then lower id (as the CPU sorts them).
fn better(al: f32, ai: u32, bl: f32, bi: u32) -> bool {
    if ai == NONE {
        return false;
    }
    if bi == NONE {
        return true;
    }
    return al > bl || (al == bl && ai < bi);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let first = wid.x * BLOCK;
    // Thread lid holds logits first + lid, first + lid + 256, …: neighbouring threads, neighbouring words.
    var vals: array<f32, ITEMS>;
    var local_max = -3.0e38;
    for (var i = 0u; i < ITEMS; i++) {
        let id = first + i * WG + lid;
        if id < VOCAB {
            vals[i] = logits[id];
            local_max = max(local_max, vals[i]);
        }
    }
    // 1. The block's max.
    best_logit[lid] = local_max;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            best_logit[lid] = max(best_logit[lid], best_logit[lid + s]);
        }
        workgroupBarrier();
    }
    let m = best_logit[0];
    workgroupBarrier();
    // 2. Σ exp(l − m) and Σ exp(l − m)·(l − m): with the max, they give log-sum-exp and entropy.
    var acc = vec2(0.0, 0.0);
    for (var i = 0u; i < ITEMS; i++) {
        if first + i * WG + lid < VOCAB {
            let shifted = vals[i] - m;
            let e = exp(shifted);
            acc += vec2(e, e * shifted);
        }
    }
    sums[lid] = acc;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            sums[lid] += sums[lid + s];
        }
        workgroupBarrier();
    }
    if lid == 0u {
        block_stats[wid.x] = vec4(m, sums[0].x, sums[0].y, 0.0);
    }
    // 3. The best `keep`, one per round: each round takes the best candidate ranked after the
    // previous pick. keep is small (5 when greedy), so a few rounds beat sorting the block.
    var prev_logit = 0.0;
    var prev_id = NONE;
    for (var r = 0u; r < params.keep; r++) {
        var bl = 0.0;
        var bi = NONE;
        for (var i = 0u; i < ITEMS; i++) {
            let id = first + i * WG + lid;
            let l = vals[i];
            let after_prev = r == 0u || (prev_id != NONE && better(prev_logit, prev_id, l, id));
            if id < VOCAB && after_prev && better(l, id, bl, bi) {
                bl = l;
                bi = id;
            }
        }
        best_logit[lid] = bl;
        best_id[lid] = bi;
        workgroupBarrier();
        for (var s = WG / 2u; s > 0u; s >>= 1u) {
            if lid < s && better(best_logit[lid + s], best_id[lid + s], best_logit[lid], best_id[lid]) {
                best_logit[lid] = best_logit[lid + s];
                best_id[lid] = best_id[lid + s];
            }
            workgroupBarrier();
        }
        prev_logit = best_logit[0];
        prev_id = best_id[0];
        if lid == 0u {
            block_top[wid.x * MAX_KEEP + r] = vec2(prev_id, bitcast<u32>(prev_logit));
        }
        workgroupBarrier(); // everyone has read the pick before the next round overwrites it
    }
}
