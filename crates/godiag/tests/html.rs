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

/// A core's report in the browser: the deadlock, and the frames in full of
/// its goroutines with their values (`bt full`), from the committed AB/BA
/// core of Go 1.27.3.
#[test]
#[ignore = "needs chromium: run scripts/test.sh"]
fn core_report_with_frames_in_full_renders_in_chromium() {
    let cores = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/cores/go1.27.3");
    let gunzip = |name: &str| {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(cores.join(name)).unwrap())
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    let loaded = vec![
        godiag::PreparedInput::from_bytes(
            "core".to_string(),
            gunzip("deadlock-abba.plain.core.gz"),
        ),
        godiag::PreparedInput::from_bytes("prog".to_string(), gunzip("deadlock-abba.plain.exe.gz")),
    ];
    let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
    let html = godiag_report::render_html(&report);
    let dir = common::html_out_dir();
    let page = dir.join("core-frames-in-full.html");
    std::fs::write(&page, &html).unwrap();
    let shot = dir.join("core-frames-in-full.png");
    let _ = std::fs::remove_file(&shot);
    let (dom, log) = common::render_in_chromium(&page, &shot);
    common::assert_clean_page(&html, &log);
    assert_eq!(report.findings[0].kind.name(), "deadlock");
    for want in [
        "Frames in full",
        "goroutine 8 (values from DWARF)",
        "main.(*bank).transferOut",
        "n int = 10",
        "b *main.bank = 0x",
    ] {
        assert!(dom.contains(want), "{want} not rendered");
    }
}
