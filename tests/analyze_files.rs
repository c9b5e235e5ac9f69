//! `analyze_file` on WAV files written here: exact clip and over counts per format, channel
//! alignment through the decoder, and malformed input that must fail cleanly, never panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::f64::consts::PI;
use std::path::{Path, PathBuf};

use gainstage::analyze::{AnalyzeOptions, analyze_file};
use gainstage::file_report::FileReport;
use hound::{SampleFormat, WavSpec, WavWriter};

const RATE: u32 = 48_000;
/// Repeats of the clip pattern in each file.
const REPEATS: u64 = 500;

fn spec(channels: u16, bits: u16, float: bool) -> WavSpec {
    WavSpec {
        channels,
        sample_rate: RATE,
        bits_per_sample: bits,
        sample_format: if float {
            SampleFormat::Float
        } else {
            SampleFormat::Int
        },
    }
}

/// Integer codes around full scale: 7 clipped samples in runs of 1, 1, 3 and 2; the codes one
/// inside full scale (positive and negative) appear and are not clips.
fn int_pattern(bits: u32) -> Vec<i32> {
    let full = 1i64 << (bits - 1);
    let max = (full - 1) as i32;
    let min = (-full) as i32;
    vec![
        0,
        max,
        0,
        min,
        max - 1,
        min + 1,
        max,
        max,
        max,
        0,
        min,
        min,
        0,
        100,
    ]
}

fn float_pattern() -> Vec<f32> {
    // Float files clip at one 16-bit step below full scale; a 16-bit code under that level
    // (32766/32768) is the float twin of the integer pattern's `max - 1`.
    let below = 32766.0 / 32768.0;
    vec![
        0.0, 1.0, 0.0, -1.0, below, -below, 1.5, 1.0, 1.0, 0.0, -1.0, -2.0, 0.0, 0.1,
    ]
}
const PATTERN_CLIPS: u64 = 7;
const PATTERN_OVERS_LEN1: u64 = 4;
const PATTERN_OVERS_LEN2: u64 = 2;
const PATTERN_OVERS_LEN3: u64 = 1;

/// Writes a stereo file: channel 1 quiet, channel 2 the pattern repeated; a varying number
/// of zero frames between repeats so that runs straddle every decode block boundary.
fn write_pattern<S: hound::Sample + Copy + Default>(
    path: &Path,
    spec: WavSpec,
    pattern: &[S],
    quiet: S,
) {
    let mut w = WavWriter::create(path, spec).unwrap();
    for k in 0..REPEATS {
        for &x in pattern {
            w.write_sample(quiet).unwrap();
            w.write_sample(x).unwrap();
        }
        for _ in 0..(k % 5) {
            w.write_sample(quiet).unwrap();
            w.write_sample(S::default()).unwrap();
        }
    }
    w.finalize().unwrap();
}

fn analyze(path: &Path, over_len: u32) -> FileReport {
    let opts = AnalyzeOptions {
        over_len,
        block_frames: 7,
        ..AnalyzeOptions::default()
    };
    analyze_file(path, &opts).unwrap()
}

fn check_counts(path: &Path, what: &str) {
    for (over_len, overs) in [
        (1, PATTERN_OVERS_LEN1),
        (2, PATTERN_OVERS_LEN2),
        (3, PATTERN_OVERS_LEN3),
    ] {
        let r = analyze(path, over_len);
        assert!(r.truncated.is_none());
        let quiet = &r.per_channel[0].readings;
        let hot = &r.per_channel[1].readings;
        assert_eq!(quiet.clipped_samples, 0, "{what}");
        assert_eq!(hot.clipped_samples, PATTERN_CLIPS * REPEATS, "{what}");
        assert_eq!(hot.overs, overs * REPEATS, "{what} over_len {over_len}");
        assert_eq!(hot.longest_clip_run, 3, "{what}");
        assert_eq!(hot.invalid_samples, 0, "{what}");
    }
}

#[test]
fn clip_and_over_counts_are_exact_for_16_24_and_32_bit_integers() {
    let dir = tempfile::tempdir().unwrap();
    for bits in [16u16, 24, 32] {
        let path = dir.path().join(format!("clips{bits}.wav"));
        write_pattern(
            &path,
            spec(2, bits, false),
            &int_pattern(u32::from(bits)),
            5,
        );
        check_counts(&path, &format!("{bits}-bit"));
    }
}

