//! This machine's name, which the remote server's Host check accepts: the kernel's on Unix,
//! the DNS host name on Windows; `None` where it cannot be read (the caller's defaults stand).

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
}
