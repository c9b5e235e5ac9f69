//! Analysis of one WAV file: raw blocks read on the calling thread, converted and metered by
//! channel group on one worker per core.
//!
//! Metering (K-weighting and 4x true-peak interpolation per channel) costs far more than
//! reading, so the caller only reads raw bytes; each worker converts its own channels from
//! the shared block and meters them, so conversion runs in parallel too. Queues are bounded
//! and read buffers are reused, so memory stays a few blocks whatever the file's length.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};

use super::progress::Progress;
use crate::advisor::{ChannelPlan, judge_take};
use crate::file_report::{ChannelReport, FileReport, ProgramReport};
use crate::meter::{ClipRule, MeterBank, MeterConfig, MeterError, ProgramMeter};
use crate::wav::{Fill, Layout, WavError, WavReader};

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
    /// Metering threads (1 or more); more than the channel count is pointless. Defaults to
    /// one per core.
    pub threads: usize,
    /// Show progress on stderr (callers pass `true` only when stderr is a terminal).
    pub progress: bool,
    /// The preset the advisor judges each channel by.
    pub plan: ChannelPlan,
}

/// Frames per block: long enough that handing blocks between threads costs nothing next to
/// metering them, short enough that a few in flight stay small (16 channels of 24-bit: 768 KB).
pub const DEFAULT_BLOCK_FRAMES: usize = 16_384;

/// Frames a worker converts and meters at once: a piece's planar samples (4 KB a channel)
/// and the meters' scratch stay in the core's cache from conversion to metering; whole read
/// blocks (64 KB a channel) did not, and metering waited on memory.
const PIECE_FRAMES: usize = 1024;

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            over_len: 1,
            float_clip_level_dbfs: None,
            block_frames: DEFAULT_BLOCK_FRAMES,
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            progress: false,
            plan: ChannelPlan::default(),
        }
    }
}

/// Why a file could not be analysed.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("cannot read: {0}")]
    Io(std::io::Error),
    #[error("{0}")]
    Wav(WavError),
    #[error("{0}")]
    Meter(#[from] MeterError),
    #[error("internal: a metering thread stopped")]
    Worker,
}

impl From<WavError> for AnalyzeError {
    fn from(e: WavError) -> Self {
        match e {
            WavError::Io(io) => Self::Io(io),
            other => Self::Wav(other),
        }
    }
}

/// What one metering thread owns: a bank for its channel range, maybe the programme meter,
/// and planar buffers for the channels it converts.
struct Group {
    first: usize,
    bank: MeterBank,
    program: Option<ProgramMeter>,
    layout: Layout,
    /// Converted samples of the channels this group reads: its own range, or every channel of
    /// the file when it also meters the programme. `planar[k]` is channel `decoded_from + k`.
    planar: Vec<Vec<f32>>,
    decoded_from: usize,
}

impl Group {
    fn run(mut self, rx: Receiver<Arc<Vec<u8>>>) -> Self {
        let frame_bytes = self.layout.frame_bytes();
        let piece_frames = self.planar.first().map_or(1, Vec::len).max(1);
        for raw in rx {
            // A read block is metered in pieces whose converted samples stay in the core's
            // cache between conversion and metering.
            for piece in raw.chunks(piece_frames * frame_bytes) {
                let frames = piece.len() / frame_bytes;
                self.layout
                    .channels_into(piece, self.decoded_from, &mut self.planar);
                let own = self.first - self.decoded_from;
                // One small list per piece of a thousand frames.
                let mut refs: Vec<&[f32]> = Vec::with_capacity(self.planar.len());
                refs.extend(
                    self.planar[own..own + self.bank.channels()]
                        .iter()
                        .map(|p| &p[..frames]),
                );
                self.bank.process_planar(&refs);
                if let Some(p) = &mut self.program {
                    refs.clear();
                    refs.extend(self.planar.iter().map(|p| &p[..frames]));
                    p.process_planar(&refs);
                }
            }
        }
        self
    }
}

