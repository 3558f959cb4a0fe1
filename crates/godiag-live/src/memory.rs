//! The stopped process's memory, read from `/proc/PID/mem` in blocks that
//! are kept: the goroutine walk reads small pieces (a `g`, a few stack
//! words) close together, and one `pread` per block instead of per piece
//! keeps the pause short.

use std::borrow::Cow;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use memmap2::{MmapMut, MmapOptions};
use rustc_hash::FxHashMap;

/// Bytes read at a time: a goroutine's first stack is 8 KiB.
const BLOCK: u64 = 16 << 10;
/// Largest single read served (the walk bounds lengths read from memory by
/// the image's size; this bounds them once more).
const MAX_READ: usize = 64 << 20;

pub(crate) struct ProcessMemory {
    mem: File,
    blocks: Mutex<Blocks>,
    bytes_read: AtomicU64,
}

/// Blocks read so far, kept in arenas of [`ARENA`] bytes that the kernel is
/// asked to back with huge pages: a walk of 100,000 goroutines keeps 250
/// MiB, and a 16 KiB allocation each faulted in 64,000 pages one by one.
#[derive(Default)]
struct Blocks {
    /// Block start → where it is kept, or `None` when it could not be read
    /// whole (the end of a mapping): then reads go to the file directly.
    index: FxHashMap<u64, Option<(u32, u32)>>,
    arenas: Vec<MmapMut>,
    /// Bytes used in the last arena.
    used: usize,
}

/// Bytes per arena (a multiple of the 2 MiB huge page).
const ARENA: usize = 32 << 20;

impl Blocks {
    /// The kept bytes of the block at `at`, read now if they are not kept.
    fn get(&mut self, at: u64, read: impl FnOnce(&mut [u8]) -> bool) -> Option<&[u8]> {
        let slot = match self.index.get(&at) {
            Some(slot) => *slot,
            None => {
                let slot = self.fill_new(read);
                self.index.insert(at, slot);
                slot
            }
        };
        let (arena, offset) = slot?;
        let offset = offset as usize;
        self.arenas
            .get(arena as usize)?
            .get(offset..offset + BLOCK as usize)
    }

    /// Reads a block into the next free slot; `None` when the read fails
    /// (the slot is used by the next block) or no arena can be mapped.
    fn fill_new(&mut self, read: impl FnOnce(&mut [u8]) -> bool) -> Option<(u32, u32)> {
        let block = BLOCK as usize;
        if self.arenas.is_empty() || self.used + block > self.arenas.last()?.len() {
            // Arenas double from 1 MiB (a small program's walk keeps little),
            // their pages mapped in one call rather than faulted in one by one.
            let len = (1 << 20 << self.arenas.len().min(5)).min(ARENA);
            let arena = MmapOptions::new().len(len).populate().map_anon().ok()?;
            self.arenas.push(arena);
            self.used = 0;
        }
        let arena = self.arenas.len() - 1;
        let offset = self.used;
        let bytes = self
            .arenas
            .get_mut(arena)?
            .get_mut(offset..offset + block)?;
        if !read(bytes) {
            return None;
        }
        self.used += block;
        Some((u32::try_from(arena).ok()?, u32::try_from(offset).ok()?))
    }
}

impl ProcessMemory {
    pub(crate) fn new(mem: File) -> Self {
        Self {
            mem,
            blocks: Mutex::new(Blocks::default()),
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
        let mut out = vec![0u8; len];
        self.read_into(addr, &mut out).then_some(out)
    }

    /// Fills `out` with the bytes at `addr`, from the kept blocks (reading
    /// those not yet kept); false when any of them cannot be read.
    fn read_into(&self, addr: u64, out: &mut [u8]) -> bool {
        let Some(end) = addr.checked_add(out.len() as u64) else {
            return false;
        };
        let Ok(mut blocks) = self.blocks.lock() else {
            return self.read_direct(addr, out);
        };
        let mut at = addr - addr % BLOCK;
        while at < end {
            let Some(bytes) = blocks.get(at, |b| self.read_direct(at, b)) else {
                drop(blocks);
                return self.read_direct(addr, out);
            };
            let from = addr.max(at);
            let to = end.min(at + BLOCK);
            let src = &bytes[(from - at) as usize..(to - at) as usize];
            out[(from - addr) as usize..(to - addr) as usize].copy_from_slice(src);
            at += BLOCK;
        }
        true
    }
}

impl godiag_exe::Memory for ProcessMemory {
    fn read(&self, addr: u64, len: usize) -> Option<Cow<'_, [u8]>> {
        ProcessMemory::read(self, addr, len).map(Cow::Owned)
    }

    /// Without the allocation `read` makes: the walk reads millions of
    /// words (100,000 goroutines' `g` fields and stack slots).
    fn read_u64(&self, addr: u64) -> Option<u64> {
        let mut word = [0u8; 8];
        self.read_into(addr, &mut word)
            .then(|| u64::from_le_bytes(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use godiag_exe::Memory;

    /// Our own memory through `/proc/self/mem`: reads across blocks and
    /// arenas give the bytes that are there; an unmapped address gives none.
    #[test]
    fn reads_across_blocks_and_arenas() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mem = ProcessMemory::new(File::open("/proc/self/mem").unwrap());
        let base = data.as_ptr() as u64;
        // Unaligned, spanning several 16 KiB blocks and the first 1 MiB arena.
        for (from, len) in [(3usize, 40_000usize), (1_000_001, 1_900_000), (16_380, 8)] {
            let got = mem.read(base + from as u64, len).unwrap();
            assert_eq!(got, &data[from..from + len]);
        }
        let word = mem.read_u64(base + 16_380).unwrap();
        assert_eq!(word.to_le_bytes(), data[16_380..16_388]);
        assert_eq!(mem.read(0, 8), None);
        assert_eq!(mem.read_u64(8), None);
        assert!(mem.blocks.lock().unwrap().arenas.len() >= 2);
    }
}
