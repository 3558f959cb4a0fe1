//! The stopped process's memory, read with `process_vm_readv` (or from
//! `/proc/PID/mem` where that call is refused) in blocks of which the most
//! recent are kept: the goroutine walk reads small pieces (a `g`, a few
//! stack words) close together, and one read per block instead of per
//! piece keeps the pause short.

use std::borrow::Cow;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
    /// The process, for `process_vm_readv`: it copies straight from the
    /// process's pages into ours, where a `pread` of `/proc/PID/mem` goes
    /// through a kernel page in between (two copies of every byte).
    pid: Option<nix::unistd::Pid>,
    /// `process_vm_readv` was refused (a seccomp profile, an old kernel):
    /// `/proc/PID/mem` from then on.
    vm_readv_refused: AtomicBool,
    blocks: Mutex<Blocks>,
    bytes_read: AtomicU64,
}

/// Blocks read recently, at most [`KEPT`] bytes of them, in anonymous
/// arenas whose pages are mapped in one call each. The oldest block makes
/// room for a new one: a walk of 100,000 goroutines reads 250 MiB, which
/// were all kept (a program of millions would have made godiag hold GBs),
/// and each new page was zeroed and faulted in; a block needed again after
/// it left is read again, which costs a `pread`.
#[derive(Default)]
struct Blocks {
    /// Block start → the slot that holds it, or `None` when it could not be
    /// read whole (the end of a mapping): then reads go to the file directly.
    index: FxHashMap<u64, Option<u32>>,
    arenas: Vec<MmapMut>,
    /// Per slot in use, the block it holds (`u64::MAX`: none).
    owner: Vec<u64>,
    /// Once every slot is in use, the next to reuse (the oldest).
    hand: usize,
    /// `None` entries in `index`.
    unreadable: usize,
    /// The block read last and its slot: the walk reads a `g`'s fields and
    /// a stack's words one after another, mostly from one block.
    last: Option<(u64, u32)>,
}

/// Bytes kept at most, and per arena.
const KEPT: usize = 64 << 20;
const ARENA: usize = 4 << 20;
const SLOTS: usize = KEPT / BLOCK as usize;
const SLOTS_PER_ARENA: usize = ARENA / BLOCK as usize;
/// Unreadable blocks remembered at most.
const UNREADABLE_KEPT: usize = 1 << 16;

impl Blocks {
    /// The bytes of the block at `at`, read now if they are not kept.
    fn get(&mut self, at: u64, read: impl FnOnce(&mut [u8]) -> bool) -> Option<&[u8]> {
        if let Some((last, slot)) = self.last {
            if last == at {
                return self.slot_mut(slot as usize).map(|b| &*b);
            }
        }
        let slot = match self.index.get(&at) {
            Some(slot) => *slot,
            None => {
                let slot = self.fill(at, read);
                if slot.is_none() {
                    // Blocks that could not be read are remembered too, up
                    // to a bound: a walk through many bad pointers forgets
                    // them rather than grow.
                    self.unreadable += 1;
                    if self.unreadable > UNREADABLE_KEPT {
                        self.index.retain(|_, s| s.is_some());
                        self.unreadable = 1;
                    }
                }
                self.index.insert(at, slot);
                slot
            }
        };
        let slot = slot?;
        self.last = Some((at, slot));
        self.slot_mut(slot as usize).map(|b| &*b)
    }

    fn slot_mut(&mut self, slot: usize) -> Option<&mut [u8]> {
        let offset = (slot % SLOTS_PER_ARENA) * BLOCK as usize;
        self.arenas
            .get_mut(slot / SLOTS_PER_ARENA)?
            .get_mut(offset..offset + BLOCK as usize)
    }

    /// Reads block `at` into a new slot, or the oldest one's; `None` when
    /// the read fails (the slot stays free) or no arena can be mapped.
    fn fill(&mut self, at: u64, read: impl FnOnce(&mut [u8]) -> bool) -> Option<u32> {
        let fresh = self.owner.len() < SLOTS;
        let slot = if fresh {
            let slot = self.owner.len();
            if slot == self.arenas.len() * SLOTS_PER_ARENA {
                self.arenas
                    .push(MmapOptions::new().len(ARENA).populate().map_anon().ok()?);
            }
            self.owner.push(u64::MAX);
            slot
        } else {
            let slot = self.hand;
            self.hand = (slot + 1) % SLOTS;
            let old = std::mem::replace(&mut self.owner[slot], u64::MAX);
            self.index.remove(&old);
            if self.last.is_some_and(|(at, _)| at == old) {
                self.last = None;
            }
            slot
        };
        if !self.slot_mut(slot).is_some_and(read) {
            // Free for the next block.
            if fresh {
                self.owner.pop();
            } else {
                self.hand = slot;
            }
            return None;
        }
        self.owner[slot] = at;
        u32::try_from(slot).ok()
    }
}

