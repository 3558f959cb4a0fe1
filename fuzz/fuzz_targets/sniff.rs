//! Kind recognition on arbitrary bytes (gzip, ELF, protobuf, trace headers).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| godiag_fuzzing::sniff(data));