#[test]
fn clip_and_over_counts_are_exact_for_8_bit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clips8.wav");
    let pattern: Vec<i8> = int_pattern(8).iter().map(|&x| x as i8).collect();
    write_pattern(&path, spec(2, 8, false), &pattern, 3);
    check_counts(&path, "8-bit");
}

#[test]
fn clip_and_over_counts_are_exact_for_float() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clipsf.wav");
    write_pattern(&path, spec(2, 32, true), &float_pattern(), 0.001);
    check_counts(&path, "float");
}

#[test]
fn one_code_below_full_scale_is_never_a_clip() {
    let dir = tempfile::tempdir().unwrap();
    for bits in [16u16, 24, 32] {
        let path = dir.path().join(format!("below{bits}.wav"));
        let full = 1i64 << (bits - 1);
        let codes = [(full - 2) as i32, (-full + 1) as i32];
        write_pattern(&path, spec(2, bits, false), &codes, 0);
        let r = analyze(&path, 1);
        assert_eq!(r.per_channel[1].readings.clipped_samples, 0, "{bits}-bit");
        assert!(r.per_channel[1].readings.max_sample_peak_dbfs > -0.001);
    }
}

fn sine_level(c: usize) -> f64 {
    10f64.powf((-3.0 - 2.0 * c as f64) / 20.0)
}

/// Many channels, each at its own level, 24-bit (WAVE_FORMAT_EXTENSIBLE), read in odd blocks.
fn write_levels(path: &Path, channels: u16, secs: f64) {
    let mut w = WavWriter::create(path, spec(channels, 24, false)).unwrap();
    let frames = (secs * f64::from(RATE)) as usize;
    let full = f64::from(1 << 23);
    for n in 0..frames {
        let s = (2.0 * PI * 1000.0 * n as f64 / f64::from(RATE)).sin();
        for c in 0..usize::from(channels) {
            w.write_sample((sine_level(c) * s * full).round() as i32)
                .unwrap();
        }
    }
    w.finalize().unwrap();
}

#[test]
fn channels_keep_their_place_through_the_decoder() {
    let dir = tempfile::tempdir().unwrap();
    for channels in [6u16, 10, 18] {
        let path = dir.path().join(format!("ch{channels}.wav"));
        write_levels(&path, channels, 1.0);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            &bytes[20..22],
            &[0xFE, 0xFF],
            "written as WAVE_FORMAT_EXTENSIBLE"
        );
        for block_frames in [7, 333, 4097] {
            for threads in [1, 2, 3] {
                let opts = AnalyzeOptions {
                    block_frames,
                    threads,
                    ..AnalyzeOptions::default()
                };
                let r = analyze_file(&path, &opts).unwrap();
                assert_eq!(r.per_channel.len(), usize::from(channels));
                assert_eq!(r.program.is_some(), channels <= 5);
                for (c, ch) in r.per_channel.iter().enumerate() {
                    assert_eq!(ch.channel, c + 1);
                    assert_eq!(ch.readings.frames, u64::from(RATE));
                    let want = 20.0 * sine_level(c).log10();
                    let got = ch.readings.max_sample_peak_dbfs;
                    assert!(
                        (got - want).abs() < 0.01,
                        "{channels} ch, block {block_frames}, {threads} threads: ch {} reads {got}, want {want}",
                        c + 1
                    );
                }
            }
        }
    }
}

