// embed.wgsl — token embeddings into the residual stream.
//
//   x[t, d] = embed[tokens[t], d]                       for t < T, d < HIDDEN
//
// Dispatch: (ceil(HIDDEN / 64), T) workgroups of 64; one thread per element.
// CPU twin: the embedding copy at the top of `CpuModel::forward` (src/cpu/mod.rs).

// The per-step parameters (src/gpu/state.rs `StepParams`), written once per submit. The token ids
// ride in the same uniform so a decode step is a single small write.
struct Params {
    start: u32,                     // position of the first token of this step
    t: u32,                         // tokens in this step (1 when decoding)
    keep: u32,                      // candidates the top-k returns
    _pad: u32,
    tokens: array<vec4<u32>, 16>,   // (64) the step's token ids, four to a vec4 (uniform arrays are 16-byte strided)
}

override HIDDEN: u32;
// Storage format of `embed`: 0 f32, 1 f16, 2 bf16 (two 16-bit values per word, low half first).
override FORMAT: u32 = 0u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> embed: array<u32>;        // (vocab, HIDDEN) FORMAT-packed
@group(0) @binding(2) var<storage, read_write> x: array<f32>;      // (T, HIDDEN)     residual stream

// The word holding element i, and element i from that word: 16-bit weights stay 16-bit on the GPU
// and are widened here exactly (no shader-f16 feature needed). Same two functions in every shader
// that reads weights.
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
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let d = gid.x;
    let t = gid.y;
    if d >= HIDDEN || t >= params.t {
        return;
    }
    let token = params.tokens[t / 4u][t % 4u];
    let i = token * HIDDEN + d;
    x[t * HIDDEN + d] = unpack(embed[word_of(i)], i);
}
