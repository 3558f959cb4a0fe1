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
/// 44 entries, with the deltas of `shared/reference/traceback.md` §1.3.
pub(crate) fn wait_reason(minor: u32, i: u8) -> &'static str {
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
    if minor >= 24 {
        v.insert(24, "sync.WaitGroup.Wait");
    }
    if minor >= 22 {
        v.extend([
            "flushing proc caches",
            "trace goroutine status",
            "trace proc status",
            "page trace flush",
            "coroutine",
        ]);
    }
    if minor >= 23 {
        v.push("GC weak to strong wait");
    }
    if minor >= 24 {
        if minor >= 25 {
            v.extend([
                "synctest.Run",
                "synctest.Wait",
                "chan receive (durable)",
                "chan send (durable)",
                "select (durable)",
            ]);
        } else {
            v.extend([
                "synctest.Run",
                "synctest.Wait",
                "chan receive (synctest)",
                "chan send (synctest)",
                "select (synctest)",
            ]);
        }
    }
    if minor >= 25 {
        v.extend([
            "GOMAXPROCS updater (idle)",
            "cleanup wait",
            "sync.WaitGroup.Wait (durable)",
        ]);
    }
    v.get(usize::from(i)).copied().unwrap_or("?")
}

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
