//! 8-bit weights, for a smaller download (the page ships the shipped model this way).
//!
//! Every matrix (a two-dimensional `*.weight`) becomes int8 with one f32 scale per row, symmetric:
//! `scale = max|row| / 127`, `q = round(w / scale)`. It is stored as `<name>` (I8, the matrix's
//! shape) next to `<name>_scale` (F32, shape (rows, 1)): the tensor names and layout of channel-wise
//! int8 in compressed-tensors. Vectors (norms, biases) stay as they are.
//!
//! The loader (`weights.rs`) multiplies the scales back in while it reads the file, so both
//! backends compute in f32 exactly as before: int8 here buys a 4× smaller file, not faster math.

use std::collections::HashMap;

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use super::weights::{DType, Tensor};
use crate::error::{Error, Result};

/// `<name>` + this suffix holds the per-row scales of the int8 tensor `<name>`.
pub const SCALE_SUFFIX: &str = "_scale";

/// What `config.json` of a quantized folder says about it (under `quantization_config`), so that a
/// reader knows the weights are not plain floats.
pub fn config_entry() -> serde_json::Value {
    serde_json::json!({
        "quant_method": "tiny-reasoner-int8",
        "bits": 8,
        "scheme": "symmetric, one f32 scale per row",
        "layout": "<name>: I8 (rows, cols); <name>_scale: F32 (rows, 1)"
    })
}

/// A safetensors file with every matrix as per-row int8 (see the module docs). `file` names the
/// input in errors.
pub fn quantize_int8(file: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    let corrupt = |e: safetensors::SafeTensorError| Error::CorruptSafetensors {
        file: file.to_string(),
        reason: e.to_string(),
    };
    let parsed = SafeTensors::deserialize(bytes).map_err(corrupt)?;
    // (name, dtype, shape, little-endian bytes)
    let mut out: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = Vec::new();
    for (name, view) in parsed.tensors() {
        let shape = view.shape().to_vec();
        let float = match view.dtype() {
            Dtype::F32 => DType::F32,
            Dtype::F16 => DType::F16,
            Dtype::BF16 => DType::BF16,
            other => {
                return Err(Error::UnsupportedDtype {
                    file: file.to_string(),
                    tensor: name,
                    dtype: format!("{other:?}"),
                })
            }
        };
        if shape.len() != 2 || !name.ends_with(".weight") {
            out.push((name, view.dtype(), shape, view.data().to_vec()));
            continue;
        }
        let tensor = Tensor {
            shape: shape.clone(),
            dtype: float,
            bytes: view.data().to_vec(),
        };
        let (q, scales) = quantize_rows(&tensor.to_f32(), shape[1]);
        let scale_bytes = scales.iter().flat_map(|s| s.to_le_bytes()).collect();
        out.push((
            format!("{name}{SCALE_SUFFIX}"),
            Dtype::F32,
            vec![shape[0], 1],
            scale_bytes,
        ));
        out.push((name, Dtype::I8, shape, q.iter().map(|&v| v as u8).collect()));
    }
    let views = out
        .iter()
        .map(|(name, dtype, shape, data)| {
            TensorView::new(*dtype, shape.clone(), data)
                .map(|view| (name.clone(), view))
                .map_err(corrupt)
        })
        .collect::<Result<Vec<_>>>()?;
    let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::serialize(views, Some(metadata)).map_err(corrupt)
}

/// Per-row symmetric int8 of a row-major matrix with `cols` columns: (values, one scale per row).
/// A row of zeros gets scale 0 (and dequantizes to zeros).
fn quantize_rows(values: &[f32], cols: usize) -> (Vec<i8>, Vec<f32>) {
    let mut q = Vec::with_capacity(values.len());
    let mut scales = Vec::new();
    for row in values.chunks(cols.max(1)) {
        let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = max / 127.0;
        scales.push(scale);
        q.extend(row.iter().map(|v| {
            if scale > 0.0 {
                (v / scale).round().clamp(-127.0, 127.0) as i8
            } else {
                0
            }
        }));
    }
    (q, scales)
}

/// The f32 matrix an int8 tensor stands for: row `r` is `q[r, ..] * scales[r]`.
pub fn dequantize_rows(q: &[u8], scales: &[f32], cols: usize) -> Vec<f32> {
    q.chunks(cols.max(1))
        .zip(scales)
        .flat_map(|(row, &scale)| row.iter().map(move |&v| v as i8 as f32 * scale))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_within_half_a_step() {
        // (2, 4): a row with a large value, and a row of zeros.
        let w = [0.5f32, -1.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0];
        let (q, s) = quantize_rows(&w, 4);
        assert_eq!(s, [1.0 / 127.0, 0.0]);
        assert_eq!(q[1], -127);
        let back: Vec<f32> =
            dequantize_rows(&q.iter().map(|&v| v as u8).collect::<Vec<_>>(), &s, 4);
        for (a, b) in w.iter().zip(&back) {
            assert!((a - b).abs() <= 0.5 / 127.0 + 1e-7, "{a} vs {b}");
        }
    }
}
