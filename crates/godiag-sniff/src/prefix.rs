//! Whatever stands before the runtime's text on every line, learned from the
//! lines themselves:
//!
//! ```text
//! 2024-05-01T10:00:00.123456789Z stderr F panic: boom          (CRI: containerd, CRI-O)
//! 2024-05-01T10:00:00.1234567Z goroutine 1 [running]:          (CI runners, kubectl --timestamps)
//! Nov 04 23:11:39.134387 host unit[812]: panic: boom           (journald, syslog)
//! web_1  | goroutine 1 [running]:                              (docker compose)
//! > goroutine 1 [running]:                                     (a quoted paste)
//!     goroutine 1 [running]:                                   (an indented paste)
//! ```
//!
//! No form is listed. Each line that holds a runtime anchor (`anchor::find`)
//! gives the text before it; that text is reduced to a *shape* (runs of
//! digits and of blanks become one token each, everything else is kept), and
//! the shape most anchor lines share is the prefix. A paste quoted and then
//! indented has two prefixes, learned one after the other. Then every line
//! whose start has the shape loses it, so the runtime's text reads as
//! printed: frames keep their tab, because the blanks that end a prefix are
//! removed by count, not by kind.

use crate::anchor;

/// How many lines the prefix is learned from.
const SAMPLE_LINES: usize = 5_000;
/// Prefixes inside prefixes (a quoted, indented, timestamped paste).
const MAX_LAYERS: usize = 3;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Token {
    /// One or more ASCII digits.
    Digits,
    /// One or more blanks inside the prefix.
    Blank,
    Char(char),
}

/// One learned prefix: its shape, then exactly `trailing` blanks.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Layer {
    tokens: Vec<Token>,
    trailing: usize,
}

/// The prefix of every line of a text, possibly in layers, and the suffix
/// some viewers add (a CI log's ` | 86s` elapsed-time column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinePrefix {
    layers: Vec<Layer>,
    /// Learned like a prefix, on the lines read backwards.
    suffix: Option<Layer>,
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The shape of a prefix and the number of blanks that end it.
fn shape(prefix: &str) -> (Vec<Token>, usize) {
    let body = prefix.trim_end_matches(is_blank);
    let trailing = prefix.len() - body.len();
    let mut tokens = Vec::new();
    for c in body.chars() {
        let t = if c.is_ascii_digit() {
            Token::Digits
        } else if is_blank(c) {
            Token::Blank
        } else {
            Token::Char(c)
        };
        if matches!(t, Token::Digits | Token::Blank) && tokens.last() == Some(&t) {
            continue;
        }
        tokens.push(t);
    }
    (tokens, trailing)
}

impl Layer {
    /// The line without this layer's prefix; a line that is only the
    /// prefix (its trailing blanks trimmed) is an empty line.
    fn strip<'l>(&self, line: &'l str) -> Option<&'l str> {
        let b = line.as_bytes();
        let mut i = 0;
        for t in &self.tokens {
            match t {
                Token::Digits | Token::Blank => {
                    let want_digit = *t == Token::Digits;
                    let n = b[i..]
                        .iter()
                        .take_while(|c| {
                            if want_digit {
                                c.is_ascii_digit()
                            } else {
                                **c == b' ' || **c == b'\t'
                            }
                        })
                        .count();
                    if n == 0 {
                        return None;
                    }
                    i += n;
                }
                Token::Char(c) => {
                    let rest = line.get(i..)?;
                    if !rest.starts_with(*c) {
                        return None;
                    }
                    i += c.len_utf8();
                }
            }
        }
        let rest = &line[i..];
        let blanks = rest
            .bytes()
            .take_while(|c| *c == b' ' || *c == b'\t')
            .count();
        if blanks == rest.len() {
            return Some("");
        }
        if blanks < self.trailing {
            return None;
        }
        Some(&rest[self.trailing..])
    }
}

