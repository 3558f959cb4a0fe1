//! Gunzip, capped, in pieces, optionally on another thread so that the
//! caller decodes what has inflated while the rest inflates.

use std::io::Read;
use std::sync::mpsc;

/// Bytes inflated per hand-over.
const CHUNK: usize = 32 << 10;
/// Chunks in flight between the threads.
const IN_FLIGHT: usize = 4;

/// Inflates `gz` (at most `cap` bytes), handing each piece to `piece` in
/// order: with `overlap`, inflated on another thread while `piece` runs
/// here. Returns how many bytes were inflated and the error that stopped
/// inflation, if one did (the pieces are then what precedes it).
pub(crate) fn inflate(
    gz: &[u8],
    cap: u64,
    overlap: bool,
    mut piece: impl FnMut(&[u8]),
) -> (u64, Option<std::io::Error>) {
    let mut dec = flate2::bufread::GzDecoder::new(gz).take(cap);
    let mut total = 0u64;
    if !overlap {
        let mut chunk = vec![0; CHUNK];
        loop {
            let (n, error) = fill(&mut dec, &mut chunk);
            total += n as u64;
            if n > 0 {
                piece(&chunk[..n]);
            }
            if n < CHUNK || error.is_some() {
                return (total, error);
            }
        }
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
                chunk.resize(CHUNK, 0);
                let (n, error) = fill(&mut dec, &mut chunk);
                let last = n < CHUNK || error.is_some();
                chunk.truncate(n);
                if full_tx.send((chunk, error)).is_err() || last {
                    return;
                }
            }
        });
        let mut error = None;
        for (chunk, e) in full_rx.iter() {
            total += chunk.len() as u64;
            if !chunk.is_empty() {
                piece(&chunk);
            }
            let last = chunk.len() < CHUNK || e.is_some();
            error = e;
            if last {
                break;
            }
            let _ = free_tx.send(chunk);
        }
        // The inflater ends when its chunks stop coming back.
        drop(free_tx);
        (total, error)
    })
}

/// Reads into `chunk` until it is full, the stream ends or fails.
fn fill(r: &mut impl Read, chunk: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut n = 0;
    while n < chunk.len() {
        match r.read(&mut chunk[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
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
            let mut out = Vec::new();
            let mut calls = 0;
            let (total, e) = inflate(&z, u64::MAX, overlap, |piece| {
                calls += 1;
                out.extend_from_slice(piece);
            });
            assert!(e.is_none());
            assert_eq!(total as usize, data.len());
            assert_eq!(out, data);
            assert!(calls > 1);
        }
    }

    #[test]
    fn cut_and_capped_streams() {
        let data = vec![7u8; 300_000];
        let z = gz(&data);
        for overlap in [false, true] {
            let (total, e) = inflate(&z[..z.len() / 2], u64::MAX, overlap, |_| {});
            assert!(e.is_some() || (total as usize) < data.len());
            let mut got = 0;
            let (total, e) = inflate(&z, 1000, overlap, |p| got += p.len());
            assert_eq!((total, got), (1000, 1000));
            assert!(e.is_none());
        }
    }
}
