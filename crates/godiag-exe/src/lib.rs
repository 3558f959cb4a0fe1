//! Reader for Go executables (ELF): the Go version from the build info, and
//! the runtime's own symbol table (`pclntab`, Go 1.20+ layout, used by Go
//! 1.21–1.27) to turn a PC into function, file and line, with inlined frames
//! when `moduledata` can be found. It needs no DWARF and no symbol table, so
//! it works on `-ldflags="-s -w"` binaries: the pclntab is found by section
//! name (`.gopclntab`, `.data.rel.ro.gopclntab`) or by scanning for its header.
//!
//! Layouts are from `shared/reference/core-dumps.md` §1 (`runtime/symtab.go`).
//! It reads a borrowed byte slice (a memory map) and copies nothing.
//!
//! Not done yet: PIE load bias (PCs are link-time addresses), the inline tree
//! of PIE binaries (their moduledata is filled by relocations), Mach-O/PE.

use godiag_model::GoVersion;
use object::{Object, ObjectSection, ObjectSegment, ObjectSymbol};

pub mod dwarf;
pub mod memory;
mod typeformat;
pub mod variables;

pub use memory::Memory;
pub use variables::{DebugVariables, Scope, Variable};

/// Why an executable could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ExeError {
    #[error("not an ELF file godiag can read: {0}")]
    NotElf(String),
    #[error("no Go pclntab found (not a Go 1.20+ binary, or damaged)")]
    NoPclntab,
    #[error("the pclntab is damaged at byte {offset} of it: {message}")]
    Damaged { offset: usize, message: String },
}

const MAGIC_120: u32 = 0xffff_fff1;
const HEADER_LEN: usize = 72;
/// Byte offset of `moduledata.gofunc`, by Go version: word 40 in Go
/// 1.20–1.26; Go 1.27 added `typedesclen`, `itaboffset` and `itabsize`
/// before it (word 43). `runtime/symtab.go`, `type moduledata`.
const MODULEDATA_GOFUNC: &[(u32, usize)] = &[(27, 43 * 8), (20, 40 * 8)];

/// The gofunc offset for a Go version (newest layout when unknown).
fn gofunc_offset(version: Option<GoVersion>) -> usize {
    godiag_model::version::by_minor(MODULEDATA_GOFUNC, version.map(|v| v.minor)).unwrap_or(40 * 8)
}
/// How a release lays out a function's open-coded defer funcdata
/// (`FUNCDATA_OpenCodedDeferInfo`), newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpenDeferLayout {
    /// Go 1.22+: the bits' offset, then the first closure slot's.
    Slots,
    /// Go 1.14–1.21: the bits' offset, the count of defers, then each
    /// closure's offset, the last defer's first.
    PerDefer,
}
const OPEN_DEFER_LAYOUT: &[(u32, OpenDeferLayout)] = &[
    (22, OpenDeferLayout::Slots),
    (14, OpenDeferLayout::PerDefer),
];

/// A frame's open-coded defers, as offsets below its `varp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenDefers {
    /// The byte whose bit `i` says defer `i` has run (and is pending).
    pub bits: u64,
    /// Where defer `i`'s closure pointer is.
    pub closures: [Option<u64>; 8],
}

/// `moduledata.text`, the same in Go 1.21–1.27.
const MODULEDATA_TEXT: u64 = 176;
const PCDATA_INL_TREE_INDEX: u32 = 2;
const FUNCDATA_INL_TREE: u32 = 3;
/// How the traceback prints a function's arguments (Go 1.17+), and which
/// register-argument spill slots are live at a PC.
const FUNCDATA_OPEN_CODED_DEFER_INFO: u32 = 4;
const FUNCDATA_ARG_INFO: u32 = 5;
const FUNCDATA_ARG_LIVE_INFO: u32 = 6;
const PCDATA_ARG_LIVE_INDEX: u32 = 3;

/// One frame at a PC: the physical function last, inlined callees first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PcFrame<'a> {
    pub function: &'a str,
    pub file: &'a str,
    pub line: i64,
    /// Inlined into the next frame.
    pub inlined: bool,
}

/// A Go function as the pclntab describes it.
#[derive(Clone, Copy, Debug)]
pub struct Func<'a> {
    pub name: &'a str,
    /// Link-time address of the first instruction.
    pub entry: u64,
    /// Offset of the `_func` record in the functab blob.
    record: usize,
}

