//! The input's last line when no newline ends it. A paste from a
//! clipboard, a web form, `echo -n` or `$(...)` ends so, and so does a
//! file cut inside a line. The line is read as it stands when a cut could
//! not have changed what the reader takes from it; read and flagged when
//! only a number at its end may be short (a line number, a count, an id);
//! left out when it is not whole (a header or a call not closed, a path
//! before its `:LINE`).

use crate::lines::position;

/// How far a last line without its newline can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LastLine {
    Whole,
    /// Read, but its last number may be the start of a longer one.
    NumberMayBeCut,
    Cut,
}

/// `after_call` when the line above was a frame's call, so this one is its
/// file line or a piece of it.
pub(crate) fn last_line(line: &str, after_call: bool) -> LastLine {
    let t = line.trim();
    if t.is_empty() {
        return LastLine::Whole;
    }
    // A file line: whole once its `+0x` offset has begun (the offset and
    // the `fp=`/`pc=` words after it are not what a place is read from).
    if let Some(pos) = position(t) {
        return if pos.pc_offset.is_some() {
            LastLine::Whole
        } else {
            LastLine::NumberMayBeCut
        };
    }
    if after_call || t.contains(" +0x") || t.ends_with(" +") {
        // A path not yet at its `:LINE`, or cut inside the offset or a
        // word after it.
        return LastLine::Cut;
    }
    if t.starts_with("goroutine ") && !t.starts_with("goroutine profile: total ") {
        // A header closes with `]:`.
        return if t.ends_with("]:") {
            LastLine::Whole
        } else {
            LastLine::Cut
        };
    }
    if t.starts_with("goroutine")
        || t.starts_with("created by ")
        || t.starts_with('#')
        || t.contains(" @ 0x")
    {
        // A profile's total, a creator's `in goroutine N`, a record's
        // frames and counts.
        return if t.ends_with(|c: char| c.is_ascii_hexdigit()) {
            LastLine::NumberMayBeCut
        } else {
            LastLine::Whole
        };
    }
    if t.starts_with("[signal ") && !t.ends_with(']') {
        return LastLine::Cut;
    }
    // A call with its parentheses still open.
    if t.matches('(').count() > t.matches(')').count() {
        return LastLine::Cut;
    }
    LastLine::Whole
}

#[cfg(test)]
mod tests {
    use super::{last_line, LastLine};

    #[test]
    fn last_lines() {
        let cases = [
            ("fatal error: concurrent map writes", LastLine::Whole),
            (
                "panic: runtime error: index out of range [5] with length 3",
                LastLine::Whole,
            ),
            ("\t/app/main.go:16 +0x1d", LastLine::Whole),
            ("\t/app/main.go:16 +0x1", LastLine::Whole),
            (
                "\t/go/src/runtime/asm_amd64.s:1700 +0x1 fp=0xc000 sp=0xc0",
                LastLine::Whole,
            ),
            ("goroutine 1 [running]:", LastLine::Whole),
            ("main.deref(0x5f5e100?)", LastLine::Whole),
            ("exit status 2", LastLine::Whole),
            (
                "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4553d2]",
                LastLine::Whole,
            ),
            ("", LastLine::Whole),
            ("\t/app/main.go:1", LastLine::NumberMayBeCut),
            ("goroutine profile: total 12", LastLine::NumberMayBeCut),
            (
                "created by main.main in goroutine 1",
                LastLine::NumberMayBeCut,
            ),
            (
                "#\t0x4a5b1d\tmain.f+0x1d\t/app/x.go:16",
                LastLine::NumberMayBeCut,
            ),
            ("12 @ 0x43a1b6 0x44c7e5", LastLine::NumberMayBeCut),
            ("\t/app/main.go:16 +", LastLine::Cut),
            ("\t/app/main.go:16 +0x", LastLine::Cut),
            ("\t/app/main.go:16 +0x1d f", LastLine::Cut),
            ("goroutine 1 [runn", LastLine::Cut),
            ("goroutine 12", LastLine::Cut),
            ("main.deref(0x5f5e", LastLine::Cut),
            (
                "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x45",
                LastLine::Cut,
            ),
        ];
        for (line, want) in cases {
            assert_eq!(last_line(line, false), want, "{line:?}");
        }
        assert_eq!(last_line("\t/app", true), LastLine::Cut);
        assert_eq!(last_line("\t/app/main.go:16 +0x1d", true), LastLine::Whole);
    }
}
