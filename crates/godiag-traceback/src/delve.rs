//! Delve's goroutines and stacks (`goroutines`, `goroutines -t`, `stack`),
//! rewritten in the runtime's grammar: each goroutine's line becomes a
//! header, `goroutine ID [REASON, N minutes]:`, and each frame
//! `FUNCTION(...)` over `\tFILE:LINE`. A goroutine listed without its
//! stack keeps the one place Delve showed: its frame (the `User` or
//! `Runtime` place) or its `created by` line (the `Go` place). The grammar
//! is read by `godiag_sniff::delve`.

use godiag_sniff::delve::{at_line, frame_line, goroutine_line, Goroutine};

/// Longer waits than this are Delve's reading of a wait that never set its
/// start (`457314h58m45s`, counted from zero): no duration.
const MAX_WAIT_SECS: u64 = 366 * 24 * 3600;

/// How many goroutine lines and frames in Delve's grammar the lines hold.
pub(crate) fn count(lines: &[&str]) -> usize {
    let goroutines = lines.iter().filter(|l| goroutine_line(l).is_some()).count();
    let frames = lines
        .windows(2)
        .filter(|w| frame_line(w[0]).is_some() && at_line(w[1]).is_some())
        .count();
    goroutines + frames
}

/// Why a goroutine Delve printed without a wait reason (Delve before 1.4
/// printed none) waits, when its stack starts in the runtime's `gopark`:
/// the blocking call among its top frames, in the runtime's words.
fn parked_status(functions: &[&str]) -> Option<&'static str> {
    if !functions
        .first()
        .is_some_and(|f| matches!(*f, "runtime.gopark" | "runtime.goparkunlock"))
    {
        return None;
    }
    functions.iter().take(8).find_map(|&f| match f {
        "runtime.block" => Some("select (no cases)"),
        "internal/poll.runtime_pollWait" | "poll.runtime_pollWait" => Some("IO wait"),
        "time.Sleep" => Some("sleep"),
        name => godiag_model::goroutine::wait_of_blocking_call(name),
    })
}

fn header(g: &Goroutine<'_>, frames: &[&str]) -> String {
    let status = match (g.wait_reason, g.thread) {
        (Some(reason), _) => reason,
        (None, Some(_)) => "running",
        (None, None) => parked_status(frames).unwrap_or("runnable"),
    };
    let minutes = g
        .waited_secs
        .filter(|&s| (60..MAX_WAIT_SECS).contains(&s))
        .map(|s| format!(", {} minutes", s / 60))
        .unwrap_or_default();
    format!("goroutine {} [{status}{minutes}]:", g.id)
}

/// The lines with Delve's goroutines and frames rewritten; how many
/// goroutines and frames were.
pub(crate) fn rewrite(lines: &[&str]) -> (Vec<String>, usize) {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut n = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(g) = goroutine_line(line) {
            if out.last().is_some_and(|l| !l.trim().is_empty()) {
                out.push(String::new());
            }
            // Its stack's functions, up to the next goroutine's line.
            let functions: Vec<&str> = lines[i + 1..]
                .iter()
                .take_while(|l| goroutine_line(l).is_none())
                .filter_map(|l| frame_line(l))
                .take(8)
                .collect();
            out.push(header(&g, &functions));
            let stack_follows = lines.get(i + 1).is_some_and(|l| frame_line(l).is_some());
            if !stack_follows {
                match g.place_kind {
                    "User" | "Runtime" => out.push(format!("{}(...)", g.function)),
                    "Go" => out.push(format!("created by {}", g.function)),
                    _ => {}
                }
                if g.place_kind != "Start" {
                    out.push(format!("\t{}:{}", g.file, g.line));
                }
            }
            n += 1;
            i += 1;
            continue;
        }
        let frame = frame_line(line).zip(lines.get(i + 1).and_then(|l| at_line(l)));
        if let Some((function, (file, number))) = frame {
            out.push(format!("{function}(...)"));
            out.push(format!("\t{file}:{number}"));
            n += 1;
            i += 2;
            continue;
        }
        out.push(line.to_string());
        i += 1;
    }
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// https://github.com/ansible/receptor/issues/573, its first frames.
    /// Delve before 1.4 printed no wait reason: a stack parked in `gopark`
    /// tells it (dusk-network/dusk-blockchain#669, its first frames).
    #[test]
    fn a_parked_stack_tells_its_wait() {
        let text = "Goroutine 2306 - User: /usr/local/go/src/runtime/sema.go:71 sync.runtime_SemacquireMutex (0x443177)
         0  0x0000000000432da0 in runtime.gopark
             at /usr/local/go/src/runtime/proc.go:305
         1  0x0000000000443410 in runtime.goparkunlock
             at /usr/local/go/src/runtime/proc.go:310
         2  0x0000000000443410 in runtime.semacquire1
             at /usr/local/go/src/runtime/sema.go:144
         3  0x0000000000443177 in sync.runtime_SemacquireMutex
             at /usr/local/go/src/runtime/sema.go:71
         4  0x000000000046ebc8 in sync.(*RWMutex).Lock
             at /usr/local/go/src/sync/rwmutex.go:103";
        let lines: Vec<&str> = text.lines().collect();
        let (out, _) = rewrite(&lines);
        assert_eq!(out[0], "goroutine 2306 [sync.RWMutex.Lock]:");
    }

    #[test]
    fn goroutines_with_their_stacks() {
        let text = "  Goroutine 200 - User: /build/receptor/pkg/netceptor/netceptor.go:1631 github.com/ansible/receptor/pkg/netceptor.(*Netceptor).handleMessageData (0x8cbcdc) [chan send 457314h58m45.572259763s]
\t0  0x000000000043f725 in runtime.gopark
\t    at /usr/lib/golang/src/runtime/proc.go:337
\t1  0x000000000040be5a in runtime.chansend
\t    at /usr/lib/golang/src/runtime/chan.go:257
  Goroutine 7 - User: /app/main.go:30 main.serve (0x4a) [select 4m30s]
  Goroutine 9 - Go: /app/main.go:12 main.main (0x4b)";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(count(&lines), 5);
        let (out, n) = rewrite(&lines);
        assert_eq!(n, 5);
        assert_eq!(
            out,
            [
                "goroutine 200 [chan send]:",
                "runtime.gopark(...)",
                "\t/usr/lib/golang/src/runtime/proc.go:337",
                "runtime.chansend(...)",
                "\t/usr/lib/golang/src/runtime/chan.go:257",
                "",
                "goroutine 7 [select, 4 minutes]:",
                "main.serve(...)",
                "\t/app/main.go:30",
                "",
                "goroutine 9 [runnable]:",
                "created by main.main",
                "\t/app/main.go:12",
            ]
        );
    }
}
