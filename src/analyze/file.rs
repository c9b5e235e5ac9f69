//! Analysis of one WAV file: raw blocks read and converted and metered by channel group, each
//! a job for whichever of one thread per core is free (`analyze::schedule`).
//!
//! Metering (K-weighting and 4x true-peak interpolation per channel) costs far more than
//! reading, so reading only fetches raw bytes; each group converts its own channels from the
//! shared block and meters them, so conversion runs in parallel too. Reading stays a few
//! blocks ahead of the slowest group and read buffers are reused, so memory stays a few
//! blocks whatever the file's length.

use std::path::Path;
use std::sync::Arc;

use super::progress::Progress;
use super::schedule;
use crate::advisor::{ChannelPlan, judge_take};
use crate::file_report::{ChannelReport, FileReport, ProgramReport};
use crate::meter::k_weighting::LANES;
use crate::meter::{ChannelMeter, ClipRule, MeterBank, MeterConfig, MeterError, ProgramMeter};
use crate::overs::OverCounter;
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
    /// Threads that read and meter, the calling one included (1 or more). Defaults to
    /// one per core.
    pub threads: usize,
    /// Show progress on stderr (callers pass `true` only when stderr is a terminal).
    pub progress: bool,
    /// The preset the advisor judges each channel by.
    pub plan: ChannelPlan,
    /// Count the programme's inter-sample overs above every level (the mix and master
    /// stages; 1 to 5 channels).
    pub count_overs: bool,
}

/// Frames per block: long enough that handing blocks between threads costs nothing next to
/// metering them, short enough that a few in flight stay small (16 channels of 24-bit: 768 KB).
pub const DEFAULT_BLOCK_FRAMES: usize = 16_384;

/// Frames a worker converts and meters at once: a piece's planar samples (4 KB a channel)
/// and the meters' scratch stay in the core's cache from conversion to metering; whole read
/// blocks (64 KB a channel) did not, and metering waited on memory.
const PIECE_FRAMES: usize = 1024;

impl AnalyzeOptions {
    /// The meters for a file (`float`: a float file, or the stems' sum, which is float):
    /// its clip rule, the over length, blocks of up to `max_block_frames`, and only each
    /// channel's maximum true peak, which is all a file's report gives.
    pub(crate) fn meter_config(&self, float: bool, max_block_frames: usize) -> MeterConfig {
        let clip_rule = ClipRule::for_format(
            float,
            self.float_clip_level_dbfs
                .unwrap_or_else(crate::meter::clip::default_float_clip_level_dbfs),
        );
        MeterConfig {
            over_len: self.over_len,
            clip_rule,
            max_block_frames,
            true_peak_max_only: true,
            ..MeterConfig::default()
        }
    }
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            over_len: 1,
            float_clip_level_dbfs: None,
            block_frames: DEFAULT_BLOCK_FRAMES,
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            progress: false,
            plan: ChannelPlan::default(),
            count_overs: false,
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
    /// The programme's highest short-term loudness so far (LUFS), with `program`.
    max_short_term_lufs: f64,
    /// Inter-sample overs of the programme, with `program` when asked for.
    overs: Option<OverCounter>,
    layout: Layout,
    /// Converted samples of the channels this group reads: its own range, or every channel of
    /// the file when it also meters the programme. `planar[k]` is channel `decoded_from + k`.
    planar: Vec<Vec<f32>>,
    decoded_from: usize,
}

impl schedule::Group for Group {
    fn meter(&mut self, raw: &[u8]) {
        let frame_bytes = self.layout.frame_bytes();
        let piece_frames = self.planar.first().map_or(1, Vec::len).max(1);
        // A read block is metered in pieces whose converted samples stay in the core's cache
        // between conversion and metering.
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
                // Short-term loudness moves on once per 100 ms slice, and a piece is shorter
                // than a slice, so every value it takes is seen here.
                self.max_short_term_lufs = self.max_short_term_lufs.max(p.short_term_lufs());
                if let Some(o) = &mut self.overs {
                    o.process_planar(&refs);
                }
            }
        }
    }
}

/// The file being read, a block at a time, by whichever thread's turn it is.
struct FileSource {
    reader: WavReader,
    block_frames: usize,
    pool: BufferPool,
    progress: Progress,
    /// Whole frames read, and why the data ended early (if it did).
    frames: u64,
    truncated: Option<String>,
}

