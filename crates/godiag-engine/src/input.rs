//! Inputs as the engine takes them (a name, the bytes, when they were
//! captured) and as its readers get them: recognised, gzipped text
//! inflated (with a cap, so a small file cannot expand without bound), and
//! text escaped inside log records or broken at a terminal's width
//! restored.

use std::io::Read;
use std::sync::Arc;

use godiag_model::InputKind;
use godiag_sniff::{sniff, Sniffed};
use memmap2::Mmap;

use crate::bundle::Bundle;

/// How much an input may cost to read.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A gzipped input is inflated up to this many bytes (text into memory,
    /// a core, an executable or a trace into a mapped temporary file);
    /// beyond it the input is cut and flagged partial.
    pub inflated_bytes: u64,
    /// Goroutines of a text kept whole; past them, a goroutine identical to
    /// an earlier one is counted on it (see `godiag_traceback::ParseLimits`).
    pub full_goroutines: usize,
}

/// Default of [`Limits::inflated_bytes`]: 1 GiB.
pub const DEFAULT_INFLATED_BYTES: u64 = 1 << 30;

impl Default for Limits {
    fn default() -> Self {
        Self {
            inflated_bytes: DEFAULT_INFLATED_BYTES,
            full_goroutines: godiag_traceback::DEFAULT_FULL_GOROUTINES,
        }
    }
}
/// A stream is read up to this; beyond it the input is cut and flagged.
const MAX_STREAM: u64 = 4 << 30;

/// Bytes in memory that an input shares with its owner (a server's request
/// body), read where they are.
pub type SharedBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Where an input's bytes are.
pub enum InputBytes {
    /// A memory-mapped file (read-only, private).
    Mapped(Mmap),
    Owned(Vec<u8>),
    /// Bytes held elsewhere and shared, not copied: an upload's body, which
    /// the server also stores.
    Shared(SharedBytes),
    /// Read to its end (at most 4 GiB) when the input is prepared.
    Stream(Box<dyn Read + Send>),
    /// A process image read in place, not bytes: a live process, stopped
    /// while it is read (`godiag attach`).
    Process(Arc<dyn ProcessSource>),
}

/// A process read like a core through the same memory abstraction: its
/// threads' registers, its memory. The executable comes as another input.
pub trait ProcessSource: Send + Sync {
    /// The process as the reading sees it.
    fn image(&self) -> godiag_core::Image<'_>;
    /// Every input has been read: until [`ProcessSource::image_again`], the
    /// engine runs its rules on what was read. A live process is let go
    /// here, so it is not stopped while they run.
    fn release(&self) {}
    /// The process again, for the frames in full of the goroutines the
    /// findings name; `None` when it cannot be had (it exited meanwhile).
    /// A process let go by [`ProcessSource::release`] is stopped again, and
    /// may have moved on since it was read.
    fn image_again(&self) -> Option<godiag_core::Image<'_>> {
        Some(self.image())
    }
    /// The frames in full are read: a process stopped again by
    /// [`ProcessSource::image_again`] is let go here. Like the others,
    /// called from the thread that created the source (ptrace lets only
    /// the thread that stopped a process let it go).
    fn done_again(&self) {}
}

/// One input to diagnose.
pub struct Input {
    /// How reports name it: a path as given, `-`, a file name in a bundle.
    pub name: String,
    pub bytes: InputBytes,
    /// RFC 3339, UTC: when it was captured, if known.
    pub captured_at: Option<String>,
    /// The bundle it came from, when that bundle has a manifest.
    pub bundle: Option<Arc<Bundle>>,
    /// What its bytes are, when already recognised (by [`crate::inputs_from_paths`],
    /// which looks for archives): not recognised twice.
    pub sniffed: Option<Sniffed>,
    /// Why it could not be read (a missing path, a dangling link, an empty
    /// directory): reported, while the other inputs are diagnosed.
    pub unreadable: Option<String>,
}

impl Input {
    pub fn new(name: impl Into<String>, bytes: InputBytes) -> Self {
        Input {
            name: name.into(),
            bytes,
            captured_at: None,
            bundle: None,
            sniffed: None,
            unreadable: None,
        }
    }

