//! One module per input kind: each turns a prepared input into its
//! [`crate::report::Evidence`], with the status and warnings of the read. What one input
//! lends another is passed explicitly in [`Lent`].

pub(crate) mod core;
mod executable;
mod outcome;
mod profile;
mod text;
mod trace;

use godiag_model::{InputKind, InputStatus};

use crate::input::PreparedInput;
pub(crate) use outcome::{Lent, Read};

/// Reads one input by its kind.
pub(crate) fn read<'a>(
    input: &'a PreparedInput,
    lent: &Lent<'a>,
    options: &crate::Options,
) -> Read<'a> {
    let mode = options.grouping;
    let kind = input.sniffed.kind;
    if let Some(why) = &input.unreadable {
        return Read {
            status: InputStatus::Unrecognized,
            analysed: false,
            warnings: vec![why.clone()],
            ..Read::new(input)
        };
    }
    if kind == InputKind::Unrecognized {
        return Read {
            status: InputStatus::Unrecognized,
            analysed: false,
            warnings: vec![format!(
                "not a Go artifact godiag knows{}",
                input
                    .sniffed
                    .note
                    .as_ref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            )],
            ..Read::new(input)
        };
    }
    if kind == InputKind::TarArchive {
        // Archives are unpacked where inputs are gathered (a path, `-`, a
        // report sent to `serve`); one met inside a directory or another
        // archive is not, nor one whose unpacking failed.
        return Read {
            status: InputStatus::Partial,
            analysed: false,
            warnings: vec![
                "a tar archive, not unpacked (it sat inside a directory or another archive, or unpacking it failed): give it as its own path to read the files in it".into(),
            ],
            ..Read::new(input)
        };
    }
    if !kind.is_analysed() {
        return Read {
            status: InputStatus::Partial,
            analysed: false,
            warnings: vec![format!(
                "recognised as {}; this build of godiag does not analyse that kind yet",
                kind.name()
            )],
            ..Read::new(input)
        };
    }
    match kind {
        InputKind::ElfCore | InputKind::LiveProcess => {
            core::read(input, lent, mode, options.progress.as_ref())
        }
        InputKind::ExecutionTrace => trace::read(input, options.progress.as_ref()),
        InputKind::ElfExecutable => executable::read(input),
        InputKind::PprofProto | InputKind::PprofText => profile::read(input, lent),
        _ => text::read(input, lent, mode, &options.limits),
    }
}
