//! The core file itself: ELF notes (threads, registers, auxv) and memory
//! reads across its `PT_LOAD` segments.

use object::read::elf::{ElfFile64, FileHeader, ProgramHeader};
use object::{elf, Endianness, Object};

use crate::image::{Image, Thread};

/// Why a core could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The ELF header or program header table does not parse.
    #[error("not an ELF file (at byte {offset}): {message}")]
    NotElf { offset: u64, message: String },
    /// An ELF file of another type (an executable, a shared object).
    #[error("an ELF file, but not a core: e_type {e_type} at byte 16")]
    NotCore { e_type: u16 },
    /// The executable given with the core does not parse.
    #[error("the executable is not an ELF file: {0}")]
    ExecutableNotElf(String),
    #[error("the executable has no symbol `{0}` (stripped?): goroutines cannot be listed")]
    NoSymbol(&'static str),
    /// A runtime structure lies at an address the core holds no memory for.
    #[error("the core does not hold memory at address {addr:#x}")]
    Unmapped { addr: u64 },
}

/// The registers of `user_regs_struct` (x86-64), in order: a core's
/// `NT_PRSTATUS` and ptrace's `GETREGS` both use it.
pub const USER_REGS: [&str; 27] = [
    "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi",
    "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs",
    "gs",
];

/// A `PT_LOAD` segment of a core: memory at `vaddr..vaddr+memsz`, of which
/// the first `filesz` bytes were saved at `offset` in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub memsz: u64,
    pub offset: u64,
    pub filesz: u64,
}

/// An ELF core file.
pub struct Core<'a> {
    pub(crate) data: &'a [u8],
    /// Called now and then while walking goroutines, to let a memory-mapped
    /// core's pages go (see [`Core::with_page_release`]).
    pub(crate) release: Option<&'a dyn Fn()>,
    /// The `PT_LOAD` segments: where memory lies in the file.
    segments: Vec<Segment>,
    pub threads: Vec<Thread>,
    pub auxv: Vec<(u64, u64)>,
    /// The command line the program was started with, as the kernel keeps
    /// it (`NT_PRPSINFO`: the first 80 bytes).
    pub command: Option<String>,
    /// The files mapped into the process (`NT_FILE`).
    pub files: Vec<MappedFile>,
    /// The core is shorter than its segments say (`ulimit -c`, a full disk,
    /// a copy cut short): the length its program headers need. Memory past
    /// the end of the file cannot be read.
    pub expected_len: Option<u64>,
}

pub(crate) fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

