//! `godiag`: the command line over godiag's readers, rules and renderers.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use godiag::inputs_from_paths;
use godiag_engine::tools;
use godiag_model::GroupKeyMode;
use godiag_report::{render_json, render_text, TextOptions};

/// Exit status: the analysis ran (whatever it found).
const EXIT_OK: u8 = 0;
/// Exit status: godiag itself failed (writing the output, an internal error).
const EXIT_FAILURE: u8 = 1;
/// Exit status: no input could be read (missing, unreadable, I/O error).
const EXIT_UNREADABLE: u8 = 3;
/// Bad usage (clap uses the same code for its own errors).
const EXIT_USAGE: u8 = 2;

const ABOUT: &str = "Finds the root cause of Go crashes, hangs and leaks";
const LONG_ABOUT: &str =
    "Finds the root cause of Go crashes, hangs and leaks from the artifacts Go programs \
already produce: crash output, goroutine dumps, race reports, pprof profiles, execution traces and \
core dumps. Inputs are recognised by content.";
const AFTER_HELP: &str = "Exit status:\n  0  success: the analysis ran (findings or not), or the explanation was printed\n  1  godiag failed (for example, the output could not be written)\n  2  bad usage (unknown option, missing argument)\n  3  no input could be read (missing file, permission, I/O error, empty directory); one among others is reported with why\n  4  explain: no catalog entry matches the query";
const ANALYZE_ABOUT: &str =
    "Analyse artifacts: files, directories (bundles) or `-` for standard input";

#[derive(Parser)]
#[command(
    name = "godiag",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(about = ANALYZE_ABOUT)]
    Analyze(AnalyzeArgs),
    /// Explain a finding kind or a runtime message: what it means, usual
    /// causes, how to confirm, how to fix.
    Explain(ExplainArgs),
    /// Draw a flame graph (SVG) of a pprof profile.
    Flamegraph(FlamegraphArgs),
    /// Convert an execution trace: a timeline for ui.perfetto.dev, or one of the
    /// blocking profiles `go tool trace -pprof=` offers, for `go tool pprof`.
    Export(ExportArgs),
    /// Run a Go program with crash diagnostics on (GOTRACEBACK=crash,
    /// GODEBUG=gctrace=1, core dumps); when it fails, keep its crash output,
    /// core dump and executable in a bundle and analyse it.
    Run(RunArgs),
    /// Capture a bundle from a live service's /debug/pprof/ endpoints
    /// (goroutine dumps, heap, allocs, mutex, block, CPU profile, execution
    /// trace, goroutine leak profile) in snapshots, then analyse it.
    Collect(CollectArgs),
    /// Diagnose a live, hung Go process without killing it: its threads are
    /// stopped briefly (ptrace), it is read like a core (goroutines, what
    /// they wait on, lock holders, findings), and it goes on running.
    Attach(AttachArgs),
    /// Watch live services: sample them every interval, and when a rule fires
    /// (goroutines or heap jumping or growing steadily), capture a bundle,
    /// diagnose it, keep it with its reports and alert Alertmanager.
    Watch(WatchArgs),
    /// Receive a fleet's crash reports over HTTP, diagnose them and group
    /// them by signature (docs/serve.md).
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8460", value_name = "ADDR")]
    listen: std::net::SocketAddr,
    /// The store: `sqlite:PATH`, or `postgres://USER@HOST:PORT/DB` for
    /// several replicas.
    #[arg(long, default_value = "sqlite:godiag.db", value_name = "URL")]
    db: String,
    /// A project token reports must carry (`Authorization: Bearer TOKEN`);
    /// repeatable. None: reports need no token.
    #[arg(long, value_name = "TOKEN")]
    token: Vec<String>,
    /// Largest report accepted, in MiB (larger ones get 413).
    #[arg(long, default_value_t = 32, value_name = "MIB")]
    max_report_mib: usize,
    /// Most a report may inflate to, in MiB (gzip, bundle archives).
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    max_inflated_mib: u64,
    /// Reports a minute per sender (project token, else address), with a
    /// burst as large; more get 429. 0: no limit.
    #[arg(long, default_value_t = 600, value_name = "N")]
    rate_limit: u32,
    /// Alertmanager to alert on new groups and regressions
    /// (`http://HOST:9093`).
    #[arg(long, value_name = "URL")]
    alertmanager: Option<String>,
    /// A URL to POST each new group and regression to, as JSON; repeatable.
    #[arg(long, value_name = "URL")]
    webhook: Vec<String>,
    /// The web UI's address as people reach it, for links in alerts
    /// (default: http://LISTEN).
    #[arg(long, value_name = "URL")]
    external_url: Option<String>,
    /// Log lines as text or JSON, on standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(clap::Args)]
