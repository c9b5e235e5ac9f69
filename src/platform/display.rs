//! Whether a window can be opened here at all, asked before any window library starts (which
//! would fail with a panic or a cryptic error on a machine without a desktop).

/// Whether the environment names a display a window could open on. Windows and macOS always
/// have their one desktop (a service without one fails to open the window, and says so).
#[cfg(not(any(windows, target_os = "macos")))]
pub fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
}

#[cfg(any(windows, target_os = "macos"))]
pub fn has_display() -> bool {
    true
}