/// Read buffers shared with the workers, reused once every worker has let go of one.
#[derive(Debug, Default)]
struct BufferPool(Vec<Arc<Vec<u8>>>);

impl BufferPool {
    /// A buffer nobody else holds. At most (queue depth + 2) per worker ever exist, as the
    /// bounded queues stop the reader before more are in flight.
    fn take(&mut self) -> Vec<u8> {
        match self.0.iter().position(|b| Arc::strong_count(b) == 1) {
            Some(i) => Arc::try_unwrap(self.0.swap_remove(i)).unwrap_or_default(),
            None => Vec::new(),
        }
    }

    fn share(&mut self, buffer: Vec<u8>) -> Arc<Vec<u8>> {
        let shared = Arc::new(buffer);
        self.0.push(Arc::clone(&shared));
        shared
    }
}

/// Analyses one WAV file with the live meter code.
pub fn analyze_file(path: &Path, opts: &AnalyzeOptions) -> Result<FileReport, AnalyzeError> {
    let mut reader = WavReader::open(path)?;
    let layout = reader.layout();
    let channels = reader.channels();
    let rate = reader.sample_rate();
    // The file's count, before the channels are split between threads (whose banks would
    // report their share of it).
    crate::meter::bank::check_channels(channels)?;
    let block_frames = opts.block_frames.max(1);
    let piece_frames = block_frames.min(PIECE_FRAMES);
    let clip_rule = ClipRule::for_format(
        layout.is_float(),
        opts.float_clip_level_dbfs
            .unwrap_or_else(crate::meter::clip::default_float_clip_level_dbfs),
    );
    let config = MeterConfig {
        over_len: opts.over_len,
        clip_rule,
        max_block_frames: piece_frames,
        // A file's report gives only each channel's maximum true peak.
        true_peak_max_only: true,
        ..MeterConfig::default()
    };

    let groups = split_groups(
        channels,
        opts.threads.max(1),
        rate,
        layout,
        &config,
        piece_frames,
    )?;
    let mut truncated = None;
    let mut frames: u64 = 0;
    let mut progress = Progress::new(opts.progress, path, reader.declared_frames());
    let mut pool = BufferPool::default();

    let groups = std::thread::scope(|s| -> Result<Vec<Group>, AnalyzeError> {
        let mut senders = Vec::new();
        let mut handles = Vec::new();
        for g in groups {
            let (tx, rx) = sync_channel::<Arc<Vec<u8>>>(2);
            senders.push(tx);
            handles.push(s.spawn(move || g.run(rx)));
        }
        loop {
            let mut raw = pool.take();
            let (read, fill) = reader.read_raw(&mut raw, block_frames);
            frames += read as u64;
            progress.update(frames);
            if read > 0 {
                let raw = pool.share(raw);
                // A worker gone means it panicked; its join below reports it.
                if senders.iter().any(|tx| tx.send(Arc::clone(&raw)).is_err()) {
                    break;
                }
            }
            match fill {
                Fill::Full => continue,
                Fill::End => {
                    if frames < reader.declared_frames() {
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
        bits_per_sample: reader.bits_per_sample(),
        float: layout.is_float(),
        clip_rule,
        frames,
        duration_s: frames as f64 / f64::from(rate.max(1)),
        truncated,
        per_channel,
        program,
    })
}

fn describe_break(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        "file ends before the length its header announces".into()
    } else {
        format!("read failed: {e}")
    }
}

/// Contiguous channel ranges, one per thread, with the programme meter on the last (smallest).
fn split_groups(
    channels: usize,
    threads: usize,
    rate: u32,
    layout: Layout,
    config: &MeterConfig,
    piece_frames: usize,
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
            layout,
            planar: vec![vec![0.0; piece_frames]; len],
            decoded_from: first,
        });
        first += len;
    }
    if let Some(last) = groups.last_mut() {
        last.program = ProgramMeter::new(channels, rate, config.max_block_frames)?;
        if last.program.is_some() {
            last.planar = vec![vec![0.0; piece_frames]; channels];
            last.decoded_from = 0;
        }
    }
    Ok(groups)
}
