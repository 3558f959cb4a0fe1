//! Gunzip, capped, optionally on another thread so that the caller decodes
//! what has inflated while the rest inflates.

use std::io::Read;
use std::sync::mpsc;

/// Bytes inflated per hand-over.
const CHUNK: usize = 32 << 10;
/// Chunks in flight between the threads.
const IN_FLIGHT: usize = 4;

/// Inflates `gz` (at most `cap` bytes), calling `so_far` with all that is
/// inflated each time more is (with `overlap`, from another thread's
/// inflation, as it goes; without, once at the end). Returns the inflated
/// bytes and the error that stopped inflation, if one did (the bytes are
/// then what precedes it).
pub(crate) fn inflate(
    gz: &[u8],
    cap: u64,
    overlap: bool,
    mut so_far: impl FnMut(&[u8]),
) -> (Vec<u8>, Option<std::io::Error>) {
    let mut out = Vec::with_capacity(size_hint(gz, cap));
    let mut dec = flate2::read::GzDecoder::new(gz).take(cap);
    if !overlap {
        let error = dec.read_to_end(&mut out).err();
        so_far(&out);
        return (out, error);
    }
    // Chunks are allocated here and passed back and forth: the other
    // thread's allocations would come from a malloc arena of its own.
    let (full_tx, full_rx) = mpsc::sync_channel::<(Vec<u8>, Option<std::io::Error>)>(IN_FLIGHT);
    let (free_tx, free_rx) = mpsc::sync_channel::<Vec<u8>>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        let _ = free_tx.send(vec![0; CHUNK]);
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for mut chunk in free_rx {
                let mut n = 0;
                let mut error = None;
                while n < chunk.len() {
                    match dec.read(&mut chunk[n..]) {
                        Ok(0) => break,
                        Ok(k) => n += k,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            error = Some(e);
                            break;
                        }
                    }
                }
                let last = n < chunk.len() || error.is_some();
                chunk.truncate(n);
                if full_tx.send((chunk, error)).is_err() || last {
                    return;
                }
            }
        });
        let mut error = None;
        for (mut chunk, e) in full_rx.iter() {
            out.extend_from_slice(&chunk);
            let last = chunk.len() < CHUNK || e.is_some();
            error = e;
            so_far(&out);
            if last {
                break;
            }
            chunk.resize(CHUNK, 0);
            let _ = free_tx.send(chunk);
        }
        // The inflater ends when its chunks stop coming back.
        drop(free_tx);
        (out, error)
    })
}

/// The buffer to inflate into: the gzip trailer's size (the last member's,
/// modulo 2^32), believed up to 16 times the compressed size (profiles
/// compress 1.3–4×) and `cap`; past that the buffer grows as it fills. One
/// right-sized buffer spares the copies and fresh pages of growing by
/// doubling.
fn size_hint(gz: &[u8], cap: u64) -> usize {
    let Some(trailer) = gz.len().checked_sub(4).and_then(|at| gz.get(at..)) else {
        return 0;
    };
    let isize = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]) as usize;
    isize
        .min(gz.len().saturating_mul(16))
        .min(usize::try_from(cap).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn overlapped_and_not_give_the_same_bytes() {
        let data: Vec<u8> = (0..1_000_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let z = gz(&data);
        for overlap in [false, true] {
            let mut calls = 0;
            let mut grew = true;
            let mut last = 0;
            let (out, e) = inflate(&z, u64::MAX, overlap, |so_far| {
                calls += 1;
                grew &= so_far.len() >= last;
                last = so_far.len();
            });
            assert!(e.is_none());
            assert_eq!(out, data);
            assert!(grew);
            assert!(if overlap { calls > 1 } else { calls == 1 });
        }
    }

    #[test]
    fn cut_and_capped_streams() {
        let data = vec![7u8; 300_000];
        let z = gz(&data);
        for overlap in [false, true] {
            let (out, e) = inflate(&z[..z.len() / 2], u64::MAX, overlap, |_| {});
            assert!(e.is_some() || out.len() < data.len());
            let (out, e) = inflate(&z, 1000, overlap, |_| {});
            assert_eq!(out.len(), 1000);
            assert!(e.is_none());
        }
    }
}
