//! The sum of a set of stems, sample by sample, metered as one programme: what a bounce of
//! the stems at unity gain would read before any bus processing.
//!
//! Stems are aligned at their first frame and must share a sample rate and a length (a
//! difference is an error naming the stem). Stems of different channel counts sum by channel
//! position: channel 1 of every stem into channel 1 of the sum, and so on; the sum has as
//! many channels as the widest stem. The sum is float, so it can exceed full scale: how far
//! it goes over (or stays under) is what the stage reports.

use std::path::{Path, PathBuf};

use super::file::{AnalyzeError, AnalyzeOptions};
use crate::file_report::{ChannelReport, FileReport, ProgramReport};
use crate::meter::{MeterBank, ProgramMeter};
use crate::overs::OverCounter;
use crate::wav::{Fill, Layout, WavReader};

/// Frames read from every stem at once.
const BLOCK_FRAMES: usize = 4096;

/// Why a set of stems cannot be summed; each names the stem at fault.
#[derive(Debug, thiserror::Error)]
pub enum StemsError {
    #[error("no stems given")]
    Empty,
    #[error("{}: {source}", file.display())]
    Open { file: PathBuf, source: AnalyzeError },
    #[error(
        "{}: sample rate {rate} Hz differs from {} ({first_rate} Hz); stems must share one rate",
        file.display(),
        first.display()
    )]
    Rate {
        file: PathBuf,
        rate: u32,
        first: PathBuf,
        first_rate: u32,
    },
    #[error(
        "{}: {frames} frames differs from {} ({first_frames} frames); stems must have the same length",
        file.display(),
        first.display()
    )]
    Length {
        file: PathBuf,
        frames: u64,
        first: PathBuf,
        first_frames: u64,
    },
    #[error("{}: {why}", file.display())]
    Read { file: PathBuf, why: String },
    #[error("sum: {0}")]
    Meter(AnalyzeError),
}

struct Stem {
    path: PathBuf,
    reader: WavReader,
    layout: Layout,
    raw: Vec<u8>,
}

/// A set of stems checked to share one rate and one length, ready to sum.
pub struct Stems(Vec<Stem>);

impl std::fmt::Debug for Stems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|s| &s.path))
            .finish()
    }
}

impl Stems {
    /// Opens every stem and checks they can be summed: one rate, one length. A mismatch is
    /// found here, before anything is read.
    pub fn open(paths: &[PathBuf]) -> Result<Self, StemsError> {
        open(paths).map(Self)
    }

    /// Sums and meters them (see [`sum_stems`]).
    pub fn sum(self, opts: &AnalyzeOptions) -> Result<FileReport, StemsError> {
        sum(self.0, opts)
    }
}

fn open(paths: &[PathBuf]) -> Result<Vec<Stem>, StemsError> {
    let mut stems: Vec<Stem> = Vec::with_capacity(paths.len());
    for path in paths {
        let reader = WavReader::open(path).map_err(|e| StemsError::Open {
            file: path.clone(),
            source: e.into(),
        })?;
        if let Some(first) = stems.first() {
            if reader.sample_rate() != first.reader.sample_rate() {
                return Err(StemsError::Rate {
                    file: path.clone(),
                    rate: reader.sample_rate(),
                    first: first.path.clone(),
                    first_rate: first.reader.sample_rate(),
                });
            }
            if reader.declared_frames() != first.reader.declared_frames() {
                return Err(StemsError::Length {
                    file: path.clone(),
                    frames: reader.declared_frames(),
                    first: first.path.clone(),
                    first_frames: first.reader.declared_frames(),
                });
            }
        }
        stems.push(Stem {
            path: path.clone(),
            layout: reader.layout(),
            reader,
            raw: Vec::new(),
        });
    }
    Ok(stems)
}

/// Sums `paths` and meters the sum: a report for the sum as if it were one float file, named
/// `sum`, with its inter-sample overs counted when it has 1 to 5 channels.
pub fn sum_stems(paths: &[PathBuf], opts: &AnalyzeOptions) -> Result<FileReport, StemsError> {
    Stems::open(paths)?.sum(opts)
}

