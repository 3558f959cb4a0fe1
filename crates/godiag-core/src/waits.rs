//! What blocked goroutines wait on: the channels of their `g.waiting` sudog
//! list, and the semaphores of the runtime's `semtable`, whose treaps hold a
//! sudog per waiter. N goroutines on one channel or one mutex then read as
//! one fact.

use std::collections::{HashMap, HashSet};

use godiag_exe::GoExecutable;
use godiag_model::WaitObject;
use object::{Object, ObjectSection, ObjectSymbol};

use crate::image::Image;
use crate::layout::{Layout, MODULEDATA_TYPES, TYPE_STR, TYPE_TFLAG};

/// `semTabSize` roots, each padded to a 64-byte cache line; the treap
/// pointer follows the root's lock word.
const SEMTAB_SIZE: u64 = 251;
const SEMTAB_STRIDE: u64 = 64;
const SEMA_TREAP: u64 = 8;
/// The most cases followed in one select, and waiters on one semaphore.
const MAX_CHAIN: usize = 1 << 16;

/// Reads type names and wait objects from a core with its executable.
pub(crate) struct WaitReader<'c, 'e> {
    core: &'c Image<'c>,
    exe: &'c GoExecutable<'e>,
    layout: Layout,
    bias: u64,
    /// `moduledata.types` at link time.
    types: Option<u64>,
    /// Semaphore address of every goroutine waiting on one.
    sema: HashMap<u64, u64>,
}

impl<'c, 'e> WaitReader<'c, 'e> {
    pub(crate) fn new(
        core: &'c Image<'c>,
        exe: &'c GoExecutable<'e>,
        file: &object::File<'_>,
        layout: Layout,
        bias: u64,
        goroutines: &HashSet<u64>,
    ) -> Self {
        // Read moduledata from the core: in a PIE its pointers are only
        // filled in at load time.
        let types = exe.moduledata.and_then(|m| {
            let at = m.wrapping_add(bias).wrapping_add(MODULEDATA_TYPES);
            core.read_u64(at)
                .filter(|&t| t != 0)
                .map(|t| t.wrapping_sub(bias))
                .or_else(|| {
                    exe.read(m.wrapping_add(MODULEDATA_TYPES), 8)
                        .and_then(|b| crate::core_file::u64_at(b, 0))
                })
        });
        let mut r = WaitReader {
            core,
            exe,
            layout,
            bias,
            types,
            sema: HashMap::new(),
        };
        if let Some(table) = r.find_semtable(file, goroutines) {
            r.sema = r.semaphore_waiters(table, goroutines);
        }
        r
    }

    /// What the goroutine at `gp`, waiting with `reason`, is blocked on.
    pub(crate) fn waits_on(&self, gp: u64, reason: &str) -> Vec<WaitObject> {
        if reason.starts_with("chan ") || reason.starts_with("select") {
            return self.channels(gp);
        }
        let Some(&sema) = self.sema.get(&gp) else {
            return Vec::new();
        };
        // Semaphores live inside the sync types: Mutex{state, sema},
        // RWMutex{w Mutex, writerSem, readerSem}, WaitGroup{noCopy, state u64, sema}.
        let (what, addr) = match reason {
            "sync.Mutex.Lock" => ("sync.Mutex", sema.wrapping_sub(4)),
            "sync.RWMutex.Lock" => ("sync.RWMutex", sema.wrapping_sub(8)),
            "sync.RWMutex.RLock" => ("sync.RWMutex", sema.wrapping_sub(12)),
            r if r.starts_with("sync.WaitGroup.Wait") => ("sync.WaitGroup", sema.wrapping_sub(8)),
            _ => ("semaphore", sema),
        };
        vec![WaitObject {
            addr,
            what: what.to_string(),
            state: String::new(),
        }]
    }

    /// The channels of the goroutine's sudog list (one per select case).
    fn channels(&self, gp: u64) -> Vec<WaitObject> {
        let (core, s) = (self.core, self.layout.sudog);
        let mut out: Vec<WaitObject> = Vec::new();
        let mut sg = core
            .read_u64(gp.wrapping_add(self.layout.g.waiting))
            .unwrap_or(0);
        let mut seen = HashSet::new();
        while sg != 0 && seen.insert(sg) && seen.len() <= MAX_CHAIN {
            let c = core.read_u64(sg.wrapping_add(s.c)).unwrap_or(0);
            if c != 0 && !out.iter().any(|o| o.addr == c) {
                if let Some(o) = self.channel(c) {
                    out.push(o);
                }
            }
            sg = core.read_u64(sg.wrapping_add(s.waitlink)).unwrap_or(0);
        }
        out.sort_by_key(|o| o.addr);
        out
    }

