//! Buffers made at load: weights uploaded as the file stores them (f16 / bf16 stay 16-bit), small
//! tensors widened to f32, zeroed activations; each checked against the device's binding limit.

use wgpu::util::DeviceExt;

use super::context::GpuContext;
use crate::error::{Error, Result};
use crate::model::weights::DType;
use crate::model::Tensor;

/// A weight matrix on the GPU and how its elements are stored: the shaders' `FORMAT` constant
/// (0 f32, 1 f16, 2 bf16; 16-bit values two to a u32 word, low half first).
pub(super) struct GpuTensor {
    pub buffer: wgpu::Buffer,
    pub format: u32,
}

/// Fails with the tensor's name, its size and the limit when it cannot be bound whole.
fn check_size(ctx: &GpuContext, name: &str, bytes: u64) -> Result<()> {
    let limit = ctx
        .limits
        .max_storage_buffer_binding_size
        .min(ctx.limits.max_buffer_size);
    if bytes > limit {
        return Err(Error::BufferTooLarge {
            tensor: name.to_string(),
            bytes,
            limit,
        });
    }
    Ok(())
}

/// A zeroed f32 storage buffer of `len` elements (at least 4: no binding may be empty).
pub(super) fn activation(
    ctx: &GpuContext,
    name: &str,
    len: usize,
    extra: wgpu::BufferUsages,
) -> Result<wgpu::Buffer> {
    let bytes = (len.max(4) * 4) as u64;
    check_size(ctx, name, bytes)?;
    Ok(ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(name),
        size: bytes,
        usage: wgpu::BufferUsages::STORAGE | extra,
        mapped_at_creation: false,
    }))
}

/// A read-only storage buffer holding `bytes`.
pub(super) fn upload(ctx: &GpuContext, name: &str, bytes: &[u8]) -> Result<wgpu::Buffer> {
    check_size(ctx, name, bytes.len() as u64)?;
    Ok(ctx
        .device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(name),
            contents: bytes,
            usage: wgpu::BufferUsages::STORAGE,
        }))
}

/// A weight matrix as stored in the file.
pub(super) fn upload_tensor(ctx: &GpuContext, name: &str, t: &Tensor) -> Result<GpuTensor> {
    let format = match t.dtype {
        DType::F32 => 0,
        DType::F16 => 1,
        DType::BF16 => 2,
    };
    Ok(GpuTensor {
        buffer: upload(ctx, name, &t.bytes)?,
        format,
    })
}

/// A small tensor (norm weight, bias) widened to f32 whatever its dtype: one shader path for them.
pub(super) fn upload_f32(ctx: &GpuContext, name: &str, t: &Tensor) -> Result<wgpu::Buffer> {
    upload(ctx, name, &f32_bytes(&t.to_f32()))
}

/// Row blocks stacked into one matrix (q, k and v become one projection), kept in their dtype
/// when they share one, else widened to f32.
pub(super) fn concat(parts: &[&Tensor]) -> Tensor {
    let cols: usize = parts[0].shape[1..].iter().product();
    let rows = parts.iter().map(|t| t.len() / cols.max(1)).sum();
    let (dtype, bytes) = if parts.iter().all(|t| t.dtype == parts[0].dtype) {
        (
            parts[0].dtype,
            parts.iter().flat_map(|t| t.bytes.clone()).collect(),
        )
    } else {
        let values: Vec<f32> = parts.iter().flat_map(|t| t.to_f32()).collect();
        (DType::F32, f32_bytes(&values))
    };
    Tensor {
        shape: vec![rows, cols],
        dtype,
        bytes,
    }
}

pub(super) fn as_f32(t: &Tensor) -> Tensor {
    Tensor {
        shape: t.shape.clone(),
        dtype: DType::F32,
        bytes: f32_bytes(&t.to_f32()),
    }
}

pub(super) fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}
