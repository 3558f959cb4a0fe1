//! godiag's diagnosis as a library: give it inputs (a name, the bytes,
//! when they were captured) and options, get back an owned [`Diagnosis`]:
//! the findings, ranked, with the evidence of every input. The command
//! line, `attach`, `watch` and `serve` all run this same pipeline.
//!
//! ```no_run
//! let inputs = vec![godiag_engine::Input::from_vec("crash.txt", std::fs::read("crash.txt")?)];
//! let d = godiag_engine::diagnose(inputs, &godiag_engine::Options::default());
//! if let Some(top) = d.report().findings.first() {
//!     println!("{} at {:?}", top.kind.name(), top.location);
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Readers borrow the bytes they read (a GB core is mapped, not copied), so
//! the [`Report`] borrows its inputs; a [`Diagnosis`] holds both together,
//! and can be kept, sent to another thread and serialised.

pub mod bundle;
mod compare;
mod fault;
pub mod input;
mod json;
mod pipeline;
mod read;
pub mod report;
mod symbolize;
pub mod time;
mod timeline;
pub mod tools;

pub use bundle::{Bundle, BundleFile, BundleManifest, Failure, BUNDLE_SCHEMA};
pub use godiag_analysis::{Confidence, Finding, FindingKind, Location};
pub use godiag_model::{GroupKeyMode, InputKind, InputStatus};
pub use godiag_traceback::DEFAULT_FULL_GOROUTINES;
pub use input::{prepare, prepare_with, Input, InputBytes, Limits, PreparedInput, ProcessSource};
pub use json::{render_json, write_json, SCHEMA};
pub use pipeline::build_report;
pub use report::{
    CoreEvidence, CoreThread, DumpComparison, Evidence, ExecutableSummary, InputReport,
    ProcessStop, ProfileComparison, Report, TextEvidence,
};

/// Told how far a long read got: the input's name, what was read so far
/// and in all (goroutines of a core).
pub type ProgressHook = std::sync::Arc<dyn Fn(&str, u64, u64) + Send + Sync>;

/// How to diagnose.
#[derive(Clone, Default)]
pub struct Options {
    /// How goroutines are grouped: by stack (default), or also by their
    /// scalar arguments.
    pub grouping: GroupKeyMode,
    /// Told how far long reads got (a front end's progress bar).
    pub progress: Option<ProgressHook>,
    /// What an input may cost to read.
    pub limits: Limits,
}

self_cell::self_cell!(
    /// A finished diagnosis: the inputs' bytes and the report read from
    /// them, owned together.
    pub struct Diagnosis {
        owner: Vec<PreparedInput>,
        #[covariant]
        dependent: Report,
    }
);

impl Diagnosis {
    /// The report: findings first, then each input's evidence.
    pub fn report(&self) -> &Report<'_> {
        self.borrow_dependent()
    }

    /// The inputs as they were read (recognised, inflated, restored).
    pub fn inputs(&self) -> &[PreparedInput] {
        self.borrow_owner()
    }

    /// Notes how a live process input was stopped (known only once it was
    /// let go, after the diagnosis).
    /// Notes for that input come with it.
    pub fn set_process_stop(&mut self, stop: ProcessStop, notes: Vec<String>) {
        self.with_dependent_mut(|_, report| {
            if let Some(i) = report
                .inputs
                .iter_mut()
                .find(|i| i.kind == InputKind::LiveProcess)
            {
                i.stop = Some(stop);
                i.warnings.extend(notes);
            }
        });
    }

    /// The report as JSON (`godiag.report/v1`).
    pub fn to_json(&self) -> String {
        render_json(self.report())
    }
}

impl serde::Serialize for Diagnosis {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        json::report_value(self.report()).serialize(s)
    }
}

/// Runs the diagnosis on `inputs`.
pub fn diagnose(inputs: Vec<Input>, options: &Options) -> Diagnosis {
    let prepared: Vec<PreparedInput> = inputs
        .into_iter()
        .map(|i| prepare_with(i, &options.limits))
        .collect();
    Diagnosis::new(prepared, |p| pipeline::build_report_with(p, options))
}

/// Runs the diagnosis on inputs already prepared (see [`prepare`]).
pub fn diagnose_prepared(inputs: Vec<PreparedInput>, options: &Options) -> Diagnosis {
    Diagnosis::new(inputs, |p| pipeline::build_report_with(p, options))
}

#[cfg(test)]
mod tests {
    /// A diagnosis can be handed to another thread and kept there.
    #[test]
    fn diagnosis_is_send_and_owned() {
        fn send<T: Send + 'static>() {}
        send::<super::Diagnosis>();
    }
}
