//! A syslog or journal copy whose records lost their line breaks: each
//! record, cut at the viewer's width, runs straight into the next one's
//! header (IBM/ubiquity-docker-plugin#40):
//!
//! ```text
//! Aug 10 08:15:13 worker1 dockerd[781]: panic: runtime error: invalid memory address or nil pointer derefeAug 10 08:15:13 worker1 dockerd[781]: [signal 0xb ...
//! ```
//!
//! The header's host and unit (` worker1 dockerd[781]: `) recur unchanged
//! after every record's timestamp: a line holding several of them is cut
//! before each timestamp again, and the prefix learned from the records
//! as from any journal.

/// `Aug 10 08:15:13`: the header's timestamp, its length fixed.
const STAMP: usize = "Aug 10 08:15:13".len();

/// Records a line must hold before it is taken for joined ones.
const JOINED_AT_LEAST: usize = 3;

/// `Mmm dd hh:mm:ss` (the day may be blank-padded).
fn is_stamp(s: &[u8]) -> bool {
    s.len() == STAMP
        && s[0].is_ascii_uppercase()
        && s[1].is_ascii_lowercase()
        && s[2].is_ascii_lowercase()
        && s[3] == b' '
        && (s[4] == b' ' || s[4].is_ascii_digit())
        && s[5].is_ascii_digit()
        && s[6] == b' '
        && [7, 8, 10, 11, 13, 14]
            .iter()
            .all(|&i| s[i].is_ascii_digit())
        && s[9] == b':'
        && s[12] == b':'
}

/// ` host unit[pid]: `, the part of a syslog header that stays the same
/// from record to record, when `line` opens with a header.
fn constant_part(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    if bytes.len() < STAMP + 4 || !is_stamp(&bytes[..STAMP]) || bytes[STAMP] != b' ' {
        return None;
    }
    let end = line[STAMP..].find("]: ")? + STAMP + "]: ".len();
    let part = &line[STAMP..end];
    // `host unit[pid]`: two words, no more.
    (part.split(' ').filter(|w| !w.is_empty()).count() == 2 && end <= 120).then_some(part)
}

/// Where the records joined on `line` start, when it holds enough of them.
fn record_starts(line: &str) -> Option<Vec<usize>> {
    let part = constant_part(line)?;
    let starts: Vec<usize> = memchr::memmem::find_iter(line.as_bytes(), part.as_bytes())
        .filter_map(|at| at.checked_sub(STAMP))
        .filter(|&start| is_stamp(&line.as_bytes()[start..start + STAMP]))
        .collect();
    (starts.len() >= JOINED_AT_LEAST).then_some(starts)
}

/// Whether any line holds joined records.
pub(crate) fn has_joined_records(lines: &[&str]) -> bool {
    lines.iter().any(|l| record_starts(l).is_some())
}

/// The lines with joined records cut apart; how many records were.
pub(crate) fn split(lines: &[&str]) -> (Vec<String>, usize) {
    let mut out = Vec::with_capacity(lines.len());
    let mut n = 0;
    for line in lines {
        let Some(starts) = record_starts(line) else {
            out.push(line.to_string());
            continue;
        };
        // Text before the first header stays a line of its own.
        let mut from = 0;
        for &start in starts.iter().chain(std::iter::once(&line.len())) {
            if start > from {
                out.push(line[from..start].to_string());
            }
            from = start;
        }
        n += starts.len();
    }
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_cut_before_each_header() {
        let line = "Aug 10 08:15:13 w1 dockerd[781]: panic: runtime error: invalid memory address or nil pointer derefeAug 10 08:15:13 w1 dockerd[781]: [signal 0xb code=0x1 addr=0x8 pc=0xc51c31]Aug 10 08:15:13 w1 dockerd[781]: goroutine 335 [running]:";
        let (out, n) = split(&[line]);
        assert_eq!(n, 3);
        assert_eq!(
            out[1],
            "Aug 10 08:15:13 w1 dockerd[781]: [signal 0xb code=0x1 addr=0x8 pc=0xc51c31]"
        );
        // One record, or a header's words quoted in a message, is no join.
        let one = "Aug 10 08:15:13 w1 dockerd[781]: see w1 dockerd[781]: twice w1 dockerd[781]: ";
        assert!(!has_joined_records(&[one]));
    }
}
