//! Reader for ELF core dumps of Go programs (linux/amd64): threads and their
//! registers, the auxiliary vector, memory reads across `PT_LOAD` segments,
//! and — with the executable — every goroutine of the runtime's `allgs` list
//! with its status, wait reason, creator and stack, unwound with the
//! runtime's own frame tables (`pcsp`) and symbolised with inlined frames;
//! the objects blocked goroutines wait on (channels, mutexes, wait groups);
//! the signals threads were handling (through the kernel's signal frame);
//! and the fault (`g.sig`, `g.sigcode1`, `g.sigpc`) of the goroutine that
//! crashed.
//!
//! Structure offsets come from the executable's DWARF or per-version tables
//! ([`layout`]). Goroutines are found through the `runtime.allgs` symbol or,
//! in a stripped executable, by scanning `.bss` for a slice of
//! goroutine-shaped structures; wait reasons come from the executable's own
//! `waitReasonStrings` (found by content when stripped). Not done: arm64,
//! goroutine labels, `gcore` specifics beyond what kernel cores share.

use std::num::NonZeroU32;

mod backtrace;
pub mod crash;
pub mod layout;
mod values;
mod waits;

pub use backtrace::{full_backtraces, ProcessImage};
pub use layout::{Layout, LayoutSource};

use godiag_exe::GoExecutable;
use godiag_model::{Frame, Goroutine};
use object::read::elf::{ElfFile64, FileHeader, ProgramHeader};
use object::{elf, Endianness, Object, ObjectSymbol};

/// Why a core could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("not an ELF core: {0}")]
    NotCore(String),
    #[error("the executable has no symbol `{0}` (stripped?): goroutines cannot be listed")]
    NoSymbol(&'static str),
    #[error("the core does not hold memory at {0:#x}")]
    Unmapped(u64),
}

/// One thread of the process at dump time (`NT_PRSTATUS`).
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

const USER_REGS: [&str; 27] = [
    "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi",
    "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs",
    "gs",
];

/// An ELF core file.
pub struct Core<'a> {
    data: &'a [u8],
    /// Called now and then while walking goroutines, to let a memory-mapped
    /// core's pages go (see [`Core::with_page_release`]).
    release: Option<&'a dyn Fn()>,
    /// (vaddr, memsz, file offset, filesz)
    loads: Vec<(u64, u64, u64, u64)>,
    pub threads: Vec<Thread>,
    pub auxv: Vec<(u64, u64)>,
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
        let file =
            ElfFile64::<Endianness>::parse(data).map_err(|e| CoreError::NotCore(e.to_string()))?;
        let endian = file.endian();
        if file.elf_header().e_type(endian) != elf::ET_CORE {
            return Err(CoreError::NotCore("e_type is not ET_CORE".into()));
        }
        let mut core = Core {
            data,
            release: None,
            loads: Vec::new(),
            threads: Vec::new(),
            auxv: Vec::new(),
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
                    core.loads
                        .push((ph.p_vaddr(endian), ph.p_memsz(endian), off, filesz));
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
        let &(vaddr, _, off, filesz) = self.loads.iter().find(|&&(v, memsz, _, _)| {
            addr >= v && addr.checked_sub(v).is_some_and(|d| d < memsz)
        })?;
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

    pub(crate) fn read_u32(&self, addr: u64) -> Option<u32> {
        Some(u32::from_le_bytes(self.read(addr, 4)?.try_into().ok()?))
    }

    pub fn read_u8(&self, addr: u64) -> Option<u8> {
        self.read(addr, 1).map(|b| b[0])
    }

    /// `AT_ENTRY`: the program's entry point as loaded.
    pub fn entry(&self) -> Option<u64> {
        self.auxv.iter().find(|(k, _)| *k == 9).map(|(_, v)| *v)
    }
}

/// `runtime.waitReasonStrings` read from the executable itself (a `[N]string`
/// whose headers point into `.rodata`), so every version names its own.
fn wait_reasons_from_exe<'e>(
    exe: &GoExecutable<'e>,
    file: &object::File<'e>,
    exe_bytes: &'e [u8],
) -> Option<Vec<&'e str>> {
    let (addr, n) = match file
        .symbols()
        .find(|s| s.name() == Ok("runtime.waitReasonStrings"))
    {
        Some(sym) => (
            sym.address(),
            usize::try_from(sym.size() / 16).ok()?.min(256),
        ),
        None => find_wait_reason_table(exe, file, exe_bytes)?,
    };
    let table = exe.read(addr, n * 16)?;
    (0..n)
        .map(|i| {
            let ptr = u64_at(table, 16 * i)?;
            let len = usize::try_from(u64_at(table, 16 * i + 8)?).ok()?.min(256);
            if len == 0 {
                return Some("");
            }
            std::str::from_utf8(exe.read(ptr, len)?).ok()
        })
        .collect()
}

