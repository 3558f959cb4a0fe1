//! Bundle archives (what `serve` ingests, `analyze` reads as a directory):
//! never panics, never allocates by a size in a tar header, and what it
//! unpacks is diagnosed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| godiag_fuzzing::archive(data));
