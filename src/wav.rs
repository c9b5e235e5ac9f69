//! WAV files as meter samples: the one reader behind `gainstage analyze` and `monitor --file`.
//!
//! The header is walked chunk by chunk up to the data; the sample data is then read in large
//! blocks of raw bytes and converted straight from them, many times faster than sample by
//! sample. Read here: 8-bit unsigned, 16/24/32-bit signed integers (also with fewer valid bits
//! in a wider container, as `WAVE_FORMAT_EXTENSIBLE` allows), and 32/64-bit float, plain or
//! extensible (hound, which the tests write with, reads no plain 64-bit float). Samples are
//! converted by the rule in [`crate::meter::sample`], so the full-scale integer codes become
//! exactly ±1.0.
//!
//! Raw blocks can be shared: [`Layout::channel_into`] converts one channel of them and
//! [`Layout::channels_into`] a run of channels in one pass, so threads metering different
//! channels also convert their own channels in parallel.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::meter::sample::{float_to_f32, signed_to_f32, small_signed_to_f32};

/// Read buffer for the header walk; the sample data is read in whole blocks.
const HEADER_BUFFER_BYTES: usize = 64 * 1024;
/// Longest fmt chunk read (`WAVE_FORMAT_EXTENSIBLE` is 40 bytes); longer ones are malformed.
const MAX_FMT_BYTES: u32 = 1024;
const WAVE_FORMAT_PCM: u16 = 1;
const WAVE_FORMAT_IEEE_FLOAT: u16 = 3;
const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// Bytes 2..16 of the `KSDATAFORMAT_SUBTYPE_*` GUIDs; bytes 0..2 are the format tag.
const SUBTYPE_GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

/// Why a WAV file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("not a readable WAV file: {0}")]
    Malformed(&'static str),
    #[error("unsupported format ({0}): give 8/16/24/32-bit integer or 32/64-bit float PCM")]
    Unsupported(String),
}

/// How one stored sample becomes a meter sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// 8-bit WAV is unsigned, origin 128.
    U8,
    /// Little-endian signed integer in `bytes` bytes with `bits` valid bits, left-justified.
    Int {
        bytes: usize,
        bits: u32,
    },
    F32,
    F64,
}

impl Format {
    fn bytes(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::Int { bytes, .. } => bytes,
            Self::F32 => 4,
            Self::F64 => 8,
        }
    }
}

/// How samples are laid out in a file's data chunk: enough to convert raw bytes anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    format: Format,
    channels: usize,
}

impl Layout {
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Bytes of one interleaved frame.
    pub fn frame_bytes(&self) -> usize {
        self.format.bytes() * self.channels
    }

    /// Whether the file stores floating-point samples.
    pub fn is_float(&self) -> bool {
        matches!(self.format, Format::F32 | Format::F64)
    }

