//! Next steps of a finding, from the catalog: how to confirm, then how to
//! fix.

use crate::catalog;
use crate::finding::FindingKind;

/// Next steps from the catalog: how to confirm, then how to fix; the entry
/// of the printed message when there is one, else the kind's.
pub(crate) fn next_steps(kind: FindingKind) -> Vec<String> {
    steps_for(kind, None)
}

pub(crate) fn steps_for(kind: FindingKind, message: Option<&str>) -> Vec<String> {
    let entry = message
        .and_then(|m| catalog::classify(m.lines().next().unwrap_or("")))
        .filter(|m| m.kind == kind);
    let (confirm, fix) = match (entry, catalog::kind_entry(kind)) {
        (Some(m), _) => (&m.confirm, &m.fix),
        (None, Some(k)) => (&k.confirm, &k.fix),
        (None, None) => return Vec::new(),
    };
    confirm
        .iter()
        .take(2)
        .chain(fix.iter().take(2))
        .cloned()
        .collect()
}

/// A step asking for a dump taken later than the one read: done once a
/// rule compared two dumps of the process (growth, or a hang that went on).
pub(crate) fn asks_for_a_later_dump(step: &str) -> bool {
    step.contains("second dump") || step.starts_with("Take two goroutine dumps")
}

/// The kind's next steps for a finding drawn from two dumps compared.
pub(crate) fn steps_after_comparing_dumps(kind: FindingKind) -> Vec<String> {
    let mut steps = next_steps(kind);
    steps.retain(|s| !asks_for_a_later_dump(s));
    steps
}

/// What the inputs already hold, so that no next step asks for it again.
#[derive(Debug, Clone, Copy, Default)]
pub struct GivenEvidence {
    /// A core dump, or a live process read like one.
    pub core: bool,
    /// Every goroutine's stack: a dump, a core, or crash output with more
    /// than the failing goroutine.
    pub all_goroutines: bool,
    /// `GODEBUG=gctrace=1` lines.
    pub gctrace: bool,
    /// Goroutine dumps or goroutine profiles: snapshots a leak's growth is
    /// measured between.
    pub goroutine_snapshots: usize,
    pub trace: bool,
    pub cpu_profile: bool,
    /// Heap profiles (an allocs profile is the same snapshot read by
    /// another sample type).
    pub heap_profiles: usize,
    /// A mutex or block profile.
    pub contention_profile: bool,
}

/// Whether the inputs hold what a step asks for.
type GivenBy = fn(&GivenEvidence) -> bool;

/// Evidence a catalog step asks the user to gather, by the words that ask
/// for it. A step naming several (a `GOTRACEBACK=all` dump, or a core)
/// is done when any of them is given.
const GATHERING: &[(&str, GivenBy)] = &[
    ("ulimit -c unlimited", |g| g.core),
    ("a core (`godiag analyze` with the executable)", |g| g.core),
    ("`GOTRACEBACK=all`", |g| g.all_goroutines || g.core),
    ("Take a goroutine dump (", |g| g.all_goroutines || g.core),
    ("Capture an execution trace", |g| g.trace),
    ("CPU profile (", |g| g.cpu_profile),
    ("Take a CPU profile", |g| g.cpu_profile),
    ("Take two heap profiles", |g| g.heap_profiles >= 2),
    ("Take heap profiles before the crash", |g| {
        g.heap_profiles >= 1
    }),
    ("Take an allocation profile", |g| g.heap_profiles >= 1),
    ("Enable the mutex profile", |g| g.contention_profile),
    ("Run with `GODEBUG=gctrace=1`", |g| g.gctrace),
    // Two snapshots a finding was drawn from were compared; whether a
    // later dump confirmed a hang is the later-dump rule's to say.
    ("Take two goroutine dumps", |g| g.goroutine_snapshots >= 2),
];

impl GivenEvidence {
    fn and(self, o: GivenEvidence) -> GivenEvidence {
        GivenEvidence {
            core: self.core || o.core,
            all_goroutines: self.all_goroutines || o.all_goroutines,
            gctrace: self.gctrace || o.gctrace,
            goroutine_snapshots: self.goroutine_snapshots + o.goroutine_snapshots,
            trace: self.trace || o.trace,
            cpu_profile: self.cpu_profile || o.cpu_profile,
            heap_profiles: self.heap_profiles + o.heap_profiles,
            contention_profile: self.contention_profile || o.contention_profile,
        }
    }
}

/// Drops the next steps that ask for evidence a finding was drawn from
/// (a core when its core was read): the report has read it. `given` is
/// per input; only the inputs in a finding's evidence count, as another
/// input may be of another program or moment. Whether a later dump
/// confirmed a hang is the later-dump rule's to say.
pub fn drop_gathered_steps(findings: &mut [crate::Finding], given: &[GivenEvidence]) {
    for f in findings {
        let mut inputs: Vec<usize> = f.evidence.iter().map(|e| e.input).collect();
        inputs.sort_unstable();
        inputs.dedup();
        let held = inputs
            .iter()
            .filter_map(|&i| given.get(i).copied())
            .fold(GivenEvidence::default(), GivenEvidence::and);
        f.next_steps.retain(|step| !already_given(step, &held));
    }
}

fn already_given(step: &str, given: &GivenEvidence) -> bool {
    GATHERING
        .iter()
        .any(|(words, given_by)| step.contains(words) && given_by(given))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    /// Every kind of evidence given.
    fn everything() -> GivenEvidence {
        GivenEvidence {
            core: true,
            all_goroutines: true,
            gctrace: true,
            goroutine_snapshots: 2,
            trace: true,
            cpu_profile: true,
            heap_profiles: 2,
            contention_profile: true,
        }
    }

    /// Every catalog step that asks for a core, a dump, a trace or a
    /// profile is one the table knows, so that none is suggested again
    /// once given.
    #[test]
    fn every_step_that_asks_for_evidence_is_known() {
        let all = everything();
        let asks = |s: &str| {
            (s.starts_with("Take ") && !s.starts_with("Take mutexes") && !s.contains("second dump"))
                || s.starts_with("Capture ")
                || s.starts_with("Collect a core")
                || s.starts_with("Run with `GODEBUG=gctrace=1`")
                || s.contains("ulimit -c unlimited")
        };
        let c = catalog::catalog();
        let steps = c
            .kinds
            .iter()
            .flat_map(|k| k.confirm.iter().chain(&k.fix))
            .chain(
                c.messages
                    .iter()
                    .flat_map(|m| m.confirm.iter().chain(&m.fix)),
            );
        for step in steps {
            if asks(step) {
                assert!(already_given(step, &all), "step not in GATHERING: {step}");
            }
        }
    }

    #[test]
    fn a_core_given_drops_the_step_that_asks_for_one() {
        let step = "Run with `GOTRACEBACK=crash` and `ulimit -c unlimited` to get a core dump and open it with `dlv core BINARY CORE`.";
        assert!(!already_given(step, &GivenEvidence::default()));
        let core = GivenEvidence {
            core: true,
            ..GivenEvidence::default()
        };
        assert!(already_given(step, &core));
        // A second dump is no evidence a step can count: whether it
        // confirmed the hang is the later-dump rule's to say.
        assert!(!already_given(
            "Take a second dump later: the same goroutines at the same lines confirm a hang.",
            &everything()
        ));
    }
}
