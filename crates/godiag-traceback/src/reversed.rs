//! A trace copied from a log viewer that lists the newest line first
//! (Kibana's and Grafana's default order): every line is there, bottom to
//! top, so each frame's file line stands above its function line and the
//! `panic:` line and goroutine header come last:
//!
//! ```text
//!        log:         /go/src/.../vendor/github.com/buger/jsonparser/parser.go:816 +0x73
//! github.com/Shopify/kafka-scrubber/vendor/github.com/buger/jsonparser.Get(0xc43e44e000, ...)
//! ...
//!        log:     panic: runtime error: index out of range
//! ```
//!
//! (https://github.com/buger/jsonparser/issues/143). The lines are put back
//! in order. A trace the runtime printed forwards never reads so: its
//! frames start with a function line and end with a file line, and its
//! message and headers stand above them.

use godiag_sniff::anchor;

use crate::lines::position;

/// Frames so, at least: a short excerpt could start and end anywhere.
const AT_LEAST: usize = 3;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A frame's function line.
    Call,
    /// A frame's file line.
    File,
    /// A goroutine header, a `panic:` or `fatal error:` line: what opens a trace.
    Opener,
}

fn role(line: &str) -> Option<Role> {
    let t = line.trim();
    if let Some(a) = anchor::find(t) {
        let rest = &t[a.at..];
        if !a.strong {
            return Some(Role::Call);
        }
        let opens = anchor::is_header(rest)
            || rest.starts_with("panic: ")
            || rest.starts_with("fatal error: ");
        return opens.then_some(Role::Opener);
    }
    let file = anchor::trailing_position(t).is_some()
        || t.split_whitespace()
            .rev()
            .find_map(position)
            .is_some_and(|p| p.file.ends_with(".go"));
    file.then_some(Role::File)
}

/// Whether the lines read bottom to top: the frames start with a file line
/// and end with a function line, an opener stands below them and none above.
pub(crate) fn is_reversed(lines: &[&str]) -> bool {
    let roles: Vec<Role> = lines.iter().filter_map(|l| role(l)).collect();
    let count = |r: Role| roles.iter().filter(|&&x| x == r).count();
    if count(Role::Call) < AT_LEAST || count(Role::File) < AT_LEAST {
        return false;
    }
    let frames = |r: &&Role| matches!(r, Role::Call | Role::File);
    let (Some(first), Some(last)) = (
        roles.iter().position(|r| frames(&r)),
        roles.iter().rposition(|r| frames(&r)),
    ) else {
        return false;
    };
    roles[first] == Role::File
        && roles[last] == Role::Call
        && roles[last..].contains(&Role::Opener)
        && !roles[..first].contains(&Role::Opener)
}

/// The lines in the order they were printed.
pub(crate) fn rewrite<'l>(lines: &[&'l str]) -> Vec<&'l str> {
    lines.iter().rev().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORWARD: &str = "panic: runtime error: index out of range

goroutine 7 [running]:
main.c(0x1)
\t/app/main.go:30 +0x20
main.b()
\t/app/main.go:20 +0x20
main.a()
\t/app/main.go:10 +0x20
created by main.main in goroutine 1
\t/app/main.go:5 +0x20
";

    #[test]
    fn a_forward_trace_is_not_reversed() {
        let lines: Vec<&str> = FORWARD.lines().collect();
        assert!(!is_reversed(&lines));
        // Frames alone, cut anywhere, say nothing either.
        assert!(!is_reversed(&lines[4..9]));
    }

    #[test]
    fn a_trace_bottom_to_top_is() {
        let forward: Vec<&str> = FORWARD.lines().collect();
        let lines = rewrite(&forward);
        assert!(is_reversed(&lines));
        assert_eq!(rewrite(&lines), forward);
    }
}
