//! A goroutine's frames with the values of their parameters and locals
//! (`bt full` in gdb, `stack -full` in dlv), read from a process image for
//! the goroutines a report is about. Owned: a handful of goroutines, not a
//! whole dump.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FullBacktrace {
    pub goroutine: u64,
    /// Innermost first; inlined calls are frames of their own.
    pub frames: Vec<FullFrame>,
    /// Where the values come from: DWARF, or (stripped) the argument
    /// words the runtime spilled.
    pub values_from: ValuesFrom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValuesFrom {
    Dwarf,
    /// No DWARF (`-ldflags=-w`): only the words of the argument spill
    /// area, as the runtime's traceback prints them.
    SpillSlots,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FullFrame {
    pub function: String,
    pub file: String,
    pub line: u32,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inlined: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<FrameVariable>,
    /// The argument words (stripped executables), as a traceback prints them.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub argument_words: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameVariable {
    pub name: String,
    /// `parameter` or `local`.
    pub role: VariableRole,
    #[serde(rename = "type")]
    pub type_name: String,
    /// `None`: optimized away at this PC.
    pub value: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VariableRole {
    Parameter,
    Local,
}
