//! Delve's grammar for goroutines and stacks, as its terminal prints them
//! (`goroutines`, `goroutines -t`, `stack`), read wherever it sits:
//!
//! ```text
//!   Goroutine 200 - User: /src/pkg/netceptor/netceptor.go:1631 github.com/ansible/receptor/pkg/netceptor.(*Netceptor).handleMessageData (0x8cbcdc) [chan send 457314h58m45.572259763s]
//!     0  0x000000000043f725 in runtime.gopark
//!         at /usr/lib/golang/src/runtime/proc.go:337
//! ```
//!
//! A goroutine's line is `[* ]Goroutine ID - KIND: FILE:LINE FUNCTION
//! (0xPC)`, then ` (thread N)` when it runs on a thread and ` [REASON
//! SINCE]` when it waits (SINCE a duration before Delve 1.22, the
//! runtime's raw `waitsince` after). A frame is `N  0xPC in FUNCTION` over
//! `at FILE:LINE` (https://github.com/ansible/receptor/issues/573).

/// What a goroutine's line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goroutine<'a> {
    pub id: u64,
    /// Which of the goroutine's places is shown: `User`, `Runtime`, `Go`
    /// (its `go` statement) or `Start`.
    pub place_kind: &'a str,
    pub file: &'a str,
    pub line: u32,
    pub function: &'a str,
    /// The OS thread it runs on: it was running.
    pub thread: Option<u64>,
    /// Why it waits, in the runtime's words.
    pub wait_reason: Option<&'a str>,
    /// How long it has waited, when Delve printed it as a duration.
    pub waited_secs: Option<u64>,
}

/// The line without Delve's prompt, which starts the first line a command
/// printed when its input was not a terminal.
fn unprompted(line: &str) -> &str {
    let t = line.trim();
    t.strip_prefix("(dlv)").map_or(t, str::trim_start)
}

/// A goroutine's line.
pub fn goroutine_line(line: &str) -> Option<Goroutine<'_>> {
    let t = unprompted(line);
    let t = t.strip_prefix("* ").unwrap_or(t);
    let rest = t.strip_prefix("Goroutine ")?;
    let (id, rest) = rest.split_once(" - ")?;
    let id = id.parse().ok()?;
    let (place_kind, mut rest) = rest.split_once(": ")?;
    if !matches!(place_kind, "User" | "Runtime" | "Go" | "Start") {
        return None;
    }
    let mut wait_reason = None;
    let mut waited_secs = None;
    if let Some(body) = rest.strip_suffix(']') {
        let (before, wait) = body.rsplit_once(" [")?;
        rest = before;
        let (reason, since) = match wait.rsplit_once(' ') {
            Some((reason, since)) if is_since(since) => (reason, Some(since)),
            _ => (wait, None),
        };
        wait_reason = Some(reason);
        waited_secs = since.and_then(duration_secs);
    }
    let mut thread = None;
    if let Some((before, tid)) = rest
        .strip_suffix(')')
        .and_then(|r| r.rsplit_once(" (thread "))
    {
        thread = Some(tid.parse().ok()?);
        rest = before;
    }
    let (place, pc) = rest.strip_suffix(')')?.rsplit_once(" (0x")?;
    if !pc.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let (file_line, function) = place.rsplit_once(' ')?;
    let (file, line) = file_line.rsplit_once(':')?;
    Some(Goroutine {
        id,
        place_kind,
        file,
        line: line.parse().ok()?,
        function,
        thread,
        wait_reason,
        waited_secs,
    })
}

/// A frame's first line, `N  0xPC in FUNCTION`: the function.
pub fn frame_line(line: &str) -> Option<&str> {
    let t = unprompted(line);
    let (index, rest) = t.split_once("  ")?;
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (pc, function) = rest.trim_start().split_once(" in ")?;
    let hex = pc.strip_prefix("0x")?;
    let ok = !hex.is_empty()
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
        && !function.is_empty()
        && !function.contains(' ');
    ok.then_some(function)
}

