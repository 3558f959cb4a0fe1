//! Stacks that recovery middleware (martini, macaron, old gin) prints from
//! `runtime.Caller` and `FuncForPC`, rewritten in the runtime's grammar:
//!
//! ```text
//! /home/git/go/src/github.com/gogits/gogs/modules/middleware/repo.go:44 (0x7b9461)
//!         ApiRepoAssignment.func1: ctx.Repo.Owner = owner
//! /usr/lib/go/src/reflect/value.go:432 (0x85b3aa)
//!         Value.call: call(frametype, fn, args, ...)
//! ```
//!
//! gocheck (gopkg.in/check.v1) prints a test's panic the same way, the
//! name on the line below its place (pingcap/tidb#22276):
//!
//! ```text
//! ... Panic: runtime error: invalid memory address or nil pointer dereference (PC=0x1392B31)
//!
//! /usr/local/go/src/runtime/signal_unix.go:394
//!   in sigpanic
//! pessimistic_test.go:739
//!   in testPessimisticSuite.TestInnodbLockWaitTimeout
//! ```
//!
//! Such a printer strips the package from the function's name and shows
//! the source line instead of the arguments. Each named frame becomes
//! `PKG.NAME(...)` over `\tFILE:LINE`. A file under a Go root's `src/`
//! (the root's directory is `go`, `Go`, `libexec`, `go1.N` or `go-1.N`) gives back
//! the standard-library package path (`reflect.Value.call`), so it is not
//! taken for the program's; any other file its directory's last element
//! (`middleware.ApiRepoAssignment.func1`), the package name as panicparse
//! prints it. A frame printed without its name is left as it is: nothing
//! would say which function it was.
//!
//! gocode numbers its frames, each name whole and its place on one line
//! (`4(main.method_of): /home/u/go/src/github.com/nsf/gocode/decl.go:328`,
//! nsf/gocode#428): `NAME(...)` over `\tFILE:LINE` as they are.

use godiag_model::goroutine::is_stdlib_package;
use godiag_sniff::anchor::{self, is_caller_frame};

/// `FILE:LINE` of a `FILE:LINE (0xPC)` line.
fn place(line: &str) -> &str {
    let t = line.trim();
    t.rsplit_once(" (0x").map_or(t, |(place, _)| place)
}

/// `NAME` of an indented `NAME: SOURCE` line under a frame.
fn name(line: &str) -> Option<&str> {
    if !line.starts_with([' ', '\t']) {
        return None;
    }
    let (name, _) = line.trim_start().split_once(": ")?;
    // `-fm` ends a method value's name; `·` (old closures) is not ASCII.
    let ok = !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || b >= 0x80
                || matches!(b, b'_' | b'.' | b'(' | b')' | b'*' | b'[' | b']' | b'-')
        });
    ok.then_some(name)
}

/// The standard-library package a file belongs to, when it lies under a
/// Go root (`/usr/local/go/src/net/http/server.go` → `net/http`); a
/// program's own `src/internal/...` under another directory is not one.
fn std_package(file: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(at) = file[from..].find("/src/").map(|i| from + i) {
        let root = file[..at].rsplit(['/', '\\']).next().unwrap_or("");
        let goroot = matches!(root, "go" | "Go" | "libexec")
            || root.starts_with("go1.")
            || root
                .strip_prefix("go-")
                .is_some_and(|v| v.starts_with("1."));
        let rest = &file[at + "/src/".len()..];
        if let Some((dir, _)) = rest.rsplit_once('/').filter(|_| goroot) {
            if is_stdlib_package(dir) {
                return Some(dir);
            }
        }
        from = at + 1;
    }
    None
}

/// The package a printer left off a frame's name: the standard library's
/// path under a Go root, else the file's directory's last element
/// (without a module version, `gin@v1.9.1` → `gin`).
fn package_of_file(file: &str) -> Option<&str> {
    if let Some(pkg) = std_package(file) {
        return Some(pkg);
    }
    let (dir, _) = file.rsplit_once(['/', '\\'])?;
    let last = dir.rsplit(['/', '\\']).next()?;
    let last = last.split('@').next().unwrap_or(last);
    (!last.is_empty() && !last.contains(':')).then_some(last)
}

/// gocheck's `  in NAME` under a frame's bare `FILE:LINE`.
fn gocheck_name(line: &str) -> Option<&str> {
    let name = line.strip_prefix("  in ")?;
    let ok = !name.is_empty() && !name.contains(' ') && !name.starts_with('(');
    ok.then_some(name)
}

/// gocheck's place of a frame: `FILE:LINE` alone on its line.
fn is_gocheck_place(line: &str) -> bool {
    crate::lines::position(line).is_some_and(|p| {
        p.pc_offset.is_none() && p.pc.is_none() && crate::lines::looks_like_source(p.file)
    }) && !line.starts_with([' ', '\t'])
}

