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

/// The snapshots a dump input holds, when it holds several of one process
/// (dumps written one after another into one file): each one's bytes.
pub(crate) fn snapshots(input: &PreparedInput) -> Vec<std::ops::Range<usize>> {
    let dump = matches!(
        input.sniffed.kind,
        InputKind::GoroutineDump | InputKind::SigquitDump | InputKind::GoroutineCountDump
    );
    if !dump || input.unreadable.is_some() || input.process.is_some() {
        return Vec::new();
    }
    let bytes = input.bytes();
    let starts = godiag_traceback::snapshot_starts(bytes);
    if starts.len() < 2 {
        return Vec::new();
    }
    let ends = starts.iter().skip(1).copied().chain([bytes.len()]);
    starts
        .iter()
        .copied()
        .zip(ends)
        .map(|(a, b)| a..b)
        .collect()
}

/// Reads one snapshot of a dump input (see [`snapshots`]).
pub(crate) fn read_snapshot<'a>(
    input: &'a PreparedInput,
    part: std::ops::Range<usize>,
    lent: &Lent<'a>,
    options: &crate::Options,
) -> Read<'a> {
    let bytes = input.bytes().get(part).unwrap_or_default();
    text::read_part(input, bytes, lent, options.grouping, &options.limits)
}

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
