//! The real-world corpus (`testdata/realworld/`): crash texts quoted from
//! public issues as their reporters pasted them (log prefixes, lost tabs,
//! escaped JSON, recovered panics, excerpts, old releases), each labelled
//! with the root cause the maintainers or the fix stated. The same figure
//! as `scripts/realworld.py`, which `docs/accuracy.md` quotes.

use std::path::{Path, PathBuf};

use godiag::{build_report, load_inputs};
use godiag_model::goroutine::is_stdlib_function;
use godiag_model::{GroupKeyMode, InputStatus};
use serde_json::Value;

/// The corpus's texts whose top finding has the labelled kind and function,
/// measured when this floor was set; fewer is a regression.
const RIGHT_AT_LEAST: usize = 3003;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/realworld")
}

/// An empty label: the text has no frame of the program, so no program
/// location may be claimed.
fn same_place(got: Option<&str>, want: &str) -> bool {
    if want.is_empty() {
        return got.is_none_or(is_stdlib_function);
    }
    got == Some(want)
}

#[test]
fn real_world_texts_are_read_and_diagnosed() {
    let labels: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("labels.json")).expect("labels.json"),
    )
    .expect("labels.json is JSON");
    assert!(
        labels.len() >= 60,
        "the corpus holds {} texts",
        labels.len()
    );
    let mut right = 0;
    let mut wrong = Vec::new();
    for l in &labels {
        let file = l["file"].as_str().expect("file");
        let source = l["source"].as_str().expect("source");
        assert!(
            source.starts_with("https://github.com/"),
            "{file}: {source}"
        );
        let loaded = load_inputs(&[corpus().join(file)]).expect(file);
        let report = build_report(&loaded, GroupKeyMode::Stack);
        // Every text holds Go runtime output: none may be unrecognised.
        assert_ne!(
            report.inputs[0].status,
            InputStatus::Unrecognized,
            "{file} was not recognised"
        );
        let top = report.findings.first();
        let kind = top.map(|f| f.kind.name());
        let function = top
            .and_then(|f| f.location.as_ref())
            .map(|l| l.function.as_str());
        let want_kind = l["kind"].as_str().expect("kind");
        let want_function = l["function"].as_str().expect("function");
        if kind == Some(want_kind) && same_place(function, want_function) {
            right += 1;
        } else {
            wrong.push(format!(
                "{file}: want {want_kind} {want_function}, got {kind:?} {function:?}"
            ));
        }
    }
    eprintln!(
        "real-world corpus: {right} of {} right\n{}",
        labels.len(),
        wrong.join("\n")
    );
    assert!(
        right >= RIGHT_AT_LEAST,
        "{right} of {} right, fewer than the {RIGHT_AT_LEAST} measured before",
        labels.len()
    );
}
