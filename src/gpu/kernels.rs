//! One kernel per file in `shaders/`: the WGSL source, the kind of each binding (in binding
//! order, checked against the WGSL by `tests/gpu_shaders.rs`), and the pipeline, labelled with the
//! file name and specialised by `override` constants. Pipelines are cached by shader and
//! constants, so the layers of a model share them.

use std::collections::HashMap;
use std::sync::Arc;

use super::context::GpuContext;

/// Every shader of the GPU backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shader {
    Embed,
    RmsnormMatvec,
    RmsnormGateUp,
    Matvec,
    Rmsnorm,
    Matmul,
    SiluMul,
    QkNormRope,
    Attention,
    TopkPartial,
    TopkMerge,
}

/// How a shader sees a binding; all are buffers in group 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    Uniform,
    Read,
    ReadWrite,
}

impl Shader {
    pub const ALL: [Shader; 11] = [
        Shader::Embed,
        Shader::RmsnormMatvec,
        Shader::RmsnormGateUp,
        Shader::Matvec,
        Shader::Rmsnorm,
        Shader::Matmul,
        Shader::SiluMul,
        Shader::QkNormRope,
        Shader::Attention,
        Shader::TopkPartial,
        Shader::TopkMerge,
    ];

    /// The file in `shaders/`, which is also the pipeline's label.
    pub fn file(self) -> &'static str {
        match self {
            Shader::Embed => "embed.wgsl",
            Shader::RmsnormMatvec => "rmsnorm_matvec.wgsl",
            Shader::RmsnormGateUp => "rmsnorm_gate_up.wgsl",
            Shader::Matvec => "matvec.wgsl",
            Shader::Rmsnorm => "rmsnorm.wgsl",
            Shader::Matmul => "matmul.wgsl",
            Shader::SiluMul => "silu_mul.wgsl",
            Shader::QkNormRope => "qk_norm_rope.wgsl",
            Shader::Attention => "attention.wgsl",
            Shader::TopkPartial => "topk_partial.wgsl",
            Shader::TopkMerge => "topk_merge.wgsl",
        }
    }

    pub fn source(self) -> &'static str {
        match self {
            Shader::Embed => include_str!("../../shaders/embed.wgsl"),
            Shader::RmsnormMatvec => include_str!("../../shaders/rmsnorm_matvec.wgsl"),
            Shader::RmsnormGateUp => include_str!("../../shaders/rmsnorm_gate_up.wgsl"),
            Shader::Matvec => include_str!("../../shaders/matvec.wgsl"),
            Shader::Rmsnorm => include_str!("../../shaders/rmsnorm.wgsl"),
            Shader::Matmul => include_str!("../../shaders/matmul.wgsl"),
            Shader::SiluMul => include_str!("../../shaders/silu_mul.wgsl"),
            Shader::QkNormRope => include_str!("../../shaders/qk_norm_rope.wgsl"),
            Shader::Attention => include_str!("../../shaders/attention.wgsl"),
            Shader::TopkPartial => include_str!("../../shaders/topk_partial.wgsl"),
            Shader::TopkMerge => include_str!("../../shaders/topk_merge.wgsl"),
        }
    }

    /// Bindings 0, 1, … of group 0, as the WGSL declares them.
    pub fn bindings(self) -> &'static [Binding] {
        use Binding::{Read as R, ReadWrite as W, Uniform as U};
        match self {
            Shader::Embed => &[U, R, W],
            Shader::RmsnormMatvec => &[U, R, R, R, R, W],
            Shader::RmsnormGateUp => &[R, R, R, R, W],
            Shader::Matvec => &[R, R, R, W],
            Shader::Rmsnorm => &[R, R, W],
            Shader::Matmul => &[U, R, R, R, W],
            Shader::SiluMul => &[U, W, R],
            Shader::QkNormRope => &[U, W, R, R, R, W, W],
            Shader::Attention => &[U, R, R, R, W],
            Shader::TopkPartial => &[U, R, W, W],
            Shader::TopkMerge => &[U, R, R, W],
        }
    }
}

