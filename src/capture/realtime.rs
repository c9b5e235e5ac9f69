//! Real-time priority for the capture callback: ask the system for it on the callback's first
//! call where the thread is ours to promote, and report what the thread actually runs at.
//!
//! Linux: SCHED_FIFO, read back from `/proc` (not assumed from the request's result).
//! Windows: MMCSS's "Pro Audio" task (`AvSetMmThreadCharacteristicsW`, what the Windows audio
//! stack's own clients ask for; cpal asks for nothing unless built with its `realtime`
//! feature), with the thread's priority read back. Elsewhere (macOS: CoreAudio's I/O thread
//! is real-time already) nothing is asked and nothing is reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use serde::Serialize;

/// SCHED_FIFO priority asked for: below the sound servers' own threads (PipeWire's data loop
/// asks for 88, JACK for its `-P`, 70 or more on studio setups) so the meter never preempts
/// the audio it meters, above every ordinary thread.
pub const PRIORITY: u8 = 40;

/// What to do about the callback thread of one kind of stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Ask for SCHED_FIFO at [`PRIORITY`] on the first callback.
    Promote,
    /// The server owns the thread and its priority: only report it; the text says who.
    Observe(&'static str),
    /// Deliberately not asked; the text says why.
    Skip(&'static str),
}

/// What the kernel runs the callback thread at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Realtime {
    /// The thread runs under a real-time policy (SCHED_FIFO or SCHED_RR).
    pub granted: bool,
    /// Its policy as the kernel reports it now ("SCHED_FIFO", "SCHED_OTHER", ...).
    pub policy: String,
    /// Its real-time priority (0 under non-real-time policies).
    pub priority: u32,
    /// The callback thread's kernel id (what `chrt -p` takes).
    pub thread_id: i32,
    /// Why it is not real-time; `None` when granted.
    pub why: Option<String>,
}

impl Realtime {
    /// "real-time (SCHED_FIFO 40)" or "not real-time: why", for status lines.
    pub fn describe(&self) -> String {
        match &self.why {
            None => format!("real-time ({} {})", self.policy, self.priority),
            Some(why) => format!("not real-time: {why}"),
        }
    }
}

/// Not asked yet (the callback has not run).
const NOT_TRIED: i32 = -1;
/// Asked and granted.
const OK: i32 = 0;
/// Refused for a reason that is not an errno (a priority outside the policy's range).
const OTHER: i32 = -2;

/// What the callback leaves for readers: its thread id and the request's result. Atomics only.
#[derive(Debug)]
pub struct Slot {
    plan: Plan,
    /// 0 until the first callback has made its request.
    thread_id: AtomicI32,
    /// [`NOT_TRIED`], [`OK`], [`OTHER`] or the errno of the refusal.
    result: AtomicI32,
}

impl Slot {
    pub fn new(plan: Plan) -> Arc<Self> {
        Arc::new(Self {
            plan,
            thread_id: AtomicI32::new(0),
            result: AtomicI32::new(NOT_TRIED),
        })
    }

    pub fn plan(&self) -> Plan {
        self.plan
    }

    /// The callback thread as it runs now, once the first callback has run; `None` before,
    /// after the thread has ended, and on systems without `/proc`.
    pub fn report(&self) -> Option<Realtime> {
        let thread_id = self.thread_id.load(Ordering::Acquire);
        if thread_id == 0 {
            return None;
        }
        let result = self.result.load(Ordering::Acquire);
        let (granted, policy, priority) = sys::read(thread_id, result)?;
        let why = (!granted).then(|| match self.plan {
            Plan::Skip(why) | Plan::Observe(why) => why.to_owned(),
            Plan::Promote => refusal(result),
        });
        Some(Realtime {
            granted,
            policy,
            priority,
            thread_id,
            why,
        })
    }
}

fn refusal(result: i32) -> String {
    match result {
        OK => "granted, then taken back by someone else".to_owned(),
        OTHER => sys::other_refusal(),
        NOT_TRIED => "not asked yet".to_owned(),
        errno => sys::explain(errno),
    }
}

/// Lives in the audio callback: on the first call records the thread and, if the plan says
/// so, asks for real-time priority. Later calls cost one branch.
#[derive(Debug)]
pub struct Promoter {
    slot: Arc<Slot>,
    done: bool,
}

impl Promoter {
    pub fn new(slot: Arc<Slot>) -> Self {
        Self { slot, done: false }
    }

    /// Call at the top of every callback. The first call makes one request (Linux:
    /// `sched_setscheduler`, a system call that does not block or allocate; Windows: the
    /// MMCSS registration every pro-audio client makes on its audio thread) and stores its
    /// result.
    #[inline]
    pub fn on_callback(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        let result = if self.slot.plan == Plan::Promote {
            sys::promote_current()
        } else {
            NOT_TRIED
        };
        self.slot.result.store(result, Ordering::Release);
        // Last: a reader that sees the thread id also sees the result.
        self.slot
            .thread_id
            .store(sys::current_thread_id(), Ordering::Release);
    }
}