/// The `waitReasonStrings` table of a stripped executable: entry 1 is the
/// header of "GC assist marking" (in every version), entry 0 is empty; the
/// table runs while headers point at short printable strings.
fn find_wait_reason_table<'e>(
    exe: &GoExecutable<'e>,
    file: &object::File<'e>,
    bytes: &'e [u8],
) -> Option<(u64, usize)> {
    use object::ObjectSection;
    const FIRST: &[u8] = b"GC assist marking";
    let rodata = file.section_by_name(".rodata")?;
    let (ro_off, ro_size) = rodata.file_range()?;
    let ro = bytes.get(ro_off as usize..(ro_off + ro_size) as usize)?;
    // Strings are not NUL-terminated: every occurrence is a candidate.
    let mut from = 0;
    while let Some(pos) = ro[from..].windows(FIRST.len()).position(|w| w == FIRST) {
        let str_addr = rodata.address() + (from + pos) as u64;
        from += pos + 1;
        let mut header = [0u8; 16];
        header[..8].copy_from_slice(&str_addr.to_le_bytes());
        header[8..].copy_from_slice(&(FIRST.len() as u64).to_le_bytes());
        for name in [".data", ".noptrdata", ".data.rel.ro"] {
            let Some(sec) = file.section_by_name(name) else {
                continue;
            };
            let Some((off, size)) = sec.file_range() else {
                continue;
            };
            let Some(data) = bytes.get(off as usize..(off + size) as usize) else {
                continue;
            };
            let mut at = 16;
            while at + 16 <= data.len() {
                if data[at..at + 16] == header && u64_at(data, at - 8) == Some(0) {
                    let start = sec.address() + at as u64 - 16;
                    // Count entries while they read as short strings.
                    let mut n = 1;
                    while n < 256 {
                        let Some(h) = exe.read(start.wrapping_add(16 * n as u64), 16) else {
                            break;
                        };
                        let (p, l) = (u64_at(h, 0).unwrap_or(0), u64_at(h, 8).unwrap_or(0));
                        let ok = (1..64).contains(&l)
                            && exe.read(p, l as usize).is_some_and(|b| {
                                b.iter().all(|c| c.is_ascii_graphic() || *c == b' ')
                            });
                        if !ok {
                            break;
                        }
                        n += 1;
                    }
                    return Some((start, n));
                }
                at += 8;
            }
        }
    }
    None
}

/// `runtime.waitReasonStrings` by version, for executables whose table
/// cannot be read (PIE: its pointers are relocated at load time). Go 1.24's
/// 44 entries, with the deltas of `shared/reference/traceback.md` §1.3.
fn wait_reason(minor: u32, i: u8) -> &'static str {
    const BASE: [&str; 32] = [
        "",
        "GC assist marking",
        "IO wait",
        "chan receive (nil chan)",
        "chan send (nil chan)",
        "dumping heap",
        "garbage collection",
        "garbage collection scan",
        "panicwait",
        "select",
        "select (no cases)",
        "GC assist wait",
        "GC sweep wait",
        "GC scavenge wait",
        "chan receive",
        "chan send",
        "finalizer wait",
        "force gc (idle)",
        "semacquire",
        "sleep",
        "sync.Cond.Wait",
        "sync.Mutex.Lock",
        "sync.RWMutex.RLock",
        "sync.RWMutex.Lock",
        "trace reader (blocked)",
        "wait for GC cycle",
        "GC worker (idle)",
        "GC worker (active)",
        "preempted",
        "debug call",
        "GC mark termination",
        "stopping the world",
    ];
    let mut v: Vec<&'static str> = BASE.to_vec();
    if minor >= 24 {
        v.insert(24, "sync.WaitGroup.Wait");
    }
    if minor >= 22 {
        v.extend([
            "flushing proc caches",
            "trace goroutine status",
            "trace proc status",
            "page trace flush",
            "coroutine",
        ]);
    }
    if minor >= 23 {
        v.push("GC weak to strong wait");
    }
    if minor >= 24 {
        if minor >= 25 {
            v.extend([
                "synctest.Run",
                "synctest.Wait",
                "chan receive (durable)",
                "chan send (durable)",
                "select (durable)",
            ]);
        } else {
            v.extend([
                "synctest.Run",
                "synctest.Wait",
                "chan receive (synctest)",
                "chan send (synctest)",
                "select (synctest)",
            ]);
        }
    }
    if minor >= 25 {
        v.extend([
            "GOMAXPROCS updater (idle)",
            "cleanup wait",
            "sync.WaitGroup.Wait (durable)",
        ]);
    }
    v.get(usize::from(i)).copied().unwrap_or("?")
}

const STATUS: [&str; 11] = [
    "idle",
    "runnable",
    "running",
    "syscall",
    "waiting",
    "moribund",
    "dead",
    "enqueue",
    "copystack",
    "preempted",
    "leaked",
];

/// The signal a goroutine took (`g.sig`, `g.sigcode0/1`, `g.sigpc`): under
/// `GOTRACEBACK=crash` this is the real fault, not the final SIGABRT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub goroutine: u64,
    pub signal: u32,
    /// `si_code`.
    pub code: u64,
    /// The faulting address (`si_addr`).
    pub addr: u64,
    /// Where it happened (link-time address).
    pub pc: u64,
}

/// What the goroutine list of a core holds.
pub struct CoreGoroutines<'e> {
    pub goroutines: Vec<Goroutine<'e>>,
    pub fault: Option<Fault>,
    /// Signals threads were handling at dump time (a fault in C code, the
    /// SIGQUIT that dumped the goroutines).
    pub signals: Vec<SignalFrame>,
    /// The goroutine in a `throw` and its message (`concurrent map
    /// writes`), read from the throw's frame: what `fatal error:` printed.
    pub throw: Option<(u64, String)>,
    /// The first goroutine with panics in progress and their values, oldest
    /// first, each with whether it was recovered.
    pub panics: Option<(u64, Vec<(String, bool)>)>,
    /// (thread id, goroutine) for each goroutine on a thread of the core.
    pub on_threads: Vec<(u32, u64)>,
    /// (goroutine, stack.lo, stack.hi) of every goroutine.
    pub stacks: Vec<(u64, u64, u64)>,
    /// Where the structure offsets came from.
    pub layout: LayoutSource,
}

