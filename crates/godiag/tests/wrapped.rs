//! Lab texts as collectors and pastes deliver them: every line under a
//! Kubernetes or journald prefix, indented, one docker json-file record per
//! line, one logger's JSON record per line, a log line written between a frame's call and its file line, or
//! the last newline missing. godiag reads the same failure at the same
//! place (kind, function, line) as from the plain text.

mod common;

use godiag_model::InputKind;

/// Kind, function and line of the top finding (the goroutines a wrapper
/// lets the reader see may differ).
fn top(name: &str, bytes: Vec<u8>) -> (Option<String>, Option<(String, u32)>) {
    let (kind, place, _) = common::top_finding(name, bytes);
    (kind, place)
}

fn each_line(text: &str, f: impl Fn(&str) -> String) -> Vec<u8> {
    text.lines()
        .map(|l| f(l) + "\n")
        .collect::<String>()
        .into_bytes()
}

/// The wrapped forms of a plain text, by name.
fn wrapped(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    // A frame's call is a line the runtime starts with a name and ends
    // with `)`, its file line comes next, indented.
    let lines: Vec<&str> = text.lines().collect();
    let mut interleaved = String::new();
    for (i, l) in lines.iter().enumerate() {
        interleaved.push_str(l);
        interleaved.push('\n');
        let call = !l.starts_with(['\t', ' ']) && l.ends_with(')') && !l.starts_with("panic(");
        let file_next = lines.get(i + 1).is_some_and(|n| n.starts_with('\t'));
        if call && file_next {
            interleaved.push_str("time=2024-05-01T10:00:00Z level=INFO msg=\"request served\"\n");
        }
    }
    vec![
        (
            "k8s",
            each_line(text, |l| format!("[pod/api-7d9f8c6b5-x2x7k/api] {l}")),
        ),
        (
            "journald",
            each_line(text, |l| format!("May 01 10:00:00 web-1 api[4242]: {l}")),
        ),
        ("indented", each_line(text, |l| format!("    {l}"))),
        (
            "docker-json-file",
            each_line(text, |l| {
                let log = serde_json::to_string(&format!("{l}\n")).unwrap();
                format!(
                    "{{\"log\":{log},\"stream\":\"stderr\",\"time\":\"2024-05-01T10:00:00.000Z\"}}"
                )
            }),
        ),
        (
            // A logger that wrapped each line the program wrote (zap, a log
            // shipper's export): one line per record, in `msg`.
            "logger-json-records",
            each_line(text, |l| {
                let msg = serde_json::to_string(l).unwrap();
                format!("{{\"level\":\"error\",\"ts\":\"2024-05-01T10:00:00Z\",\"msg\":{msg}}}")
            }),
        ),
        ("interleaved", interleaved.into_bytes()),
        ("no-final-newline", text.trim_end().as_bytes().to_vec()),
    ]
}

#[test]
fn wrapped_lab_texts_read_as_plain_ones() {
    let mut checked = 0;
    for path in common::lab_texts(&["go1.21.13", "go1.24.11", "go1.27.3"]) {
        let plain = std::fs::read_to_string(&path).unwrap();
        // Dumps of many goroutines take long under every wrapper; the
        // readers' passes are the same on small ones.
        if plain.len() > 64 << 10 {
            continue;
        }
        // The runtime's own text; a legacy text profile's lines are the
        // pprof package's, pasted under prefixes far less.
        let runtime_text = matches!(
            godiag_sniff::sniff(plain.as_bytes()).kind,
            InputKind::CrashText
                | InputKind::SigquitDump
                | InputKind::GoroutineDump
                | InputKind::GoroutineCountDump
                | InputKind::RaceReport
        );
        if !runtime_text {
            continue;
        }
        let want = top("plain", plain.clone().into_bytes());
        if want.0.is_none() {
            continue;
        }
        for (form, bytes) in wrapped(&plain) {
            let got = top(form, bytes);
            assert_eq!(got, want, "{} as {form}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 700, "only {checked} wrapped lab texts checked");
}
