//! Byte offsets of the runtime structures a core reader follows: `runtime.g`,
//! `runtime.sudog` and `runtime.hchan`. Taken from the executable's DWARF
//! when it has any, else from per-version tables. The tables were measured
//! with a `debug/dwarf` dump of executables built by Go 1.21.13, 1.22.10,
//! 1.23.9, 1.24.11, 1.25.5, 1.26.6 and 1.27.3 (and the live tests compare
//! them with the DWARF of the toolchain they run).

use godiag_exe::GoExecutable;

/// Offsets in `runtime.g`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GOffsets {
    /// `sched.sp`; `sched.pc` is the next word (gobuf's first two fields).
    pub sched: u64,
    pub atomicstatus: u64,
    pub goid: u64,
    pub waitsince: u64,
    pub waitreason: u64,
    /// `sig` (u32); `sigcode0`, `sigcode1` (the fault address) and `sigpc`
    /// follow `sigcode0` word by word.
    pub sig: u64,
    pub sigcode0: u64,
    pub parent_goid: u64,
    /// The PC of the `go` statement.
    pub gopc: u64,
    /// The `*sudog` list of a goroutine blocked on channels.
    pub waiting: u64,
    /// `*_panic`: the innermost panic in progress.
    pub panic: u64,
    /// The profiler labels (`pprof.Do`).
    pub labels: u64,
}

/// Offsets in `runtime.m` (`g.m` is at 48 in every version).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MOffsets {
    /// The thread id (what the core's `NT_PRSTATUS` calls its pid).
    pub procid: u64,
    /// The runtime's M number (`m=N` in tracebacks).
    pub id: u64,
}

/// `g.m`.
pub const G_M: u64 = 48;

/// Offsets in `runtime._panic`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PanicOffsets {
    /// The value passed to `panic` (an `any`: type, data).
    pub arg: u64,
    /// The panic this one interrupted.
    pub link: u64,
    pub recovered: u64,
}

/// Offsets in `runtime.sudog`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SudogOffsets {
    pub g: u64,
    /// Left and right children in a semaphore treap.
    pub next: u64,
    pub prev: u64,
    /// The semaphore address for semaphore waiters.
    pub elem: u64,
    /// Next sudog: the next case of a select (`g.waiting` list), the next
    /// waiter on the same semaphore.
    pub waitlink: u64,
    /// The channel (`*hchan`).
    pub c: u64,
}

/// Offsets in `runtime.hchan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HchanOffsets {
    pub qcount: u64,
    pub dataqsiz: u64,
    pub closed: u64,
    pub elemtype: u64,
    /// `waitq{first, last}` of blocked receivers and senders.
    pub recvq: u64,
    pub sendq: u64,
}

/// Where a layout came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutSource {
    Dwarf,
    /// The table of the first Go minor version it applies to.
    Table(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub g: GOffsets,
    pub sudog: SudogOffsets,
    pub hchan: HchanOffsets,
    pub panic: PanicOffsets,
    pub m: MOffsets,
    pub source: LayoutSource,
}

/// `abi.Type.Str` (a name offset from `moduledata.types`) and `TFlag`;
/// stable from Go 1.21 to 1.27.
pub const TYPE_STR: u64 = 40;
pub const TYPE_TFLAG: u64 = 20;
/// `moduledata.types`, the same in 1.21–1.27.
pub const MODULEDATA_TYPES: u64 = 296;

const fn g(
    status: u64,
    waitsince: u64,
    sig: u64,
    sigcode0: u64,
    parent_goid: u64,
    waiting: u64,
) -> GOffsets {
    GOffsets {
        sched: 56,
        atomicstatus: status,
        goid: status + 8,
        waitsince,
        waitreason: waitsince + 8,
        sig,
        sigcode0,
        parent_goid,
        gopc: parent_goid + 8,
        waiting,
        panic: 32,
        labels: waiting + 32,
    }
}

// _panic: `recovered` moved when the open-coded defer fields came in 1.22;
// `argp` was dropped in 1.26.
const PANIC_121: PanicOffsets = PanicOffsets {
    arg: 8,
    link: 24,
    recovered: 48,
};
const PANIC_122: PanicOffsets = PanicOffsets {
    recovered: 96,
    ..PANIC_121
};
// m: `gobuf.ret` went in 1.25 (8 bytes earlier); 1.26 added a word before `id`.
const M_121: MOffsets = MOffsets {
    procid: 72,
    id: 232,
};
const M_125: MOffsets = MOffsets {
    procid: 64,
    id: 224,
};
const M_126: MOffsets = MOffsets {
    procid: 64,
    id: 232,
};
const PANIC_126: PanicOffsets = PanicOffsets {
    arg: 0,
    link: 16,
    recovered: 88,
};

// sudog: `elem` became a 16-byte `maybeTraceablePtr` in 1.26.
const SUDOG_121: SudogOffsets = SudogOffsets {
    g: 0,
    next: 8,
    prev: 16,
    elem: 24,
    waitlink: 64,
    c: 80,
};
const SUDOG_126: SudogOffsets = SudogOffsets {
    waitlink: 72,
    c: 88,
    ..SUDOG_121
};
// hchan: `timer` was added before `elemtype` in 1.23.
const HCHAN_121: HchanOffsets = HchanOffsets {
    qcount: 0,
    dataqsiz: 8,
    closed: 28,
    elemtype: 32,
    recvq: 56,
    sendq: 72,
};
const HCHAN_123: HchanOffsets = HchanOffsets {
    elemtype: 40,
    recvq: 64,
    sendq: 80,
    ..HCHAN_121
};

