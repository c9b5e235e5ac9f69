//! Linux: SCHED_FIFO for the calling thread, and the policy read back from `/proc` (not
//! assumed from the request's result).

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