impl schedule::Source for FileSource {
    fn next_block(&mut self) -> (Option<Arc<Vec<u8>>>, bool) {
        let mut raw = self.pool.take();
        let (read, fill) = self.reader.read_raw(&mut raw, self.block_frames);
        self.frames += read as u64;
        self.progress.update(self.frames);
        let block = (read > 0).then(|| self.pool.share(raw));
        let more = match fill {
            Fill::Full => true,
            Fill::End => {
                if self.frames < self.reader.declared_frames() {
                    self.truncated = Some("data chunk ends early".to_string());
                }
                false
            }
            Fill::Broken(e) => {
                self.truncated = Some(describe_break(&e));
                false
            }
        };
        (block, more)
    }
}

/// Read buffers shared by the groups, reused once every group has metered one.
#[derive(Debug, Default)]
struct BufferPool(Vec<Arc<Vec<u8>>>);

impl BufferPool {
    /// A buffer nobody else holds. A few more exist than blocks are read ahead, as the
    /// scheduler reads no further ahead of the slowest group.
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
    let reader = WavReader::open(path)?;
    let layout = reader.layout();
    let channels = reader.channels();
    let rate = reader.sample_rate();
    // The file's count, before the channels are split between threads (whose banks would
    // report their share of it).
    crate::meter::bank::check_channels(channels)?;
    let block_frames = opts.block_frames.max(1);
    let piece_frames = block_frames.min(PIECE_FRAMES);
    let config = opts.meter_config(layout.is_float(), piece_frames);
    let clip_rule = config.clip_rule;

    // Groups of up to four channels (one K-weighting filter's worth), at least one per
    // thread: more groups than threads lets a thread that is ahead take on another's work.
    let threads = opts.threads.max(1);
    let groups = split_groups(
        channels,
        threads.max(channels.div_ceil(LANES)),
        rate,
        layout,
        &config,
        piece_frames,
        opts.count_overs,
    )?;
    let source = FileSource {
        progress: Progress::new(opts.progress, path, reader.declared_frames()),
        reader,
        block_frames,
        pool: BufferPool::default(),
        frames: 0,
        truncated: None,
    };
    let (source, groups) = schedule::run(source, groups, threads).ok_or(AnalyzeError::Worker)?;
    let FileSource {
        reader,
        mut progress,
        frames,
        truncated,
        ..
    } = source;
    progress.finish();

    let mut per_channel = Vec::with_capacity(channels);
    let mut program = None;
    let mut true_peak_overs = None;
    let mut max_short_term_lufs = f64::NEG_INFINITY;
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
            max_short_term_lufs = g.max_short_term_lufs;
        }
        if let Some(o) = &g.overs {
            true_peak_overs = Some(o.counts());
        }
    }
    let program = program.map(|p| {
        ProgramReport::new(
            p.integrated_lufs,
            p.loudness_range_lu,
            max_short_term_lufs,
            &per_channel,
        )
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
        true_peak_overs,
    })
}

fn describe_break(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        "file ends before the length its header announces".into()
    } else {
        format!("read failed: {e}")
    }
}

/// `groups` contiguous channel ranges (fewer if there are fewer channels), with the programme
/// meter on the last (smallest).
fn split_groups(
    channels: usize,
    groups: usize,
    rate: u32,
    layout: Layout,
    config: &MeterConfig,
    piece_frames: usize,
    count_overs: bool,
) -> Result<Vec<Group>, AnalyzeError> {
    let n = groups.min(channels);
    let mut groups = Vec::with_capacity(n);
    let mut first = 0;
    // One meter built, copied into every channel of every group.
    let meter = ChannelMeter::new(rate, config)?;
    for k in 0..n {
        let len = channels / n + usize::from(k < channels % n);
        groups.push(Group {
            first,
            bank: MeterBank::of(len, &meter, config)?,
            program: None,
            max_short_term_lufs: f64::NEG_INFINITY,
            overs: None,
            layout,
            planar: vec![vec![0.0; piece_frames]; len],
            decoded_from: first,
        });
        first += len;
    }
    if let Some(last) = groups.last_mut() {
        last.program = ProgramMeter::new(channels, rate, config.max_block_frames)?;
        if last.program.is_some() {
            last.overs = count_overs.then(|| OverCounter::new(channels, rate));
            last.planar = vec![vec![0.0; piece_frames]; channels];
            last.decoded_from = 0;
        }
    }
    Ok(groups)
}
