//! panicparse's condensed output (`go test |& pp`, cockroach's
//! `/debug/pprof/goroutineui` as text), rewritten in the runtime's grammar
//! so the one parser reads it:
//!
//! ```text
//! 2: semacquire [3 minutes] [Created by backend.newBackend @ backend.go:91]
//!     sync    mutex.go:82       (*Mutex).Lock(#1)
//!     backend batch_tx.go:112   (*batchTx).Commit(#1)
//! ```
//!
//! A bucket header (`COUNT: STATE [M minutes] [locked] [Created by F @
//! FILE:LINE]`) becomes an aggregated header (`2 goroutines [semacquire, 3
//! minutes]:`), each frame (`PKG FILE:LINE NAME(ARGS)`, columns padded)
//! becomes `PKG.NAME(ARGS)` over `\tFILE:LINE`, and the creator follows
//! the frames as `created by`. panicparse prints the package's last path
//! element only, so functions come out as `backend.(*batchTx).Commit`.
//! Lines of other kinds pass through unchanged, as panicparse passes them.

use godiag_sniff::condensed::{bucket, frame, is_bucket};

/// How many bucket headers have a frame under them.
pub(crate) fn count_buckets(lines: &[&str]) -> usize {
    lines.windows(2).filter(|w| is_bucket(w[0], w[1])).count()
}

/// The lines with every bucket rewritten; how many buckets were.
pub(crate) fn rewrite(lines: &[&str]) -> (Vec<String>, usize) {
    let mut out = Vec::with_capacity(lines.len() * 2);
    let mut n = 0;
    let mut i = 0;
    while i < lines.len() {
        let Some(b) =
            bucket(lines[i]).filter(|_| lines.get(i + 1).is_some_and(|l| frame(l).is_some()))
        else {
            out.push(lines[i].to_string());
            i += 1;
            continue;
        };
        n += 1;
        let mut state = b.state.to_string();
        if let Some(m) = b.minutes {
            state.push_str(&format!(", {m} minutes"));
        }
        if b.locked {
            state.push_str(", locked to thread");
        }
        out.push(format!("{} goroutines [{state}]:", b.count));
        i += 1;
        while let Some(line) = lines.get(i) {
            if let Some((call, src)) = frame(line) {
                out.push(call);
                out.push(format!("\t{src}"));
            } else if line.trim() == "(...)" {
                out.push("...additional frames elided...".to_string());
            } else {
                break;
            }
            i += 1;
        }
        if let Some((f, at)) = b.created_by {
            out.push(format!("created by {f}"));
            out.push(format!("\t{at}"));
        }
        out.push(String::new());
    }
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From https://github.com/etcd-io/etcd/issues/4156 (panicparse 1.x).
    const ETCD: &str = "1: semacquire [Created by backend.newBackend @ backend.go:91]
    sync    sema.go:43        runtime_Semacquire(#2)
    sync    mutex.go:82       (*Mutex).Lock(#1)
    backend batch_tx.go:112   (*batchTx).Commit(#1)
    backend backend.go:157    (*backend).run(#4)";

    #[test]
    fn a_bucket_reads_in_the_runtime_grammar() {
        let lines: Vec<&str> = ETCD.lines().collect();
        assert_eq!(count_buckets(&lines), 1);
        let (out, n) = rewrite(&lines);
        assert_eq!(n, 1);
        assert_eq!(
            out,
            [
                "1 goroutines [semacquire]:",
                "sync.runtime_Semacquire(#2)",
                "\tsema.go:43",
                "sync.(*Mutex).Lock(#1)",
                "\tmutex.go:82",
                "backend.(*batchTx).Commit(#1)",
                "\tbatch_tx.go:112",
                "backend.(*backend).run(#4)",
                "\tbackend.go:157",
                "created by backend.newBackend",
                "\tbackend.go:91",
                "",
            ]
        );
    }

    #[test]
    fn minutes_locked_and_elision() {
        let lines = [
            "12: chan receive [2~7 minutes] [locked]",
            "    main /src/app/main.go:20 wait(0xc000010000)",
            "    (...)",
            "panic: later",
        ];
        let (out, n) = rewrite(&lines);
        assert_eq!(n, 1);
        assert_eq!(
            out[0],
            "12 goroutines [chan receive, 2 minutes, locked to thread]:"
        );
        assert_eq!(out[1], "main.wait(0xc000010000)");
        assert_eq!(out[3], "...additional frames elided...");
        assert_eq!(out.last().map(String::as_str), Some("panic: later"));
    }

    #[test]
    fn other_numbered_lines_are_not_buckets() {
        for text in [
            "1: the first step\n    then the second",
            "2: running\nnot indented main.go:3 f()",
            "10: x [wat]\n    main main.go:3 f()",
            "3: running\n    main main.txt:3 f()",
        ] {
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(count_buckets(&lines), 0, "{text}");
        }
    }
}
