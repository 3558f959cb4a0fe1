//! Every rule over text inputs (crash output, goroutine dumps, race
//! reports) and the goroutines of cores, in order.

use crate::finding::Finding;
use crate::input::TextInput;

/// Runs every text rule over the inputs.
pub fn analyze_text(inputs: &[TextInput<'_, '_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    for input in inputs {
        let t = input.artifact;
        for (i, race) in t.races.iter().enumerate() {
            if i < 8 {
                out.push(crate::racerules::race_finding(input, race));
            }
        }
        if t.crash.is_failure() {
            crate::crashrules::crash_findings(input, &mut out);
        }
        crate::stackrules::stack_findings(input, &mut out);
        crate::waitgraph::lock_cycle_findings(input, &mut out);
        crate::corerules::core_findings(input, &mut out);
    }
    crate::leakrules::leak_findings(inputs, &mut out);
    crate::countgrowth::count_profile_growth(inputs, &mut out);
    for input in inputs {
        if let Some(f) = crate::gcrules::gctrace_pressure(input) {
            out.push(f);
        }
        if let Some(f) = crate::deadlockrules::dump_deadlock(input) {
            out.push(f);
        }
        if let Some(f) = crate::processend::process_end_finding(input) {
            out.push(f);
        }
    }
    out
}