struct WatchArgs {
    /// Services to watch (`http://HOST:PORT`, with /debug/pprof/ served).
    urls: Vec<String>,
    /// A TOML file: targets with labels, auth and rule overrides; rules;
    /// receivers; retention; file-based discovery (docs/watch.md).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Seconds between samples of each service.
    #[arg(long, default_value_t = 15.0, value_name = "SECONDS")]
    interval: f64,
    /// Where bundles and their reports are kept (`DIR/<target>/<time>/`).
    #[arg(long, default_value = "godiag-watch", value_name = "DIR")]
    out: PathBuf,
    /// Alertmanager to send alerts to (API v2).
    #[arg(long, value_name = "URL")]
    alertmanager: Option<String>,
    /// A URL that receives each finding and its report's path as JSON (repeatable).
    #[arg(long, value_name = "URL")]
    webhook: Vec<String>,
    /// Serve Prometheus metrics on ADDR (`/metrics`).
    #[arg(long, value_name = "ADDR")]
    listen: Option<std::net::SocketAddr>,
    /// Log lines as text or JSON, on standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct AttachArgs {
    /// The process id (as this PID namespace sees it).
    pid: i32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of standard output (`-` is standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the stopped process as an ELF core to FILE (as gcore does),
    /// for `godiag analyze FILE --exe EXE` later. This reads all its memory
    /// while it is stopped, so the pause is longer.
    #[arg(long, value_name = "FILE")]
    core: Option<PathBuf>,
    /// The executable, when /proc/PID/exe cannot be read (a process in
    /// another mount namespace) or is not the one to use.
    #[arg(long, value_name = "FILE")]
    exe: Option<PathBuf>,
    /// Goroutine groups shown in the text report.
    #[arg(long, default_value_t = 12, value_name = "N")]
    max_groups: usize,
}

#[derive(clap::Args)]
struct CollectArgs {
    /// The service: http://HOST:PORT (its /debug/pprof/ is used), or the full
    /// address of the pprof index.
    #[arg(value_name = "URL")]
    url: String,
    /// The bundle directory (default: godiag-collect-<time> here).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Length of the CPU profile and of the execution trace.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    seconds: u64,
    /// Goroutine and heap snapshots to take, for leak detection.
    #[arg(long, default_value_t = 2, value_name = "N")]
    snapshots: u32,
    /// Seconds between snapshots.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    interval: u64,
    /// Seconds to wait for each response (beyond the profiling time).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    timeout: u64,
    /// No CPU profile.
    #[arg(long)]
    no_cpu: bool,
    /// No execution trace.
    #[arg(long)]
    no_trace: bool,
    /// Take a debug=2 goroutine dump in every snapshot even when they are
    /// less than 30 s apart (each dump stops the world while it is written).
    #[arg(long)]
    allow_frequent_dumps: bool,
    /// A header sent with every request, `Name: value` (repeatable):
    /// `--header 'Authorization: Bearer TOKEN'`.
    #[arg(long = "header", value_name = "HEADER")]
    headers: Vec<String>,
    /// Basic auth, `user:password`.
    #[arg(long, value_name = "USER:PASSWORD")]
    basic_auth: Option<String>,
    /// Accept any TLS certificate (a self-signed one of an internal service).
    #[arg(long)]
    insecure: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of standard output (`-` is standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(clap::Args)]
struct RunArgs {
    /// The bundle directory (default: godiag-run-<time>-<pid> here).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Keep the bundle even when the program succeeds.
    #[arg(long)]
    keep: bool,
    /// A hang: when the program runs this many seconds, send it SIGQUIT,
    /// so the runtime prints every goroutine and writes a core
    /// (GOTRACEBACK=crash). SIGTERM to godiag does the same at once.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of standard output (`-` is standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// When the program fails, upload its bundle to a `godiag serve` at
    /// URL (`https://godiag.example`).
    #[arg(long, value_name = "URL")]
    report: Option<String>,
    /// The project token `--report` sends.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "GODIAG_REPORT_TOKEN",
        hide_env_values = true
    )]
    report_token: Option<String>,
    /// The service name `--report` sends (default: the program's name).
    #[arg(long, value_name = "NAME")]
    service: Option<String>,
    /// The program and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "PROGRAM")]
    command: Vec<std::ffi::OsString>,
}

#[derive(clap::Args)]
struct ExportArgs {
    /// An execution trace (runtime/trace, `go test -trace`, /debug/pprof/trace,
    /// a flight-recorder snapshot); Go 1.22 or later.
    #[arg(value_name = "TRACE")]
    trace: PathBuf,
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// With `--format pprof`: which blocking profile.
    #[arg(long, value_enum, default_value_t = BlockingProfile::Sched)]
    profile: BlockingProfile,
    /// Where to write it (`-` is standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    output: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// Chrome trace-event JSON: open it at https://ui.perfetto.dev.
    Perfetto,
    /// A gzipped profile.proto with `contentions` and `delay` samples.
    Pprof,
}