    fn channel(&self, c: u64) -> Option<WaitObject> {
        let h = self.layout.hchan;
        let core = self.core;
        let qcount = core.read_u64(c.wrapping_add(h.qcount))?;
        let size = core.read_u64(c.wrapping_add(h.dataqsiz))?;
        let closed = core.read_u32(c.wrapping_add(h.closed))? != 0;
        let elem = core
            .read_u64(c.wrapping_add(h.elemtype))
            .and_then(|t| self.type_name(t))
            .unwrap_or_else(|| "?".into());
        let mut state = if size == 0 {
            "unbuffered".to_string()
        } else {
            format!("buffered {qcount}/{size}")
        };
        if closed {
            state.push_str(", closed");
        }
        Some(WaitObject {
            addr: c,
            what: format!("chan {elem}"),
            state,
        })
    }

    /// The name of the `abi.Type` at runtime address `t`: `moduledata.types`
    /// plus its `Str` offset leads to `flags, uvarint length, bytes`.
    pub(crate) fn type_name(&self, t: u64) -> Option<String> {
        let link = t.wrapping_sub(self.bias);
        let field = |at: u64, len: usize| {
            self.exe
                .read(link.wrapping_add(at), len)
                .map(std::borrow::Cow::Borrowed)
                .or_else(|| self.core.read(t.wrapping_add(at), len))
        };
        let str_off = i32::from_le_bytes(field(TYPE_STR, 4)?.as_ref().try_into().ok()?);
        let tflag = field(TYPE_TFLAG, 1)?[0];
        let at = self.types?.checked_add_signed(i64::from(str_off))?;
        let head = self.exe.read(at, 11)?;
        let (mut len, mut shift, mut i) = (0usize, 0, 1);
        loop {
            let b = *head.get(i)?;
            len |= usize::from(b & 0x7f) << shift;
            i += 1;
            if b & 0x80 == 0 || shift > 21 {
                break;
            }
            shift += 7;
        }
        let bytes = self.exe.read(at.wrapping_add(i as u64), len.min(4096))?;
        let name = std::str::from_utf8(bytes).ok()?;
        // TFlagExtraStar: the name is stored with a '*' the type does not have.
        Some(if tflag & 2 != 0 {
            name.strip_prefix('*').unwrap_or(name).to_string()
        } else {
            name.to_string()
        })
    }

    /// `runtime.semtable` from the symbol table, or from the instructions of
    /// `runtime.semacquire1`/`semrelease1` that address it (stripped
    /// executables): the candidate whose treaps all hold goroutines' sudogs.
    fn find_semtable(&self, file: &object::File<'_>, goroutines: &HashSet<u64>) -> Option<u64> {
        if let Some(sym) = file.symbols().find(|s| s.name() == Ok("runtime.semtable")) {
            return Some(sym.address().wrapping_add(self.bias));
        }
        let bss: Vec<(u64, u64)> = [".bss", ".noptrbss"]
            .iter()
            .filter_map(|n| file.section_by_name(n))
            .map(|s| (s.address(), s.address() + s.size()))
            .collect();
        let mut candidates = Vec::new();
        for name in ["runtime.semacquire1", "runtime.semrelease1"] {
            for target in rip_relative_targets(self.exe, name) {
                let fits = bss.iter().any(|&(a, e)| {
                    target >= a && target.saturating_add(SEMTAB_SIZE * SEMTAB_STRIDE) <= e
                });
                if fits && !candidates.contains(&target) {
                    candidates.push(target);
                }
            }
        }
        let valid = |table: u64| {
            (0..SEMTAB_SIZE).all(|i| {
                match self
                    .core
                    .read_u64(table.wrapping_add(i * SEMTAB_STRIDE + SEMA_TREAP))
                {
                    Some(0) => true,
                    Some(t) => self
                        .core
                        .read_u64(t.wrapping_add(self.layout.sudog.g))
                        .is_some_and(|g| goroutines.contains(&g)),
                    None => false,
                }
            })
        };
        candidates
            .into_iter()
            .map(|t| t.wrapping_add(self.bias))
            .find(|&t| valid(t))
    }