/// The goroutines of `runtime.allgs`, with stacks unwound from their saved
/// `sched` (exact for parked goroutines) or from the thread they run on
/// (through the signal frame when the thread is in a signal handler), what
/// each blocked one waits on, and the fault one of them took.
pub fn goroutines<'e>(
    core: &Core<'_>,
    exe: &GoExecutable<'e>,
    exe_bytes: &'e [u8],
) -> Result<CoreGoroutines<'e>, CoreError> {
    let minor = layout::minor_version(exe);
    let file = object::File::parse(exe_bytes).map_err(|e| CoreError::NotCore(e.to_string()))?;
    let layout = layout::layout(exe, &file);
    let go = layout.g;
    let reasons = wait_reasons_from_exe(exe, &file, exe_bytes);
    let bias = load_bias(core, &file);
    let addr = match file.symbols().find(|s| s.name() == Ok("runtime.allgs")) {
        Some(sym) => sym.address().wrapping_add(bias),
        // Stripped: look for the slice in the zeroed data sections.
        None => {
            find_allgs(core, &file, bias, go.goid).ok_or(CoreError::NoSymbol("runtime.allgs"))?
        }
    };
    let ptr = core.read_u64(addr).ok_or(CoreError::Unmapped(addr))?;
    let len = core
        .read_u64(addr.wrapping_add(8))
        .ok_or(CoreError::Unmapped(addr + 8))?;
    // A length from memory: bound it by what 8-byte pointers the core can hold.
    let len = len.min(core.data.len() as u64 / 8);
    let gps: Vec<u64> = (0..len)
        .map_while(|i| core.read_u64(ptr.wrapping_add(8 * i)))
        .collect();
    let all: std::collections::HashSet<u64> = gps.iter().copied().collect();
    let waits = waits::WaitReader::new(core, exe, &file, layout, bias, &all);
    // Where each thread's goroutine code was when it stopped: its registers,
    // or the context a signal interrupted.
    let mut cache = PcCache::default();
    let (signals, contexts) = thread_contexts(core, &mut cache, exe, bias);
    let mut out = Vec::new();
    let mut fault = None;
    let mut throw = None;
    let mut panics = None;
    let mut on_threads = Vec::new();
    let mut waitsinces = Vec::new();
    let mut stacks = Vec::new();
    for (n, gp) in gps.into_iter().enumerate() {
        if n % RELEASE_EVERY == RELEASE_EVERY - 1 {
            if let Some(release) = core.release {
                release();
            }
        }
        let Some(status) = core.read_u32(gp.wrapping_add(go.atomicstatus)) else {
            continue;
        };
        let status = status & !0x1000;
        // Dead, and (1.26+) `_Gdeadextra`, a dead g kept for cgo
        // callbacks: the runtime prints neither.
        if status == 6 || status == 11 {
            continue;
        }
        let goid = core.read_u64(gp.wrapping_add(go.goid)).unwrap_or(0);
        let reason = core.read_u8(gp.wrapping_add(go.waitreason)).unwrap_or(0);
        let status_name = if status == 4 && reason != 0 {
            reasons
                .as_ref()
                .and_then(|r| r.get(usize::from(reason)).copied())
                .unwrap_or_else(|| wait_reason(minor.unwrap_or(26), reason))
        } else {
            STATUS.get(status as usize).copied().unwrap_or("???")
        };
        let sp = core.read_u64(gp.wrapping_add(go.sched)).unwrap_or(0);
        let pc = core.read_u64(gp.wrapping_add(go.sched + 8)).unwrap_or(0);
        // A goroutine on a thread at dump time: its saved state is stale (or
        // cleared); the thread whose SP lies in its stack has the real one.
        let lo = core.read_u64(gp).unwrap_or(0);
        let hi = core.read_u64(gp.wrapping_add(8)).unwrap_or(0);
        stacks.push((goid, lo, hi));
        let start = stack_start(status, (pc, sp), (lo, hi), &contexts);
        // Goroutines blocked on what the wait-for graph follows (a lock, a
        // channel, a wait group, a condition) get their frames' arguments
        // and pending deferred unlocks: what they wait for, what they were
        // passed and which locks they hold are told from them.
        // Lock waiters print every frame's arguments (the lock is the
        // argument of the runtime's lock frames); the others their own
        // frames' (the channel comes from the sudog).
        let lock_wait = match status_name {
            "sync.Mutex.Lock" | "sync.RWMutex.Lock" | "sync.RWMutex.RLock" | "semacquire" => {
                ArgsFor::All
            }
            "chan send" | "chan receive" | "sync.WaitGroup.Wait" | "sync.Cond.Wait" => {
                ArgsFor::Program
            }
            _ => ArgsFor::None,
        };
        let (frames, elided, holds_locks) = start.map_or((Vec::new(), None, Vec::new()), |start| {
            unwind(core, &mut cache, exe, bias, start, lock_wait)
        });
        // A goroutine that called `throw`: its message, for a core without
        // the crash text.
        if throw.is_none() && frames.iter().any(|f| THROWS.contains(&f.function)) {
            if let Some((pc, sp, exact)) = start {
                throw =
                    throw_message(core, &mut cache, exe, bias, (pc, sp, exact)).map(|m| (goid, m));
            }
        }
        let unavailable = frames.is_empty();
        // A plausible signal at a PC inside Go code is the fault.
        if fault.is_none() {
            fault = read_fault(core, exe, bias, gp, goid, layout);
        }
        let gopc = core.read_u64(gp.wrapping_add(go.gopc)).unwrap_or(0);
        let created_by = (gopc != 0 && goid != 1)
            .then(|| created_by(exe, gopc.wrapping_sub(bias), gopc))
            .flatten();
        let parent = core
            .read_u64(gp.wrapping_add(go.parent_goid))
            .filter(|&p| p != 0);
        let waits_on = if status == 4 {
            waits.waits_on(gp, status_name)
        } else {
            Vec::new()
        };
        let labels = values::labels(core, exe, bias, &layout, minor, gp);
        let waitsince = if matches!(status, 3 | 4) {
            core.read_u64(gp.wrapping_add(go.waitsince)).unwrap_or(0)
        } else {
            0
        };
        waitsinces.push(waitsince);
        // The M it runs on (`m=N`), and that M's thread.
        let mp = core
            .read_u64(gp.wrapping_add(layout::G_M))
            .filter(|&m| m != 0);
        let m = mp.and_then(|mp| core.read_u64(mp.wrapping_add(layout.m.id)));
        if let Some(tid) = mp.and_then(|mp| core.read_u64(mp.wrapping_add(layout.m.procid))) {
            if core.threads.iter().any(|t| u64::from(t.pid) == tid) {
                on_threads.push((tid as u32, goid));
            }
        }
        if panics.is_none() {
            let p = values::panics(core, exe, bias, &layout, &waits, gp);
            if !p.is_empty() {
                panics = Some((goid, p));
            }
        }
        out.push(Goroutine {
            id: goid,
            status: status_name,
            gp: Some(gp),
            elided: elided.map(|n| (frames.len(), n)),
            frames,
            stack_unavailable: unavailable,
            created_by,
            parent,
            waits_on,
            labels,
            m,
            stack_bytes: hi.checked_sub(lo).filter(|&n| n > 0),
            holds_locks,
            ..Goroutine::default()
        });
    }
    // `g.waitsince` is the start of the GC that first found the goroutine
    // blocked. The core holds no clock: "now" is the scheduler's last network
    // poll (`sched.lastpoll`, refreshed by sysmon every 10 ms or so) when the
    // executable's symbols and DWARF locate it, else the latest waitsince;
    // either way the waits are lower bounds, as the runtime's "N minutes" are.
    let latest = waitsinces
        .iter()
        .copied()
        .chain(last_poll(core, &file, bias))
        .max()
        .unwrap_or(0);
    for (g, &since) in out.iter_mut().zip(&waitsinces) {
        if since != 0 {
            let minutes = latest.saturating_sub(since) / 60_000_000_000;
            g.wait_minutes = u32::try_from(minutes).ok().filter(|&m| m > 0);
        }
    }
    Ok(CoreGoroutines {
        goroutines: out,
        fault,
        signals,
        throw,
        panics,
        on_threads,
        stacks,
        layout: layout.source,
    })
}

