//! Go executables: the Go version and what the symbol table offers.

use super::outcome::Read;
use crate::input::PreparedInput;
use crate::report::{Evidence, ExecutableSummary};

pub(crate) fn read(input: &PreparedInput) -> Read<'static> {
    match godiag_exe::GoExecutable::parse(input.bytes()) {
        Ok(exe) => Read {
            go_version: input.sniffed.go_version.clone().or(exe.go_version.clone()),
            evidence: Evidence::Executable(ExecutableSummary {
                functions: exe.pclntab.len(),
                pclntab: exe.pclntab_source.to_string(),
                inline_info: exe.has_inline_info(),
            }),
            ..Read::new(input)
        },
        // Neither Go's build information nor its function table: another
        // language's program, not a damaged Go one.
        Err(e) if input.sniffed.gzipped && input.cut => Read::unreadable(
            input,
            "an ELF executable",
            format!("{e} (it was inflated only up to --max-inflated-mib: raise it)"),
        ),
        Err(e) if input.sniffed.go_version.is_none() => Read {
            status: godiag_model::InputStatus::Unrecognized,
            analysed: false,
            warnings: vec![format!(
                "an ELF executable not built by Go (no Go build information; {e}): godiag reads Go programs"
            )],
            ..Read::new(input)
        },
        Err(e) => Read::unreadable(input, "an ELF executable", e),
    }
}