    /// A path that could not be read, and why.
    pub fn unreadable(name: impl Into<String>, why: String) -> Self {
        Input {
            unreadable: Some(why),
            ..Input::from_vec(name, Vec::new())
        }
    }

    /// An input held in memory.
    pub fn from_vec(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Input::new(name, InputBytes::Owned(bytes))
    }

    /// Its bytes, when they are in memory or mapped (not a stream or a
    /// process).
    pub fn held_bytes(&self) -> Option<&[u8]> {
        match &self.bytes {
            InputBytes::Mapped(m) => Some(m),
            InputBytes::Owned(v) => Some(v),
            InputBytes::Shared(b) => Some((**b).as_ref()),
            InputBytes::Stream(_) | InputBytes::Process(_) => None,
        }
    }
}

enum Held {
    Mapped(Mmap),
    Owned(Vec<u8>),
    Shared(SharedBytes),
}

/// An input ready for its reader.
pub struct PreparedInput {
    /// The name it was given.
    pub name: String,
    held: Held,
    pub sniffed: Sniffed,
    /// Size of the input as given (compressed size for gzip).
    pub original_len: u64,
    /// Reading stopped early (damage, or a size cap).
    pub cut: bool,
    pub warnings: Vec<String>,
    pub captured_at: Option<String>,
    pub bundle: Option<Arc<Bundle>>,
    /// The process read in place of bytes.
    pub process: Option<Arc<dyn ProcessSource>>,
    /// Why it could not be read, when it could not.
    pub unreadable: Option<String>,
}

impl PreparedInput {
    /// An input held in memory (tests, examples), prepared.
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        prepare(Input::from_vec(name, bytes))
    }

    pub fn bytes(&self) -> &[u8] {
        held_bytes(&self.held)
    }

    /// Lets the kernel drop the pages of a mapped input that were read so
    /// far: they stop counting towards the process's memory and are read
    /// again from the file if touched. For readers that walk a large input
    /// once in scattered places (the stacks of a core).
    pub fn release_pages(&self) {
        if let Held::Mapped(m) = &self.held {
            // SAFETY: the mapping is private and never written, so dropping
            // its pages loses nothing: the next access reads the same bytes
            // from the file (which, as for any mapping, must not change under us).
            let _ = unsafe { m.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
        }
    }
}

/// How messages name a binary input that was gzipped.
fn binary_name(kind: InputKind) -> &'static str {
    match kind {
        InputKind::ElfCore => "core",
        InputKind::ElfExecutable => "executable",
        _ => "trace",
    }
}

fn held_bytes(h: &Held) -> &[u8] {
    match h {
        Held::Mapped(m) => m,
        Held::Owned(v) => v,
        Held::Shared(b) => (**b).as_ref(),
    }
}

/// Recognises an input held in memory or mapped, once: [`prepare`] reuses
/// what was found. Returns whether it is a tar archive (a packed bundle),
/// which front ends unpack into its files with
/// [`crate::inputs_from_archive`].
pub fn recognise(input: &mut Input) -> bool {
    let Some(bytes) = input.held_bytes() else {
        return false;
    };
    let sniffed = sniff(bytes);
    let tar = sniffed.kind == InputKind::TarArchive;
    input.sniffed = Some(sniffed);
    tar
}

/// Recognises an input and makes its bytes readable by its reader.
pub fn prepare(input: Input) -> PreparedInput {
    prepare_with(input, &Limits::default())
}