/// The Go executable.
pub struct GoExecutable<'a> {
    /// `go1.24.11` → `1.24.11`, from `.go.buildinfo`.
    pub go_version: Option<String>,
    pub pclntab: Pclntab<'a>,
    /// Where the pclntab was found: a section name, or `scan`.
    pub pclntab_source: &'static str,
    /// `moduledata.gofunc` (link-time address) when moduledata was found;
    /// needed for inlined frames.
    gofunc: Option<u64>,
    /// Link-time address of `runtime.firstmoduledata`, when found.
    pub moduledata: Option<u64>,
    data: &'a [u8],
    /// The file's loadable segments.
    segments: Vec<FileSegment>,
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// A NUL-terminated string at `at`.
fn cstr(b: &[u8], at: usize) -> Option<&str> {
    let rest = b.get(at..)?;
    let end = rest.iter().position(|&c| c == 0)?;
    std::str::from_utf8(&rest[..end]).ok()
}

fn uvarint(b: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for i in 0..10 {
        let byte = *b.get(*at)?;
        *at += 1;
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The runtime symbol table of one module (Go 1.20+ layout).
pub struct Pclntab<'a> {
    blob: &'a [u8],
    quantum: u64,
    nfunc: usize,
    text_start: u64,
    funcname: usize,
    cutab: usize,
    filetab: usize,
    pctab: usize,
    functab: usize,
}

impl<'a> Pclntab<'a> {
    /// Parses the header at the start of `blob` and checks every offset
    /// against the blob's length.
    pub fn parse(blob: &'a [u8]) -> Result<Self, ExeError> {
        let bad = |offset: usize, message: &str| ExeError::Damaged {
            offset,
            message: message.into(),
        };
        if u32_at(blob, 0) != Some(MAGIC_120) || blob.len() < HEADER_LEN {
            return Err(ExeError::NoPclntab);
        }
        if blob[4] != 0 || blob[5] != 0 || blob[7] != 8 || !matches!(blob[6], 1 | 2 | 4) {
            return Err(bad(
                4,
                "unexpected header bytes (only 64-bit little-endian is read)",
            ));
        }
        let word = |i: usize| u64_at(blob, 8 + 8 * i).unwrap_or(u64::MAX);
        let nfunc = usize::try_from(word(0)).map_err(|_| bad(8, "nfunc"))?;
        let off = |i: usize, what: &str| -> Result<usize, ExeError> {
            usize::try_from(word(i))
                .ok()
                .filter(|&o| o < blob.len())
                .ok_or_else(|| bad(8 + 8 * i, what))
        };
        let t = Pclntab {
            blob,
            quantum: u64::from(blob[6]),
            nfunc,
            text_start: word(2),
            funcname: off(3, "funcname offset")?,
            cutab: off(4, "cutab offset")?,
            filetab: off(5, "filetab offset")?,
            pctab: off(6, "pctab offset")?,
            functab: off(7, "functab offset")?,
        };
        // nfunc + 1 functab entries of 8 bytes must fit.
        let need = nfunc
            .checked_add(1)
            .and_then(|n| n.checked_mul(8))
            .and_then(|n| n.checked_add(t.functab));
        if need.is_none_or(|n| n > blob.len()) {
            return Err(bad(8, "nfunc does not fit in the table"));
        }
        Ok(t)
    }

    pub fn len(&self) -> usize {
        self.nfunc
    }

    pub fn is_empty(&self) -> bool {
        self.nfunc == 0
    }

    /// The link-time address the function entries are relative to.
    pub fn text_start(&self) -> u64 {
        self.text_start
    }

    fn functab_entry(&self, i: usize) -> Option<(u32, u32)> {
        let at = self.functab + 8 * i;
        Some((u32_at(self.blob, at)?, u32_at(self.blob, at + 4)?))
    }

    /// Function `i` (0-based, in address order).
    pub fn func(&self, i: usize) -> Option<Func<'a>> {
        if i >= self.nfunc {
            return None;
        }
        let (entryoff, funcoff) = self.functab_entry(i)?;
        let record = self.functab + funcoff as usize;
        let name_off = u32_at(self.blob, record + 4)? as usize;
        Some(Func {
            name: cstr(self.blob, self.funcname + name_off).unwrap_or(""),
            entry: self.text_start.wrapping_add(u64::from(entryoff)),
            record,
        })
    }

    /// The entry and end (link-time addresses) of the function named `name`;
    /// a linear search, for the few functions a reader needs by name.
    pub fn find_by_name(&self, name: &str) -> Option<(u64, u64)> {
        let i = (0..self.nfunc).find(|&i| self.func(i).is_some_and(|f| f.name == name))?;
        let entry = self.func(i)?.entry;
        let end = self
            .text_start
            .wrapping_add(u64::from(self.functab_entry(i + 1)?.0));
        Some((entry, end))
    }

    /// The function whose code holds `pc` (a link-time address).
    pub fn find(&self, pc: u64) -> Option<Func<'a>> {
        let rel = u32::try_from(pc.checked_sub(self.text_start)?).ok()?;
        let (end, _) = self.functab_entry(self.nfunc)?;
        if rel >= end || self.nfunc == 0 {
            return None;
        }
        // Last entry with entryoff <= rel.
        let (mut lo, mut hi) = (0usize, self.nfunc);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.functab_entry(mid)?.0 <= rel {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        self.func(lo)
    }

    /// `pcvalue`: the value of the table at `table` (offset into pctab) for `pc`.
    fn pcvalue(&self, f: &Func<'_>, table: u32, pc: u64) -> Option<i64> {
        if table == 0 {
            return None;
        }
        let mut at = self.pctab + table as usize;
        let mut val: i64 = -1;
        let mut cur = f.entry;
        let mut first = true;
        // A table has at most one entry per instruction; bound the walk.
        for _ in 0..1_000_000 {
            let uv = uvarint(self.blob, &mut at)?;
            if uv == 0 && !first {
                return None;
            }
            first = false;
            let delta = if uv & 1 != 0 {
                !(uv >> 1) as i64
            } else {
                (uv >> 1) as i64
            };
            let pcdelta = uvarint(self.blob, &mut at)?.checked_mul(self.quantum)?;
            cur = cur.checked_add(pcdelta)?;
            val = val.wrapping_add(delta);
            if pc < cur {
                return Some(val);
            }
        }
        None
    }

    fn field(&self, f: &Func<'_>, at: usize) -> Option<u32> {
        u32_at(self.blob, f.record.checked_add(at)?)
    }

    /// File and line at `pc` inside `f` (the innermost inlined code's).
    pub fn file_line(&self, f: &Func<'_>, pc: u64) -> Option<(&'a str, i64)> {
        let file_no = self.pcvalue(f, self.field(f, 20)?, pc)?;
        let line = self.pcvalue(f, self.field(f, 24)?, pc)?;
        let cu = self.field(f, 32)? as usize;
        let idx = cu.checked_add(usize::try_from(file_no).ok()?)?;
        let file_off = u32_at(self.blob, self.cutab.checked_add(idx.checked_mul(4)?)?)? as usize;
        let file = cstr(self.blob, self.filetab.checked_add(file_off)?)?;
        Some((file, line))
    }

    /// `pcdata[i]` and `funcdata[i]` of a function.
    fn pcdata(&self, f: &Func<'_>, i: u32) -> Option<u32> {
        let npcdata = self.field(f, 28)?;
        (i < npcdata).then_some(())?;
        self.field(f, 44 + 4 * i as usize)
    }

    fn funcdata(&self, f: &Func<'_>, i: u32) -> Option<u32> {
        let npcdata = self.field(f, 28)? as usize;
        let nfuncdata = u32::from(*self.blob.get(f.record + 43)?);
        (i < nfuncdata).then_some(())?;
        let off = self.field(f, 44 + 4 * npcdata + 4 * i as usize)?;
        (off != u32::MAX).then_some(off)
    }
}