    /// Short name of the stored format ("i24", "f64", ...): integers by their valid bits.
    pub fn format_name(&self) -> &'static str {
        match self.format {
            Format::U8 => "u8",
            Format::Int { bits, .. } if bits <= 16 => "i16",
            Format::Int { bits, .. } if bits <= 24 => "i24",
            Format::Int { .. } => "i32",
            Format::F32 => "f32",
            Format::F64 => "f64",
        }
    }

    /// Converts channel `channel` of the whole interleaved frames in `raw` into `out`, one
    /// value per frame (`out` must hold at least as many values as `raw` has frames).
    pub fn channel_into(&self, raw: &[u8], channel: usize, out: &mut [f32]) {
        let offset = channel * self.format.bytes();
        let frames = raw.len() / self.frame_bytes();
        let end = raw.len().min(frames * self.frame_bytes());
        let samples = raw.get(offset..end).unwrap_or_default();
        self.convert(Strided {
            raw: samples,
            stride: self.frame_bytes(),
            out: &mut out[..frames],
        });
    }

    /// Converts channels `first`, `first + 1`, … (one per output) of the whole interleaved
    /// frames in `raw`, in one pass over it: a metering thread that takes several channels
    /// reads each frame once instead of once per channel. Each output must hold at least as
    /// many values as `raw` has frames.
    pub fn channels_into(&self, raw: &[u8], first: usize, outs: &mut [Vec<f32>]) {
        let frame_bytes = self.frame_bytes();
        let start = first * self.format.bytes();
        let end = start + outs.len() * self.format.bytes();
        if end > frame_bytes {
            return;
        }
        if self.format == (Format::Int { bytes: 3, bits: 24 }) && frame_bytes >= 4 {
            i24_channels_into(raw, frame_bytes, start, outs);
            return;
        }
        self.convert(Frames {
            raw,
            frame_bytes,
            start,
            outs,
        });
    }

    /// Converts the whole interleaved frames in `raw` into `out`, interleaved.
    pub fn interleaved_into(&self, raw: &[u8], out: &mut [f32]) {
        let n = raw.len() / self.frame_bytes() * self.channels;
        let samples = &raw[..n * self.format.bytes()];
        self.convert(Strided {
            raw: samples,
            stride: self.format.bytes(),
            out: &mut out[..n],
        });
    }

    /// The one table of sample conversions, run by `driver` over its samples.
    fn convert(&self, driver: impl Driver) {
        match self.format {
            Format::U8 => driver.run(|b: [u8; 1]| small_signed_to_f32(i32::from(b[0]) - 128, 8)),
            // The two formats nearly every take is in, with the bit depth a constant the
            // compiler folds into the conversion (no range pinning is left to do: a code of
            // exactly 16 or 24 bits is always in range).
            Format::Int { bytes: 2, bits: 16 } => {
                driver.run(|b: [u8; 2]| small_signed_to_f32(i32::from(i16::from_le_bytes(b)), 16));
            }
            Format::Int { bytes: 3, bits: 24 } => driver.run(|b: [u8; 3]| {
                small_signed_to_f32(i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8, 24)
            }),
            Format::Int { bytes: 2, bits } => {
                let shift = 16 - bits;
                driver.run(|b: [u8; 2]| {
                    small_signed_to_f32(i32::from(i16::from_le_bytes(b)) >> shift, bits)
                });
            }
            Format::Int { bytes: 3, bits } => {
                let shift = 24 - bits;
                driver.run(|b: [u8; 3]| {
                    // Sign-extend by placing the 24 bits at the top of an i32.
                    let v = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> (8 + shift);
                    small_signed_to_f32(v, bits)
                });
            }
            Format::Int { bits, .. } if bits <= 24 => {
                let shift = 32 - bits;
                driver.run(|b: [u8; 4]| small_signed_to_f32(i32::from_le_bytes(b) >> shift, bits));
            }
            Format::Int { bits, .. } => {
                let shift = 32 - bits;
                driver.run(|b: [u8; 4]| {
                    signed_to_f32(i64::from(i32::from_le_bytes(b) >> shift), bits)
                });
            }
            Format::F32 => driver.run(|b: [u8; 4]| float_to_f32(f64::from(f32::from_le_bytes(b)))),
            Format::F64 => driver.run(|b: [u8; 8]| float_to_f32(f64::from_le_bytes(b))),
        }
    }
}

/// Runs a sample conversion over some samples of a buffer: one way of walking it.
trait Driver {
    fn run<const N: usize>(self, to_f32: impl Fn([u8; N]) -> f32);
}

/// `out[i] = to_f32(the N bytes at raw[i * stride])`, for as many samples as both hold.
struct Strided<'a> {
    raw: &'a [u8],
    stride: usize,
    out: &'a mut [f32],
}

impl Driver for Strided<'_> {
    #[inline(always)]
    fn run<const N: usize>(self, to_f32: impl Fn([u8; N]) -> f32) {
        let Self { raw, stride, out } = self;
        let n = out.len().min((raw.len() + stride - N) / stride);
        for (i, dst) in out[..n].iter_mut().enumerate() {
            if let Some(b) = raw[i * stride..].first_chunk::<N>() {
                *dst = to_f32(*b);
            }
        }
    }
}

