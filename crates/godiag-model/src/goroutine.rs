//! Goroutines and their stacks, whichever source they were read from.

use std::borrow::Cow;
use std::num::{NonZeroU32, NonZeroU64};

use serde::Serialize;

/// One stack frame: a function and the source position it was at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Frame<'a> {
    /// Fully qualified name as Go prints it (`main.(*T).M`, `pkg.F[...]`),
    /// URL-escaping of the import path kept as printed.
    pub function: &'a str,
    /// The argument words as printed, without the parentheses (`0xc000010000, 0x2?`).
    /// Owned where a reader computed them (a core's frames).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub args: Cow<'a, str>,
    pub file: &'a str,
    pub line: u32,
    /// `pc - entry` (`+0x..`); absent for inlined frames and a fault on the
    /// first instruction (the runtime prints it only when non-zero).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pc_offset: Option<NonZeroU32>,
    /// The absolute pc when printed (`pc=0x..` at GOTRACEBACK=system and above).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pc: Option<NonZeroU64>,
}

/// One argument word of a frame as printed: its value when it reads as a
/// number, and whether it was saved (`0x1?`: under the register ABI, a
/// word not spilled to the stack, which may be stale).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArgWord {
    pub value: Option<u64>,
    pub saved: bool,
}

impl ArgWord {
    /// The value, when the word was saved.
    pub fn trusted(self) -> Option<u64> {
        self.value.filter(|_| self.saved)
    }

    /// One word as a traceback prints it: `0xc000242a50`, `0x1?`, `...`
    /// (elided: no value), the braces of an aggregate (`{0x1, 0x2}`) taken
    /// off; a number wider than 64 bits has no value. `None` when the word
    /// is not one a traceback prints (a log line's words after a name).
    pub fn parse(word: &str) -> Option<ArgWord> {
        let w = word.trim().trim_matches(|c| c == '{' || c == '}').trim();
        if w.is_empty() || w == "..." {
            return Some(ArgWord {
                value: None,
                saved: true,
            });
        }
        let saved = !w.ends_with('?');
        let hex = w.trim_end_matches('?').strip_prefix("0x")?;
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let value = (hex.len() <= 16)
            .then(|| u64::from_str_radix(hex, 16).ok())
            .flatten();
        Some(ArgWord { value, saved })
    }
}

impl Frame<'_> {
    /// The argument words in order, braces of aggregates (Go 1.17+:
    /// `{0x16bbd89?, 0xe?}`) taken off; `...` (elided) reads as no value.
    pub fn arg_words(&self) -> impl Iterator<Item = ArgWord> + '_ {
        self.args.split(',').map(|w| {
            ArgWord::parse(w).unwrap_or(ArgWord {
                value: None,
                saved: !w.trim().ends_with('?'),
            })
        })
    }

    /// The first argument word (a method's receiver, an atomic's address),
    /// when it was printed as a number and saved.
    pub fn first_word(&self) -> Option<u64> {
        self.arg_words().next().and_then(ArgWord::trusted)
    }

    /// Printed with `(...)` and no offset: inlined into its caller (ancestor
    /// frames print `(...)` too, but keep their offset).
    pub fn is_inlined(&self) -> bool {
        self.args == "..." && self.pc_offset.is_none()
    }

    /// The package path part of the function name (`net/http`, `main`,
    /// `github.com/x/y`), taken as everything before the first `.` after the last `/`.
    pub fn package(&self) -> &str {
        package_of(self.function)
    }

    /// Whether the frame belongs to the Go runtime or its internal packages.
    pub fn is_runtime(&self) -> bool {
        let pkg = self.package();
        pkg == "runtime" || pkg.starts_with("runtime/internal") || pkg.starts_with("internal/")
    }

    /// Whether the frame is of package `runtime` itself, narrower than
    /// [`Frame::is_runtime`]: rules that ask "did the runtime's own code do
    /// this" (a throw's caller, a stack it could not walk) must not count
    /// `internal/poll` or `internal/sync`, whose frames sit between the
    /// program and the runtime.
    pub fn in_runtime_package(&self) -> bool {
        in_runtime_package(self.function)
    }

    /// Whether the frame belongs to the standard library (which includes the runtime).
    /// A package path whose first element has no dot and is not `main` is standard.
    pub fn is_stdlib(&self) -> bool {
        is_stdlib_function(self.function)
    }
}