/// The signal frames threads are in, and each thread's goroutine context:
/// its registers, or the (PC, SP) a signal interrupted.
#[allow(clippy::type_complexity)]
pub(crate) fn thread_contexts<'e>(
    core: &Core<'_>,
    cache: &mut PcCache<'e>,
    exe: &GoExecutable<'e>,
    bias: u64,
) -> (Vec<SignalFrame>, Vec<(u64, u64)>) {
    let signals: Vec<SignalFrame> = core
        .threads
        .iter()
        .flat_map(|t| signal_frames(core, cache, exe, bias, t))
        .collect();
    let contexts = core
        .threads
        .iter()
        .map(|t| {
            signals
                .iter()
                .rfind(|s| s.thread == t.pid)
                .map_or((t.rip, t.rsp), |s| (s.rip, s.rsp))
        })
        .collect();
    (signals, contexts)
}

/// Where a goroutine's stack walk starts: (PC, SP, whether the PC is
/// exact). A goroutine on a thread at dump time (running, or in a
/// syscall) has stale or cleared saved state; the thread whose SP lies in
/// its stack has the real one.
pub(crate) fn stack_start(
    status: u32,
    (pc, sp): (u64, u64),
    (lo, hi): (u64, u64),
    contexts: &[(u64, u64)],
) -> Option<(u64, u64, bool)> {
    let on_thread = contexts.iter().find(|&&(_, sp)| sp >= lo && sp < hi);
    match (status, on_thread) {
        (2 | 3, Some(&(ip, sp))) => Some((ip, sp, true)),
        _ if sp == 0 => None,
        _ => Some((pc, sp, false)),
    }
}

/// `sched.lastpoll`: the monotonic time of the scheduler's last network
/// poll, the closest thing to the time of the dump a core holds.
fn last_poll(core: &Core<'_>, file: &object::File<'_>, bias: u64) -> Option<u64> {
    let sched = file
        .symbols()
        .find(|s| s.name() == Ok("runtime.sched"))?
        .address()
        .wrapping_add(bias);
    let offsets = godiag_exe::dwarf::struct_offsets(file, &["runtime.schedt"]);
    let at = *offsets.get("runtime.schedt")?.get("lastpoll")?;
    core.read_u64(sched.wrapping_add(at)).filter(|&t| t != 0)
}

