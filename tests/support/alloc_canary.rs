//! Proof that `assert_no_alloc` is live in a test binary: the binary's canary test runs
//! itself again in a child that allocates inside the guard, and the child must die of the
//! guard's abort. A build where the guard is compiled out (its `disable_release` feature
//! without debug assertions) would let every no-alloc test in the binary pass unchecked;
//! there the canary fails.

const CHILD: &str = "GAINSTAGE_TEST_ALLOC_CANARY";

/// The body of the canary test named `test` (pass the test function's own name).
pub fn guard_must_abort(test: &str) {
    if std::env::var_os(CHILD).is_some() {
        let n = assert_no_alloc::assert_no_alloc(|| std::hint::black_box(vec![1u8; 64]).len());
        // Reached only when the guard let the allocation through.
        println!("allocated {n} bytes inside the guard");
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads", "1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("allocated 64 bytes inside the guard"),
        "the guard is not live in this build: {stdout}"
    );
    assert!(
        aborted(out.status),
        "an allocation inside assert_no_alloc must abort: {:?} {stdout}",
        out.status
    );
}

/// SIGABRT: the guard's abort, not some other failure.
#[cfg(unix)]
fn aborted(status: std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(6)
}

/// Rust's abort on Windows is a fail-fast: STATUS_STACK_BUFFER_OVERRUN (0xC0000409).
#[cfg(windows)]
fn aborted(status: std::process::ExitStatus) -> bool {
    status.code() == Some(0xC000_0409_u32 as i32)
}