/// Whether a function is of package `runtime` itself (see
/// [`Frame::in_runtime_package`]).
pub fn in_runtime_package(function: &str) -> bool {
    function.starts_with("runtime.")
}

/// The package path of a Go function name.
pub fn package_of(function: &str) -> &str {
    let after_slash = function.rfind('/').map_or(0, |i| i + 1);
    match function[after_slash..].find('.') {
        Some(dot) => &function[..after_slash + dot],
        None => function,
    }
}

/// The first elements of the standard library's package paths (Go 1.0
/// through 1.27), and the compiler's own symbol namespaces (`type:.eq.T`,
/// `go:buildid`, `type..hash.T` before 1.20). Not `cmd`: the compiler,
/// linker and go command are programs, whose crashes are placed in them.
const STD_ROOTS: &[&str] = &[
    "archive",
    "bufio",
    "builtin",
    "bytes",
    "cmp",
    "compress",
    "container",
    "context",
    "crypto",
    "database",
    "debug",
    "embed",
    "encoding",
    "errors",
    "expvar",
    "flag",
    "fmt",
    "go",
    "hash",
    "html",
    "image",
    "index",
    "internal",
    "io",
    "iter",
    "log",
    "maps",
    "math",
    "mime",
    "net",
    "os",
    "path",
    "plugin",
    "reflect",
    "regexp",
    "runtime",
    "slices",
    "sort",
    "strconv",
    "strings",
    "structs",
    "sync",
    "syscall",
    "testing",
    "text",
    "time",
    "type",
    "unicode",
    "unique",
    "unsafe",
    "weak",
];

/// A package path of the standard library: its first element is one of the
/// standard library's. (A first element without a dot is not enough: GOPATH
/// packages such as `store` or `app/handlers`, and gccgo's mangled names,
/// have none either.)
pub fn is_stdlib_package(pkg: &str) -> bool {
    if let Some(vendored) = pkg.strip_prefix("vendor/") {
        // The standard library vendors golang.org/x (golang_org/x before
        // Go 1.13); any other `vendor/` path is a program's own, built from
        // a GOPATH whose source root held its vendor directory.
        return vendored.starts_with("golang.org/x/") || vendored.starts_with("golang_org/x/");
    }
    let first = pkg.split('/').next().unwrap_or(pkg);
    let first = first.split(':').next().unwrap_or(first);
    STD_ROOTS.contains(&first)
}

/// The wait a blocking call of the runtime or `sync` puts its goroutine
/// in, in the runtime's words (`sync.(*Mutex).Lock` → `sync.Mutex.Lock`):
/// how a stack whose header (or wait reason) is missing tells its wait.
/// `internal/` packages (`internal/sync` from Go 1.24) count as theirs.
pub fn wait_of_blocking_call(function: &str) -> Option<&'static str> {
    let name = function.strip_prefix("internal/").unwrap_or(function);
    Some(if name.starts_with("runtime.chansend") {
        "chan send"
    } else if name.starts_with("runtime.chanrecv") {
        "chan receive"
    } else if name == "runtime.selectgo" {
        "select"
    } else if name.starts_with("sync.(*Mutex).Lock") || name.starts_with("sync.(*Mutex).lockSlow") {
        "sync.Mutex.Lock"
    } else if name.starts_with("sync.(*RWMutex).RLock") {
        "sync.RWMutex.RLock"
    } else if name.starts_with("sync.(*RWMutex).Lock") {
        "sync.RWMutex.Lock"
    } else if name.starts_with("sync.(*WaitGroup).Wait") {
        "sync.WaitGroup.Wait"
    } else if name.starts_with("sync.(*Cond).Wait") {
        "sync.Cond.Wait"
    } else {
        return None;
    })
}

/// Whether a function is not the program's own: the standard library's,
/// or a symbol without a package (C and assembly, `panic`).
pub fn is_stdlib_function(function: &str) -> bool {
    !function.contains('.') || is_stdlib_package(package_of(function))
}

/// A pprof label on a goroutine (printed in the header since Go 1.26).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label<'a> {
    pub key: Cow<'a, str>,
    pub value: Cow<'a, str>,
}

/// The stack of the goroutine that started this one, kept by
/// `GODEBUG=tracebackancestors=N`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ancestor<'a> {
    pub goroutine: u64,
    pub frames: Vec<Frame<'a>>,
    /// `...additional frames elided...` was printed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub elided: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Frame<'a>>,
}

