//! The HTML report in a real browser: headless Chromium renders it from a
//! local file, fetches nothing, logs no error, and the screenshot is kept
//! (target/html-report/*.png) for a person to look at.

mod common;

use std::path::Path;

use godiag_model::GroupKeyMode;

#[test]
#[ignore = "needs chromium: run scripts/test.sh"]
fn html_report_renders_in_chromium() {
    let lab = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/artifacts/go1.26.6");
    let inputs = [
        lab.join("trace-crash.crash.txt"),
        lab.join("trace-crash.trace.out"),
        lab.join("cpu-hotspot.cpu.pb.gz"),
    ];
    let loaded = godiag::load_inputs(&inputs).unwrap();
    let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
    let html = godiag_report::render_html(&report);
    let dir = common::html_out_dir();
    let page = dir.join("crash-and-trace.html");
    std::fs::write(&page, &html).unwrap();
    let shot = dir.join("crash-and-trace.png");
    let _ = std::fs::remove_file(&shot);
    let (dom, log) = common::render_in_chromium(&page, &shot);
    common::assert_clean_page(&html, &log);
    // It rendered: a real picture, and the DOM holds the report.
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "{} bytes",
        png.len()
    );
    let top = &report.findings[0];
    assert_eq!(top.kind.name(), "nil-dereference");
    for want in [
        "Root cause",
        "Verification",
        "Timeline: ",
        "trace cut here (crash)",
        "Where goroutines spent their time",
        "Goroutine states over time",
        "Profile: ",
        "flame graph of",
        "Goroutines: ",
        "main.lookup",
    ] {
        assert!(dom.contains(want), "{want} not rendered");
    }
    println!("screenshot: {}", shot.display());
}
