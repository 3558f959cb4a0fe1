//! Rules on inputs the lab cannot produce on demand (a compiler crash, a
//! runtime bug) or that need two sources at once.

use godiag::{build_report, PreparedInput};
use godiag_model::GroupKeyMode;

fn report_of(files: &[(&str, &str)]) -> godiag_report::Report<'static> {
    let loaded: Vec<PreparedInput> = files
        .iter()
        .map(|(name, text)| PreparedInput::from_bytes(*name, text.as_bytes().to_vec()))
        .collect();
    // The report borrows the inputs; tests keep them for the whole run.
    let loaded: &'static [PreparedInput] = Box::leak(loaded.into_boxed_slice());
    build_report(loaded, GroupKeyMode::Stack)
}

#[test]
fn compiler_crash_from_go_build() {
    let text = "# example.com/app\n./main.go:8:2: internal compiler error: panic: runtime error: index out of range [1] with length 1\n\ngoroutine 1 [running]:\nruntime/debug.Stack()\n\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e\ncmd/compile/internal/base.FatalfAt({0x3b?, 0x0?}, {0xd1b3e5, 0x9}, {0xc000513f68, 0x1, 0x1})\n\t/usr/local/go/src/cmd/compile/internal/base/print.go:230 +0x1d7\n\nPlease file a bug report including a short program that triggers the error.\nhttps://go.dev/issue/new\n";
    let r = report_of(&[("build.log", text)]);
    assert_eq!(r.inputs[0].kind.name(), "crash-text");
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "compiler-internal-error");
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("./main.go", 8));
}

#[test]
fn runtime_throw_in_runtime_frames_names_the_go_version() {
    let text = "fatal error: schedule: holding locks\n\ngoroutine 0 gp=0x5f1c40 m=3 mp=0xc000100008 [idle]:\nruntime.throw({0x4b2f0e?, 0x0?})\n\t/usr/local/go1.24.11/src/runtime/panic.go:1101 +0x48 fp=0xc000111f10 sp=0xc000111ee0 pc=0x46b108\nruntime.schedule()\n\t/usr/local/go1.24.11/src/runtime/proc.go:3993 +0x3c5 fp=0xc000111f48 sp=0xc000111f10 pc=0x441d85\nruntime.mstart1()\n\t/usr/local/go1.24.11/src/runtime/proc.go:1898 +0xc5 fp=0xc000111f70 sp=0xc000111f48 pc=0x43dc25\n";
    let r = report_of(&[("crash.txt", text)]);
    assert_eq!(r.inputs[0].go_version.as_deref(), Some("1.24.11"));
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "runtime-internal-error");
    assert!(f.title.contains("1.24.11"), "{}", f.title);
    // The runtime's function that threw, not runtime.throw itself.
    assert_eq!(f.location.as_ref().unwrap().function, "runtime.schedule");
}

#[test]
fn out_of_memory_tells_one_huge_allocation_from_growth() {
    let huge = "runtime: out of memory: cannot allocate 4294967296-byte block (3932160 in use)\nfatal error: out of memory\n\ngoroutine 1 [running]:\nmain.load(...)\n\t/app/main.go:9\nmain.main()\n\t/app/main.go:14 +0x1d\n";
    let r = report_of(&[("a", huge)]);
    assert!(
        r.findings[0]
            .title
            .contains("a single allocation of 4.0 GiB"),
        "{}",
        r.findings[0].title
    );
    let growth = "runtime: out of memory: cannot allocate 8192-byte block (2147483648 in use)\nfatal error: out of memory\n\ngoroutine 1 [running]:\nmain.load(...)\n\t/app/main.go:9\n";
    let r = report_of(&[("b", growth)]);
    assert!(
        r.findings[0].title.contains("heap grew to 2.0 GiB"),
        "{}",
        r.findings[0].title
    );
}

#[test]
fn every_provided_source_has_a_verdict() {
    let crash = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:3 +0x1\n";
    let race = "==================\nWARNING: DATA RACE\nWrite at 0x00c0000a0018 by goroutine 8:\n  main.inc()\n      /app/main.go:9 +0x44\n\nPrevious read at 0x00c0000a0018 by main goroutine:\n  main.main()\n      /app/main.go:17 +0x30\n==================\n";
    let r = report_of(&[("crash.txt", crash), ("race.txt", race)]);
    for f in &r.findings {
        assert_eq!(f.verification.len(), 2, "{}: {:?}", f.title, f.verification);
    }
}

