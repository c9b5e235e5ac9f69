//! What the operating system is asked for beyond the standard library: the open-file limit
//! and this machine's name. Unix (Linux, macOS) asks the kernel, Windows asks for its DNS
//! host name; where nothing can be asked these do nothing and name nothing, so the caller's
//! defaults stand.

/// The open-file limit before and after [`raise_open_file_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFiles {
    pub was: u64,
    pub now: u64,
}

/// The most macOS's setrlimit takes for the open-file soft limit: it refuses more than
/// `OPEN_MAX` with EINVAL even when the hard limit is "unlimited", which it usually is.
#[cfg(unix)]
const MACOS_OPEN_MAX: u64 = 10_240;

/// Raises this process's open-file soft limit to its hard limit (macOS: to at most
/// `OPEN_MAX`, 10,240). Every viewer's socket, every take file and the audio device share the
/// one budget; the usual soft limit (1024 on Linux, 256 on macOS) is a small fraction of what
/// the kernel allows. `None` where there is nothing to ask or the kernel refused (the limit
/// stays as it was).
#[cfg(unix)]
pub fn raise_open_file_limit() -> Option<OpenFiles> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    // `None` is "unlimited": nothing to raise.
    let was = limit.current?;
    let target = soft_limit_to_ask(limit.maximum);
    if was >= target {
        return Some(OpenFiles { was, now: was });
    }
    let raised = Rlimit {
        current: Some(target),
        maximum: limit.maximum,
    };
    setrlimit(Resource::Nofile, raised).ok()?;
    Some(OpenFiles { was, now: target })
}

/// The soft limit to ask for, given the hard limit (`None`: unlimited).
#[cfg(unix)]
fn soft_limit_to_ask(hard: Option<u64>) -> u64 {
    let hard = hard.unwrap_or(u64::MAX);
    if cfg!(target_os = "macos") {
        hard.min(MACOS_OPEN_MAX)
    } else {
        hard
    }
}

#[cfg(not(unix))]
pub fn raise_open_file_limit() -> Option<OpenFiles> {
    None
}

/// This machine's host name as the kernel has it (`studio-pc`), lower case; `None` where it
/// cannot be read.
#[cfg(unix)]
pub fn host_name() -> Option<String> {
    let uname = rustix::system::uname();
    clean_name(&uname.nodename().to_string_lossy())
}

/// This machine's DNS host name (`studio-pc`: what other machines reach it by), lower case;
/// `COMPUTERNAME` (the NetBIOS name, at most 15 characters) if Windows cannot say.
#[cfg(windows)]
pub fn host_name() -> Option<String> {
    dns_host_name()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .and_then(|n| clean_name(&n))
}

#[cfg(windows)]
fn dns_host_name() -> Option<String> {
    use windows_sys::Win32::System::SystemInformation::{
        ComputerNameDnsHostname, GetComputerNameExW,
    };
    // A DNS label is at most 63 characters; 256 holds any host name.
    let mut buffer = [0u16; 256];
    let mut len = buffer.len() as u32;
    // SAFETY: `buffer` is writable for `len` UTF-16 units; on success Windows sets `len` to
    // the units written, without the terminating NUL.
    #[allow(unsafe_code)]
    let ok = unsafe { GetComputerNameExW(ComputerNameDnsHostname, buffer.as_mut_ptr(), &mut len) };
    if ok == 0 {
        return None;
    }
    let written = buffer.get(..len as usize)?;
    String::from_utf16(written).ok()
}

#[cfg(not(any(unix, windows)))]
pub fn host_name() -> Option<String> {
    None
}

/// A host name as `Host` headers compare it: trimmed, no trailing dot, lower case.
#[cfg(any(unix, windows))]
fn clean_name(name: &str) -> Option<String> {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_as_hosts_compare_them() {
        assert_eq!(
            clean_name(" Studio-PC.Local.\n").as_deref(),
            Some("studio-pc.local")
        );
        assert_eq!(clean_name(" \n"), None);
    }

    /// The kernel's own record of the name, read another way than uname(2).
    #[cfg(target_os = "linux")]
    #[test]
    fn the_host_name_is_the_kernel_s() {
        let kernel = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        assert_eq!(host_name(), clean_name(&kernel));
    }

    #[cfg(unix)]
    #[test]
    fn the_soft_limit_asked_for_is_the_hard_limit() {
        assert_eq!(soft_limit_to_ask(Some(4096)), 4096);
        let unlimited = if cfg!(target_os = "macos") {
            MACOS_OPEN_MAX
        } else {
            u64::MAX
        };
        assert_eq!(soft_limit_to_ask(None), unlimited);
    }
}
