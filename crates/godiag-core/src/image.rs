//! A process image as the goroutine walk reads it: memory at virtual
//! addresses (through [`Memory`]: a core file's segments now, a live
//! process later), the threads with their registers, and the auxiliary
//! vector. Every reader of Go state in this crate works on an `Image`,
//! never on the core file itself.

use std::borrow::Cow;

use godiag_exe::{GoExecutable, Memory};

/// One thread of the process when the image was taken (a core's `NT_PRSTATUS`).
#[derive(Clone, Debug)]
pub struct Thread {
    pub pid: u32,
    /// The signal that stopped it (`pr_cursig`).
    pub signal: u16,
    pub rip: u64,
    pub rsp: u64,
    pub rbp: u64,
    pub fs_base: u64,
    /// All 27 general registers in `user_regs_struct` order.
    pub regs: Vec<(&'static str, u64)>,
}

/// What the walk reads.
pub struct Image<'m> {
    memory: &'m dyn Memory,
    pub threads: &'m [Thread],
    /// The auxiliary vector (`AT_*` key, value).
    pub auxv: &'m [(u64, u64)],
    /// Called now and then during long walks, to let memory that was read
    /// go (a mapped core's pages).
    pub(crate) release: Option<&'m dyn Fn()>,
    /// Told now and then during the goroutine walk how far it got:
    /// (goroutines read, goroutines in all).
    pub(crate) progress: Option<&'m dyn Fn(usize, usize)>,
    /// How many bytes the image can hold at most: counts read from memory
    /// (slice lengths) are bounded by it before anything is sized by them.
    pub(crate) limit: u64,
}

impl<'m> Image<'m> {
    pub fn new(
        memory: &'m dyn Memory,
        threads: &'m [Thread],
        auxv: &'m [(u64, u64)],
        limit: u64,
    ) -> Self {
        Image {
            memory,
            threads,
            auxv,
            release: None,
            progress: None,
            limit,
        }
    }

    /// Calls `release` every few thousand goroutines of a walk.
    pub fn with_page_release(mut self, release: &'m dyn Fn()) -> Self {
        self.release = Some(release);
        self
    }

    /// Calls `progress` (goroutines read, in all) every few thousand
    /// goroutines of a walk.
    pub fn with_progress(mut self, progress: &'m dyn Fn(usize, usize)) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The memory behind the image.
    pub fn memory(&self) -> &'m dyn Memory {
        self.memory
    }

    pub fn read(&self, addr: u64, len: usize) -> Option<Cow<'m, [u8]>> {
        self.memory.read(addr, len)
    }

    pub fn read_u64(&self, addr: u64) -> Option<u64> {
        self.memory.read_u64(addr)
    }

    pub(crate) fn read_u32(&self, addr: u64) -> Option<u32> {
        Some(u32::from_le_bytes(
            self.read(addr, 4)?.as_ref().try_into().ok()?,
        ))
    }

    pub fn read_u8(&self, addr: u64) -> Option<u8> {
        self.read(addr, 1).and_then(|b| b.first().copied())
    }

    /// `AT_ENTRY`: the program's entry point as loaded.
    pub fn entry(&self) -> Option<u64> {
        self.auxv.iter().find(|(k, _)| *k == 9).map(|(_, v)| *v)
    }
}

/// An image with the executable behind it, for what a process image may
/// lack: read-only data and text, which the kernel does not write into a
/// core (a Go string constant, say).
pub struct ProcessImage<'c, 'e> {
    pub core: &'c Image<'c>,
    pub exe: &'c GoExecutable<'e>,
    /// Load address minus link address (PIE).
    pub bias: u64,
}

impl Memory for ProcessImage<'_, '_> {
    fn read(&self, addr: u64, len: usize) -> Option<Cow<'_, [u8]>> {
        self.core.read(addr, len).or_else(|| {
            self.exe
                .read(addr.wrapping_sub(self.bias), len)
                .map(Cow::Borrowed)
        })
    }
}