impl<'a> GoExecutable<'a> {
    /// Reads an ELF Go executable from its bytes.
    pub fn parse(data: &'a [u8]) -> Result<Self, ExeError> {
        let file = object::File::parse(data).map_err(|e| ExeError::NotElf(e.to_string()))?;
        let segments: Vec<FileSegment> = file
            .segments()
            .map(|s| FileSegment {
                addr: s.address(),
                size: s.file_range().1,
                offset: s.file_range().0,
            })
            .collect();
        let go_version = godiag_sniff::go_buildinfo_version(data);
        let mut found = None;
        for name in [".gopclntab", ".data.rel.ro.gopclntab"] {
            if let Some(sec) = file.section_by_name(name) {
                if let Some((off, size)) = sec.file_range() {
                    found = Some((name, off as usize, size as usize, sec.address()));
                    break;
                }
            }
        }
        let (source, off, size, addr) = match found {
            Some((n, o, s, a)) => (n, o, s, a),
            None => {
                let off = scan_for_pclntab(data).ok_or(ExeError::NoPclntab)?;
                let addr = file_offset_to_addr(&segments, off as u64).unwrap_or(0);
                ("scan", off, data.len() - off, addr)
            }
        };
        let blob = data.get(off..off + size).ok_or(ExeError::NoPclntab)?;
        let pclntab = Pclntab::parse(blob)?;
        // PIE: textStart is filled by a relocation and reads 0 in the file;
        // the text section's address is the link-time value.
        let mut exe = GoExecutable {
            go_version,
            pclntab,
            pclntab_source: source,
            gofunc: None,
            moduledata: None,
            data,
            segments,
        };
        if let Some((moduledata, gofunc)) = exe.find_moduledata(&file, addr) {
            exe.moduledata = Some(moduledata);
            exe.gofunc = gofunc;
        }
        // textStart reads 0 in the file when the loader or the runtime fills
        // it in (PIE; Go 1.26+ linked externally, as cgo programs are): take
        // `runtime.text` from the PIE's relocation, moduledata.text, the
        // symbol table, or (internal linking) the start of `.text`.
        if exe.pclntab.text_start == 0 {
            exe.pclntab.text_start = pie_text_start(&file, addr)
                .or_else(|| {
                    let m = exe.moduledata?;
                    exe.read(m + MODULEDATA_TEXT, 8)
                        .and_then(|b| u64_at(b, 0))
                        .filter(|&t| t != 0)
                })
                .or_else(|| {
                    file.symbols()
                        .find(|s| s.name() == Ok("runtime.text"))
                        .map(|s| s.address())
                })
                .or_else(|| file.section_by_name(".text").map(|t| t.address()))
                .unwrap_or(0);
        }
        Ok(exe)
    }

