//! The goroutine walk: every goroutine of `runtime.allgs` with its state,
//! stack, creator, wait objects, labels and the fault or throw it took.

use std::num::NonZeroU32;

use godiag_exe::GoExecutable;
use godiag_model::{Frame, Goroutine};
use object::{Object, ObjectSymbol};

use crate::core_file::CoreError;
use crate::core_file::{load_bias, u64_at};
use crate::image::Image;
use crate::layout::{self, Layout, LayoutSource};
use crate::reasons::{wait_reasons, wait_reasons_from_exe, STATUS};
use crate::signals::{signal_frames, walk_to, SignalFrame};
use crate::unwind::{unwind, ArgsFor, PcCache};
use crate::{values, waits};

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

/// A goroutine's stack: `g.stack.lo..g.stack.hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoroutineStack {
    pub goroutine: u64,
    pub lo: u64,
    pub hi: u64,
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
    /// Every goroutine's stack bounds.
    pub stacks: Vec<GoroutineStack>,
    /// Where the structure offsets came from.
    pub layout: LayoutSource,
}

/// The goroutines of `runtime.allgs`, with stacks unwound from their saved
/// `sched` (exact for parked goroutines) or from the thread they run on
/// (through the signal frame when the thread is in a signal handler), what
/// each blocked one waits on, and the fault one of them took.
pub fn goroutines<'e>(
    core: &Image<'_>,
    exe: &GoExecutable<'e>,
    exe_bytes: &'e [u8],
) -> Result<CoreGoroutines<'e>, CoreError> {
    let minor = layout::minor_version(exe);
    let file =
        object::File::parse(exe_bytes).map_err(|e| CoreError::ExecutableNotElf(e.to_string()))?;
    let layout = layout::layout(exe, &file);
    let go = layout.g;
    let reasons = wait_reasons_from_exe(exe, &file, exe_bytes);
    // The version's own table, for reasons the executable's does not give
    // (a PIE's is relocated at load time): built once, not per goroutine.
    let fallback = wait_reasons(minor.unwrap_or(godiag_model::GoVersion::NEWEST_KNOWN.minor));
    let bias = load_bias(core, &file);
    let addr = match file.symbols().find(|s| s.name() == Ok("runtime.allgs")) {
        Some(sym) => sym.address().wrapping_add(bias),
        // Stripped: look for the slice in the zeroed data sections.
        None => {
            find_allgs(core, &file, bias, go.goid).ok_or(CoreError::NoSymbol("runtime.allgs"))?
        }
    };
    let ptr = core.read_u64(addr).ok_or(CoreError::Unmapped { addr })?;
    let len = core
        .read_u64(addr.wrapping_add(8))
        .ok_or(CoreError::Unmapped {
            addr: addr.wrapping_add(8),
        })?;
    // A length from memory: bound it by what 8-byte pointers the core can hold.
    let len = len.min(core.limit / 8);
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
    let total = gps.len();
    for (n, gp) in gps.into_iter().enumerate() {
        if n % RELEASE_EVERY == RELEASE_EVERY - 1 {
            if let Some(release) = core.release {
                release();
            }
            if let Some(progress) = core.progress {
                progress(n + 1, total);
            }
        }
        let Some(status) = g_status(core, gp, &go) else {
            continue;
        };
        if is_dead(status) {
            continue;
        }
        let goid = core.read_u64(gp.wrapping_add(go.goid)).unwrap_or(0);
        let reason = core.read_u8(gp.wrapping_add(go.waitreason)).unwrap_or(0);
        let status_name = if status == 4 && reason != 0 {
            reasons
                .as_ref()
                .and_then(|r| r.get(usize::from(reason)).copied())
                .or_else(|| fallback.get(usize::from(reason)).copied())
                .unwrap_or("?")
        } else {
            STATUS.get(status as usize).copied().unwrap_or("???")
        };
        let sp = core.read_u64(gp.wrapping_add(go.sched)).unwrap_or(0);
        let pc = core.read_u64(gp.wrapping_add(go.sched + 8)).unwrap_or(0);
        // A goroutine on a thread at dump time: its saved state is stale (or
        // cleared); the thread whose SP lies in its stack has the real one.
        let lo = core.read_u64(gp).unwrap_or(0);
        let hi = core.read_u64(gp.wrapping_add(8)).unwrap_or(0);
        stacks.push(GoroutineStack {
            goroutine: goid,
            lo,
            hi,
        });
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
    // A throw on a thread's system stack, outside every goroutine's: the
    // scheduler's own (`checkdead` finding every goroutine asleep), which
    // runs on g0 with no goroutine to charge it to.
    if throw.is_none() {
        throw = contexts
            .iter()
            .filter(|&&(_, sp)| !stacks.iter().any(|s| sp >= s.lo && sp < s.hi))
            .find_map(|&(pc, sp)| {
                throw_message(core, &mut cache, exe, bias, (pc, sp, true)).map(|m| (0, m))
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
/// A `g`'s status, without the `_Gscan` bit the GC sets while it scans it.
pub(crate) fn g_status(core: &Image<'_>, gp: u64, go: &layout::GOffsets) -> Option<u32> {
    core.read_u32(gp.wrapping_add(go.atomicstatus))
        .map(|s| s & !0x1000)
}

/// `_Gdead`, and (1.26+) `_Gdeadextra`, a dead `g` kept for cgo callbacks:
/// no goroutine, and the runtime prints neither.
pub(crate) fn is_dead(status: u32) -> bool {
    status == 6 || status == 11
}

pub(crate) fn thread_contexts<'e>(
    core: &Image<'_>,
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
fn last_poll(core: &Image<'_>, file: &object::File<'_>, bias: u64) -> Option<u64> {
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

/// `runtime.allgs` (a `[]*g` in `.bss`) without symbols: the slice header
/// whose elements look like goroutines — stack bounds in order, a power of
/// two apart, and the first goroutine ids small and distinct.
fn find_allgs(core: &Image<'_>, file: &object::File<'_>, bias: u64, goid_at: u64) -> Option<u64> {
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
    core: &Image<'_>,
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

/// Goroutines read between two calls of a core's page release.
const RELEASE_EVERY: usize = 4096;

/// The runtime's fatal-error entry points, taking the message as a string.
const THROWS: [&str; 2] = ["runtime.throw", "runtime.fatal"];

/// The message a `throw(s string)`/`fatal(s string)` was called with. The
/// function hands `s` to a closure that prints it, so the string header
/// sits in its frame: the first (pointer, length) pair there that points at
/// that many printable bytes.
fn throw_message<'e>(
    core: &Image<'_>,
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
                .map(std::borrow::Cow::Borrowed)
                .or_else(|| core.read(p, n))?;
            let printable = bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
            printable.then(|| String::from_utf8_lossy(&bytes).into_owned())
        })
}
