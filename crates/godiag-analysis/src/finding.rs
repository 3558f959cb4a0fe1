//! The finding vocabulary of `shared/DESIGN.md`: stable kind names, confidence,
//! evidence per source and the verification matrix.

use std::collections::BTreeMap;

use godiag_model::{Frame, Source};
use serde::{Deserialize, Serialize};

/// The stable finding kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    NilDereference,
    BadAddress,
    UnsafePointerMisuse,
    ConcurrentMapAccess,
    DataRace,
    Deadlock,
    GoroutineLeak,
    HeapLeak,
    OutOfMemory,
    StackOverflow,
    SyncMisuse,
    RuntimeError,
    UserPanic,
    RuntimeInternalError,
    CgoCrash,
    SchedulerStarvation,
    GcPressure,
    LockContention,
    BlockingIo,
    CpuHotspot,
    CompilerInternalError,
    UnknownFailure,
}

impl FindingKind {
    pub const ALL: [FindingKind; 22] = [
        FindingKind::NilDereference,
        FindingKind::BadAddress,
        FindingKind::UnsafePointerMisuse,
        FindingKind::ConcurrentMapAccess,
        FindingKind::DataRace,
        FindingKind::Deadlock,
        FindingKind::GoroutineLeak,
        FindingKind::HeapLeak,
        FindingKind::OutOfMemory,
        FindingKind::StackOverflow,
        FindingKind::SyncMisuse,
        FindingKind::RuntimeError,
        FindingKind::UserPanic,
        FindingKind::RuntimeInternalError,
        FindingKind::CgoCrash,
        FindingKind::SchedulerStarvation,
        FindingKind::GcPressure,
        FindingKind::LockContention,
        FindingKind::BlockingIo,
        FindingKind::CpuHotspot,
        FindingKind::CompilerInternalError,
        FindingKind::UnknownFailure,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FindingKind::NilDereference => "nil-dereference",
            FindingKind::BadAddress => "bad-address",
            FindingKind::UnsafePointerMisuse => "unsafe-pointer-misuse",
            FindingKind::ConcurrentMapAccess => "concurrent-map-access",
            FindingKind::DataRace => "data-race",
            FindingKind::Deadlock => "deadlock",
            FindingKind::GoroutineLeak => "goroutine-leak",
            FindingKind::HeapLeak => "heap-leak",
            FindingKind::OutOfMemory => "out-of-memory",
            FindingKind::StackOverflow => "stack-overflow",
            FindingKind::SyncMisuse => "sync-misuse",
            FindingKind::RuntimeError => "runtime-error",
            FindingKind::UserPanic => "user-panic",
            FindingKind::RuntimeInternalError => "runtime-internal-error",
            FindingKind::CgoCrash => "cgo-crash",
            FindingKind::SchedulerStarvation => "scheduler-starvation",
            FindingKind::GcPressure => "gc-pressure",
            FindingKind::LockContention => "lock-contention",
            FindingKind::BlockingIo => "blocking-io",
            FindingKind::CpuHotspot => "cpu-hotspot",
            FindingKind::CompilerInternalError => "compiler-internal-error",
            FindingKind::UnknownFailure => "unknown-failure",
        }
    }

    /// Tie-break between findings of equal confidence: a process-killing
    /// failure outranks a condition observed alongside it.
    /// Whether the program failed (crashed, deadlocked) rather than ran badly.
    pub(crate) fn is_failure(self) -> bool {
        self.priority() == 2
    }

    /// A stall another finding can explain: the program stopped making
    /// progress because of it.
    pub(crate) fn explains_a_stall(self) -> bool {
        matches!(
            self,
            FindingKind::Deadlock
                | FindingKind::GoroutineLeak
                | FindingKind::LockContention
                | FindingKind::SchedulerStarvation
                | FindingKind::GcPressure
                | FindingKind::BlockingIo
        )
    }

    pub(crate) fn priority(self) -> u8 {
        match self {
            FindingKind::UnknownFailure => 0,
            FindingKind::GoroutineLeak
            | FindingKind::HeapLeak
            | FindingKind::SchedulerStarvation
            | FindingKind::GcPressure
            | FindingKind::LockContention
            | FindingKind::BlockingIo
            | FindingKind::CpuHotspot => 1,
            _ => 2,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// A source's stance on a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Confirms,
    Contradicts,
    Silent,
}

/// The code a person would change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub function: String,
    pub file: String,
    pub line: u32,
}

impl Location {
    /// `file:line`, or a note that the input did not give them (a frame
    /// whose file line was cut or dropped from a paste).
    pub fn place(&self) -> String {
        if self.file.is_empty() {
            "(file and line not in the input)".into()
        } else if self.line == 0 && self.file != "?" {
            // A paste cut inside the frame's file column.
            format!("{} (line not in the input)", self.file)
        } else {
            format!("{}:{}", self.file, self.line)
        }
    }
}

impl From<&Frame<'_>> for Location {
    fn from(f: &Frame<'_>) -> Self {
        Location {
            function: f.function.to_string(),
            file: f.file.to_string(),
            line: f.line,
        }
    }
}

/// What one source says, with the lines that prove it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub source: Source,
    pub summary: String,
    /// The input (index into the report's `inputs`) it was read from.
    pub input: usize,
    /// Byte offset in that input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Verbatim lines (messages, frames) that show it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    /// How many goroutines this evidence counts at the finding's site (leaks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goroutines: Option<u64>,
}

/// Something a finding could not tell, which another source may.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// The other goroutine of a concurrent access (a concurrent map write
    /// seen in a trace or crash alone): the race detector would name it.
    OtherAccessor,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub title: String,
    pub confidence: Confidence,
    pub location: Option<Location>,
    pub evidence: Vec<Evidence>,
    pub verification: BTreeMap<&'static str, Verdict>,
    pub next_steps: Vec<String>,
    /// Raised while an earlier failure was unwinding; ranks below it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secondary: bool,
    /// A consequence of another finding (a watchdog's panic over a stall
    /// that another finding explains); ranks below it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub consequence: bool,
    /// The goroutine the failure happened on, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goroutine: Option<u64>,
    /// What the finding could not name (rules and merging act on these,
    /// never on a title's words).
    #[serde(skip)]
    pub gaps: Vec<Gap>,
    /// Other goroutines the finding is about (a deadlock's cycle and the
    /// goroutines blocked behind it): a core report shows their frames in
    /// full.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub goroutines: Vec<u64>,
}

impl Finding {
    pub fn new(kind: FindingKind, title: impl Into<String>, confidence: Confidence) -> Self {
        Finding {
            kind,
            title: title.into(),
            confidence,
            location: None,
            evidence: Vec::new(),
            verification: BTreeMap::new(),
            next_steps: Vec::new(),
            secondary: false,
            consequence: false,
            goroutine: None,
            goroutines: Vec::new(),
            gaps: Vec::new(),
        }
    }

    /// Records evidence and the source's verdict (a confirmation wins over silence).
    pub fn confirm(&mut self, e: Evidence) {
        self.verification.insert(e.source.name(), Verdict::Confirms);
        self.evidence.push(e);
    }

    /// Records evidence against the finding: its source contradicts it, and
    /// the title says by what (`by`: "a later dump"), once.
    pub fn contradict(&mut self, e: Evidence, by: &str) {
        self.verification
            .insert(e.source.name(), Verdict::Contradicts);
        self.evidence.push(e);
        if !self.title.contains(" — contradicted by ") {
            self.title = format!("{} — contradicted by {by}", self.title);
        }
    }
}