impl LinePrefix {
    /// Strips every layer that the line has.
    pub fn strip<'l>(&self, line: &'l str) -> &'l str {
        let mut line = line;
        for layer in &self.layers {
            match layer.strip(line) {
                Some(rest) => line = rest,
                None => break,
            }
        }
        match &self.suffix {
            Some(suffix) => strip_suffix(line, suffix),
            None => line,
        }
    }

    /// Learns the prefix from the first lines of `text`; `None` when the
    /// runtime's lines start at the beginning of their lines.
    pub fn learn(text: &str) -> Option<LinePrefix> {
        let mut lines: Vec<&str> = text
            .lines()
            .take(SAMPLE_LINES)
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        let mut layers = Vec::new();
        while layers.len() < MAX_LAYERS {
            let Some(layer) = learn_layer(&lines) else {
                break;
            };
            for l in &mut lines {
                if let Some(rest) = layer.strip(l) {
                    *l = rest;
                }
            }
            layers.push(layer);
        }
        let suffix = learn_suffix(&lines);
        if let Some(sfx) = &suffix {
            for l in &mut lines {
                *l = strip_suffix(l, sfx);
            }
        }
        (!layers.is_empty() || suffix.is_some()).then_some(LinePrefix { layers, suffix })
    }
}

/// The line without a suffix of the learned shape.
fn strip_suffix<'l>(line: &'l str, suffix: &Layer) -> &'l str {
    let reversed: String = line.chars().rev().collect();
    match suffix.strip(&reversed) {
        // The kept part, read backwards, is as long in bytes as it was.
        Some(rest) => line.get(..rest.len()).unwrap_or(line),
        None => line,
    }
}

/// A suffix most frame function lines and goroutine headers share after
/// their end: whatever follows `pkg.F(args)` or `goroutine N [...]:`.
fn learn_suffix(lines: &[&str]) -> Option<Layer> {
    let mut calls = 0;
    let mut counts: std::collections::HashMap<Vec<Token>, (usize, usize)> = Default::default();
    for l in lines {
        if l.len() > anchor::MAX_FRAME_LINE {
            continue;
        }
        let Some(start) = l.find(|c: char| !is_blank(c)) else {
            continue;
        };
        let body = &l[start..];
        // The shortest call from the line's start, or a goroutine header:
        // the suffix is after it.
        let end = if anchor::is_header(body) {
            body.find("]:").map(|i| i + 2)
        } else {
            body.match_indices(')')
                .map(|(i, _)| i + 1)
                .find(|&i| anchor::is_call(&body[..i]))
        };
        let Some(end) = end else {
            continue;
        };
        calls += 1;
        let rest = &body[end..];
        // A frame's own file on its line (a report laid out in columns,
        // celestiaorg/cosmos-sdk#732) is no viewer's column.
        if rest
            .split_whitespace()
            .next()
            .is_none_or(anchor::is_position)
        {
            continue;
        }
        let reversed: String = rest.chars().rev().collect();
        let (tokens, trailing) = shape(&reversed);
        let e = counts.entry(tokens).or_insert((0, usize::MAX));
        e.0 += 1;
        e.1 = e.1.min(trailing);
    }
    let (tokens, (n, trailing)) = counts.into_iter().max_by_key(|(_, (n, _))| *n)?;
    (n >= 2 && n * 2 >= calls && !tokens.is_empty()).then_some(Layer { tokens, trailing })
}

