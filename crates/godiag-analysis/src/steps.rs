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

/// What the inputs already hold, so that no next step asks for it again.
#[derive(Debug, Clone, Copy, Default)]
pub struct GivenEvidence {
    /// A core dump, or a live process read like one.
    pub core: bool,
    /// Every goroutine's stack: a dump, a core, or crash output with more
    /// than the failing goroutine.
    pub all_goroutines: bool,
    /// Goroutine dumps (debug=1, debug=2, SIGQUIT) given.
    pub dumps: usize,
    pub trace: bool,
    pub cpu_profile: bool,
    /// Heap or allocs profiles.
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
    ("second dump", |g| g.dumps >= 2),
    ("Take two goroutine dumps", |g| g.dumps >= 2),
    ("Capture an execution trace", |g| g.trace),
    ("CPU profile (", |g| g.cpu_profile),
    ("Take a CPU profile", |g| g.cpu_profile),
    ("Take two heap profiles", |g| g.heap_profiles >= 2),
    ("Take heap profiles before the crash", |g| {
        g.heap_profiles >= 1
    }),
    ("Take an allocation profile", |g| g.heap_profiles >= 1),
    ("Enable the mutex profile", |g| g.contention_profile),
];

/// Drops the next steps that ask for evidence the inputs already hold
/// (a core when a core was given, a second dump when two were): the
/// report has read it.
pub fn drop_gathered_steps(findings: &mut [crate::Finding], given: &GivenEvidence) {
    for f in findings {
        f.next_steps.retain(|step| !already_given(step, given));
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

    /// Every catalog step that asks for a core, a dump, a trace or a
    /// profile is one the table knows, so that none is suggested again
    /// once given.
    #[test]
    fn every_step_that_asks_for_evidence_is_known() {
        let all = GivenEvidence {
            core: true,
            all_goroutines: true,
            dumps: 2,
            trace: true,
            cpu_profile: true,
            heap_profiles: 2,
            contention_profile: true,
        };
        let asks = |s: &str| {
            (s.starts_with("Take ") && !s.starts_with("Take mutexes"))
                || s.starts_with("Capture ")
                || s.starts_with("Collect a core")
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
        let dumps = GivenEvidence {
            dumps: 1,
            ..GivenEvidence::default()
        };
        assert!(!already_given(
            "Take a second dump later: the same goroutines at the same lines confirm a hang.",
            &dumps
        ));
    }
}
