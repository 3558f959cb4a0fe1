//! Lab crash texts as they look after a terminal's colouring tool: each is
//! piped through GNU grep with `--color=always` (escape sequences around
//! runtime words, inside frame names, file paths and hex words), and godiag
//! reads the same failure at the same place as from the plain text.

use std::io::Write;
use std::process::{Command, Stdio};

mod common;

/// Patterns whose matches grep colours: words the reader anchors on, and
/// pieces inside frames (a package, a file's extension and line, hex).
const COLOURED: &[&str] = &[
    "panic|fatal error|goroutine|signal|created by",
    "main\\.|runtime\\.|\\.go:[0-9]+|0x[0-9a-f]+",
];

fn grep_colour(pattern: &str, text: &[u8]) -> Vec<u8> {
    // `|$` keeps every line, matched or not.
    let mut child = Command::new("grep")
        .args(["--color=always", "-E", &format!("{pattern}|$")])
        .env(
            "GREP_COLORS",
            "ms=01;31:mc=01;31:sl=:cx=:fn=35:ln=32:bn=32:se=36",
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("GNU grep (Debian's grep package) is installed");
    let mut stdin = child.stdin.take().unwrap();
    let input = text.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "grep failed");
    out.stdout
}

#[test]
fn coloured_crash_texts_read_as_plain_ones() {
    let mut checked = 0;
    for path in common::lab_texts(&["go1.21.13", "go1.24.11", "go1.27.3"]) {
        let plain = std::fs::read(&path).unwrap();
        let want = common::top_finding("plain", plain.clone());
        if want.0.is_none() {
            continue;
        }
        for pattern in COLOURED {
            let coloured = grep_colour(pattern, &plain);
            if !coloured.contains(&0x1b) {
                continue;
            }
            let got = common::top_finding("coloured", coloured);
            assert_eq!(got, want, "{} coloured by /{pattern}/", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 120, "only {checked} coloured lab texts checked");
}