    /// Moduledata (in `.go.module` since Go 1.26), which starts with the
    /// pclntab's address and whose `funcnametab` slice points at pclntab +
    /// funcnameOffset, and its `gofunc`.
    fn find_moduledata(
        &self,
        file: &object::File<'a>,
        pclntab_addr: u64,
    ) -> Option<(u64, Option<u64>)> {
        if pclntab_addr == 0 {
            return None;
        }
        let want_names = pclntab_addr.checked_add(self.pclntab.funcname as u64)?;
        let gofunc_at = gofunc_offset(self.version());
        for name in [".go.module", ".noptrdata", ".data", ".data.rel.ro"] {
            let Some(sec) = file.section_by_name(name) else {
                continue;
            };
            let Ok(bytes) = sec.data() else { continue };
            let mut at = 0;
            while at + gofunc_at + 8 <= bytes.len() {
                if u64_at(bytes, at) == Some(pclntab_addr)
                    && u64_at(bytes, at + 8) == Some(want_names)
                {
                    let gofunc =
                        u64_at(bytes, at + gofunc_at).filter(|&g| self.addr_to_offset(g).is_some());
                    return Some((sec.address() + at as u64, gofunc));
                }
                at += 8;
            }
        }
        None
    }

    fn addr_to_offset(&self, addr: u64) -> Option<usize> {
        self.segments.iter().find_map(
            |&FileSegment {
                 addr: a,
                 size,
                 offset: off,
             }| {
                let end = a.checked_add(size)?;
                (addr >= a && addr < end)
                    .then(|| usize::try_from(off.checked_add(addr - a)?).ok())
                    .flatten()
            },
        )
    }

    /// The frame size (`pcsp`: SP below the entry SP) of `f` at `pc`.
    pub fn frame_size(&self, f: &Func<'_>, pc: u64) -> Option<u64> {
        let t = &self.pclntab;
        let v = t.pcvalue(f, t.field(f, 16)?, pc)?;
        u64::try_from(v).ok()
    }

