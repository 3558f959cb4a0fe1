//! The committed lab corpus, every Go version: what the reader reads and what
//! the rules conclude, against the manifest.

mod common;

use common::{check_corpus, lab_dir, version_dirs};

#[test]
fn lab_corpus_matches_the_manifest() {
    let (checked, failures) = check_corpus(&lab_dir().join("artifacts"));
    assert!(checked >= 7 * 40, "only {checked} artifacts found");
    assert!(
        failures.is_empty(),
        "{} of {checked} artifacts fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_version_is_in_the_corpus() {
    let dirs: Vec<String> = version_dirs(&lab_dir().join("artifacts"))
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    for v in [
        "go1.21.13",
        "go1.22.10",
        "go1.23.9",
        "go1.24.11",
        "go1.25.5",
        "go1.26.6",
        "go1.27.3",
    ] {
        assert!(
            dirs.iter().any(|d| d == v),
            "{v} missing from lab/artifacts: {dirs:?}"
        );
    }
}
