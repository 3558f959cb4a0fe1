//! The crash-text reader on arbitrary bytes: never panics, and neither do
//! the restoration of escaped or re-wrapped text, grouping, diffing, or the
//! rules that read what it found (crash findings, stacks without a failure
//! line, leaks).
#![no_main]

use godiag_model::{group_goroutines, GroupKeyMode, InputKind};
use libfuzzer_sys::fuzz_target;

fn read(data: &[u8]) {
    let t = godiag_traceback::parse(data);
    let groups = group_goroutines(&t.goroutines, GroupKeyMode::StackAndArgs);
    let _ = t.failing_goroutine();
    let input = godiag_analysis::TextInput {
        index: 0,
        kind: InputKind::CrashText,
        artifact: &t,
        groups: &groups,
        captured_at: None,
    };
    let _ = godiag_analysis::analyze_text(&[input]);
}

fuzz_target!(|data: &[u8]| {
    read(data);
    if let Some(r) = godiag_traceback::restore(data) {
        read(&r.text);
    }
    let t = godiag_traceback::parse(data);
    let groups = group_goroutines(&t.goroutines, GroupKeyMode::StackAndArgs);
    let half = godiag_traceback::parse(&data[..data.len() / 2]);
    let half_groups = group_goroutines(&half.goroutines, GroupKeyMode::Stack);
    let _ = godiag_model::diff_groups(&half_groups, &groups);
});