/// `created by F in goroutine N`: the runtime prints the physical function
/// holding the `go` statement and the line of the call before `gopc`.
fn created_by<'e>(exe: &GoExecutable<'e>, link_pc: u64, pc: u64) -> Option<Frame<'e>> {
    let f = exe.pclntab.find(link_pc)?;
    let at = if link_pc > f.entry {
        link_pc - 1
    } else {
        link_pc
    };
    let (file, line) = exe.pclntab.file_line(&f, at)?;
    Some(Frame {
        function: f.name,
        args: "".into(),
        file,
        line: u32::try_from(line).unwrap_or(0),
        pc_offset: NonZeroU32::new(u32::try_from(link_pc - f.entry).unwrap_or(0)),
        pc: std::num::NonZeroU64::new(pc),
    })
}

/// `sigcontext` (`uc_mcontext`) register order.
const SIGCONTEXT_REGS: [&str; 23] = [
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rdi", "rsi", "rbp", "rbx", "rdx", "rax",
    "rcx", "rsp", "rip", "eflags", "csgsfs", "err", "trapno", "oldmask", "cr2",
];

/// A signal a thread was handling at dump time, from the kernel's
/// `rt_sigframe` (return address, then `ucontext`, then `siginfo`): the
/// signal and the registers of the code it interrupted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalFrame {
    /// The thread (`pid` of its `NT_PRSTATUS`).
    pub thread: u32,
    pub signal: u32,
    /// `si_code`: positive when the kernel raised it (a fault).
    pub code: i32,
    /// `si_addr`.
    pub addr: u64,
    pub rip: u64,
    pub rsp: u64,
    /// The interrupted registers, in `sigcontext` order.
    pub regs: Vec<(&'static str, u64)>,
}

impl SignalFrame {
    /// A fault the kernel raised (not a signal sent by a process).
    pub fn is_fault(&self) -> bool {
        matches!(self.signal, 4 | 5 | 7 | 8 | 11) && self.code > 0
    }
}

/// The signals a thread was handling, innermost first: a handler that
/// raises another signal (the runtime's crash path raises SIGABRT from the
/// SIGSEGV handler) nests a second frame.
fn signal_frames<'e>(
    core: &Core<'_>,
    cache: &mut PcCache<'e>,
    exe: &GoExecutable<'e>,
    bias: u64,
    t: &Thread,
) -> Vec<SignalFrame> {
    let mut out: Vec<SignalFrame> = Vec::new();
    let (mut rip, mut rsp) = (t.rip, t.rsp);
    while out.len() < 4 {
        let Some(f) = signal_frame(core, cache, exe, bias, t.pid, (rip, rsp)) else {
            break;
        };
        (rip, rsp) = (f.rip, f.rsp);
        out.push(f);
    }
    out
}

/// Walks up a stack from `pc`/`sp` (at most 64 frames) to the first frame
/// whose function `wanted` accepts: its name, SP and frame size.
fn walk_to<'e>(
    core: &Core<'_>,
    cache: &mut PcCache<'e>,
    exe: &GoExecutable<'e>,
    bias: u64,
    (pc, sp, exact): (u64, u64, bool),
    wanted: impl Fn(&str) -> bool,
) -> Option<(&'e str, u64, u64)> {
    let (mut pc, mut sp, mut exact) = (pc, sp, exact);
    for _ in 0..64 {
        let step = cache.step(exe, bias, pc, exact)?;
        let size = step.size?;
        if wanted(step.name) {
            return Some((step.name, sp, size));
        }
        pc = core.read_u64(sp.checked_add(size)?)?;
        sp = sp.checked_add(size + 8)?;
        exact = false;
    }
    None
}

/// The frame `runtime.sigtramp` was entered with, walking up from `rip`/`rsp`.
fn signal_frame<'e>(
    core: &Core<'_>,
    cache: &mut PcCache<'e>,
    exe: &GoExecutable<'e>,
    bias: u64,
    thread: u32,
    (rip, rsp): (u64, u64),
) -> Option<SignalFrame> {
    let (_, sp, size) = walk_to(core, cache, exe, bias, (rip, rsp, true), |f| {
        f == "runtime.sigtramp"
    })?;
    // The kernel's ucontext: flags, link, stack (24 bytes), then the 23
    // sigcontext words and an 8-byte signal mask; siginfo follows.
    let uc = sp.checked_add(size)?.checked_add(8)?;
    let mc = core.read(uc.wrapping_add(40), 23 * 8)?;
    let regs: Vec<(&'static str, u64)> = SIGCONTEXT_REGS
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, u64_at(mc, 8 * i).unwrap_or(0)))
        .collect();
    let info = core.read(uc.wrapping_add(304), 24)?;
    let (rsp, rip) = (regs[15].1, regs[16].1);
    (rsp != 0 && rip != 0).then(|| SignalFrame {
        thread,
        signal: u32::from_le_bytes([info[0], info[1], info[2], info[3]]),
        code: i32::from_le_bytes([info[8], info[9], info[10], info[11]]),
        addr: u64_at(info, 16).unwrap_or(0),
        rip,
        rsp,
        regs,
    })
}