    /// The link-time address of a file offset (a profile mapping's
    /// `file_offset` plus the address's distance from `memory_start`).
    pub fn address_of_offset(&self, off: u64) -> Option<u64> {
        file_offset_to_addr(&self.segments, off)
    }

    /// Bytes of the file at a link-time address, when the file holds them.
    pub fn read(&self, addr: u64, len: usize) -> Option<&'a [u8]> {
        let start = self.addr_to_offset(addr)?;
        self.data.get(start..start.checked_add(len)?)
    }

    /// The ELF symbol (`.symtab`) holding `addr`: names C functions of cgo
    /// programs, which the pclntab does not cover. `None` when stripped.
    pub fn symbol_at(&self, addr: u64) -> Option<&'a str> {
        use object::ObjectSymbol;
        let file = object::File::parse(self.data).ok()?;
        file.symbols()
            .filter(|s| s.kind() == object::SymbolKind::Text)
            .find(|s| addr >= s.address() && addr < s.address().saturating_add(s.size().max(1)))
            .and_then(|s| s.name().ok())
    }

    /// Whether inlined frames can be told (moduledata was found).
    /// The Go version it was built with, from its build info.
    pub fn version(&self) -> Option<GoVersion> {
        self.go_version.as_deref().and_then(GoVersion::parse)
    }

    pub fn has_inline_info(&self) -> bool {
        self.gofunc.is_some()
    }

    /// The frames at `pc` (a link-time address): inlined callees first, the
    /// physical function last. For a return address, pass `pc - 1`.
    pub fn frames(&self, pc: u64) -> Vec<PcFrame<'a>> {
        let t = &self.pclntab;
        let Some(f) = t.find(pc) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut at_pc = pc;
        if let Some(tree) = self.inline_tree(&f) {
            // Walk up the inline tree: each level's call site is in its parent.
            for _ in 0..64 {
                let Some(ix) = t
                    .pcdata(&f, PCDATA_INL_TREE_INDEX)
                    .and_then(|tab| t.pcvalue(&f, tab, at_pc))
                    .filter(|&ix| ix >= 0)
                else {
                    break;
                };
                let Some(call) = tree.get(ix as usize * 16..ix as usize * 16 + 16) else {
                    break;
                };
                let name_off = u32_at(call, 4).unwrap_or(0) as usize;
                let parent_pc = i32::from_le_bytes(call[8..12].try_into().unwrap_or([0; 4]));
                let (file, line) = t.file_line(&f, at_pc).unwrap_or(("", 0));
                out.push(PcFrame {
                    function: cstr(t.blob, t.funcname + name_off).unwrap_or(""),
                    file,
                    line,
                    inlined: true,
                });
                at_pc = f.entry.wrapping_add(parent_pc as i64 as u64);
            }
        }
        let (file, line) = t.file_line(&f, at_pc).unwrap_or(("", 0));
        out.push(PcFrame {
            function: f.name,
            file,
            line,
            inlined: false,
        });
        out
    }

    /// A function's arguments as the runtime's traceback prints them
    /// (`0xc0000b2000, {0x1, 0x2}, 0x5?`), read at `argp` (the frame's
    /// caller SP: its SP plus the frame size plus the return address) by
    /// `read` (8 bytes at an address). `pc` is the PC looked up (a return
    /// address less one). A value whose spill slot is not live at `pc` is
    /// marked `?`, as the runtime marks it. `None` without argument info.
    pub fn frame_args(
        &self,
        pc: u64,
        argp: u64,
        read: &dyn Fn(u64) -> Option<u64>,
    ) -> Option<String> {
        self.arg_layout(pc)?.format(argp, read)
    }

    /// How the arguments of the function at `pc` are printed, decoded once
    /// (`FUNCDATA_ArgInfo`, and which spill slots are live at `pc`): readers
    /// of many stacks keep it per PC.
    pub fn arg_layout(&self, pc: u64) -> Option<ArgLayout> {
        const END_SEQ: u8 = 0xff;
        const START_AGG: u8 = 0xfe;
        const END_AGG: u8 = 0xfd;
        const DOT_DOT_DOT: u8 = 0xfc;
        const OFFSET_TOO_LARGE: u8 = 0xfb;
        // 10 components, 5 levels of nesting: the compiler's bound.
        const MAX_LEN: usize = (5 * 3 + 2) * 10 + 1;
        let t = &self.pclntab;
        let f = t.find(pc)?;
        let gofunc = self.gofunc?;
        let at = |idx| -> Option<&'a [u8]> {
            let off = t.funcdata(&f, idx)?;
            let start = self.addr_to_offset(gofunc.checked_add(u64::from(off))?)?;
            self.data.get(start..)
        };
        let info = at(FUNCDATA_ARG_INFO)?;
        let live = at(FUNCDATA_ARG_LIVE_INFO);
        let live_idx = t
            .pcdata(&f, PCDATA_ARG_LIVE_INDEX)
            .and_then(|tab| t.pcvalue(&f, tab, pc))
            .unwrap_or(-1);
        // Slots below this offset are always live.
        let start_offset = live.and_then(|l| l.first().copied()).unwrap_or(0xff);
        let is_live = |off: u8, slot: u8| -> bool {
            let Some(l) = live else { return true };
            if live_idx <= 0 || off < start_offset {
                return true;
            }
            let byte = usize::try_from(live_idx)
                .ok()
                .and_then(|i| i.checked_add(usize::from(slot / 8)))
                .and_then(|i| l.get(i));
            byte.is_none_or(|b| b & (1 << (slot % 8)) != 0)
        };
        let mut parts = Vec::new();
        let mut slot = 0u8;
        let mut i = 0;
        while i < info.len().min(MAX_LEN) {
            let op = info[i];
            i += 1;
            match op {
                END_SEQ => return Some(ArgLayout { parts }),
                START_AGG => parts.push(ArgPart::Open),
                END_AGG => parts.push(ArgPart::Close),
                DOT_DOT_DOT => parts.push(ArgPart::Dots),
                OFFSET_TOO_LARGE => parts.push(ArgPart::TooLarge),
                off => {
                    let size = *info.get(i)?;
                    i += 1;
                    parts.push(ArgPart::Word {
                        offset: off,
                        size,
                        live: is_live(off, slot),
                    });
                    if off >= start_offset {
                        slot = slot.wrapping_add(1);
                    }
                }
            }
        }
        Some(ArgLayout { parts })
    }

    /// Where a function keeps its open-coded defers: the offset below its
    /// frame's `varp` of the byte of bits saying which `defer` statements
    /// have run, and of each one's closure (bit `i`'s at `closures[i]`).
    /// The funcdata's layout is the release's ([`OPEN_DEFER_LAYOUT`]).
    pub fn open_coded_defers(&self, pc: u64) -> Option<OpenDefers> {
        let t = &self.pclntab;
        let f = t.find(pc)?;
        let gofunc = self.gofunc?;
        let off = t.funcdata(&f, FUNCDATA_OPEN_CODED_DEFER_INFO)?;
        let start = self.addr_to_offset(gofunc.checked_add(u64::from(off))?)?;
        let data = self.data.get(start..)?;
        let mut at = 0;
        let bits = uvarint(data, &mut at)?;
        let mut closures = [None; 8];
        let layout =
            godiag_model::version::by_minor(OPEN_DEFER_LAYOUT, self.version().map(|v| v.minor))?;
        match layout {
            OpenDeferLayout::Slots => {
                // Slot `i` at `varp - slots + 8*i`.
                let slots = uvarint(data, &mut at)?;
                for (i, c) in closures.iter_mut().enumerate() {
                    *c = slots.checked_sub(8 * i as u64);
                }
            }
            OpenDeferLayout::PerDefer => {
                // Their count, then each closure's offset, the last
                // defer's first; at most 8 (a byte of bits).
                let n = uvarint(data, &mut at)?.min(8) as usize;
                for i in (0..n).rev() {
                    closures[i] = Some(uvarint(data, &mut at)?);
                }
            }
        }
        Some(OpenDefers { bits, closures })
    }

    fn inline_tree(&self, f: &Func<'_>) -> Option<&'a [u8]> {
        let gofunc = self.gofunc?;
        let off = self.pclntab.funcdata(f, FUNCDATA_INL_TREE)?;
        let start = self.addr_to_offset(gofunc.checked_add(u64::from(off))?)?;
        self.data.get(start..)
    }
}

