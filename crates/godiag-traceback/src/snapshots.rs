//! Goroutine dumps of one process written one after another into one file
//! (`curl .../goroutine?debug=2 >> dumps.txt` twice, two SIGQUITs into one
//! log): each is a snapshot of its own. One process never has two
//! goroutines with one id at once, so a header whose id was already seen
//! starts the next snapshot; a `debug=1` profile starts each with its
//! `goroutine profile: total N` line.
//!
//! The boundary moves back over what belongs to the next snapshot: the
//! goroutine that wrote it, printed first (`runtime/pprof`'s writer, a
//! `runtime.Stack` caller), and a `SIGQUIT: quit` opening it.

use std::collections::HashSet;

use godiag_sniff::anchor;

/// The most dumps one file is read as.
const MAX_SNAPSHOTS: usize = 64;

/// A goroutine header's line: where it starts and its id.
struct Header {
    line_start: usize,
    id: u64,
    running: bool,
}

/// Where each snapshot starts (byte offsets, the first 0); one entry when
/// the text holds one dump.
pub fn snapshot_starts(data: &[u8]) -> Vec<usize> {
    // Nearly every dump is one: a search for headers at line starts and
    // for a second profile line tells, before any line is read.
    if !repeats_an_id(data)
        && memchr::memmem::find_iter(data, b"goroutine profile: total ")
            .nth(1)
            .is_none()
    {
        return vec![0];
    }
    starts_of_snapshots(data)
}