/// What a capture callback would get on this system now: one short-lived thread makes the
/// very request the callback makes and reports what the system granted it. `None` where
/// there is no way to tell (neither Linux nor Windows).
pub fn probe() -> Option<Realtime> {
    let handle = std::thread::Builder::new()
        .name("gainstage-rt-probe".into())
        .spawn(|| {
            let slot = Slot::new(Plan::Promote);
            Promoter::new(Arc::clone(&slot)).on_callback();
            slot.report()
        })
        .ok()?;
    handle.join().ok().flatten()
}

#[cfg(target_os = "linux")]
mod sys {
    use thread_priority::{
        RealtimeThreadSchedulePolicy, ThreadPriority, ThreadPriorityValue, ThreadSchedulePolicy,
    };

    use super::{OK, OTHER, PRIORITY};

    pub const SCHED_FIFO: u32 = 1;
    pub const SCHED_RR: u32 = 2;

    pub fn other_refusal() -> String {
        format!("refused: priority {PRIORITY} is outside SCHED_FIFO's range here")
    }

    /// Whether the thread runs real-time, its policy's name and its priority, as the kernel
    /// reports them now; `None` once the thread has ended.
    pub fn read(thread_id: i32, _result: i32) -> Option<(bool, String, u32)> {
        let (policy, priority) = read_sched(thread_id)?;
        let granted = policy == SCHED_FIFO || policy == SCHED_RR;
        Some((granted, policy_name(policy), priority))
    }

    pub fn policy_name(policy: u32) -> String {
        match policy {
            0 => "SCHED_OTHER",
            1 => "SCHED_FIFO",
            2 => "SCHED_RR",
            3 => "SCHED_BATCH",
            5 => "SCHED_IDLE",
            6 => "SCHED_DEADLINE",
            _ => return format!("policy {policy}"),
        }
        .to_owned()
    }

    pub fn current_thread_id() -> i32 {
        rustix::thread::gettid().as_raw_nonzero().get()
    }

    /// SCHED_FIFO at [`PRIORITY`] for the calling thread: [`OK`] or why not.
    pub fn promote_current() -> i32 {
        let Ok(value) = ThreadPriorityValue::try_from(PRIORITY) else {
            return OTHER;
        };
        match thread_priority::set_thread_priority_and_policy(
            thread_priority::thread_native_id(),
            ThreadPriority::Crossplatform(value),
            ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::Fifo),
        ) {
            Ok(()) => OK,
            Err(thread_priority::Error::OS(errno)) if errno > 0 => errno,
            Err(_) => OTHER,
        }
    }

    /// Policy and real-time priority of one of this process's threads, from
    /// `/proc/self/task/TID/stat` (fields 41 and 40, counted after the command name, which
    /// may itself hold spaces and parentheses).
    pub fn read_sched(thread_id: i32) -> Option<(u32, u32)> {
        let stat = std::fs::read_to_string(format!("/proc/self/task/{thread_id}/stat")).ok()?;
        parse_stat(&stat)
    }

    pub fn parse_stat(stat: &str) -> Option<(u32, u32)> {
        let after_name = &stat[stat.rfind(')')? + 1..];
        // The first field after the name is field 3 (state).
        let mut fields = after_name.split_whitespace().skip(40 - 3);
        let priority = fields.next()?.parse().ok()?;
        let policy = fields.next()?.parse().ok()?;
        Some((policy, priority))
    }

    pub fn explain(errno: i32) -> String {
        if errno == rustix::io::Errno::PERM.raw_os_error() {
            let limit = rustix::process::getrlimit(rustix::process::Resource::Rtprio)
                .current
                .map_or_else(|| "unlimited".to_owned(), |n| n.to_string());
            format!(
                "refused by the system (RLIMIT_RTPRIO {limit}, no CAP_SYS_NICE): give the user an \
                 rtprio limit (e.g. `@audio - rtprio 95` in /etc/security/limits.d/ and join the \
                 audio group) or run gainstage with CAP_SYS_NICE"
            )
        } else {
            format!("refused: {}", std::io::Error::from_raw_os_error(errno))
        }
    }
}

#[cfg(windows)]
mod sys {
    use windows_sys::Win32::Foundation::{CloseHandle, GetLastError};
    use windows_sys::Win32::System::Threading::{
        AvSetMmThreadCharacteristicsW, GetCurrentThreadId, GetThreadPriority, OpenThread,
        THREAD_QUERY_LIMITED_INFORMATION,
    };

    use super::{OK, OTHER};

