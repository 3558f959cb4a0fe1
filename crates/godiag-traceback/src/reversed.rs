//! Text whose lines come in reverse order: a log viewer's export that lists
//! records newest first (Grafana's log panel, a cloud console), so a trace
//! reads from the bottom up:
//!
//! ```text
//! github.com/jackc/pgx/v5/pgxpool.(*Pool).checkConnsHealth(0xc0001486c0)
//! /home/runner/go/pkg/mod/github.com/jackc/puddle/v2@v2.2.2/pool.go:592 +0x1bc
//! github.com/jackc/puddle/v2.(*Pool[...]).AcquireAllIdle(0x19e1260)
//! goroutine 109 [running]:
//! [signal SIGSEGV: segmentation violation code=0x1 addr=0x38 pc=0x1073b5c]
//! panic: runtime error: invalid memory address or nil pointer dereference
//! ```
//!
//! (https://github.com/jackc/pgx/issues/2260). The runtime always prints a
//! goroutine's header right above its top frame's function line; reversed,
//! the header sits below that line and above the failure it followed.

use godiag_sniff::anchor;

use crate::lines::{looks_like_source, position};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Header,
    HeaderAndFunction,
    Function,
    File,
    /// `panic:`, `fatal error:`, `[signal ...`: what a header follows.
    Failure,
    Other,
}

fn class(line: &str) -> Option<Class> {
    let t = line.trim();
    // Blank lines, and a viewer's timestamp lines between the records.
    if !t.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Some(if anchor::is_header(t) {
        // `goroutine 8 [running]: panic(...)`: the top frame run into its
        // header (junegunn/fzf#732), in the runtime's order.
        let rest = t.split_once("]:").map_or("", |(_, r)| r.trim());
        if anchor::call_start(rest) == Some(0) {
            Class::HeaderAndFunction
        } else {
            Class::Header
        }
    } else if t.starts_with("[signal ")
        || ["panic: ", "fatal error: ", "http: panic serving "]
            .iter()
            .any(|w| t.contains(w))
    {
        // What a header follows: the failure line, or a logger's line
        // about it (`2024/07/16 15:52:25 http: panic serving ...`).
        Class::Failure
    } else if anchor::call_start(t) == Some(0) {
        Class::Function
    } else if t
        .split_whitespace()
        .next()
        .and_then(position)
        .is_some_and(|p| looks_like_source(p.file))
    {
        // The line opens with the file (`\t/src/x.go:12 +0x1d`), not a
        // function before it (`f+0x25 /src/x.c:572` of Go before 1.0).
        Class::File
    } else {
        Class::Other
    })
}

/// Whether the lines are in reverse order: no goroutine header is followed
/// by a function line, and at least one shows the reversal (a file line, a
/// signal or a failure right below it). A function line above a header
/// says nothing: Go before 1.0 printed each call under its place.
pub(crate) fn is_reversed(lines: &[&str]) -> bool {
    let classes: Vec<Class> = lines.iter().filter_map(|l| class(l)).collect();
    if classes.iter().filter(|c| **c == Class::Function).count() < 2 {
        return false;
    }
    let mut upright = 0;
    let mut reversed = 0;
    for (i, c) in classes.iter().enumerate() {
        if *c == Class::HeaderAndFunction {
            upright += 1;
            continue;
        }
        if *c != Class::Header {
            continue;
        }
        let below = classes.get(i + 1).copied();
        if below == Some(Class::Function) {
            upright += 1;
        } else if matches!(below, Some(Class::File | Class::Failure)) {
            reversed += 1;
        }
    }
    upright == 0 && reversed > 0
}

/// The lines in the order they were printed.
pub(crate) fn upright<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    lines.iter().rev().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// https://github.com/jackc/pgx/issues/2260, its last lines as pasted.
    const PGX: &str =
        "/home/runner/go/pkg/mod/github.com/jackc/pgx/v5@v5.7.2/pgxpool/pool.go:449 +0x45
