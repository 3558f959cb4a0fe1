//! An executable and a core together: a real pair from the core lab (the
//! AB/BA deadlock of Go 1.27.3, with DWARF), patched where the fuzzer says.
//! The input is a list of patches, each `[file: u8][offset: u32 LE][len: u8]
//! [bytes]`, applied to the executable (even `file`) or the core (odd), at
//! `offset` modulo the file's length. Values the core reader takes from the
//! executable (runtime offsets, pclntab, argument and defer records, DWARF
//! types and locations) are then fuzzed with the core's, through the whole
//! walk: goroutines, crash state, wait objects and the full backtraces.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| godiag_fuzzing::exe_core(data));
