//! The event table of the v2 wire format, as data.
//!
//! Wire versions only ever append events, so one table serves every version; a version
//! knows the prefix of it that existed when it was written (`last_known`). Argument
//! names are the ones Go's text format uses, `dt` first for timed events.

/// A wire version (the `go 1.N trace` header). Go 1.24 writes 23, Go 1.27 writes 26.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WireVersion(pub u8);

impl WireVersion {
    pub const GO122: WireVersion = WireVersion(22);
    pub const GO123: WireVersion = WireVersion(23);
    pub const GO125: WireVersion = WireVersion(25);
    pub const GO126: WireVersion = WireVersion(26);

    pub fn from_minor(minor: u32) -> Option<WireVersion> {
        match minor {
            22 | 23 | 25 | 26 => Some(WireVersion(minor as u8)),
            _ => None,
        }
    }

    /// The last ordinary event type this version can contain (experimental
    /// events, 128 and up, are allowed in all of them, as Go's reader does).
    fn last_known(self) -> u8 {
        match self.0 {
            22 => ev::USER_LOG,
            23 => ev::EXPERIMENTAL_BATCH,
            25 => ev::CLOCK_SNAPSHOT,
            _ => ev::END_OF_GENERATION,
        }
    }

    /// Whether the spec of `typ` exists in this version.
    pub fn knows(self, typ: u8) -> bool {
        typ >= 128 || typ <= self.last_known()
    }

    /// 1.25 replaced the lone frequency batch by a sync batch with a clock snapshot.
    pub fn has_sync_batch(self) -> bool {
        self.0 >= 25
    }

    /// 1.26 ends each generation with an in-band byte instead of the next one's first batch.
    pub fn has_end_of_generation(self) -> bool {
        self.0 >= 26
    }

    /// The Go releases that write this version.
    pub fn writers(self) -> &'static str {
        match self.0 {
            22 => "Go 1.22",
            23 => "Go 1.23–1.24",
            25 => "Go 1.25",
            _ => "Go 1.26–1.27",
        }
    }
}

/// Event type numbers (`tracev2/events.go`).
pub mod ev {
    pub const EVENT_BATCH: u8 = 1;
    pub const STACKS: u8 = 2;
    pub const STACK: u8 = 3;
    pub const STRINGS: u8 = 4;
    pub const STRING: u8 = 5;
    pub const CPU_SAMPLES: u8 = 6;
    pub const CPU_SAMPLE: u8 = 7;
    pub const FREQUENCY: u8 = 8;
    pub const PROCS_CHANGE: u8 = 9;
    pub const PROC_START: u8 = 10;
    pub const PROC_STOP: u8 = 11;
    pub const PROC_STEAL: u8 = 12;
    pub const PROC_STATUS: u8 = 13;
    pub const GO_CREATE: u8 = 14;
    pub const GO_CREATE_SYSCALL: u8 = 15;
    pub const GO_START: u8 = 16;
    pub const GO_DESTROY: u8 = 17;
    pub const GO_DESTROY_SYSCALL: u8 = 18;
    pub const GO_STOP: u8 = 19;
    pub const GO_BLOCK: u8 = 20;
    pub const GO_UNBLOCK: u8 = 21;
    pub const GO_SYSCALL_BEGIN: u8 = 22;
    pub const GO_SYSCALL_END: u8 = 23;
    pub const GO_SYSCALL_END_BLOCKED: u8 = 24;
    pub const GO_STATUS: u8 = 25;
    pub const STW_BEGIN: u8 = 26;
    pub const STW_END: u8 = 27;
    pub const GC_ACTIVE: u8 = 28;
    pub const GC_BEGIN: u8 = 29;
    pub const GC_END: u8 = 30;
    pub const GC_SWEEP_ACTIVE: u8 = 31;
    pub const GC_SWEEP_BEGIN: u8 = 32;
    pub const GC_SWEEP_END: u8 = 33;
    pub const GC_MARK_ASSIST_ACTIVE: u8 = 34;
    pub const GC_MARK_ASSIST_BEGIN: u8 = 35;
    pub const GC_MARK_ASSIST_END: u8 = 36;
    pub const HEAP_ALLOC: u8 = 37;
    pub const HEAP_GOAL: u8 = 38;
    pub const GO_LABEL: u8 = 39;
    pub const USER_TASK_BEGIN: u8 = 40;
    pub const USER_TASK_END: u8 = 41;
    pub const USER_REGION_BEGIN: u8 = 42;
    pub const USER_REGION_END: u8 = 43;
    pub const USER_LOG: u8 = 44;
    pub const GO_SWITCH: u8 = 45;
    pub const GO_SWITCH_DESTROY: u8 = 46;
    pub const GO_CREATE_BLOCKED: u8 = 47;
    pub const GO_STATUS_STACK: u8 = 48;
    pub const EXPERIMENTAL_BATCH: u8 = 49;
    pub const SYNC: u8 = 50;
    pub const CLOCK_SNAPSHOT: u8 = 51;
    pub const END_OF_GENERATION: u8 = 52;
    /// Not a wire type: the synthetic Sync event the reader puts before each generation.
    pub const READER_SYNC: u8 = 255;
}