/// `outs[k][i] = to_f32(sample k of frame i)`, counting samples from byte `start` of each
/// `frame_bytes`-byte frame, frame by frame.
struct Frames<'a> {
    raw: &'a [u8],
    frame_bytes: usize,
    start: usize,
    outs: &'a mut [Vec<f32>],
}

impl Driver for Frames<'_> {
    #[inline(always)]
    fn run<const N: usize>(self, to_f32: impl Fn([u8; N]) -> f32) {
        let Self {
            raw,
            frame_bytes,
            start,
            outs,
        } = self;
        let frames = (raw.len() / frame_bytes).min(outs.iter().map(Vec::len).min().unwrap_or(0));
        let raw = &raw[..frames * frame_bytes];
        // A tile of frames small enough to stay in the first-level cache while each of its
        // channels is picked out in turn: every byte of the buffer is fetched from memory once,
        // and each channel's loop is a plain strided walk.
        for (t, tile) in raw.chunks(TILE_FRAMES * frame_bytes).enumerate() {
            let first = t * TILE_FRAMES;
            for (k, out) in outs.iter_mut().enumerate() {
                let offset = start + k * N;
                if offset + N > frame_bytes {
                    return;
                }
                let n = tile.len() / frame_bytes;
                let dst = &mut out[first..first + n];
                for (d, frame) in dst.iter_mut().zip(tile.chunks_exact(frame_bytes)) {
                    if let Some(b) = frame[offset..].first_chunk::<N>() {
                        *d = to_f32(*b);
                    }
                }
            }
        }
    }
}

/// Frames per tile when picking channels out of interleaved frames: 64 frames of 16 24-bit
/// channels are 3 KB.
const TILE_FRAMES: usize = 64;

/// [`Frames`] for packed 24-bit integers, the format most multitrack takes are in, with the
/// same results: each sample is read as the 4 bytes from its first (the fourth, the next
/// sample's, shifted out), which needs no byte assembly, and converted with the code at the
/// top of an `i32`, exact in `f32`, times 2^-31. The full-scale code lands on 1.0 by the
/// rule of [`crate::meter::sample`]. Frames must be at least 4 bytes (two channels or more);
/// the last sample of the buffer, whose fourth byte may lie beyond it, is read on its own.
fn i24_channels_into(raw: &[u8], frame_bytes: usize, start: usize, outs: &mut [Vec<f32>]) {
    /// The positive full-scale code at the top of an `i32`.
    const FULL_SCALE: i32 = 0x7FFF_FF00;
    #[inline(always)]
    fn convert(b: [u8; 4]) -> f32 {
        let top = (u32::from_le_bytes(b) << 8) as i32;
        let x = top as f32 * (1.0 / 2_147_483_648.0);
        if top == FULL_SCALE { 1.0 } else { x }
    }
    let frames = (raw.len() / frame_bytes).min(outs.iter().map(Vec::len).min().unwrap_or(0));
    let Some(last) = frames.checked_sub(1) else {
        return;
    };
    let raw = &raw[..frames * frame_bytes];
    // The frames before the last, a tile at a time: every sample has 4 bytes to read inside
    // the buffer, as a whole frame follows it.
    for first in (0..last).step_by(TILE_FRAMES) {
        let n = (last - first).min(TILE_FRAMES);
        for (k, out) in outs.iter_mut().enumerate() {
            let src = &raw[first * frame_bytes + start + 3 * k..];
            let frames = src.chunks_exact(frame_bytes);
            for (d, sample) in out[first..first + n].iter_mut().zip(frames) {
                *d = convert([sample[0], sample[1], sample[2], sample[3]]);
            }
        }
    }
    let frame = &raw[last * frame_bytes..];
    for (k, out) in outs.iter_mut().enumerate() {
        let offset = start + 3 * k;
        if let Some(&[b0, b1, b2]) = frame.get(offset..offset + 3) {
            out[last] = convert([b0, b1, b2, 0]);
        }
    }
}

/// How a read ended.
#[derive(Debug)]
pub enum Fill {
    /// Everything asked for was read; more may follow.
    Full,
    /// The data chunk ended (cleanly) inside this read.
    End,
    /// Reading failed inside this read: the file is cut short or damaged. What was read
    /// holds the whole frames before the failure.
    Broken(std::io::Error),
}

