//! The core reader on arbitrary bytes: ELF notes (threads, registers, auxv),
//! memory reads at any address, and the whole goroutine walk (allgs, stacks,
//! signal frames, wait objects, throw messages) against a real Go
//! executable of the core lab, so that any memory a core claims to hold is
//! followed without a panic or an unbounded loop.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| godiag_fuzzing::core(data));
