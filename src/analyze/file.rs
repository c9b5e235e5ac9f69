//! Analysis of one WAV file: decode on the calling thread, meter channel groups on workers.
//!
//! Metering (K-weighting and 4x true-peak interpolation per channel) costs far more than
//! decoding, so channels are split into two groups metered on two threads while the caller
//! decodes the next block. Queues are bounded, so memory stays a few blocks whatever the
//! file's length.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};

use hound::SampleFormat;

use super::decode::{Block, Decoder, Fill};
use super::progress::Progress;
use crate::advisor::{ChannelPlan, Warning, judge_take};
use crate::meter::{ChannelReadings, ClipRule, MeterBank, MeterConfig, MeterError, ProgramMeter};

/// Settings of one analysis.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// Consecutive full-scale samples that make one over (1..=20).
    pub over_len: u32,
    /// Clip level for float files (dBFS); `None`: one 16-bit step below full scale. Integer
    /// files clip at their full-scale codes.
    pub float_clip_level_dbfs: Option<f64>,
    /// Frames per decoded block.
    pub block_frames: usize,
    /// Metering threads (1 or more); more than the channel count is pointless.
    pub threads: usize,
    /// Show progress on stderr (callers pass `true` only when stderr is a terminal).
    pub progress: bool,
    /// The preset the advisor judges each channel by.
    pub plan: ChannelPlan,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            over_len: 1,
            float_clip_level_dbfs: None,
            block_frames: 4096,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get().min(2)),
            progress: false,
            plan: ChannelPlan::default(),
        }
    }
}

/// Why a file could not be analysed.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a readable WAV file: {0}")]
    Wav(hound::Error),
    #[error("unsupported WAV format: {0}")]
    Unsupported(String),
    #[error("{0}")]
    Meter(#[from] MeterError),
    #[error("internal: a metering thread stopped")]
    Worker,
}

impl From<hound::Error> for AnalyzeError {
    fn from(e: hound::Error) -> Self {
        match e {
            hound::Error::IoError(io) => Self::Io(io),
            hound::Error::Unsupported => Self::Unsupported(
                "only 8/16/24/32-bit integer and 32-bit float PCM are supported".into(),
            ),
            other => Self::Wav(other),
        }
    }
}

/// One channel's result.
#[derive(Debug, Clone)]
pub struct ChannelReport {
    /// Channel number, from 1.
    pub channel: usize,
    pub readings: ChannelReadings,
    /// Filled by the advisor; empty for now.
    pub warnings: Vec<Warning>,
}

/// Programme loudness of a 1–5 channel file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgramReport {
    pub integrated_lufs: f64,
    pub loudness_range_lu: f64,
    /// Max true peak over all channels (dBTP).
    pub true_peak_dbtp: f64,
}

/// Everything `analyze` found in one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub file: PathBuf,
    pub sample_rate: u32,
    pub channels: usize,
    pub bits_per_sample: u16,
    pub float: bool,
    /// What counted as a clip in this file.
    pub clip_rule: ClipRule,
    /// Whole frames metered.
    pub frames: u64,
    pub duration_s: f64,
    /// Set when the file ended or failed before the length its header announces: the report
    /// covers the frames that could be read.
    pub truncated: Option<String>,
    pub per_channel: Vec<ChannelReport>,
    /// `None` for more than 5 channels (no standard weighting).
    pub program: Option<ProgramReport>,
}

/// What one metering thread owns: a bank for its channel range, maybe the programme meter.
struct Group {
    first: usize,
    bank: MeterBank,
    program: Option<ProgramMeter>,
    /// Channels of the file, all fed to the programme meter.
    program_channels: usize,
}

impl Group {
    fn run(mut self, rx: Receiver<Arc<Block>>) -> Self {
        for block in rx {
            let mut refs: Vec<&[f32]> = Vec::with_capacity(self.bank.channels());
            refs.extend((0..self.bank.channels()).map(|c| block.channel(self.first + c)));
            self.bank.process_planar(&refs);
            if let Some(p) = &mut self.program {
                refs.clear();
                refs.extend((0..self.program_channels).map(|c| block.channel(c)));
                p.process_planar(&refs);
            }
        }
        self
    }
}

