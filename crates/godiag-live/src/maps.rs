//! The mappings of a process, from `/proc/PID/maps`: what its memory is,
//! for the walk's size bound and for writing a core.

/// One line of `/proc/PID/maps`.
pub(crate) struct Mapping {
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    pub(crate) executable: bool,
    /// `[vvar]` and the like: not readable through `/proc/PID/mem`.
    pub(crate) special: bool,
}

pub(crate) fn mappings(pid: i32) -> Vec<Mapping> {
    std::fs::read_to_string(format!("/proc/{pid}/maps"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (a, b) = f.next()?.split_once('-')?;
            let perms = f.next()?.as_bytes();
            let name = f.nth(3).unwrap_or("");
            let start = u64::from_str_radix(a, 16).ok()?;
            let end = u64::from_str_radix(b, 16).ok()?;
            (end > start).then_some(Mapping {
                start,
                end,
                readable: perms.first() == Some(&b'r'),
                writable: perms.get(1) == Some(&b'w'),
                executable: perms.get(2) == Some(&b'x'),
                special: matches!(name, "[vvar]" | "[vvar_vclock]" | "[vsyscall]"),
            })
        })
        .collect()
}
