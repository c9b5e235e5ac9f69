//! Streaming WAV decoding into planar `f32` blocks of whole frames, with clip marking.
//!
//! Only one block is in hand at a time, so memory does not grow with the file. Samples are
//! converted by [`crate::meter::sample`], so the full-scale integer codes become exactly ±1.0
//! and the meter's single `|x| >= 1.0` clip rule holds for every format.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use hound::{SampleFormat, WavSpec};

use crate::meter::sample::{float_to_f32, signed_to_f32};

/// Read buffer for the header walk; the sample data is read in whole blocks.
const HEADER_BUFFER_BYTES: usize = 64 * 1024;

/// How one stored sample becomes a meter sample.
#[derive(Debug, Clone, Copy)]
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

/// A WAV file being read block by block. hound parses and validates the header; the sample
/// data is then converted straight from the bytes, several times faster than sample by sample.
pub struct Decoder<R = BufReader<File>> {
    spec: WavSpec,
    format: Format,
    /// Bytes per stored sample and per frame.
    sample_bytes: usize,
    frame_bytes: usize,
    /// Frames the header announces, and data bytes not yet read.
    declared_frames: u64,
    data_left: u64,
    reader: R,
    /// Raw bytes of the block being converted, kept between blocks.
    raw: Vec<u8>,
}

impl<R> std::fmt::Debug for Decoder<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("spec", &self.spec)
            .field("format", &self.format)
            .field("declared_frames", &self.declared_frames)
            .finish_non_exhaustive()
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

    pub fn frames(&self) -> usize {
        self.frames
    }

    pub fn channel(&self, c: usize) -> &[f32] {
        let start = c * self.capacity;
        &self.data[start..start + self.frames]
    }
}

/// How a block read ended short of its capacity.
#[derive(Debug)]
pub enum Fill {
    /// The block is full; more may follow.
    Full,
    /// The data chunk ended (cleanly) inside this block.
    End,
    /// Reading failed inside this block: the file is cut short or damaged. The block holds
    /// the whole frames read before the failure.
    Broken(hound::Error),
}

impl Decoder {
    pub fn open(path: &Path) -> Result<Self, hound::Error> {
        let file = File::open(path)?;
        Self::new(BufReader::with_capacity(HEADER_BUFFER_BYTES, file))
    }
}

impl<R: Read + Seek> Decoder<R> {
    /// Reads WAV bytes from `reader`, positioned at the start of the RIFF header.
    pub fn new(mut reader: R) -> Result<Self, hound::Error> {
        let start = reader.stream_position()?;
        let align = block_align(&mut reader);
        reader.seek(SeekFrom::Start(start))?;
        let wav = hound::WavReader::new(reader)?;
        let spec = wav.spec();
        let samples = u64::from(wav.len());
        let bits = u32::from(spec.bits_per_sample);
        // hound reports valid bits; the container width (e.g. 24 bits stored in 4 bytes) is
        // the fmt chunk's block align per channel.
        let channels = usize::from(spec.channels).max(1);
        let sample_bytes = align
            .map(|a| usize::from(a) / channels)
            .filter(|&b| b * 8 >= bits as usize)
            .unwrap_or(bits.div_ceil(8) as usize);
        // Positioned at the first byte of the data chunk.
        let reader = wav.into_inner();
        let format = match (spec.sample_format, sample_bytes) {
            (SampleFormat::Int, 1) if bits == 8 => Format::U8,
            (SampleFormat::Int, 2..=4) if bits >= 8 && bits as usize <= sample_bytes * 8 => {
                Format::Int {
                    bytes: sample_bytes,
                    bits,
                }
            }
            (SampleFormat::Float, 4) if bits == 32 => Format::F32,
            (SampleFormat::Float, 8) if bits == 64 => Format::F64,
            _ => return Err(hound::Error::Unsupported),
        };
        let frame_bytes = sample_bytes * usize::from(spec.channels);
        if frame_bytes == 0 {
            return Err(hound::Error::FormatError("zero channels"));
        }
        Ok(Self {
            spec,
            format,
            sample_bytes,
            frame_bytes,
            declared_frames: samples / channels as u64,
            data_left: samples / channels as u64 * frame_bytes as u64,
            reader,
            raw: Vec::new(),
        })
    }

