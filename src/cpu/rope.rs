//! Rotary position embeddings in the Hugging Face "rotate half" convention: dimension i is paired
//! with i + head_dim/2 (not with i + 1 as in the original paper and llama2.c).

use crate::model::config::{Config, RopeScaling};

pub struct Rope {
    /// 1 / theta^(2i / head_dim), after any rescaling.   (head_dim / 2)
    inv_freq: Vec<f32>,
}

impl Rope {
    pub fn new(config: &Config) -> Rope {
        let dim = config.head_dim;
        // As transformers computes it: in f32, exponent first, then the power.
        let base: Vec<f32> = (0..dim / 2)
            .map(|i| 1.0 / config.rope_theta.powf((2 * i) as f32 / dim as f32))
            .collect();
        let inv_freq = match config.rope_scaling {
            RopeScaling::None => base,
            RopeScaling::Linear { factor } => base.iter().map(|f| f / factor).collect(),
            RopeScaling::Llama3 {
                factor,
                low_freq_factor,
                high_freq_factor,
                original_max_position_embeddings,
            } => {
                let low_freq_wavelen = original_max_position_embeddings / low_freq_factor;
                let high_freq_wavelen = original_max_position_embeddings / high_freq_factor;
                base.iter()
                    .map(|&freq| {
                        let wavelen = 2.0 * std::f32::consts::PI / freq;
                        if wavelen < high_freq_wavelen {
                            freq // high frequencies: kept
                        } else if wavelen > low_freq_wavelen {
                            freq / factor // low frequencies: slowed down
                        } else {
                            let smooth = (original_max_position_embeddings / wavelen
                                - low_freq_factor)
                                / (high_freq_factor - low_freq_factor);
                            (1.0 - smooth) * freq / factor + smooth * freq
                        }
                    })
                    .collect()
            }
        };
        Rope { inv_freq }
    }

    /// The rotation frequencies (head_dim / 2), any scaling applied: the GPU backend uploads
    /// them as they are, so both backends rotate by the same angles.
    pub fn inv_freq(&self) -> &[f32] {
        &self.inv_freq
    }

    /// Rotates every head of `x` (n_heads · head_dim) in place for position `pos`.
    pub fn apply(&self, x: &mut [f32], pos: usize) {
        let half = self.inv_freq.len();
        for head in x.chunks_exact_mut(2 * half) {
            for (i, freq) in self.inv_freq.iter().enumerate() {
                let angle = pos as f32 * freq;
                let (sin, cos) = angle.sin_cos();
                let (x1, x2) = (head[i], head[i + half]);
                head[i] = x1 * cos - x2 * sin;
                head[i + half] = x2 * cos + x1 * sin;
            }
        }
    }
}
