//! Shared by the monitor tests (included with `#[path]`): WAV files of steady sines.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

/// 32-bit float, 48 kHz: channel c is a sine at 220·(c+1) Hz peaking at its level (dBFS).
pub fn write_sines(path: &std::path::Path, peaks_dbfs: &[f64], seconds: u32) {
    let channels = u16::try_from(peaks_dbfs.len()).unwrap();
    let spec = hound::WavSpec {
        channels,
        sample_rate: 48_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..48_000 * seconds {
        let t = f64::from(i) / 48_000.0;
        for (c, p) in peaks_dbfs.iter().enumerate() {
            let a = 10f64.powf(p / 20.0);
            let f = 220.0 * (c + 1) as f64;
            w.write_sample((a * (std::f64::consts::TAU * f * t).sin()) as f32)
                .unwrap();
        }
    }
    w.finalize().unwrap();
}
