//! From logits to the next token: the distribution summary every backend produces (a few top
//! candidates plus the log-sum-exp and entropy of the whole vocabulary), and the seeded sampler.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};

/// How many alternatives each token event reports.
pub const TOP_ALTERNATIVES: usize = 5;

/// What the sampler and the token events need of one position's logits — never the whole
/// vocabulary, so a GPU backend can reduce it on the device and read back a few hundred bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    /// (token id, logit), highest logit first.
    pub candidates: Vec<(u32, f32)>,
    /// log Σ exp(logit) over the whole vocabulary.
    pub log_sum_exp: f32,
    /// −Σ p ln p over the whole vocabulary, in nats.
    pub entropy: f32,
}

impl Distribution {
    /// Summarise full logits, keeping the `keep` most likely candidates.
    pub fn from_logits(logits: &[f32], keep: usize) -> Distribution {
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        // Σ exp(l − max) and Σ exp(l − max)·(l − max) give both lse and entropy in one pass:
        // H = lse − Σ p·l = ln Z − Σ e·(l − max) / Z, with Z = Σ e.
        let (mut z, mut weighted) = (0.0f64, 0.0f64);
        for &l in logits {
            let shifted = (l - max) as f64;
            let e = shifted.exp();
            z += e;
            weighted += e * shifted;
        }
        let log_sum_exp = max + z.ln() as f32;
        let entropy = (z.ln() - weighted / z).max(0.0) as f32;
        let mut candidates: Vec<(u32, f32)> = logits
            .iter()
            .enumerate()
            .map(|(i, &l)| (i as u32, l))
            .collect();
        let keep = keep.clamp(1, candidates.len().max(1));
        let by_logit_desc =
            |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if keep < candidates.len() {
            candidates.select_nth_unstable_by(keep - 1, by_logit_desc);
            candidates.truncate(keep);
        }
        candidates.sort_by(by_logit_desc);
        Distribution {
            candidates,
            log_sum_exp,
            entropy,
        }
    }

    /// Probability of a logit under the model's own distribution (temperature 1, no truncation).
    pub fn prob(&self, logit: f32) -> f32 {
        (logit - self.log_sum_exp).exp()
    }

    /// The logit of `id` if it is among the candidates.
    pub fn logit_of(&self, id: u32) -> Option<f32> {
        self.candidates.iter().find(|c| c.0 == id).map(|c| c.1)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SamplerConfig {
    /// 0 picks the most likely token (greedy).
    pub temperature: f32,
    /// Sample among the k most likely tokens only; 0 = no limit.
    pub top_k: usize,
    /// Sample among the smallest set of tokens whose probability reaches p; 1 = no limit.
    pub top_p: f32,
    pub seed: u64,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        SamplerConfig {
            temperature: 0.0,
            top_k: 0,
            top_p: 1.0,
            seed: 0,
        }
    }
}

impl SamplerConfig {
    pub fn validate(&self) -> Result<()> {
        if !(self.temperature.is_finite() && self.temperature >= 0.0) {
            return Err(Error::InvalidArgument {
                name: "temperature",
                reason: format!("{} is not a number ≥ 0", self.temperature),
            });
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(Error::InvalidArgument {
                name: "top_p",
                reason: format!("{} is not in (0, 1]", self.top_p),
            });
        }
        Ok(())
    }

    /// How many candidates the backend must return for this sampler to be exact.
    pub fn candidates_needed(&self, vocab_size: usize) -> usize {
        let needed = if self.temperature == 0.0 {
            1
        } else if self.top_k > 0 {
            self.top_k
        } else {
            vocab_size
        };
        needed.max(TOP_ALTERNATIVES).min(vocab_size)
    }
}

pub struct Sampler {
    config: SamplerConfig,
    rng: ChaCha8Rng,
    /// Scratch: candidate weights (candidates).
    weights: Vec<f32>,
}

impl Sampler {
    pub fn new(config: SamplerConfig) -> Result<Sampler> {
        config.validate()?;
        let rng = ChaCha8Rng::seed_from_u64(config.seed);
        Ok(Sampler {
            config,
            rng,
            weights: Vec::new(),
        })
    }

    pub fn config(&self) -> &SamplerConfig {
        &self.config
    }

