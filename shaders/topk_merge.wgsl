// topk_merge.wgsl — second half of the distribution summary: the blocks of topk_partial.wgsl
// combined into what the sampler needs, a few hundred bytes at most.
//
//   M = max_b m_b,   Z = Σ_b z_b · exp(m_b − M),   W = Σ_b exp(m_b − M) · (w_b + z_b · (m_b − M))
//   log_sum_exp = M + ln Z,   entropy = max(ln Z − W / Z, 0)      (W / Z = Σ p · (l − M))
//   top = the `keep` best of all blocks' candidates
//
// result: [log_sum_exp, entropy, (id, logit) × keep] as u32 words (floats by their bits).
// Dispatch: 1 workgroup of 256.
// CPU twin: `Distribution::from_logits` (src/sampler.rs).

struct Params {
    start: u32,
    t: u32,
    keep: u32,    // candidates wanted, 1..=MAX_KEEP
    _pad: u32,
}

override BLOCKS: u32;   // ceil(vocab / 4096)

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> block_stats: array<vec4<f32>>;   // (BLOCKS) m_b, z_b, w_b, unused
@group(0) @binding(2) var<storage, read> block_top: array<vec2<u32>>;     // (BLOCKS, MAX_KEEP) id, logit bits
@group(0) @binding(3) var<storage, read_write> result: array<u32>;        // (2 + 2 · MAX_KEEP)

const WG: u32 = 256u;
const MAX_KEEP: u32 = 64u;
const NONE: u32 = 0xffffffffu;

var<workgroup> best_logit: array<f32, WG>;
var<workgroup> best_id: array<u32, WG>;
var<workgroup> sums: array<vec2<f32>, WG>;

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
fn main(@builtin(local_invocation_index) lid: u32) {
    // 1. The global max.
    var local_max = -3.0e38;
    for (var b = lid; b < BLOCKS; b += WG) {
        local_max = max(local_max, block_stats[b].x);
    }
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
    // 2. Every block's sums moved onto the global max.
    var acc = vec2(0.0, 0.0);
    for (var b = lid; b < BLOCKS; b += WG) {
        let stats = block_stats[b];
        let c = exp(stats.x - m);
        acc += vec2(stats.y * c, c * (stats.z + stats.y * (stats.x - m)));
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
        let log_z = log(sums[0].x);
        result[0] = bitcast<u32>(m + log_z);
        result[1] = bitcast<u32>(max(log_z - sums[0].y / sums[0].x, 0.0));
    }
    // 3. The best `keep` among the first `keep` candidates of every block, one per round.
    let keep = params.keep;
    let n = BLOCKS * keep;
    var prev_logit = 0.0;
    var prev_id = NONE;
    for (var r = 0u; r < keep; r++) {
        var bl = 0.0;
        var bi = NONE;
        for (var j = lid; j < n; j += WG) {
            let c = block_top[(j / keep) * MAX_KEEP + j % keep];
            let l = bitcast<f32>(c.y);
            let after_prev = r == 0u || (prev_id != NONE && better(prev_logit, prev_id, l, c.x));
            if after_prev && better(l, c.x, bl, bi) {
                bl = l;
                bi = c.x;
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
            result[2u + 2u * r] = prev_id;
            result[3u + 2u * r] = bitcast<u32>(prev_logit);
        }
        workgroupBarrier();
    }
}
