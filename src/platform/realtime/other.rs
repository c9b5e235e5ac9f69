//! Elsewhere (macOS: CoreAudio's I/O thread is real-time already) nothing is asked and
//! nothing can be read back.

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
