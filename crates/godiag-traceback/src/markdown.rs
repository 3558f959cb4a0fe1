//! Runtime text pasted into an issue outside a code block and copied back
//! from the rendered page, where Markdown took its characters for markup:
//!
//! - **eaten receivers**: the `*` of a pointer receiver opened or closed
//!   emphasis and vanished (`sitedossier.(agent).enumerate`,
//!   https://github.com/projectdiscovery/subfinder/issues/347), or came
//!   back as the `_` a converter writes for emphasis
//!   (`collector.(_PlusCollector).Collect`,
//!   https://github.com/mrkschan/nginxbeat/issues/47). The runtime prints
//!   a receiver in parentheses only when it is a pointer (`pkg.(*T).M`; a
//!   value receiver is `pkg.T.M`), so a frame's parenthesised receiver
//!   without its `*` has lost it. Only frames are mended: a type assertion
//!   in the prose (`r.(error).Error()`) is Go, not damage;
//! - **bold**: a pair of `**` around words (`invalid memory address or
//!   **nil pointer** dereference`, https://github.com/gohugoio/hugo/issues/1112),
//!   or around a whole line (`**[signal SIGSEGV: ...]**`). The opening pair
//!   starts the line or follows a blank, the closing one ends the line or
//!   comes before a blank or a punctuation mark: a glob in a program's
//!   panic value (`"**/*.proto"`, `"api/**"`) is no pair.
//!
//! Each line is read once and written once: the work is linear in the
//! line's length whatever it holds.

use godiag_model::ArgWord;

/// How far a generic type's bracketed arguments are looked through.
const MAX_TYPE_ARGS: usize = 256;
/// How far back a `created by` line's function name is looked through.
const MAX_NAME: usize = 1024;

/// Whether `line` (with `next`, the line after it) holds Markdown damage
/// this pass undoes.
pub(crate) fn is_marked(line: &str, next: &str) -> bool {
    (line.contains(".(") && receivers(line, next).next().is_some())
        || (line.contains("**") && bold_pairs(line).next().is_some())
}

/// Every line restored, and how many receivers and bold pairs were.
pub(crate) fn restore_all(text: &str) -> (String, usize, usize) {
    let mut out = String::with_capacity(text.len() + 64);
    let (mut receivers_fixed, mut bold_fixed) = (0, 0);
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let next = lines.peek().copied().unwrap_or("");
        let (r, b) = restore_line(line, next, &mut out);
        receivers_fixed += r;
        bold_fixed += b;
    }
    (out, receivers_fixed, bold_fixed)
}

/// Writes `line` with its frames' receivers given their `*` back and its
/// bold markers removed; how many of each.
fn restore_line(line: &str, next: &str, out: &mut String) -> (usize, usize) {
    // Edits as (offset, bytes to drop, text to insert), in line order.
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    let mut fixed_receivers = 0;
    if line.contains(".(") {
        for (open, underscore) in receivers(line, next) {
            edits.push((open + 1, usize::from(underscore), "*"));
            fixed_receivers += 1;
        }
    }
    let mut fixed_bold = 0;
    if line.contains("**") {
        for (open, close) in bold_pairs(line) {
            edits.push((open, 2, ""));
            edits.push((close, 2, ""));
            fixed_bold += 1;
        }
    }
    edits.sort_by_key(|e| e.0);
    let mut from = 0;
    for (at, drop, insert) in edits {
        if at < from {
            continue;
        }
        out.push_str(&line[from..at]);
        out.push_str(insert);
        from = at + drop;
    }
    out.push_str(&line[from..]);
    (fixed_receivers, fixed_bold)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The receivers written `pkg.(T).M` or `pkg.(_T).M` in a frame of
/// `line`: the offset of each `(`, and whether a `_` follows it.
fn receivers<'l>(line: &'l str, next: &'l str) -> impl Iterator<Item = (usize, bool)> + 'l {
    let bytes = line.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(i) = line.get(at..)?.find(".(") {
            let dot = at + i;
            at = dot + 2;
            // The package's name ends right before the dot.
            if dot == 0 || !is_ident(bytes[dot - 1]) {
                continue;
            }
            let open = dot + 1;
            let mut j = open + 1;
            let underscore = bytes.get(j) == Some(&b'_');
            if underscore {
                j += 1;
            }
            // The type's name: a letter, then identifier characters.
            if !bytes.get(j).is_some_and(u8::is_ascii_alphabetic) {
                continue;
            }
            while bytes.get(j).copied().is_some_and(is_ident) {
                j += 1;
            }
            // A generic type's arguments, bracketed.
            if bytes.get(j) == Some(&b'[') {
                match close_bracket(bytes, j) {
                    Some(k) => j = k + 1,
                    None => continue,
                }
            }
            // `).` and the method's (or closure's) name.
            if !(bytes.get(j) == Some(&b')') && bytes.get(j + 1) == Some(&b'.')) {
                continue;
            }
            let mut end = j + 2;
            while bytes
                .get(end)
                .copied()
                .is_some_and(|b| is_ident(b) || b == b'.' || b == b'-')
            {
                end += 1;
            }
            if end == j + 2 {
                continue;
            }
            // `created by pkg.(T).M`: the name right after the words.
            // (A name is short: the look back is bounded.)
            let window = dot.saturating_sub(MAX_NAME);
            let name_start = bytes[window..dot]
                .iter()
                .rposition(u8::is_ascii_whitespace)
                .map(|b| window + b + 1);
            let created_by = name_start.is_some_and(|n| bytes[..n].ends_with(b"created by "));
            if created_by || frame_follows(&line[end..], next) {
                at = end;
                return Some((open, underscore));
            }
        }
        None
    })
}