fn learn_layer(lines: &[&str]) -> Option<Layer> {
    // A recovery handler's `runtime.Caller` frames name their function
    // over the source line (`(*Context).Next: c.handlers[c.index](c)`
    // under `.../context.go:173 (0x47f52b3)`, gin-gonic/gin#3404): the
    // source's calls are no runtime text, what stands before them no prefix.
    let anchored: Vec<(&str, anchor::Anchor)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            anchor::find(l)
                .or_else(|| caller_frame_at(l))
                .or_else(|| gocheck_place_at(l, lines.get(i + 1).copied()))
                .or_else(|| count_record_at(l))
                .or_else(|| runtime_trace_at(l))
                .map(|a| (i, *l, a))
        })
        .filter(|(i, _, a)| {
            a.strong
                || i.checked_sub(1)
                    .is_none_or(|p| !anchor::is_caller_frame(lines[p]))
        })
        .map(|(_, l, a)| (l, a))
        .collect();
    if anchored.len() < 2 {
        return None;
    }
    // The shape most anchor lines share, when it is not blank alone.
    let mut counts: std::collections::HashMap<Vec<Token>, (usize, usize)> = Default::default();
    for (l, a) in &anchored {
        let (tokens, trailing) = shape(&l[..a.at]);
        if tokens.is_empty() {
            continue;
        }
        let e = counts.entry(tokens).or_insert((0, usize::MAX));
        e.0 += 1;
        e.1 = e.1.min(trailing);
    }
    if let Some((tokens, (n, trailing))) = counts.into_iter().max_by_key(|(_, (n, _))| *n) {
        if n >= 2 && n * 2 >= anchored.len() {
            return Some(Layer { tokens, trailing });
        }
    }
    // Blank indentation alone: the least that the unmistakable anchors
    // (goroutine headers, `panic:` lines) have, which the runtime prints at
    // the start of the line. Race report frames are indented by the
    // runtime, so lines with frames only say nothing here.
    let strong: Vec<usize> = anchored
        .iter()
        .filter(|(_, a)| a.strong)
        .map(|(l, a)| leading_blanks(&l[..a.at]))
        .collect();
    let indent = if strong.is_empty() {
        anchored
            .iter()
            .map(|(l, a)| leading_blanks(&l[..a.at]))
            .min()?
    } else {
        match *strong.iter().min()? {
            0 => shared_indent(&strong),
            least => least,
        }
    };
    (indent > 0).then(|| Layer {
        tokens: Vec::new(),
        trailing: indent,
    })
}

/// Where a `debug=1` goroutine profile's record head (`194 @ 0x46d78e ..`)
/// or record frame (`#\t0x4d1454\tmain.f+0x34\t/app/main.go:15`) starts:
/// such a profile has one other anchor, its `goroutine profile:` line, so
/// a collector's prefix over it is learned from these.
fn count_record_at(line: &str) -> Option<anchor::Anchor> {
    let at = |at| Some(anchor::Anchor { at, strong: false });
    if let Some(i) = line.find(" @ 0x") {
        let start = line[..i]
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_ascii_digit())
            .map_or(0, |(j, c)| j + c.len_utf8());
        if start < i && anchor::count_record_head(&line[start..]).is_some() {
            return at(start);
        }
    }
    line.match_indices('#')
        .map(|(i, _)| i)
        .find(|&i| anchor::is_headless_record_frame(&line[i + 1..]))
        // An editor's escaped `\#` (elastic/go-elasticsearch#274) is the
        // record's, no prefix.
        .map(|i| if line[..i].ends_with('\\') { i - 1 } else { i })
        .and_then(at)
}

