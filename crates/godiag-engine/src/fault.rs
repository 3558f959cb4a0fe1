//! The faulting instruction of a crash text, from the executable given
//! with it.

/// Crash text given with its executable (`--exe`): the instruction at the
/// faulting PC, disassembled, and the Go or C function it is in. A PIE's
/// load address comes from any frame printed with its `pc=` (GOTRACEBACK
/// system or crash). A Go fault must land in a function of the failing
/// goroutine's stack, or the executable is not the one that crashed.
pub(crate) fn fault_instruction_from_exe(
    exe: &godiag_exe::GoExecutable<'_>,
    exe_bytes: &[u8],
    t: &godiag_model::TextArtifact<'_>,
) -> Result<Option<String>, String> {
    let c = &t.crash;
    let (pc, in_go) = match (&c.signal, &c.fatal_signal) {
        (Some(s), _) if s.pc != 0 => (s.pc, true),
        // Only a fault's pc is where something went wrong: a SIGQUIT's or
        // a sent signal's (sigcode 0 or less, SI_USER) is wherever the
        // thread happened to be, and SIGABRT's is the runtime's own raise.
        (_, Some(f)) if !is_fault(f) => return Ok(None),
        (_, Some(f)) => match f.pc {
            Some(pc) => (pc, !f.during_cgo),
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    let pie = object::File::parse(exe_bytes)
        .map(|f| object::Object::kind(&f) == object::ObjectKind::Dynamic)
        .unwrap_or(false);
    let bias = if pie {
        let printed = t
            .goroutines
            .iter()
            .flat_map(|g| g.frames.iter())
            .find_map(|f| {
                let (pc, off) = (f.pc?.get(), u64::from(f.pc_offset?.get()));
                let (entry, _) = exe.pclntab.find_by_name(f.function)?;
                Some(pc.wrapping_sub(entry + off))
            });
        match printed {
            Some(b) => b,
            // No frame carries its pc=: the load address is unknown.
            None => return Ok(None),
        }
    } else {
        0
    };
    let link = pc.wrapping_sub(bias);
    if in_go {
        let Some(f) = exe.pclntab.find(link) else {
            return Err(format!(
                "the executable has no Go function at the faulting pc {pc:#x}: it is not the one that crashed"
            ));
        };
        let on_stack = t
            .failing_goroutine()
            .is_some_and(|g| g.frames.iter().any(|fr| fr.function == f.name));
        if !on_stack {
            return Err(format!(
                "the executable puts the faulting pc {pc:#x} in {}, which is not on the failing goroutine's stack: it is not the one that crashed",
                f.name
            ));
        }
    }
    Ok(godiag_core::faulting_instruction(exe, link))
}

/// A signal the instruction at its pc raised.
fn is_fault(f: &godiag_model::FatalSignal<'_>) -> bool {
    matches!(f.name, "SIGSEGV" | "SIGBUS" | "SIGFPE" | "SIGILL")
        && f.sigcode.map_or(true, |c| c > 0)
}