#[test]
fn nan_and_inf_in_a_float_file_are_invalid_samples() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nan.wav");
    let mut w = WavWriter::create(&path, spec(1, 32, true)).unwrap();
    for n in 0..RATE * 2 {
        let x = match n {
            1000 => f32::NAN,
            2000 => f32::INFINITY,
            3000 => f32::NEG_INFINITY,
            _ => (0.25 * (2.0 * PI * 1000.0 * f64::from(n) / f64::from(RATE)).sin()) as f32,
        };
        w.write_sample(x).unwrap();
    }
    w.finalize().unwrap();
    let r = analyze(&path, 1);
    let c = &r.per_channel[0].readings;
    assert_eq!(c.invalid_samples, 3);
    assert_eq!(c.clipped_samples, 0);
    assert!((c.max_sample_peak_dbfs - 20.0 * 0.25f64.log10()).abs() < 0.01);
    assert!(c.max_true_peak_dbtp < 20.0 * 0.25f64.log10() + 0.2);
    let program = r.program.unwrap();
    assert!(program.integrated_lufs.is_finite());
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn malformed_files_fail_with_a_reason_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        write_file(dir.path(), "empty.wav", b""),
        write_file(dir.path(), "text.wav", b"this is not audio at all\n"),
        write_file(dir.path(), "riff_only.wav", b"RIFF\x04\x00\x00\x00WAVE"),
        write_file(
            dir.path(),
            "bad_fmt.wav",
            b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x00\x00\x80\xbb\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00data\x00\x00\x00\x00",
        ),
        dir.path().join("missing.wav"),
        dir.path().to_path_buf(),
    ];
    for path in &cases {
        let result = analyze_file(path, &AnalyzeOptions::default());
        let err = result.expect_err(&format!("{} should fail", path.display()));
        assert!(!err.to_string().is_empty());
    }
    let mut garbage = b"RIFF\xff\xff\xff\xffWAVE".to_vec();
    let mut seed = 1u32;
    for _ in 0..4096 {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        garbage.push((seed >> 24) as u8);
    }
    let path = write_file(dir.path(), "garbage.wav", &garbage);
    // Whatever hound makes of it, the answer is an error or a report, not a panic.
    let _ = analyze_file(&path, &AnalyzeOptions::default());
}

#[test]
fn a_truncated_file_reports_the_whole_frames_that_could_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.wav");
    write_levels(&path, 3, 1.0);
    let bytes = std::fs::read(&path).unwrap();
    let header = bytes.len() - 3 * 3 * RATE as usize;
    // Cut 1000 whole frames and 2 bytes in: the partial frame must not shift channels.
    let keep = header + 1000 * 9 + 2;
    let cut = write_file(dir.path(), "cut.wav", &bytes[..keep]);
    let r = analyze_file(&cut, &AnalyzeOptions::default()).unwrap();
    assert!(r.truncated.is_some());
    assert_eq!(r.frames, 1000);
    for (c, ch) in r.per_channel.iter().enumerate() {
        assert_eq!(ch.readings.frames, 1000);
        let want = 20.0 * sine_level(c).log10();
        assert!((ch.readings.max_sample_peak_dbfs - want).abs() < 0.01);
    }
}

#[test]
fn an_empty_data_chunk_is_a_report_of_silence() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zero.wav");
    WavWriter::create(&path, spec(2, 16, false))
        .unwrap()
        .finalize()
        .unwrap();
    let r = analyze_file(&path, &AnalyzeOptions::default()).unwrap();
    assert_eq!(r.frames, 0);
    assert!(r.truncated.is_none());
    assert_eq!(r.per_channel.len(), 2);
    assert_eq!(
        r.per_channel[0].readings.max_sample_peak_dbfs,
        f64::NEG_INFINITY
    );
    assert_eq!(r.program.unwrap().true_peak_dbtp, f64::NEG_INFINITY);
}

/// WAVE_FORMAT_EXTENSIBLE with 24 valid bits in 4-byte containers (left-justified), written
/// byte by byte since hound does not write this layout.
fn extensible_24_in_32(path: &Path, codes: &[i32]) {
    let data_len = (codes.len() * 4) as u32;
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(4 + 8 + 40 + 8 + data_len).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&40u32.to_le_bytes());
    b.extend_from_slice(&0xFFFEu16.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&RATE.to_le_bytes());
    b.extend_from_slice(&(RATE * 4).to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&32u16.to_le_bytes());
    b.extend_from_slice(&22u16.to_le_bytes());
    b.extend_from_slice(&24u16.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&[
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B,
        0x71,
    ]);
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    for &code in codes {
        b.extend_from_slice(&(code << 8).to_le_bytes());
    }
    std::fs::write(path, b).unwrap();
}

#[test]
fn twenty_four_valid_bits_in_four_byte_containers_clip_at_their_own_full_scale() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ext24in32.wav");
    let max = (1 << 23) - 1;
    let min = -(1 << 23);
    let half = 1 << 22;
    let mut codes = vec![0; 4800];
    codes[10] = max;
    codes[20] = min;
    codes[30] = max - 1;
    codes[40] = min + 1;
    codes[50] = half;
    extensible_24_in_32(&path, &codes);
    let r = analyze(&path, 1);
    assert_eq!(r.bits_per_sample, 24);
    assert_eq!(r.frames, 4800);
    let c = &r.per_channel[0].readings;
    assert_eq!(c.clipped_samples, 2);
    assert_eq!(c.overs, 2);
}
