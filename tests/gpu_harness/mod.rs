//! What the kernel tests share: a GPU, buffers in, one dispatch, buffers out; seeded data; the
//! comparison that names the first index over the tolerance.
#![allow(dead_code)]

use half::{bf16, f16};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use tiny_reasoner::gpu::kernels::{KernelCache, Shader};
use tiny_reasoner::gpu::GpuContext;
use tiny_reasoner::model::weights::DType;
use tiny_reasoner::model::Tensor;
use wgpu::util::DeviceExt;

pub struct Gpu {
    pub ctx: GpuContext,
    pub kernels: KernelCache,
}

impl Gpu {
    pub fn new() -> Gpu {
        let ctx = pollster::block_on(GpuContext::new())
            .unwrap_or_else(|e| panic!("the GPU tests need a GPU adapter: {e}"));
        Gpu {
            ctx,
            kernels: KernelCache::default(),
        }
    }

    pub fn bytes(&self, bytes: &[u8]) -> wgpu::Buffer {
        let mut padded = bytes.to_vec();
        padded.resize(bytes.len().max(16).next_multiple_of(4), 0);
        self.ctx
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("test"),
                contents: &padded,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            })
    }

    pub fn floats(&self, values: &[f32]) -> wgpu::Buffer {
        self.bytes(&f32_bytes(values))
    }

    /// The step's uniform (`Params` in the shaders), token ids included.
    pub fn params(&self, start: u32, t: u32, keep: u32, tokens: &[u32]) -> wgpu::Buffer {
        let mut words = vec![start, t, keep, 0];
        words.extend(tokens);
        words.resize(4 + 64, 0);
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        self.ctx
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("params"),
                contents: &bytes,
                usage: wgpu::BufferUsages::UNIFORM,
            })
    }

    pub fn run(
        &mut self,
        shader: Shader,
        constants: &[(&str, f64)],
        buffers: &[&wgpu::Buffer],
        grid: (u32, u32),
    ) {
        let kernel = self.kernels.get(&self.ctx, shader, constants);
        let bind_group = kernel.bind(&self.ctx, shader.file(), buffers);
        let mut encoder = self.ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&kernel.pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(grid.0, grid.1, 1);
        }
        self.ctx.queue.submit([encoder.finish()]);
    }

    pub fn read_bytes(&self, buffer: &wgpu::Buffer, len: usize) -> Vec<u8> {
        let size = (len * 4) as u64;
        let staging = self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("staging"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self.ctx.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, size);
        self.ctx.queue.submit([encoder.finish()]);
        pollster::block_on(self.ctx.read(&staging, size)).unwrap()
    }

    pub fn read(&self, buffer: &wgpu::Buffer, len: usize) -> Vec<f32> {
        self.read_bytes(buffer, len)
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }
}

pub fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn random(rng: &mut ChaCha8Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random::<f32>() * 2.0 - 1.0).collect()
}

/// Random weights stored as `dtype` (a few f16 subnormals among them), and the f32 values the
/// CPU reads from the same bytes.
pub fn weights(rng: &mut ChaCha8Rng, n: usize, dtype: DType) -> (Vec<u8>, Vec<f32>) {
    let mut values = random(rng, n);
    for v in values.iter_mut().step_by(97) {
        *v *= 1e-6; // below f16's smallest normal (6.1e-5)
    }
    let bytes: Vec<u8> = match dtype {
        DType::F32 => f32_bytes(&values),
        DType::F16 => values
            .iter()
            .flat_map(|&v| f16::from_f32(v).to_le_bytes())
            .collect(),
        DType::BF16 => values
            .iter()
            .flat_map(|&v| bf16::from_f32(v).to_le_bytes())
            .collect(),
    };
    let tensor = Tensor {
        shape: vec![n],
        dtype,
        bytes,
    };
    let widened = tensor.to_f32();
    (tensor.bytes, widened)
}

pub fn format(dtype: DType) -> f64 {
    match dtype {
        DType::F32 => 0.0,
        DType::F16 => 1.0,
        DType::BF16 => 2.0,
    }
}

/// Worst error against `atol + rtol·|answer|`; panics at the first index over it. Returns the
/// worst absolute error.
pub fn assert_close(what: &str, got: &[f32], want: &[f32], atol: f32, rtol: f32) -> f32 {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let mut worst = 0.0f32;
    for (i, (&a, &b)) in got.iter().zip(want).enumerate() {
        let err = (a - b).abs();
        assert!(
            err <= atol + rtol * b.abs(),
            "{what}: Failed at index {i}, computed: {a} vs. answer: {b}"
        );
        worst = worst.max(err);
    }
    worst
}

pub fn report(kernel: &str, worst: f32) {
    eprintln!("{kernel:<22} worst error {worst:.2e}");
}

pub const DTYPES: [DType; 3] = [DType::F32, DType::F16, DType::BF16];
