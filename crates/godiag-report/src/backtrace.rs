//! Lines of a full backtrace (frames with their variables), shared by the
//! text, markdown and HTML renderers.

use godiag_model::{FullBacktrace, ValuesFrom, VariableRole};

/// Most variables shown per frame, and frames per goroutine (a deep
/// recursion repeats itself; the JSON report keeps them all).
const MAX_VARIABLES: usize = 16;
const MAX_FRAMES: usize = 24;

/// The heading of one goroutine's full backtrace.
pub(crate) fn heading(b: &FullBacktrace) -> String {
    format!(
        "goroutine {} ({})",
        b.goroutine,
        match b.values_from {
            ValuesFrom::Dwarf => "values from DWARF",
            ValuesFrom::SpillSlots =>
                "no DWARF: argument words from the register ABI's spill slots",
        }
    )
}

/// `#N function file:line`, then one indented line per variable.
pub(crate) fn lines(b: &FullBacktrace) -> Vec<String> {
    let mut out = Vec::new();
    if b.frames.is_empty() {
        out.push("(stack not readable)".to_string());
    }
    for (n, f) in b.frames.iter().enumerate().take(MAX_FRAMES) {
        out.push(format!(
            "#{n} {}{} {}:{}",
            f.function,
            if f.inlined { " (inlined)" } else { "" },
            f.file,
            f.line
        ));
        if !f.argument_words.is_empty() && f.argument_words != "{}" {
            out.push(format!("    args: {}", f.argument_words));
        }
        for v in f.variables.iter().take(MAX_VARIABLES) {
            out.push(format!(
                "    {}{} {} = {}",
                match v.role {
                    VariableRole::Parameter => "",
                    VariableRole::Local => "local ",
                },
                v.name,
                v.type_name,
                v.value.as_deref().unwrap_or("<optimized away>")
            ));
        }
        if f.variables.len() > MAX_VARIABLES {
            out.push(format!(
                "    ... {} more variables",
                f.variables.len() - MAX_VARIABLES
            ));
        }
    }
    if b.frames.len() > MAX_FRAMES {
        out.push(format!("... {} more frames", b.frames.len() - MAX_FRAMES));
    }
    out
}