fn sum(mut stems: Vec<Stem>, opts: &AnalyzeOptions) -> Result<FileReport, StemsError> {
    let (rate, declared) = match stems.first() {
        Some(s) => (s.reader.sample_rate(), s.reader.declared_frames()),
        None => return Err(StemsError::Empty),
    };
    let channels = stems.iter().map(|s| s.layout.channels()).max().unwrap_or(1);
    let meter_err = |e: crate::meter::MeterError| StemsError::Meter(AnalyzeError::Meter(e));
    crate::meter::bank::check_channels(channels).map_err(meter_err)?;
    // The sum is float: it clips where a float file would (one 16-bit step under full scale,
    // or the level given).
    let config = opts.meter_config(true, BLOCK_FRAMES);
    let clip_rule = config.clip_rule;
    let mut bank = MeterBank::new(channels, rate, &config).map_err(meter_err)?;
    let mut program = ProgramMeter::new(channels, rate, BLOCK_FRAMES).map_err(meter_err)?;
    let mut overs = program.as_ref().map(|_| OverCounter::new(channels, rate));
    let mut max_short_term_lufs = f64::NEG_INFINITY;

    let mut sum = vec![vec![0.0f32; BLOCK_FRAMES]; channels];
    let mut converted = vec![vec![0.0f32; BLOCK_FRAMES]; channels];
    let mut frames = 0u64;
    loop {
        for s in &mut sum {
            s.fill(0.0);
        }
        let mut block = None;
        let mut ended = false;
        for stem in &mut stems {
            let (read, fill) = stem.reader.read_raw(&mut stem.raw, BLOCK_FRAMES);
            match fill {
                Fill::Full => {}
                Fill::End => ended = true,
                Fill::Broken(e) => return Err(read_error(&stem.path, &e)),
            }
            if *block.get_or_insert(read) != read {
                return Err(StemsError::Read {
                    file: stem.path.clone(),
                    why: "ends before the other stems".into(),
                });
            }
            let n = stem.layout.channels();
            stem.layout.channels_into(&stem.raw, 0, &mut converted[..n]);
            for (acc, x) in sum.iter_mut().zip(&converted[..n]) {
                for (a, &v) in acc[..read].iter_mut().zip(&x[..read]) {
                    *a += v;
                }
            }
        }
        let read = block.unwrap_or(0);
        if read > 0 {
            let refs: Vec<&[f32]> = sum.iter().map(|s| &s[..read]).collect();
            bank.process_planar(&refs);
            if let Some(p) = &mut program {
                p.process_planar(&refs);
                max_short_term_lufs = max_short_term_lufs.max(p.short_term_lufs());
            }
            if let Some(o) = &mut overs {
                o.process_planar(&refs);
            }
            frames += read as u64;
        }
        if ended || read == 0 {
            break;
        }
    }
    if frames < declared {
        return Err(StemsError::Read {
            file: stems.first().map_or_else(PathBuf::new, |s| s.path.clone()),
            why: "the stems end before the length their headers announce".into(),
        });
    }

    let per_channel: Vec<ChannelReport> = (0..channels)
        .map(|c| ChannelReport {
            channel: c + 1,
            readings: bank.readings(c),
            warnings: Vec::new(),
        })
        .collect();
    let program = program.map(|p| {
        let r = p.readings();
        ProgramReport::new(
            r.integrated_lufs,
            r.loudness_range_lu,
            max_short_term_lufs,
            &per_channel,
        )
    });
    Ok(FileReport {
        file: PathBuf::from("sum"),
        sample_rate: rate,
        channels,
        bits_per_sample: 32,
        float: true,
        clip_rule,
        frames,
        duration_s: frames as f64 / f64::from(rate.max(1)),
        truncated: None,
        per_channel,
        program,
        true_peak_overs: overs.map(|o| o.counts()),
    })
}

fn read_error(path: &Path, e: &std::io::Error) -> StemsError {
    StemsError::Read {
        file: path.to_path_buf(),
        why: if e.kind() == std::io::ErrorKind::UnexpectedEof {
            "file ends before the length its header announces".into()
        } else {
            format!("read failed: {e}")
        },
    }
}