    /// Picks a token: temperature, then top-k, then top-p, as transformers orders its processors.
    pub fn sample(&mut self, dist: &Distribution) -> u32 {
        let top = dist.candidates[0];
        if self.config.temperature == 0.0 || dist.candidates.len() == 1 {
            return top.0;
        }
        let k = match self.config.top_k {
            0 => dist.candidates.len(),
            k => k.min(dist.candidates.len()),
        };
        let candidates = &dist.candidates[..k];
        self.weights.clear();
        self.weights.extend(
            candidates
                .iter()
                .map(|&(_, l)| ((l - top.1) / self.config.temperature).exp()),
        );
        let total: f32 = self.weights.iter().sum();
        // Keep the smallest prefix whose mass reaches top_p (the token that crosses it included).
        let mut kept = self.weights.len();
        if self.config.top_p < 1.0 {
            let mut cumulative = 0.0;
            for (i, w) in self.weights.iter().enumerate() {
                cumulative += w / total;
                if cumulative >= self.config.top_p {
                    kept = i + 1;
                    break;
                }
            }
        }
        let kept_total: f32 = self.weights[..kept].iter().sum();
        let mut r = self.rng.random::<f32>() * kept_total;
        for (i, w) in self.weights[..kept].iter().enumerate() {
            r -= w;
            if r < 0.0 {
                return candidates[i].0;
            }
        }
        candidates[kept - 1].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(logits: &[f32]) -> Distribution {
        Distribution::from_logits(logits, logits.len())
    }

    #[test]
    fn summary_matches_direct_softmax() {
        let logits = [2.0f32, -1.0, 0.5, 3.0, 0.0];
        let d = Distribution::from_logits(&logits, 2);
        let z: f32 = logits.iter().map(|l| l.exp()).sum();
        let p: Vec<f32> = logits.iter().map(|l| l.exp() / z).collect();
        let entropy: f32 = -p.iter().map(|p| p * p.ln()).sum::<f32>();
        assert_eq!(d.candidates, vec![(3, 3.0), (0, 2.0)]);
        assert!((d.log_sum_exp - z.ln()).abs() < 1e-6);
        assert!((d.entropy - entropy).abs() < 1e-6);
        assert!((d.prob(3.0) - p[3]).abs() < 1e-6);
    }

    #[test]
    fn greedy_takes_the_argmax() {
        let mut s = Sampler::new(SamplerConfig::default()).unwrap();
        assert_eq!(s.sample(&dist(&[0.1, 5.0, 4.9])), 1);
    }

    #[test]
    fn same_seed_same_tokens_and_top_k_one_is_greedy() {
        let d = dist(&[1.0, 1.1, 0.9, 1.05, 0.95]);
        let run = |seed| {
            let mut s = Sampler::new(SamplerConfig {
                temperature: 1.0,
                seed,
                ..Default::default()
            })
            .unwrap();
            (0..50).map(|_| s.sample(&d)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let mut k1 = Sampler::new(SamplerConfig {
            temperature: 1.0,
            top_k: 1,
            ..Default::default()
        })
        .unwrap();
        assert!((0..50).all(|_| k1.sample(&d) == 1));
    }

    #[test]
    fn top_p_cuts_the_tail() {
        // p ≈ [0.88, 0.12, 0.00…]: with top_p 0.5 only the first token can be drawn.
        let d = dist(&[4.0, 2.0, -5.0, -6.0]);
        let mut s = Sampler::new(SamplerConfig {
            temperature: 1.0,
            top_p: 0.5,
            seed: 3,
            ..Default::default()
        })
        .unwrap();
        assert!((0..200).all(|_| s.sample(&d) == 0));
        let mut wide = Sampler::new(SamplerConfig {
            temperature: 1.0,
            top_p: 0.95,
            seed: 3,
            ..Default::default()
        })
        .unwrap();
        assert!((0..200).any(|_| wide.sample(&d) == 1));
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(Sampler::new(SamplerConfig {
            temperature: -1.0,
            ..Default::default()
        })
        .is_err());
        assert!(Sampler::new(SamplerConfig {
            top_p: 0.0,
            ..Default::default()
        })
        .is_err());
        assert!(Sampler::new(SamplerConfig {
            temperature: f32::NAN,
            ..Default::default()
        })
        .is_err());
    }
}
