//! The byte level: the header, varints and batches, read in place from the input.

use crate::spec::{ev, WireVersion};
use crate::Error;

/// The header is `go 1.NN trace` padded with NULs to 16 bytes.
pub const HEADER_LEN: usize = 16;
/// The runtime never writes a batch larger than this (`MaxBatchSize`).
pub const MAX_BATCH_SIZE: u64 = 64 << 10;
/// Longest string in a string table (`MaxEventTrailerDataSize`).
pub const MAX_STRING_SIZE: u64 = 1024;
/// Most frames in one stack (`MaxFramesPerStack`).
pub const MAX_FRAMES: u64 = 128;
/// The M of batches that belong to no thread (strings, stacks, samples, clock).
pub const NO_THREAD: i64 = -1;

/// What the header says: a v2 wire version, or an older (v1) trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    V2(WireVersion),
    /// Go 1.11–1.21 write the older format (`go 1.11`, `go 1.19`, `go 1.21 trace`).
    V1(u32),
}

/// Reads the 16-byte header; `None` if this is not a Go execution trace at all.
pub fn read_header(data: &[u8]) -> Option<Header> {
    let head = data.get(..HEADER_LEN)?;
    let rest = head.strip_prefix(b"go 1.")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let minor: u32 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let tail = &rest[digits..];
    if !tail.starts_with(b" trace\0\0\0") || tail[9..].iter().any(|&b| b != 0) {
        return None;
    }
    match WireVersion::from_minor(minor) {
        Some(v) => Some(Header::V2(v)),
        None => Some(Header::V1(minor)),
    }
}

/// Decodes an unsigned LEB128 at `*pos`, accepting the runtime's zero-padded
/// 10-byte forms. Returns `None` on EOF or overflow; `*pos` is left unchanged then.
#[inline(always)]
pub fn uvarint(data: &[u8], pos: &mut usize) -> Option<u64> {
    // Most arguments (deltas, IDs, sequence numbers) fit in one byte.
    if let Some(&b) = data.get(*pos) {
        if b < 0x80 {
            *pos += 1;
            return Some(u64::from(b));
        }
    }
    let mut value: u64 = 0;
    let mut shift = 0u32;
    let mut i = *pos;
    loop {
        let b = *data.get(i)?;
        i += 1;
        if shift == 63 && b > 1 {
            return None;
        }
        value |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            *pos = i;
            return Some(value);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

/// One batch, borrowed from the input.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    pub gen: u64,
    /// The OS thread that wrote it, or `NO_THREAD`.
    pub m: i64,
    /// Timestamp (in trace clock ticks) that the first event's delta starts from.
    pub time: u64,
    pub data: &'a [u8],
    /// Experiment number for experimental batches, 0 otherwise.
    pub exp: u8,
    /// Offset of `data` in the input.
    pub offset: u64,
}

impl Batch<'_> {
    fn first(&self) -> Option<u8> {
        if self.exp != 0 {
            return None;
        }
        self.data.first().copied()
    }
    pub fn is_strings(&self) -> bool {
        self.first() == Some(ev::STRINGS)
    }
    pub fn is_stacks(&self) -> bool {
        self.first() == Some(ev::STACKS)
    }
    pub fn is_cpu_samples(&self) -> bool {
        self.first() == Some(ev::CPU_SAMPLES)
    }
    pub fn is_sync(&self, v: WireVersion) -> bool {
        let want = if v.has_sync_batch() {
            ev::SYNC
        } else {
            ev::FREQUENCY
        };
        self.first() == Some(want)
    }
}

/// What comes next in the stream.
#[derive(Clone, Copy, Debug)]
pub enum Item<'a> {
    Batch(Batch<'a>),
    /// The 1.26 in-band end of a generation.
    EndOfGeneration,
}

/// Reads the batch (or end-of-generation byte) at `*pos`. `Ok(None)` at the end of the
/// input. A batch cut short is an error with `truncated` set.
pub fn read_item<'a>(data: &'a [u8], pos: &mut usize) -> Result<Option<Item<'a>>, Error> {
    let start = *pos;
    let Some(&typ) = data.get(start) else {
        return Ok(None);
    };
    let mut p = start + 1;
    if typ == ev::END_OF_GENERATION {
        *pos = p;
        return Ok(Some(Item::EndOfGeneration));
    }
    if typ != ev::EVENT_BATCH && typ != ev::EXPERIMENTAL_BATCH {
        // Two traces joined end to end (`cat a.trace b.trace`): the second's
        // header where a batch should be.
        if data.get(start..).and_then(read_header).is_some() {
            return Err(Error::at(
                start as u64,
                "a second trace starts here (traces joined end to end); only the first is read",
            ));
        }
        return Err(Error::at(
            start as u64,
            format!("expected batch event, got event {typ}"),
        ));
    }
    let cut =
        |what: &str| Error::truncated(start as u64, format!("batch header cut short ({what})"));
    let mut exp = 0;
    if typ == ev::EXPERIMENTAL_BATCH {
        exp = *data.get(p).ok_or_else(|| cut("experiment"))?;
        p += 1;
    }
    let mut field = |what: &str| -> Result<u64, Error> {
        match uvarint(data, &mut p) {
            Some(v) => Ok(v),
            None if p >= data.len() || data.len() - p < 10 => Err(cut(what)),
            None => Err(Error::at(p as u64, format!("bad varint in batch {what}"))),
        }
    };
    let gen = field("gen")?;
    let m = field("m")? as i64;
    let time = field("time")?;
    let size = field("size")?;
    if size > MAX_BATCH_SIZE {
        return Err(Error::at(
            start as u64,
            format!("invalid batch size {size}, maximum is {MAX_BATCH_SIZE}"),
        ));
    }
    let size = size as usize;
    let Some(body) = data.get(p..p + size) else {
        return Err(Error::truncated(
            start as u64,
            format!(
                "batch cut short: {} of {size} bytes present",
                data.len().saturating_sub(p)
            ),
        ));
    };
    *pos = p + size;
    Ok(Some(Item::Batch(Batch {
        gen,
        m,
        time,
        data: body,
        exp,
        offset: p as u64,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_varints() {
        let b = [0x98, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        let mut p = 0;
        assert_eq!(uvarint(&b, &mut p), Some(0x18));
        assert_eq!(p, 10);
        let over = [0xff; 11];
        let mut p = 0;
        assert_eq!(uvarint(&over, &mut p), None);
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        let mut p = 0;
        assert_eq!(uvarint(&max, &mut p), Some(u64::MAX));
    }

    #[test]
    fn headers() {
        assert_eq!(
            read_header(b"go 1.23 trace\0\0\0rest"),
            Some(Header::V2(WireVersion::GO123))
        );
        assert_eq!(read_header(b"go 1.21 trace\0\0\0"), Some(Header::V1(21)));
        assert_eq!(read_header(b"go 1.23 trace\0\0x"), None);
        assert_eq!(read_header(b"go 1.2"), None);
    }
}
