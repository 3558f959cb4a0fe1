//! Gzipped inputs inflated for their readers: text into memory (it is
//! restored and read in place), binary inputs (cores, executables, traces,
//! which may be many GB) into an unnamed temporary file that is mapped, so
//! memory stays bounded whatever they inflate to.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use memmap2::Mmap;

/// What inflating gave: the bytes, and whether (and why) they stop early.
pub(crate) struct Inflated<T> {
    pub bytes: T,
    pub cut: bool,
    pub warnings: Vec<String>,
}

/// Inflates `data` into memory, at most `max` bytes.
pub(crate) fn into_memory(data: &[u8], max: u64) -> Inflated<Vec<u8>> {
    // The trailer's ISIZE (the inflated size modulo 4 GiB) sizes the buffer
    // once, so it is not grown by doubling; it is only a hint, bounded by
    // the limit.
    let hint = data
        .len()
        .checked_sub(4)
        .and_then(|at| data.get(at..))
        .and_then(|t| <[u8; 4]>::try_from(t).ok())
        .map_or(0, |t| u64::from(u32::from_le_bytes(t)));
    let mut v = Vec::with_capacity(usize::try_from(hint.min(max)).unwrap_or(0));
    let mut dec = flate2::bufread::GzDecoder::new(data).take(max);
    let result = dec.read_to_end(&mut v);
    let consumed = data.len() - dec.into_inner().get_ref().len();
    let (cut, warnings) = judge(
        result.map(|_| v.len() as u64),
        max,
        consumed,
        data.len(),
        "text",
    );
    Inflated {
        bytes: v,
        cut,
        warnings,
    }
}

/// Inflates `data` into a temporary file, at most `max` bytes, and maps
/// it. The file is unlinked as soon as it is open, so nothing is left
/// behind whatever happens to the process. `what` names the input's kind
/// in messages.
pub(crate) fn into_file(data: &[u8], max: u64, what: &str) -> Result<Inflated<Mmap>, String> {
    let dir = std::env::temp_dir();
    let file = unnamed_file(&dir).map_err(|e| {
        format!(
            "the gzipped {what} could not be inflated: no temporary file in {} ({e}); set TMPDIR to a writable directory, or gunzip it first",
            dir.display()
        )
    })?;
    let mut dec = flate2::bufread::GzDecoder::new(data).take(max);
    let mut out = io::BufWriter::with_capacity(1 << 20, &file);
    let mut buf = vec![0u8; 1 << 16];
    let mut written = 0u64;
    // A read error is damage in the stream (what precedes it is kept); a
    // write error is the temporary file's (a full disk), and ends the input.
    let read = loop {
        match dec.read(&mut buf) {
            Ok(0) => break Ok(written),
            Ok(n) => {
                let chunk = buf.get(..n).unwrap_or_default();
                if let Err(e) = out.write_all(chunk) {
                    return Err(no_room(what, &dir, &e));
                }
                written += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    out.flush().map_err(|e| no_room(what, &dir, &e))?;
    drop(out);
    let consumed = data.len() - dec.into_inner().get_ref().len();
    let (cut, warnings) = judge(read, max, consumed, data.len(), what);
    if written == 0 {
        return Err(warnings
            .into_iter()
            .next()
            .unwrap_or_else(|| format!("the gzipped {what} inflates to nothing")));
    }
    // SAFETY: the file is ours alone (created new, mode 0600, already
    // unlinked), so nothing changes it while it is mapped.
    let map = unsafe { Mmap::map(&file) }
        .map_err(|e| format!("the gzipped {what} was inflated but could not be mapped: {e}"))?;
    Ok(Inflated {
        bytes: map,
        cut,
        warnings,
    })
}

fn no_room(what: &str, dir: &Path, e: &io::Error) -> String {
    format!(
        "the gzipped {what} could not be inflated into {}: {e}; free space there, set TMPDIR, or gunzip it first",
        dir.display()
    )
}

/// A new file in `dir` that only this process can reach: created with a
/// name no one else uses, readable by its owner alone, and unlinked at once.
fn unnamed_file(dir: &Path) -> io::Result<File> {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = dir.join(format!(
        "godiag-inflated-{}-{}-{stamp}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let file = options.open(&path)?;
    // On Unix the open file outlives its name; elsewhere the name stays
    // until the file is closed.
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

/// The warnings for an inflation that gave `result` bytes (or failed).
fn judge(
    result: io::Result<u64>,
    max: u64,
    consumed: usize,
    len: usize,
    what: &str,
) -> (bool, Vec<String>) {
    match result {
        Err(e) => (
            true,
            vec![format!("gzip stream damaged at compressed byte {consumed} of {len}: {e}")],
        ),
        Ok(n) if n == max => (
            true,
            vec![format!(
                "the gzipped {what} inflates to more than {} MiB: read up to there (at compressed byte {consumed} of {len}); raise --max-inflated-mib to read it all",
                max >> 20
            )],
        ),
        Ok(_) => (false, Vec::new()),
    }
}
