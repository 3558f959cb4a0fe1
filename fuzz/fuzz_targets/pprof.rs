//! The pprof reader on arbitrary bytes (protobuf, gzip, legacy text): never
//! panics, never allocates by a length it has not checked, and every view of
//! what it read, and every profile rule, works on it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| godiag_fuzzing::pprof(data));
