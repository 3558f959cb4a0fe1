//! Kind recognition on arbitrary bytes (gzip, ELF, protobuf, trace headers).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = godiag_sniff::sniff(data);
    let _ = godiag_sniff::go_buildinfo_version(data);
});
