//! Hostile files found while fuzzing the readers: a WAV header may claim any channel count up
//! to 65535, and both WAV paths must refuse what they cannot meter with the file's own count,
//! before sizing anything by it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

#[path = "support/cli.rs"]
mod cli;

use gainstage::analyze::file::{AnalyzeOptions, analyze_file};

/// A PCM WAV of `frames` silent frames of `channels` 8-bit channels, written byte by byte
/// (WAV writers refuse such counts, which is the point).
fn wide_wav(path: &Path, channels: u16, frames: u32) {
    let align = u32::from(channels);
    let data = vec![128u8; (align * frames) as usize];
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&1u16.to_le_bytes()); // PCM
    fmt.extend_from_slice(&channels.to_le_bytes());
    fmt.extend_from_slice(&48_000u32.to_le_bytes());
    fmt.extend_from_slice(&(48_000 * align).to_le_bytes());
    fmt.extend_from_slice(&(align as u16).to_le_bytes());
    fmt.extend_from_slice(&8u16.to_le_bytes());
    let mut body = b"WAVE".to_vec();
    body.extend_from_slice(b"fmt ");
    body.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    body.extend_from_slice(&fmt);
    body.extend_from_slice(b"data");
    body.extend_from_slice(&(data.len() as u32).to_le_bytes());
    body.extend_from_slice(&data);
    let mut wav = b"RIFF".to_vec();
    wav.extend_from_slice(&(body.len() as u32).to_le_bytes());
    wav.extend_from_slice(&body);
    std::fs::write(path, wav).unwrap();
}

#[test]
fn analyze_names_the_files_channel_count_when_it_is_too_many() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.wav");
    wide_wav(&path, 65_535, 4);
    for threads in [1, 2, 3] {
        let opts = AnalyzeOptions {
            threads,
            ..AnalyzeOptions::default()
        };
        let err = analyze_file(&path, &opts).unwrap_err().to_string();
        // Split between threads, each bank used to report its share (32768 with two).
        assert!(
            err.contains("unsupported channel count 65535 (1 to 1024)"),
            "{threads} threads: {err}"
        );
    }
}

#[test]
fn monitor_refuses_a_wav_with_too_many_channels_before_sizing_its_ring() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.wav");
    wide_wav(&path, 65_535, 4);
    // Under an address-space limit, as in a container or with strict overcommit: a ring of one
    // second of 65535 channels (12.8 GB) fails to allocate and aborts the process.
    let mut sh = Command::new("sh");
    cli::isolate(&mut sh, dir.path());
    let out = sh
        .arg("-c")
        .arg(r#"ulimit -v 4000000 && exec "$0" monitor --file "$1" --json"#)
        .arg(env!("CARGO_BIN_EXE_gainstage"))
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot meter this source: unsupported channel count 65535 (1 to 1024)"),
        "{stderr}"
    );
}
