//! The open-file limit: Unix (Linux, macOS) asks the kernel for more; Windows has no such
//! per-process limit on sockets and files, so nothing is asked there.

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

#[cfg(all(test, unix))]
mod tests {
    use super::*;

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