/// How a function's arguments print at one PC (see
/// [`GoExecutable::arg_layout`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgLayout {
    parts: Vec<ArgPart>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ArgPart {
    /// `{`: an aggregate begins.
    Open,
    /// `}`.
    Close,
    /// `...`: more than the runtime prints.
    Dots,
    /// `_`: at an offset too large to encode.
    TooLarge,
    /// A word of `size` bytes at `offset` past argp; not live: printed `?`.
    Word { offset: u8, size: u8, live: bool },
}

impl ArgLayout {
    /// The arguments at `argp`, as the traceback prints them.
    pub fn format(&self, argp: u64, read: &dyn Fn(u64) -> Option<u64>) -> Option<String> {
        let mut out = String::new();
        let mut start = true;
        for part in &self.parts {
            if !start && *part != ArgPart::Close {
                out.push_str(", ");
            }
            match *part {
                ArgPart::Open => {
                    out.push('{');
                    start = true;
                    continue;
                }
                ArgPart::Close => out.push('}'),
                ArgPart::Dots => out.push_str("..."),
                ArgPart::TooLarge => out.push('_'),
                ArgPart::Word { offset, size, live } => {
                    let mut x = read(argp.wrapping_add(u64::from(offset)))?;
                    if size == 0 {
                        x = 0;
                    } else if size < 8 {
                        let shift = 64 - u32::from(size) * 8;
                        x = (x << shift) >> shift;
                    }
                    push_hex(&mut out, x);
                    if !live {
                        out.push('?');
                    }
                }
            }
            start = false;
        }
        Some(out)
    }
}

