//! Everything that differs between Linux, Windows and macOS, behind one seam; the rest of the
//! crate is the same code everywhere.
//!
//! | concern | module | Linux | Windows | macOS |
//! |---|---|---|---|---|
//! | audio hosts | [`hosts`] | ALSA, PipeWire, PulseAudio, JACK | WASAPI, ASIO (a build option) | CoreAudio, JACK |
//! | real-time priority | [`realtime`] | SCHED_FIFO, read back from `/proc` | MMCSS "Pro Audio" | CoreAudio's own |
//! | file sync | [`files`] | fsync of the directory | NTFS journals the rename | fsync of the directory |
//! | display | [`display`] | `DISPLAY` / `WAYLAND_DISPLAY` | the desktop | the desktop |
//! | paths | [`paths`] | XDG directories | `%APPDATA%`, `%LOCALAPPDATA%` | `~/Library/Application Support` |
//! | open files | [`limits`] | soft limit raised to the hard | no such limit | raised, at most `OPEN_MAX` |
//! | machine name | [`host_name`] | uname | DNS host name | uname |
//! | console | `console` (Windows only) | — | a GUI exe attaches to its terminal | — |

#[cfg(all(windows, feature = "gui"))]
pub mod console;
pub mod display;
pub mod files;
pub mod host_name;
pub mod hosts;
pub mod limits;
pub mod paths;
pub mod realtime;

pub use host_name::host_name;
pub use limits::{OpenFiles, raise_open_file_limit};
