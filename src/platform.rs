//! What the operating system is asked for beyond the standard library: the open-file limit
//! and this machine's names. Linux asks the kernel; elsewhere these do nothing and name
//! nothing, so the caller's defaults stand.

/// The open-file limit before and after [`raise_open_file_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFiles {
    pub was: u64,
    pub now: u64,
}

/// Raises this process's open-file soft limit to its hard limit. Every viewer's socket, every
/// take file and the audio device share the one budget; the usual soft limit of 1024 is a
/// small fraction of what the kernel allows. `None` where there is nothing to ask or the
/// kernel refused (the limit stays as it was).
#[cfg(target_os = "linux")]
pub fn raise_open_file_limit() -> Option<OpenFiles> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    // `None` is "unlimited": nothing to raise.
    let was = limit.current?;
    let hard = limit.maximum.unwrap_or(u64::MAX);
    if was >= hard {
        return Some(OpenFiles { was, now: was });
    }
    let raised = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    setrlimit(Resource::Nofile, raised).ok()?;
    Some(OpenFiles { was, now: hard })
}

#[cfg(not(target_os = "linux"))]
pub fn raise_open_file_limit() -> Option<OpenFiles> {
    None
}

/// This machine's host name as the kernel has it (`studio-pc`), lower case; `None` where it
/// cannot be read.
#[cfg(target_os = "linux")]
pub fn host_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    (!name.is_empty()).then_some(name)
}

#[cfg(not(target_os = "linux"))]
pub fn host_name() -> Option<String> {
    None
}
