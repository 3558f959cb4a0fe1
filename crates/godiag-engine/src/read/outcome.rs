//! What a reader gets (what other inputs lend it) and gives (its evidence,
//! status and warnings).

use godiag_model::{InputKind, InputStatus};

use crate::input::PreparedInput;
use crate::report::Evidence;

/// What inputs lend each other: the executable among them (the first
/// one), which symbolises a core's stacks, a profile's addresses and a
/// crash text's faulting instruction.
pub(crate) struct Lent<'a> {
    pub exe: Option<LentExecutable<'a>>,
    /// An executable was given but could not be read: its name.
    pub unreadable_exe: Option<&'a str>,
}

pub(crate) struct LentExecutable<'a> {
    pub exe: godiag_exe::GoExecutable<'a>,
    pub bytes: &'a [u8],
}

impl<'a> Lent<'a> {
    pub(crate) fn from_inputs(inputs: &'a [PreparedInput]) -> Self {
        let given = inputs
            .iter()
            .find(|i| i.sniffed.kind == InputKind::ElfExecutable);
        let exe = given.and_then(|i| {
            Some(LentExecutable {
                exe: godiag_exe::GoExecutable::parse(i.bytes()).ok()?,
                bytes: i.bytes(),
            })
        });
        let unreadable_exe = given.filter(|_| exe.is_none()).map(|i| i.name.as_str());
        Lent {
            exe,
            unreadable_exe,
        }
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
    pub(crate) fn new(input: &PreparedInput) -> Self {
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
    pub(crate) fn unreadable(input: &PreparedInput, what: &str, e: impl std::fmt::Display) -> Self {
        Read {
            status: InputStatus::Partial,
            analysed: false,
            warnings: vec![format!("recognised as {what} but unreadable: {e}")],
            ..Read::new(input)
        }
    }
}
