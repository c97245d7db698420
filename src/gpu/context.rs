//! The device the GPU backend runs on: instance → adapter → device and queue, with the limits this
//! engine depends on read and checked; and the one asynchronous wait it needs, for a readback.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use crate::error::{Error, Result};

/// How to get an adapter where there is none: said by every `NoGpuAdapter` error.
const HOW_TO_GET_ONE: &str =
    "on Linux without a GPU, install Mesa's Vulkan drivers, whose lavapipe \
     runs Vulkan on the CPU (`apt-get install mesa-vulkan-drivers`); in a browser, use one with \
     WebGPU enabled; or run with `--backend cpu`";

/// The smallest limits the shaders in `shaders/` need (the WebGPU defaults give them all).
const NEEDED_STORAGE_BUFFERS: u32 = 6;
const NEEDED_INVOCATIONS: u32 = 256;
const NEEDED_WORKGROUP_STORAGE: u32 = 4 * 1024;

pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    /// What the device was granted: the adapter's own limits, so large models get the largest
    /// bindings the hardware allows rather than WebGPU's 128 MiB default.
    pub limits: wgpu::Limits,
    pub info: wgpu::AdapterInfo,
}

impl GpuContext {
    /// The best adapter available (a discrete GPU before an integrated one before a software one).
    pub async fn new() -> Result<GpuContext> {
        GpuContext::with_binding_limit(None).await
    }

    /// As `new`, with `maxStorageBufferBindingSize` lowered to `binding_limit` when given (so a
    /// test can make a small model too large for it).
    pub async fn with_binding_limit(binding_limit: Option<u64>) -> Result<GpuContext> {
        // 1. Instance: the backends compiled in — Vulkan on native, the browser's WebGPU on wasm.
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        // 2. Adapter.
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| Error::NoGpuAdapter {
                reason: format!("{e}; {HOW_TO_GET_ONE}"),
            })?;
        let info = adapter.get_info();
        let mut limits = adapter.limits();
        check_limits(&limits, &info)?;
        if let Some(limit) = binding_limit {
            limits.max_storage_buffer_binding_size =
                limits.max_storage_buffer_binding_size.min(limit);
        }
        // 3. Device and queue, asking for everything the adapter offers.
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("tiny-reasoner"),
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| Error::Gpu {
                reason: format!("{}: cannot open the device: {e}", info.name),
            })?;
        Ok(GpuContext {
            device,
            queue,
            limits,
            info,
        })
    }

    /// A software rasteriser (lavapipe, SwiftShader): exact, but slower than the CPU backend.
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    /// "name (backend, type)", for logs and the bench report.
    pub fn describe(&self) -> String {
        format!(
            "{} ({:?}, {:?})",
            self.info.name, self.info.backend, self.info.device_type
        )
    }

    /// The first `size` bytes of `buffer` (MAP_READ), once the GPU has written them. Awaited
    /// rather than blocked on, because a browser forbids blocking: there the page's event loop
    /// completes the mapping; on native, polling the device does.
    pub async fn read(&self, buffer: &wgpu::Buffer, size: u64) -> Result<Vec<u8>> {
        let slice = buffer.slice(..size);
        let (sender, receiver) = oneshot();
        slice.map_async(wgpu::MapMode::Read, move |mapped| sender.send(mapped));
        #[cfg(not(target_arch = "wasm32"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| self.error("waiting for the GPU", e))?;
        receiver
            .await
            .map_err(|e| self.error("mapping the readback buffer", e))?;
        let bytes = slice
            .get_mapped_range()
            .map_err(|e| self.error("reading the readback buffer", e))?
            .to_vec();
        buffer.unmap();
        Ok(bytes)
    }

    pub fn error(&self, doing: &str, e: impl std::fmt::Display) -> Error {
        Error::Gpu {
            reason: format!("{}: {doing}: {e}", self.info.name),
        }
    }
}

/// Refuses an adapter below what the shaders were written for, naming the limit.
fn check_limits(limits: &wgpu::Limits, info: &wgpu::AdapterInfo) -> Result<()> {
    let checks = [
        (
            "maxStorageBuffersPerShaderStage",
            limits.max_storage_buffers_per_shader_stage,
            NEEDED_STORAGE_BUFFERS,
        ),
        (
            "maxComputeInvocationsPerWorkgroup",
            limits.max_compute_invocations_per_workgroup,
            NEEDED_INVOCATIONS,
        ),
        (
            "maxComputeWorkgroupSizeX",
            limits.max_compute_workgroup_size_x,
            NEEDED_INVOCATIONS,
        ),
        (
            "maxComputeWorkgroupStorageSize",
            limits.max_compute_workgroup_storage_size,
            NEEDED_WORKGROUP_STORAGE,
        ),
    ];
    for (name, has, needs) in checks {
        if has < needs {
            return Err(Error::NoGpuAdapter {
                reason: format!(
                    "{} allows {name} = {has}, the shaders need {needs}; {HOW_TO_GET_ONE}",
                    info.name
                ),
            });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A one-shot channel whose receiver is a future: the map_async callback sends, the forward pass
// awaits. Neither side blocks, so it works in a browser (unlike std::sync::mpsc).

struct Slot<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

struct Sender<T>(Arc<Mutex<Slot<T>>>);
struct Receiver<T>(Arc<Mutex<Slot<T>>>);

fn oneshot<T>() -> (Sender<T>, Receiver<T>) {
    let slot = Arc::new(Mutex::new(Slot {
        value: None,
        waker: None,
    }));
    (Sender(slot.clone()), Receiver(slot))
}

impl<T> Sender<T> {
    fn send(self, value: T) {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        slot.value = Some(value);
        if let Some(waker) = slot.waker.take() {
            waker.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match slot.value.take() {
            Some(value) => Poll::Ready(value),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