/// Whether a goroutine header at the start of a line repeats the id of an
/// earlier one (goroutine 0, each thread's own stack, aside).
fn repeats_an_id(data: &[u8]) -> bool {
    let mut seen: HashSet<u64> = HashSet::new();
    let at_starts = std::iter::once(0)
        .filter(|_| data.starts_with(b"goroutine "))
        .chain(memchr::memmem::find_iter(data, b"\ngoroutine ").map(|i| i + 1));
    for at in at_starts {
        let rest = &data[at + b"goroutine ".len()..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let header =
            digits > 0 && matches!(rest.get(digits..digits + 2), Some(b" [") | Some(b" g"));
        let id = std::str::from_utf8(&rest[..digits])
            .ok()
            .and_then(|d| d.parse::<u64>().ok());
        if let (true, Some(id)) = (header, id) {
            if id != 0 && !seen.insert(id) {
                return true;
            }
        }
    }
    false
}

fn starts_of_snapshots(data: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    let mut profiles = 0;
    let mut seen: HashSet<u64> = HashSet::new();
    let mut previous: Option<Header> = None;
    // Lines since the previous header: where the dump writer's frames or a
    // `SIGQUIT: quit` line would be.
    let mut writer_since_previous = false;
    let mut quit_since_previous: Option<usize> = None;
    let mut thread_blocks = false;
    let mut last_was_dashes = false;
    let mut at = 0;
    for line in data.split_inclusive(|&b| b == b'\n') {
        let line_start = at;
        at += line.len();
        let Ok(text) = std::str::from_utf8(line) else {
            continue;
        };
        let text = text.trim_end();
        if let Some(p) = text.find("goroutine profile: total ") {
            if anchor::find(text).is_some_and(|a| a.strong && a.at == p) {
                profiles += 1;
                if profiles > 1 {
                    starts.push(line_start);
                    if starts.len() > MAX_SNAPSHOTS {
                        return vec![0];
                    }
                }
                continue;
            }
        }
        if text.trim().is_empty() {
            continue;
        }
        let after_dashes = std::mem::replace(&mut last_was_dashes, text.trim() == "-----");
        if text.contains("SIGQUIT: quit") {
            // Under `-----`, the stacks of another thread of the same
            // dump (GOTRACEBACK=crash): they repeat goroutines already
            // listed. Else a dump of its own opens here.
            thread_blocks = after_dashes;
            if !thread_blocks {
                quit_since_previous = Some(line_start);
            }
            continue;
        }
        if text.contains("runtime/pprof.writeGoroutine") || text.contains("runtime.Stack(") {
            writer_since_previous = true;
        }
        // Most lines are frames: only a line naming a goroutine can be a
        // header.
        if !text.contains("goroutine ") {
            continue;
        }
        let Some(a) = anchor::find(text).filter(|a| a.strong) else {
            continue;
        };
        let rest = &text[a.at..];
        if !anchor::is_header(rest) {
            continue;
        }
        let id = rest["goroutine ".len()..]
            .split(' ')
            .next()
            .and_then(|id| id.parse::<u64>().ok());
        // Goroutine 0 is each thread's own stack (`g0`), printed once per
        // thread.
        let Some(id) = id.filter(|&id| id != 0) else {
            continue;
        };
        if thread_blocks {
            continue;
        }
        let running = rest.contains("[running");
        if !seen.insert(id) {
            // The next snapshot: from its opening `SIGQUIT: quit`, or from
            // its writer printed just before, else from this header.
            let start = match (&previous, quit_since_previous) {
                (_, Some(q)) => q,
                (Some(p), None) if p.running && writer_since_previous => p.line_start,
                _ => line_start,
            };
            if start > *starts.last().unwrap_or(&0) {
                starts.push(start);
                // Past this, the ids repeat within what is one text (a
                // generated or hostile one), not across dumps.
                if starts.len() > MAX_SNAPSHOTS {
                    return vec![0];
                }
            }
            seen.clear();
            seen.insert(id);
            if start != line_start {
                if let Some(p) = &previous {
                    seen.insert(p.id);
                }
            }
        }
        previous = Some(Header {
            line_start,
            id,
            running,
        });
        writer_since_previous = false;
        quit_since_previous = None;
    }
    // Profiles and headers together: the profiles' lines decide.
    if profiles > 1 {
        starts.retain(|&s| {
            s == 0
                || data[s..]
                    .split(|&b| b == b'\n')
                    .next()
                    .is_some_and(|l| l.windows(25).any(|w| w == b"goroutine profile: total "))
        });
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "goroutine 215 [running]:
runtime/pprof.writeGoroutineStacks({0x7f, 0xc0})
\t/go/src/runtime/pprof/pprof.go:761 +0x6b
net/http/pprof.handler.ServeHTTP({0xc, 0x4}, {0x7f, 0xc0}, 0xc0)
\t/go/src/net/http/pprof/pprof.go:272 +0x1b4

goroutine 1 [IO wait]:
main.main()
\t/app/main.go:20 +0x1d

goroutine 7 [chan receive, 3 minutes]:
main.worker()
\t/app/main.go:30 +0x1d
";

    #[test]
    fn two_debug2_dumps_are_two_snapshots() {
        let second = DUMP.replace("goroutine 215 [running]", "goroutine 377 [running]");
        let both = format!("{DUMP}\n{second}");
        let starts = snapshot_starts(both.as_bytes());
        assert_eq!(starts, [0, DUMP.len() + 1]);
        assert_eq!(snapshot_starts(DUMP.as_bytes()), [0]);
    }

    /// GOTRACEBACK=crash lists a running goroutine again in its thread's
    /// block, under `-----`: one dump.
    #[test]
    fn thread_blocks_are_not_a_second_dump() {
        let crash = "SIGQUIT: quit\nPC=0x46 m=0 sigcode=0\n\ngoroutine 0 gp=0x6 m=0 mp=0x6 [idle]:\nruntime.futex()\n\t/go/src/runtime/sys_linux_amd64.s:557 +0x21\n\ngoroutine 5 gp=0xc m=2 mp=0xc [running]:\n\tgoroutine running on other thread; stack unavailable\n\n-----\n\nSIGQUIT: quit\nPC=0x47 m=2 sigcode=18446744073709551610\n\ngoroutine 0 gp=0xc m=2 mp=0xc [idle]:\nruntime.futex()\n\t/go/src/runtime/sys_linux_amd64.s:557 +0x21\n\ngoroutine 5 gp=0xc m=2 mp=0xc [running]:\nmain.spin()\n\t/app/main.go:9 +0x1\n";
        assert_eq!(snapshot_starts(crash.as_bytes()), [0]);
    }

    /// One id over and over is no sequence of dumps.
    #[test]
    fn endless_repeats_are_one_text() {
        let record = "goroutine 7 [chan receive]:\nmain.worker()\n\t/app/main.go:10 +0x1d\n\n";
        assert_eq!(snapshot_starts(record.repeat(1000).as_bytes()), [0]);
        assert_eq!(snapshot_starts(record.repeat(3).as_bytes()).len(), 3);
    }

    #[test]
    fn sigquit_dumps_and_profiles_start_at_their_first_line() {
        let quit = "SIGQUIT: quit\nPC=0x46 m=0 sigcode=0\n\ngoroutine 1 [select]:\nmain.main()\n\t/app/main.go:9 +0x1\n\n";
        let both = format!("{quit}{quit}");
        assert_eq!(snapshot_starts(both.as_bytes()), [0, quit.len()]);
        let profile =
            "goroutine profile: total 2\n1 @ 0x1 0x2\n#\t0x1\tmain.main+0x1\t/app/main.go:9\n\n";
        let both = format!("{profile}{profile}");
        assert_eq!(snapshot_starts(both.as_bytes()), [0, profile.len()]);
    }
}