/// `runtime.allgs` (a `[]*g` in `.bss`) without symbols: the slice header
/// whose elements look like goroutines — stack bounds in order, a power of
/// two apart, and the first goroutine ids small and distinct.
fn find_allgs(core: &Core<'_>, file: &object::File<'_>, bias: u64, goid_at: u64) -> Option<u64> {
    use object::ObjectSection;
    let looks_like_g = |gp: u64| -> Option<u64> {
        let lo = core.read_u64(gp)?;
        let hi = core.read_u64(gp.wrapping_add(8))?;
        let size = hi.checked_sub(lo)?;
        (size >= 2048 && size.is_power_of_two() && size <= 1 << 30)
            .then(|| core.read_u64(gp.wrapping_add(goid_at)))
            .flatten()
    };
    for name in [".bss", ".noptrbss", ".data", ".noptrdata"] {
        let Some(sec) = file.section_by_name(name) else {
            continue;
        };
        let start = sec.address().wrapping_add(bias);
        let mut at = start;
        while at + 24 <= start.saturating_add(sec.size()) {
            let (Some(ptr), Some(len), Some(cap)) = (
                core.read_u64(at),
                core.read_u64(at.wrapping_add(8)),
                core.read_u64(at.wrapping_add(16)),
            ) else {
                at += 8;
                continue;
            };
            if len >= 1 && len <= cap && cap <= 1 << 26 && ptr % 8 == 0 {
                // The first few elements must be goroutines with small, distinct ids.
                let ids: Option<Vec<u64>> = (0..len.min(4))
                    .map(|i| {
                        core.read_u64(ptr.wrapping_add(8 * i))
                            .and_then(looks_like_g)
                    })
                    .collect();
                if let Some(ids) = ids {
                    let distinct =
                        ids.iter().collect::<std::collections::HashSet<_>>().len() == ids.len();
                    if distinct && ids.iter().all(|&id| id < 1 << 40) && ids.contains(&1) {
                        return Some(at);
                    }
                }
            }
            at += 8;
        }
    }
    None
}

/// `g.sig` and the fields after it, when they hold a plausible signal at a
/// PC inside Go code. The version's offsets first, then the other known
/// layouts (the fields moved when `fipsIndicator` was added in Go 1.24).
fn read_fault(
    core: &Core<'_>,
    exe: &GoExecutable<'_>,
    bias: u64,
    gp: u64,
    goid: u64,
    layout: Layout,
) -> Option<Fault> {
    let candidates =
        std::iter::once((layout.g.sig, layout.g.sigcode0)).chain(layout::fault_offsets());
    for (sig_at, code_at) in candidates {
        let sig = core.read_u32(gp.wrapping_add(sig_at))?;
        if !(1..65).contains(&sig) {
            continue;
        }
        let pc = core
            .read_u64(gp.wrapping_add(code_at + 16))?
            .wrapping_sub(bias);
        if exe.pclntab.find(pc).is_some() {
            return Some(Fault {
                goroutine: goid,
                signal: sig,
                code: core.read_u64(gp.wrapping_add(code_at))?,
                addr: core.read_u64(gp.wrapping_add(code_at + 8))?,
                pc,
            });
        }
    }
    None
}

/// PIE: where the entry point was loaded (`AT_ENTRY`) minus where it was
/// linked; 0 for position-dependent executables.
pub fn load_bias(core: &Core<'_>, exe: &object::File<'_>) -> u64 {
    core.entry().map_or(0, |e| e.wrapping_sub(exe.entry()))
}

/// Linux signal names as the runtime prints them (`sigtab_linux_generic.go`).
pub fn signal_name(sig: u32) -> (&'static str, &'static str) {
    godiag_model::signal::linux(u64::from(sig)).unwrap_or(("signal", ""))
}

/// Goroutines read between two calls of a core's page release.
const RELEASE_EVERY: usize = 4096;

/// Frames symbolised per stack; deeper ones are only counted (up to
/// [`MAX_COUNTED`]), as the runtime elides the middle of deep stacks.
const MAX_FRAMES: usize = 1000;
const MAX_COUNTED: u64 = 1_000_000;

/// The runtime's fatal-error entry points, taking the message as a string.
const THROWS: [&str; 2] = ["runtime.throw", "runtime.fatal"];

/// The message a `throw(s string)`/`fatal(s string)` was called with. The
/// function hands `s` to a closure that prints it, so the string header
/// sits in its frame: the first (pointer, length) pair there that points at
/// that many printable bytes.
fn throw_message<'e>(
    core: &Core<'_>,
    cache: &mut PcCache<'e>,
    exe: &GoExecutable<'e>,
    bias: u64,
    start: (u64, u64, bool),
) -> Option<String> {
    let (_, sp, size) = walk_to(core, cache, exe, bias, start, |f| THROWS.contains(&f))?;
    let frame = core.read(sp, usize::try_from(size).ok()?.min(1024))?;
    frame
        .chunks_exact(8)
        .collect::<Vec<_>>()
        .windows(2)
        .find_map(|w| {
            let p = u64_at(w[0], 0)?;
            let n = usize::try_from(u64_at(w[1], 0)?).ok()?;
            if !(2..=512).contains(&n) {
                return None;
            }
            let bytes = exe
                .read(p.wrapping_sub(bias), n)
                .or_else(|| core.read(p, n))?;
            let printable = bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
            printable.then(|| String::from_utf8_lossy(bytes).into_owned())
        })
}

