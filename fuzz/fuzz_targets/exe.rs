//! The executable reader on arbitrary bytes: ELF parsing, the pclntab scan,
//! and every lookup on whatever pclntab it accepts, argument printing
//! included (its encoding and liveness bitmaps come from the executable).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| godiag_fuzzing::exe(data));