    /// The MMCSS task audio applications register their audio threads with (its settings are
    /// under HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Multimedia\SystemProfile\Tasks).
    const TASK: &str = "Pro Audio";
    const TASK_UTF16: [u16; TASK.len() + 1] = utf16z();

    /// `TASK` as a NUL-terminated UTF-16 string (it is ASCII).
    const fn utf16z() -> [u16; TASK.len() + 1] {
        let bytes = TASK.as_bytes();
        let mut out = [0u16; TASK.len() + 1];
        let mut i = 0;
        while i < bytes.len() {
            out[i] = bytes[i] as u16;
            i += 1;
        }
        out
    }

    /// `GetThreadPriority`'s failure value.
    const PRIORITY_ERROR: i32 = i32::MAX;

    pub fn other_refusal() -> String {
        "refused: MMCSS gave no reason".to_owned()
    }

    pub fn current_thread_id() -> i32 {
        // SAFETY: no arguments, no memory.
        #[allow(unsafe_code)]
        let id = unsafe { GetCurrentThreadId() };
        // Thread ids are multiples of 4 below 2^31 in practice; 0 means "not recorded".
        i32::try_from(id).unwrap_or(0)
    }

    /// Registers the calling thread with MMCSS's "Pro Audio" task: [`OK`] or the error code.
    /// The registration lasts as long as the thread (it ends with the stream).
    pub fn promote_current() -> i32 {
        let mut task_index = 0u32;
        // SAFETY: TASK_UTF16 is NUL-terminated and static; task_index outlives the call.
        #[allow(unsafe_code)]
        let handle = unsafe { AvSetMmThreadCharacteristicsW(TASK_UTF16.as_ptr(), &mut task_index) };
        if !handle.is_null() {
            return OK;
        }
        // SAFETY: no arguments, no memory.
        #[allow(unsafe_code)]
        let code = unsafe { GetLastError() };
        i32::try_from(code).ok().filter(|c| *c > 0).unwrap_or(OTHER)
    }

    /// Whether the thread is registered with MMCSS (the request's result: Windows has no
    /// query for it), its policy and its scheduling priority read back from the thread now;
    /// `None` once the thread has ended.
    pub fn read(thread_id: i32, result: i32) -> Option<(bool, String, u32)> {
        let id = u32::try_from(thread_id).ok()?;
        // SAFETY: OpenThread takes plain values; the handle it returns is closed below.
        #[allow(unsafe_code)]
        let handle = unsafe { OpenThread(THREAD_QUERY_LIMITED_INFORMATION, 0, id) };
        if handle.is_null() {
            return None;
        }
        // SAFETY: handle is a live thread handle opened above with query rights.
        #[allow(unsafe_code)]
        let priority = unsafe {
            let p = GetThreadPriority(handle);
            CloseHandle(handle);
            p
        };
        if priority == PRIORITY_ERROR {
            return None;
        }
        let granted = result == OK;
        let policy = if granted {
            format!("MMCSS {TASK}, thread priority")
        } else {
            "normal, thread priority".to_owned()
        };
        Some((granted, policy, u32::try_from(priority).unwrap_or(0)))
    }

    pub fn explain(code: i32) -> String {
        format!(
            "MMCSS refused the \"{TASK}\" task: {}",
            std::io::Error::from_raw_os_error(code)
        )
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
mod sys {
    use super::NOT_TRIED;

    pub fn other_refusal() -> String {
        "refused".to_owned()
    }

    pub fn current_thread_id() -> i32 {
        0
    }
    pub fn promote_current() -> i32 {
        NOT_TRIED
    }
    pub fn read(_thread_id: i32, _result: i32) -> Option<(bool, String, u32)> {
        None
    }
    pub fn explain(errno: i32) -> String {
        format!("refused: {}", std::io::Error::from_raw_os_error(errno))
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_last_parenthesis() {
        // A thread named "a) b" at SCHED_FIFO (1) priority 40: fields 40 and 41.
        let mut fields: Vec<String> = (3..=52).map(|n| n.to_string()).collect();
        fields[40 - 3] = "40".into();
        fields[41 - 3] = "1".into();
        let stat = format!("1234 (a) b) {}", fields.join(" "));
        assert_eq!(sys::parse_stat(&stat), Some((1, 40)));
    }

    #[test]
    fn report_matches_the_kernel_for_this_thread() {
        let slot = Slot::new(Plan::Skip("test"));
        let on_thread = std::thread::spawn({
            let slot = Arc::clone(&slot);
            move || {
                Promoter::new(Arc::clone(&slot)).on_callback();
                slot.report()
            }
        })
        .join()
        .unwrap()
        .unwrap();
        assert!(!on_thread.granted);
        assert_eq!(on_thread.policy, "SCHED_OTHER");
        assert_eq!(on_thread.why.as_deref(), Some("test"));
        // The thread has ended: nothing to report.
        assert_eq!(slot.report(), None);
    }
}
