//! Asking for real-time scheduling of the calling thread, and reading back what the system
//! runs a thread at: the operating system's half of [`crate::capture::realtime`], which
//! decides when to ask and reports it.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(not(any(target_os = "linux", windows)))]
mod other;
#[cfg(windows)]
mod windows;

#[cfg(target_os = "linux")]
pub use linux::*;
#[cfg(not(any(target_os = "linux", windows)))]
pub use other::*;
#[cfg(windows)]
pub use windows::*;

/// SCHED_FIFO priority asked for: below the sound servers' own threads (PipeWire's data loop
/// asks for 88, JACK for its `-P`, 70 or more on studio setups) so the meter never preempts
/// the audio it meters, above every ordinary thread.
pub const PRIORITY: u8 = 40;

/// A request's result, kept in an atomic: not asked yet (the callback has not run).
pub const NOT_TRIED: i32 = -1;
/// Asked and granted.
pub const OK: i32 = 0;
/// Refused for a reason that is not an errno (a priority outside the policy's range).
pub const OTHER: i32 = -2;

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