/// The function a frame's place (`lines[0]`) is named by on the line
/// below, in either printer's form.
fn named_frame<'a>(lines: &[&'a str]) -> Option<&'a str> {
    let (place, below) = (*lines.first()?, *lines.get(1)?);
    if is_caller_frame(place) {
        name(below)
    } else if is_gocheck_place(place) {
        gocheck_name(below)
    } else {
        None
    }
}

/// gocode's numbered frame, its whole name and place on one line
/// (`4(main.method_of): /home/u/go/src/github.com/nsf/gocode/decl.go:328`,
/// nsf/gocode#428).
fn numbered_frame(line: &str) -> Option<(&str, &str)> {
    let (number, rest) = line.split_once('(')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (name, place) = rest.split_once("): ")?;
    let placed =
        crate::lines::position(place).is_some_and(|p| crate::lines::looks_like_source(p.file));
    (anchor::is_symbol(name) && placed).then_some((name, place))
}

/// How many frames carry their function's name apart from its place.
pub(crate) fn count_named(lines: &[&str]) -> usize {
    let numbered = lines.iter().filter(|l| numbered_frame(l).is_some()).count();
    numbered
        + lines
            .windows(2)
            .filter(|w| named_frame(w).is_some())
            .count()
}

/// The lines with every named frame rewritten; how many were.
pub(crate) fn rewrite(lines: &[&str]) -> (Vec<String>, usize) {
    let mut out = Vec::with_capacity(lines.len());
    let mut n = 0;
    let mut i = 0;
    while i < lines.len() {
        if let Some((function, place)) = numbered_frame(lines[i]) {
            out.push(format!("{function}(...)"));
            out.push(format!("\t{place}"));
            n += 1;
            i += 1;
            continue;
        }
        let Some(function) = named_frame(&lines[i..]) else {
            out.push(lines[i].to_string());
            i += 1;
            continue;
        };
        let place = place(lines[i]);
        let file = place.rsplit_once(':').map_or(place, |(f, _)| f);
        out.push(match package_of_file(file) {
            Some(pkg) => format!("{pkg}.{function}(...)"),
            None => format!("{function}(...)"),
        });
        out.push(format!("\t{place}"));
        n += 1;
        i += 2;
    }
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From https://github.com/gogs/gogs/issues/2085 (macaron's recovery).
    const GOGS: &str =
        "[Macaron] PANIC: runtime error: invalid memory address or nil pointer dereference
[...]
/home/git/go/src/github.com/gogits/gogs/modules/middleware/repo.go:44 (0x7b9461)
        ApiRepoAssignment.func1: ctx.Repo.Owner = owner
/usr/lib/go/src/runtime/asm_amd64.s:437 (0x45c5ce)
        call32: CALLFN(·call32, 32)
/usr/lib/go/src/reflect/value.go:432 (0x85b3aa)
        Value.call: call(frametype, fn, args, uint32(frametype.size), uint32(retOffset))
[...]";

    #[test]
    fn named_frames_read_in_the_runtime_grammar() {
        let lines: Vec<&str> = GOGS.lines().collect();
        assert_eq!(count_named(&lines), 3);
        let (out, n) = rewrite(&lines);
        assert_eq!(n, 3);
        assert_eq!(
            &out[2..8],
            [
                "middleware.ApiRepoAssignment.func1(...)",
                "\t/home/git/go/src/github.com/gogits/gogs/modules/middleware/repo.go:44",
                "runtime.call32(...)",
                "\t/usr/lib/go/src/runtime/asm_amd64.s:437",
                "reflect.Value.call(...)",
                "\t/usr/lib/go/src/reflect/value.go:432",
            ]
        );
        assert_eq!(out[1], "[...]");
    }

    #[test]
    fn unnamed_frames_and_gopath_files_stay_as_they_are() {
        // gin prints no names (juicedata/juicefs-csi-driver#1203).
        let gin = [
            "/usr/local/go/src/runtime/map_faststr.go:205 (0x417d7a)",
            "/workspace/pkg/dashboard/cm.go:89 (0x1ad5f9e)",
        ];
        assert_eq!(count_named(&gin), 0);
        assert_eq!(std_package("/go/src/github.com/x/y/z.go"), None);
        assert_eq!(
            std_package("/usr/local/go/src/net/http/server.go"),
            Some("net/http")
        );
        assert_eq!(std_package("C:/Go/src/runtime/panic.go"), Some("runtime"));
        // A program's own `src/internal` is not the standard library's.
        assert_eq!(std_package("/app/src/internal/handlers/repo.go"), None);
        assert_eq!(
            package_of_file("/app/src/internal/handlers/repo.go"),
            Some("handlers")
        );
        assert_eq!(
            package_of_file("/go/pkg/mod/github.com/gin-gonic/gin@v1.9.1/context.go"),
            Some("gin")
        );
        // A method value (`-fm`) is a name.
        assert_eq!(
            name("\t(*Handler).Get-fm: h.Get(c)"),
            Some("(*Handler).Get-fm")
        );
    }
}