/// A WAV file being read a block at a time.
pub struct WavReader {
    sample_rate: u32,
    /// Valid bits per sample (24 for 24 bits in 4-byte containers).
    bits: u16,
    layout: Layout,
    /// Frames the header announces, and data bytes not yet read.
    declared_frames: u64,
    data_left: u64,
    reader: BufReader<File>,
    /// Raw bytes for [`Self::fill`] and [`Self::fill_interleaved`], kept between reads.
    raw: Vec<u8>,
}

impl std::fmt::Debug for WavReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavReader")
            .field("sample_rate", &self.sample_rate)
            .field("bits", &self.bits)
            .field("layout", &self.layout)
            .field("declared_frames", &self.declared_frames)
            .finish_non_exhaustive()
    }
}

impl WavReader {
    pub fn open(path: &Path) -> Result<Self, WavError> {
        let mut reader = BufReader::with_capacity(HEADER_BUFFER_BYTES, File::open(path)?);
        let mut riff = [0u8; 12];
        read_header(&mut reader, &mut riff)?;
        if &riff[..4] != b"RIFF" || &riff[8..] != b"WAVE" {
            return Err(WavError::Malformed("no RIFF/WAVE header"));
        }
        let mut fmt = None;
        let data_len = loop {
            let mut header = [0u8; 8];
            read_header(&mut reader, &mut header)?;
            let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
            match &header[..4] {
                b"fmt " => {
                    if !(16..=MAX_FMT_BYTES).contains(&len) {
                        return Err(WavError::Malformed("fmt chunk of unexpected size"));
                    }
                    let mut chunk = vec![0u8; len as usize + (len % 2) as usize];
                    read_header(&mut reader, &mut chunk)?;
                    fmt = Some(Fmt::parse(&chunk)?);
                }
                b"data" => break len,
                // Chunks are padded to an even length.
                _ => reader.seek_relative(i64::from(len) + i64::from(len % 2))?,
            }
        };
        let fmt = fmt.ok_or(WavError::Malformed("data chunk before the fmt chunk"))?;
        let layout = fmt.layout()?;
        let declared_frames = u64::from(data_len) / layout.frame_bytes() as u64;
        Ok(Self {
            sample_rate: fmt.sample_rate,
            bits: fmt.valid_bits,
            layout,
            declared_frames,
            data_left: declared_frames * layout.frame_bytes() as u64,
            reader,
            raw: Vec::new(),
        })
    }