/// An `override` constant's value as wgpu takes it (f64, converted to the WGSL type).
pub trait Constant {
    fn value(self) -> f64;
}

impl Constant for usize {
    fn value(self) -> f64 {
        self as f64
    }
}

impl Constant for u32 {
    fn value(self) -> f64 {
        self as f64
    }
}

impl Constant for f32 {
    fn value(self) -> f64 {
        self as f64
    }
}

impl Constant for bool {
    fn value(self) -> f64 {
        if self {
            1.0
        } else {
            0.0
        }
    }
}

/// A shader's `override` constants by name: `constants!(K = hidden, BIAS = true)`.
macro_rules! constants {
    ($($name:ident = $value:expr),* $(,)?) => {
        [$((stringify!($name), $crate::gpu::kernels::Constant::value($value))),*]
    };
}
pub(crate) use constants;

/// A compute pipeline with its bind group layout.
pub struct Kernel {
    pub shader: Shader,
    pub pipeline: wgpu::ComputePipeline,
    pub layout: wgpu::BindGroupLayout,
}

impl Kernel {
    /// Builds the pipeline of `shader` with its `override` constants set.
    pub fn new(
        ctx: &GpuContext,
        module: &wgpu::ShaderModule,
        shader: Shader,
        constants: &[(&str, f64)],
    ) -> Kernel {
        let label = Some(shader.file());
        let entries: Vec<wgpu::BindGroupLayoutEntry> = shader
            .bindings()
            .iter()
            .enumerate()
            .map(|(i, binding)| wgpu::BindGroupLayoutEntry {
                binding: i as u32,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: match binding {
                        Binding::Uniform => wgpu::BufferBindingType::Uniform,
                        Binding::Read => wgpu::BufferBindingType::Storage { read_only: true },
                        Binding::ReadWrite => wgpu::BufferBindingType::Storage { read_only: false },
                    },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            })
            .collect();
        let layout = ctx
            .device
            .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label,
                entries: &entries,
            });
        let pipeline_layout = ctx
            .device
            .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label,
                bind_group_layouts: &[Some(&layout)],
                immediate_size: 0,
            });
        let pipeline = ctx
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label,
                layout: Some(&pipeline_layout),
                module,
                entry_point: Some("main"),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants,
                    // Every shader writes its workgroup memory before reading it.
                    zero_initialize_workgroup_memory: false,
                },
                cache: None,
            });
        Kernel {
            shader,
            pipeline,
            layout,
        }
    }

    /// A bind group of `buffers`, whole, in binding order.
    pub fn bind(
        &self,
        ctx: &GpuContext,
        label: &str,
        buffers: &[&wgpu::Buffer],
    ) -> wgpu::BindGroup {
        assert_eq!(
            buffers.len(),
            self.shader.bindings().len(),
            "{}: wrong number of buffers",
            self.shader.file()
        );
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, buffer)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: buffer.as_entire_binding(),
            })
            .collect();
        ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: &self.layout,
            entries: &entries,
        })
    }
}

/// Shader modules and pipelines made so far, by shader and by (shader, constants).
#[derive(Default)]
pub struct KernelCache {
    modules: HashMap<Shader, wgpu::ShaderModule>,
    kernels: HashMap<String, Arc<Kernel>>,
}

impl KernelCache {
    pub fn get(
        &mut self,
        ctx: &GpuContext,
        shader: Shader,
        constants: &[(&str, f64)],
    ) -> Arc<Kernel> {
        let key = format!("{}{constants:?}", shader.file());
        if let Some(kernel) = self.kernels.get(&key) {
            return kernel.clone();
        }
        let module = self.modules.entry(shader).or_insert_with(|| {
            ctx.device
                .create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(shader.file()),
                    source: wgpu::ShaderSource::Wgsl(shader.source().into()),
                })
        });
        let kernel = Arc::new(Kernel::new(ctx, module, shader, constants));
        self.kernels.insert(key, kernel.clone());
        kernel
    }

    /// Pipelines built (for the load report and tests).
    pub fn len(&self) -> usize {
        self.kernels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kernels.is_empty()
    }
}
