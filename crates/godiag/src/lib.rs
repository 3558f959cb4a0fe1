//! The `godiag` command line: arguments, paths and output. The diagnosis
//! itself is `godiag-engine`'s; `collect` and `run` capture a bundle and
//! hand it to the engine like `analyze` does.

pub mod run;
pub mod run_stop;

pub use godiag_collect as collect;
pub use godiag_engine::{build_report, diagnose, Diagnosis, Input, Options, PreparedInput};
pub use godiag_engine::{inputs_from_paths, load_inputs, DEFAULT_MAX_STDIN_MIB};
