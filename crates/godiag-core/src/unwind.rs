//! Unwinding a goroutine's stack with the runtime's frame tables (`pcsp`),
//! symbolised with inlined frames, cached per PC.

use std::num::NonZeroU32;

use godiag_exe::GoExecutable;
use godiag_model::Frame;

use crate::image::Image;
use crate::waits;

/// Frames symbolised per stack; deeper ones are only counted (up to
/// [`MAX_COUNTED`]), as the runtime elides the middle of deep stacks.
pub(crate) const MAX_FRAMES: usize = 1000;
pub(crate) const MAX_COUNTED: u64 = 1_000_000;

/// Which frames of a walk get their arguments and pending deferred
/// unlocks read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgsFor {
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
    /// Where its open-coded defers are, if it has any.
    defers: Option<godiag_exe::OpenDefers>,
    /// The physical function is the runtime's.
    in_runtime: bool,
}

/// [`PcStep`]s by (PC as found on the stack, whether it is exact).
#[derive(Default)]
pub(crate) struct PcCache<'e> {
    steps: godiag_model::group::FxMap<(u64, bool), Option<std::rc::Rc<PcStep<'e>>>>,
    /// Whether the deferred closure at a code address unlocks a mutex.
    unlocks: godiag_model::group::FxMap<u64, bool>,
    /// Frames of the stack being walked, moved out at its end into a vector
    /// of their exact number: one allocation per stack, not one per growth
    /// and another to shrink (100,000 stacks in a walk).
    scratch: Vec<Frame<'e>>,
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
pub(crate) fn unwind<'e>(
    core: &Image<'_>,
    cache: &mut PcCache<'e>,
    exe: &GoExecutable<'e>,
    bias: u64,
    (pc, sp, first_exact): (u64, u64, bool),
    with_args: ArgsFor,
) -> (Vec<Frame<'e>>, Option<u64>, Vec<u64>) {
    let mut out = std::mem::take(&mut cache.scratch);
    out.clear();
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
    // Drained, not taken: the scratch keeps its capacity for the next stack.
    #[allow(clippy::drain_collect)]
    let frames: Vec<Frame<'e>> = out.drain(..).collect();
    cache.scratch = out;
    (frames, (elided > 0).then_some(elided), held)
}

/// The locks a frame's pending deferred unlocks will release (open-coded
/// defers): each `defer` that has run sets its bit, and its slot holds the
/// closure; a closure that unlocks captured the lock's address first. The
/// frame holds those locks.
fn deferred_unlocks(
    core: &Image<'_>,
    exe: &GoExecutable<'_>,
    bias: u64,
    defers: godiag_exe::OpenDefers,
    fp: u64,
    unlocks: &mut godiag_model::group::FxMap<u64, bool>,
) -> Vec<u64> {
    // varp: below the return address and the saved frame pointer.
    let varp = fp.wrapping_sub(16);
    let Some(bits) = core.read_u8(varp.wrapping_sub(defers.bits)) else {
        return Vec::new();
    };
    (0..8usize)
        .filter(|i| bits & (1 << i) != 0)
        .filter_map(|i| {
            let closure = core.read_u64(varp.wrapping_sub(defers.closures[i]?))?;
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
