//! Goroutine states and wait reasons as the runtime names them.

use godiag_exe::GoExecutable;
use object::{Object, ObjectSymbol};

use crate::core_file::u64_at;

/// `runtime.waitReasonStrings` read from the executable itself (a `[N]string`
/// whose headers point into `.rodata`), so every version names its own.
pub(crate) fn wait_reasons_from_exe<'e>(
    exe: &GoExecutable<'e>,
    file: &object::File<'e>,
    exe_bytes: &'e [u8],
) -> Option<Vec<&'e str>> {
    let (addr, n) = match file
        .symbols()
        .find(|s| s.name() == Ok("runtime.waitReasonStrings"))
    {
        Some(sym) => (
            sym.address(),
            usize::try_from(sym.size() / 16).ok()?.min(256),
        ),
        None => find_wait_reason_table(exe, file, exe_bytes)?,
    };
    let table = exe.read(addr, n * 16)?;
    (0..n)
        .map(|i| {
            let ptr = u64_at(table, 16 * i)?;
            let len = usize::try_from(u64_at(table, 16 * i + 8)?).ok()?.min(256);
            if len == 0 {
                return Some("");
            }
            std::str::from_utf8(exe.read(ptr, len)?).ok()
        })
        .collect()
}

/// The `waitReasonStrings` table of a stripped executable: entry 1 is the
/// header of "GC assist marking" (in every version), entry 0 is empty; the
/// table runs while headers point at short printable strings.
fn find_wait_reason_table<'e>(
    exe: &GoExecutable<'e>,
    file: &object::File<'e>,
    bytes: &'e [u8],
) -> Option<(u64, usize)> {
    use object::ObjectSection;
    const FIRST: &[u8] = b"GC assist marking";
    let rodata = file.section_by_name(".rodata")?;
    let (ro_off, ro_size) = rodata.file_range()?;
    let ro = bytes.get(ro_off as usize..(ro_off + ro_size) as usize)?;
    // Strings are not NUL-terminated: every occurrence is a candidate.
    let mut from = 0;
    while let Some(pos) = ro[from..].windows(FIRST.len()).position(|w| w == FIRST) {
        let str_addr = rodata.address() + (from + pos) as u64;
        from += pos + 1;
        let mut header = [0u8; 16];
        header[..8].copy_from_slice(&str_addr.to_le_bytes());
        header[8..].copy_from_slice(&(FIRST.len() as u64).to_le_bytes());
        for name in [".data", ".noptrdata", ".data.rel.ro"] {
            let Some(sec) = file.section_by_name(name) else {
                continue;
            };
            let Some((off, size)) = sec.file_range() else {
                continue;
            };
            let Some(data) = bytes.get(off as usize..(off + size) as usize) else {
                continue;
            };
            let mut at = 16;
            while at + 16 <= data.len() {
                if data[at..at + 16] == header && u64_at(data, at - 8) == Some(0) {
                    let start = sec.address() + at as u64 - 16;
                    // Count entries while they read as short strings.
                    let mut n = 1;
                    while n < 256 {
                        let Some(h) = exe.read(start.wrapping_add(16 * n as u64), 16) else {
                            break;
                        };
                        let (p, l) = (u64_at(h, 0).unwrap_or(0), u64_at(h, 8).unwrap_or(0));
                        let ok = (1..64).contains(&l)
                            && exe.read(p, l as usize).is_some_and(|b| {
                                b.iter().all(|c| c.is_ascii_graphic() || *c == b' ')
                            });
                        if !ok {
                            break;
                        }
                        n += 1;
                    }
                    return Some((start, n));
                }
                at += 8;
            }
        }
    }
    None
}

/// `runtime.waitReasonStrings` by version, for executables whose table
/// cannot be read (PIE: its pointers are relocated at load time). Go 1.24's
/// 44 entries, with the deltas of `shared/reference/traceback.md` §1.3
/// ([`WAIT_REASONS_ADDED`]).
pub(crate) fn wait_reasons(minor: u32) -> Vec<&'static str> {
    if minor >= 26 {
        return WAIT_REASONS_126.to_vec();
    }
    const BASE: [&str; 32] = [
        "",
        "GC assist marking",
        "IO wait",
        "chan receive (nil chan)",
        "chan send (nil chan)",
        "dumping heap",
        "garbage collection",
        "garbage collection scan",
        "panicwait",
        "select",
        "select (no cases)",
        "GC assist wait",
        "GC sweep wait",
        "GC scavenge wait",
        "chan receive",
        "chan send",
        "finalizer wait",
        "force gc (idle)",
        "semacquire",
        "sleep",
        "sync.Cond.Wait",
        "sync.Mutex.Lock",
        "sync.RWMutex.RLock",
        "sync.RWMutex.Lock",
        "trace reader (blocked)",
        "wait for GC cycle",
        "GC worker (idle)",
        "GC worker (active)",
        "preempted",
        "debug call",
        "GC mark termination",
        "stopping the world",
    ];
    let mut v: Vec<&'static str> = BASE.to_vec();
    for &(since, until, at, names) in WAIT_REASONS_ADDED {
        if minor < since || minor > until {
            continue;
        }
        match at {
            Some(at) => {
                for (k, name) in names.iter().enumerate() {
                    v.insert(at + k, name);
                }
            }
            None => v.extend_from_slice(names),
        }
    }
    v
}