impl<'a> Core<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Self, CoreError> {
        let file = ElfFile64::<Endianness>::parse(data).map_err(|e| CoreError::NotElf {
            offset: 0,
            message: e.to_string(),
        })?;
        let endian = file.endian();
        let e_type = file.elf_header().e_type(endian);
        if e_type != elf::ET_CORE {
            return Err(CoreError::NotCore { e_type });
        }
        let mut core = Core {
            data,
            release: None,
            segments: Vec::new(),
            threads: Vec::new(),
            auxv: Vec::new(),
            command: None,
            files: Vec::new(),
            expected_len: None,
        };
        for ph in file.elf_program_headers() {
            match ph.p_type(endian) {
                elf::PT_LOAD => {
                    let (off, filesz) = (ph.p_offset(endian), ph.p_filesz(endian));
                    let end = off.saturating_add(filesz);
                    if end > data.len() as u64 {
                        core.expected_len = core.expected_len.max(Some(end));
                    }
                    core.segments.push(Segment {
                        vaddr: ph.p_vaddr(endian),
                        memsz: ph.p_memsz(endian),
                        offset: off,
                        filesz,
                    });
                }
                elf::PT_NOTE => {
                    let Ok(Some(mut notes)) = ph.notes(endian, data) else {
                        continue;
                    };
                    while let Ok(Some(note)) = notes.next() {
                        let desc = note.desc();
                        match note.n_type(endian) {
                            elf::NT_PRSTATUS => {
                                // elf_prstatus: cursig @12, pid @32, pr_reg @112.
                                let reg = |i: usize| u64_at(desc, 112 + 8 * i).unwrap_or(0);
                                let regs: Vec<(&'static str, u64)> = USER_REGS
                                    .iter()
                                    .enumerate()
                                    .map(|(i, n)| (*n, reg(i)))
                                    .collect();
                                core.threads.push(Thread {
                                    pid: desc.get(32..36).map_or(0, |b| {
                                        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
                                    }),
                                    signal: desc
                                        .get(12..14)
                                        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]])),
                                    rip: reg(16),
                                    rsp: reg(19),
                                    rbp: reg(4),
                                    fs_base: reg(21),
                                    regs,
                                });
                            }
                            elf::NT_PRPSINFO => {
                                // elf_prpsinfo: pr_psargs[80] @56.
                                core.command = desc.get(56..136).and_then(c_string);
                            }
                            elf::NT_FILE => core.files = mapped_files(desc),
                            elf::NT_AUXV => {
                                let mut at = 0;
                                while let (Some(k), Some(v)) =
                                    (u64_at(desc, at), u64_at(desc, at + 8))
                                {
                                    if k == 0 {
                                        break;
                                    }
                                    core.auxv.push((k, v));
                                    at += 16;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(core)
    }

    /// Has `release` called every few thousand goroutines, so that a caller
    /// that mapped the core can drop the pages read so far: the stacks of
    /// 100,000 goroutines are touched once each and need not stay resident.
    pub fn with_page_release(mut self, release: &'a dyn Fn()) -> Self {
        self.release = Some(release);
        self
    }

    /// `len` bytes at `addr`, when the core holds them.
    pub fn read(&self, addr: u64, len: usize) -> Option<&'a [u8]> {
        let &Segment {
            vaddr,
            offset: off,
            filesz,
            ..
        } = self
            .segments
            .iter()
            .find(|s| addr >= s.vaddr && addr - s.vaddr < s.memsz)?;
        let rel = addr - vaddr;
        let end = rel.checked_add(len as u64)?;
        if end > filesz {
            return None;
        }
        let start = usize::try_from(off.checked_add(rel)?).ok()?;
        self.data.get(start..start.checked_add(len)?)
    }

    pub fn read_u64(&self, addr: u64) -> Option<u64> {
        u64_at(self.read(addr, 8)?, 0)
    }

    pub fn read_u8(&self, addr: u64) -> Option<u8> {
        self.read(addr, 1).map(|b| b[0])
    }

    /// `AT_ENTRY`: the program's entry point as loaded.
    pub fn entry(&self) -> Option<u64> {
        self.auxv.iter().find(|(k, _)| *k == 9).map(|(_, v)| *v)
    }
}

/// A file mapped into the process, as `NT_FILE` lists it.
#[derive(Clone, Debug)]
pub struct MappedFile {
    pub start: u64,
    pub end: u64,
    /// Where in the file the mapping starts, in pages.
    pub page_offset: u64,
    pub path: String,
}

/// `NT_FILE`: count and page size, `count` (start, end, page offset)
/// triples, then `count` NUL-terminated paths. Counts are checked against
/// the note's own size before anything is reserved.
fn mapped_files(desc: &[u8]) -> Vec<MappedFile> {
    let Some(count) = u64_at(desc, 0).and_then(|c| usize::try_from(c).ok()) else {
        return Vec::new();
    };
    let Some(names_at) = count.checked_mul(24).and_then(|n| n.checked_add(16)) else {
        return Vec::new();
    };
    let Some(names) = desc.get(names_at..) else {
        return Vec::new();
    };
    names
        .split(|&b| b == 0)
        .take(count)
        .enumerate()
        .filter_map(|(i, name)| {
            let at = 16 + 24 * i;
            Some(MappedFile {
                start: u64_at(desc, at)?,
                end: u64_at(desc, at + 8)?,
                page_offset: u64_at(desc, at + 16)?,
                path: String::from_utf8_lossy(name).into_owned(),
            })
        })
        .collect()
}

/// The text of a NUL-padded field, without trailing blanks; `None` when empty.
fn c_string(b: &[u8]) -> Option<String> {
    let text = b.split(|&c| c == 0).next()?;
    let text = String::from_utf8_lossy(text).trim_end().to_string();
    (!text.is_empty()).then_some(text)
}

impl Core<'_> {
    /// The path of the program that was running: the file mapped where it
    /// was entered (`AT_ENTRY`).
    pub fn program_path(&self) -> Option<&str> {
        let entry = self.entry()?;
        self.files
            .iter()
            .find(|f| f.start <= entry && entry < f.end)
            .map(|f| f.path.as_str())
    }

    /// Where the program's file starts in memory: its mapping from file
    /// offset 0, whose first page (the ELF header) the kernel dumps.
    pub fn program_base(&self) -> Option<u64> {
        let path = self.program_path()?;
        self.files
            .iter()
            .find(|f| f.path == path && f.page_offset == 0)
            .map(|f| f.start)
    }
}

impl godiag_exe::Memory for Core<'_> {
    fn read(&self, addr: u64, len: usize) -> Option<std::borrow::Cow<'_, [u8]>> {
        Core::read(self, addr, len).map(std::borrow::Cow::Borrowed)
    }
}

impl Core<'_> {
    /// Its memory segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The core as the goroutine walk reads it.
    pub fn image(&self) -> Image<'_> {
        let image = Image::new(self, &self.threads, &self.auxv, self.data.len() as u64);
        match self.release {
            Some(r) => image.with_page_release(r),
            None => image,
        }
    }
}

/// PIE: where the entry point was loaded (`AT_ENTRY`) minus where it was
/// linked; 0 for position-dependent executables.
pub fn load_bias(core: &Image<'_>, exe: &object::File<'_>) -> u64 {
    core.entry().map_or(0, |e| e.wrapping_sub(exe.entry()))
}
