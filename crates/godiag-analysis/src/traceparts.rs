//! What every trace rule says of a trace the same way: its input, times,
//! frames and evidence.

use crate::finding::{Evidence, Location};
use godiag_model::Source;
use godiag_trace::analysis::{Frame, Summary};
use godiag_trace::tables::is_runtime_function;

/// One analysed trace and its input index.
pub struct TraceInput<'a> {
    pub index: usize,
    pub summary: &'a Summary,
}

pub(crate) fn ms(ns: u64) -> String {
    let v = ns as f64 / 1e6;
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 1.0 {
        format!("{v:.1} ms")
    } else {
        format!("{:.0} µs", ns as f64 / 1e3)
    }
}

pub(crate) fn evidence(input: &TraceInput<'_>, summary: String, lines: Vec<String>) -> Evidence {
    Evidence {
        source: Source::Trace,
        summary,
        input: input.index,
        offset: None,
        lines,
        goroutines: None,
    }
}

/// The first frame of the program's own code in a stack (leaf first).
pub(crate) fn user_frame(stack: &[Frame]) -> Option<&Frame> {
    stack.iter().find(|f| !is_runtime_function(&f.function))
}

pub(crate) fn location(f: &Frame) -> Location {
    Location {
        function: f.function.clone(),
        file: f.file.clone(),
        line: u32::try_from(f.line).unwrap_or(0),
    }
}

pub(crate) fn stack_lines(stack: &[Frame]) -> Vec<String> {
    stack
        .iter()
        .take(8)
        .map(|f| format!("{} {}:{}", f.function, f.file, f.line))
        .collect()
}

/// ` (reason)`, or nothing when the trace did not say why (goroutines already
/// blocked when tracing started).
pub(crate) fn in_parens(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" ({reason})")
    }
}
