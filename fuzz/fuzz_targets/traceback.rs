//! The crash-text reader on arbitrary bytes: never panics, and neither do
//! the restoration of escaped or re-wrapped text, grouping, diffing, or the
//! rules that read what it found (crash findings, stacks without a failure
//! line, leaks).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| godiag_fuzzing::traceback(data));
