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

mod archive;
pub mod bundle;
mod compare;
mod fault;
mod inflate;
pub mod input;
mod json;
mod paths;
mod pipeline;
mod read;
pub mod report;
mod symbolize;
pub mod time;
mod timeline;
pub mod tools;
mod utf16;

pub use archive::{
    inputs_from_archive, inputs_from_body, pack_bundle, pack_bundle_into, MAX_ARCHIVE_ENTRIES,
};
pub use bundle::{Bundle, BundleFile, BundleManifest, Failure, BUNDLE_SCHEMA};
pub use godiag_analysis::{Confidence, Finding, FindingKind, Location};
pub use godiag_model::{GroupKeyMode, InputKind, InputStatus};
pub use godiag_traceback::DEFAULT_FULL_GOROUTINES;
pub use input::{
    prepare, prepare_with, recognise, Input, InputBytes, Limits, PreparedInput, ProcessSource,
    SharedBytes,
};
pub use json::{render_json, write_json, SCHEMA};
pub use paths::{inputs_from_paths, load_inputs, DEFAULT_MAX_STDIN_MIB};
pub use pipeline::build_report;
pub use report::{
    CoreEvidence, CoreThread, DumpComparison, Evidence, ExecutableSummary, InputReport,
    ProcessStop, ProfileComparison, Report, TextEvidence,
};

/// Told how far a long read got: the input's name, what was read so far
/// and in all, and of what (`goroutines` of a core, `bytes` of a trace).
pub type ProgressHook = std::sync::Arc<dyn Fn(&str, u64, u64, &'static str) + Send + Sync>;

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
    /// A trace's read tells the progress hook how many bytes it got through,
    /// up to all of them (a front end's bar on a multi-GB trace).
    #[test]
    fn trace_read_reports_progress_in_bytes() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../lab/artifacts/go1.24.11/trace-leak.trace.out"
        );
        let bytes = std::fs::read(path).expect("lab trace is committed");
        let len = bytes.len() as u64;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = std::sync::Arc::clone(&seen);
        let options = super::Options {
            progress: Some(std::sync::Arc::new(move |name: &str, done, total, unit| {
                record
                    .lock()
                    .unwrap()
                    .push((name.to_string(), done, total, unit));
            })),
            ..Default::default()
        };
        let d = super::diagnose(vec![super::Input::from_vec("t.out", bytes)], &options);
        assert_eq!(d.report().inputs[0].kind, super::InputKind::ExecutionTrace);
        let seen = seen.lock().unwrap();
        let last = seen.last().expect("progress was told");
        assert_eq!(last, &("t.out".to_string(), len, len, "bytes"));
        assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1));
    }

    /// A diagnosis can be handed to another thread and kept there.
    #[test]
    fn diagnosis_is_send_and_owned() {
        fn send<T: Send + 'static>() {}
        send::<super::Diagnosis>();
    }
}
