//! Rules that turn the evidence model into ranked findings.
//!
//! Each rule reads only the model (`godiag_model`) and says, for every source
//! it was given, whether that source confirms, contradicts or is silent about
//! the conclusion. Rules never parse and never format output.

pub mod catalog;
mod finding;
mod textrules;

pub use finding::{Confidence, Evidence, Finding, FindingKind, Location, Verdict};
pub use textrules::{analyze_text, classify_message, TextInput};

/// Completes every finding's verification matrix: each source that was
/// provided and said nothing about the finding is `silent`.
pub fn fill_verification(findings: &mut [Finding], provided: &[godiag_model::Source]) {
    for f in findings {
        for s in provided {
            f.verification.entry(s.name()).or_insert(Verdict::Silent);
        }
    }
}

/// Orders findings most likely root cause first: by rank (a secondary failure
/// below what it hides), then confidence.
pub fn rank(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.secondary
            .cmp(&b.secondary)
            .then(b.confidence.cmp(&a.confidence))
            .then(b.kind.priority().cmp(&a.kind.priority()))
    });
}