/// One row of the table.
#[derive(Debug)]
pub struct Spec {
    pub name: &'static str,
    /// Argument names in wire order; `dt` first for timed events.
    pub args: &'static [&'static str],
    pub timed: bool,
    /// Indices into `args` (0 = dt) of stack IDs; the first is the event's own stack.
    pub stack_args: &'static [u8],
    /// Indices into `args` of string IDs.
    pub string_args: &'static [u8],
    pub has_data: bool,
    pub is_stack: bool,
    /// For the end of a range, the event that begins it (an `*Active` maps to it too).
    pub start: Option<u8>,
}

const fn s(name: &'static str, args: &'static [&'static str]) -> Spec {
    Spec {
        name,
        args,
        timed: false,
        stack_args: &[],
        string_args: &[],
        has_data: false,
        is_stack: false,
        start: None,
    }
}

const fn t(name: &'static str, args: &'static [&'static str]) -> Spec {
    Spec {
        timed: true,
        ..s(name, args)
    }
}

const fn stk(mut sp: Spec, idx: &'static [u8]) -> Spec {
    sp.stack_args = idx;
    sp
}

const fn strs(mut sp: Spec, idx: &'static [u8]) -> Spec {
    sp.string_args = idx;
    sp
}

const fn starts(mut sp: Spec, start: u8) -> Spec {
    sp.start = Some(start);
    sp
}

static TABLE: [Option<Spec>; 53] = [
    None,
    Some(s("EventBatch", &["gen", "m", "time", "size"])),
    Some(s("Stacks", &[])),
    Some(Spec {
        is_stack: true,
        ..s("Stack", &["id", "nframes"])
    }),
    Some(s("Strings", &[])),
    Some(Spec {
        has_data: true,
        ..s("String", &["id"])
    }),
    Some(s("CPUSamples", &[])),
    Some(stk(s("CPUSample", &["time", "m", "p", "g", "stack"]), &[4])),
    Some(s("Frequency", &["freq"])),
    Some(stk(t("ProcsChange", &["dt", "procs_value", "stack"]), &[2])),
    Some(t("ProcStart", &["dt", "p", "p_seq"])),
    Some(t("ProcStop", &["dt"])),
    Some(t("ProcSteal", &["dt", "p", "p_seq", "m"])),
    Some(t("ProcStatus", &["dt", "p", "pstatus"])),
    Some(stk(
        t("GoCreate", &["dt", "new_g", "new_stack", "stack"]),
        &[3, 2],
    )),
    Some(t("GoCreateSyscall", &["dt", "new_g"])),
    Some(t("GoStart", &["dt", "g", "g_seq"])),
    Some(t("GoDestroy", &["dt"])),
    Some(t("GoDestroySyscall", &["dt"])),
    Some(strs(
        stk(t("GoStop", &["dt", "reason_string", "stack"]), &[2]),
        &[1],
    )),
    Some(strs(
        stk(t("GoBlock", &["dt", "reason_string", "stack"]), &[2]),
        &[1],
    )),
    Some(stk(t("GoUnblock", &["dt", "g", "g_seq", "stack"]), &[3])),
    Some(stk(t("GoSyscallBegin", &["dt", "p_seq", "stack"]), &[2])),
    Some(starts(t("GoSyscallEnd", &["dt"]), ev::GO_SYSCALL_BEGIN)),
    Some(starts(
        t("GoSyscallEndBlocked", &["dt"]),
        ev::GO_SYSCALL_BEGIN,
    )),
    Some(t("GoStatus", &["dt", "g", "m", "gstatus"])),
    Some(strs(
        stk(t("STWBegin", &["dt", "kind_string", "stack"]), &[2]),
        &[1],
    )),
    Some(starts(t("STWEnd", &["dt"]), ev::STW_BEGIN)),
    Some(starts(t("GCActive", &["dt", "gc_seq"]), ev::GC_BEGIN)),
    Some(stk(t("GCBegin", &["dt", "gc_seq", "stack"]), &[2])),
    Some(starts(t("GCEnd", &["dt", "gc_seq"]), ev::GC_BEGIN)),
    Some(starts(t("GCSweepActive", &["dt", "p"]), ev::GC_SWEEP_BEGIN)),
    Some(stk(t("GCSweepBegin", &["dt", "stack"]), &[1])),
    Some(starts(
        t("GCSweepEnd", &["dt", "swept_value", "reclaimed_value"]),
        ev::GC_SWEEP_BEGIN,
    )),
    Some(starts(
        t("GCMarkAssistActive", &["dt", "g"]),
        ev::GC_MARK_ASSIST_BEGIN,
    )),
    Some(stk(t("GCMarkAssistBegin", &["dt", "stack"]), &[1])),
    Some(starts(
        t("GCMarkAssistEnd", &["dt"]),
        ev::GC_MARK_ASSIST_BEGIN,
    )),
    Some(t("HeapAlloc", &["dt", "heapalloc_value"])),
    Some(t("HeapGoal", &["dt", "heapgoal_value"])),
    Some(strs(t("GoLabel", &["dt", "label_string"]), &[1])),
    Some(strs(
        stk(
            t(
                "UserTaskBegin",
                &["dt", "task", "parent_task", "name_string", "stack"],
            ),
            &[4],
        ),
        &[3],
    )),
    Some(stk(t("UserTaskEnd", &["dt", "task", "stack"]), &[2])),
    Some(strs(
        stk(
            t("UserRegionBegin", &["dt", "task", "name_string", "stack"]),
            &[3],
        ),
        &[2],
    )),
    Some(starts(
        strs(
            stk(
                t("UserRegionEnd", &["dt", "task", "name_string", "stack"]),
                &[3],
            ),
            &[2],
        ),
        ev::USER_REGION_BEGIN,
    )),
    Some(strs(
        stk(
            t(
                "UserLog",
                &["dt", "task", "key_string", "value_string", "stack"],
            ),
            &[4],
        ),
        &[2, 3],
    )),
    Some(t("GoSwitch", &["dt", "g", "g_seq"])),
    Some(t("GoSwitchDestroy", &["dt", "g", "g_seq"])),
    Some(stk(
        t("GoCreateBlocked", &["dt", "new_g", "new_stack", "stack"]),
        &[3, 2],
    )),
    Some(stk(
        t("GoStatusStack", &["dt", "g", "m", "gstatus", "stack"]),
        &[4],
    )),
    Some(Spec {
        has_data: true,
        ..s("ExperimentalBatch", &["exp", "gen", "m", "time"])
    }),
    Some(s("Sync", &[])),
    Some(t("ClockSnapshot", &["dt", "mono", "sec", "nsec"])),
    Some(s("EndOfGeneration", &[])),
];

/// The AllocFree experiment's events (`GODEBUG=traceallocfree=1`), types 128–136.
static EXPERIMENTAL: [Spec; 9] = [
    t("Span", &["dt", "id", "npages_value", "kindclass"]),
    t("SpanAlloc", &["dt", "id", "npages_value", "kindclass"]),
    t("SpanFree", &["dt", "id"]),
    t("HeapObject", &["dt", "id", "type"]),
    t("HeapObjectAlloc", &["dt", "id", "type"]),
    t("HeapObjectFree", &["dt", "id"]),
    t("GoroutineStack", &["dt", "id", "order"]),
    t("GoroutineStackAlloc", &["dt", "id", "order"]),
    t("GoroutineStackFree", &["dt", "id"]),
];

/// The spec of an event type, if it has one.
pub fn spec(typ: u8) -> Option<&'static Spec> {
    if typ >= 128 {
        return EXPERIMENTAL.get(usize::from(typ - 128));
    }
    TABLE.get(usize::from(typ)).and_then(|s| s.as_ref())
}

/// The event type with this name (for the text format).
pub fn by_name(name: &str) -> Option<u8> {
    (0..=255u8).find(|&t| spec(t).is_some_and(|s| s.name == name))
}

/// Experiment names by number.
pub fn experiment_name(exp: u8) -> &'static str {
    match exp {
        0 => "None",
        1 => "AllocFree",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_type() {
        assert_eq!(spec(ev::GO_BLOCK).map(|s| s.name), Some("GoBlock"));
        assert_eq!(
            spec(ev::END_OF_GENERATION).map(|s| s.name),
            Some("EndOfGeneration")
        );
        assert_eq!(spec(130).map(|s| s.name), Some("SpanFree"));
        assert_eq!(by_name("UserLog"), Some(ev::USER_LOG));
        for typ in 0..=255u8 {
            if let Some(sp) = spec(typ) {
                for &i in sp.stack_args.iter().chain(sp.string_args) {
                    assert!(usize::from(i) < sp.args.len(), "{}", sp.name);
                }
                // Timed events carry at most 4 arguments after dt.
                if sp.timed {
                    assert!(sp.args.len() <= 5, "{}", sp.name);
                }
            }
        }
        assert!(!WireVersion::GO122.knows(ev::GO_SWITCH));
        assert!(WireVersion::GO123.knows(ev::GO_STATUS_STACK));
        assert!(!WireVersion::GO125.knows(ev::END_OF_GENERATION));
    }
}