/// Which frames of a walk get their arguments and pending deferred
/// unlocks read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ArgsFor {
    None,
    /// Frames outside the runtime (`sync` included: a wait group's address).
    Program,
    All,
}

/// What unwinding needs at one PC, worked out once: goroutines of one
/// program share a few hundred return addresses among them.
pub(crate) struct PcStep<'e> {
    pub(crate) name: &'e str,
    /// The link-time PC looked up: the call instruction of a return
    /// address, else the PC itself.
    pub(crate) lookup: u64,
    /// The frames at this PC (inlined callees first), ready to copy.
    pub(crate) frames: Vec<Frame<'e>>,
    /// The frame size (`pcsp`) at the PC; `None` ends the walk.
    pub(crate) size: Option<u64>,
    /// How the physical function's arguments print at the PC.
    args: Option<godiag_exe::ArgLayout>,
    /// Where its open-coded defers are (Go 1.22+), if it has any.
    defers: Option<(u64, u64)>,
    /// The physical function is the runtime's.
    in_runtime: bool,
}

/// [`PcStep`]s by (PC as found on the stack, whether it is exact).
#[derive(Default)]
pub(crate) struct PcCache<'e> {
    steps: godiag_model::group::FxMap<(u64, bool), Option<std::rc::Rc<PcStep<'e>>>>,
    /// Whether the deferred closure at a code address unlocks a mutex.
    unlocks: godiag_model::group::FxMap<u64, bool>,
}

impl<'e> PcCache<'e> {
    pub(crate) fn step(
        &mut self,
        exe: &GoExecutable<'e>,
        bias: u64,
        pc: u64,
        exact: bool,
    ) -> Option<std::rc::Rc<PcStep<'e>>> {
        self.steps
            .entry((pc, exact))
            .or_insert_with(|| pc_step(exe, bias, pc, exact).map(std::rc::Rc::new))
            .clone()
    }
}

fn pc_step<'e>(exe: &GoExecutable<'e>, bias: u64, pc: u64, exact: bool) -> Option<PcStep<'e>> {
    let link_pc = pc.wrapping_sub(bias);
    // A goroutine that never ran resumes at its function's entry: that PC is
    // not a return address.
    let at_entry = !exact
        && exe
            .pclntab
            .find(link_pc)
            .is_some_and(|f| f.entry == link_pc);
    let lookup = if exact || at_entry {
        link_pc
    } else {
        link_pc.wrapping_sub(1)
    };
    let f = exe.pclntab.find(lookup)?;
    let frames: Vec<Frame<'e>> = exe
        .frames(lookup)
        .into_iter()
        .map(|fr| Frame {
            function: if fr.function == "runtime.gopanic" {
                "panic"
            } else {
                fr.function
            },
            args: if fr.inlined { "..." } else { "" }.into(),
            file: fr.file,
            line: u32::try_from(fr.line).unwrap_or(0),
            pc_offset: if fr.inlined {
                None
            } else {
                NonZeroU32::new(u32::try_from(link_pc - f.entry).unwrap_or(0))
            },
            pc: std::num::NonZeroU64::new(pc),
        })
        .collect();
    Some(PcStep {
        name: f.name,
        lookup,
        // The frame size at the PC itself, as the runtime's unwinder reads it
        // (a return address has the same SP delta as its call).
        size: exe.frame_size(&f, link_pc),
        args: exe.arg_layout(lookup),
        defers: exe.open_coded_defers(lookup),
        in_runtime: frames.last().is_some_and(Frame::is_runtime),
        frames,
    })
}

/// Walks a stack: the frame size at each PC (`pcsp`) gives where the return
/// address was pushed; inlined calls are expanded at each return address.
/// Returns the frames and how many physical frames beyond them were only
/// counted.
fn unwind<'e>(
    core: &Core<'_>,
    cache: &mut PcCache<'e>,
    exe: &GoExecutable<'e>,
    bias: u64,
    (pc, sp, first_exact): (u64, u64, bool),
    with_args: ArgsFor,
) -> (Vec<Frame<'e>>, Option<u64>, Vec<u64>) {
    let mut out = Vec::new();
    let mut held = Vec::new();
    let (mut pc, mut sp) = (pc, sp);
    // A PC is a return address (look up the call at pc-1) unless it is where
    // a thread stopped, or the instruction a signal interrupted (the frame
    // below runtime.sigpanic).
    let mut exact = first_exact;
    let (mut physical, mut symbolised) = (0u64, 0u64);
    while let Some(step) = cache.step(exe, bias, pc, exact) {
        physical += 1;
        if out.len() < MAX_FRAMES {
            symbolised += 1;
            out.extend_from_slice(&step.frames);
            // The arguments, as the runtime prints them, of the physical
            // frame (inlined ones print `...`): read from the caller's SP.
            if let (true, Some(size), Some(last)) =
                (with_args != ArgsFor::None, step.size, out.last_mut())
            {
                let argp = sp.wrapping_add(size).wrapping_add(8);
                let wanted = with_args == ArgsFor::All || !step.in_runtime;
                if let (true, Some(layout)) = (wanted, &step.args) {
                    if let Some(args) = layout.format(argp, &|a| core.read_u64(a)) {
                        last.args = args.into();
                    }
                }
                if let Some(defers) = step.defers {
                    held.extend(deferred_unlocks(
                        core,
                        exe,
                        bias,
                        defers,
                        argp,
                        &mut cache.unlocks,
                    ));
                }
            }
        } else if physical > MAX_COUNTED {
            break;
        }
        if matches!(
            step.name,
            "runtime.goexit" | "runtime.mstart" | "runtime.rt0_go"
        ) {
            break;
        }
        let Some(size) = step.size else {
            break;
        };
        let Some(ret) = core.read_u64(sp.wrapping_add(size)) else {
            break;
        };
        sp = sp.wrapping_add(size + 8);
        pc = ret;
        exact = step.name == "runtime.sigpanic" || step.name == "runtime.asyncPreempt";
        if pc == 0 {
            break;
        }
    }
    let elided = physical - symbolised;
    // Kept for the whole report, 100,000 stacks at a time: no spare capacity.
    out.shrink_to_fit();
    (out, (elided > 0).then_some(elided), held)
}