    /// Valid bits per sample (24 for 24 bits in 4-byte containers, 64 for double floats).
    pub fn bits_per_sample(&self) -> u16 {
        self.bits
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    pub fn channels(&self) -> usize {
        self.layout.channels
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    pub fn declared_frames(&self) -> u64 {
        self.declared_frames
    }

    /// Reads up to `frames` whole frames of raw interleaved bytes into `raw` (resized to
    /// what was read; its capacity is kept for the next read). Returns the frames read.
    pub fn read_raw(&mut self, raw: &mut Vec<u8>, frames: usize) -> (usize, Fill) {
        let frame_bytes = self.layout.frame_bytes();
        let want = (frames as u64 * frame_bytes as u64).min(self.data_left) as usize;
        raw.resize(want, 0);
        let (got, error) = read_full(&mut self.reader, raw);
        self.data_left -= got as u64;
        // A partial last frame is dropped: channels must never shift.
        let frames = got / frame_bytes;
        raw.truncate(frames * frame_bytes);
        let fill = if let Some(e) = error {
            Fill::Broken(e)
        } else if got < want {
            Fill::Broken(std::io::ErrorKind::UnexpectedEof.into())
        } else if self.data_left == 0 {
            Fill::End
        } else {
            Fill::Full
        };
        (frames, fill)
    }

    /// Fills `block` with up to its capacity of whole frames, planar.
    pub fn fill(&mut self, block: &mut Block) -> Fill {
        let mut raw = std::mem::take(&mut self.raw);
        let (frames, fill) = self.read_raw(&mut raw, block.capacity);
        for c in 0..block.channels() {
            let start = c * block.capacity;
            self.layout
                .channel_into(&raw, c, &mut block.data[start..start + block.capacity]);
        }
        block.frames = frames;
        self.raw = raw;
        fill
    }

    /// Fills `out` with as many whole interleaved frames as it holds; returns the frames read.
    /// Allocates only when `out` is larger than any read before.
    pub fn fill_interleaved(&mut self, out: &mut [f32]) -> (usize, Fill) {
        let mut raw = std::mem::take(&mut self.raw);
        let (frames, fill) = self.read_raw(&mut raw, out.len() / self.layout.channels);
        self.layout.interleaved_into(&raw, out);
        self.raw = raw;
        (frames, fill)
    }
}

/// Planar audio of whole frames: channel `c` is `data[c * capacity..c * capacity + frames]`.
#[derive(Debug)]
pub struct Block {
    data: Vec<f32>,
    capacity: usize,
    frames: usize,
}

impl Block {
    pub fn new(channels: usize, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            data: vec![0.0; channels * capacity],
            capacity,
            frames: 0,
        }
    }

    pub fn channels(&self) -> usize {
        self.data.len() / self.capacity
    }

    pub fn frames(&self) -> usize {
        self.frames
    }

    pub fn channel(&self, c: usize) -> &[f32] {
        let start = c * self.capacity;
        &self.data[start..start + self.frames]
    }
}

/// What the fmt chunk says.
#[derive(Debug, Clone, Copy)]
struct Fmt {
    /// `WAVE_FORMAT_PCM` or `WAVE_FORMAT_IEEE_FLOAT`, from the subtype when extensible.
    tag: u16,
    channels: u16,
    sample_rate: u32,
    block_align: u16,
    /// Bits of the container and of them valid (the same but for extensible files).
    container_bits: u16,
    valid_bits: u16,
}

impl Fmt {
    fn parse(b: &[u8]) -> Result<Self, WavError> {
        let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let mut fmt = Self {
            tag: u16_at(0),
            channels: u16_at(2),
            sample_rate: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            block_align: u16_at(12),
            container_bits: u16_at(14),
            valid_bits: u16_at(14),
        };
        if fmt.tag == WAVE_FORMAT_EXTENSIBLE {
            if b.len() < 40 {
                return Err(WavError::Malformed("extensible fmt chunk too short"));
            }
            if b[26..40] != SUBTYPE_GUID_TAIL {
                return Err(WavError::Unsupported("unknown extensible subtype".into()));
            }
            fmt.tag = u16_at(24);
            // Zero valid bits is common in the wild and means all of them.
            if u16_at(18) != 0 {
                fmt.valid_bits = u16_at(18);
            }
        }
        Ok(fmt)
    }

    fn layout(&self) -> Result<Layout, WavError> {
        if self.channels == 0 {
            return Err(WavError::Malformed("zero channels"));
        }
        if self.sample_rate == 0 {
            return Err(WavError::Malformed("zero sample rate"));
        }
        let channels = usize::from(self.channels);
        let bytes = usize::from(self.block_align) / channels;
        if bytes == 0
            || bytes * channels != usize::from(self.block_align)
            || bytes * 8 < usize::from(self.container_bits)
        {
            return Err(WavError::Malformed(
                "block align does not match the sample size",
            ));
        }
        let bits = u32::from(self.valid_bits);
        let format = match (self.tag, bytes) {
            (WAVE_FORMAT_PCM, 1) if bits == 8 => Format::U8,
            (WAVE_FORMAT_PCM, 2..=4) if bits >= 8 && bits as usize <= bytes * 8 => {
                Format::Int { bytes, bits }
            }
            (WAVE_FORMAT_IEEE_FLOAT, 4) if bits == 32 => Format::F32,
            (WAVE_FORMAT_IEEE_FLOAT, 8) if bits == 64 => Format::F64,
            (WAVE_FORMAT_PCM, _) => {
                return Err(WavError::Unsupported(format!(
                    "{bits}-bit integer in {bytes} bytes"
                )));
            }
            (WAVE_FORMAT_IEEE_FLOAT, _) => {
                return Err(WavError::Unsupported(format!("{bits}-bit float")));
            }
            (tag, _) => return Err(WavError::Unsupported(format!("format tag {tag:#06x}"))),
        };
        Ok(Layout { format, channels })
    }
}

/// Reads a header part whole; a file that ends inside its header is malformed, not cut short.
fn read_header(reader: &mut impl Read, buf: &mut [u8]) -> Result<(), WavError> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => WavError::Malformed("the header ends early"),
        _ => WavError::Io(e),
    })
}

