//! The failure a core shows, as crash text would print it: the faulting
//! goroutine first, the signal, what the fault address means, and for a
//! fault in C code (cgo) the signal frame's registers.

use std::num::NonZeroU64;

use godiag_exe::GoExecutable;
use godiag_model::{Crash, FatalSignal, Frame, Goroutine, PanicEntry, SignalInfo};

use crate::fault::describe_fault;
use crate::image::Image;
use crate::signals::signal_name;
use crate::walk::{CoreGoroutines, Fault};

/// Builds the crash of a core from the fault a goroutine recorded
/// (`g.sig`, Go code) or, failing that, a fault signal a thread was
/// handling (C code, or the runtime itself), or else the message of a
/// `throw` a goroutine was in. Reorders `goroutines` so the failing one is
/// first.
pub fn crash_state<'e>(
    core: &Image<'_>,
    exe: &GoExecutable<'e>,
    bias: u64,
    read: &mut CoreGoroutines<'e>,
) -> Crash<'e> {
    let goroutines = &mut read.goroutines;
    let mut crash = Crash::default();
    // The values of the panics in progress, as `panic: ...` printed them.
    if let Some((goroutine, values)) = &read.panics {
        crash.panics = values
            .iter()
            .map(|(v, recovered)| PanicEntry {
                logged: false,
                value_unread: false,
                value: v.clone().into(),
                recovered: *recovered,
                repanicked: false,
                offset: 0,
            })
            .collect();
        first(goroutines, *goroutine);
    }
    let (fault, signals) = (read.fault, &read.signals);
    if let Some(f) = fault {
        // The faulting goroutine first, as crash output prints it, with the
        // frames at the faulting instruction when its thread is not readable.
        first(goroutines, f.goroutine);
        if let Some(g) = goroutines.first_mut().filter(|g| g.id == f.goroutine) {
            if g.frames.is_empty() {
                g.frames = frames_at(exe, f.pc);
            }
        }
        crash.fault_notes = describe_fault(core, exe, &f, &read.stacks);
        // A throw after the fault (`fatal error: fault`, or a deferred call's
        // fatal error while the panic unwound) is printed after it too.
        if let Some((_, message)) = &read.throw {
            crash.fatal_error = Some(message.clone().into());
        }
        let (name, description) = signal_name(f.signal);
        crash.signal = Some(SignalInfo {
            name,
            description,
            code: f.code,
            addr: f.addr,
            pc: f.pc,
            offset: 0,
        });
        return crash;
    }
    let Some(s) = signals.iter().find(|s| s.is_fault()) else {
        if let Some((goroutine, message)) = &read.throw {
            first(goroutines, *goroutine);
            crash.fatal_error = Some(message.clone().into());
        }
        return crash;
    };
    let link_pc = s.rip.wrapping_sub(bias);
    let in_go = exe.pclntab.find(link_pc).is_some();
    let (name, description) = signal_name(s.signal);
    crash.registers = s.regs.clone();
    let as_fault = Fault {
        goroutine: 0,
        signal: s.signal,
        code: u64::from(s.code.unsigned_abs()),
        addr: s.addr,
        pc: link_pc,
    };
    crash.fault_notes = describe_fault(core, exe, &as_fault, &read.stacks);
    crash.fatal_signal = Some(FatalSignal {
        name,
        description,
        pc: Some(s.rip),
        m: None,
        sigcode: Some(i64::from(s.code)),
        addr: Some(s.addr),
        during_cgo: !in_go,
        offset: 0,
    });
    if in_go {
        crash.signal = Some(SignalInfo {
            name,
            description,
            code: as_fault.code,
            addr: s.addr,
            pc: link_pc,
            offset: 0,
        });
    } else if let Some(id) = goroutines
        .iter()
        .find(|g| g.frames.iter().any(|f| f.function == "runtime.cgocall"))
        .map(|g| g.id)
    {
        // The goroutine that called into C is the one that failed.
        first(goroutines, id);
    }
    crash
}

/// Moves goroutine `id` to the front, where crash output prints the failing one.
fn first(goroutines: &mut Vec<Goroutine<'_>>, id: u64) {
    if let Some(i) = goroutines.iter().position(|g| g.id == id) {
        let g = goroutines.remove(i);
        goroutines.insert(0, g);
    }
}

fn frames_at<'e>(exe: &GoExecutable<'e>, pc: u64) -> Vec<Frame<'e>> {
    exe.frames(pc)
        .into_iter()
        .map(|x| Frame {
            function: x.function,
            args: if x.inlined { "..." } else { "" }.into(),
            file: x.file,
            line: u32::try_from(x.line).unwrap_or(0),
            pc_offset: None,
            pc: NonZeroU64::new(pc),
        })
        .collect()
}
