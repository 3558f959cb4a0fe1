//! The crash-text reader on arbitrary bytes: never panics, and grouping and
//! diffing what it read never panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = godiag_traceback::parse(data);
    let groups = godiag_model::group_goroutines(&t.goroutines, godiag_model::GroupKeyMode::StackAndArgs);
    let half = godiag_traceback::parse(&data[..data.len() / 2]);
    let half_groups = godiag_model::group_goroutines(&half.goroutines, godiag_model::GroupKeyMode::Stack);
    let _ = godiag_model::diff_groups(&half_groups, &groups);
    let _ = t.failing_goroutine();
});