/// A frame's second line, `at FILE:LINE`: the file and line.
pub fn at_line(line: &str) -> Option<(&str, u32)> {
    let (file, n) = line.trim().strip_prefix("at ")?.rsplit_once(':')?;
    // A path whose start the copy replaced with blanks (`at   rusk-ipc/...`).
    Some((file.trim(), n.parse().ok()?))
}

/// The wait's last word is how long: digits (the raw `waitsince`), or a
/// Go duration (`457314h58m45.572259763s`).
fn is_since(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit())
        || (word.ends_with('s') && duration_secs(word).is_some())
}

/// A Go duration's whole seconds (`1h2m3.5s` → 3723).
fn duration_secs(d: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut chars = d.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let unit: f64 = match c {
            'h' => 3600.0,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                0.001
            }
            'm' => 60.0,
            's' => 1.0,
            'µ' | 'u' if chars.peek() == Some(&'s') => {
                chars.next();
                0.000_001
            }
            'n' if chars.peek() == Some(&'s') => {
                chars.next();
                0.000_000_001
            }
            _ => return None,
        };
        let value: f64 = number.parse().ok()?;
        number.clear();
        total = total.checked_add((value * unit) as u64)?;
        any = true;
    }
    (any && number.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// https://github.com/ansible/receptor/issues/573
    #[test]
    fn a_waiting_goroutine_with_its_duration() {
        let g = goroutine_line("  Goroutine 200 - User: /builddir/build/BUILD/receptor-3ecf65571e141244f04e89f1fc9199eb8f6680f9/pkg/netceptor/netceptor.go:1631 github.com/ansible/receptor/pkg/netceptor.(*Netceptor).handleMessageData (0x8cbcdc) [chan send 457314h58m45.572259763s]").unwrap();
        assert_eq!(g.id, 200);
        assert_eq!(
            g.function,
            "github.com/ansible/receptor/pkg/netceptor.(*Netceptor).handleMessageData"
        );
        assert_eq!(g.line, 1631);
        assert_eq!(g.wait_reason, Some("chan send"));
        assert_eq!(g.waited_secs, Some(457314 * 3600 + 58 * 60 + 45));
        assert_eq!(
            frame_line("\t0  0x000000000043f725 in runtime.gopark"),
            Some("runtime.gopark")
        );
        assert_eq!(
            at_line("\t    at /usr/lib/golang/src/runtime/proc.go:337"),
            Some(("/usr/lib/golang/src/runtime/proc.go", 337))
        );
    }

    #[test]
    fn the_selected_goroutine_on_a_thread_and_a_raw_waitsince() {
        let g =
            goroutine_line("* Goroutine 1 - User: ./main.go:12 main.main (0x49c3a5) (thread 4242)")
                .unwrap();
        assert_eq!((g.id, g.thread, g.wait_reason), (1, Some(4242), None));
        let g = goroutine_line("  Goroutine 18 - Runtime: /usr/local/go/src/runtime/proc.go:435 runtime.gopark (0x43e6ce) [sync.Mutex.Lock 1234567890]").unwrap();
        assert_eq!(g.wait_reason, Some("sync.Mutex.Lock"));
        assert_eq!(g.waited_secs, None);
        let g = goroutine_line(
            "  Goroutine 7 - User: /app/main.go:30 main.serve (0x4a) [select (no cases)]",
        )
        .unwrap();
        assert_eq!(g.wait_reason, Some("select (no cases)"));
        assert!(goroutine_line("Goroutine 7 - nothing here").is_none());
        // After the prompt, when Delve's input was not a terminal.
        assert!(goroutine_line(
            "(dlv)   Goroutine 1 - User: ./main.go:24 main.main (0x4b1f6a) [select (no cases)]"
        )
        .is_some());
        assert_eq!(
            frame_line("(dlv) 0  0x00000000004788e3 in runtime.futex"),
            Some("runtime.futex")
        );
        assert!(frame_line("2 goroutines in 0x1 in x").is_none());
    }
}
