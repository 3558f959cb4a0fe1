//! Signals threads were handling at dump time, through the kernel's signal
//! frame on their stacks.

use godiag_exe::GoExecutable;

use crate::core_file::u64_at;
use crate::image::Image;
use crate::image::Thread;
use crate::unwind::PcCache;

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
pub(crate) fn signal_frames<'e>(
    core: &Image<'_>,
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
pub(crate) fn walk_to<'e>(
    core: &Image<'_>,
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
    core: &Image<'_>,
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
        .map(|(i, n)| (*n, u64_at(&mc, 8 * i).unwrap_or(0)))
        .collect();
    let info = core.read(uc.wrapping_add(304), 24)?;
    let (rsp, rip) = (regs[15].1, regs[16].1);
    (rsp != 0 && rip != 0).then(|| SignalFrame {
        thread,
        signal: u32::from_le_bytes([info[0], info[1], info[2], info[3]]),
        code: i32::from_le_bytes([info[8], info[9], info[10], info[11]]),
        addr: u64_at(&info, 16).unwrap_or(0),
        rip,
        rsp,
        regs,
    })
}

/// Linux signal names as the runtime prints them (`sigtab_linux_generic.go`).
pub fn signal_name(sig: u32) -> (&'static str, &'static str) {
    godiag_model::signal::linux(u64::from(sig)).unwrap_or(("signal", ""))
}