/// Reads until `buf` is full, the file ends or reading fails; returns the bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (got, Some(e)),
        }
    }
    (got, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packed 24-bit codes at and next to both full scales, in every position of a frame of
    /// two and of three channels (the last sample of a buffer has no fourth byte after it):
    /// a run of channels converts them as each channel alone does, full scale to exactly ±1.
    #[test]
    fn packed_24_bit_full_scale_codes_convert_alike_in_every_position() {
        let codes: [i32; 8] = [
            0x7F_FFFF, -0x80_0000, 0x7F_FFFE, -0x7F_FFFF, 0, -1, 1, 0x40_0000,
        ];
        for channels in [2, 3] {
            let layout = Layout {
                format: Format::Int { bytes: 3, bits: 24 },
                channels,
            };
            // Every code in every channel: the codes rotate by one per frame.
            let frames = codes.len();
            let raw: Vec<u8> = (0..frames * channels)
                .flat_map(|i| {
                    let b = codes[(i + i / channels) % codes.len()].to_le_bytes();
                    [b[0], b[1], b[2]]
                })
                .collect();
            let mut outs = vec![vec![0.0f32; frames]; channels];
            layout.channels_into(&raw, 0, &mut outs);
            for (c, got) in outs.iter().enumerate() {
                let mut want = vec![0.0f32; frames];
                layout.channel_into(&raw, c, &mut want);
                assert_eq!(got, &want, "{channels} ch, channel {c}");
                for (i, &x) in got.iter().enumerate() {
                    let code = codes[(i * channels + c + i) % codes.len()];
                    match code {
                        0x7F_FFFF => assert_eq!(x, 1.0),
                        -0x80_0000 => assert_eq!(x, -1.0),
                        _ => assert!(x.abs() < 1.0 && x == code as f32 / 8_388_608.0),
                    }
                }
            }
        }
    }

    /// Every format, 7 channels, 300 frames (more than four tiles, the last one partial):
    /// picking a run of channels out in one pass gives what converting each alone gives.
    #[test]
    fn a_run_of_channels_converts_as_each_channel_alone() {
        let formats = [
            Format::U8,
            Format::Int { bytes: 2, bits: 16 },
            Format::Int { bytes: 2, bits: 12 },
            Format::Int { bytes: 3, bits: 24 },
            Format::Int { bytes: 3, bits: 20 },
            Format::Int { bytes: 4, bits: 24 },
            Format::Int { bytes: 4, bits: 32 },
            Format::F32,
            Format::F64,
        ];
        let (channels, frames) = (7, 300);
        for format in formats {
            let layout = Layout { format, channels };
            let mut seed = 0x9E37_79B9u32;
            let raw: Vec<u8> = (0..frames * layout.frame_bytes())
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    // Floats from random bytes can be NaN: both paths pass them on alike,
                    // so compare bit patterns.
                    (seed >> 24) as u8
                })
                .collect();
            for (first, width) in [(0, 7), (2, 3), (6, 1)] {
                let mut outs = vec![vec![0.0f32; frames]; width];
                layout.channels_into(&raw, first, &mut outs);
                for (k, got) in outs.iter().enumerate() {
                    let mut want = vec![0.0f32; frames];
                    layout.channel_into(&raw, first + k, &mut want);
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(got), bits(&want), "{format:?}, channel {}", first + k);
                }
            }
        }
    }
}