    pub fn spec(&self) -> WavSpec {
        self.spec
    }

    pub fn declared_frames(&self) -> u64 {
        self.declared_frames
    }

    /// Fills `block` with up to its capacity of whole frames.
    pub fn fill(&mut self, block: &mut Block) -> Fill {
        block.frames = 0;
        let want = (block.capacity as u64 * self.frame_bytes as u64).min(self.data_left);
        self.raw.resize(want as usize, 0);
        let (got, error) = read_full(&mut self.reader, &mut self.raw);
        self.data_left -= got as u64;
        // A partial last frame is dropped: channels must never shift.
        let frames = got / self.frame_bytes;
        let raw = &self.raw[..frames * self.frame_bytes];
        match self.format {
            Format::U8 => convert(raw, block, 1, |b| signed_to_f32(i64::from(b[0]) - 128, 8)),
            Format::Int { bytes, bits } => {
                let shift = bytes as u32 * 8 - bits;
                match bytes {
                    2 => convert(raw, block, 2, |b| {
                        let v = i64::from(i16::from_le_bytes([b[0], b[1]]));
                        signed_to_f32(v >> shift, bits)
                    }),
                    3 => convert(raw, block, 3, |b| {
                        // Sign-extend by placing the 24 bits at the top of an i32.
                        let v = i64::from(i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8);
                        signed_to_f32(v >> shift, bits)
                    }),
                    _ => convert(raw, block, 4, |b| {
                        let v = i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                        signed_to_f32(v >> shift, bits)
                    }),
                }
            }
            Format::F32 => convert(raw, block, 4, |b| {
                float_to_f32(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            }),
            Format::F64 => convert(raw, block, 8, |b| {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                float_to_f32(f64::from_le_bytes(a))
            }),
        }
        block.frames = frames;
        debug_assert_eq!(
            self.sample_bytes * usize::from(self.spec.channels),
            self.frame_bytes
        );
        if let Some(e) = error {
            return Fill::Broken(hound::Error::IoError(e));
        }
        if got < want as usize {
            return Fill::Broken(hound::Error::IoError(
                std::io::ErrorKind::UnexpectedEof.into(),
            ));
        }
        if self.data_left == 0 {
            Fill::End
        } else {
            Fill::Full
        }
    }
}

/// The fmt chunk's block align (bytes per frame), if the chunk can be found.
fn block_align(file: &mut impl Read) -> Option<u16> {
    let mut riff = [0u8; 12];
    file.read_exact(&mut riff).ok()?;
    loop {
        let mut header = [0u8; 8];
        file.read_exact(&mut header).ok()?;
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if &header[..4] == b"fmt " {
            let mut fmt = [0u8; 14];
            file.read_exact(&mut fmt).ok()?;
            return Some(u16::from_le_bytes([fmt[12], fmt[13]]));
        }
        // Chunks are padded to an even length.
        let skip = u64::from(len) + u64::from(len % 2);
        std::io::copy(&mut (&mut *file).take(skip), &mut std::io::sink()).ok()?;
    }
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

/// Converts interleaved raw frames into the block's planar channels.
#[inline]
fn convert(raw: &[u8], block: &mut Block, sample_bytes: usize, to_f32: impl Fn(&[u8]) -> f32) {
    let cap = block.capacity;
    let channels = block.data.len() / cap;
    let frame_bytes = sample_bytes * channels;
    for (f, frame) in raw.chunks_exact(frame_bytes).enumerate() {
        for (c, sample) in frame.chunks_exact(sample_bytes).enumerate() {
            block.data[c * cap + f] = to_f32(sample);
        }
    }
}
