//! The goroutine header line, every form from Go 1.21 to 1.27:
//!
//! ```text
//! goroutine 18 [chan receive, 3 minutes]:
//! goroutine 1 gp=0xc000002380 m=0 mp=0x5d8b20 [running]:          (1.22+, level >= 2)
//! goroutine 7 gp=0xc000007a40 m=nil [select (durable), synctest bubble 3]:   (1.25+)
//! goroutine 18 [select (no cases) labels:{"request_id": "abc-123"}]:          (1.26)
//! goroutine 19 [select (no cases)] {request_id: "abc-123", route: /api/v1}:   (1.27)
//! ```

use std::borrow::Cow;

use godiag_model::{Goroutine, Label};
use godiag_sniff::anchor::GoroutineId;

use crate::escapes::unescape;
use crate::lines::{parse_dec, parse_hex};

/// Index just past a Go-quoted string starting at `s[start] == '"'`.
fn skip_quoted(s: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Index of the byte closing the bracket opened at `s[open]`, skipping quoted strings.
fn matching_close(s: &[u8], open: usize, close: u8) -> Option<usize> {
    let opener = s[open];
    let mut depth = 0usize;
    let mut i = open;
    while i < s.len() {
        match s[i] {
            b'"' => {
                i = skip_quoted(s, i)?;
                continue;
            }
            c if c == opener => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where a header carried its labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LabelForm {
    None,
    Inside,
    Outside,
}

/// `48 goroutines [semacquire, 4 minutes]:` — goroutines a tool (such as
/// panicparse) aggregated into one stack.
pub(crate) fn parse_aggregated_header(line: &str, offset: u64) -> Option<Goroutine<'_>> {
    let (n, rest) = line.split_once(" goroutines [")?;
    let n: u64 = parse_dec(n)?;
    let state = rest.strip_suffix("]:")?;
    let mut g = Goroutine {
        offset,
        aggregated: Some(n),
        ..Goroutine::default()
    };
    parse_state(state, &mut g);
    Some(g)
}

pub(crate) fn parse_header(line: &str, offset: u64) -> Option<(Goroutine<'_>, LabelForm)> {
    let rest = line.strip_prefix("goroutine ")?;
    // The id ends at a blank; abridged pastes replace it (`goroutine NNNNN
    // [...]`): read as 0, marked hidden.
    let id_end = rest.find(' ')?;
    let (id, id_hidden) = match godiag_sniff::anchor::goroutine_id(&rest[..id_end])? {
        GoroutineId::Known(id) => (id, false),
        GoroutineId::Hidden => (0, true),
    };
    let mut rest = &rest[id_end..];
    let mut g = Goroutine {
        id,
        id_hidden,
        offset,
        ..Goroutine::default()
    };
    // Optional ` gp=0x.. m=N mp=0x..` / ` m=nil` before the bracket.
    let open = memchr::memchr(b'[', rest.as_bytes())?.checked_sub(1)?;
    if rest.as_bytes()[open] != b' ' {
        return None;
    }
    for w in rest[..open].split(' ').filter(|w| !w.is_empty()) {
        if let Some(v) = w.strip_prefix("gp=") {
            g.gp = parse_hex(v);
        } else if let Some(v) = w.strip_prefix("m=") {
            g.m = parse_dec(v);
        } else if w.starts_with("mp=") {
        } else {
            return None;
        }
    }
    rest = &rest[open + 1..];
    let bytes = rest.as_bytes();
    let close = matching_close(bytes, 0, b']')?;
    let state = &rest[1..close];
    let mut tail = &rest[close + 1..];
    // A tool's note after the header (lnd's dump: `goroutine N [STATE]:
    // 1 times: [[N]`) is left aside; a call or another header joined to it
    // is read where it starts, not here.
    tail = match tail.strip_prefix(": ") {
        Some(note) if note.contains('(') || note.contains("goroutine ") => return None,
        Some(_) => "",
        None => tail.strip_suffix(':')?,
    };
    let mut form = LabelForm::None;
    if let Some(lbl) = tail.strip_prefix(" {").and_then(|t| t.strip_suffix('}')) {
        g.labels = parse_labels(lbl);
        form = LabelForm::Outside;
    } else if !tail.is_empty() {
        return None;
    }
    if parse_state(state, &mut g) {
        form = LabelForm::Inside;
    }
    Some((g, form))
}

/// Fills status, modifiers and the rest; returns whether labels were inside.
fn parse_state<'a>(state: &'a str, g: &mut Goroutine<'a>) -> bool {
    let mut state = state;
    let mut inside = false;
    // 1.26: ` labels:{...}` appended inside the brackets, after everything else.
    let labelled = memchr::memchr(b'{', state.as_bytes()).is_some();
    if let Some(at) = labelled.then(|| state.find(" labels:{")).flatten() {
        let b = state.as_bytes();
        let open = at + " labels:".len();
        if let Some(close) = matching_close(b, open, b'}') {
            g.labels = parse_labels(&state[open + 1..close]);
            state = &state[..at];
            inside = true;
        }
    }
    let mut parts = state.split(',').map(|p| p.trim_start_matches(' '));
    let mut status = parts.next().unwrap_or("");
    loop {
        if let Some(s) = status.strip_suffix(" (leaked)") {
            g.leaked = true;
            status = s;
        } else if let Some(s) = status.strip_suffix(" (scan)") {
            g.scan = true;
            status = s;
        } else if let Some(s) = status.strip_suffix(" (durable)") {
            g.durable = true;
            status = s;
        } else {
            break;
        }
    }
    g.status = status;
    for p in parts {
        if let Some(m) = p.strip_suffix(" minutes") {
            g.wait_minutes = parse_dec(m);
        } else if p == "locked to thread" {
            g.locked_to_thread = true;
        } else if let Some(n) = p
            .strip_prefix("synctest bubble ")
            .or_else(|| p.strip_prefix("synctest group "))
        {
            g.synctest_bubble = parse_dec(n);
        }
    }
    inside
}

/// `"k": "v", "k2": "v2"` (1.26) or `k: "v w", route: /api/v1` (1.27).
pub(crate) fn parse_labels(s: &str) -> Vec<Label<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let Some((key, after_key)) = token(s, i, b':') else {
            break;
        };
        let mut j = after_key;
        if b.get(j) != Some(&b':') {
            break;
        }
        j += 1;
        while b.get(j) == Some(&b' ') {
            j += 1;
        }
        let Some((value, after_value)) = token(s, j, b',') else {
            break;
        };
        out.push(Label { key, value });
        i = after_value;
        if b.get(i) == Some(&b',') {
            i += 1;
        }
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    out
}

/// A quoted string or a bare run up to `stop`; returns the value and the index after it.
fn token(s: &str, start: usize, stop: u8) -> Option<(Cow<'_, str>, usize)> {
    let b = s.as_bytes();
    if b.get(start) == Some(&b'"') {
        let end = skip_quoted(b, start)?;
        Some((unescape(&s[start + 1..end - 1]), end))
    } else {
        let end = b[start..]
            .iter()
            .position(|&c| c == stop)
            .map_or(b.len(), |p| start + p);
        Some((Cow::Borrowed(s[start..end].trim_end()), end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(line: &str) -> Goroutine<'_> {
        parse_header(line, 0)
            .unwrap_or_else(|| panic!("header not parsed: {line}"))
            .0
    }

    #[test]
    fn plain_and_minutes() {
        let g = h("goroutine 18 [chan receive, 3 minutes]:");
        assert_eq!(
            (g.id, g.status, g.wait_minutes),
            (18, "chan receive", Some(3))
        );
        let g = h("goroutine 1 [running, locked to thread]:");
        assert!(g.locked_to_thread);
        let g = h("goroutine 5 [select (no cases)]:");
        assert_eq!(g.status, "select (no cases)");
    }

    #[test]
    fn gp_m_mp() {
        let g = h("goroutine 1 gp=0xc000002380 m=0 mp=0x5d8b20 [running]:");
        assert_eq!(
            (g.gp, g.m, g.status),
            (Some(0xc000002380), Some(0), "running")
        );
        let g = h("goroutine 2 gp=0xc000006c40 m=nil [force gc (idle), 1 minutes]:");
        assert_eq!(
            (g.m, g.status, g.wait_minutes),
            (None, "force gc (idle)", Some(1))
        );
    }

    #[test]
    fn modifiers_and_synctest() {
        let g = h("goroutine 7 [chan receive (leaked)]:");
        assert!(g.leaked);
        assert_eq!(g.status, "chan receive");
        let g = h("goroutine 9 [select (durable), synctest bubble 3]:");
        assert!(g.durable);
        assert_eq!((g.status, g.synctest_bubble), ("select", Some(3)));
        let g = h("goroutine 9 [chan receive (synctest), synctest group 4]:");
        assert_eq!(g.synctest_bubble, Some(4));
    }

    #[test]
    fn labels_126_and_127() {
        let g = h(
            r#"goroutine 18 [select (no cases) labels:{"request_id": "abc-123", "route": "/api/v1"}]:"#,
        );
        assert_eq!(g.status, "select (no cases)");
        assert_eq!(g.labels.len(), 2);
        assert_eq!(
            (&*g.labels[1].key, &*g.labels[1].value),
            ("route", "/api/v1")
        );
        let g = h(r#"goroutine 19 [select (no cases)] {request_id: "abc-123", route: /api/v1}:"#);
        assert_eq!(g.labels.len(), 2);
        assert_eq!(
            (&*g.labels[0].key, &*g.labels[0].value),
            ("request_id", "abc-123")
        );
        assert_eq!(&*g.labels[1].value, "/api/v1");
        let g = h(r#"goroutine 3 [chan receive, 2 minutes labels:{"k": "a, b]\"c"}]:"#);
        assert_eq!((g.status, g.wait_minutes), ("chan receive", Some(2)));
        assert_eq!(&*g.labels[0].value, "a, b]\"c");
    }

    #[test]
    fn rejects_non_headers() {
        assert!(parse_header("goroutine profile: total 5", 0).is_none());
        assert!(parse_header("goroutine 1 [running]", 0).is_none());
        assert!(parse_header("goroutine x [running]:", 0).is_none());
    }
}
