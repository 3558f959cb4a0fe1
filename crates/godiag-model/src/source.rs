//! What an input is and which evidence source it speaks for.

use serde::Serialize;

/// The kind of an artifact, recognised by content (never by file name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// Panic / fatal error / signal output, possibly with all goroutines.
    CrashText,
    /// A SIGQUIT dump (`SIGQUIT: quit` followed by every goroutine).
    SigquitDump,
    /// `/debug/pprof/goroutine?debug=2` or `runtime.Stack(buf, true)`.
    GoroutineDump,
    /// `/debug/pprof/goroutine?debug=1`: stacks with counts.
    GoroutineCountDump,
    /// `WARNING: DATA RACE` reports from a `-race` build.
    RaceReport,
    /// `profile.proto`, gzipped or not.
    PprofProto,
    /// Legacy text profiles (heap, mutex, block, threadcreate with debug=1).
    PprofText,
    /// A `runtime/trace` execution trace.
    ExecutionTrace,
    /// An ELF core dump.
    ElfCore,
    /// A live process, stopped briefly and read like a core (`godiag attach`).
    LiveProcess,
    /// An ELF executable (or shared object) built by Go.
    ElfExecutable,
    /// A `bundle.json` written by `godiag collect` / `godiag run`.
    BundleManifest,
    /// A tar archive, gzipped or not: a packed bundle, read as its files.
    TarArchive,
    /// Nothing godiag knows.
    Unrecognized,
}

impl InputKind {
    /// A process image read from memory: a core file or a live process.
    pub fn is_process_image(self) -> bool {
        matches!(self, InputKind::ElfCore | InputKind::LiveProcess)
    }

    /// The evidence source this kind speaks for in the verification matrix.
    pub fn source(self) -> Option<Source> {
        Some(match self {
            InputKind::CrashText => Source::Crash,
            InputKind::SigquitDump | InputKind::GoroutineDump | InputKind::GoroutineCountDump => {
                Source::GoroutineDump
            }
            InputKind::RaceReport => Source::Race,
            InputKind::PprofProto | InputKind::PprofText => Source::Pprof,
            InputKind::ExecutionTrace => Source::Trace,
            InputKind::ElfCore | InputKind::LiveProcess => Source::Core,
            InputKind::ElfExecutable
            | InputKind::BundleManifest
            | InputKind::TarArchive
            | InputKind::Unrecognized => return None,
        })
    }

    /// The name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::CrashText => "crash-text",
            InputKind::SigquitDump => "sigquit-dump",
            InputKind::GoroutineDump => "goroutine-dump",
            InputKind::GoroutineCountDump => "goroutine-count-dump",
            InputKind::RaceReport => "race-report",
            InputKind::PprofProto => "pprof-proto",
            InputKind::PprofText => "pprof-text",
            InputKind::ExecutionTrace => "execution-trace",
            InputKind::ElfCore => "elf-core",
            InputKind::LiveProcess => "live-process",
            InputKind::ElfExecutable => "elf-executable",
            InputKind::BundleManifest => "bundle-manifest",
            InputKind::TarArchive => "tar-archive",
            InputKind::Unrecognized => "unrecognized",
        }
    }

    /// Whether this build of godiag has a reader for the kind.
    pub fn is_analysed(self) -> bool {
        matches!(
            self,
            InputKind::CrashText
                | InputKind::SigquitDump
                | InputKind::GoroutineDump
                | InputKind::GoroutineCountDump
                | InputKind::RaceReport
                | InputKind::PprofProto
                | InputKind::PprofText
                | InputKind::ElfExecutable
                | InputKind::ElfCore
                | InputKind::LiveProcess
                | InputKind::ExecutionTrace
        )
    }
}

/// An independent evidence source, as named in the verification matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Crash,
    GoroutineDump,
    Race,
    Pprof,
    Trace,
    Core,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Crash => "crash",
            Source::GoroutineDump => "goroutine-dump",
            Source::Race => "race",
            Source::Pprof => "pprof",
            Source::Trace => "trace",
            Source::Core => "core",
        }
    }
}

/// How far an input could be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputStatus {
    /// Read completely.
    Parsed,
    /// Read up to a cut or damage, or recognised but not read by this build
    /// (then the input also says `analysed: false`); what was read is reported.
    Partial,
    /// Not a kind godiag knows.
    Unrecognized,
}
