//! Recognisers for single lines. Each returns `None` when the line is not of
//! its form; none of them allocate.

use godiag_model::{Frame, GcTrace, SchedTrace, SignalInfo};

pub(crate) fn parse_hex(s: &str) -> Option<u64> {
    let h = s.strip_prefix("0x")?;
    if h.is_empty() || h.len() > 16 {
        return None;
    }
    u64::from_str_radix(h, 16).ok()
}

pub(crate) fn parse_dec<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `FUNC(ARGS)`: the function name is everything before the last `(`.
pub(crate) fn function_line(line: &str) -> Option<(&str, &str)> {
    let body = line.strip_suffix(')')?;
    let open = body.rfind('(')?;
    let name = &body[..open];
    if name.is_empty() || name.starts_with([' ', '\t']) || name.contains(' ') {
        return None;
    }
    Some((name, &body[open + 1..]))
}

/// The position part of a frame: `\tFILE:LINE[ +0xOFF][ fp=.. sp=.. pc=..]`,
/// after its indentation was removed.
pub(crate) struct Position<'a> {
    pub file: &'a str,
    pub line: u32,
    pub pc_offset: Option<std::num::NonZeroU32>,
    pub pc: Option<std::num::NonZeroU64>,
}

/// Splits off the last space-separated word (memrchr: this is the hot path).
fn split_last_word(s: &str) -> (&str, &str) {
    match memchr::memrchr(b' ', s.as_bytes()) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => ("", s),
    }
}

/// Parsed right to left, since file paths may contain spaces and colons.
pub(crate) fn position(s: &str) -> Option<Position<'_>> {
    let mut rest = s;
    let mut pc = None;
    let (head, last) = split_last_word(rest);
    if let Some(v) = last.strip_prefix("pc=") {
        let (h2, sp) = split_last_word(head);
        let (h3, fp) = split_last_word(h2);
        if sp.starts_with("sp=") && fp.starts_with("fp=") {
            pc = parse_hex(v);
            rest = h3;
        }
    }
    let mut pc_offset = None;
    let (head, last) = split_last_word(rest);
    if last.starts_with("+0x") {
        // `+0x0` is never printed; read it as absent rather than fail.
        pc_offset = std::num::NonZeroU32::new(u32::try_from(parse_hex(&last[1..])?).ok()?);
        rest = head;
    }
    let colon = memchr::memrchr(b':', rest.as_bytes())?;
    let line = parse_dec(&rest[colon + 1..])?;
    let file = &rest[..colon];
    if file.is_empty() {
        return None;
    }
    Some(Position {
        file,
        line,
        pc_offset,
        pc: pc.and_then(std::num::NonZeroU64::new),
    })
}

pub(crate) fn frame<'a>(function: &'a str, args: &'a str, pos: Position<'a>) -> Frame<'a> {
    Frame {
        function,
        args,
        file: pos.file,
        line: pos.line,
        pc_offset: pos.pc_offset,
        pc: pos.pc,
    }
}

/// `[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4d2860]`.
pub(crate) fn signal_line(line: &str, offset: u64) -> Option<SignalInfo<'_>> {
    let body = line.strip_prefix("[signal ")?.strip_suffix(']')?;
    let code_at = body.rfind(" code=")?;
    let head = &body[..code_at];
    let (name, description) = match head.split_once(": ") {
        Some((n, d)) => (n, d),
        None => (head, ""),
    };
    let mut code = 0;
    let mut addr = 0;
    let mut pc = 0;
    for w in body[code_at + 1..].split(' ') {
        if let Some(v) = w.strip_prefix("code=") {
            code = parse_hex(v).unwrap_or(0);
        } else if let Some(v) = w.strip_prefix("addr=") {
            addr = parse_hex(v).unwrap_or(0);
        } else if let Some(v) = w.strip_prefix("pc=") {
            pc = parse_hex(v).unwrap_or(0);
        }
    }
    Some(SignalInfo {
        name,
        description,
        code,
        addr,
        pc,
        offset,
    })
}

/// `SIGQUIT: quit` — a signal name in capitals, a colon, its description.
pub(crate) fn fatal_signal_line(line: &str) -> Option<(&str, &str)> {
    let (name, desc) = line.split_once(": ")?;
    let sig = name.strip_prefix("SIG")?;
    if sig.is_empty()
        || !sig
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return None;
    }
    Some((name, desc))
}

/// A register dump line: `rax    0x0`, `r10     0x1`, `lr      0x..`.
pub(crate) fn register_line(line: &str) -> Option<(&str, u64)> {
    let (name, value) = line.split_once(' ')?;
    if name.is_empty()
        || name.len() > 7
        || !name.as_bytes()[0].is_ascii_lowercase()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return None;
    }
    Some((name, parse_hex(value.trim_start())?))
}