/// What a blocked goroutine waits on, as a core dump shows it: the channel
/// (`hchan`) or the synchronisation object behind a semaphore.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WaitObject {
    /// The channel's address, or the `sync.Mutex`/`RWMutex`/`WaitGroup`'s
    /// (the semaphore's when the type is unknown).
    pub addr: u64,
    /// `chan string`, `sync.Mutex`, `semaphore`.
    pub what: String,
    /// `unbuffered`, `buffered 3/10`, `closed`; empty for semaphores.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub state: String,
}

/// One goroutine and its stack.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Goroutine<'a> {
    pub id: u64,
    /// The paste hid its id behind a placeholder (`goroutine NNNNN [...]`):
    /// `id` is 0 and says nothing (it is not the runtime's g0).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub id_hidden: bool,
    /// The wait reason when waiting (`chan receive`, `sync.Mutex.Lock`), else the
    /// status (`running`, `runnable`, `syscall`, ...), without modifiers.
    pub status: &'a str,
    /// `N minutes` in the header: how long it has been waiting, rounded down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_minutes: Option<u32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub locked_to_thread: bool,
    /// `(leaked)`: the Go 1.26+ leak detector proved it can never run again.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub leaked: bool,
    /// A test's leak checker (goleak, leaktest) listed it as still running
    /// after the test had ended.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub outlived_test: bool,
    /// `(durable)`: durably blocked inside a synctest bubble (Go 1.25+).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub durable: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub scan: bool,
    /// `synctest group N` (1.24) / `synctest bubble N` (1.25+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synctest_bubble: Option<u64>,
    /// `gp=0x..` (Go 1.22+ at GOTRACEBACK=system or a runtime throw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gp: Option<u64>,
    /// `m=N`; `None` for `m=nil` or when not printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label<'a>>,
    /// Innermost frame first.
    pub frames: Vec<Frame<'a>>,
    /// `...N frames elided...` was printed after `frames[elided_at - 1]`:
    /// `(elided_at, N)`; N is 0 for the old `...additional frames elided...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elided: Option<(usize, u64)>,
    /// `goroutine running on other thread; stack unavailable`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stack_unavailable: bool,
    /// The `go` statement that started it (`created by F`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Frame<'a>>,
    /// `created by F in goroutine N` (Go 1.21+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ancestors: Vec<Ancestor<'a>>,
    /// What it is blocked on (several channels for a select); from cores.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waits_on: Vec<WaitObject>,
    /// `stack.hi - stack.lo`: the size of its stack; from cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_bytes: Option<u64>,
    /// Locks it holds, as proved by a pending deferred unlock of each in
    /// one of its frames (from cores: open-coded defer records).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub holds_locks: Vec<u64>,
    /// How many goroutines this entry stands for when a tool aggregated
    /// them (`48 goroutines [semacquire, 4 minutes]:`); `None` for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregated: Option<u64>,
    /// Frames read without a goroutine header above them (an excerpt): the
    /// id and status are not known (`0`, `unknown`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub headerless: bool,
    /// Byte offset of the header line in its input.
    pub offset: u64,
    /// The block was cut by the end of the input.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl<'a> Goroutine<'a> {
    /// How many goroutines this entry stands for (see `aggregated`).
    pub fn weight(&self) -> u64 {
        self.aggregated.unwrap_or(1)
    }

    /// Its id, unless none was printed: a tool aggregated it with others,
    /// its frames came without their header, or a placeholder hid it.
    pub fn known_id(&self) -> Option<u64> {
        (self.aggregated.is_none() && !self.headerless && !self.id_hidden).then_some(self.id)
    }

    /// A thread's own scheduling stack (its g0), which `GOTRACEBACK=crash`
    /// and SIGQUIT print per M as `goroutine 0`: no goroutine of the
    /// program.
    pub fn is_thread_stack(&self) -> bool {
        self.known_id() == Some(0)
    }

    /// How findings name it: `goroutine 7`; without an id, `a goroutine`
    /// or `one of 12 goroutines`.
    pub fn name(&self) -> String {
        match (self.known_id(), self.aggregated) {
            (Some(id), _) => format!("goroutine {id}"),
            (None, Some(n)) if n > 1 => format!("one of {n} goroutines"),
            (None, _) => "a goroutine".to_string(),
        }
    }

    /// `goroutine 7 [chan receive]`; the state only when it was printed.
    pub fn name_and_state(&self) -> String {
        if self.headerless {
            self.name()
        } else {
            format!("{} [{}]", self.name(), self.status)
        }
    }

    /// The first frame outside the runtime, `internal/...`, `sync` and other
    /// standard-library packages: the code a person would change. Falls back to
    /// the first frame.
    pub fn first_user_frame(&self) -> Option<&Frame<'a>> {
        self.frames
            .iter()
            .find(|f| !f.is_stdlib())
            .or_else(|| self.frames.first())
    }

    /// Whether the goroutine is parked (not running, runnable or in a syscall).
    pub fn is_waiting(&self) -> bool {
        !matches!(
            self.status,
            "running"
                | "runnable"
                | "syscall"
                | "idle"
                | "dead"
                | "copystack"
                | "preempted"
                | "unknown"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_words_by_the_traceback_grammar() {
        let word = |w: &str| ArgWord::parse(w).map(|a| (a.value, a.saved));
        assert_eq!(word("0xc000242a50"), Some((Some(0xc000242a50), true)));
        assert_eq!(word(" {0x1?"), Some((Some(1), false)));
        assert_eq!(word("..."), Some((None, true)));
        assert_eq!(word("0x10000000000000000"), Some((None, true)));
        assert_eq!(word("x"), None);
        assert_eq!(word("0x"), None);
        // A frame's words keep their places whatever they hold.
        let f = Frame {
            function: "main.f",
            args: Cow::Borrowed("0x1, x?, ..."),
            file: "/a/main.go",
            line: 1,
            pc_offset: None,
            pc: None,
        };
        let words: Vec<_> = f.arg_words().map(|a| (a.value, a.saved)).collect();
        assert_eq!(words, [(Some(1), true), (None, false), (None, true)]);
    }

    #[test]
    fn argument_words_as_printed() {
        let frame = |args: &'static str| Frame {
            function: "main.f",
            args: args.into(),
            file: "/a.go",
            line: 1,
            pc_offset: None,
            pc: None,
        };
        let words = |args| -> Vec<(Option<u64>, bool)> {
            frame(args)
                .arg_words()
                .map(|w| (w.value, w.saved))
                .collect()
        };
        assert_eq!(
            words("0xc000010000, 0x2"),
            [(Some(0xc000010000), true), (Some(2), true)]
        );
        // Go 1.17+ aggregates and 1.18+ unsaved register words.
        assert_eq!(
            words("{0x16bbd89?, 0xe?}, 0x0"),
            [
                (Some(0x16bbd89), false),
                (Some(0xe), false),
                (Some(0), true)
            ]
        );
        assert_eq!(words("..."), [(None, true)]);
        assert_eq!(words(""), [(None, true)]);
        assert_eq!(words("{...}"), [(None, true)]);
        assert_eq!(words("{{0x1}}, _"), [(Some(1), true), (None, true)]);
        assert_eq!(words("0x12345678901234567"), [(None, true)]);
        assert_eq!(
            frame("0x1?").arg_words().next().and_then(|w| w.trusted()),
            None
        );
    }

    #[test]
    fn package_of_handles_paths_and_methods() {
        assert_eq!(package_of("main.main"), "main");
        assert_eq!(package_of("main.(*T).M"), "main");
        assert_eq!(package_of("net/http.(*conn).serve"), "net/http");
        assert_eq!(package_of("github.com/a/b.c.F"), "github.com/a/b");
        assert_eq!(
            package_of("gopkg.in/yaml%2ev2.(*T).M"),
            "gopkg.in/yaml%2ev2"
        );
        assert_eq!(
            package_of("internal/runtime/maps.fatal"),
            "internal/runtime/maps"
        );
        assert!(is_stdlib_package("internal/sync"));
        assert!(!is_stdlib_package("main"));
        assert!(!is_stdlib_package("godiag.dev/lab/x"));
        // The standard library's vendored x/ packages, and a program's own
        // vendored package printed from a GOPATH's source root
        // (https://github.com/segmentio/stats/issues/73).
        assert!(is_stdlib_package("vendor/golang.org/x/net/http2/hpack"));
        assert!(is_stdlib_package("vendor/golang_org/x/net/lex/httplex"));
        assert!(!is_stdlib_package("vendor/github.com/segmentio/stats"));
        // The Go distribution's commands are not its standard library (`go
        // list std` leaves them out): a crash of the linker is placed in
        // the linker (https://github.com/golang/go/issues/36103).
        assert!(!is_stdlib_package("cmd/link/internal/ld"));
        assert!(!is_stdlib_function("cmd/compile/internal/ssa.read8"));
    }
}
