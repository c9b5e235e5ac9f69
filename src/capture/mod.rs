//! Live capture: cpal devices, the real-time callback, the lock-free ring, the meter thread.
//!
//! - [`source`]: what to meter ([`SourceSpec`]), as the command line and the GUI describe it.
//! - [`session`]: the [`Session`] API (start, readers, commands) and the wiring.
//! - [`callback`]: what runs in the audio callback: convert, count clips, push whole frames.
//! - [`shared`]: the atomics the callback and the meter thread share.
//! - [`worker`]: the meter thread.
//! - [`publish`]: snapshots to any number of non-blocking readers.
//! - [`device`]: cpal hosts, device matching, streams and reconnection.
//! - [`reconnect`]: when a lost stream is dropped and the next one built.
//! - [`devices`]: `gainstage devices`.
//! - [`realtime`]: real-time priority for the callback thread, and what the kernel granted.
//! - [`paced`], [`demo`], [`file`](mod@file): sources that are not devices, driven at real-time pace.

pub mod callback;
pub mod commander;
pub mod demo;
pub mod device;
pub mod devices;
pub mod file;
pub mod paced;
#[cfg(all(feature = "pipewire", target_os = "linux"))]
pub mod pipewire_names;
pub mod publish;
pub mod realtime;
pub mod reconnect;
pub mod session;
pub mod shared;
pub mod source;
pub mod worker;

pub use session::{
    CaptureError, Commander, MeterCommand, Refused, Session, SessionConfig, SnapshotReader,
};
pub use source::{HostKind, SourceKind, SourceSpec};