/// [`prepare`] within limits other than the defaults.
pub fn prepare_with(input: Input, limits: &Limits) -> PreparedInput {
    let max_inflated = limits.inflated_bytes;
    let mut warnings = Vec::new();
    let mut cut = false;
    let held = match input.bytes {
        InputBytes::Process(process) => {
            return PreparedInput {
                name: input.name,
                held: Held::Owned(Vec::new()),
                sniffed: Sniffed::of(InputKind::LiveProcess),
                original_len: 0,
                cut: false,
                warnings,
                captured_at: input.captured_at,
                bundle: input.bundle,
                process: Some(process),
                unreadable: None,
            }
        }
        InputBytes::Mapped(m) => Held::Mapped(m),
        InputBytes::Owned(v) => Held::Owned(v),
        InputBytes::Shared(b) => Held::Shared(b),
        InputBytes::Stream(r) => {
            let mut v = Vec::new();
            match r.take(MAX_STREAM).read_to_end(&mut v) {
                Err(e) => {
                    cut = true;
                    warnings.push(format!("reading stopped at byte {}: {e}", v.len()));
                }
                Ok(_) if v.len() as u64 == MAX_STREAM => {
                    cut = true;
                    warnings.push(format!("input cut at {MAX_STREAM} bytes"));
                }
                Ok(_) => {}
            }
            Held::Owned(v)
        }
    };
    let original_len = held_bytes(&held).len() as u64;
    // Recognised again once converted: what was sniffed before was UTF-16.
    let mut presniffed = input.sniffed;
    let held = match crate::utf16::decoded(held_bytes(&held), max_inflated) {
        Some(d) => {
            presniffed = None;
            warnings.push(format!(
                "read as UTF-16 ({}, with its byte-order mark) and converted to UTF-8",
                if d.big_endian {
                    "big-endian"
                } else {
                    "little-endian"
                }
            ));
            if d.cut {
                cut = true;
                warnings.push(format!(
                    "the converted text was cut at {max_inflated} bytes (--max-inflated-mib)"
                ));
            }
            Held::Owned(d.bytes)
        }
        None => held,
    };
    let data = held_bytes(&held);
    let sniffed = presniffed.unwrap_or_else(|| sniff(data));
    // Text inside gzip is decompressed for the text reader; binary kinds keep
    // their compressed bytes for their own readers.
    let text_kind = matches!(
        sniffed.kind,
        InputKind::CrashText
            | InputKind::SigquitDump
            | InputKind::GoroutineDump
            | InputKind::GoroutineCountDump
            | InputKind::RaceReport
            | InputKind::PprofText
    );
    // Binary kinds whose readers want the bytes in place are inflated into
    // a mapped temporary file; a profile inflates itself as it is decoded,
    // an archive as it is unpacked.
    let binary_kind = matches!(
        sniffed.kind,
        InputKind::ElfCore | InputKind::ElfExecutable | InputKind::ExecutionTrace
    );
    let (held, sniffed) = if sniffed.gzipped && text_kind {
        let inflated = crate::inflate::into_memory(data, max_inflated);
        cut |= inflated.cut;
        warnings.extend(inflated.warnings);
        (Held::Owned(inflated.bytes), sniffed)
    } else if sniffed.gzipped && binary_kind {
        match crate::inflate::into_file(data, max_inflated, binary_name(sniffed.kind)) {
            Ok(inflated) => {
                cut |= inflated.cut;
                warnings.extend(inflated.warnings);
                // Recognised again on the whole: an executable's build
                // information lies past the part looked at first.
                let mut whole = sniff(&inflated.bytes);
                if whole.kind != sniffed.kind {
                    whole = sniffed;
                }
                whole.gzipped = true;
                (Held::Mapped(inflated.bytes), whole)
            }
            Err(e) => {
                cut = true;
                warnings.push(e);
                (held, sniffed)
            }
        }
    } else {
        (held, sniffed)
    };
    // Text escaped inside log records or broken at a terminal's width is
    // restored before it is read; the notes say what was done.
    let (held, sniffed) = match text_kind
        .then(|| godiag_traceback::restore(held_bytes(&held)))
        .flatten()
    {
        Some(r) => {
            warnings.extend(r.notes);
            cut |= r.cut;
            let mut again = sniff(&r.text);
            if again.kind == InputKind::Unrecognized {
                again.kind = sniffed.kind;
            }
            (Held::Owned(r.text), again)
        }
        None => (held, sniffed),
    };
    PreparedInput {
        name: input.name,
        held,
        sniffed,
        original_len,
        cut,
        warnings,
        captured_at: input.captured_at,
        bundle: input.bundle,
        process: None,
        unreadable: input.unreadable,
    }
}