    /// Every goroutine in the semaphore treaps, with the semaphore's address.
    fn semaphore_waiters(&self, table: u64, goroutines: &HashSet<u64>) -> HashMap<u64, u64> {
        let (core, s) = (self.core, self.layout.sudog);
        let mut out = HashMap::new();
        let mut seen = HashSet::new();
        let budget = goroutines.len() * 2 + 1024;
        for i in 0..SEMTAB_SIZE {
            let mut stack: Vec<u64> = core
                .read_u64(table.wrapping_add(i * SEMTAB_STRIDE + SEMA_TREAP))
                .filter(|&t| t != 0)
                .into_iter()
                .collect();
            while let Some(node) = stack.pop() {
                if !seen.insert(node) || seen.len() > budget {
                    continue;
                }
                // 1.26 made `elem` a pair of words, one of which holds the pointer.
                let addr = core
                    .read_u64(node.wrapping_add(s.elem))
                    .filter(|&a| a != 0)
                    .or_else(|| core.read_u64(node.wrapping_add(s.elem + 8)))
                    .unwrap_or(0);
                let mut w = node;
                let mut n = 0;
                while w != 0 && n < MAX_CHAIN {
                    if let Some(g) = core
                        .read_u64(w.wrapping_add(s.g))
                        .filter(|g| goroutines.contains(g))
                    {
                        out.insert(g, addr);
                    }
                    w = core.read_u64(w.wrapping_add(s.waitlink)).unwrap_or(0);
                    n += 1;
                }
                for child in [s.prev, s.next] {
                    if let Some(c) = core.read_u64(node.wrapping_add(child)).filter(|&c| c != 0) {
                        stack.push(c);
                    }
                }
            }
        }
        out
    }
}

/// The addresses a function's RIP-relative operands point at (link time).
fn rip_relative_targets(exe: &GoExecutable<'_>, name: &str) -> Vec<u64> {
    use iced_x86::{Decoder, DecoderOptions};
    let Some((entry, end)) = exe.pclntab.find_by_name(name) else {
        return Vec::new();
    };
    let len = usize::try_from(end.saturating_sub(entry))
        .unwrap_or(0)
        .min(1 << 16);
    let Some(code) = exe.read(entry, len) else {
        return Vec::new();
    };
    let mut decoder = Decoder::with_ip(64, code, entry, DecoderOptions::NONE);
    let mut out = Vec::new();
    while decoder.can_decode() {
        let insn = decoder.decode();
        if insn.is_ip_rel_memory_operand() {
            out.push(insn.ip_rel_memory_address());
        }
    }
    out
}

/// Whether the function at `entry` (link time) releases a `sync.Mutex` or
/// `sync.RWMutex` it was given: it is one of their unlock methods, or a
/// closure (the wrapper of a `defer mu.Unlock()`) that calls one.
pub(crate) fn calls_unlock(exe: &GoExecutable<'_>, entry: u64) -> bool {
    use iced_x86::{Decoder, DecoderOptions, Mnemonic, OpKind};
    let is_unlock = |name: &str| {
        let name = name.strip_prefix("internal/").unwrap_or(name);
        let name = name.strip_suffix("-fm").unwrap_or(name);
        matches!(
            name,
            "sync.(*Mutex).Unlock"
                | "sync.(*Mutex).unlockSlow"
                | "sync.(*RWMutex).Unlock"
                | "sync.(*RWMutex).RUnlock"
                | "sync.(*RWMutex).rUnlockSlow"
        )
    };
    let t = &exe.pclntab;
    let Some(f) = t.find(entry).filter(|f| f.entry == entry) else {
        return false;
    };
    if is_unlock(f.name) {
        return true;
    }
    // A wrapper is short: its code up to where the next function starts.
    let Some(code) = exe.read(entry, 512) else {
        return false;
    };
    let mut decoder = Decoder::with_ip(64, code, entry, DecoderOptions::NONE);
    while decoder.can_decode() {
        let insn = decoder.decode();
        if t.find(insn.ip()).is_none_or(|g| g.entry != entry) {
            break;
        }
        if insn.mnemonic() == Mnemonic::Call && insn.op0_kind() == OpKind::NearBranch64 {
            let target = insn.near_branch_target();
            if t.find(target)
                .is_some_and(|g| g.entry == target && is_unlock(g.name))
            {
                return true;
            }
        }
    }
    false
}
