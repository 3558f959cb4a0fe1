//! Text that was escaped and then broken again: each line still ends with
//! the `\n` escape that stood for its line break (and a `\t` escape that
//! stood for the next line's indentation), followed by the real break, as
//! when a quoted string from a log is pasted through a tool that wrapped
//! it at its escapes:
//!
//! ```text
//! panic(0x8406140, 0x1880a038)\n\t
//! /usr/local/go/src/runtime/panic.go:443 +0x3fd\n
//! ```
//!
//! (https://github.com/golang/groupcache/issues/66). The escapes at the
//! ends are dropped, a `\t` becoming the next line's tab.

/// Lines ending so, at least: fewer could be prose quoting an escape.
const AT_LEAST: usize = 3;

/// Whether most lines end with a `\n` escape (before trailing blanks).
pub(crate) fn has_escaped_ends(lines: &[&str]) -> bool {
    let filled = lines.iter().filter(|l| !l.trim().is_empty()).count();
    let escaped = lines.iter().filter(|l| escaped_end(l).is_some()).count();
    escaped >= AT_LEAST && escaped * 2 >= filled
}

/// The line without its trailing escapes, and whether they ended with `\t`
/// (the next line was indented).
fn escaped_end(line: &str) -> Option<(&str, bool)> {
    let end = line.trim_end();
    if let Some(body) = end.strip_suffix("\\n\\t") {
        return Some((body, true));
    }
    end.strip_suffix("\\n").map(|body| (body, false))
}

/// The lines with their trailing escapes dropped; how many there were.
pub(crate) fn rewrite(lines: &[&str]) -> (Vec<String>, usize) {
    let mut out = Vec::with_capacity(lines.len());
    let mut n = 0;
    let mut indent_next = false;
    for line in lines {
        let (body, indent) = match escaped_end(line) {
            Some(found) => {
                n += 1;
                found
            }
            None => (*line, false),
        };
        let body = if indent_next {
            format!("\t{}", body.trim_start())
        } else {
            body.to_string()
        };
        out.push(body);
        indent_next = indent;
    }
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// golang/groupcache#66, its first lines as pasted.
    const GROUPCACHE: &str = "panic(0x8406140, 0x1880a038)\\n\\t  \n\
/usr/local/go/src/runtime/panic.go:443 +0x3fd\\n  \n\
sync/atomic.AddUint64(0x1880c7ac, 0x1, 0x0, 0x80554be, 0x188b4360)\\n\\t  \n\
/usr/local/go/src/sync/atomic/asm_386.s:112 +0xc\\n  \n";

    #[test]
    fn escapes_at_line_ends_become_the_breaks_they_stood_for() {
        let lines: Vec<&str> = GROUPCACHE.lines().collect();
        assert!(has_escaped_ends(&lines));
        let (out, n) = rewrite(&lines);
        assert_eq!(n, 4);
        assert_eq!(
            out,
            [
                "panic(0x8406140, 0x1880a038)",
                "\t/usr/local/go/src/runtime/panic.go:443 +0x3fd",
                "sync/atomic.AddUint64(0x1880c7ac, 0x1, 0x0, 0x80554be, 0x188b4360)",
                "\t/usr/local/go/src/sync/atomic/asm_386.s:112 +0xc",
            ]
        );
    }

    #[test]
    fn prose_quoting_an_escape_is_left_alone() {
        let lines = [
            "the log line ends with \\n",
            "goroutine 1 [running]:",
            "main.main()",
            "\t/tmp/x.go:5 +0x1d",
        ];
        assert!(!has_escaped_ends(&lines));
    }
}
