//! Generated documentation stays in step with its source.

use std::path::Path;

#[test]
fn findings_doc_is_generated_from_the_catalog() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/findings.md");
    let committed = std::fs::read_to_string(&path).expect("docs/findings.md");
    assert!(
        committed == godiag_report::render_catalog_markdown(),
        "docs/findings.md is stale: run `godiag explain --all --format markdown > docs/findings.md`"
    );
}

#[test]
fn readme_counts_the_catalog() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let c = godiag_analysis::catalog::catalog();
    let said = format!(
        "{} kinds and {} runtime messages",
        c.kinds.len(),
        c.messages.len()
    );
    assert!(readme.contains(&said), "README.md should say \"{said}\"");
}