/// `0x..` without `fmt` (a core's tens of thousands of stacks print many).
fn push_hex(out: &mut String, x: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.push_str("0x");
    let n = (64 - x.leading_zeros()).div_ceil(4).max(1);
    for i in (0..n).rev() {
        out.push(char::from(DIGITS[((x >> (4 * i)) & 0xf) as usize]));
    }
}

/// The addend of the dynamic relocation that fills `pcHeader.textStart`
/// (at pclntab + 24) when a PIE is loaded: `runtime.text`, which in an
/// externally linked (cgo) PIE is not where `.text` starts.
fn pie_text_start(file: &object::File<'_>, pclntab_addr: u64) -> Option<u64> {
    let want = pclntab_addr.checked_add(24)?;
    file.dynamic_relocations()?
        .find(|(at, _)| *at == want)
        .and_then(|(_, r)| u64::try_from(r.addend()).ok())
        .filter(|&a| a != 0)
}

/// A loadable segment of the file: `size` bytes at file `offset`, loaded
/// at `addr` (link time).
#[derive(Clone, Copy, Debug)]
struct FileSegment {
    addr: u64,
    size: u64,
    offset: u64,
}

fn file_offset_to_addr(segments: &[FileSegment], off: u64) -> Option<u64> {
    segments.iter().find_map(
        |&FileSegment {
             addr: a,
             size,
             offset: o,
         }| {
            let end = o.checked_add(size)?;
            (off >= o && off < end)
                .then(|| a.checked_add(off - o))
                .flatten()
        },
    )
}

/// The pclntab header's signature on an 8-byte boundary: magic, two zero
/// bytes, the instruction quantum (1, 2 or 4) and the pointer size 8.
fn scan_for_pclntab(data: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at + HEADER_LEN <= data.len() {
        if u32_at(data, at) == Some(MAGIC_120)
            && data[at + 4] == 0
            && data[at + 5] == 0
            && matches!(data[at + 6], 1 | 2 | 4)
            && data[at + 7] == 8
            && Pclntab::parse(&data[at..]).is_ok()
        {
            return Some(at);
        }
        at += 8;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_tables_are_errors_not_panics() {
        assert!(matches!(Pclntab::parse(&[]), Err(ExeError::NoPclntab)));
        let mut h = vec![0u8; 80];
        h[..4].copy_from_slice(&MAGIC_120.to_le_bytes());
        h[6] = 1;
        h[7] = 8;
        // nfunc = 2^60 cannot fit.
        h[8..16].copy_from_slice(&(1u64 << 60).to_le_bytes());
        assert!(Pclntab::parse(&h).is_err());
        assert!(GoExecutable::parse(b"not an elf").is_err());
    }
}
