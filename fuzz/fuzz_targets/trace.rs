//! The execution-trace reader on arbitrary bytes: both modes, the analysis and the
//! exports never panic and never allocate by a length they have not checked. Inputs
//! that start with a valid header reach the batch and event decoders; the text
//! format converter is fed too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| godiag_fuzzing::trace(data));