/// Where a `GODEBUG=gctrace=1` line (`gc 4 @1.002s 1%: ...`) or a
/// schedtrace line (`SCHED 1000ms: gomaxprocs=...`) starts: a process's
/// stderr under a collector's prefix may hold nothing else.
fn runtime_trace_at(line: &str) -> Option<anchor::Anchor> {
    let gc = line.match_indices("gc ").map(|(i, _)| i).find(|&i| {
        let rest = &line[i + 3..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with(" @") && rest.contains("%: ")
    });
    let sched = line
        .find("SCHED ")
        .filter(|&i| line[i..].contains("ms: gomaxprocs="));
    gc.or(sched).map(|at| anchor::Anchor { at, strong: false })
}

/// Where a recovery handler's `runtime.Caller` frame (`/app/h.go:42
/// (0x8c1d2f)`) starts: its path's first byte. Such stacks have no other
/// anchor on most lines, so a compose prefix over them is learned from
/// these.
fn caller_frame_at(line: &str) -> Option<anchor::Anchor> {
    if !anchor::is_caller_frame(line) {
        return None;
    }
    let (place, _) = line.trim_end().rsplit_once(" (0x")?;
    let at = place.rfind([' ', '\t']).map_or(0, |b| b + 1);
    Some(anchor::Anchor { at, strong: false })
}

/// Where gocheck's place of a frame (`/usr/local/go/src/runtime/panic.go:679`
/// over `  in gopanic`, pingcap/tidb#22276) starts: its path's first byte.
fn gocheck_place_at(line: &str, below: Option<&str>) -> Option<anchor::Anchor> {
    let place = anchor::trailing_position(line)?;
    let named = below?
        .rsplit_once("  in ")
        .is_some_and(|(_, name)| !name.is_empty() && !name.contains(' '));
    named.then(|| anchor::Anchor {
        at: line.len() - place.len(),
        strong: false,
    })
}

/// The indentation two thirds of the strong anchors share, when some are
/// at the start of their line: a paste indented under its first lines,
/// which kept none (`panic: ...` then `    [signal ...`, `    goroutine 22
/// [running]:`), or over its last ones (a quote whose last lines lost their
/// blank). Not when unindented ones stand on both sides: the runtime
/// indents a panic value's own lines (Go 1.23+), a child's whole crash
/// among them, between the `panic:` line and the traceback.
fn shared_indent(strong: &[usize]) -> usize {
    let (Some(first), Some(last)) = (
        strong.iter().position(|&n| n > 0),
        strong.iter().rposition(|&n| n > 0),
    ) else {
        return 0;
    };
    if strong[..first].contains(&0) && strong[last..].contains(&0) {
        return 0;
    }
    let mut counts: std::collections::HashMap<usize, usize> = Default::default();
    for &n in strong.iter().filter(|&&n| n > 0) {
        *counts.entry(n).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(n, count)| (count, std::cmp::Reverse(n)))
        .filter(|&(_, count)| count >= 2 && 3 * count >= 2 * strong.len())
        .map_or(0, |(n, _)| n)
}

/// Blanks at the start of a prefix, when it is blank throughout.
fn leading_blanks(prefix: &str) -> usize {
    if prefix.bytes().all(|c| c == b' ' || c == b'\t') {
        prefix.len()
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip_all(text: &str) -> String {
        let p = LinePrefix::learn(text);
        text.lines()
            .map(|l| p.as_ref().map_or(l, |p| p.strip(l)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    const CLEAN: &str =
        "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/a/main.go:5 +0x1d\n";

    #[test]
    fn clean_text_has_no_prefix() {
        assert_eq!(LinePrefix::learn(CLEAN), None);
        let race = "==================\nWARNING: DATA RACE\nRead at 0x1 by goroutine 7:\n  main.f()\n      /a/x.go:1 +0x1\n\nPrevious write at 0x1 by main goroutine:\n  main.main()\n      /a/x.go:2 +0x1\n";
        assert_eq!(LinePrefix::learn(race), None);
    }

    /// gin's recovery (run from source) prints each frame's name over its
    /// source line; a call repeated in that source is no anchor. From
    /// https://github.com/gin-gonic/gin/issues/3404.
    #[test]
    fn caller_frames_source_lines_give_no_prefix() {
        let mut text = String::from("/usr/local/go/src/runtime/panic.go:220 (0x403ad04)\n        panicmem: panic(memoryError)\n");
        for (file, name, source) in [
            (
                "gin/context.go:173",
                "(*Context).Next",
                "c.handlers[c.index](c)",
            ),
            (
                "pkg/brotlimd/handler.go:221",
                "(*Handler).Gin",
                "ctx.Next()",
            ),
            (
                "gin/context.go:173",
                "(*Context).Next",
                "c.handlers[c.index](c)",
            ),
            (
                "gin-contrib/gzip/handler.go:60",
                "(*gzipHandler).Handle",
                "c.Next()",
            ),
            (
                "gin/context.go:173",
                "(*Context).Next",
                "c.handlers[c.index](c)",
            ),
        ] {
            text.push_str(&format!(
                "/Users/x/vendor/{file} (0x47f52bc)\n        {name}: {source}\n"
            ));
        }
        assert_eq!(LinePrefix::learn(&text), None);
    }

    /// gin's recovery stack under a compose prefix: its `FILE:LINE (0xPC)`
    /// lines teach the prefix.
    #[test]
    fn caller_frames_teach_a_prefix() {
        let text = "app-1  | [Recovery] 2024/01/01 - 10:00:00 panic recovered:\napp-1  | runtime error: invalid memory address or nil pointer dereference\napp-1  | /usr/local/go/src/runtime/panic.go:260 (0x44f8b9)\napp-1  | \tpanicmem: panic(memoryError)\napp-1  | /app/handler.go:42 (0x8c1d2f)\napp-1  | \t(*Handler).Get: item := h.store.Items[id].Name\napp-1  | /go/pkg/mod/github.com/gin-gonic/gin@v1.9.1/context.go:174 (0x8b5a1a)\napp-1  | \t(*Context).Next: c.handlers[c.index](c)\n";
        let p = LinePrefix::learn(text).expect("a prefix");
        assert_eq!(
            p.strip("app-1  | /app/handler.go:42 (0x8c1d2f)"),
            "/app/handler.go:42 (0x8c1d2f)"
        );
        assert_eq!(
            p.strip("app-1  | \tpanicmem: panic(memoryError)"),
            "\tpanicmem: panic(memoryError)"
        );
    }

    #[test]
    fn learned_forms() {
        for prefix in [
            "2024-05-01T10:00:00.123456789Z stderr F ",
            "2023-05-01T10:11:12.1234567Z ",
            "Nov 04 23:11:39.134387 web-1 app[812]: ",
            "web_1  | ",
            "> ",
            "    ",
        ] {
            let text: String = CLEAN.lines().map(|l| format!("{prefix}{l}\n")).collect();
            assert_eq!(strip_all(&text), CLEAN.trim_end(), "{prefix:?}");
        }
        // Timestamps whose digits differ from line to line.
        let text = "2023-05-01T10:11:12.12Z panic: boom\n2023-05-01T10:11:12.1234Z \n2023-05-01T10:11:13.5Z goroutine 1 [running]:\n2023-05-01T10:11:13.51Z main.main()\n2023-05-01T10:11:13.512Z \t/a/main.go:5 +0x1d\n";
        assert_eq!(strip_all(text), CLEAN.trim_end());
    }

    #[test]
    fn ci_columns() {
        // A CI view's line numbers before and elapsed time after each line.
        let text: String = CLEAN
            .lines()
            .enumerate()
            .map(|(i, l)| format!("{} | {l} | 86s\n", 98 + i))
            .collect();
        assert_eq!(strip_all(&text), CLEAN.trim_end());
    }

    /// A race report abridged into columns, each frame's file on its line:
    /// two files alike are no viewer's column. From
    /// https://github.com/celestiaorg/cosmos-sdk/issues/732.
    #[test]
    fn frames_own_files_are_no_suffix() {
        let text = "WARNING: DATA RACE\nWrite at 0x... by goroutine 472:\n  cosmossdk.io/store/rootmulti.(*Store).Commit()       rootmulti/store.go:489\n  github.com/cosmos/cosmos-sdk/baseapp.(*BaseApp).Commit()   baseapp/abci.go:972\n\nPrevious read at 0x... by goroutine 1417:\n  cosmossdk.io/store/rootmulti.(*Store).LastCommitID()           rootmulti/store.go:448\n  github.com/cosmos/cosmos-sdk/baseapp.(*BaseApp).LastBlockHeight()   baseapp/baseapp.go:417\n";
        assert_eq!(LinePrefix::learn(text), None);
    }

    #[test]
    fn quoted_then_indented() {
        let text: String = CLEAN.lines().map(|l| format!(">     {l}\n")).collect();
        assert_eq!(strip_all(&text), CLEAN.trim_end());
    }

    /// A paste indented under its first line, which kept none: the
    /// indentation the other runtime lines share is learned. From
    /// https://github.com/v2ray/v2ray-core/issues/1266 (its first lines).
    /// Found by the sniff fuzz target: a record head's count after a
    /// character of several bytes.
    #[test]
    fn record_count_after_a_wide_character() {
        assert_eq!(
            count_record_at("57\u{fffd}7 @ 0x43f18e 0x4").map(|a| a.at),
            Some(5)
        );
        let _ = LinePrefix::learn("57\u{fffd}7 @ 0x43f18e 0x4\n57\u{fffd}7 @ 0x43f18e 0x4\n");
    }

    #[test]
    fn indented_under_an_unindented_first_line() {
        let text = "panic: runtime error: invalid memory address or nil pointer dereference
 [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x962e72]

 goroutine 3044 [running]:
 v2ray.com/core/proxy/vmess/encoding.(*ClientSession).EncodeRequestHeader(0xc0003a6100, 0xc0008c4870, 0xbf2100, 0xc0009044e0, 0x0, 0x0)
 \tE:/github/work/src/v2ray.com/core/proxy/vmess/encoding/client.go:74 +0xc2
 created by v2ray.com/core/common/task.executeParallel
 \tE:/github/work/src/v2ray.com/core/common/task/task.go:161 +0xd7
";
        let stripped = strip_all(text);
        assert!(
            stripped.contains("\ngoroutine 3044 [running]:\n"),
            "{stripped}"
        );
        assert!(stripped.starts_with("panic: runtime error"));
        // A child's crash the runtime indented inside a panic value (Go
        // 1.23+), more openers than the traceback under it at the start of
        // its lines: nothing is learned.
        let nested = "panic: child failed: exit status 2\n\tpanic: boom\n\t\n\tgoroutine 1 [running]:\n\tmain.main()\n\t\t/a/child.go:3 +0x1\n\tgoroutine 6 [chan receive]:\n\tmain.w()\n\t\t/a/child.go:9 +0x1\n\tcreated by main.main in goroutine 1\n\t\t/a/child.go:4 +0x1\n\ngoroutine 1 [running]:\nmain.main()\n\t/a/main.go:5 +0x1d\n";
        assert_eq!(LinePrefix::learn(nested), None);
        // A quote whose last lines lost the blank after `>`: its openers
        // under the blank are learned anyway. From
        // https://github.com/photoprism/photoprism/issues/1976 (its first lines).
        let quoted = "> panic: runtime error: index out of range [-9223372036852667758]
> 
> goroutine 1088 [running]:
> github.com/disintegration/imaging.(*scanner).scan(0xc001c7e300, 0x0, 0x5d9, 0xb00, 0x5da, {0xc001e2c000, 0xdf, 0x2c00})
>\t/go/pkg/mod/github.com/disintegration/imaging@v1.6.2/scanner.go:202 +0x810
> github.com/disintegration/imaging.resizeHorizontal.func1(0xc000386098)
>\t/go/pkg/mod/github.com/disintegration/imaging@v1.6.2/resize.go:114 +0xbd
>github.com/disintegration/imaging.parallel.func1()
>\t/go/pkg/mod/github.com/disintegration/imaging@v1.6.2/utils.go:33 +0x63
>created by github.com/disintegration/imaging.parallel
>\t/go/pkg/mod/github.com/disintegration/imaging@v1.6.2/utils.go:31 +0xdc
";
        assert!(strip_all(quoted).contains("\ngoroutine 1088 [running]:\n"));
    }
}