/// Analyses one WAV file with the live meter code.
pub fn analyze_file(path: &Path, opts: &AnalyzeOptions) -> Result<FileReport, AnalyzeError> {
    let mut decoder = Decoder::open(path)?;
    let spec = decoder.spec();
    let channels = usize::from(spec.channels);
    let rate = spec.sample_rate;
    if channels == 0 {
        return Err(AnalyzeError::Unsupported("zero channels".into()));
    }
    // The file's count, before the channels are split between threads (whose banks would
    // report their share of it).
    crate::meter::bank::check_channels(channels)?;
    let block_frames = opts.block_frames.max(1);
    let clip_rule = ClipRule::for_format(
        spec.sample_format == SampleFormat::Float,
        opts.float_clip_level_dbfs
            .unwrap_or_else(crate::meter::clip::default_float_clip_level_dbfs),
    );
    let config = MeterConfig {
        over_len: opts.over_len,
        clip_rule,
        max_block_frames: block_frames,
        ..MeterConfig::default()
    };

    let groups = split_groups(channels, opts.threads.max(1), rate, &config)?;
    let mut truncated = None;
    let mut frames: u64 = 0;
    let mut progress = Progress::new(opts.progress, path, decoder.declared_frames());

    let groups = std::thread::scope(|s| -> Result<Vec<Group>, AnalyzeError> {
        let mut senders = Vec::new();
        let mut handles = Vec::new();
        for g in groups {
            let (tx, rx) = sync_channel::<Arc<Block>>(2);
            senders.push(tx);
            handles.push(s.spawn(move || g.run(rx)));
        }
        loop {
            let mut block = Block::new(channels, block_frames);
            let fill = decoder.fill(&mut block);
            frames += block.frames() as u64;
            progress.update(frames);
            if block.frames() > 0 {
                let block = Arc::new(block);
                // A worker gone means it panicked; its join below reports it.
                if senders
                    .iter()
                    .any(|tx| tx.send(Arc::clone(&block)).is_err())
                {
                    break;
                }
            }
            match fill {
                Fill::Full => continue,
                Fill::End => {
                    if frames < decoder.declared_frames() {
                        truncated = Some("data chunk ends early".to_string());
                    }
                    break;
                }
                Fill::Broken(e) => {
                    truncated = Some(describe_break(&e));
                    break;
                }
            }
        }
        drop(senders);
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| AnalyzeError::Worker))
            .collect()
    })?;
    progress.finish();

    let mut per_channel = Vec::with_capacity(channels);
    let mut program = None;
    for g in &groups {
        for c in 0..g.bank.channels() {
            let channel = g.first + c + 1;
            let readings = g.bank.readings(c);
            let params = opts.plan.params(channel);
            per_channel.push(ChannelReport {
                channel,
                warnings: judge_take(channel, &readings, &params, rate),
                readings,
            });
        }
        if let Some(p) = &g.program {
            program = Some(p.readings());
        }
    }
    let program = program.map(|p| ProgramReport {
        integrated_lufs: p.integrated_lufs,
        loudness_range_lu: p.loudness_range_lu,
        true_peak_dbtp: per_channel
            .iter()
            .map(|c| c.readings.max_true_peak_dbtp)
            .fold(f64::NEG_INFINITY, f64::max),
    });

    Ok(FileReport {
        file: path.to_path_buf(),
        sample_rate: rate,
        channels,
        bits_per_sample: spec.bits_per_sample,
        float: spec.sample_format == SampleFormat::Float,
        clip_rule,
        frames,
        duration_s: frames as f64 / f64::from(rate.max(1)),
        truncated,
        per_channel,
        program,
    })
}

const EARLY_END: &str = "file ends before the length its header announces";

fn describe_break(e: &hound::Error) -> String {
    match e {
        hound::Error::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            EARLY_END.into()
        }
        // hound's wording for a short read of the sample data.
        hound::Error::FormatError(msg) if msg.contains("enough bytes") => EARLY_END.into(),
        other => format!("read failed: {other}"),
    }
}

/// Contiguous channel ranges, one per thread, with the programme meter on the last (smallest).
fn split_groups(
    channels: usize,
    threads: usize,
    rate: u32,
    config: &MeterConfig,
) -> Result<Vec<Group>, AnalyzeError> {
    let n = threads.min(channels);
    let mut groups = Vec::with_capacity(n);
    let mut first = 0;
    for k in 0..n {
        let len = channels / n + usize::from(k < channels % n);
        groups.push(Group {
            first,
            bank: MeterBank::new(len, rate, config)?,
            program: None,
            program_channels: channels,
        });
        first += len;
    }
    if let Some(last) = groups.last_mut() {
        last.program = ProgramMeter::new(channels, rate, config.max_block_frames)?;
    }
    Ok(groups)
}
