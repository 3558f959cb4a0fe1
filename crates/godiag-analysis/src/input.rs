//! One text input (crash text, dump, race report, or a core's goroutines)
//! as the rules see it.

use godiag_model::{GoroutineGroup, InputKind, Source, TextArtifact};

/// One text input as the rules see it.
pub struct TextInput<'r, 'a> {
    /// Index in the report's inputs.
    pub index: usize,
    pub kind: InputKind,
    pub artifact: &'r TextArtifact<'a>,
    pub groups: &'r [GoroutineGroup<'a>],
    /// When it was captured, in seconds since the epoch (a bundle's
    /// `bundle.json`): two dumps then give a growth rate.
    pub captured_at: Option<f64>,
}

impl TextInput<'_, '_> {
    pub(crate) fn source(&self) -> Source {
        self.kind.source().unwrap_or(Source::Crash)
    }
}
