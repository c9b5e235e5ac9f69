//! Which renderer draws the GUI: the GPU (wgpu) where there is a real one, the software
//! renderer (tiny-skia) where there is none or the only adapter is itself software (Mesa's
//! llvmpipe or lavapipe, SwiftShader), which draws this GUI at a higher cost than tiny-skia.
//! `ICED_BACKEND` (`wgpu` or `tiny-skia`) still forces either.
//!
//! iced picks its renderer from `ICED_BACKEND` alone, trying wgpu first. So the choice is made
//! before iced starts: the adapter wgpu would take is asked for, and where it is a software
//! one the process starts itself again with `ICED_BACKEND=tiny-skia`.

/// The environment variable iced reads to pick its renderer.
pub const BACKEND_VAR: &str = "ICED_BACKEND";
/// Set for the restarted process: why it runs on the software renderer.
const WHY_VAR: &str = "GAINSTAGE_RENDERER_WHY";

/// What draws the GUI, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renderer {
    /// `ICED_BACKEND` named it.
    Forced(String),
    /// The GPU adapter wgpu found (its name and driver).
    Gpu(String),
    /// tiny-skia, and why not the GPU.
    Software(String),
}

impl Renderer {
    /// One line for the help panel and the log.
    pub fn describe(&self) -> String {
        match self {
            Renderer::Forced(name) => format!("{name} (set by {BACKEND_VAR})"),
            Renderer::Gpu(adapter) => format!("wgpu on {adapter}"),
            Renderer::Software(why) => format!("tiny-skia, software ({why})"),
        }
    }

    /// Whether the software renderer draws.
    pub fn is_software(&self) -> bool {
        match self {
            Renderer::Forced(name) => name.trim() == "tiny-skia",
            Renderer::Gpu(_) => false,
            Renderer::Software(_) => true,
        }
    }
}

/// Names of adapters that are software renderers whatever type they report.
const SOFTWARE_ADAPTERS: [&str; 4] = ["llvmpipe", "lavapipe", "softpipe", "swiftshader"];

/// Whether an adapter of this type and name renders in software.
pub fn is_software_adapter(cpu: bool, name: &str) -> bool {
    let name = name.to_lowercase();
    cpu || SOFTWARE_ADAPTERS.iter().any(|s| name.contains(s))
}

/// The renderer this process will draw with, asking wgpu for its adapter where the choice is
/// ours. Read once, before iced starts.
pub fn choose() -> Renderer {
    if let Ok(why) = std::env::var(WHY_VAR)
        && std::env::var(BACKEND_VAR).as_deref() == Ok("tiny-skia")
    {
        return Renderer::Software(why);
    }
    if let Ok(name) = std::env::var(BACKEND_VAR)
        && !name.trim().is_empty()
    {
        return Renderer::Forced(name);
    }
    probe()
}

#[cfg(feature = "gpu")]
fn probe() -> Renderer {
    // A desktop session always has a runtime directory. Without one (a bare X server, ssh, a
    // container) Mesa's Vulkan loader prints "XDG_RUNTIME_DIR is invalid" on stderr twice,
    // where the one-line errors belong, and there is no GPU session to draw on anyway.
    #[cfg(target_os = "linux")]
    if std::env::var_os("XDG_RUNTIME_DIR").is_none_or(|d| !std::path::Path::new(&d).is_dir()) {
        return Renderer::Software("no desktop session: XDG_RUNTIME_DIR is not set".into());
    }
    // Vulkan, Metal or DX12 only: a GPU whose only driver is OpenGL is old enough that
    // tiny-skia serves it as well, and Mesa's EGL complains on stderr where it finds no
    // session (no XDG_RUNTIME_DIR), which stderr's one-line errors must not carry.
    let instance = wgpu::Instance::new(&wgpu::InstanceDescriptor {
        backends: wgpu::Backends::from_env().unwrap_or(wgpu::Backends::PRIMARY),
        ..Default::default()
    });
    let options = wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::from_env()
            .unwrap_or(wgpu::PowerPreference::HighPerformance),
        force_fallback_adapter: false,
        compatible_surface: None,
    };
    // wgpu's native adapter request completes at once; a one-thread runtime of the tokio the
    // program already links polls it (the `futures` executor is not in every platform's build).
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().build() else {
        return Renderer::Software("could not poll the GPU adapter request".into());
    };
    match runtime.block_on(instance.request_adapter(&options)) {
        Ok(adapter) => {
            let info = adapter.get_info();
            let name = format!("{} ({:?}, {})", info.name, info.backend, info.driver);
            if is_software_adapter(info.device_type == wgpu::DeviceType::Cpu, &info.name) {
                Renderer::Software(format!("the only GPU adapter is {name}"))
            } else {
                Renderer::Gpu(name)
            }
        }
        Err(_) => Renderer::Software("no GPU adapter".into()),
    }
}

#[cfg(not(feature = "gpu"))]
fn probe() -> Renderer {
    Renderer::Software("built without the GPU renderer".into())
}

/// Where the GPU's adapter is software and `ICED_BACKEND` is unset, starts this program again
/// on tiny-skia (iced reads its choice from the environment only). Returns only when it did
/// not: the renderer to report, or why starting again failed (the GUI then runs on what iced
/// picks).
pub fn settle(choice: Renderer) -> Renderer {
    #[cfg(all(unix, feature = "gpu"))]
    if let Renderer::Software(why) = &choice
        && std::env::var_os(BACKEND_VAR).is_none()
    {
        use std::os::unix::process::CommandExt;
        let Ok(exe) = std::env::current_exe() else {
            return choice;
        };
        let err = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(BACKEND_VAR, "tiny-skia")
            .env(WHY_VAR, why)
            .exec();
        return Renderer::Software(format!("{why}; starting again on tiny-skia failed: {err}"));
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mesa_and_swiftshader_adapters_count_as_software() {
        assert!(is_software_adapter(
            false,
            "llvmpipe (LLVM 15.0.6, 256 bits)"
        ));
        assert!(is_software_adapter(
            false,
            "Vulkan: lavapipe (LLVM 19.1.7, 256 bits)"
        ));
        assert!(is_software_adapter(true, "Some CPU device"));
        assert!(!is_software_adapter(
            false,
            "AMD Radeon RX 6600 (RADV NAVI23)"
        ));
        assert!(!is_software_adapter(false, "NVIDIA GeForce RTX 3060"));
    }

    #[test]
    fn a_forced_renderer_says_so() {
        let r = Renderer::Forced("tiny-skia".into());
        assert!(r.is_software());
        assert!(r.describe().contains(BACKEND_VAR));
        assert!(!Renderer::Gpu("x".into()).is_software());
    }
}
