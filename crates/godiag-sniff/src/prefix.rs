//! Log collectors put a prefix before every line of a program's stderr:
//!
//! ```text
//! 2024-05-01T10:00:00.123456789Z stderr F panic: boom          (CRI: containerd, CRI-O)
//! 2024-05-01T10:00:00.123456789Z panic: boom                   (kubectl logs --timestamps)
//! May 01 10:00:00 host app[123]: panic: boom                   (syslog, journalctl)
//! ```
//!
//! The form is told from the first lines; then every line that has it loses
//! it, so the runtime's text reads as printed (frames keep their tab).

/// A per-line prefix form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrefixForm {
    /// `<RFC 3339 time> <stdout|stderr> <F|P> `
    Cri,
    /// `<RFC 3339 time> `
    Timestamp,
    /// `<Mon> <day> <hh:mm:ss> <host> <tag>[pid]: `
    Syslog,
}

/// `2024-05-01T10:00:00.123Z` / `...+02:00`: returns the length.
fn rfc3339(s: &[u8]) -> Option<usize> {
    let date_ok = s.len() > 20
        && s[..4].iter().all(u8::is_ascii_digit)
        && s[4] == b'-'
        && s[5..7].iter().all(u8::is_ascii_digit)
        && s[7] == b'-'
        && s[8..10].iter().all(u8::is_ascii_digit)
        && s[10] == b'T';
    if !date_ok {
        return None;
    }
    let end = s[11..]
        .iter()
        .position(|&b| !(b.is_ascii_digit() || matches!(b, b':' | b'.' | b'Z' | b'+' | b'-')))
        .map_or(s.len(), |p| 11 + p);
    (end >= 19).then_some(end)
}

fn strip_cri(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let t = rfc3339(b)?;
    let rest = line.get(t..)?.strip_prefix(' ')?;
    let rest = rest
        .strip_prefix("stdout ")
        .or_else(|| rest.strip_prefix("stderr "))?;
    let rest = rest
        .strip_prefix("F ")
        .or_else(|| rest.strip_prefix("P "))?;
    Some(rest)
}

fn strip_timestamp(line: &str) -> Option<&str> {
    let t = rfc3339(line.as_bytes())?;
    line.get(t..)?.strip_prefix(' ')
}

fn strip_syslog(line: &str) -> Option<&str> {
    const MONTHS: [&str; 12] = [
        "Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ", "Jul ", "Aug ", "Sep ", "Oct ", "Nov ",
        "Dec ",
    ];
    let rest = MONTHS.iter().find_map(|m| line.strip_prefix(m))?;
    let b = rest.as_bytes();
    // `01 10:00:00 ` or ` 1 10:00:00 `
    if b.len() < 13
        || !(b[0] == b' ' || b[0].is_ascii_digit())
        || !b[1].is_ascii_digit()
        || b[2] != b' '
    {
        return None;
    }
    let time = &b[3..11];
    if !(time[2] == b':' && time[5] == b':') || b[11] != b' ' {
        return None;
    }
    let rest = &rest[12..];
    let (_host, rest) = rest.split_once(' ')?;
    // `tag[pid]: ` or `tag: `
    let colon = rest.find(": ")?;
    let tag = &rest[..colon];
    if tag.is_empty() || tag.contains(' ') {
        return None;
    }
    Some(&rest[colon + 2..])
}

impl PrefixForm {
    pub fn strip(self, line: &str) -> Option<&str> {
        match self {
            PrefixForm::Cri => strip_cri(line),
            PrefixForm::Timestamp => strip_timestamp(line),
            PrefixForm::Syslog => strip_syslog(line),
        }
    }

    /// The form most of the first non-empty lines have, if any.
    pub fn detect(text: &str) -> Option<PrefixForm> {
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).take(32).collect();
        if lines.is_empty() {
            return None;
        }
        [PrefixForm::Cri, PrefixForm::Timestamp, PrefixForm::Syslog]
            .into_iter()
            .find(|form| {
                lines.iter().filter(|l| form.strip(l).is_some()).count() * 5 >= lines.len() * 4
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let cri = "2024-05-01T10:00:00.123456789Z stderr F \tmain.go:12 +0x1d";
        assert_eq!(PrefixForm::Cri.strip(cri), Some("\tmain.go:12 +0x1d"));
        assert_eq!(
            PrefixForm::Timestamp.strip("2024-05-01T10:00:00+02:00 panic: x"),
            Some("panic: x")
        );
        assert_eq!(
            PrefixForm::Syslog.strip("May  1 10:00:00 web-1 app[123]: panic: x"),
            Some("panic: x")
        );
        assert_eq!(
            PrefixForm::Syslog.strip("Dec 31 23:59:59 h app: \tmain.go:1"),
            Some("\tmain.go:1")
        );
        assert_eq!(
            PrefixForm::detect("panic: x\n\ngoroutine 1 [running]:\n"),
            None
        );
        assert_eq!(
            PrefixForm::detect(&format!("{cri}\n{cri}\n")),
            Some(PrefixForm::Cri)
        );
    }
}
