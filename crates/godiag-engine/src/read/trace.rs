//! Execution traces: the scheduler-timeline summary.

use super::outcome::Read;
use crate::input::PreparedInput;
use crate::report::Evidence;

pub(crate) fn read(input: &PreparedInput, progress: Option<&crate::ProgressHook>) -> Read<'static> {
    let tell = |done: u64, total: u64| {
        if let Some(p) = progress {
            p(&input.name, done, total, "bytes");
        }
    };
    match godiag_trace::analysis::analyze_with_progress(input.bytes(), &tell) {
        Ok((summary, _, _)) => {
            let mut r = Read::new(input);
            if let Some(p) = &summary.partial {
                r.status = godiag_model::InputStatus::Partial;
                r.warnings.push(format!(
                    "trace ends early at offset {}: {p}; {} events before that were read",
                    summary.partial_offset.unwrap_or(0),
                    summary.events
                ));
            }
            r.evidence = Evidence::Trace(Box::new(summary));
            r
        }
        Err(e) => Read::unreadable(input, "an execution trace", e),
    }
}