impl ProcessMemory {
    /// Memory read through `mem` (`/proc/PID/mem`), and through
    /// `process_vm_readv` of `pid` when given.
    pub(crate) fn new(mem: File, pid: Option<i32>) -> Self {
        Self {
            mem,
            pid: pid.map(nix::unistd::Pid::from_raw),
            vm_readv_refused: AtomicBool::new(false),
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
        let ok = match self.vm_read(addr, buf) {
            Some(ok) => ok,
            None => self.mem.read_exact_at(buf, addr).is_ok(),
        };
        if ok {
            self.bytes_read
                .fetch_add(buf.len() as u64, Ordering::Relaxed);
        }
        ok
    }

    /// `buf` filled by `process_vm_readv`: whether it was read whole, or
    /// `None` when the call is not available (then `/proc/PID/mem` is used).
    fn vm_read(&self, addr: u64, buf: &mut [u8]) -> Option<bool> {
        use nix::errno::Errno;
        let pid = self.pid?;
        if self.vm_readv_refused.load(Ordering::Relaxed) {
            return None;
        }
        let Ok(base) = usize::try_from(addr) else {
            return Some(false);
        };
        let len = buf.len();
        let remote = [nix::sys::uio::RemoteIoVec { base, len }];
        match nix::sys::uio::process_vm_readv(pid, &mut [std::io::IoSliceMut::new(buf)], &remote) {
            // A range that runs into an unmapped page is read in part.
            Ok(n) => Some(n == len),
            // Not mapped, or not all of it: the address is wrong, not the call.
            Err(Errno::EFAULT | Errno::EIO | Errno::EINVAL) => Some(false),
            // ENOSYS, EPERM (seccomp), ESRCH (gone; the file says so too).
            Err(_) => {
                self.vm_readv_refused.store(true, Ordering::Relaxed);
                None
            }
        }
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

    /// Our own memory, through `/proc/self/mem`, through `process_vm_readv`,
    /// and through the file again when the call is refused (no such
    /// process): reads across blocks and arenas give the bytes that are
    /// there; an unmapped address gives none.
    #[test]
    fn reads_across_blocks_and_arenas() {
        let own = i32::try_from(std::process::id()).unwrap();
        for pid in [None, Some(own), Some(i32::MAX)] {
            reads_back(ProcessMemory::new(
                File::open("/proc/self/mem").unwrap(),
                pid,
            ));
        }
    }

    fn reads_back(mem: ProcessMemory) {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
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
        assert!(!mem.blocks.lock().unwrap().arenas.is_empty());
    }

    /// Past [`KEPT`] bytes the oldest blocks make room: what is kept stays
    /// bounded, and a block read again after it left has its bytes.
    #[test]
    fn keeps_at_most_its_bound() {
        let data: Vec<u8> = (0..(KEPT + (8 << 20)) as u64)
            .map(|i| (i % 253) as u8)
            .collect();
        let mem = ProcessMemory::new(File::open("/proc/self/mem").unwrap(), None);
        let base = data.as_ptr() as u64;
        for at in (0..data.len() - 64).step_by(BLOCK as usize / 2) {
            assert_eq!(
                mem.read_u64(base + at as u64).unwrap().to_le_bytes(),
                data[at..at + 8]
            );
        }
        {
            let blocks = mem.blocks.lock().unwrap();
            assert_eq!(blocks.arenas.len(), KEPT / ARENA);
            assert_eq!(blocks.owner.len(), SLOTS);
            assert!(blocks.index.values().flatten().count() <= SLOTS);
        }
        // The first blocks left; read again, they are right.
        assert_eq!(mem.read(base + 5, 100).unwrap(), &data[5..105]);
        // Unreadable blocks are remembered up to their own bound.
        for i in 0..(UNREADABLE_KEPT as u64 + 100) {
            assert_eq!(mem.read_u64(BLOCK * (i + 1)), None);
        }
        let blocks = mem.blocks.lock().unwrap();
        assert!(blocks.index.values().filter(|s| s.is_none()).count() <= UNREADABLE_KEPT);
    }
}
