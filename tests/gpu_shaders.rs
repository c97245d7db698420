//! Every shader in `shaders/` parses and validates with naga (the WGSL front end wgpu uses), is a
//! kernel of `gpu::kernels`, and declares exactly the bindings the Rust side binds to it. No GPU
//! needed: these run everywhere.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use tiny_reasoner::gpu::kernels::{Binding, Shader};

fn parse(shader: Shader) -> naga::Module {
    naga::front::wgsl::parse_str(shader.source()).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.emit_to_string_with_path(shader.source(), shader.file())
        )
    })
}

#[test]
fn every_shader_parses_and_validates() {
    for shader in Shader::ALL {
        let module = parse(shader);
        // The one capability the shaders use: `unpack2x16float`, core WGSL, which wgpu grants on
        // every Vulkan and WebGPU device (only some GL ES devices lack it).
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::SHADER_FLOAT16_IN_FLOAT32,
        )
        .validate(&module)
        .unwrap_or_else(|e| {
            panic!(
                "{}",
                e.emit_to_string_with_path(shader.source(), shader.file())
            )
        });
    }
}

#[test]
fn every_file_in_shaders_is_a_kernel() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".wgsl"))
        .collect();
    files.sort();
    let mut kernels: Vec<String> = Shader::ALL.iter().map(|s| s.file().to_string()).collect();
    kernels.sort();
    assert_eq!(
        files, kernels,
        "shaders/*.wgsl against gpu::kernels::Shader::ALL"
    );
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for file in &files {
        assert!(
            readme.contains(file.as_str()),
            "shaders/README.md does not describe {file}"
        );
    }
}

#[test]
fn bindings_match_the_rust_table() {
    for shader in Shader::ALL {
        let module = parse(shader);
        let mut declared: Vec<(u32, Binding)> = module
            .global_variables
            .iter()
            .filter_map(|(_, var)| {
                let binding = var.binding.as_ref()?;
                assert_eq!(
                    binding.group,
                    0,
                    "{}: everything is in group 0",
                    shader.file()
                );
                let kind = match var.space {
                    naga::AddressSpace::Uniform => Binding::Uniform,
                    naga::AddressSpace::Storage { access } => {
                        if access.contains(naga::StorageAccess::STORE) {
                            Binding::ReadWrite
                        } else {
                            Binding::Read
                        }
                    }
                    other => panic!("{}: unexpected address space {other:?}", shader.file()),
                };
                Some((binding.binding, kind))
            })
            .collect();
        declared.sort_by_key(|d| d.0);
        let expected: Vec<(u32, Binding)> = shader
            .bindings()
            .iter()
            .enumerate()
            .map(|(i, &b)| (i as u32, b))
            .collect();
        assert_eq!(declared, expected, "{}: bindings", shader.file());
    }
}

/// The helpers that widen 16-bit weights are copied into each shader that reads weights (WGSL has
/// no includes); they must stay identical.
#[test]
fn weight_helpers_are_the_same_everywhere() {
    let helpers = |source: &str| -> Option<String> {
        let start = source.find("fn word_of(")?;
        let end = start + source[start..].find("\n}\n")? + 3;
        let unpack_end = end + source[end..].find("\n}\n")? + 3;
        Some(source[start..unpack_end].to_string())
    };
    let reference = helpers(Shader::Embed.source()).expect("embed.wgsl has the helpers");
    for shader in Shader::ALL {
        if shader.source().contains("array<u32>;") && shader.source().contains("FORMAT") {
            assert_eq!(
                helpers(shader.source()).as_deref(),
                Some(reference.as_str()),
                "{}: word_of / unpack differ from embed.wgsl",
                shader.file()
            );
        }
    }
}