#[derive(Clone, Copy, ValueEnum)]
enum BlockingProfile {
    /// Time waiting on the network.
    Net,
    /// Time blocked on channels, select, mutexes and other sync.
    Sync,
    /// Time in system calls.
    Syscall,
    /// Time runnable, waiting for a P (scheduler latency).
    Sched,
}

#[derive(clap::Args)]
struct FlamegraphArgs {
    /// A pprof profile (profile.proto, gzipped or not, or a debug=1 text profile).
    #[arg(value_name = "PROFILE")]
    profile: PathBuf,
    /// The value to draw (`cpu`, `inuse_space`, `alloc_objects`, `delay`,
    /// ...); default: the profile's default sample type.
    #[arg(long, value_name = "TYPE")]
    sample_type: Option<String>,
    /// Where to write the SVG (`-` is standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    output: PathBuf,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// A finding kind (`deadlock`) or a runtime message as printed
    /// (`"fatal error: concurrent map writes"`), or a fragment of one.
    #[arg(value_name = "KIND | MESSAGE", required_unless_present = "all")]
    query: Vec<String>,
    /// The whole catalog (every kind and message).
    #[arg(long)]
    all: bool,
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainFormat {
    Text,
    Markdown,
    Json,
}

/// The command line with `analyze` as its only subcommand: what `godiag
/// analyze ...` parses. Building every subcommand's arguments first costs
/// about 60 µs more, of the 2-3 ms a small profile's whole run takes; the
/// help and errors are the same (tested against [`Cli`]).
fn analyze_only_command() -> clap::Command {
    use clap::Args;
    clap::Command::new("godiag")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        .after_help(AFTER_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(AnalyzeArgs::augment_args(clap::Command::new("analyze")).about(ANALYZE_ABOUT))
}

/// The command line; `analyze` (the run that must start fast) is parsed
/// without building the other subcommands.
fn parse_cli() -> Cli {
    use clap::FromArgMatches;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "analyze") {
        let parsed = analyze_only_command()
            .try_get_matches_from(&args)
            .and_then(|m| match m.subcommand() {
                Some(("analyze", sub)) => AnalyzeArgs::from_arg_matches(sub),
                _ => Err(clap::Error::new(clap::error::ErrorKind::MissingSubcommand)),
            });
        match parsed {
            Ok(args) => {
                return Cli {
                    command: Command::Analyze(args),
                }
            }
            Err(e) => e.exit(),
        }
    }
    Cli::parse_from(args)
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// Files, directories (every file inside is an input) or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of standard output (`-` is standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// How goroutines are grouped: by stack (argument values ignored), or by
    /// stack and scalar argument values.
    #[arg(long, value_enum, default_value_t = Grouping::Stack)]
    group: Grouping,
    /// The executable behind a core dump (when the bundle does not hold it).
    #[arg(long, value_name = "FILE")]
    exe: Option<PathBuf>,
    /// Goroutine groups shown per input in the text report.
    #[arg(long, default_value_t = 12, value_name = "N")]
    max_groups: usize,
    #[command(flatten)]
    limits: LimitArgs,
}

/// What one input may cost to read: each bounds memory on huge or hostile
/// inputs (docs/limits.md).
#[derive(clap::Args, Clone, Copy)]
struct LimitArgs {
    /// Most standard input read, in MiB: stdin is held in memory (files
    /// are mapped), so an endless or huge one ends with an error.
    #[arg(long, default_value_t = godiag::DEFAULT_MAX_STDIN_MIB, value_name = "MIB")]
    max_stdin_mib: u64,
    /// Most inflated from a gzipped input (text, core, executable, trace), in
    /// MiB; beyond it the input is read up to there and flagged partial.
    #[arg(long, default_value_t = godiag_engine::input::DEFAULT_INFLATED_BYTES >> 20, value_name = "MIB")]
    max_inflated_mib: u64,
    /// Goroutines of a dump kept whole; past them, a goroutine with the same
    /// stack and state as an earlier one is counted on it (its id and
    /// arguments are not kept).
    #[arg(long, default_value_t = godiag_engine::DEFAULT_FULL_GOROUTINES, value_name = "N")]
    full_goroutines: usize,
}

impl Default for LimitArgs {
    fn default() -> Self {
        Self {
            max_stdin_mib: godiag::DEFAULT_MAX_STDIN_MIB,
            max_inflated_mib: godiag_engine::input::DEFAULT_INFLATED_BYTES >> 20,
            full_goroutines: godiag_engine::DEFAULT_FULL_GOROUTINES,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    /// For pasting into an issue or a ticket.
    Markdown,
    /// One self-contained page for a browser: findings with their
    /// verification, timeline, flame graphs, goroutine groups.
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum Grouping {
    Stack,
    Args,
}

fn main() -> ExitCode {
    let cli = parse_cli();
    match cli.command {
        Command::Analyze(args) => match analyze(args) {
            // The report says why; scripts see it in the status.
            (status, true) if status == ExitCode::from(EXIT_OK) => ExitCode::from(EXIT_UNREADABLE),
            (status, _) => status,
        },
        Command::Explain(args) => explain(args),
        Command::Flamegraph(args) => flamegraph(args),
        Command::Export(args) => export(args),
        Command::Run(args) => run(args),
        Command::Collect(args) => collect(args),
        Command::Attach(args) => attach(args),
        Command::Watch(args) => watch(args),
        Command::Serve(args) => serve(args),
    }
}

fn collect(args: CollectArgs) -> ExitCode {
    let http = match http_options(&args) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("godiag: {e:#}");
            return ExitCode::from(2);
        }
    };
    let opts = godiag::collect::CollectOptions {
        url: args.url,
        out: args.out,
        seconds: args.seconds,
        snapshots: args.snapshots,
        interval: std::time::Duration::from_secs(args.interval),
        timeout: std::time::Duration::from_secs(args.timeout),
        cpu: !args.no_cpu,
        trace: !args.no_trace,
        frequent_dumps: args.allow_frequent_dumps,
        progress: true,
        http,
    };
    let dir = match godiag::collect::collect(&opts) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("godiag: {e:#}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    eprintln!("godiag: the bundle is in {}", dir.display());
    if godiag::collect::is_empty_bundle(&dir) {
        eprintln!(
            "godiag: nothing could be collected; see {}/bundle.json",
            dir.display()
        );
        return ExitCode::from(EXIT_UNREADABLE);
    }
    analyze(AnalyzeArgs {
        paths: vec![dir],
        format: args.format,
        output: args.output,
        group: Grouping::Stack,
        exe: None,
        max_groups: 12,
        limits: LimitArgs::default(),
    })
    .0
}

/// Headers, basic auth and TLS for `collect`.
fn http_options(args: &CollectArgs) -> anyhow::Result<godiag::collect::HttpOptions> {
    Ok(godiag::collect::HttpOptions {
        headers: args
            .headers
            .iter()
            .map(|h| godiag::collect::HttpOptions::parse_header(h))
            .collect::<anyhow::Result<_>>()?,
        basic_auth: args
            .basic_auth
            .as_deref()
            .map(godiag::collect::HttpOptions::parse_basic_auth)
            .transpose()?,
        insecure: args.insecure,
    })
}

fn run(args: RunArgs) -> ExitCode {
    let mut command = args.command.into_iter();
    let Some(program) = command.next() else {
        eprintln!("godiag: run needs a program: godiag run -- PROGRAM [ARGS]");
        return ExitCode::from(2);
    };
    let opts = godiag::run::RunOptions {
        program: PathBuf::from(program),
        args: command.collect(),
        out: args.out,
        keep: args.keep,
        timeout: args
            .timeout
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(std::time::Duration::from_secs_f64),
    };
    let outcome = match godiag::run::run(&opts) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("godiag: {e:#}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let code = outcome.exit_code();
    match outcome.stopped {
        Some(godiag::run_stop::Stopped::TimedOut) => eprintln!(
            "godiag: {} ran past --timeout: sent it SIGQUIT for its goroutine dump",
            opts.program.display()
        ),
        Some(godiag::run_stop::Stopped::Asked) => eprintln!(
            "godiag: asked to stop: sent {} SIGQUIT for its goroutine dump",
            opts.program.display()
        ),
        None => {}
    }
    let Some(bundle) = outcome.bundle else {
        return ExitCode::from(code);
    };
    // What the bundle holds, as it is: a core only when the kernel wrote one.
    let held = if bundle.join("core").exists() {
        "its crash output, core and executable are in"
    } else {
        "no core was written; its crash output and executable are in"
    };
    eprintln!(
        "godiag: {} ended with exit status {code}; {held} {}",
        opts.program.display(),
        bundle.display()
    );
    let (status, _) = analyze(AnalyzeArgs {
        paths: vec![bundle.clone()],
        format: args.format,
        output: args.output,
        group: Grouping::Stack,
        exe: None,
        max_groups: 12,
        limits: LimitArgs::default(),
    });
    if let Some(url) = args.report {
        report_bundle(&bundle, url, args.report_token, args.service, &opts.program);
    }
    if status != ExitCode::from(EXIT_OK) {
        return status;
    }
    // The program's own status, as if it had run alone.
    ExitCode::from(code)
}

/// `run --report`: the bundle to `godiag serve`. A failed upload is said,
/// and changes no exit status: the program's failure is what matters.
fn report_bundle(
    bundle: &Path,
    url: String,
    token: Option<String>,
    service: Option<String>,
    program: &Path,
) {
    let upload = godiag::collect::Upload {
        url,
        token,
        service: service.or_else(|| {
            program
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        }),
        host: std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty()),
        http: Default::default(),
    };
    match godiag::collect::upload_bundle(bundle, &upload) {
        Ok(up) => {
            if !up.left_out.is_empty() {
                eprintln!(
                    "godiag: the whole bundle was too large for the server; sent without {}",
                    up.left_out.join(", ")
                );
            }
            eprintln!(
                "godiag: reported to {}: group {} ({}{})",
                upload.url,
                up.answer["group_id"],
                up.answer["kind"].as_str().unwrap_or("?"),
                if up.answer["new_group"] == true {
                    ", a new group"
                } else {
                    ""
                }
            );
        }
        Err(e) => eprintln!("godiag: the report was not sent: {e:#}"),
    }
}

fn export(args: ExportArgs) -> ExitCode {
    let file = match std::fs::File::open(&args.trace) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("godiag: cannot read {}: {e}", args.trace.display());
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    // SAFETY: the file is only read; a concurrent writer would change what is read, not memory safety.
    let map = match unsafe { memmap2::Mmap::map(&file) } {
        Ok(m) => m,
        Err(e) => {
            eprintln!("godiag: cannot read {}: {e}", args.trace.display());
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let data: &[u8] = &map;
    let out = match create_output(&args.output) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("godiag: cannot write {}: {e}", args.output.display());
            return ExitCode::from(1);
        }
    };
    let mut out = std::io::BufWriter::new(out);
    let ended = match args.format {
        ExportFormat::Perfetto => match tools::export_perfetto(data, &mut out) {
            Ok(ended) => ended,
            Err(tools::ExportError::Write(e)) => return write_failed(&args.output, &e),
            Err(e) => {
                eprintln!("godiag: {}: {e}", args.trace.display());
                return ExitCode::from(EXIT_UNREADABLE);
            }
        },
        ExportFormat::Pprof => {
            let which = match args.profile {
                BlockingProfile::Net => tools::BlockingProfile::Net,
                BlockingProfile::Sync => tools::BlockingProfile::Sync,
                BlockingProfile::Syscall => tools::BlockingProfile::Syscall,
                BlockingProfile::Sched => tools::BlockingProfile::Sched,
            };
            match tools::export_blocking_profile(data, which) {
                Ok((bytes, ended)) => {
                    if let Err(e) = std::io::Write::write_all(&mut out, &bytes) {
                        return write_failed(&args.output, &e);
                    }
                    ended
                }
                Err(e) => {
                    eprintln!("godiag: {}: {e}", args.trace.display());
                    return ExitCode::from(EXIT_UNREADABLE);
                }
            }
        }
    };
    if let Err(e) = std::io::Write::flush(&mut out) {
        return write_failed(&args.output, &e);
    }
    if let Some(why) = ended {
        eprintln!(
            "godiag: {}: warning: the trace ends early ({why}); exported what was read",
            args.trace.display()
        );
    }
    ExitCode::SUCCESS
}

fn flamegraph(args: FlamegraphArgs) -> ExitCode {
    let data = match std::fs::read(&args.profile) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("godiag: cannot read {}: {e}", args.profile.display());
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let profile = match tools::read_profile(&data) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("godiag: {}: {e}", args.profile.display());
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    for w in &profile.warnings {
        eprintln!("godiag: {}: warning: {w}", args.profile.display());
    }
    let types = profile.sample_types();
    let index = match &args.sample_type {
        Some(t) => match profile.sample_index(t) {
            Some(i) => i,
            None => {
                let names: Vec<&str> = types.iter().map(|(t, _)| *t).collect();
                eprintln!(
                    "godiag: {} has no sample type {t:?}; it has {names:?}",
                    args.profile.display()
                );
                return ExitCode::from(2);
            }
        },
        None => profile.default_sample_index(),
    };
    let (ty, _) = types.get(index).copied().unwrap_or(("", ""));
    let title = format!(
        "{} — {} profile, {ty}",
        args.profile
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        profile.kind().name(),
    );
    let Some(svg) = godiag_report::flamegraph_svg(&profile, index, &title) else {
        eprintln!(
            "godiag: {}: no samples with a {ty} value to draw",
            args.profile.display()
        );
        return ExitCode::from(EXIT_FAILURE);
    };
    let written = create_output(&args.output).and_then(|mut out| {
        out.write_all(&svg)?;
        out.flush()
    });
    match written {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => write_failed(&args.output, &e),
    }
}

/// Exit status of `explain` when the catalog has no entry for the query.
const EXIT_NOT_FOUND: u8 = 4;

fn explain(args: ExplainArgs) -> ExitCode {
    let text = if args.all {
        match args.format {
            ExplainFormat::Json => {
                let c = godiag_analysis::catalog::catalog();
                let mut s = serde_json::to_string_pretty(&serde_json::json!({
                    "kinds": c.kinds,
                    "messages": c.messages,
                }))
                .unwrap_or_default();
                s.push('\n');
                s
            }
            _ => godiag_report::render_catalog_markdown(),
        }
    } else {
        let query = args.query.join(" ");
        // A kind or a whole message; else what the engine reads in it as
        // pasted text (a signal line, a kill), explained by its kind; else
        // the catalog entry it is a fragment of.
        let catalog = || godiag_analysis::catalog::explain_fragment(&query).map(|e| (e, None));
        let pasted = || match tools::read_as_pasted(&query)? {
            // An unclassified failure's kind says nothing the finding does not.
            tools::PastedReading::Finding(f)
                if f.kind == godiag_analysis::FindingKind::UnknownFailure =>
            {
                let mut words = f.title;
                if let Some(summary) = f.summary {
                    words = format!("{words}: {summary}");
                }
                if !f.next_steps.is_empty() {
                    words = format!("{words}.\nNext steps:\n- {}", f.next_steps.join("\n- "));
                }
                Some(Err(words))
            }
            tools::PastedReading::Finding(f) => Some(Ok((
                godiag_analysis::catalog::explain(f.kind.name())?,
                Some(f.title),
            ))),
            tools::PastedReading::Words(words) => Some(Err(words)),
        };
        // A signal's name is the runtime's line when the catalog has it
        // (`SIGSEGV: segmentation violation`), else a launcher's (SIGKILL).
        let by_name = query.trim().starts_with("SIG");
        let found = match godiag_analysis::catalog::explain_exactly(&query) {
            Some(e) => Some(Ok((e, None))),
            None if by_name => catalog().map(Ok).or_else(pasted),
            None => pasted().or_else(|| catalog().map(Ok)),
        };
        let (e, read_as) = match found {
            Some(Ok(found)) => found,
            Some(Err(stop)) => {
                return print_or_fail(&match args.format {
                    ExplainFormat::Json => format!(
                        "{}\n",
                        serde_json::json!({ "query": query, "read_as_pasted": stop })
                    ),
                    _ => format!("{query:?}: {stop}.\n"),
                })
            }
            None => {
                eprintln!(
                    "godiag: no catalog entry for {query:?}; `godiag explain --all` lists every kind and message"
                );
                return ExitCode::from(EXIT_NOT_FOUND);
            }
        };
        let explained = match args.format {
            ExplainFormat::Text => godiag_report::render_explanation_text(&e),
            ExplainFormat::Markdown => godiag_report::render_explanation_markdown(&e),
            ExplainFormat::Json => godiag_report::render_explanation_json(&e),
        };
        match (read_as, args.format) {
            (Some(title), ExplainFormat::Text | ExplainFormat::Markdown) => {
                format!("{query:?}, read as pasted text: {title}\n\n{explained}")
            }
            _ => explained,
        }
    };
    print_or_fail(&text)
}

fn print_or_fail(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::from(EXIT_OK),
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("godiag: cannot write: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// `-o -` names standard output, as in most Unix tools.
fn output_file(output: Option<&Path>) -> Option<&Path> {
    output.filter(|p| p.as_os_str() != "-")
}

/// An exporter's write failed: a reader that closed the pipe early (`-o -
/// | head`) took what it wanted, as for the report; anything else fails.
fn write_failed(path: &Path, e: &std::io::Error) -> ExitCode {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return ExitCode::from(EXIT_OK);
    }
    eprintln!("godiag: cannot write {}: {e}", path.display());
    ExitCode::from(EXIT_FAILURE)
}

/// The file an exporter writes to, or standard output for `-`.
fn create_output(path: &Path) -> std::io::Result<Box<dyn std::io::Write>> {
    if output_file(Some(path)).is_none() {
        return Ok(Box::new(std::io::stdout().lock()));
    }
    Ok(Box::new(std::fs::File::create(path)?))
}

/// Writes to FILE, or standard output, through a buffer; a closed pipe is
/// the reader's choice, not a failure.
fn write_streamed(
    output: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> ExitCode {
    let result = match output {
        Some(path) => std::fs::File::create(path).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            write(&mut w)?;
            std::io::Write::flush(&mut w)
        }),
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut w).and_then(|()| std::io::Write::flush(&mut w))
        }
    };
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_OK),
        Err(e) => {
            match output {
                Some(path) => eprintln!("godiag: cannot write {}: {e}", path.display()),
                None => eprintln!("godiag: cannot write: {e}"),
            }
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Inputs at least this large get a progress bar on a terminal.
const LARGE_INPUT: usize = 256 << 20;

/// A progress bar, when standard error is a terminal and an input is large.
fn progress_bar(inputs: &[godiag_engine::Input]) -> Option<indicatif::ProgressBar> {
    let large = inputs
        .iter()
        .any(|i| i.held_bytes().is_some_and(|b| b.len() >= LARGE_INPUT));
    if !large || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {elapsed}") {
        pb.set_style(style.progress_chars("#>-"));
    }
    Some(pb)
}

/// Analyses the inputs and writes the report: its status, and whether no
/// input could be analysed.
fn analyze(args: AnalyzeArgs) -> (ExitCode, bool) {
    let mut paths = args.paths.clone();
    paths.extend(args.exe.iter().cloned());
    // The report written over one of its own inputs would lose the input.
    if let Some(out) = args.output.as_ref().filter(|o| o.as_os_str() != "-") {
        let same = |p: &PathBuf| {
            std::fs::canonicalize(p)
                .ok()
                .zip(std::fs::canonicalize(out).ok())
                .is_some_and(|(a, b)| a == b)
        };
        if paths.iter().any(same) {
            eprintln!(
                "godiag: -o {} is one of the inputs; the report would overwrite it",
                out.display()
            );
            return (ExitCode::from(2), false);
        }
    }
    let inputs = match inputs_from_paths(&paths, args.limits.max_stdin_mib << 20) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("godiag: {e:#}");
            return (ExitCode::from(EXIT_UNREADABLE), true);
        }
    };
    // Said on the terminal too: a mistyped path is easy to miss in a report.
    for input in &inputs {
        if let Some(why) = &input.unreadable {
            eprintln!("godiag: warning: {}: {why}", input.name);
        }
    }
    // A bar on a terminal while a large input (a multi-GB core) is read.
    let bar = progress_bar(&inputs);
    let options = godiag_engine::Options {
        grouping: match args.group {
            Grouping::Stack => GroupKeyMode::Stack,
            Grouping::Args => GroupKeyMode::StackAndArgs,
        },
        progress: bar.clone().map(|pb| {
            let hook: godiag_engine::ProgressHook =
                std::sync::Arc::new(move |name: &str, done: u64, total: u64, unit: &str| {
                    pb.set_length(total);
                    pb.set_position(done);
                    pb.set_message(match unit {
                        "bytes" => format!("{name}: {} of {} MiB", done >> 20, total >> 20),
                        _ => format!("{name}: {done} of {total} {unit}"),
                    });
                });
            hook
        }),
        limits: godiag_engine::Limits {
            inflated_bytes: args.limits.max_inflated_mib.saturating_mul(1 << 20),
            full_goroutines: args.limits.full_goroutines,
        },
    };
    // The process ends right after: freeing 100,000 goroutines one by one
    // would only cost time.
    let diagnosis = std::mem::ManuallyDrop::new(godiag_engine::diagnose(inputs, &options));
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    let nothing = diagnosis.report().inputs.iter().all(|i| !i.analysed);
    let status = emit(
        diagnosis.report(),
        args.format,
        output_file(args.output.as_deref()),
        args.max_groups,
    );
    (status, nothing)
}

