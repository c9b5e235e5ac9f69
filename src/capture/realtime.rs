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

use crate::platform::realtime::{self as sys, NOT_TRIED, OK, OTHER};
pub use crate::platform::realtime::{PRIORITY, Plan};

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