/// (first minor version, g, sudog, hchan, _panic, m), newest first.
type Table = (
    u32,
    GOffsets,
    SudogOffsets,
    HchanOffsets,
    PanicOffsets,
    MOffsets,
);
#[rustfmt::skip]
const TABLES: &[Table] = &[
    (26, g(144, 168, 224, 256, 280, 320), SUDOG_126, HCHAN_123, PANIC_126, M_126),
    (25, g(144, 168, 220, 248, 272, 312), SUDOG_121, HCHAN_123, PANIC_122, M_125),
    (24, g(152, 176, 228, 256, 280, 320), SUDOG_121, HCHAN_123, PANIC_122, M_121),
    (23, g(152, 176, 224, 256, 280, 320), SUDOG_121, HCHAN_123, PANIC_122, M_121),
    (22, g(144, 168, 216, 248, 272, 312), SUDOG_121, HCHAN_121, PANIC_122, M_121),
    (21, g(144, 168, 216, 248, 272, 312), SUDOG_121, HCHAN_121, PANIC_121, M_121),
];

/// Every table's `(sig, sigcode0)`: a fault is also looked for there, in
/// case the executable's version is unknown.
pub fn fault_offsets() -> impl Iterator<Item = (u64, u64)> {
    TABLES.iter().map(|(_, g, ..)| (g.sig, g.sigcode0))
}

/// The Go minor version of `go1.N.x`, when known.
pub fn minor_version(exe: &GoExecutable<'_>) -> Option<u32> {
    exe.version().map(|v| v.minor)
}

/// The table for a minor version (the newest for unknown or later ones).
pub fn table(minor: Option<u32>) -> Layout {
    let minor = minor.unwrap_or(u32::MAX);
    let &(since, g, sudog, hchan, panic, m) = TABLES
        .iter()
        .find(|(since, ..)| minor >= *since)
        .unwrap_or(&TABLES[TABLES.len() - 1]);
    Layout {
        g,
        sudog,
        hchan,
        panic,
        m,
        source: LayoutSource::Table(since),
    }
}

/// The layout from DWARF when every field is there, else the table of the
/// executable's Go version.
pub fn layout(exe: &GoExecutable<'_>, file: &object::File<'_>) -> Layout {
    let fallback = table(minor_version(exe));
    from_dwarf(file).unwrap_or(fallback)
}

/// The layout the executable's DWARF describes, when it has all the fields.
pub fn from_dwarf(file: &object::File<'_>) -> Option<Layout> {
    let structs = godiag_exe::dwarf::struct_offsets(
        file,
        &[
            "runtime.g",
            "runtime.sudog",
            "runtime.hchan",
            "runtime._panic",
            "runtime.m",
        ],
    );
    let (gs, ss, hs, ps, ms) = (
        structs.get("runtime.g")?,
        structs.get("runtime.sudog")?,
        structs.get("runtime.hchan")?,
        structs.get("runtime._panic")?,
        structs.get("runtime.m")?,
    );
    let g = |n: &str| gs.get(n).copied();
    let s = |n: &str| ss.get(n).copied();
    let h = |n: &str| hs.get(n).copied();
    let p = |n: &str| ps.get(n).copied();
    Some(Layout {
        g: GOffsets {
            sched: g("sched")?,
            atomicstatus: g("atomicstatus")?,
            goid: g("goid")?,
            waitsince: g("waitsince")?,
            waitreason: g("waitreason")?,
            sig: g("sig")?,
            sigcode0: g("sigcode0")?,
            parent_goid: g("parentGoid")?,
            gopc: g("gopc")?,
            waiting: g("waiting")?,
            panic: g("_panic")?,
            labels: g("labels")?,
        },
        sudog: SudogOffsets {
            g: s("g")?,
            next: s("next")?,
            prev: s("prev")?,
            elem: s("elem")?,
            waitlink: s("waitlink")?,
            c: s("c")?,
        },
        hchan: HchanOffsets {
            qcount: h("qcount")?,
            dataqsiz: h("dataqsiz")?,
            closed: h("closed")?,
            elemtype: h("elemtype")?,
            recvq: h("recvq")?,
            sendq: h("sendq")?,
        },
        panic: PanicOffsets {
            arg: p("arg")?,
            link: p("link")?,
            recovered: p("recovered")?,
        },
        m: MOffsets {
            procid: ms.get("procid").copied()?,
            id: ms.get("id").copied()?,
        },
        source: LayoutSource::Dwarf,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_by_version() {
        assert_eq!(table(Some(21)).g.goid, 152);
        assert_eq!(table(Some(22)).hchan.elemtype, 32);
        assert_eq!(table(Some(23)).g.goid, 160);
        assert_eq!(table(Some(23)).g.sig, 224);
        assert_eq!(table(Some(24)).g.sig, 228);
        assert_eq!(table(Some(25)).g.waiting, 312);
        assert_eq!(table(Some(26)).sudog.c, 88);
        assert_eq!(table(Some(27)).source, LayoutSource::Table(26));
        assert_eq!(table(None).source, LayoutSource::Table(26));
        assert_eq!(table(Some(20)).source, LayoutSource::Table(21));
        assert_eq!(table(Some(22)).panic.recovered, 96);
        assert_eq!(table(Some(26)).panic.arg, 0);
        assert_eq!(table(Some(25)).g.labels, 344);
        assert_eq!(table(Some(25)).m.id, 224);
    }
}
