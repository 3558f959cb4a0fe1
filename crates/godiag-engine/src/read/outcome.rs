//! What a reader gets (what other inputs lend it) and gives (its evidence,
//! status and warnings).

use godiag_model::{InputKind, InputStatus};

use crate::input::PreparedInput;
use crate::report::Evidence;

/// What inputs lend each other: the executable among them (the first
/// one), which symbolises a core's stacks, a profile's addresses and a
/// crash text's faulting instruction; a core takes the one of them that
/// wrote it.
pub(crate) struct Lent<'a> {
    pub exe: Option<LentExecutable<'a>>,
    /// The other executables given (a bundle of two programs' cores).
    pub others: Vec<LentExecutable<'a>>,
    /// An executable was given but could not be read: its name.
    pub unreadable_exe: Option<&'a str>,
}

pub(crate) struct LentExecutable<'a> {
    pub exe: godiag_exe::GoExecutable<'a>,
    pub bytes: &'a [u8],
}

impl<'a> Lent<'a> {
    pub(crate) fn from_inputs(inputs: &'a [PreparedInput]) -> Self {
        let mut given = inputs
            .iter()
            .filter(|i| i.sniffed.kind == InputKind::ElfExecutable);
        let lend = |i: &'a PreparedInput| {
            Some(LentExecutable {
                exe: godiag_exe::GoExecutable::parse(i.bytes()).ok()?,
                bytes: i.bytes(),
            })
        };
        let first = given.next();
        let exe = first.and_then(lend);
        let unreadable_exe = first.filter(|_| exe.is_none()).map(|i| i.name.as_str());
        Lent {
            exe,
            others: given.filter_map(lend).collect(),
            unreadable_exe,
        }
    }

    /// The executable that wrote a core: the first given whose identity
    /// the core does not contradict, with its load bias; else none, and
    /// why the first does not fit.
    pub(crate) fn exe_for_core(
        &self,
        image: &godiag_core::Image<'_>,
        program_base: Option<u64>,
    ) -> (Option<(&LentExecutable<'a>, u64)>, Option<String>) {
        let mut first_mismatch = None;
        for e in self.exe.iter().chain(&self.others) {
            let Ok(file) = object::File::parse(e.bytes) else {
                continue;
            };
            let bias = godiag_core::load_bias(image, &file);
            match godiag_core::executable_mismatch(image, &file, e.bytes, program_base) {
                None => return (Some((e, bias)), None),
                Some(why) => {
                    first_mismatch.get_or_insert(why);
                }
            }
        }
        (None, first_mismatch)
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