/// `gc 3 @0.072s 0%: ...`.
pub(crate) fn gc_trace(line: &str, offset: u64) -> Option<GcTrace<'_>> {
    let rest = line.strip_prefix("gc ")?;
    let (num, rest) = rest.split_once(" @")?;
    let (at, rest) = rest.split_once("s ")?;
    let pct_end = rest.find('%')?;
    Some(GcTrace {
        number: parse_dec(num)?,
        at_seconds: at.parse().ok()?,
        gc_cpu_percent: parse_dec(&rest[..pct_end])?,
        forced: line.ends_with("(forced)"),
        raw: line,
        offset,
    })
}

/// `SCHED 0ms: gomaxprocs=2 idleprocs=1 threads=4 ... runqueue=0 [0 0]`.
pub(crate) fn sched_trace(line: &str, offset: u64) -> Option<SchedTrace<'_>> {
    let rest = line.strip_prefix("SCHED ")?;
    let (ms, rest) = rest.split_once("ms: ")?;
    let field = |name: &str| -> u32 {
        rest.split(' ')
            .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
            .and_then(parse_dec)
            .unwrap_or(0)
    };
    Some(SchedTrace {
        at_ms: parse_dec(ms)?,
        gomaxprocs: field("gomaxprocs"),
        idleprocs: field("idleprocs"),
        threads: field("threads"),
        runqueue: field("runqueue"),
        raw: line,
        offset,
    })
}

/// `  P0: status=1 ...`, `  M3: p=0 ...`, `  G18: status=2() ...` (scheddetail).
pub(crate) fn is_sched_detail(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    if t.len() == line.len() {
        return false;
    }
    let mut b = t.bytes();
    matches!(b.next(), Some(b'P' | b'M' | b'G'))
        && t[1..]
            .split_once(": ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let p = position("/a/b/main.go:20 +0x1d fp=0xc000 sp=0xc001 pc=0x4d2860").unwrap();
        assert_eq!(
            (p.file, p.line, p.pc_offset.map(|o| o.get())),
            ("/a/b/main.go", 20, Some(0x1d))
        );
        assert_eq!(p.pc.map(|p| p.get()), Some(0x4d2860));
        let p = position("/home/J Doe/x:y.go:7 +0x3").unwrap();
        assert_eq!((p.file, p.line), ("/home/J Doe/x:y.go", 7));
        let p = position("C:/go/src/x.go:7").unwrap();
        assert_eq!((p.file, p.line, p.pc_offset), ("C:/go/src/x.go", 7, None));
        assert!(position("not a position").is_none());
        assert!(position(":12").is_none());
    }

    #[test]
    fn functions() {
        assert_eq!(
            function_line("main.(*T).M(0x1, {0x2, 0x3})"),
            Some(("main.(*T).M", "0x1, {0x2, 0x3}"))
        );
        assert_eq!(
            function_line("main.(*Box[...]).Explode(...)"),
            Some(("main.(*Box[...]).Explode", "..."))
        );
        assert_eq!(
            function_line("panic({0x4a2c40?, 0x5a7a10?})"),
            Some(("panic", "{0x4a2c40?, 0x5a7a10?}"))
        );
        assert!(function_line("2024/01/01 log line (with parens)").is_none());
    }

    #[test]
    fn signals_and_registers() {
        let s = signal_line(
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x8 pc=0x4d2860]",
            0,
        )
        .unwrap();
        assert_eq!(
            (s.name, s.description, s.code, s.addr, s.pc),
            ("SIGSEGV", "segmentation violation", 1, 8, 0x4d2860)
        );
        assert_eq!(register_line("rax    0x0"), Some(("rax", 0)));
        assert_eq!(register_line("rflags 0x10246"), Some(("rflags", 0x10246)));
        assert!(register_line("goroutine 1 [running]:").is_none());
        assert_eq!(
            fatal_signal_line("SIGQUIT: quit"),
            Some(("SIGQUIT", "quit"))
        );
        assert!(fatal_signal_line("Sig: x").is_none());
    }

    #[test]
    fn traces() {
        let g = gc_trace(
            "gc 3 @0.072s 0%: 0.019+0.47+0.071 ms clock, 2 P (forced)",
            0,
        )
        .unwrap();
        assert_eq!((g.number, g.gc_cpu_percent, g.forced), (3, 0, true));
        let s = sched_trace("SCHED 100ms: gomaxprocs=2 idleprocs=1 threads=4 spinningthreads=0 needspinning=0 idlethreads=2 runqueue=3 [0 0]", 0).unwrap();
        assert_eq!(
            (s.at_ms, s.gomaxprocs, s.threads, s.runqueue),
            (100, 2, 4, 3)
        );
        assert!(is_sched_detail("  P0: status=1 schedtick=1"));
        assert!(is_sched_detail("  G18: status=2() m=3 lockedm=nil"));
        assert!(!is_sched_detail("  main.f()"));
    }
}
