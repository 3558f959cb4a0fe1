//! The stopped process's memory, read from `/proc/PID/mem` in blocks that
//! are kept: the goroutine walk reads small pieces (a `g`, a few stack
//! words) close together, and one `pread` per block instead of per piece
//! keeps the pause short.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Bytes read at a time: a goroutine's first stack is 8 KiB.
const BLOCK: u64 = 16 << 10;
/// Largest single read served (the walk bounds lengths read from memory by
/// the image's size; this bounds them once more).
const MAX_READ: usize = 64 << 20;

pub(crate) struct ProcessMemory {
    mem: File,
    /// Block start → its bytes, or `None` when it could not be read whole
    /// (the end of a mapping): then reads go to the file directly.
    blocks: Mutex<HashMap<u64, Option<Box<[u8]>>>>,
    bytes_read: AtomicU64,
}

impl ProcessMemory {
    pub(crate) fn new(mem: File) -> Self {
        Self {
            mem,
            blocks: Mutex::new(HashMap::new()),
            bytes_read: AtomicU64::new(0),
        }
    }

    /// Bytes read from the process so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// Reads directly, without the cache (writing a core).
    pub(crate) fn read_direct(&self, addr: u64, buf: &mut [u8]) -> bool {
        let ok = self.mem.read_exact_at(buf, addr).is_ok();
        if ok {
            self.bytes_read
                .fetch_add(buf.len() as u64, Ordering::Relaxed);
        }
        ok
    }

    pub(crate) fn read(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        if len > MAX_READ {
            return None;
        }
        let end = addr.checked_add(len as u64)?;
        let mut out = vec![0u8; len];
        let Ok(mut blocks) = self.blocks.lock() else {
            return self.read_direct(addr, &mut out).then_some(out);
        };
        let mut at = addr - addr % BLOCK;
        while at < end {
            let block = blocks.entry(at).or_insert_with(|| {
                let mut b = vec![0u8; BLOCK as usize].into_boxed_slice();
                self.read_direct(at, &mut b).then_some(b)
            });
            let Some(bytes) = block else {
                drop(blocks);
                return self.read_direct(addr, &mut out).then_some(out);
            };
            let from = addr.max(at);
            let to = end.min(at + BLOCK);
            let src = &bytes[(from - at) as usize..(to - at) as usize];
            out[(from - addr) as usize..(to - addr) as usize].copy_from_slice(src);
            at += BLOCK;
        }
        Some(out)
    }
}

impl godiag_exe::Memory for ProcessMemory {
    fn read(&self, addr: u64, len: usize) -> Option<Cow<'_, [u8]>> {
        ProcessMemory::read(self, addr, len).map(Cow::Owned)
    }
}