github.com/jackc/pgx/v5/pgxpool.(*Pool).checkConnsHealth(0xc0001486c0)
/home/runner/go/pkg/mod/github.com/jackc/puddle/v2@v2.2.2/pool.go:592 +0x1bc
github.com/jackc/puddle/v2.(*Pool[...]).AcquireAllIdle(0x19e1260)
goroutine 109 [running]:
[signal SIGSEGV: segmentation violation code=0x1 addr=0x38 pc=0x1073b5c]
panic: runtime error: invalid memory address or nil pointer dereference";

    #[test]
    fn a_newest_first_export_is_reversed() {
        let lines: Vec<&str> = PGX.lines().collect();
        assert!(is_reversed(&lines));
        let up = upright(&lines);
        assert!(up[0].starts_with("panic: runtime error"));
        assert!(!is_reversed(&up));
    }

    /// A header at the top, over the previous goroutine's last file line,
    /// with a viewer's timestamp line before each record
    /// (https://github.com/ethpandaops/dugtrio/issues/12).
    #[test]
    fn timestamp_lines_between_records_are_passed_over() {
        let text = "\t2025-04-28 12:18:42.448\t
goroutine 1 [chan receive, 17 minutes]:
2025-04-28 12:18:42.448\t
\t/src/pool/client.go:54 +0x1e7
2025-04-28 12:18:42.448\t
created by github.com/ethpandaops/dugtrio/pool.(*BeaconPool).newPoolClient in goroutine 1
2025-04-28 12:18:42.448\t
\t/src/pool/clientlogic.go:22 +0xb4
2025-04-28 12:18:42.448\t
github.com/ethpandaops/dugtrio/pool.(*Client).runPoolClientLoop(0xc000290d80)
2025-04-28 12:18:42.448\t
\t/src/pool/clientlogic.go:191 +0x8a7
2025-04-28 12:18:42.448\t
github.com/ethpandaops/dugtrio/pool.(*Client).runPoolClient(0xc000290d80)";
        let lines: Vec<&str> = text.lines().collect();
        assert!(is_reversed(&lines));
    }

    /// The runtime's own order, and a dump cut right after a header, stay.
    #[test]
    fn upright_text_is_left_alone() {
        let text = "panic: boom

goroutine 1 [running]:
main.main()
\t/app/main.go:5 +0x1d
exit status 2

goroutine 7 [select]:";
        let lines: Vec<&str> = text.lines().collect();
        assert!(!is_reversed(&lines));
        let one =
            "goroutine 7 [select]:\nmain.wait()\n\t/app/main.go:9\nmain.main()\n\t/app/main.go:3";
        assert!(!is_reversed(&one.lines().collect::<Vec<_>>()));
        // A header run into its top frame (junegunn/fzf#732).
        let joined = "  goroutine 8 [running]: panic(0x5481c0, 0xc4200120b0)\n  /go1.7/src/runtime/panic.go:500 +0x1a1\n  github.com/junegunn/fzf/src.(*Result).colorOffsets.func1(0x4)\n  /fzf/src/result.go:162 +0x308\n  github.com/junegunn/fzf/src.(*Terminal).printHeader(0xc420076a00)";
        assert!(!is_reversed(&joined.lines().collect::<Vec<_>>()));
        // Go before 1.0: the function and its place on one line, the call
        // under it (miekg/dns#1).
        let old = "        runtime.goexit()\n\ngoroutine 3 [3]:\nruntime.entersyscall+0x25 /usr/local/go/src/pkg/runtime/proc.c:572\n        runtime.entersyscall()\nsyscall.Syscall6+0x5 /usr/local/go/src/pkg/syscall/asm_linux_386.s:39\n        syscall.Syscall6()";
        assert!(!is_reversed(&old.lines().collect::<Vec<_>>()));
    }
}