/// Go 1.26 renumbered `waitReasonStrings` (the reasons the goroutine leak
/// detector can judge are grouped): its whole table, as the runtime has it.
const WAIT_REASONS_126: [&str; 47] = [
    "",
    "GC assist marking",
    "IO wait",
    "dumping heap",
    "garbage collection",
    "garbage collection scan",
    "panicwait",
    "GC assist wait",
    "GC sweep wait",
    "GC scavenge wait",
    "finalizer wait",
    "force gc (idle)",
    "GOMAXPROCS updater (idle)",
    "semacquire",
    "sleep",
    "chan receive (nil chan)",
    "chan send (nil chan)",
    "select (no cases)",
    "select",
    "chan receive",
    "chan send",
    "sync.Cond.Wait",
    "sync.Mutex.Lock",
    "sync.RWMutex.RLock",
    "sync.RWMutex.Lock",
    "sync.WaitGroup.Wait",
    "trace reader (blocked)",
    "wait for GC cycle",
    "GC worker (idle)",
    "GC worker (active)",
    "preempted",
    "debug call",
    "GC mark termination",
    "stopping the world",
    "flushing proc caches",
    "trace goroutine status",
    "trace proc status",
    "page trace flush",
    "coroutine",
    "GC weak to strong wait",
    "synctest.Run",
    "synctest.Wait",
    "chan receive (durable)",
    "chan send (durable)",
    "select (durable)",
    "sync.WaitGroup.Wait (durable)",
    "cleanup wait",
];

/// What each release from 1.22 to 1.25 added to `waitReasonStrings`, applied in this order:
/// (first minor, last minor, inserted at index or appended, names).
#[allow(clippy::type_complexity)]
const WAIT_REASONS_ADDED: &[(u32, u32, Option<usize>, &[&str])] = &[
    (24, u32::MAX, Some(24), &["sync.WaitGroup.Wait"]),
    (
        22,
        u32::MAX,
        None,
        &[
            "flushing proc caches",
            "trace goroutine status",
            "trace proc status",
            "page trace flush",
            "coroutine",
        ],
    ),
    (23, u32::MAX, None, &["GC weak to strong wait"]),
    (
        24,
        24,
        None,
        &[
            "synctest.Run",
            "synctest.Wait",
            "chan receive (synctest)",
            "chan send (synctest)",
            "select (synctest)",
        ],
    ),
    (
        25,
        u32::MAX,
        None,
        &[
            "synctest.Run",
            "synctest.Wait",
            "chan receive (durable)",
            "chan send (durable)",
            "select (durable)",
        ],
    ),
    (25, u32::MAX, Some(18), &["GOMAXPROCS updater (idle)"]),
    (
        25,
        u32::MAX,
        None,
        &["sync.WaitGroup.Wait (durable)", "cleanup wait"],
    ),
];

pub(crate) const STATUS: [&str; 11] = [
    "idle",
    "runnable",
    "running",
    "syscall",
    "waiting",
    "moribund",
    "dead",
    "enqueue",
    "copystack",
    "preempted",
    "leaked",
];

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::{wait_reasons, wait_reasons_from_exe};

    /// The per-version table equals each lab executable's own
    /// `runtime.waitReasonStrings` (Go 1.22, 1.26, 1.27 committed).
    #[test]
    fn table_matches_the_runtime_strings() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/cores");
        let mut checked = 0;
        for dir in std::fs::read_dir(&root).unwrap().flatten() {
            let Ok(files) = std::fs::read_dir(dir.path()) else {
                continue; // README.md
            };
            for entry in files.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.ends_with(".exe.gz") {
                    continue;
                }
                let mut bytes = Vec::new();
                flate2::read::GzDecoder::new(std::fs::File::open(entry.path()).unwrap())
                    .read_to_end(&mut bytes)
                    .unwrap();
                check(&name, &bytes);
                checked += 1;
            }
        }
        assert!(checked >= 3, "{checked} executables checked");
    }

    fn check(name: &str, bytes: &[u8]) {
        {
            {
                let exe = godiag_exe::GoExecutable::parse(bytes).unwrap();
                let file = object::File::parse(bytes).unwrap();
                let minor = exe.version().unwrap().minor;
                let strings = wait_reasons_from_exe(&exe, &file, bytes).expect(name);
                let table = wait_reasons(minor);
                for (i, s) in strings.iter().enumerate() {
                    assert_eq!(table.get(i), Some(s), "{name}: reason {i}");
                }
            }
        }
    }

    /// Executables of other versions, when given (`GODIAG_EXES=dir`).
    #[test]
    fn table_matches_other_executables() {
        let Some(dir) = std::env::var_os("GODIAG_EXES") else {
            return;
        };
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            check(&entry.file_name().to_string_lossy(), &bytes);
        }
    }
}
