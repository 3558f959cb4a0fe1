//! One module per input kind: each turns a prepared input into its
//! [`Evidence`], with the status and warnings of the read. What one input
//! lends another is passed explicitly in [`Lent`].

pub(crate) mod core;
mod executable;
mod profile;
mod text;
mod trace;

use godiag_model::{GroupKeyMode, InputKind, InputStatus};

use crate::input::PreparedInput;
use crate::report::Evidence;

/// What inputs lend each other: the executable among them (the first
/// one), which symbolises a core's stacks, a profile's addresses and a
/// crash text's faulting instruction.
pub(crate) struct Lent<'a> {
    pub exe: Option<LentExecutable<'a>>,
}

pub(crate) struct LentExecutable<'a> {
    pub exe: godiag_exe::GoExecutable<'a>,
    pub bytes: &'a [u8],
}

impl<'a> Lent<'a> {
    pub(crate) fn from_inputs(inputs: &'a [PreparedInput]) -> Self {
        let exe = inputs
            .iter()
            .find(|i| i.sniffed.kind == InputKind::ElfExecutable)
            .and_then(|i| {
                Some(LentExecutable {
                    exe: godiag_exe::GoExecutable::parse(i.bytes()).ok()?,
                    bytes: i.bytes(),
                })
            });
        Lent { exe }
    }
}

/// What reading one input gave.
pub(crate) struct Read<'a> {
    pub evidence: Evidence<'a>,
    pub status: InputStatus,
    /// Whether this build could analyse it at all.
    pub analysed: bool,
    pub warnings: Vec<String>,
    /// The Go version: what recognising the input found, unless its
    /// reader knows better (an executable's build info).
    pub go_version: Option<String>,
    pub go_version_at_least: Option<String>,
}

impl Read<'_> {
    fn new(input: &PreparedInput) -> Self {
        Read {
            evidence: Evidence::None,
            status: InputStatus::Parsed,
            analysed: true,
            warnings: Vec::new(),
            go_version: input.sniffed.go_version.clone(),
            go_version_at_least: input.sniffed.go_version_at_least.clone(),
        }
    }

    /// The reader recognised the kind but could not read it.
    fn unreadable(input: &PreparedInput, what: &str, e: impl std::fmt::Display) -> Self {
        Read {
            status: InputStatus::Partial,
            analysed: false,
            warnings: vec![format!("recognised as {what} but unreadable: {e}")],
            ..Read::new(input)
        }
    }
}

/// Reads one input by its kind.
pub(crate) fn read<'a>(input: &'a PreparedInput, lent: &Lent<'a>, mode: GroupKeyMode) -> Read<'a> {
    let kind = input.sniffed.kind;
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
        InputKind::ElfCore => core::read(input, lent, mode),
        InputKind::ExecutionTrace => trace::read(input),
        InputKind::ElfExecutable => executable::read(input),
        InputKind::PprofProto | InputKind::PprofText => profile::read(input, lent),
        _ => text::read(input, lent, mode),
    }
}
