//! A fault's instruction, disassembled, and what its address is.

use godiag_exe::GoExecutable;

use crate::image::Image;
use crate::walk::{Fault, GoroutineStack};

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
    core: &Image<'_>,
    exe: &GoExecutable<'_>,
    fault: &Fault,
    stacks: &[GoroutineStack],
) -> Vec<String> {
    let mut out: Vec<String> = faulting_instruction(exe, fault.pc).into_iter().collect();
    let a = fault.addr;
    // Where the address falls against the goroutines' stacks (`g.stack`,
    // as the walk read them); a nil-page address needs no search.
    let mut near_stack = None;
    for &GoroutineStack {
        goroutine: id,
        lo,
        hi,
    } in stacks.iter().filter(|_| a >= 0x1000)
    {
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
