//! Windows: MMCSS's "Pro Audio" task for the calling thread, what the Windows audio stack's
//! own clients ask for, and the thread's priority read back.

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
