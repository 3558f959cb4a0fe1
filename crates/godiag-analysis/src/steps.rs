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