/// Whether what follows a function's name makes it a frame: a record's
/// `+0x..` offset; printed arguments with a file position after them on
/// the line or on the next one; the name alone over a file position (zap's
/// and `runtime.CallersFrames` users' stacks); or printed arguments the line
/// broke inside (a terminal's width, Go 1.4 on Windows).
fn frame_follows(rest: &str, next: &str) -> bool {
    let position = |s: &[u8]| {
        memchr::memmem::find(s, b".go:").is_some() || memchr::memmem::find(s, b".s:").is_some()
    };
    if rest.starts_with("+0x") {
        return true;
    }
    if rest.trim().is_empty() {
        return position(next.as_bytes());
    }
    let Some(args) = rest.strip_prefix('(') else {
        return false;
    };
    let Some(close) = args.find(')') else {
        // Broken inside the arguments: the words before the break are
        // printed ones, the last may be cut (`0x`).
        let words: Vec<&str> = args.trim_end().split(',').collect();
        let Some((last, whole)) = words.split_last() else {
            return false;
        };
        let last = last.trim();
        return whole.iter().all(|w| ArgWord::parse(w).is_some())
            && (last.is_empty() || last.starts_with('0') || last == "...");
    };
    let printed = args[..close].trim().is_empty()
        || args[..close]
            .split(',')
            .all(|w| ArgWord::parse(w).is_some());
    if !printed {
        return false;
    }
    let after = args[close + 1..].trim_start().as_bytes();
    if after.iter().all(u8::is_ascii_whitespace) {
        position(next.as_bytes())
    } else {
        // The word after the arguments, looked at up to a path's length.
        let word = &after[..after.len().min(MAX_NAME)];
        let end = word
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(word.len());
        position(&word[..end])
    }
}

/// The offset of the `]` closing the `[` at `open`, looked for within
/// [`MAX_TYPE_ARGS`] bytes.
fn close_bracket(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let end = bytes.len().min(open + MAX_TYPE_ARGS);
    for (k, &b) in bytes.iter().enumerate().take(end).skip(open) {
        match b {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            b'\n' => return None,
            _ => {}
        }
    }
    None
}