/// Structured logs on standard error for the daemons (`watch`, `serve`).
fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // The flame graph library warns about folded lines it skips; those are
        // not a daemon's news.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,inferno=error"));
    // Colour only for a person at a terminal: a journal or a log file
    // would keep the escape sequences.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.init(),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    init_logs(args.log_format);
    let opts = godiag_serve::ServeOptions {
        listen: args.listen,
        db: args.db,
        tokens: args.token,
        max_report_bytes: args.max_report_mib.saturating_mul(1 << 20),
        max_inflated_bytes: args.max_inflated_mib.saturating_mul(1 << 20),
        rate_per_minute: args.rate_limit,
        alerts: godiag_serve::AlertOptions {
            alertmanager: args.alertmanager,
            webhooks: args.webhook,
            external_url: args
                .external_url
                .unwrap_or_else(|| format!("http://{}", args.listen)),
        },
    };
    match godiag_serve::serve(opts) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("godiag: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn watch(args: WatchArgs) -> ExitCode {
    init_logs(args.log_format);
    let mut config = godiag_watch::Config::for_urls(
        &args.urls,
        std::time::Duration::from_secs_f64(args.interval.max(0.1)),
        args.out,
    );
    config.alertmanager = args.alertmanager;
    config.webhooks = args.webhook;
    config.listen = args.listen;
    if let Some(path) = &args.config {
        config = match godiag_watch::Config::from_file(path, config) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("godiag: {e:#}");
                return ExitCode::from(EXIT_USAGE);
            }
        };
    }
    if config.targets.is_empty() && config.file_sd.is_empty() {
        eprintln!("godiag: nothing to watch: give a URL, or targets in --config");
        return ExitCode::from(EXIT_USAGE);
    }
    match godiag_watch::watch(config) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("godiag: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn attach(args: AttachArgs) -> ExitCode {
    let exe = match &args.exe {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => Some((path.display().to_string(), bytes)),
            Err(e) => {
                eprintln!("godiag: cannot read {}: {e}", path.display());
                return ExitCode::from(EXIT_UNREADABLE);
            }
        },
        None => None,
    };
    let options = godiag_attach::AttachOptions {
        exe,
        core: args.core.clone(),
        engine: godiag_engine::Options::default(),
    };
    match godiag_attach::attach(args.pid, options) {
        Ok(diagnosis) => {
            let diagnosis = std::mem::ManuallyDrop::new(diagnosis);
            emit(
                diagnosis.report(),
                args.format,
                output_file(args.output.as_deref()),
                args.max_groups,
            )
        }
        Err(e) => {
            eprintln!("godiag: {e}");
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}

/// Renders the report in `format` to `output` (standard output if none).
fn emit(
    report: &godiag_engine::Report<'_>,
    format: Format,
    output: Option<&std::path::Path>,
    max_groups: usize,
) -> ExitCode {
    if let Format::Json = format {
        // Streamed: a report of many inputs is never held whole.
        return write_streamed(output, |w| godiag_engine::write_json(report, w));
    }
    let text = match format {
        Format::Json => render_json(report),
        Format::Markdown => godiag_report::render_markdown(report),
        Format::Html => godiag_report::render_html(report),
        Format::Text => {
            let color = output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            render_text(
                report,
                TextOptions {
                    color,
                    max_groups,
                    ..TextOptions::default()
                },
            )
        }
    };
    match output {
        Some(path) => match std::fs::write(path, text.as_bytes()) {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(e) => {
                eprintln!("godiag: cannot write {}: {e}", path.display());
                ExitCode::from(EXIT_FAILURE)
            }
        },
        None => print_or_fail(&text),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// `godiag analyze` parsed alone reads and answers as it does among
    /// every subcommand: the same help, the same errors.
    #[test]
    fn analyze_alone_parses_as_among_all() {
        let mut all = super::Cli::command();
        let mut alone = super::analyze_only_command();
        for cmd in [&mut all, &mut alone] {
            cmd.build();
        }
        let help = |c: &mut clap::Command| {
            let sub = c
                .find_subcommand_mut("analyze")
                .expect("analyze is a subcommand");
            (
                sub.render_help().to_string(),
                sub.render_long_help().to_string(),
            )
        };
        let (short, long) = help(&mut all);
        assert!(
            long.contains("Usage: godiag analyze [OPTIONS] <PATH>..."),
            "{long}"
        );
        assert_eq!(help(&mut alone), (short, long));
        for argv in [
            &["godiag", "analyze"][..],
            &["godiag", "analyze", "--bogus", "x"],
            &["godiag", "analyze", "--format", "yaml", "x"],
            &["godiag", "analyze", "--max-groups", "many", "x"],
            &["godiag", "analyze", "--help"],
        ] {
            let e1 = super::Cli::command().try_get_matches_from(argv).err();
            let e2 = super::analyze_only_command()
                .try_get_matches_from(argv)
                .err();
            let text = |e: Option<clap::Error>| e.map(|e| (e.kind(), e.render().to_string()));
            let (e1, e2) = (text(e1), text(e2));
            assert!(e1.is_some(), "{argv:?} is refused");
            assert_eq!(e1, e2, "{argv:?}");
        }
        let args = super::analyze_only_command()
            .try_get_matches_from([
                "godiag", "analyze", "--format", "json", "-o", "out", "a", "b",
            ])
            .expect("valid");
        let (_, sub) = args.subcommand().expect("analyze");
        let parsed = <super::AnalyzeArgs as clap::FromArgMatches>::from_arg_matches(sub)
            .expect("analyze arguments");
        assert_eq!(parsed.paths.len(), 2);
        assert!(matches!(parsed.format, super::Format::Json));
    }
}