/// The locks a frame's pending deferred unlocks will release (Go 1.22+
/// open-coded defers): each `defer` that has run sets its bit, and its slot
/// holds the closure; a closure that unlocks captured the lock's address
/// first. The frame holds those locks.
fn deferred_unlocks(
    core: &Core<'_>,
    exe: &GoExecutable<'_>,
    bias: u64,
    (bits_off, slots_off): (u64, u64),
    fp: u64,
    unlocks: &mut godiag_model::group::FxMap<u64, bool>,
) -> Vec<u64> {
    // varp: below the return address and the saved frame pointer.
    let varp = fp.wrapping_sub(16);
    let Some(bits) = core.read_u8(varp.wrapping_sub(bits_off)) else {
        return Vec::new();
    };
    (0..8u64)
        .filter(|i| bits & (1 << i) != 0)
        .filter_map(|i| {
            let closure = core.read_u64(varp.wrapping_sub(slots_off).wrapping_add(8 * i))?;
            let code = core.read_u64(closure)?;
            let unlocks = *unlocks
                .entry(code)
                .or_insert_with(|| waits::calls_unlock(exe, code.wrapping_sub(bias)));
            unlocks
                .then(|| core.read_u64(closure.wrapping_add(8)))
                .flatten()
        })
        .collect()
}

/// The instruction at `pc` (a link-time address) disassembled, with the Go
/// function and line, or the C function of the symbol table, it belongs to.
pub fn faulting_instruction(exe: &GoExecutable<'_>, pc: u64) -> Option<String> {
    use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};
    let bytes = exe.read(pc, 15)?;
    let insn = Decoder::with_ip(64, bytes, pc, DecoderOptions::NONE).decode();
    if insn.is_invalid() {
        return None;
    }
    let mut text = String::new();
    IntelFormatter::new().format(&insn, &mut text);
    let at = exe
        .frames(pc)
        .first()
        .map(|f| format!(" in {} ({}:{})", f.function, f.file, f.line))
        .or_else(|| exe.symbol_at(pc).map(|s| format!(" in {s} (C code)")))
        .unwrap_or_default();
    Some(format!("faulting instruction at {pc:#x}{at}: {text}"))
}

/// What a fault means, in words: the instruction at the faulting PC
/// (disassembled from the executable) and what the address is, also
/// against the goroutines' stack bounds.
pub fn describe_fault(
    core: &Core<'_>,
    exe: &GoExecutable<'_>,
    fault: &Fault,
    stacks: &[(u64, u64, u64)],
) -> Vec<String> {
    let mut out: Vec<String> = faulting_instruction(exe, fault.pc).into_iter().collect();
    let a = fault.addr;
    // Where the address falls against the goroutines' stacks (`g.stack`,
    // as the walk read them); a nil-page address needs no search.
    let mut near_stack = None;
    for &(id, lo, hi) in stacks.iter().filter(|_| a >= 0x1000) {
        if (lo..hi).contains(&a) {
            near_stack = Some(format!(
                "{a:#x} is inside goroutine {id}'s stack [{lo:#x}, {hi:#x}): a pointer to a stack variable that has moved or died (unsafe code, cgo keeping a Go pointer)"
            ));
            break;
        }
        if a < lo && lo - a <= 64 << 10 {
            near_stack = Some(format!(
                "{a:#x} is just below goroutine {id}'s stack [{lo:#x}, {hi:#x}): the stack overflowed its bounds (a large frame in nosplit or C code)"
            ));
        }
    }
    let meaning = if a < 0x1000 {
        format!("a nil pointer plus {a:#x}: the field at offset {a} of a nil struct pointer (or element {a} of a nil slice of bytes)")
    } else if let Some(m) = near_stack {
        m
    } else if (0x0000_8000_0000_0000..0xffff_8000_0000_0000).contains(&a) {
        format!("{a:#x} is not a canonical address: a corrupted pointer (use of freed or overwritten memory, unsafe arithmetic)")
    } else if core.read(a, 1).is_some() {
        format!("{a:#x} is mapped in the process: a protection fault (write to read-only memory, or a race on a freed span)")
    } else if !a.is_multiple_of(8) && a > 0x1000 {
        format!("{a:#x} is unmapped and misaligned: most likely a corrupted pointer")
    } else {
        format!("{a:#x} is not mapped in the process: a dangling or corrupted pointer, or memory unmapped under the program (mmap, cgo)")
    };
    out.push(meaning);
    out
}