#[test]
fn dump_where_everyone_waits_is_a_possible_deadlock() {
    let dump = "goroutine 1 [chan receive, 5 minutes]:\nmain.main()\n\t/app/main.go:20 +0x99\n\ngoroutine 7 [sync.Mutex.Lock, 5 minutes]:\nsync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:46\nmain.worker()\n\t/app/main.go:30 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:18 +0x2\n";
    let r = report_of(&[("dump.txt", dump)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock");
    assert_eq!(f.location.as_ref().unwrap().line, 20);
    // A goroutine asleep on a timer means the program as a whole is not
    // (provably) deadlocked; what remains is the lock no one released for
    // five minutes, at the worker that waits for it.
    let sleeping = format!("{dump}\ngoroutine 9 [sleep]:\ntime.Sleep(0x3b9aca00)\n\t/usr/local/go/src/runtime/time.go:300 +0x1\nmain.tick()\n\t/app/main.go:40 +0x1\n");
    let r = report_of(&[("dump.txt", &sleeping)]);
    assert!(r
        .findings
        .iter()
        .all(|f| !f.title.contains("goroutines of the program")));
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock");
    assert!(
        f.title.contains("waiting at least 5 minutes for a lock"),
        "{}",
        f.title
    );
    assert_eq!(f.location.as_ref().unwrap().line, 30);
}

#[test]
fn heap_profile_confirms_out_of_memory_at_the_same_site() {
    let crash = "runtime: out of memory: cannot allocate 4294967296-byte block (3932160 in use)\nfatal error: out of memory\n\ngoroutine 1 [running]:\nmain.load(...)\n\t/app/main.go:9\nmain.main()\n\t/app/main.go:14 +0x1d\n";
    let heap = "heap profile: 2: 3000000 [2: 3000000] @ heap/1048576\n1: 2000000 [1: 2000000] @ 0x2\n#\t0x1\tmain.load+0x1\t/app/main.go:9\n\n1: 1000000 [1: 1000000] @ 0x4\n#\t0x3\tmain.other+0x1\t/app/main.go:30\n";
    let r = report_of(&[("crash.txt", crash), ("heap.txt", heap)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "out-of-memory");
    assert_eq!(
        f.verification.get("pprof"),
        Some(&godiag_analysis::Verdict::Confirms)
    );
    assert_eq!(
        f.verification.get("crash"),
        Some(&godiag_analysis::Verdict::Confirms)
    );
}

#[test]
fn goroutine_profile_contradicts_a_leak_it_does_not_show() {
    // A dump claiming 5,000 goroutines parked in main.worker ...
    let mut dump = String::from("goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1\n");
    for id in 0..5000 {
        dump.push_str(&format!(
            "\ngoroutine {} [chan receive, 3 minutes]:\nmain.worker(0x1)\n\t/work/main/lab/scenarios/goroutine-leak-profile/main.go:22 +0x1\ncreated by main.main in goroutine 1\n\t/work/main/lab/scenarios/goroutine-leak-profile/main.go:50 +0x2\n",
            id + 10
        ));
    }
    // ... and a goroutine profile of the process showing 4 there.
    let profile = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lab/artifacts/go1.24.11/goroutine-leak-profile.goroutine-1.pb.gz"
    ))
    .unwrap();
    let loaded = vec![
        PreparedInput::from_bytes("dump.txt", dump.into_bytes()),
        PreparedInput::from_bytes("goroutine.pb.gz", profile),
    ];
    let loaded: &'static [PreparedInput] = Box::leak(loaded.into_boxed_slice());
    let r = build_report(loaded, GroupKeyMode::Stack);
    let f = r
        .findings
        .iter()
        .find(|f| {
            f.kind.name() == "goroutine-leak"
                && f.location
                    .as_ref()
                    .is_some_and(|l| l.function == "main.worker")
        })
        .unwrap();
    assert_eq!(
        f.verification.get("pprof"),
        Some(&godiag_analysis::Verdict::Contradicts),
        "{f:?}"
    );
    assert_eq!(
        f.verification.get("goroutine-dump"),
        Some(&godiag_analysis::Verdict::Confirms)
    );
    assert!(f.title.contains("contradicted"), "{}", f.title);
}

#[test]
fn goroutines_the_runtime_proved_leaked_in_both_text_forms() {
    // Go 1.26+ `goroutineleak` profile written as text by the lab: debug=1
    // (`goroutineleak profile: total N`) and debug=2 (headers marked `(leaked)`).
    let lab = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/artifacts");
    for version in ["1.26.6", "1.27.3"] {
        for form in ["debug1", "debug2"] {
            let path = lab.join(format!(
                "go{version}/goroutine-leak-profile.goroutineleak.{form}.txt"
            ));
            let loaded = godiag::load_inputs(&[path]).unwrap();
            let r = build_report(Box::leak(loaded.into_boxed_slice()), GroupKeyMode::Stack);
            assert_ne!(
                r.inputs[0].status,
                godiag_model::InputStatus::Unrecognized,
                "{version} {form}"
            );
            let f = &r.findings[0];
            assert_eq!(f.kind.name(), "goroutine-leak", "{version} {form}");
            assert_eq!(
                f.confidence,
                godiag_analysis::Confidence::High,
                "{version} {form}: {}",
                f.title
            );
            let loc = f.location.as_ref().unwrap();
            assert_eq!(
                (loc.function.as_str(), loc.line),
                ("main.handleRequest", 16),
                "{version} {form}"
            );
        }
    }
}

/// A debug=1 profile whose pile-up is split over records that reach one
/// line from different callers: 797 + 797 of 4,820 goroutines (a third)
/// wait at `gost.transport`, though no record alone holds a fifth.
/// From https://github.com/ginuerzh/gost/issues/432 (its first records).
#[test]
fn count_profile_pileup_sums_records_at_one_line() {
    let text = "goroutine profile: total 4820
797 @ 0x430f6f 0x40798a 0x407960 0x40764b 0x9abfaf 0x97aedd 0x45e141
#\t0x9abfae\tgithub.com/ginuerzh/gost.transport+0xfe\t\t\t\t\t/root/gost/server.go:162
#\t0x97aedc\tgithub.com/ginuerzh/gost.(*tcpDirectForwardHandler).Handle+0x72c\t/root/gost/forward.go:149

797 @ 0x430f6f 0x40798a 0x407960 0x40764b 0x9abfaf 0x9b55eb 0x9b3f28 0x45e141
#\t0x9abfae\tgithub.com/ginuerzh/gost.transport+0xfe\t\t\t\t/root/gost/server.go:162
#\t0x9b55ea\tgithub.com/ginuerzh/gost.(*socks5Handler).handleConnect+0x126a\t/root/gost/socks.go:923
#\t0x9b3f27\tgithub.com/ginuerzh/gost.(*socks5Handler).Handle+0x367\t\t/root/gost/socks.go:812

797 @ 0x430f6f 0x42c67a 0x42bc66 0x4d1efb 0x4d2d0b 0x4d2cec 0x58a30f 0x59e809 0x468b82 0x9d9c55 0x9d9bfb 0x45e141
#\t0x42bc65\tinternal/poll.runtime_pollWait+0x55\t\t/snap/go/4520/src/runtime/netpoll.go:182
#\t0x4d1efa\tinternal/poll.(*pollDesc).wait+0x9a\t\t/snap/go/4520/src/internal/poll/fd_poll_runtime.go:87
";
    let r = report_of(&[("goroutine.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "goroutine-leak");
    assert!(
        f.title.contains("1594 of 4820 goroutines in 2 stacks"),
        "{}",
        f.title
    );
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        (loc.function.as_str(), loc.line),
        ("github.com/ginuerzh/gost.transport", 162)
    );
    // One of those records alone is no pile-up: under a fifth.
    let one: String = text.lines().take(4).collect::<Vec<_>>().join("\n");
    let r = report_of(&[("goroutine.txt", &one)]);
    assert!(
        r.findings.is_empty(),
        "{:?}",
        r.findings.first().map(|f| &f.title)
    );
}

/// Go 1.4 entered C through `runtime.cgocall_errno` too: a fault in C
/// code under it, which that runtime reported as `unexpected signal during
/// runtime execution`, is a cgo crash placed at the wrapper's caller.
/// From https://github.com/mattn/go-gtk/issues/236 (its re-wrapped lines
/// joined here).
#[test]
fn go14_cgocall_errno_fault_is_a_cgo_crash() {
    let text = "fatal error: unexpected signal during runtime execution
[signal 0xc0000005 code=0x0 addr=0x0 pc=0x546c10]

runtime stack:
invalid spdelta 0x546bf0 0x546c10 0x1185af -1
runtime.gothrow(0x647dc8, 0x2a)
        c:/go/src/runtime/panic.go:503 +0x67
runtime.sigpanic()
        c:/go/src/runtime/os_windows.go:36 +0x53
invalid spdelta 0x546bf0 0x546c10 0x1185af -1
_cgo_73cb713ea330_Cfunc__g_signal_connect()
        ?:0 +0x20
goroutine 1 [syscall, locked to thread]:
runtime.cgocall_errno(0x546bf0, 0x11cdbd1c, 0x0)
        c:/go/src/runtime/cgocall.go:130 +0xbc fp=0x11cdbd0c sp=0x11cdbcf4
github.com/mattn/go-gtk/glib._Cfunc__g_signal_connect(0x0, 0x1978b10, 0x6, 0x0)
        C:/go-path/src/github.com/mattn/go-gtk/glib/:78 +0x3f fp=0x11cdbd1c sp=0x11cdbd0c
github.com/mattn/go-gtk/glib.(*GObject).Connect(0x11cdc2c8, 0x5f80c8, 0x7, 0x56b3c0, 0x11cdc2c0, 0x0, 0x0, 0x0, 0x0)
        C:/go-path/src/github.com/mattn/go-gtk/glib/glib.go:725 +0x22d fp=0x11cdbd9c sp=0x11cdbd1c
";
    let r = report_of(&[("crash.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "cgo-crash");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/mattn/go-gtk/glib.(*GObject).Connect"
    );
}

/// SIGILL in the runtime's own code, no fatal error or panic said: the
/// runtime ran an instruction the CPU lacks (Go 1.14's asyncPreempt on a
/// softfloat MIPS, golang/go#37653), not the standard library it
/// interrupted. From https://github.com/fatedier/frp/issues/1703.
#[test]
fn sigill_in_runtime_code_is_the_runtimes() {
    let text = "SIGILL: illegal instruction
PC=0x89174 m=3 sigcode=128

goroutine 1 [running]:
runtime.asyncPreempt()
    /usr/local/Cellar/go/1.14/libexec/src/runtime/preempt_mipsx.s:40 +0x7c fp=0x11b37e4 sp=0x11b36f0 pc=0x89174
hash/crc32.slicingUpdate(0xb50467eb, 0x11ca000, 0x128fe00, 0x10000, 0x10000, 0x146100)
    /usr/local/Cellar/go/1.14/libexec/src/hash/crc32/crc32_generic.go:77 +0x64 fp=0x11b3804 sp=0x11b37e8 pc=0x10354c
";
    let r = report_of(&[("crash.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "runtime-internal-error");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "runtime.asyncPreempt"
    );
    // The program's frame it interrupted is not where it failed
    // (felix-fly/v2ray-openwrt#20: `uuid.ParseString` below it).
    let over_program = text.replace(
        "hash/crc32.slicingUpdate",
        "v2ray.com/core/common/uuid.ParseString",
    );
    let r = report_of(&[("crash.txt", &over_program)]);
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "runtime.asyncPreempt"
    );
    // In the program's own code it stays the program's.
    let own = text
        .replace("runtime.asyncPreempt()", "example.com/fast.sum()")
        .replace(
            "runtime/preempt_mipsx.s:40",
            "example.com/fast/sum_mipsx.s:40",
        );
    let r = report_of(&[("crash.txt", &own)]);
    assert_ne!(r.findings[0].kind.name(), "runtime-internal-error");
}

/// The lock-cycle rule on hand-written dumps: the cycle is closed only by
/// argument values that are not marked `?`, and two goroutines waiting for
/// the same lock are no cycle.
#[test]
fn lock_cycles_need_trusted_holders_and_two_locks() {
    let waiter = |id: u32, lock: &str, func: &str, recv: &str, line: u32| {
        format!(
            "goroutine {id} [sync.Mutex.Lock, 3 minutes]:\ninternal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\t/go/src/runtime/sema.go:95 +0x25\ninternal/sync.(*Mutex).lockSlow({lock})\n\t/go/src/internal/sync/mutex.go:149 +0x15d\nsync.(*Mutex).Lock(...)\n\t/go/src/sync/mutex.go:46\nmain.(*pair).{func}({recv})\n\t/app/main.go:{line} +0xb1\n\n"
        )
    };
    let main = "goroutine 1 [select]:\nmain.main()\n\t/app/main.go:90 +0x1\n\n";
    let cycle = format!(
        "{main}{}{}",
        waiter(7, "0xc000010010", "ab", "0xc000010000", 20),
        waiter(8, "0xc000010000", "ba", "0xc000010000", 30)
    );
    let r = report_of(&[("dump.txt", &cycle)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock", "{}", f.title);
    assert_eq!(f.location.as_ref().unwrap().line, 20);
    // The same dump whose receiver may be stale (`?`): no value names the
    // holder; a blocked method of the lock's owner type whose receiver was
    // not saved is only a low-confidence candidate.
    let stale = cycle.replace(
        "main.(*pair).ab(0xc000010000)",
        "main.(*pair).ab(0xc000010000?)",
    );
    let r = report_of(&[("dump.txt", &stale)]);
    for f in r
        .findings
        .iter()
        .filter(|f| f.title.starts_with("deadlock: goroutines"))
    {
        assert_eq!(
            f.confidence,
            godiag_analysis::Confidence::Low,
            "{}",
            f.title
        );
        assert!(
            f.evidence
                .iter()
                .any(|e| e.summary.contains("receiver was not saved")),
            "{:?}",
            f.evidence
        );
    }
    // Both wait for one lock: whoever holds it is not among them.
    let one_lock = format!(
        "{main}{}{}",
        waiter(7, "0xc000010000", "ab", "0xc000010000", 20),
        waiter(8, "0xc000010000", "ba", "0xc000010000", 30)
    );
    let r = report_of(&[("dump.txt", &one_lock)]);
    assert!(r
        .findings
        .iter()
        .all(|f| !f.title.contains("wait for each other's locks")));
}

/// The wait-for graph beyond locks, on hand-written dumps: a lock held
/// across a channel send whose only receiver waits for that lock, and a
/// wait group whose only `Done` caller waits for a lock its waiter holds,
/// are deadlocks; a goroutine still running that was passed the channel
/// could receive, so there is none.
#[test]
fn wait_for_graph_follows_channels_and_wait_groups() {
    let lock_waiter = |id: u32, lock: &str, frame: &str, line: u32| {
        format!(
            "goroutine {id} [sync.Mutex.Lock, 3 minutes]:\ninternal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\t/go/src/runtime/sema.go:95 +0x25\ninternal/sync.(*Mutex).lockSlow({lock})\n\t/go/src/internal/sync/mutex.go:149 +0x15d\nsync.(*Mutex).Lock(...)\n\t/go/src/sync/mutex.go:46\n{frame}\n\t/app/main.go:{line} +0xb1\n\n"
        )
    };
    let sender = "goroutine 9 [chan send, 3 minutes]:\nmain.(*hub).publish(0xc000010000, 0xc000020000, 0x1)\n\t/app/main.go:26 +0x9c\n\n";
    let receiver = lock_waiter(
        8,
        "0xc000010000",
        "main.(*hub).consume(0xc000010000, 0xc000020000)",
        33,
    );
    let main = "goroutine 1 [select]:\nmain.main()\n\t/app/main.go:90 +0x1\n\n";
    let dump = format!("{main}{receiver}{sender}");
    let r = report_of(&[("dump.txt", &dump)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock", "{}", f.title);
    assert_eq!(f.confidence, godiag_analysis::Confidence::Medium);
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        (loc.function.as_str(), loc.line),
        ("main.(*hub).publish", 26)
    );
    assert!(
        f.evidence[0].lines.iter().any(|l| l.contains(
            "goroutine 9 [chan send] in main.(*hub).publish (/app/main.go:26) holds the lock at 0xc000010000 and waits for a channel, which only goroutine 8, itself blocked, was passed"
        )),
        "{:?}",
        f.evidence[0].lines
    );
    assert_eq!(f.goroutines, [8, 9]);
    // A running goroutine was passed the channel too: it may receive.
    let live = "goroutine 12 [running]:\nmain.drain(0xc000020000)\n\t/app/main.go:50 +0x1\n\n";
    let r = report_of(&[("dump.txt", &format!("{dump}{live}"))]);
    assert!(
        r.findings
            .iter()
            .all(|f| !f.title.starts_with("deadlock: goroutines")),
        "{:?}",
        r.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
    // A wait group: goroutine 5 holds the lock (passed the struct) and waits
    // for the group; goroutine 6, the only one passed the group, waits for
    // the lock before it can call Done.
    let waits_group = "goroutine 5 [sync.WaitGroup.Wait, 3 minutes]:\nsync.runtime_SemacquireWaitGroup(0x0?, 0x0?)\n\t/go/src/runtime/sema.go:114 +0x2e\nsync.(*WaitGroup).Wait(0xc000030010)\n\t/go/src/sync/waitgroup.go:206 +0x85\nmain.(*batch).flush(0xc000030000)\n\t/app/main.go:60 +0x55\n\n";
    let worker = lock_waiter(
        6,
        "0xc000030000",
        "main.(*batch).work(0xc000030010?, 0xc000030010)",
        70,
    );
    let r = report_of(&[("dump.txt", &format!("{main}{waits_group}{worker}"))]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock", "{}", f.title);
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        (loc.function.as_str(), loc.line),
        ("main.(*batch).flush", 60)
    );
    assert!(
        f.evidence[0]
            .lines
            .iter()
            .any(|l| l.contains("waits for the wait group at 0xc000030010")),
        "{:?}",
        f.evidence[0].lines
    );
}

/// A library's `Wait` that only hands the call to `sync.(*WaitGroup).Wait`
/// is a wrapper: the reused WaitGroup is its caller's doing (naabu's fix
/// moved the `Add` calls in `RunEnumeration`). From
/// https://github.com/projectdiscovery/naabu/issues/376.
#[test]
fn library_wrapper_of_a_sync_method_hands_on_to_its_caller() {
    let text = "panic: sync: WaitGroup is reused before previous Wait has returned

goroutine 1 [running]:
sync.(*WaitGroup).Wait(0x140003e0cf0)
\t/opt/homebrew/Cellar/go/1.18.2/libexec/src/sync/waitgroup.go:138 +0xc0
github.com/remeh/sizedwaitgroup.(*SizedWaitGroup).Wait(...)
\t/Users/geekboy/go/pkg/mod/github.com/remeh/sizedwaitgroup@v1.0.0/sizedwaitgroup.go:83
github.com/projectdiscovery/naabu/v2/pkg/runner.(*Runner).RunEnumeration(0x140003e0cb0)
\t/Users/geekboy/Github/naabu/v2/pkg/runner/runner.go:367 +0xe68
main.main()
\t/Users/geekboy/Github/naabu/v2/cmd/naabu/main.go:38 +0x1dc
";
    let r = report_of(&[("crash.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "sync-misuse");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/projectdiscovery/naabu/v2/pkg/runner.(*Runner).RunEnumeration"
    );
}

/// A wrapper in its caller's own package is the program's code: chisel's
/// `(*waitGroup).Done` kept its own count wrong. From
/// https://github.com/jpillora/chisel/issues/585.
#[test]
fn own_wrapper_of_a_sync_method_stays_the_place() {
    let text = "goroutine 671916 [running]:
sync.(*WaitGroup).Add(0x21b1084?, 0xc008350701?)
    sync/waitgroup.go:64
sync.(*WaitGroup).Done(...)
    sync/waitgroup.go:89
github.com/jpillora/chisel/share/tunnel.(*waitGroup).Done(0xc00413f810?)
    github.com/jpillora/chisel@v1.10.0/share/tunnel/wg.go:20
github.com/jpillora/chisel/share/tunnel.(*waitGroup).DoneAll(...)
    github.com/jpillora/chisel@v1.10.0/share/tunnel/wg.go:26
github.com/jpillora/chisel/share/tunnel.(*Tunnel).BindSSH.func1()
    github.com/jpillora/chisel@v1.10.0/share/tunnel/tunnel.go:79
";
    let r = report_of(&[("crash.txt", text)]);
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "github.com/jpillora/chisel/share/tunnel.(*waitGroup).Done"
    );
}

/// A leak checker's goroutine with no frame of the program (a Transport's
/// connection loop) is placed where it waits. The corpus's copy of
/// https://github.com/golang/go/issues/10457.
#[test]
fn leaked_standard_library_goroutine_is_placed_where_it_waits() {
    let text = include_str!("../../../testdata/realworld/golang-go-10457-http-readloop-leak.txt");
    let r = report_of(&[("test.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "goroutine-leak");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "net/http.(*persistConn).readLoop"
    );
}

/// A paste cut before the failing goroutine's stack, whose panic value
/// holds it (`debug.Stack()` re-panicked by errgroup), and whose value puts
/// the runtime's message behind errgroup's words: a runtime error, placed
/// in the value's stack. From https://github.com/gohugoio/hugo/issues/13853.
#[test]
fn stack_inside_a_wrapped_panic_value() {
    let text = "hugo
Start building sites … 
hugo v0.148.0+extended+withdeploy darwin/arm64 BuildDate=2025-07-08T13:34:49Z VendorInfo=brew

Total in 137 ms
panic: recovered from errgroup.Group: recovered from errgroup.Group: assignment to entry in nil map
        goroutine 25 [running]:
        runtime/debug.Stack()
                runtime/debug/stack.go:26 +0x64
        golang.org/x/sync/errgroup.(*Group).add.func1.1()
                golang.org/x/sync@v0.15.0/errgroup/errgroup.go:117 +0x220
        panic({0x1071acb40?, 0x10946a190?})
                runtime/panic.go:792 +0x124
        github.com/gohugoio/hugo/hugolib.(*pageState).setMetaPost.func1(...)
                github.com/gohugoio/hugo/hugolib/page__meta.go:313
        github.com/gohugoio/hugo/common/maps.(*Ordered[...]).Range(...)
                github.com/gohugoio/hugo/common/maps/ordered.go:132
        github.com/gohugoio/hugo/hugolib.(*pageState).setMetaPost(0x14000edd320, 0x1400169a4a0)
                github.com/gohugoio/hugo/hugolib/page__meta.go:305 +0xf78
";
    let r = report_of(&[("hugo.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "runtime-error");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/gohugoio/hugo/hugolib.(*pageState).setMetaPost.func1"
    );
}

/// A message cut where a log line was wrapped (`invalid memory addres`)
/// is told by its beginning. From https://github.com/robfig/cron/issues/301.
#[test]
fn message_cut_by_a_wrapped_log_line() {
    let text = "socketmaster[21064] 2020/04/13 12:00:00 [1978] 2020/04/13 12:00:00 cron.go:229: cron: panic running job: runtime error: invalid memory addres
s or nil pointer dereference
socketmaster[21064] 2020/04/13 12:00:00 [1978] goroutine 436 [running]:
socketmaster[21064] 2020/04/13 12:00:00 [1978] github.com/XXX/XXX/vendor/github.com/robfig/cron.(*Cron).runWithRecovery.func1(0xc42
028ee60)
socketmaster[21064] 2020/04/13 12:00:00 [1978]  /share/dpkg-build/XXX-build/src/github.com/XXX/XXX/vendor/github.com/robfig/cro
n/cron.go:161 +0xbc
socketmaster[21064] 2020/04/13 12:00:00 [1978] panic(0x8b10c0, 0xc3ec90)
socketmaster[21064] 2020/04/13 12:00:00 [1978]  /home/buildbot/.gvm/gos/go1.10/src/runtime/panic.go:505 +0x229
socketmaster[21064] 2020/04/13 12:00:00 [1978] github.com/XXX/XXX/vendor/github.com/robfig/cron.FuncJob.Run(0x0)
";
    let r = report_of(&[("syslog", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "nil-dereference");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/XXX/XXX/vendor/github.com/robfig/cron.FuncJob.Run"
    );
}

/// `runtime: stack split at bad time`: the runtime grew a stack where it
/// had forbidden it (Go 1.23 on 386 with optimizations off), the runtime's
/// own failure. From https://github.com/wailsapp/wails/issues/3915.
#[test]
fn stack_split_at_bad_time_is_the_runtimes() {
    let text = "runtime: newstack at runtime.getfp+0x1e sp=0x221df54 stack=[0x221d000, 0x221e000]
        morebuf={pc:0xd04fe8 sp:0x221df58 lr:0x0}
        sched={pc:0xd0d63e sp:0x221df54 lr:0x0 ctxt:0x0}
runtime.getcallerfp()
        runtime/runtime2.go:1287 +0x8 fp=0x221df60 sp=0x221df58 pc=0xd04fe8
runtime.entersyscallblock()
        runtime/proc.go:4552 +0x67 fp=0x221dfa0 sp=0x221df60 pc=0xd28cc7
runtime.notetsleepg(0x16c9600, 0xffffffffffffffff)
        runtime/lock_sema.go:296 +0x36 fp=0x221dfc4 sp=0x221dfa0 pc=0xcbff96
os/signal.signal_recv()
        runtime/sigqueue.go:152 +0x39 fp=0x221dfdc sp=0x221dfc4 pc=0xd2a3d9
os/signal.loop()
        os/signal/signal_unix.go:23 +0x1c fp=0x221dff0 sp=0x221dfdc pc=0x1294abc
runtime.goexit({})
        runtime/asm_386.s:1393 +0x1 fp=0x221dff4 sp=0x221dff0 pc=0xd2f241
created by os/signal.Notify.func1.1 in goroutine 1
        os/signal/signal.go:151 +0x2d
fatal error: runtime: stack split at bad time

runtime stack:
runtime.throw({0x135e56b, 0x20})
        runtime/panic.go:1067 +0x35 fp=0x220ff7d0 sp=0x220ff7bc pc=0xd28945
";
    let r = report_of(&[("crash.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "runtime-internal-error");
    assert!(f
        .location
        .as_ref()
        .is_none_or(|l| !l.function.starts_with("github.com/")));
}

/// A panic in a deferred call while panicking (`panic: A` then `\tpanic:
/// B`), the paste cut at the first panic's `panic` frame: the deferred
/// call's own fault is the place left. From
/// https://github.com/woodpecker-ci/woodpecker/issues/4652.
#[test]
fn nested_panic_cut_at_the_first_is_placed_at_the_second() {
    let text = "woodpecker-agent-1  | {\"level\":\"info\",\"time\":\"2024-12-31T16:38:42Z\",\"message\":\"log level: info\"}
woodpecker-agent-1  | {\"level\":\"info\",\"time\":\"2024-12-31T16:38:42Z\",\"message\":\"starting Woodpecker agent with version 'next-5b0d788737' and backend 'docker' using platform 'linux/amd64' running up to 1 pipelines in parallel\"}
woodpecker-agent-1  | panic: runtime error: invalid memory address or nil pointer dereference
woodpecker-agent-1  | \tpanic: runtime error: invalid memory address or nil pointer dereference
woodpecker-agent-1  | [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0xa8413f]
woodpecker-agent-1  | 
woodpecker-agent-1  | goroutine 74 [running]:
woodpecker-agent-1  | go.woodpecker-ci.org/woodpecker/v3/pipeline/backend/docker.(*docker).DestroyWorkflow(0x34358a0, {0x231b610, 0xc000469630}, 0xc000018b00, {0xc00052c635, 0x5})
woodpecker-agent-1  | \t/src/pipeline/backend/docker/docker.go:326 +0xff
woodpecker-agent-1  | go.woodpecker-ci.org/woodpecker/v3/pipeline.(*Runtime).Run.func1()
woodpecker-agent-1  | \t/src/pipeline/pipeline.go:112 +0x7f
woodpecker-agent-1  | panic({0x1cde8e0?, 0x33f99f0?})
";
    let r = report_of(&[("agent.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "nil-dereference");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "go.woodpecker-ci.org/woodpecker/v3/pipeline/backend/docker.(*docker).DestroyWorkflow"
    );
}

/// `Log in goroutine after TestX has completed` through a logging
/// library: the program's call that logged, past the library's methods.
/// From https://github.com/qmsk/snmpbot/issues/30.
#[test]
fn late_test_log_through_a_logger_is_placed_at_the_caller() {
    let text = "panic: Log in goroutine after TestWalkBulk has completed

goroutine 120 [running]:
testing.(*common).logDepth(0xc00042c300, 0xc00009f020, 0x23, 0x3)
\t/home/terom/opt/go-1.15/src/testing/testing.go:738 +0x59f
testing.(*common).log(...)
\t/home/terom/opt/go-1.15/src/testing/testing.go:720
testing.(*common).Logf(0xc00042c300, 0xc00009eff0, 0x23, 0x0, 0x0, 0x0)
\t/home/terom/opt/go-1.15/src/testing/testing.go:766 +0x7e
github.com/qmsk/go-logging.testLogger.Printf(...)
\t/home/terom/go/pkg/mod/github.com/qmsk/go-logging@v0.2.0/testing.go:13
github.com/qmsk/go-logging.Logging.Debugf(...)
\t/home/terom/go/pkg/mod/github.com/qmsk/go-logging@v0.2.0/logging.go:13
github.com/qmsk/go-logging.PrefixLogging.Debugf(...)
\t/home/terom/go/pkg/mod/github.com/qmsk/go-logging@v0.2.0/prefix_logging.go:17
github.com/qmsk/snmpbot/client.(*Engine).teardown(0xc0004463c0)
\t/home/terom/go/src/github.com/qmsk/snmpbot/client/engine.go:68 +0x21c
github.com/qmsk/snmpbot/client.(*Engine).run(0xc0004463c0, 0x69bc40, 0xc000098030)
";
    let r = report_of(&[("test.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "user-panic");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/qmsk/snmpbot/client.(*Engine).teardown"
    );
}

/// The kernel's OOM killer ended the process and the Go runtime printed
/// nothing: out of memory, with the victim and its resident memory. The
/// corpus's copy of https://github.com/thanos-io/thanos/issues/6748.
#[test]
fn kernel_oom_kill_is_out_of_memory() {
    let text =
        include_str!("../../../testdata/realworld/thanos-io-thanos-6748-compactor-oom-kill.txt");
    let r = report_of(&[("dmesg.txt", text)]);
    assert_eq!(r.inputs[0].kind.name(), "crash-text");
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "out-of-memory");
    assert!(
        f.title
            .contains("thanos (pid 8522) with 701.6 MiB resident"),
        "{}",
        f.title
    );
    // Words that only look like the kernel's are no kill.
    let prose = "worker: Killed process list refreshed\nOOMKilledCount=0\n";
    let r = report_of(&[("log.txt", prose)]);
    assert!(r.findings.is_empty(), "{:?}", r.findings[0].title);
}

/// Kubernetes' `OOMKilled` in `kubectl describe pod`. The corpus's copy of
/// https://github.com/cilium/cilium-olm/issues/32.
#[test]
fn kubernetes_oomkilled_is_out_of_memory() {
    let text = include_str!(
        "../../../testdata/realworld/cilium-cilium-olm-32-operator-oomkilled-describe.txt"
    );
    let r = report_of(&[("describe.txt", text)]);
    assert_eq!(r.findings[0].kind.name(), "out-of-memory");
    assert!(
        r.findings[0]
            .title
            .contains("as Kubernetes reports it (OOMKilled)"),
        "{}",
        r.findings[0].title
    );
}

/// `systemctl status` keeps the last lines: the tail of a goroutine dump
/// and Go's failure status 2. The head of the report was cut. The corpus's
/// copy of https://github.com/cblomart/zwaymqtt/issues/9.
#[test]
fn exit_status_2_under_a_dump_tail_is_a_cut_report() {
    let text = include_str!(
        "../../../testdata/realworld/cblomart-zwaymqtt-9-systemctl-status-tail-only.txt"
    );
    let r = report_of(&[("status.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "unknown-failure");
    assert!(f.title.contains("exited with status 2"), "{}", f.title);
    assert!(f.location.is_none());
    assert!(f.next_steps[0].contains("journalctl"), "{:?}", f.next_steps);
    // Another status says nothing of Go's failure.
    let clean = text.replace("status=2", "status=1");
    let r = report_of(&[("status.txt", &clean)]);
    assert!(
        r.findings
            .iter()
            .all(|f| f.kind.name() != "unknown-failure"),
        "{:?}",
        r.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
}

/// A SIGKILL the runtime cannot report: systemd says it, the OOM killer
/// is the first suspect. The corpus's copy of
/// https://github.com/AlexxIT/go2rtc/issues/1550.
#[test]
fn systemd_sigkill_is_an_unknown_failure_pointing_at_the_kernel_log() {
    let text = include_str!(
        "../../../testdata/realworld/alexxit-go2rtc-1550-systemd-sigkill-no-go-text.txt"
    );
    let r = report_of(&[("journal.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "unknown-failure");
    assert!(f.title.contains("SIGKILL"), "{}", f.title);
    assert!(f.next_steps[0].contains("dmesg"), "{:?}", f.next_steps);
}

/// `go build` reporting its compiler killed: the build ran out of memory
/// (the thread's fix gave the build container 2 GB). The corpus's copy of
/// https://github.com/eclipse-archived/codewind/issues/189.
#[test]
fn compiler_killed_mid_build_is_out_of_memory() {
    let text = include_str!(
        "../../../testdata/realworld/eclipse-archived-codewind-189-jenkins-compile-signal-killed.txt"
    );
    let r = report_of(&[("jenkins.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "out-of-memory");
    assert!(f.title.contains("toolchain's compile"), "{}", f.title);
}

/// A runtime message wrapped right after its opening words
/// (`interface conversion:` over `interface {} is nil, not string`) is the
/// runtime's; a program's own words wrapped the same way are not. The
/// corpus's copy of
/// https://github.com/packethost/terraform-provider-packet/issues/239.
#[test]
fn runtime_message_wrapped_after_its_colon() {
    let text = include_str!(
        "../../../testdata/realworld/packethost-terraform-provider-packet-239-waitforstate-nil-conversion.txt"
    );
    let r = report_of(&[("tf.log", text)]);
    assert_eq!(r.findings[0].kind.name(), "runtime-error");
    let own = "panic: config error:\ninterface {} is nil, not string\n";
    let r = report_of(&[("own.log", own)]);
    assert_eq!(r.findings[0].kind.name(), "user-panic");
}

/// goleak lists a database handle's `connectionOpener` (the standard
/// library's) before the program's own loop: the leak is placed at the
/// program's. The corpus's copy of
/// https://github.com/gravitational/teleport/pull/13841.
#[test]
fn leak_checker_places_the_first_goroutine_of_the_program() {
    let text = include_str!(
        "../../../testdata/realworld/gravitational-teleport-13841-goleak-lite-backend.txt"
    );
    let r = report_of(&[("test.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "goroutine-leak");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/gravitational/teleport/lib/backend/lite.(*Backend).runPeriodicOperations"
    );
    assert!(f.title.contains("2 goroutines"), "{}", f.title);
}

/// Race reports abridged by hand: placeholders for the address and the
/// goroutine (`Write at 0x... by goroutine G1:`), each frame's file on its
/// line in a column (coredns/coredns#8252, celestiaorg/cosmos-sdk#732), an
/// address taken out and frames without arguments
/// (ingo-eichhorst/Irrlicht#606). The corpus's copies.
#[test]
fn abridged_race_reports_are_placed_at_the_first_access() {
    for (file, want) in [
        (
            include_str!(
                "../../../testdata/realworld/coredns-coredns-8252-hosts-reload-race-abridged.txt"
            ),
            "plugin/hosts.(*Hostsfile).readHosts",
        ),
        (
            include_str!(
                "../../../testdata/realworld/celestiaorg-cosmos-sdk-732-lastblockheight-race-abridged.txt"
            ),
            "cosmossdk.io/store/rootmulti.(*Store).Commit",
        ),
        (
            include_str!("../../../testdata/realworld/ingo-eichhorst-irrlicht-606-pid-race.txt"),
            "services.(*PIDManager).assignPIDLocked",
        ),
    ] {
        let r = report_of(&[("race.txt", file)]);
        let f = &r.findings[0];
        assert_eq!(f.kind.name(), "data-race");
        assert_eq!(f.location.as_ref().unwrap().function, want);
    }
}

/// What is not the program's end says nothing: a program's log of a child
/// it ran, a supervisor's kill of another process, a test named after a
/// reason, another pod's reason in a log record, a stop, a helper's status.
#[test]
fn lines_about_other_processes_are_no_end_of_this_one() {
    for text in [
        "2024/05/10 14:02:41 job 1881: ffmpeg: signal: killed\n",
        "supervisor: Killed process 4242 (ffmpeg) after 30s timeout\n",
        "=== RUN   TestContainerReason/OOMKilled\n    reason_test.go:41: got restartable=true, want false\n--- FAIL: TestContainerReason/OOMKilled (0.00s)\nFAIL\n",
        "{\"msg\":\"pod restarted\",\"reason\":\"OOMKilled\"}\n",
        "systemd[1]: api.service: Main process exited, code=killed, status=15/TERM\nsystemd[1]: api.service: Succeeded.\n",
        "  Process: 811 ExecStartPre=/usr/bin/grep -q ^API_KEY= /etc/api/env (code=exited, status=2)\n",
    ] {
        let r = report_of(&[("log.txt", text)]);
        assert!(
            r.findings.is_empty(),
            "{text}: {:?}",
            r.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
    }
}

/// A journal of several runs: a failing status is kept over a later clean
/// exit, and the `flag` package's usage error says why it failed.
#[test]
fn usage_error_in_a_journal_is_why_it_exited_with_2() {
    let text = "May 10 14:02:11 web1 systemd[1]: Started api.
May 10 14:02:11 web1 api[900]: flag provided but not defined: -listen
May 10 14:02:11 web1 api[900]: Usage of /usr/local/bin/api:
May 10 14:02:11 web1 systemd[1]: api.service: Main process exited, code=exited, status=2/INVALIDARGUMENT
May 10 15:00:00 web1 systemd[1]: api.service: Main process exited, code=exited, status=0/SUCCESS
";
    let r = report_of(&[("journal.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "unknown-failure");
    assert!(
        f.title.ends_with("flag provided but not defined: -listen"),
        "{}",
        f.title
    );
}

/// A kill for memory beside a dump whose goroutines pile up: the leak is
/// the cause, the kill its consequence.
#[test]
fn kill_for_memory_beside_a_leak_is_its_consequence() {
    let mut text = String::from("goroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x2c\n\n");
    for id in 10..210 {
        text.push_str(&format!("goroutine {id} [chan send, 30 minutes]:\nmain.(*Server).handle(0xc000100000)\n\t/app/server.go:88 +0x1a5\ncreated by main.(*Server).Serve in goroutine 1\n\t/app/server.go:40 +0x85\n\n"));
    }
    text.push_str("      Reason:       OOMKilled\n");
    let r = report_of(&[("dump.txt", &text)]);
    assert_eq!(r.findings[0].kind.name(), "goroutine-leak");
    let kill = r
        .findings
        .iter()
        .find(|f| f.kind.name() == "out-of-memory")
        .expect("the kill");
    assert!(kill.title.starts_with("consequence: "), "{}", kill.title);
}

/// Prose and log lines that name goroutines by words (`goroutine A [the
/// HTTP handler]`) are no headers: only a paste's placeholders for numbers
/// (`NNNN`, `XXX`, `G1`) stand for ids; and a goroutine whose id was hidden
/// so is the program's, not the runtime's g0.
#[test]
fn words_are_no_goroutine_ids_and_hidden_ids_are_no_g0() {
    let prose = "1. goroutine A [the HTTP handler] takes mu1 and then waits for mu2\n2. goroutine B [the janitor] takes mu2 and then waits for mu1\n";
    let r = report_of(&[("notes.txt", prose)]);
    assert_eq!(r.inputs[0].kind.name(), "unrecognized");
    let dump = "goroutine 1 [chan receive]:\nmain.main()\n\t/app/main.go:12 +0x2c\n\ngoroutine G7 [running]:\nmain.compute()\n\t/app/main.go:30 +0x1d\ncreated by main.main in goroutine 1\n\t/app/main.go:11 +0x25\n";
    let r = report_of(&[("dump.txt", dump)]);
    assert!(
        r.findings.iter().all(|f| f.kind.name() != "deadlock"),
        "{:?}",
        r.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
}

/// A journal: the later end of the process is the one reported (a flag
/// typo fixed, then a kill), and a stop that timed out is a hanging
/// shutdown, not a kill for memory; a test logging an expected flag error
/// and a child's exit in a log are nothing.
#[test]
fn a_journal_reports_its_last_end_and_a_hung_stop() {
    let text = "May 10 14:02:11 web1 api[900]: flag provided but not defined: -listen
May 10 14:02:11 web1 systemd[1]: api.service: Main process exited, code=exited, status=2/INVALIDARGUMENT
May 10 16:00:00 web1 systemd[1]: api.service: Main process exited, code=killed, status=9/KILL
";
    let r = report_of(&[("journal.txt", text)]);
    assert!(
        r.findings[0].title.contains("SIGKILL"),
        "{}",
        r.findings[0].title
    );
    let stop = "May 10 16:00:00 web1 systemd[1]: Stopping api...
May 10 16:01:30 web1 systemd[1]: api.service: State 'stop-sigterm' timed out. Killing.
May 10 16:01:30 web1 systemd[1]: api.service: Main process exited, code=killed, status=9/KILL
";
    let r = report_of(&[("journal.txt", stop)]);
    assert!(
        r.findings[0].title.contains("shutdown hangs"),
        "{}",
        r.findings[0].title
    );
    for text in [
        "=== RUN   TestFlags\n    main_test.go:20: got expected error: flag provided but not defined: -bogus\n--- PASS: TestFlags (0.00s)\nok  \texample.com/app\t0.01s\n",
        "2024/05/10 14:02:41 job 1881: ffmpeg exited with code 2\n",
    ] {
        let r = report_of(&[("log.txt", text)]);
        assert!(
            r.findings.is_empty(),
            "{text}: {:?}",
            r.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
    }
}

/// A paste that opens with the tail of an earlier trace: the goroutine
/// printed after the failure's line is the failing one
/// (matveynator/chicha-isotope-map#54, golang/go#36883); unless that one
/// was cut to fewer frames than the stack before it (lwhile/gogen#5) or
/// the paste runs upside down (cortexproject/cortex#4397).
#[test]
fn an_earlier_traces_tail_is_not_the_failing_goroutine() {
    for (file, want) in [
        (
            include_str!(
                "../../../testdata/realworld/matveynator-chicha-isotope-map-54-template-must-function-not-defined.txt"
            ),
            "main.mapHandler",
        ),
        (
            include_str!(
                "../../../testdata/realworld/golang-go-36883-http-panic-serving-user-panic.txt"
            ),
            "main.process",
        ),
        (
            include_str!("../../../testdata/realworld/lwhile-gogen-5-http-panic-index-parse.txt"),
            "github.com/lwhile/gogen.(*jsonParser).parse",
        ),
        (
            include_str!(
                "../../../testdata/realworld/cortexproject-cortex-4397-memcached-send-closed-reversed.txt"
            ),
            "github.com/cortexproject/cortex/pkg/chunk/cache.(*Memcached).fetchKeysBatched.func1",
        ),
    ] {
        let r = report_of(&[("crash.txt", file)]);
        assert_eq!(r.findings[0].location.as_ref().unwrap().function, want);
    }
    // The text report marks that goroutine's group as the failing one.
    let text = "\tnet/http/server.go:2102 +0x625\ncreated by net/http.(*Server).Serve in goroutine 12\n\tnet/http/server.go:3454 +0x485\n2025/09/16 16:24:05 http: panic serving [::1]:49355: boom\ngoroutine 57 [running]:\nnet/http.(*conn).serve.func1()\n\tnet/http/server.go:1947 +0xbe\npanic({0x1044980e0?, 0xc0008faea0?})\n\truntime/panic.go:792 +0x132\nmain.handler({0x1045f1558, 0xc00035a000}, 0x104470860?)\n\t/app/main.go:19 +0x73b\n";
    let r = report_of(&[("crash.txt", text)]);
    let shown = godiag_report::render_text(&r, godiag_report::TextOptions::default());
    let marked = shown.lines().find(|l| l.contains("← failing")).unwrap();
    assert!(marked.contains("goroutine 57"), "{marked}");
}

/// A compiler-made wrapper that faulted on a receiver it had is a method
/// promoted from an embedded field left nil: the embedding type's
/// (CAFxX/httpcompression#59, banzaicloud/koperator#393). With a nil
/// receiver the caller passed it (cli/cli#722,
/// grpc-ecosystem/go-grpc-middleware#410).
#[test]
fn a_promoted_methods_wrapper_is_blamed_only_with_a_receiver() {
    for (file, want) in [
        (
            include_str!(
                "../../../testdata/realworld/cafxx-httpcompression-59-compresswriter-header-nil-echo.txt"
            ),
            "github.com/CAFxX/httpcompression.(*compressWriter).Header",
        ),
        (
            include_str!("../../../testdata/realworld/banzaicloud-koperator-393-internalerror-nil.txt"),
            "github.com/banzaicloud/kafka-operator/pkg/errorfactory.(*InternalError).Error",
        ),
        (
            include_str!("../../../testdata/realworld/cli-cli-722-pr-create-nil-repository.txt"),
            "github.com/cli/cli/internal/ghrepo.IsSame",
        ),
        (
            include_str!(
                "../../../testdata/realworld/grpc-ecosystem-go-grpc-middleware-410-nil-withstack-error.txt"
            ),
            "github.com/grpc-ecosystem/go-grpc-middleware/tracing/opentracing.finishServerSpan",
        ),
    ] {
        let r = report_of(&[("crash.txt", file)]);
        let f = &r.findings[0];
        assert_eq!(f.kind.name(), "nil-dereference");
        assert_eq!(f.location.as_ref().unwrap().function, want);
    }
}

/// SIGABRT sent with `kill` (sigcode 0) to a hung process is a request for
/// its dump, read as SIGQUIT's is (restic/restic#2834); C's `abort()`
/// (SI_TKILL, or during cgo execution) stays a crash.
#[test]
fn a_sent_sigabrt_is_a_dump_of_a_hang() {
    let r = report_of(&[(
        "hang.txt",
        include_str!(
            "../../../testdata/realworld/restic-restic-2834-backup-hang-sigabrt-tomb-wait.txt"
        ),
    )]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "gopkg.in/tomb%2ev2.(*Tomb).Wait"
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.title.contains("stopped with SIGABRT")),
        "{:?}",
        r.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
    let abort = "SIGABRT: abort\nPC=0x7f592d86f1f7 m=4 sigcode=18446744073709551610\nsignal arrived during cgo execution\n\ngoroutine 7 [syscall]:\nruntime.cgocall(0x4b3a40, 0xc000051d38)\n\t/usr/local/go/src/runtime/cgocall.go:157 +0x4b fp=0xc000051d10 sp=0xc000051cd8 pc=0x40537b\nmain._Cfunc_decode(0x7f5920000b70)\n\t_cgo_gotypes.go:61 +0x45\nmain.decode(...)\n\t/app/main.go:22\nmain.main()\n\t/app/main.go:30 +0x2f\n";
    let r = report_of(&[("crash.txt", abort)]);
    assert_eq!(r.findings[0].kind.name(), "cgo-crash");
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "main.decode"
    );
}

/// A `debug=1` record whose last frame was cut inside its file column
/// keeps the function (mholt/caddy-ratelimit#36); its line is unknown.
#[test]
fn a_profile_record_cut_in_its_file_column_keeps_its_function() {
    let r = report_of(&[(
        "goroutines.txt",
        include_str!(
            "../../../testdata/realworld/mholt-caddy-ratelimit-36-maxevents-stuck-mutex-debug1.txt"
        ),
    )]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "goroutine-leak");
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        loc.function,
        "github.com/mholt/caddy-ratelimit.(*ringBufferRateLimiter).MaxEvents"
    );
    assert_eq!(loc.line, 0);
    assert!(
        loc.place().ends_with("(line not in the input)"),
        "{}",
        loc.place()
    );
}

/// `sync/atomic`'s panics on an `atomic.Value` misused (a nil or another
/// type stored) are a sync primitive's misuse at its caller
/// (go-sql-driver/mysql#1538).
#[test]
fn atomic_value_misuse_is_sync_misuse() {
    let r = report_of(&[(
        "crash.txt",
        include_str!(
            "../../../testdata/realworld/go-sql-driver-mysql-1538-startwatcher-atomic-store-nil.txt"
        ),
    )]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "sync-misuse");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/go-sql-driver/mysql.(*atomicError).Set"
    );
    let typed = "panic: sync/atomic: compare and swap of inconsistently typed values\n\ngoroutine 1 [running]:\nsync/atomic.(*Value).CompareAndSwap(0xc000012028, {0x4a0e20, 0x4d1f08}, {0x4a0ea0, 0x4d1f10})\n\t/usr/local/go/src/sync/atomic/value.go:143 +0x1c5\nmain.swap(...)\n\t/app/main.go:11\nmain.main()\n\t/app/main.go:16 +0x45\n";
    let r = report_of(&[("crash.txt", typed)]);
    assert_eq!(r.findings[0].kind.name(), "sync-misuse");
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "main.swap"
    );
}

/// An excerpt of one goroutine that a test waits for, parked on a wait
/// group, is the test's hang even without wait times
/// (cockroachdb/cockroach#6319); one worker parked on a channel is not.
#[test]
fn a_tests_lone_parked_goroutine_is_its_hang() {
    let r = report_of(&[(
        "hang.txt",
        include_str!(
            "../../../testdata/realworld/cockroachdb-cockroach-6319-test-stuck-on-waitgroup.txt"
        ),
    )]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/cockroachdb/cockroach/storage_test.TestStoreRangeRemoveDead"
    );
    let worker = "goroutine 31 [chan receive]:\nexample.com/app/queue.(*Queue).worker(0xc000120000)\n\t/app/queue/queue.go:40 +0x65\ncreated by example.com/app/queue.New in goroutine 1\n\t/app/queue/queue.go:22 +0x9c\n";
    let r = report_of(&[("dump.txt", worker)]);
    assert!(
        r.findings.is_empty(),
        "{:?}",
        r.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
}

/// The wrapper is blamed only for a memory fault it raised: a recursion
/// that overflows in it, and `value method ... called using nil *T
/// pointer` (whose receiver word may print stale, `0xc000362008?`), are
/// placed as before (second review of the fifteenth session).
#[test]
fn a_wrapper_is_no_place_for_overflows_or_nil_receivers() {
    let panicwrap = "panic: value method example.com/zk/sch.Commitment.Domain called using nil *Commitment pointer\n\ngoroutine 12 [running]:\nexample.com/zk/sch.(*Commitment).Domain(0xc000362008?)\n\t<autogenerated>:1 +0x45\nexample.com/zk/hash.(*Hash).WriteAny(0xc0003b6000, {0xc000362100?, 0x1, 0x1})\n\t/src/hash/hash.go:86 +0x2a5\n";
    let r = report_of(&[("crash.txt", panicwrap)]);
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "example.com/zk/hash.(*Hash).WriteAny"
    );
    let overflow = "runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow\n\ngoroutine 1 [running]:\nmain.(*Str).String(0xc000014090?)\n\t<autogenerated>:1 +0x5c fp=0xc0201603a8 sp=0xc0201603a0 pc=0x48f1dc\nfmt.(*pp).handleMethods(0xc0000a2340, 0x76)\n\t/usr/local/go/src/fmt/print.go:673 +0x2b2 fp=0xc020160600 sp=0xc0201603a8 pc=0x484bd2\nfmt.Sprintf({0x4b0d14, 0x5}, {0xc020160800, 0x1, 0x1})\n\t/usr/local/go/src/fmt/print.go:239 +0x53 fp=0xc0201607f0 sp=0xc020160798 pc=0x47f2b3\nmain.Str.String(...)\n\t/app/main.go:10\nmain.(*Str).String(0xc000014090?)\n\t<autogenerated>:1 +0x49 fp=0xc020160820 sp=0xc0201607f0 pc=0x48f1c9\nfmt.(*pp).handleMethods(0xc0000a2270, 0x76)\n\t/usr/local/go/src/fmt/print.go:673 +0x2b2 fp=0xc020160a78 sp=0xc020160820 pc=0x484bd2\nfmt.Sprintf({0x4b0d14, 0x5}, {0xc020160c78, 0x1, 0x1})\n\t/usr/local/go/src/fmt/print.go:239 +0x53 fp=0xc020160c68 sp=0xc020160c10 pc=0x47f2b3\nmain.Str.String(...)\n\t/app/main.go:10\nmain.(*Str).String(0xc000014090?)\n\t<autogenerated>:1 +0x49 fp=0xc020160c98 sp=0xc020160c68 pc=0x48f1c9\n";
    let r = report_of(&[("crash.txt", overflow)]);
    assert_eq!(r.findings[0].kind.name(), "stack-overflow");
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "main.Str.String"
    );
}

/// macOS delivers C's `abort()` with sigcode 0 too: at a pc the runtime
/// does not know, while a goroutine is in C, it is a crash, not a dump;
/// a sent SIGABRT's dump gets SIGQUIT's kind and its leak rules.
#[test]
fn a_c_abort_on_macos_is_no_dump_request() {
    let abort = "glp_free: memory allocation error\nSIGABRT: abort\nPC=0x7fff7ac4c2c6 m=7 sigcode=0\n\ngoroutine 0 [idle]:\nruntime: unknown pc 0x7fff7ac4c2c6\nstack: frame={sp:0x700003e8ba68, fp:0x0} stack=[0x700003e0c290,0x700003e8be90)\n\ngoroutine 7 [syscall]:\nruntime.cgocall(0x4100d10, 0xc00005bcd0, 0xc00005bd18)\n\t/usr/local/go/src/runtime/cgocall.go:128 +0x5b\nexample.com/glpk._Cfunc_glp_delete_prob(0x76000d0)\n\t_cgo_gotypes.go:722 +0x41\nexample.com/glpk.(*Prob).Delete(0xc00000e060)\n\t/src/glpk/glpk.go:133 +0x2b\n";
    let r = report_of(&[("crash.txt", abort)]);
    assert_eq!(r.inputs[0].kind.name(), "crash-text");
    assert!(
        r.findings.iter().all(|f| !f.title.contains("stopped with")),
        "{:?}",
        r.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
    assert_eq!(r.findings[0].title, "SIGABRT: abort");
    let mut sent = String::from("SIGABRT: abort\nPC=0x46ce81 m=0 sigcode=0\n\ngoroutine 1 [select, 70 minutes]:\nmain.main()\n\t/app/main.go:40 +0x1a5\n\n");
    for id in 10..70 {
        sent.push_str(&format!("goroutine {id} [chan send, 65 minutes]:\nexample.com/app/fanout.(*Publisher).deliver(0xc000120000)\n\t/app/fanout/fanout.go:88 +0x65\ncreated by example.com/app/fanout.New in goroutine 1\n\t/app/fanout/fanout.go:30 +0x9c\n\n"));
    }
    let r = report_of(&[("dump.txt", sent.leak())]);
    assert_eq!(r.inputs[0].kind.name(), "sigquit-dump");
    assert_eq!(r.findings[0].kind.name(), "goroutine-leak");
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "example.com/app/fanout.(*Publisher).deliver"
    );
}

/// The goroutine after a fatal signal's lines is the failing one too, and
/// so is a short one after the message when it holds the program's frame.
#[test]
fn after_an_earlier_tail_signals_and_short_stacks_count() {
    let tail = "\t/home/app/vendor/github.com/gorilla/mux/mux.go:210 +0xd3\nnet/http.serverHandler.ServeHTTP({0xc0001a60e0?}, {0xa4e3b8?, 0xc0002f40e0}, 0xc000312000)\n\t/usr/local/go/src/net/http/server.go:2936 +0x316\nnet/http.(*conn).serve(0xc0002da000, {0xa4f0d8, 0xc00029c2d0})\n\t/usr/local/go/src/net/http/server.go:1995 +0x612\ncreated by net/http.(*Server).Serve in goroutine 1\n\t/usr/local/go/src/net/http/server.go:3089 +0x5ed\n";
    let signal = format!("{tail}SIGSEGV: segmentation violation\nPC=0x7f3a2b1c4d5e m=5 sigcode=1 addr=0x0\nsignal arrived during cgo execution\n\ngoroutine 57 [syscall]:\nruntime.cgocall(0x8a1b40, 0xc0003bfb58)\n\t/usr/local/go/src/runtime/cgocall.go:157 +0x4b\nexample.com/app/imaging._Cfunc_resize(0x7f3a24000b70, 0x280, 0x1e0)\n\t_cgo_gotypes.go:91 +0x4e\nexample.com/app/imaging.Resize(0xc000422000, 0x280, 0x1e0)\n\t/home/app/imaging/resize.go:44 +0x9c\n");
    let r = report_of(&[("crash.txt", signal.leak())]);
    assert_eq!(r.findings[0].kind.name(), "cgo-crash");
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "example.com/app/imaging.Resize"
    );
    let short = format!("{tail}panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x7a1b2c]\n\ngoroutine 42 [running]:\nexample.com/app/jobs.(*Worker).run(0x0)\n\t/home/app/jobs/worker.go:57 +0x2c\ncreated by example.com/app/jobs.Start in goroutine 1\n\t/home/app/jobs/jobs.go:22 +0x85\n");
    let r = report_of(&[("crash.txt", short.leak())]);
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "example.com/app/jobs.(*Worker).run"
    );
}

/// A test's lone goroutine waiting in the harness (`T.Parallel`, `T.Run`
/// for its subtest) or in a `select` is no hang by itself.
#[test]
fn harness_waits_are_no_tests_hang() {
    for text in [
        "goroutine 23 [chan receive]:\ntesting.(*T).Parallel(0xc000103a00)\n\t/usr/local/go/src/testing/testing.go:1403 +0x205\nexample.com/app/store.TestConcurrentWrites(0xc000103a00)\n\t/home/dev/app/store/store_test.go:88 +0x45\ntesting.tRunner(0xc000103a00, 0x6b2f10)\n\t/usr/local/go/src/testing/testing.go:1576 +0x10b\ncreated by testing.(*T).Run in goroutine 1\n\t/usr/local/go/src/testing/testing.go:1629 +0x3ea\n",
        "goroutine 7 [chan receive]:\ntesting.(*T).Run(0xc000007860, {0x8b2d1e?, 0xc000113f38?}, 0xc00012e2d0)\n\t/usr/local/go/src/testing/testing.go:1630 +0x405\nexample.com/app/api.TestHandlers(0xc000007860)\n\t/home/dev/app/api/handlers_test.go:31 +0x1a5\ntesting.tRunner(0xc000007860, 0x8fbd40)\n\t/usr/local/go/src/testing/testing.go:1576 +0x10b\ncreated by testing.(*T).Run in goroutine 1\n\t/usr/local/go/src/testing/testing.go:1629 +0x3ea\n",
        "goroutine 9 [select]:\nexample.com/app/api.TestPoll(0xc000007860)\n\t/home/dev/app/api/poll_test.go:40 +0x1a5\ntesting.tRunner(0xc000007860, 0x8fbd40)\n\t/usr/local/go/src/testing/testing.go:1576 +0x10b\ncreated by testing.(*T).Run in goroutine 1\n\t/usr/local/go/src/testing/testing.go:1629 +0x3ea\n",
    ] {
        let r = report_of(&[("dump.txt", text)]);
        assert!(
            r.findings.is_empty(),
            "{text}: {:?}",
            r.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
    }
}

/// Race reports pasted without their indentation (each line behind a
/// viewer's line number, gravitational/teleport#4826), with line numbers
/// glued to the text (`299WARNING: DATA RACE`,
/// open-telemetry/opentelemetry-collector#41), or through journald, which
/// keeps no indentation (golang/go#31352, where the standard library raced:
/// its code is named, not the runtime's map routine it called).
#[test]
fn race_reports_without_indentation_or_with_glued_line_numbers() {
    for (file, want) in [
        (
            include_str!(
                "../../../testdata/realworld/gravitational-teleport-4826-data-race-utils-utc-line-numbered.txt"
            ),
            "github.com/gravitational/teleport/lib/utils.UTC",
        ),
        (
            include_str!(
                "../../../testdata/realworld/open-telemetry-opentelemetry-collector-41-race-travis-line-numbers.txt"
            ),
            "github.com/open-telemetry/opentelemetry-collector/receiver/opencensusreceiver/octrace.TestExportProtocolViolations_nodelessFirstMessage.func1",
        ),
        (
            include_str!("../../../testdata/realworld/golang-go-31352-net-http-transport-race.txt"),
            "net/http.(*Transport).setReqCanceler",
        ),
    ] {
        let r = report_of(&[("race.txt", file)]);
        let f = &r.findings[0];
        assert_eq!(f.kind.name(), "data-race");
        assert_eq!(f.location.as_ref().unwrap().function, want);
    }
    // Digits glued to a word are no line number: `x2panic:` is no anchor.
    assert!(godiag_sniff::anchor::find("build42panic: boom").is_none());
}

/// A panic after a race report that lost its closing ruler starts its own
/// stack, which is not read into the race's goroutines; a race through a
/// system call names the standard library's code past the race detector's
/// helpers (`internal/race.WriteRange`); a hostile line of digits and glued
/// anchors is read like any other (second review of the fifteenth session).
#[test]
fn race_reports_end_at_a_panic_and_skip_the_detectors_helpers() {
    let unruled = "==================\nWARNING: DATA RACE\nWrite at 0x00c0000a0018 by goroutine 7:\n  main.worker()\n      /home/u/app/main.go:10 +0x3c\n\nGoroutine 7 (running) created at:\n  main.main()\n      /home/u/app/main.go:19 +0x4e\n\npanic: runtime error: index out of range [3] with length 3\n\nmain.lookup(...)\n\t/home/u/app/main.go:31\nmain.main()\n\t/home/u/app/main.go:25 +0x1d6\n";
    let r = report_of(&[("race.txt", unruled)]);
    let races = &r.inputs[0].text().unwrap().races;
    let created: Vec<&str> = races[0].goroutines[0]
        .created_at
        .iter()
        .map(|f| f.function)
        .collect();
    assert_eq!(created, ["main.main"]);
    let syscall = "WARNING: DATA RACE\nWrite at 0x00c000180000 by goroutine 21:\n  runtime.racewriterange()\n      <autogenerated>:1 +0x1e\n  internal/race.WriteRange()\n      /usr/local/go/src/internal/race/race.go:49 +0x3c\n  syscall.Read()\n      /usr/local/go/src/syscall/syscall_unix.go:193 +0x5c\n  os.(*File).Read()\n      /usr/local/go/src/os/file.go:118 +0xb4\n\nPrevious read at 0x00c000180000 by goroutine 22:\n  runtime.slicecopy()\n      /usr/local/go/src/runtime/slice.go:325 +0x0\n  bytes.(*Buffer).Write()\n      /usr/local/go/src/bytes/buffer.go:180 +0x118\n";
    let r = report_of(&[("race.txt", syscall)]);
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "syscall.Read"
    );
    let hostile = format!(
        "{}{}\n",
        "7".repeat(200_000),
        "xgoroutine 1 [running]:".repeat(20_000)
    );
    // Read whole, as any input: a quadratic scan would hold the suite for
    // minutes (speed itself is measured by the bench scripts).
    assert!(godiag_sniff::anchor::find(&hostile).is_none());
    let r = report_of(&[("hostile.txt", hostile.leak())]);
    assert_eq!(r.inputs.len(), 1);
}

/// `fatal error: unexpected signal during runtime execution` pasted
/// without its signal line, over a goroutine whose innermost frame is the
/// runtime's cgo call: the signal struck C code, placed at the Go caller of
/// the `_Cfunc_` stub. From https://github.com/pebbe/go-proj-4/issues/6
/// (Go 1.4, PROJ.4 called from several goroutines at once).
#[test]
fn an_unexpected_signal_in_a_cgo_call_is_a_cgo_crash() {
    let text = "\tfatal error: unexpected signal during runtime execution

\tgoroutine 12 [syscall, locked to thread]:
\truntime.cgocall_errno(0x40047c0, 0xc2080e9788, 0xc200000000)
\t\t/usr/local/go/src/runtime/cgocall.go:130 +0xf5 fp=0xc2080e9768 sp=0xc2080e9740
\tgithub.com/pebbe/go-proj-4/proj._Cfunc_transform(0x9300100, 0x9300540, 0x1, 0xc2081c0650, 0xc2081c0658, 0x0, 0x0)
\t\tgithub.com/pebbe/go-proj-4/proj/_obj/_cgo_gotypes.go:79 +0x44 fp=0xc2080e9788 sp=0xc2080e9768
\tgithub.com/pebbe/go-proj-4/proj.transform(0xc20802c970, 0xc20802c990, 0xc2080e99a8, 0x1, 0x1, 0xc2080e99a0, 0x1, 0x1, 0x0, 0x0, ...)
\t\t/Users/Shared/Development/git.urban4m.com/projects/AP/app-tiler/src/github.com/pebbe/go-proj-4/proj/proj.go:114 +0xac1 fp=0xc2080e98e8 sp=0xc2080e9788
";
    let r = report_of(&[("proj.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "cgo-crash", "{}", f.title);
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/pebbe/go-proj-4/proj.transform"
    );
    // The same fatal error over Go code is the runtime's own.
    let go_only = "fatal error: unexpected signal during runtime execution

goroutine 1 [running]:
runtime.mallocgc(0x20, 0x0, 0x0)
\t/usr/local/go/src/runtime/malloc.go:1000 +0x10
main.main()
\t/app/main.go:5 +0x20
";
    let r = report_of(&[("go.txt", go_only)]);
    assert_ne!(r.findings[0].kind.name(), "cgo-crash");
}

/// A trace pasted outside a code block into an issue and copied back from
/// the page: Markdown took the receivers' `*` for emphasis, and took bold
/// in the message. Both are restored before reading. From
/// https://github.com/projectdiscovery/subfinder/issues/347 and
/// https://github.com/gohugoio/hugo/issues/1112.
#[test]
fn markdown_damage_is_undone() {
    let text = "panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x40 pc=0x7d0532]

goroutine 79 [running]:
github.com/projectdiscovery/subfinder/v2/pkg/subscraping/sources/sitedossier.(agent).enumerate(0xc00011f240, 0xa208a0, 0xc000060900, 0xc00002a480, 0x38)
        /root/go/pkg/mod/github.com/projectdiscovery/subfinder/v2@v2.4.5/pkg/subscraping/sources/sitedossier/sitedossier.go:40 +0x192
github.com/projectdiscovery/subfinder/v2/pkg/subscraping/sources/sitedossier.(Source).Run.func1(0xc00011f240, 0xa208a0, 0xc000060900, 0x7fffc2cb9701, 0x10)        /root/go/pkg/mod/github.com/projectdiscovery/subfinder/v2@v2.4.5/pkg/subscraping/sources/sitedossier/sitedossier.go:73 +0xc6
created by github.com/projectdiscovery/subfinder/v2/pkg/subscraping/sources/sitedossier.(*Source).Run
        /root/go/pkg/mod/github.com/projectdiscovery/subfinder/v2@v2.4.5/pkg/subscraping/sources/sitedossier/sitedossier.go:72 +0xc5
";
    let r = report_of(&[("subfinder.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "nil-dereference");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/projectdiscovery/subfinder/v2/pkg/subscraping/sources/sitedossier.(*agent).enumerate"
    );
    assert!(r.inputs[0]
        .warnings
        .iter()
        .any(|w| w.starts_with("2 pointer receivers were missing the `*`")));
    let hugo = "panic: runtime error: invalid memory address or **nil pointer** dereference
[signal 0xb code=0x1 **addr=0x0** pc=0x47ab4b]
";
    let r = report_of(&[("hugo.txt", hugo)]);
    assert_eq!(r.findings[0].kind.name(), "nil-dereference");
    assert_eq!(r.findings[0].title, "nil pointer dereference");
    assert!(r.inputs[0]
        .warnings
        .iter()
        .any(|w| w.starts_with("2 Markdown bold markers")));
}

/// Go 1.6's 32-bit ARM atomics fault on purpose on an unaligned 64-bit
/// word, printed under the `panic` frame as a nil dereference: the misuse.
/// From https://github.com/SynoCommunity/spksrc/issues/2400. Go 1.16+'s
/// `panicUnaligned` on top of a stack pasted without its panic line is
/// the same misuse (https://github.com/spacemeshos/go-spacemesh/issues/3107).
#[test]
fn unaligned_atomics_below_panic_and_without_it() {
    let go16 = "panic: runtime error: invalid memory address or nil pointer dereference
[signal 0xb code=0x1 addr=0x4 pc=0x366bc8]

goroutine 1 [running]:
panic(0x62a920, 0x10d1e030)
        /usr/local/go/src/runtime/panic.go:481 +0x330
sync/atomic.addUint64(0x10d0becc, 0x0, 0x0, 0x0, 0x0)
        /usr/local/go/src/sync/atomic/64bit_arm.go:31 +0x68
github.com/syncthing/syncthing/lib/db.readWriteTransaction.flush(0x1184f4d0, 0x10d0bec0, 0x1137b640)
        /home/buildslave/workspace/syncthing-release/src/github.com/syncthing/syncthing/lib/db/leveldb_transactions.go:74 +0xbc
";
    let r = report_of(&[("spksrc.txt", go16)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "sync-misuse", "{}", f.title);
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/syncthing/syncthing/lib/db.readWriteTransaction.flush"
    );
    let go117 = "goroutine 432 [running]:
runtime/internal/atomic.panicUnaligned()
\t/usr/local/go/src/runtime/internal/atomic/unaligned.go:8 +0x24
runtime/internal/atomic.Load64(0x3c20adc)
\t/usr/local/go/src/runtime/internal/atomic/atomic_arm.s:286 +0x14
github.com/spacemeshos/post/initialization.(*Initializer).SessionNumLabelsWritten(...)
\t/home/pi/go/pkg/mod/github.com/spacemeshos/post@v0.0.0-20211014030409-e1a8091bb648/initialization/initialization.go:181
github.com/spacemeshos/go-spacemesh/activation.(*PostSetupManager).Status(0x3b40060)
\t/home/pi/Programs/spacemesh/go-spacemesh/activation/post.go:142 +0x78
";
    let r = report_of(&[("spacemesh.txt", go117)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "sync-misuse", "{}", f.title);
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/spacemeshos/post/initialization.(*Initializer).SessionNumLabelsWritten"
    );
}

/// The kernel refused a futex wake (`returned -89`, ENOSYS on MIPS); the
/// runtime printed it and faulted on purpose: the runtime's failure on
/// this platform, not the program's pointer. From
/// https://github.com/XTLS/Xray-core/issues/5882.
#[test]
fn a_refused_futex_wake_is_the_runtimes_failure() {
    let text = "futexwakeup addr=0x20d37f8 returned -89
futexwakeup addr=0x20d37f8 returned -89
SIGSEGV: segmentation violation
PC=0x80824 m=3 sigcode=128 addr=0x0

goroutine 0 gp=0x4c02c88 m=3 mp=0x4c61008 [idle]:
runtime.futexwakeup(0x20d37f8, 0x1)
\truntime/os_linux.go:98 +0x84 fp=0x4c75f74 sp=0x4c75f48 pc=0x80824
runtime.notewakeup(0x20d37f8)
\truntime/lock_futex.go:32 +0x6c fp=0x4c75f84 sp=0x4c75f74 pc=0x3e518
";
    let r = report_of(&[("xray.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "runtime-internal-error", "{}", f.title);
    assert!(
        f.next_steps.iter().any(|s| s.contains("ENOSYS")),
        "{:?}",
        f.next_steps
    );
}

/// A recovered panic's message wrapped onto a line of its own after a
/// word (` dereference`): the cut message still names the nil
/// dereference. From https://github.com/vmware/vic/issues/1868.
#[test]
fn a_message_wrapped_after_a_word_keeps_its_kind() {
    let text = "Aug 08 21:49:59 vic-docker vic-init[138]: 2016/08/08 21:49:59 http: panic serving 192.168.218.1:55286: runtime error: invalid memory address or nil pointer
 dereference
Aug 08 21:49:59 vic-docker vic-init[138]: goroutine 24 [running]:
Aug 08 21:49:59 vic-docker vic-init[138]: net/http.(*conn).serve.func1(0xc82026b980)
Aug 08 21:49:59 vic-docker vic-init[138]: /usr/local/go/src/net/http/server.go:1389 +0xc1
Aug 08 21:49:59 vic-docker vic-init[138]: panic(0x1076240, 0xc82000e080)
Aug 08 21:49:59 vic-docker vic-init[138]: /usr/local/go/src/runtime/panic.go:443 +0x4e9
Aug 08 21:49:59 vic-docker vic-init[138]: github.com/vmware/vic/lib/install/validate.(*Validator).sessionValid(0xc8201b9260, 0x13d47f0, 0x16, 0x0)
Aug 08 21:49:59 vic-docker vic-init[138]: /home/loc/go/src/github.com/vmware/vic/lib/install/validate/validator.go:221 +0x63
";
    let r = report_of(&[("vic.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "nil-dereference", "{}", f.title);
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/vmware/vic/lib/install/validate.(*Validator).sessionValid"
    );
}

/// A log viewer's timestamps glued to every line without a blank
/// (`2024.08.01T02:57:12.796panic: ...`): learned as the lines' prefix.
/// From https://github.com/pinpoint-apm/pinpoint-c-agent/issues/658.
#[test]
fn timestamps_glued_to_the_runtime_text() {
    let text = "2024.08.01T02:57:12.796panic: send on closed channel
2024.08.01T02:57:12.796goroutine 38 [running]:
2024.08.01T02:57:12.796github.com/pinpoint-apm/pinpoint-c-agent/collector-agent/agent.(*SpanSender).Interceptor(0xc0002bc1e8, 0xc0005a4180?)
2024.08.01T02:57:12.796\t/apps/agent/SpanSender.go:344 +0x165
2024.08.01T02:57:12.796github.com/pinpoint-apm/pinpoint-c-agent/collector-agent/agent.(*GrpcAgent).consumeJsonSpan(0xc0002bc180)
2024.08.01T02:57:12.796\t/apps/agent/GrpcAgent.go:458 +0x1c9
";
    let r = report_of(&[("pinpoint.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "sync-misuse", "{}", f.title);
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        (loc.function.as_str(), loc.line),
        (
            "github.com/pinpoint-apm/pinpoint-c-agent/collector-agent/agent.(*SpanSender).Interceptor",
            344
        )
    );
    // Words glued to an anchor are still no anchor.
    let prose = "the v1.2panic: word\n";
    assert!(report_of(&[("prose.txt", prose)]).findings.is_empty());
}

/// A zap record at the `panic` level, its stack in the `stacktrace` field,
/// pasted without the runtime's lines that followed: the logger panicked
/// with the record's message at the program's call. From
/// https://github.com/etcd-io/etcd/issues/14110.
#[test]
fn a_panic_level_record_is_the_loggers_panic() {
    let text = r#"{"level":"panic","ts":"2022-06-13T14:11:27.870Z","caller":"etcdserver/apply.go:638","msg":"unexpected error during txn","error":"context canceled","stacktrace":"go.etcd.io/etcd/server/v3/etcdserver.(*applierV3backend).applyTxn\n\t/go/src/go.etcd.io/etcd/release/etcd/server/etcdserver/apply.go:638\ngo.etcd.io/etcd/server/v3/etcdserver.(*applierV3backend).Txn\n\t/go/src/go.etcd.io/etcd/release/etcd/server/etcdserver/apply.go:477"}
"#;
    let r = report_of(&[("etcd.json", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "user-panic", "{}", f.title);
    assert_eq!(f.title, "panic: unexpected error during txn");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "go.etcd.io/etcd/server/v3/etcdserver.(*applierV3backend).applyTxn"
    );
    // logrus sorts its keys: a nested `level` may come before the record's.
    let sorted = r#"{"error":"x","fields":{"level":"panic"},"level":"warning","msg":"slow query","stack":"main.handle\n\t/app/main.go:30\nmain.main\n\t/app/main.go:12"}
"#;
    let r = report_of(&[("logrus.json", sorted)]);
    assert!(r.findings.iter().all(|f| f.kind.name() != "user-panic"));
    // An error-level record with the same stack is no panic.
    let error = text.replace(r#""level":"panic""#, r#""level":"error""#);
    let r = report_of(&[("etcd.json", &error)]);
    assert!(r.findings.iter().all(|f| f.kind.name() != "user-panic"));
    // Nor is a panic-level record without a stack of its own beside
    // another record's, or a record whose nested setting says `panic`.
    let stack = r#""stacktrace":"main.handler\n\t/app/main.go:42\nnet/http.HandlerFunc.ServeHTTP\n\t/usr/local/go/src/net/http/server.go:2136"}"#;
    for first in [
        r#"{"level":"panic","msg":"config value missing: db.url"}"#,
        r#"{"level":"info","msg":"loaded config","logging":{"level":"panic"}}"#,
    ] {
        let log = format!(
            "{first}\n{{\"level\":\"info\",\"msg\":\"retrying\"}}\n{{\"level\":\"error\",\"msg\":\"request failed\",{stack}\n"
        );
        let r = report_of(&[("log.json", &log)]);
        assert!(
            r.findings.iter().all(|f| f.kind.name() != "user-panic"),
            "{first}: {:?}",
            r.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
    }
}

/// Older runtimes' and platforms' words: Go 1.4's `runtime.gothrow` over
/// the runtime's channel code (nyaosorg/nyagos#76), Windows' in-page error
/// (`Exception 0xc0000006`, nyaosorg/nyagos#54), Go 1.6's generated
/// `_cgoCheckPointer0` over the call that passed the pointer
/// (mattn/go-gtk#250), and a pre-Go 1 method named `*Conn·Raw`
/// (fluffle/goirc#6).
#[test]
fn older_runtimes_words() {
    let gothrow = "fatal error: G waiting list is corrupted!

goroutine 1 [running]:
runtime.gothrow(0x575ba8, 0x1c)
        c:/go/src/runtime/panic.go:503 +0x67 fp=0x117accb8 sp=0x117accac
runtime.chanrecv(0x513ba0, 0x11836200, 0x117ace60, 0x466c01, 0x0)
        c:/go/src/runtime/chan.go:414 +0x3c5 fp=0x117acd10 sp=0x117accb8
runtime.chanrecv1(0x513ba0, 0x11836200, 0x117ace60)
        c:/go/src/runtime/chan.go:311 +0x2b fp=0x117acd24 sp=0x117acd10
_/C_/Users/Hayama/GoSrc/nyagos/interpreter.(*Interpreter).Interpret(0x11826e70, 0x118105e0, 0x4, 0x0, 0x0, 0x0)
        C:/Users/Hayama/GoSrc/nyagos/interpreter/interpreter.go:249 +0x1d1c fp=0x117acef8 sp=0x117acd24
";
    let f = &report_of(&[("nyagos76.txt", gothrow)]).findings[0];
    assert_eq!(f.kind.name(), "runtime-internal-error", "{}", f.title);
    let in_page = "Exception 0xc0000006 0x8 0x4aa690 0x4aa690
PC=0x4aa690

time.Unix(0x0, 0x0, 0x8a4bdea8, 0x13ce11ff, 0x1211efe0, 0x12, 0x1211efe0, 0x0)
        c:/go/src/time/time.go:969
_/C_/Users/Hayama/GoSrc/nyagos/commands/ls.lsOneLong(0x549700, 0x1, 0x192e00, 0x12154140)
        C:/Users/Hayama/GoSrc/nyagos/commands/ls/ls.go:102 +0x2a2
";
    let f = &report_of(&[("nyagos54.txt", in_page)]).findings[0];
    assert_eq!(f.kind.name(), "bad-address", "{}", f.title);
    let cgocheck = "panic: runtime error: cgo argument has Go pointer to Go pointer

goroutine 1 [running]:
github.com/mattn/go-gtk/gtk._cgoCheckPointer0(0x564a80, 0xc82000e160, 0x0, 0x0, 0x0, 0xc82000a2b4)
\t??:0 +0x4d
github.com/mattn/go-gtk/gtk.Init(0x8fcce0)
\tsrc/github.com/mattn/go-gtk/gtk/gtk.go:226 +0x265
";
    let f = &report_of(&[("gtk.txt", cgocheck)]).findings[0];
    assert_eq!(f.kind.name(), "unsafe-pointer-misuse", "{}", f.title);
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/mattn/go-gtk/gtk.Init"
    );
    let pre_go1 = "panic: runtime error: send on closed channel

runtime.panic+0xac /home/raylu/go/src/pkg/runtime/proc.c:1060
    runtime.panic(0x56e560, 0xf84016dbb0)
runtime.chansend1+0x5b /home/raylu/go/src/pkg/runtime/chan.c:410
    runtime.chansend1(0xf84003c000, 0xf8401057e0)
github%2ecom/fluffle/goirc/client.*Conn\u{b7}Raw+0x3d /home/raylu/rbot/client/commands.go:14
    github%2ecom/fluffle/goirc/client.*Conn\u{b7}Raw(0xf84005d000, 0xf8401057e0, 0xf800000021, 0xf8401058a6)
";
    let f = &report_of(&[("goirc.txt", pre_go1)]).findings[0];
    assert_eq!(f.kind.name(), "sync-misuse", "{}", f.title);
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github%2ecom/fluffle/goirc/client.*Conn\u{b7}Raw"
    );
}

/// A stack pasted without its header (cut below the first frames) that
/// waits at `sync.(*Mutex).Lock`, beside a signal watcher with no frame of
/// the program: a lock waiter, its holder never done. The corpus's copy of
/// https://github.com/charmbracelet/bubbletea/issues/741.
#[test]
fn headless_stack_waiting_for_a_lock_is_a_possible_deadlock() {
    let text = include_str!(
        "../../../testdata/realworld/charmbracelet-bubbletea-741-renderer-stop-deadlock.txt"
    );
    let r = report_of(&[("dump.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock");
    assert!(f.title.contains("[sync.Mutex.Lock]"), "{}", f.title);
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/charmbracelet/bubbletea.(*standardRenderer).flush"
    );
}

/// `debug=1` records whose frame lines an editor escaped as Markdown
/// (`\#\t0x44a1b6\t...`) are records all the same. The corpus's copy of
/// https://github.com/elastic/go-elasticsearch/issues/274.
#[test]
fn escaped_hash_of_a_count_record_frame() {
    let text = include_str!(
        "../../../testdata/realworld/elastic-go-elasticsearch-274-connection-pool-lock-order.txt"
    );
    let r = report_of(&[("goroutines.txt", text)]);
    let f = &r.findings[0];
    assert!(f.title.contains("63695 goroutines"), "{}", f.title);
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        (loc.function.as_str(), loc.line),
        (
            "github.com/elastic/go-elasticsearch/v6/estransport.(*Client).Perform",
            234
        )
    );
}

/// zap's `Observed a panic` with its JSON fields cut off (`{"controller":
/// "temporalcluster", ...`): a key's colon is not the panic's value, and
/// the stack (sigpanic over the program) tells a memory fault. The
/// corpus's copy of https://github.com/alexandrevilain/temporal-operator/issues/854.
#[test]
fn a_record_field_after_observed_a_panic_is_no_panic_value() {
    let text = include_str!(
        "../../../testdata/realworld/alexandrevilain-temporal-operator-854-observed-panic-isbuilderenabled.txt"
    );
    let r = report_of(&[("operator.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "nil-dereference");
    assert!(!f.title.contains("temporalcluster"), "{}", f.title);
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/alexandrevilain/temporal-operator/internal/resource/base.isBuilderEnabled"
    );
}

/// Screen rows padded to 150 columns whose breaks a copy lost: the rows
/// are cut apart again, the full first row joined to its continuation.
/// The corpus's copy of https://github.com/openkruise/kruise/issues/489.
#[test]
fn padded_screen_rows_are_cut_apart() {
    let text = include_str!(
        "../../../testdata/realworld/openkruise-kruise-489-handlecrash-truncatehistory-wrapped.txt"
    );
    let r = report_of(&[("controller.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "nil-dereference");
    assert_eq!(f.goroutine, Some(804));
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/openkruise/kruise/pkg/controller/statefulset.(*defaultStatefulSetControl).truncateHistory"
    );
}

/// A paste whose selection lost the `p` of `panic:`, below a line of the
/// reporter's own: the runtime's message is read all the same. The
/// corpus's copy of https://github.com/aquasecurity/tracee/issues/3230.
#[test]
fn a_clipped_panic_line_below_the_reporters_words() {
    let text =
        include_str!("../../../testdata/realworld/aquasecurity-tracee-3230-waitgroup-reused.txt");
    let r = report_of(&[("tracee.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "sync-misuse");
    assert!(f.title.contains("WaitGroup is reused"), "{}", f.title);
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/aquasecurity/tracee/pkg/signatures/engine.(*Engine).checkCompletion"
    );
}

/// A throw on sysmon's thread (`runtime: netpoll failed`, epoll_pwait
/// missing under early WSL) prints its system stack, then goroutine 1 as
/// it found it, runnable: no goroutine of the program failed, and the
/// kernel's refusal is an environment's failure. The corpus's copy of
/// https://github.com/kubernetes/apimachinery/issues/42.
#[test]
fn throw_on_a_system_thread_has_no_failing_goroutine() {
    let text = include_str!(
        "../../../testdata/realworld/kubernetes-apimachinery-42-wsl-epollwait-netpoll-failed.txt"
    );
    let r = report_of(&[("helm.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "unknown-failure");
    assert_ne!(f.goroutine, Some(1));
    assert_eq!(f.location.as_ref().unwrap().function, "runtime.netpoll");
}

/// Go 1.10's `exitThread` on Plan 9: the port's own throw from an exiting
/// thread, goroutine 1 runnable below it. The corpus's copy of
/// https://github.com/golang/go/issues/22221.
#[test]
fn unimplemented_exit_thread_is_the_runtimes_failure() {
    let text = include_str!(
        "../../../testdata/realworld/golang-go-22221-plan9-fatal-error-exitthread.txt"
    );
    let r = report_of(&[("build.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "runtime-internal-error");
    assert_eq!(f.location.as_ref().unwrap().function, "runtime.exitThread");
}

/// A 2012 runtime printed goroutine 1 (parked in `testing.RunTests`) above
/// the goroutine whose C call faulted, its `_Cfunc_` wrapper on top: a
/// crash in C, at the Go function that made the call. The corpus's copy of
/// https://github.com/go-gl/gl/issues/73.
#[test]
fn pre_go1_fault_in_c_is_placed_at_the_cgo_call() {
    let text =
        include_str!("../../../testdata/realworld/go-gl-legacy-gl-73-go-test-cgo-teximage.txt");
    let r = report_of(&[("test.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "cgo-crash");
    assert_eq!(f.goroutine, Some(3));
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/go-gl/gl.TexImage1D"
    );
}

/// gocheck's PANIC report under a CI's timestamps: `FILE:LINE` over `  in
/// NAME` frames, `... Panic: VALUE (PC=0x..)`; the report's head names the
/// test, not the value. The corpus's copy of
/// https://github.com/pingcap/tidb/issues/22276.
#[test]
fn gocheck_panic_report() {
    let text =
        include_str!("../../../testdata/realworld/pingcap-tidb-22276-gocheck-pessimistic-nil.txt");
    let r = report_of(&[("ci.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "nil-dereference");
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        (loc.function.as_str(), loc.file.as_str(), loc.line),
        (
            "testPessimisticSuite.TestInnodbLockWaitTimeout",
            "pessimistic_test.go",
            739
        )
    );
}

/// `http: panic serving ...: runtime error: invalid` over `memory address
/// or nil pointer dereference`: the runtime's message broken between words
/// is rejoined. The corpus's copy of
/// https://github.com/perkeep/perkeep/issues/466. (Broken inside a word,
/// robfig/cron#301, stays right: its own test in the corpus.)
#[test]
fn logged_message_broken_between_words() {
    let text = include_str!(
        "../../../testdata/realworld/perkeep-perkeep-466-publisher-serve-subject-template-nil.txt"
    );
    let r = report_of(&[("server.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "nil-dereference");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "main.(*publishRequest).serveSubjectTemplate"
    );
    for broken in [
        "runtime error: invalid\nmemory address or nil pointer dereference",
        "runtime error: invalid memory addres\ns or nil pointer dereference",
    ] {
        assert_eq!(
            godiag_analysis::classify_message(broken).map(|k| k.name()),
            Some("nil-dereference"),
            "{broken}"
        );
    }
    // A value's own second line is not a rejoined message.
    assert_eq!(
        godiag_analysis::classify_message(
            "runtime error: index out of range [3] with length 3\nwhile reading"
        )
        .map(|k| k.name()),
        Some("runtime-error")
    );
}

/// gocode's own stack printer: `N(NAME): FILE:LINE`. The corpus's copy of
/// https://github.com/nsf/gocode/issues/428.
#[test]
fn gocode_numbered_frames() {
    let text =
        include_str!("../../../testdata/realworld/nsf-gocode-428-method-of-index-out-of-range.txt");
    let r = report_of(&[("gocode.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "runtime-error");
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.function.as_str(), loc.line), ("main.method_of", 328));
}

/// Lock wrappers over one another (`(*IPCache).RLock` over
/// `(*SemaphoredMutex).RLock` over `semaphore.(*Weighted).Acquire`) are
/// the messengers: the wait is placed at the caller that took the lock.
/// The corpus's copy of https://github.com/cilium/cilium/issues/24574.
#[test]
fn lock_wrappers_over_one_another_are_looked_through() {
    let text = include_str!(
        "../../../testdata/realworld/cilium-cilium-24574-wireguard-ipcache-deadlock.txt"
    );
    let r = report_of(&[("dump.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock");
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/cilium/cilium/pkg/wireguard/agent.(*Agent).UpdatePeer"
    );
}

/// Go 1.2's runtime in C names its functions without a package
/// (`MHeap_Grow`): no place for an out-of-memory crash with no frame of
/// the program. The corpus's copy of
/// https://github.com/ethereum/go-ethereum/issues/1116.
#[test]
fn runtime_c_functions_are_no_location() {
    let text = include_str!(
        "../../../testdata/realworld/ethereum-go-ethereum-1116-upgradedb-out-of-memory.txt"
    );
    let r = report_of(&[("geth.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "out-of-memory");
    assert!(
        f.location.as_ref().is_none_or(|l| l.function.contains('.')),
        "{:?}",
        f.location
    );
}

/// One goroutine pasted from a dump, 6382 minutes in `[IO wait]` reading a
/// database connection: a hang in I/O at the driver's read. The corpus's
/// copy of https://github.com/go-sql-driver/mysql/issues/375; a blocking
/// read system call for 67 minutes, from
/// https://github.com/kount/pq-timeouts/issues/8, is one too.
#[test]
fn an_excerpt_stuck_in_io_for_minutes_is_a_hang_in_io() {
    let text = include_str!(
        "../../../testdata/realworld/go-sql-driver-mysql-375-readinitpacket-io-wait.txt"
    );
    let r = report_of(&[("dump.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "blocking-io");
    assert!(f.title.contains("6382 minutes"), "{}", f.title);
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/go-sql-driver/mysql.(*buffer).fill"
    );
    let text =
        include_str!("../../../testdata/realworld/kount-pq-timeouts-8-read-stuck-syscall.txt");
    let r = report_of(&[("dump.txt", text)]);
    assert_eq!(r.findings[0].kind.name(), "blocking-io");
    // Without minutes, a goroutine in I/O is a connection's reader at rest.
    let idle = text.replace("[syscall, 67 minutes]", "[syscall]");
    let r = report_of(&[("dump.txt", idle.as_str())]);
    assert!(r.findings.iter().all(|f| f.kind.name() != "blocking-io"));
}

/// With no frame of the program, a server's connection 1129 minutes in
/// `[IO wait]` for its next request is a hang in I/O too (the server set
/// no read timeout), from https://github.com/DSiSc/justitia/issues/63; an
/// HTTP client's pooled connection waiting 106 minutes is not (idle by
/// design; many are a leak's shape), from
/// https://github.com/spidernet-io/spiderpool/issues/917.
#[test]
fn a_long_idle_wait_of_the_standard_librarys_alone() {
    let text = include_str!(
        "../../../testdata/realworld/dsisc-justitia-63-http-server-io-wait-1129-minutes.txt"
    );
    let r = report_of(&[("dump.txt", text)]);
    assert_eq!(r.findings[0].kind.name(), "blocking-io");
    let text = include_str!(
        "../../../testdata/realworld/spidernet-io-spiderpool-917-liveness-client-readloop-leak.txt"
    );
    let r = report_of(&[("dump.txt", text)]);
    assert!(r.findings.iter().all(|f| f.kind.name() != "blocking-io"));
}

/// A journal's records run together on one line, each cut at a viewer's
/// width (`...nil pointer derefeAug 10 08:15:13 worker1.ibm.edu
/// dockerd[781]: [signal 0xb ...`): cut apart before each header, the
/// prefix learned from them. The corpus's copy of
/// https://github.com/IBM/ubiquity-docker-plugin/issues/40.
#[test]
fn journal_records_joined_on_one_line() {
    let text = include_str!(
        "../../../testdata/realworld/ibm-ubiquity-docker-plugin-40-readpluginjsoninfo-journald-joined.txt"
    );
    let r = report_of(&[("journal.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "nil-dereference");
    assert_eq!(f.goroutine, Some(335));
    assert_eq!(
        f.location.as_ref().unwrap().function,
        "github.com/docker/docker/pkg/plugins.readPluginJSONInfo"
    );
}

/// Go 1.9-1.10 named the ARM 64-bit atomics `Cas64` (later `goCas64`);
/// on an unaligned address they write to address 0, so the fault reads as
/// a nil dereference. The corpus's copy of
/// https://github.com/golang/go/issues/23345.
#[test]
fn unaligned_atomic_under_its_go_1_9_name() {
    let text = include_str!(
        "../../../testdata/realworld/golang-go-23345-unaligned-atomic-arm-sigsegv.txt"
    );
    let r = report_of(&[("arm.txt", text)]);
    assert_eq!(r.findings[0].kind.name(), "sync-misuse");
    assert_eq!(r.findings[0].title, "unaligned 64-bit atomic operation");
}

/// The page allocator's start-up reservation refused under an
/// address-space limit, under OpenWrt's `logread` prefix. The corpus's
/// copy of https://github.com/kuoruan/openwrt-v2ray/issues/61.
#[test]
fn page_summary_reservation_refused() {
    let text = include_str!(
        "../../../testdata/realworld/kuoruan-openwrt-v2ray-61-memory-limit-reserve-page-summary-logread.txt"
    );
    let r = report_of(&[("logread.txt", text)]);
    assert_eq!(r.findings[0].kind.name(), "out-of-memory");
    assert!(r.findings[0].location.is_none());
}

/// A frame's name the reporter cut to start at a slash is a call, not a
/// path broken before its `:LINE`. The corpus's copy of
/// https://github.com/vitessio/vitess/issues/4436.
#[test]
fn a_name_cut_to_start_at_a_slash() {
    let text = include_str!(
        "../../../testdata/realworld/vitessio-vitess-4436-message-manager-makerowtrusted-index.txt"
    );
    let r = report_of(&[("vitess.txt", text)]);
    let at = r.findings[0].location.as_ref().unwrap();
    assert_eq!(r.findings[0].kind.name(), "runtime-error");
    assert_eq!(
        (at.function.as_ref(), at.line),
        ("/vendor/vitess.io/vitess/go/sqltypes.MakeRowTrusted", 194)
    );
}

/// A fatal signal at a pc the runtime cannot place (`runtime: unknown pc`)
/// was raised in C code: RocksDB built for CPU features a Raspberry Pi 4
/// lacks. The corpus's copy of https://github.com/lni/dragonboat/issues/137.
#[test]
fn fatal_signal_at_an_unknown_pc_is_in_c_code() {
    let text =
        include_str!("../../../testdata/realworld/lni-dragonboat-137-rocksdb-sigill-pi4-test.txt");
    let r = report_of(&[("test.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "cgo-crash");
    assert!(f.title.starts_with("SIGILL"), "{}", f.title);
}

/// `runtime.Goexit` in main with no goroutine left: the runtime's message
/// ends in "deadlock!", but nothing was asleep, and the title says what
/// happened. Go 1.24.11's output of a main whose deferred print ran before
/// it.
#[test]
fn goexit_in_main_is_no_sleeping_deadlock() {
    let text =
        "deferred in main\nfatal error: no goroutines (main called runtime.Goexit) - deadlock!\n";
    let r = report_of(&[("out.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock");
    assert_eq!(
        f.title,
        "main called runtime.Goexit and no other goroutine was left to run"
    );
}

/// A recovered panic whose logged stack lost its `panic` frame: the
/// recovery middleware's deferred closure on top ran after the panic, which
/// was raised in the frame below it. The corpus's copy of
/// https://github.com/intelsdi-x/snap/issues/419 (negroni).
#[test]
fn a_logged_stack_without_its_panic_frame_is_placed_below_the_recovery_handler() {
    let text = include_str!(
        "../../../testdata/realworld/intelsdi-x-snap-419-negroni-panic-validate-metric-subscription.txt"
    );
    let r = report_of(&[("log.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "nil-dereference");
    assert_eq!(
        f.location.as_ref().map(|l| l.function.as_str()),
        Some("github.com/intelsdi-x/pulse/control.(*pluginControl).validateMetricTypeSubscription")
    );
}

/// All asleep, main in `WaitGroup.Wait` for workers that are all parked at
/// one place: that place is where the work stalled (the corpus's copy of
/// https://github.com/bl4ko/netbox-ssot/issues/535, a send nobody
/// receives; Go 1.24.11's output of three consumers in a `Cond.Wait` that
/// nothing signals). Workers parked at several places leave main's wait
/// reported.
#[test]
fn main_waiting_for_stalled_workers_is_placed_at_the_workers() {
    let text = include_str!(
        "../../../testdata/realworld/bl4ko-netbox-ssot-535-syncvms-chan-send-deadlock.txt"
    );
    let r = report_of(&[("out.txt", text)]);
    assert_eq!(
        r.findings[0].location.as_ref().map(|l| l.function.as_str()),
        Some(
            "github.com/src-doo/netbox-ssot/internal/source/proxmox.(*ProxmoxSource).syncVMs.func1"
        )
    );
    let cond = "fatal error: all goroutines are asleep - deadlock!

goroutine 1 [sync.WaitGroup.Wait]:
sync.runtime_SemacquireWaitGroup(0xc00000e048?)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/sema.go:110 +0x25
sync.(*WaitGroup).Wait(0x0?)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/sync/waitgroup.go:118 +0x48
main.main()
\t/tmp/review-r3/p/conddl/main.go:30 +0xf6

goroutine 5 [sync.Cond.Wait]:
sync.runtime_notifyListWait(0xc000072010, 0x1)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/sema.go:597 +0x159
sync.(*Cond).Wait(0x0?)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/sync/cond.go:71 +0x85
main.(*Queue).Pop(0xc000070000)
\t/tmp/review-r3/p/conddl/main.go:15 +0x7c
main.main.func1()
\t/tmp/review-r3/p/conddl/main.go:28 +0x47
created by main.main in goroutine 1
\t/tmp/review-r3/p/conddl/main.go:28 +0x8c

goroutine 6 [sync.Cond.Wait]:
sync.runtime_notifyListWait(0xc000072010, 0x2)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/sema.go:597 +0x159
sync.(*Cond).Wait(0x0?)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/sync/cond.go:71 +0x85
main.(*Queue).Pop(0xc000070000)
\t/tmp/review-r3/p/conddl/main.go:15 +0x7c
main.main.func1()
\t/tmp/review-r3/p/conddl/main.go:28 +0x47
created by main.main in goroutine 1
\t/tmp/review-r3/p/conddl/main.go:28 +0x8c

goroutine 7 [sync.Cond.Wait]:
sync.runtime_notifyListWait(0xc000072010, 0x0)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/sema.go:597 +0x159
sync.(*Cond).Wait(0x0?)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/sync/cond.go:71 +0x85
main.(*Queue).Pop(0xc000070000)
\t/tmp/review-r3/p/conddl/main.go:15 +0x7c
main.main.func1()
\t/tmp/review-r3/p/conddl/main.go:28 +0x47
created by main.main in goroutine 1
\t/tmp/review-r3/p/conddl/main.go:28 +0x8c
";
    let r = report_of(&[("out.txt", cond)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock");
    assert_eq!(
        f.title,
        "deadlock: every goroutine is blocked; main waits in [sync.WaitGroup.Wait] for 3 goroutines blocked in [sync.Cond.Wait]"
    );
    assert_eq!(
        f.location.as_ref().map(|l| (l.function.as_str(), l.line)),
        Some(("main.(*Queue).Pop", 15))
    );
    // Workers queued on a lock in the function where one of them, past the
    // Lock, blocks in a send nobody receives: that one holds the lock (Go
    // 1.24.11's output).
    let under_lock = "fatal error: all goroutines are asleep - deadlock!

goroutine 1 [sync.WaitGroup.Wait]:
sync.runtime_SemacquireWaitGroup(0xc000084030?)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/sema.go:110 +0x25
sync.(*WaitGroup).Wait(0x0?)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/sync/waitgroup.go:118 +0x48
main.main()
\t/tmp/review-r4/p/wgdead/main.go:23 +0xbb

goroutine 17 [sync.Mutex.Lock]:
internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/sema.go:95 +0x25
internal/sync.(*Mutex).lockSlow(0x5199f0)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/internal/sync/mutex.go:149 +0x15d
internal/sync.(*Mutex).Lock(...)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/internal/sync/mutex.go:70
sync.(*Mutex).Lock(...)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/sync/mutex.go:46
main.worker(0x0?, 0xc000080070)
\t/tmp/review-r4/p/wgdead/main.go:11 +0x6a
created by main.main in goroutine 1
\t/tmp/review-r4/p/wgdead/main.go:21 +0x47

goroutine 18 [sync.Mutex.Lock]:
internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/sema.go:95 +0x25
internal/sync.(*Mutex).lockSlow(0x5199f0)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/internal/sync/mutex.go:149 +0x15d
internal/sync.(*Mutex).Lock(...)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/internal/sync/mutex.go:70
sync.(*Mutex).Lock(...)
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/sync/mutex.go:46
main.worker(0x0?, 0xc000080070)
\t/tmp/review-r4/p/wgdead/main.go:11 +0x6a
created by main.main in goroutine 1
\t/tmp/review-r4/p/wgdead/main.go:21 +0x47

goroutine 19 [chan send]:
main.worker(0x0?, 0x0?)
\t/tmp/review-r4/p/wgdead/main.go:12 +0x7e
created by main.main in goroutine 1
\t/tmp/review-r4/p/wgdead/main.go:21 +0x47
";
    let r = report_of(&[("out.txt", under_lock)]);
    let f = &r.findings[0];
    assert_eq!(
        f.location.as_ref().map(|l| (l.function.as_str(), l.line)),
        Some(("main.worker", 12))
    );
    assert!(
        f.title.ends_with(
            "goroutine 19 is blocked in [chan send] holding the lock the 2 others wait for"
        ),
        "{}",
        f.title
    );
    let spread =
        include_str!("../../../testdata/realworld/evanw-esbuild-2485-waitgroup-add-wait-race.txt");
    let r = report_of(&[("out.txt", spread)]);
    assert_eq!(
        r.findings[0].location.as_ref().map(|l| l.function.as_str()),
        Some("main.runService")
    );
}

/// A fatal SIGBUS the runtime could not turn into a panic (a code page
/// patched under a thread of the runtime) is an access to memory that
/// cannot be backed. The corpus's copy of
/// https://github.com/bytedance/mockey/issues/68.
#[test]
fn a_fatal_sigbus_is_a_bad_address() {
    let text = include_str!(
        "../../../testdata/realworld/bytedance-mockey-68-sigbus-patched-code-page.txt"
    );
    let r = report_of(&[("test.log", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "bad-address");
    assert_eq!(f.title, "SIGBUS: bus error at address 0x1011b5b54");
}

/// One failure pasted twice, first as an abridged stack with the
/// program's frame, then in full but clipped before it: the fuller copy is
/// read. The corpus's copy of
/// https://github.com/kata-containers/kata-containers/issues/12825.
#[test]
fn a_failure_printed_twice_is_read_from_its_fuller_copy() {
    let text = include_str!(
        "../../../testdata/realworld/kata-containers-kata-containers-12825-getexec-concurrent-map.txt"
    );
    let r = report_of(&[("issue.md", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "concurrent-map-access");
    assert_eq!(
        f.location.as_ref().map(|l| (l.function.as_str(), l.line)),
        Some((
            "github.com/kata-containers/kata-containers/src/runtime/pkg/containerd-shim-v2.(*container).getExec",
            140
        ))
    );
}

/// A stack overflow pasted without a repeat of its cycle: the program's
/// String method under the formatter it calls is the recursion. The
/// corpus's copy of https://github.com/davecgh/go-spew/issues/45.
#[test]
fn an_overflow_without_its_cycle_is_placed_at_the_programs_string_method() {
    let text = include_str!(
        "../../../testdata/realworld/davecgh-go-spew-45-person-string-spew-sprintf.txt"
    );
    let r = report_of(&[("out.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "stack-overflow");
    assert_eq!(
        f.location.as_ref().map(|l| l.function.as_str()),
        Some("main.Person.String")
    );
}

/// Two dumps of one process given latest first: the goroutine ids, which
/// only grow, put them in order, and the leak reads as the growth it was.
#[test]
fn dumps_given_in_reverse_are_ordered_by_their_goroutine_ids() {
    let first = include_str!("../../../lab/artifacts/go1.24.11/goroutine-leak.debug2-1.txt");
    let second = include_str!("../../../lab/artifacts/go1.24.11/goroutine-leak.debug2-2.txt");
    let r = report_of(&[("later.txt", second), ("earlier.txt", first)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "goroutine-leak");
    assert!(f.title.contains("grew from 194 to 758"), "{}", f.title);
}

/// The same two dumps written one after another into one file (`curl
/// ... >> dumps.txt` twice): goroutine ids repeat, so they are two snapshots,
/// read and compared as two files are; and one debug=1 profile appended to
/// another too.
#[test]
fn dumps_appended_to_one_file_are_snapshots() {
    let first = include_str!("../../../lab/artifacts/go1.24.11/goroutine-leak.debug2-1.txt");
    let second = include_str!("../../../lab/artifacts/go1.24.11/goroutine-leak.debug2-2.txt");
    let both = format!("{first}{second}");
    let r = report_of(&[("dumps.txt", &both)]);
    assert_eq!(r.inputs.len(), 2);
    assert_eq!(r.inputs[1].path, "dumps.txt (dump 2 of 2)");
    assert!(r.inputs[0].warnings[0].contains("2 goroutine dumps written one after another"));
    let f = &r.findings[0];
    assert!(f.title.contains("grew from 194 to 758"), "{}", f.title);
    let first = include_str!("../../../lab/artifacts/go1.24.11/goroutine-leak.debug1-1.txt");
    let second = include_str!("../../../lab/artifacts/go1.24.11/goroutine-leak.debug1-2.txt");
    let both = format!("{first}{second}");
    let r = report_of(&[("profiles.txt", &both)]);
    assert_eq!(r.inputs.len(), 2);
    // Compared as two debug=1 profiles are: the growth, from each.
    let f = &r.findings[0];
    assert!(f.title.contains("grew from 194 to 758"), "{}", f.title);
    for input in [0, 1] {
        assert!(
            f.evidence.iter().any(|e| e.input == input),
            "{:?}",
            f.evidence
        );
    }
    // One dump alone is one.
    let r = report_of(&[("one.txt", first)]);
    assert_eq!((r.inputs.len(), r.inputs[0].path.as_str()), (1, "one.txt"));
}

/// Delve's `goroutines -t`, pasted into a hang's issue, is read as a
/// goroutine dump: its goroutine line becomes the header, its numbered
/// frames the stack. From https://github.com/ansible/receptor/issues/573.
#[test]
fn delves_goroutines_are_read_as_a_dump() {
    let text = "  Goroutine 200 - User: /builddir/build/BUILD/receptor-3ecf65571e141244f04e89f1fc9199eb8f6680f9/pkg/netceptor/netceptor.go:1631 github.com/ansible/receptor/pkg/netceptor.(*Netceptor).handleMessageData (0x8cbcdc) [chan send 457314h58m45.572259763s]
\t0  0x000000000043f725 in runtime.gopark
\t    at /usr/lib/golang/src/runtime/proc.go:337
\t1  0x000000000040be5a in runtime.chansend
\t    at /usr/lib/golang/src/runtime/chan.go:257
\t2  0x000000000040bbb5 in runtime.chansend1
\t    at /usr/lib/golang/src/runtime/chan.go:143
\t3  0x00000000008cbcdc in github.com/ansible/receptor/pkg/netceptor.(*Netceptor).handleMessageData
\t    at /builddir/build/BUILD/receptor-3ecf65571e141244f04e89f1fc9199eb8f6680f9/pkg/netceptor/netceptor.go:1631
";
    let r = report_of(&[("dlv.txt", text)]);
    let input = &r.inputs[0];
    assert_eq!(input.kind.name(), "goroutine-dump");
    assert!(
        input.warnings.iter().any(|w| w.contains("Delve's grammar")),
        "{:?}",
        input.warnings
    );
    let godiag_engine::report::Evidence::Text(t) = &input.evidence else {
        panic!("no text evidence");
    };
    let g = &t.artifact.goroutines[0];
    assert_eq!((g.id, g.status), (200, "chan send"));
    let functions: Vec<&str> = g.frames.iter().map(|f| f.function).collect();
    assert_eq!(
        functions,
        [
            "runtime.gopark",
            "runtime.chansend",
            "runtime.chansend1",
            "github.com/ansible/receptor/pkg/netceptor.(*Netceptor).handleMessageData"
        ]
    );
    assert_eq!(g.frames[3].line, 1631);
}

/// A recovery that fails itself: the first panic was an error raised on
/// purpose and recovered (twice: wrapped and re-raised, then recovered
/// again), and the deferred function that recovered it wrote to a nil map.
/// That write killed the program: it is the root cause, placed in the
/// deferred function. A runtime error that was recovered stays the root
/// cause. (Go 1.24.11's output of a program written for this.)
#[test]
fn a_recovery_that_fails_itself_is_the_root_cause() {
    let text = "panic: db closed [recovered]
\tpanic: safeQuery(\"select 1\"): db closed [recovered]
\tpanic: assignment to entry in nil map

goroutine 1 [running]:
main.handler.func1()
\t/app/main.go:36 +0x37
panic({0x49c720?, 0xc000094050?})
\t/usr/local/go/src/runtime/panic.go:792 +0x132
main.safeQuery.func1()
\t/app/main.go:22 +0xb9
panic({0x49fd00?, 0x55bff0?})
\t/usr/local/go/src/runtime/panic.go:792 +0x132
main.safeQuery(0x0?, {0x4b50d8?, 0x0?})
\t/app/main.go:27 +0xb1
main.handler(0x557318?)
\t/app/main.go:39 +0x3c
main.main()
\t/app/main.go:43 +0x1d
exit status 2
";
    let r = report_of(&[("crash.txt", text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "runtime-error", "{}", f.title);
    assert!(f.title.contains("recovered `db closed`"), "{}", f.title);
    let at = f.location.as_ref().unwrap();
    assert_eq!((at.function.as_str(), at.line), ("main.handler.func1", 36));
    // The first a runtime error: it stays the root cause.
    let indexed = text
        .replace(
            "panic: db closed [recovered]",
            "panic: runtime error: index out of range [3] with length 3 [recovered]",
        )
        .replace(
            "): db closed [recovered]",
            "): runtime error: index out of range [3] with length 3 [recovered]",
        );
    let r = report_of(&[("crash.txt", &indexed)]);
    let f = &r.findings[0];
    assert!(
        f.title.starts_with("runtime error: index out of range"),
        "{}",
        f.title
    );
    assert_eq!(f.location.as_ref().unwrap().function, "main.safeQuery");
}

/// A `go test` timeout whose test waits on a channel for the one goroutine
/// it started, blocked in a `Cond.Wait` nobody signals (a `Push` without
/// `Signal`): the hang is placed where that goroutine stalled, not at the
/// test's receive. (Go 1.24.11's output of a test written for this.)
#[test]
fn a_test_waiting_for_its_stalled_goroutine_is_placed_there() {
    let text = "panic: test timed out after 2s
\trunning tests:
\t\tTestPushPop (2s)

goroutine 11 [running]:
testing.(*M).startAlarm.func1()
\t/go/src/testing/testing.go:2484 +0x394
created by time.goFunc
\t/go/src/time/sleep.go:215 +0x2d

goroutine 1 [chan receive]:
testing.(*T).Run(0xc000003c00, {0x578bb3?, 0xc000076b30?}, 0x584a30)
\t/go/src/testing/testing.go:1859 +0x431
testing.runTests.func1(0xc000003c00)
\t/go/src/testing/testing.go:2279 +0x37
main.main()
\t_testmain.go:45 +0x9b

goroutine 9 [chan receive]:
example.com/p/hangtest.TestPushPop(0xc000003dc0)
\t/src/hangtest/q_test.go:11 +0x105
testing.tRunner(0xc000003dc0, 0x584a30)
\t/go/src/testing/testing.go:1792 +0xf4
created by testing.(*T).Run in goroutine 1
\t/go/src/testing/testing.go:1851 +0x413

goroutine 10 [sync.Cond.Wait]:
sync.runtime_notifyListWait(0xc000082990, 0x0)
\t/go/src/runtime/sema.go:597 +0x159
sync.(*Cond).Wait(0x0?)
\t/go/src/sync/cond.go:71 +0x85
example.com/p/hangtest.(*Queue).Pop(0xc00007e600)
\t/src/hangtest/q.go:17 +0x7c
example.com/p/hangtest.TestPushPop.func1()
\t/src/hangtest/q_test.go:8 +0x25
created by example.com/p/hangtest.TestPushPop in goroutine 9
\t/src/hangtest/q_test.go:8 +0xd2
FAIL\texample.com/p/hangtest\t2.011s
";
    let r = report_of(&[("test.out", text)]);
    let f = &r.findings[0];
    assert!(
        f.title
            .contains("goroutine 9 waits in [chan receive] for goroutine 10"),
        "{}",
        f.title
    );
    let at = f.location.as_ref().unwrap();
    assert_eq!(
        (at.function.as_str(), at.line),
        ("example.com/p/hangtest.(*Queue).Pop", 17)
    );
    // The goroutine it started running: the test's own wait is the place.
    let running = text.replace("goroutine 10 [sync.Cond.Wait]", "goroutine 10 [runnable]");
    let r = report_of(&[("test.out", &running)]);
    assert_eq!(
        r.findings[0].location.as_ref().unwrap().function,
        "example.com/p/hangtest.TestPushPop"
    );
}

/// Three dumps of one process appended to one file: the leak is told over
/// all three (20 → 40 → 60), each dump's count as evidence, not only the
/// last step.
#[test]
fn growth_over_three_appended_dumps_is_told_over_all_three() {
    let dump = |n: u64, first_id: u64| {
        let mut d = String::from("goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1\n");
        for id in first_id..first_id + n {
            d.push_str(&format!(
                "\ngoroutine {id} [chan receive, 1 minutes]:\nmain.waitReply(0xc000010000)\n\t/app/main.go:26 +0x1\ncreated by main.serve in goroutine 1\n\t/app/main.go:40 +0x2\n"
            ));
        }
        d
    };
    // Each dump's ids continue the last one's, as one process's do.
    let text = format!("{}\n{}\n{}", dump(20, 10), dump(40, 10), dump(60, 10));
    let r = report_of(&[("dumps.txt", &text)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "goroutine-leak", "{}", f.title);
    assert!(
        f.title.contains("grew 20 → 40 → 60 over 3 dumps"),
        "{}",
        f.title
    );
    assert_eq!(f.evidence.len(), 3);
}

/// AB/BA through one method taking its argument's lock (`s.transferTo(o)`:
/// `s.mu` then `o.mu`), receivers unsaved (`0x0?`): each waiter passed the
/// lock it waits for as its argument, and the other, a blocked method of
/// the same type, is the only one that can hold it. Low confidence.
#[test]
fn lock_cycle_through_a_methods_argument_with_unsaved_receivers() {
    let waiter = |id: u64, lock: &str, line: u32| {
        format!(
            "goroutine {id} [sync.Mutex.Lock]:\ninternal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\t/go/src/runtime/sema.go:95 +0x25\ninternal/sync.(*Mutex).lockSlow({lock})\n\t/go/src/internal/sync/mutex.go:149 +0x15d\ninternal/sync.(*Mutex).Lock(...)\n\t/go/src/internal/sync/mutex.go:70\nsync.(*Mutex).Lock(...)\n\t/go/src/sync/mutex.go:46\nmain.(*Store).transferTo(0x0?, {lock})\n\t/app/main.go:31 +0x96\ncreated by main.main in goroutine 1\n\t/app/main.go:{line} +0x1ba\n"
        )
    };
    let dump = format!(
        "goroutine 1 [sleep]:\ntime.Sleep(0x3b9aca00)\n\t/go/src/runtime/time.go:338 +0x165\nmain.main()\n\t/app/main.go:60 +0x2a5\n\n{}\n{}",
        waiter(6, "0xc0000221b0", 52),
        waiter(7, "0xc0000221a0", 53)
    );
    let r = report_of(&[("dump.txt", &dump)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock", "{}", f.title);
    assert_eq!(f.confidence, godiag_analysis::Confidence::Low);
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        (loc.function.as_str(), loc.line),
        ("main.(*Store).transferTo", 31)
    );
}

/// A lock held across a send on a channel reached through the receiver
/// (`c.updates`), in a SIGQUIT dump whose runtime frames print the
/// channel's address, which no frame of the program was passed: the
/// goroutines passed the receiver may receive, as when the address is not
/// shown (debug=2). Frames as Go 1.24 printed them (review r6).
#[test]
fn lock_held_across_a_send_on_a_field_channel_in_a_sigquit_dump() {
    let dump = "SIGQUIT: quit\nPC=0x40820e m=0 sigcode=0\n\ngoroutine 1 gp=0xc000004380 m=nil [sleep]:\ntime.Sleep(0x8bb2c97000)\n\t/go/src/runtime/time.go:338 +0x165 fp=0xc0000a5e48 sp=0xc0000a5e00 pc=0x472985\nmain.main()\n\t/app/main.go:150 +0x5b5 fp=0xc0000a5f50 sp=0xc0000a5e48 pc=0x4d5635\n\ngoroutine 13 gp=0xc00009e700 m=nil [sync.Mutex.Lock]:\nruntime.gopark(0x80000000003dea8?, 0x7ff1b8fb6c90?, 0x8?, 0xb1?, 0x60?)\n\t/go/src/runtime/proc.go:435 +0xce fp=0xc00003de80 sp=0xc00003de60 pc=0x46f14e\nruntime.goparkunlock(...)\n\t/go/src/runtime/proc.go:441\nruntime.semacquire1(0xc00000e1e4, 0x0, 0x3, 0x2, 0x15)\n\t/go/src/runtime/sema.go:188 +0x21d fp=0xc00003dee8 sp=0xc00003de80 pc=0x45037d\ninternal/sync.runtime_SemacquireMutex(0x0?, 0xa0?, 0xc00007e310?)\n\t/go/src/runtime/sema.go:95 +0x25 fp=0xc00003df20 sp=0xc00003dee8 pc=0x470085\ninternal/sync.(*Mutex).lockSlow(0xc00000e1e0)\n\t/go/src/internal/sync/mutex.go:149 +0x15d fp=0xc00003df70 sp=0xc00003df20 pc=0x48081d\ninternal/sync.(*Mutex).Lock(...)\n\t/go/src/internal/sync/mutex.go:70\nsync.(*Mutex).Lock(...)\n\t/go/src/sync/mutex.go:46\nmain.(*Cache).consume(0xc00000e1e0)\n\t/app/main.go:43 +0x8d fp=0xc00003dfc8 sp=0xc00003df70 pc=0x4d4a0d\ncreated by main.main in goroutine 1\n\t/app/main.go:139 +0x537\n\ngoroutine 15 gp=0xc00009e8c0 m=nil [chan send]:\nruntime.gopark(0x52f168?, 0x1?, 0x4c?, 0xb7?, 0x0?)\n\t/go/src/runtime/proc.go:435 +0xce fp=0xc00003e6c0 sp=0xc00003e6a0 pc=0x46f14e\nruntime.chansend(0xc00007e310, 0xc00003e7b8, 0x1, 0x11?)\n\t/go/src/runtime/chan.go:283 +0x3a5 fp=0xc00003e730 sp=0xc00003e6c0 pc=0x40b425\nruntime.chansend1(0x4e9ba0?, 0xc00008a780?)\n\t/go/src/runtime/chan.go:161 +0x17 fp=0xc00003e760 sp=0xc00003e730 pc=0x40b077\nmain.(*Cache).Set(0xc00000e1e0, {0x52f168, 0x1}, 0x2)\n\t/app/main.go:37 +0xaa fp=0xc00003e7b0 sp=0xc00003e760 pc=0x4d48ca\ncreated by main.main in goroutine 1\n\t/app/main.go:142 +0x5a9\n";
    let r = report_of(&[("stderr.txt", dump)]);
    let f = &r.findings[0];
    assert_eq!(f.kind.name(), "deadlock", "{}", f.title);
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.function.as_str(), loc.line), ("main.(*Cache).Set", 37));
    assert!(
        f.title
            .contains("main.(*Cache).consume ↔ main.(*Cache).Set"),
        "{}",
        f.title
    );
}

/// A `WaitGroup.Wait` nothing can end: every goroutine `processAll`
/// started is gone (one returned without `Done`), nothing else was passed
/// the group and the program does no work elsewhere (its tickers idle, the
/// dump's writer aside). Low without wait minutes, medium with them; none
/// while a goroutine it started is left, or while the program works.
#[test]
fn wait_group_whose_workers_are_gone_is_a_deadlock() {
    let dump = |minutes: &str, extra: &str| {
        format!(
            "goroutine 24 [running]:\nruntime/pprof.writeGoroutineStacks({{0x530068, 0xc000084060}})\n\t/go/src/runtime/pprof/pprof.go:764 +0x6a\nmain.main.func1()\n\t/app/main.go:115 +0x91\ncreated by main.main in goroutine 1\n\t/app/main.go:112 +0x14c\n\ngoroutine 1 [sync.WaitGroup.Wait{minutes}]:\nsync.runtime_SemacquireWaitGroup(0xc00008e228?)\n\t/go/src/runtime/sema.go:110 +0x25\nsync.(*WaitGroup).Wait(0x446adf?)\n\t/go/src/sync/waitgroup.go:118 +0x48\nmain.processAll({{0xc00008aeb0, 0x5, 0x242?}})\n\t/app/main.go:101 +0x105\nmain.main()\n\t/app/main.go:151 +0x1a9\n\ngoroutine 21 [select]:\nmain.busy(0xc0000802a0)\n\t/app/main.go:78 +0xa5\ncreated by main.main in goroutine 1\n\t/app/main.go:110 +0x9d\n{extra}"
        )
    };
    let top = |text: String| {
        let r = report_of(&[("dump.txt", &text)]);
        r.findings
            .first()
            .map(|f| (f.kind.name().to_string(), f.confidence, f.location.clone()))
    };
    let (kind, confidence, loc) = top(dump("", "")).expect("a finding");
    assert_eq!(kind, "deadlock");
    assert_eq!(confidence, godiag_analysis::Confidence::Low);
    let loc = loc.unwrap();
    assert_eq!((loc.function.as_str(), loc.line), ("main.processAll", 101));
    let (_, confidence, _) = top(dump(", 12 minutes", "")).expect("a finding");
    assert_eq!(confidence, godiag_analysis::Confidence::Medium);
    // A worker it started is still there: it may call Done.
    let worker = "\ngoroutine 30 [sleep]:\ntime.Sleep(0x3b9aca00)\n\t/go/src/runtime/time.go:338 +0x165\nmain.processAll.func1(0x1)\n\t/app/main.go:96 +0x2a\ncreated by main.processAll in goroutine 1\n\t/app/main.go:92 +0x4f\n";
    assert!(top(dump("", worker)).is_none_or(|(k, _, _)| k != "deadlock"));
    // The program works elsewhere: a pool may hold the Done.
    let working = "\ngoroutine 31 [running]:\nmain.work(0x1)\n\t/app/pool.go:20 +0x2a\ncreated by main.startPool in goroutine 1\n\t/app/pool.go:12 +0x4f\n";
    assert!(top(dump("", working)).is_none_or(|(k, _, _)| k != "deadlock"));
}