/// The bold pairs of `line`: the offsets of each opening and closing `**`.
/// An opening run follows a blank or the line's start and precedes a
/// character other than a blank or `*`; a closing one follows such a
/// character and precedes a blank, a punctuation mark or the line's end.
fn bold_pairs(line: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = line.as_bytes();
    let mut open = None;
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(i) = line.get(at..)?.find("**") {
            let k = at + i;
            at = k + 2;
            let before = k.checked_sub(1).and_then(|p| bytes.get(p));
            let after = bytes.get(k + 2);
            let word = |b: Option<&u8>| b.is_some_and(|b| !b.is_ascii_whitespace() && *b != b'*');
            let opens = before.is_none_or(u8::is_ascii_whitespace) && word(after);
            let closes = word(before)
                && after.is_none_or(|b| b.is_ascii_whitespace() || b.is_ascii_punctuation());
            match open {
                Some(o) if closes => {
                    open = None;
                    return Some((o, k));
                }
                _ if opens => open = Some(k),
                _ => {}
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn restored(line: &str, next: &str) -> (String, usize, usize) {
        let mut out = String::new();
        let (r, b) = restore_line(line, next, &mut out);
        (out, r, b)
    }

    #[test]
    fn eaten_and_underscored_receivers_get_their_star() {
        let (line, r, _) = restored(
            "github.com/x/sitedossier.(agent).enumerate(0xc00011f240, 0x38)\n",
            "\t/root/go/x/sitedossier.go:40 +0x192\n",
        );
        assert_eq!(r, 1);
        assert_eq!(
            line,
            "github.com/x/sitedossier.(*agent).enumerate(0xc00011f240, 0x38)\n"
        );
        // The file joined to its frame's line.
        let (line, r, _) = restored(
            "collector.(_PlusCollector).Collect(0x1, ...)        /src/plus.go:106 +0x18c1\n",
            "",
        );
        assert_eq!(
            (line.as_str(), r),
            (
                "collector.(*PlusCollector).Collect(0x1, ...)        /src/plus.go:106 +0x18c1\n",
                1
            )
        );
        let (line, r, _) = restored(
            "pkg.(Stack[go.shape.int]).Push.func1()\n",
            "\t/a/s.go:3 +0x1\n",
        );
        assert_eq!(
            (line.as_str(), r),
            ("pkg.(*Stack[go.shape.int]).Push.func1()\n", 1)
        );
        let (line, r, _) = restored("created by net/http.(Server).Serve in goroutine 1\n", "");
        assert_eq!(
            (line.as_str(), r),
            ("created by net/http.(*Server).Serve in goroutine 1\n", 1)
        );
        // zap's stack: names alone over their files.
        let (line, r, _) = restored("server.(Server).openStore\n", "\t/app/server.go:88\n");
        assert_eq!((line.as_str(), r), ("server.(*Server).openStore\n", 1));
        // A function line broken inside its arguments (Go 1.4, Windows).
        let (line, r, _) = restored(
            "interpreter.(Interpreter).Interpret(0x12154140, 0x6f, 0x\n",
            "12154140, 0x1)\n",
        );
        assert_eq!(
            (line.as_str(), r),
            (
                "interpreter.(*Interpreter).Interpret(0x12154140, 0x6f, 0x\n",
                1
            )
        );
        let (line, r, _) = restored("#\t0x4d2f31\tmain.(T).run+0x31\t/a/main.go:9\n", "");
        assert_eq!(
            (line.as_str(), r),
            ("#\t0x4d2f31\tmain.(*T).run+0x31\t/a/main.go:9\n", 1)
        );
    }

    #[test]
    fn runtime_receivers_and_type_assertions_are_left_alone() {
        for (line, next) in [
            (
                "net/http.(*conn).serve(0xc000)\n",
                "\t/a/server.go:1 +0x1\n",
            ),
            ("created by net/http.(*Server).Serve\n", ""),
            ("v := x.(string)\n", ""),
            (
                "In my handler I call `r.(error).Error()`:\n",
                "panic: boom\n",
            ),
            ("body := resp.(Response).Body()\n", "fmt.Println(body)\n"),
            ("x := a.(T).M(y)\n", "\t/a/main.go:3\n"),
            (
                "panic: interface conversion: interface {} is **main.T, not **main.U\n",
                "",
            ),
            ("main.(*T).M(...)\n", ""),
        ] {
            assert!(!is_marked(line, next), "{line}");
        }
    }

    #[test]
    fn bold_pairs_lose_their_markers() {
        let (line, _, b) = restored(
            "panic: runtime error: invalid memory address or **nil pointer** dereference\n",
            "",
        );
        assert_eq!(
            (line.as_str(), b),
            (
                "panic: runtime error: invalid memory address or nil pointer dereference\n",
                1
            )
        );
        let (line, _, b) = restored("[signal 0xb code=0x1 **addr=0x0** pc=0x47ab4b]\n", "");
        assert_eq!(
            (line.as_str(), b),
            ("[signal 0xb code=0x1 addr=0x0 pc=0x47ab4b]\n", 1)
        );
        let (line, _, b) = restored("**[signal SIGSEGV: segmentation violation code=0x1 addr=0x7f3a2c001000 pc=0x47ab4b]**\n", "");
        assert_eq!(
            (line.as_str(), b),
            ("[signal SIGSEGV: segmentation violation code=0x1 addr=0x7f3a2c001000 pc=0x47ab4b]\n", 1)
        );
        let (line, _, b) = restored(
            "**fatal error: all goroutines are asleep - deadlock!**\n",
            "",
        );
        assert_eq!(
            (line.as_str(), b),
            ("fatal error: all goroutines are asleep - deadlock!\n", 1)
        );
        let (line, _, _) = restored("panic: **send on closed channel**\n", "");
        assert_eq!(line, "panic: send on closed channel\n");
        // A glob in a program's own value is no pair.
        for line in [
            "panic: no files match \"**/*.proto\" in \"api/**\"\n",
            "panic: interface conversion: interface {} is **main.T, not **main.U\n",
        ] {
            assert!(!is_marked(line, ""), "{line}");
        }
    }

    /// Lines of nothing but damage are mended whole (a quadratic pass
    /// would take minutes on them; `scripts/bench-traceback.sh` measures).
    #[test]
    fn hostile_lines_are_mended_whole() {
        let line = "**a** runtime error: ".repeat(100_000);
        let (out, _, b) = restored(&line, "");
        assert_eq!((b, out.len()), (100_000, line.len() - 400_000));
        let line = "x.(T).M(0x1) a.go:1 ".repeat(100_000);
        let (out, r, _) = restored(&line, "");
        assert_eq!((r, out.len()), (100_000, line.len() + 100_000));
        for unit in ["a.(T[", "pkg.(T[[[[", "a.(T).M(0x1)"] {
            let line = unit.repeat(100_000);
            assert_eq!(restored(&line, "").0, line);
        }
        // Unclosed calls: only the last, whose arguments the line's end
        // broke, reads as a frame.
        let line = "a.(T).M(0x1, ".repeat(100_000);
        assert_eq!(restored(&line, "").1, 1);
    }
}
