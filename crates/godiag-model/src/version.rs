//! Go versions: one type for every reader, and the range godiag knows.
//! Differences between releases live in tables keyed by the minor version
//! (runtime offsets, wait reasons, moduledata layout), each next to what it
//! describes.

use std::fmt;

/// A Go release, `1.N` or `1.N.P`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoVersion {
    pub major: u32,
    pub minor: u32,
    /// The patch release, when known (`go1.24` and `1.24rc1` have none).
    pub patch: Option<u32>,
}

impl GoVersion {
    /// The newest Go whose runtime godiag knows (layouts, wait reasons,
    /// trace format). Newer ones are read with this release's tables.
    pub const NEWEST_KNOWN: GoVersion = GoVersion::new(1, 27);
    /// The oldest Go godiag is tested on; older text is still read.
    pub const OLDEST_SUPPORTED: GoVersion = GoVersion::new(1, 21);

    pub const fn new(major: u32, minor: u32) -> Self {
        GoVersion {
            major,
            minor,
            patch: None,
        }
    }

    /// `go1.24.11`, `1.24.11`, `go1.24`, `go1.25rc1`, `devel go1.27-abc`:
    /// the first `1.N[.P]` in the text.
    pub fn parse(s: &str) -> Option<GoVersion> {
        let at = s.find("1.")?;
        let rest = &s[at..];
        let mut parts = rest.splitn(3, '.');
        let major = parts.next()?.parse().ok()?;
        let digits = |p: &str| -> Option<u32> {
            let end = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
            p[..end].parse().ok()
        };
        let minor_part = parts.next()?;
        let minor = digits(minor_part)?;
        // `1.25rc1`: no patch after a pre-release suffix.
        let patch = if minor_part.bytes().all(|b| b.is_ascii_digit()) {
            parts.next().and_then(digits)
        } else {
            None
        };
        Some(GoVersion {
            major,
            minor,
            patch,
        })
    }

    /// Newer than every release godiag knows.
    pub fn is_newer_than_known(self) -> bool {
        (self.major, self.minor) > (Self::NEWEST_KNOWN.major, Self::NEWEST_KNOWN.minor)
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(p) => write!(f, "{}.{}.{p}", self.major, self.minor),
            None => write!(f, "{}.{}", self.major, self.minor),
        }
    }
}

/// The value of the newest entry of `table` (`(since minor, value)`,
/// newest first) that applies to `minor`; the newest for an unknown or later
/// version, the oldest for an older one.
pub fn by_minor<T: Copy>(table: &[(u32, T)], minor: Option<u32>) -> Option<T> {
    let minor = minor.unwrap_or(u32::MAX);
    table
        .iter()
        .find(|(since, _)| minor >= *since)
        .or(table.last())
        .map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_go_prints() {
        let v = |s| GoVersion::parse(s).map(|v| v.to_string());
        assert_eq!(v("go1.24.11").as_deref(), Some("1.24.11"));
        assert_eq!(v("1.27.3").as_deref(), Some("1.27.3"));
        assert_eq!(v("go1.24").as_deref(), Some("1.24"));
        assert_eq!(v("go1.25rc1").as_deref(), Some("1.25"));
        assert_eq!(v("devel go1.27-abcdef Tue").as_deref(), Some("1.27"));
        assert_eq!(v("unknown"), None);
        assert!(GoVersion::parse("go1.28.0").unwrap().is_newer_than_known());
        assert!(!GoVersion::parse("go1.27.3").unwrap().is_newer_than_known());
    }

    #[test]
    fn tables_by_minor() {
        let t = [(27, "new"), (20, "old")];
        assert_eq!(by_minor(&t, Some(27)), Some("new"));
        assert_eq!(by_minor(&t, Some(30)), Some("new"));
        assert_eq!(by_minor(&t, Some(24)), Some("old"));
        assert_eq!(by_minor(&t, Some(19)), Some("old"));
        assert_eq!(by_minor(&t, None), Some("new"));
    }
}
