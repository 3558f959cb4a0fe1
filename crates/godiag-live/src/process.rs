//! Stopping a process's threads (ptrace seize + interrupt), reading their
//! registers, and letting them go with what arrived meanwhile.

use std::fs::File;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use godiag_core::{Image, Thread, USER_REGS};
use nix::errno::Errno;
use nix::sys::ptrace;
use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use crate::error::AttachError;
use crate::memory::ProcessMemory;
use crate::namespace;

/// How long the process was stopped and what was read meanwhile.
#[derive(Clone, Copy, Debug)]
pub struct StopSummary {
    pub paused: Duration,
    pub threads: usize,
    /// Bytes of memory read from the process while it was stopped.
    pub bytes_read: u64,
    /// Signals that arrived during the stop and were passed on.
    pub signals_passed_on: usize,
}

/// A thread godiag stopped, and the signal it was stopped with when one
/// arrived for it (delivered when it is let go).
struct Seized {
    tid: Pid,
    pending: Option<Signal>,
}

/// A process whose threads godiag holds stopped.
pub struct LiveProcess {
    pid: i32,
    pub(crate) memory: ProcessMemory,
    pub(crate) threads: Vec<Thread>,
    pub(crate) auxv: Vec<(u64, u64)>,
    exe: Vec<u8>,
    /// The threads still held (empty once let go).
    seized: Mutex<Vec<Seized>>,
    stopped_at: Instant,
    summary: Mutex<Option<StopSummary>>,
    /// The sum of the process's mappings: counts read from its memory are
    /// bounded by it.
    limit: u64,
    /// Namespaces (`pid`, `mnt`) the process does not share with godiag.
    pub foreign_namespaces: Vec<&'static str>,
}

fn proc_error(pid: i32, what: &'static str, source: std::io::Error) -> AttachError {
    match source.kind() {
        std::io::ErrorKind::NotFound => AttachError::NoSuchProcess {
            pid,
            hint: namespace::missing_pid_hint(),
        },
        std::io::ErrorKind::PermissionDenied => not_permitted(pid),
        _ => AttachError::Read { pid, what, source },
    }
}

fn read_proc(pid: i32, what: &'static str) -> Result<Vec<u8>, AttachError> {
    std::fs::read(format!("/proc/{pid}/{what}")).map_err(|e| proc_error(pid, what, e))
}

fn status_field(pid: i32, field: &str) -> Result<String, AttachError> {
    let status = read_proc(pid, "status")?;
    Ok(String::from_utf8_lossy(&status)
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .map(|v| v.trim().to_string())
        .unwrap_or_default())
}

fn comm(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

fn threads_of(pid: i32) -> Result<Vec<i32>, AttachError> {
    let dir =
        std::fs::read_dir(format!("/proc/{pid}/task")).map_err(|e| proc_error(pid, "task", e))?;
    let mut tids: Vec<i32> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    Ok(tids)
}

fn not_permitted(pid: i32) -> AttachError {
    let scope = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let owner = std::fs::metadata(format!("/proc/{pid}"))
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .ok();
    let me = nix::unistd::geteuid().as_raw();
    let hint = match (scope.as_str(), owner) {
        (_, Some(uid)) if uid != me && me != 0 => format!(
            "it belongs to user {uid} and godiag runs as user {me}: run godiag as that user, or as root (CAP_SYS_PTRACE)"
        ),
        ("1", _) => "kernel.yama.ptrace_scope is 1 (only a parent may trace its children): run godiag as root or with CAP_SYS_PTRACE, or set kernel.yama.ptrace_scope=0".into(),
        ("2", _) => "kernel.yama.ptrace_scope is 2 (only with CAP_SYS_PTRACE): run godiag as root".into(),
        ("3", _) => "kernel.yama.ptrace_scope is 3: no process may be traced until reboot".into(),
        _ => "godiag lacks CAP_SYS_PTRACE (a container without --cap-add=SYS_PTRACE, or a seccomp profile that forbids ptrace)".into(),
    };
    AttachError::NotPermitted { pid, hint }
}

/// Waits for a seized thread's stop after an interrupt. A signal that
/// arrived first stops it too; it is kept, to be delivered on detach.
/// `None`: the thread ended.
fn wait_stopped(tid: Pid) -> Option<Option<Signal>> {
    loop {
        match waitpid(tid, Some(WaitPidFlag::__WALL)) {
            Ok(WaitStatus::PtraceEvent(_, _, _)) => return Some(None),
            Ok(WaitStatus::Stopped(_, sig)) => return Some(Some(sig)),
            Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..)) | Err(Errno::ECHILD) => {
                return None
            }
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(_) => return None,
        }
    }
}

impl LiveProcess {
    /// Stops every thread of `pid` and reads what a goroutine walk needs to
    /// start: registers and the auxiliary vector. The executable is the
    /// one given, else `/proc/PID/exe`; it is checked to be a Go program
    /// before anything is stopped.
    pub fn attach(pid: i32, exe: Option<Vec<u8>>) -> Result<Self, AttachError> {
        let tracer: i32 = status_field(pid, "TracerPid:")?.parse().unwrap_or(0);
        if tracer != 0 {
            return Err(AttachError::AlreadyTraced {
                pid,
                tracer,
                tracer_name: comm(tracer),
            });
        }
        let exe = match exe {
            Some(e) => e,
            None => {
                std::fs::read(format!("/proc/{pid}/exe")).map_err(|source| match source.kind() {
                    std::io::ErrorKind::NotFound
                        if !std::path::Path::new(&format!("/proc/{pid}")).exists() =>
                    {
                        AttachError::NoSuchProcess {
                            pid,
                            hint: namespace::missing_pid_hint(),
                        }
                    }
                    std::io::ErrorKind::PermissionDenied => not_permitted(pid),
                    _ => AttachError::Executable {
                        pid,
                        source,
                        hint: namespace::executable_hint(pid),
                    },
                })?
            }
        };
        if let Err(e) = godiag_exe::GoExecutable::parse(&exe) {
            let path = std::fs::read_link(format!("/proc/{pid}/exe"))
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| comm(pid));
            return Err(AttachError::NotGo {
                pid,
                exe: path,
                reason: e.to_string(),
            });
        }
        let auxv_bytes = read_proc(pid, "auxv")?;
        let auxv = auxv_bytes
            .chunks_exact(16)
            .filter_map(|c| {
                Some((
                    u64::from_le_bytes(c[..8].try_into().ok()?),
                    u64::from_le_bytes(c[8..].try_into().ok()?),
                ))
            })
            .take_while(|&(k, _)| k != 0)
            .collect();
        let mem = File::open(format!("/proc/{pid}/mem")).map_err(|e| proc_error(pid, "mem", e))?;
        let foreign_namespaces = namespace::foreign_namespaces(pid);
        let stopped_at = Instant::now();
        let mut seized: Vec<Seized> = Vec::new();
        // Threads started while seizing are picked up by the next pass.
        for _ in 0..8 {
            let new: Vec<i32> = threads_of(pid)?
                .into_iter()
                .filter(|t| !seized.iter().any(|s| s.tid.as_raw() == *t))
                .collect();
            if new.is_empty() {
                break;
            }
            for tid in new {
                let p = Pid::from_raw(tid);
                match ptrace::seize(p, ptrace::Options::empty()) {
                    Ok(()) => {}
                    Err(Errno::ESRCH) => continue, // the thread ended
                    Err(Errno::EPERM) if exiting(pid) => {
                        release(&mut seized);
                        return Err(AttachError::Exited(pid));
                    }
                    Err(Errno::EPERM) => {
                        release(&mut seized);
                        // Another tracer got there between the check and now.
                        let tracer: i32 = status_field(pid, "TracerPid:")
                            .ok()
                            .and_then(|t| t.parse().ok())
                            .unwrap_or(0);
                        if tracer != 0 && tracer != std::process::id() as i32 {
                            return Err(AttachError::AlreadyTraced {
                                pid,
                                tracer,
                                tracer_name: comm(tracer),
                            });
                        }
                        return Err(not_permitted(pid));
                    }
                    Err(e) => {
                        release(&mut seized);
                        return Err(AttachError::Read {
                            pid,
                            what: "threads (ptrace seize)",
                            source: e.into(),
                        });
                    }
                }
                if ptrace::interrupt(p).is_err() {
                    continue;
                }
                if let Some(pending) = wait_stopped(p) {
                    seized.push(Seized { tid: p, pending });
                }
            }
        }
        if seized.is_empty() || exiting(pid) {
            release(&mut seized);
            return Err(AttachError::Exited(pid));
        }
        let mut threads = Vec::new();
        for s in &seized {
            let Ok(r) = ptrace::getregs(s.tid) else {
                continue;
            };
            let values = [
                r.r15, r.r14, r.r13, r.r12, r.rbp, r.rbx, r.r11, r.r10, r.r9, r.r8, r.rax, r.rcx,
                r.rdx, r.rsi, r.rdi, r.orig_rax, r.rip, r.cs, r.eflags, r.rsp, r.ss, r.fs_base,
                r.gs_base, r.ds, r.es, r.fs, r.gs,
            ];
            threads.push(Thread {
                pid: s.tid.as_raw() as u32,
                signal: s.pending.map_or(0, |sig| sig as u16),
                rip: r.rip,
                rsp: r.rsp,
                rbp: r.rbp,
                fs_base: r.fs_base,
                regs: USER_REGS.iter().copied().zip(values).collect(),
            });
        }
        let limit = crate::maps::mappings(pid)
            .iter()
            .map(|m| m.end - m.start)
            .fold(0u64, u64::saturating_add);
        Ok(LiveProcess {
            pid,
            memory: ProcessMemory::new(mem, Some(pid)),
            threads,
            auxv,
            exe,
            seized: Mutex::new(seized),
            stopped_at,
            summary: Mutex::new(None),
            limit,
            foreign_namespaces,
        })
    }

    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The executable, as the process runs it (or as it was given).
    pub fn exe_bytes(&self) -> &[u8] {
        &self.exe
    }

    pub fn threads(&self) -> &[Thread] {
        &self.threads
    }

    /// The stopped process as the goroutine walk reads it.
    pub fn image(&self) -> Image<'_> {
        Image::new(&self.memory, &self.threads, &self.auxv, self.limit)
    }

    /// Whether the process still exists: not gone, not a zombie, no kill
    /// pending, and its memory still readable (a process killed while
    /// stopped may not have reached its exit yet).
    pub fn is_alive(&self) -> bool {
        let readable = self.threads.first().is_none_or(|t| {
            let mut word = [0u8; 8];
            self.memory.read_direct(t.rsp, &mut word)
        });
        readable && !exiting(self.pid)
    }

    /// Lets every thread go on, delivering any signal that arrived during
    /// the stop; how long they were stopped. Later calls return the same.
    pub fn detach(&self) -> StopSummary {
        let Ok(mut summary) = self.summary.lock() else {
            return self.summary_now(0);
        };
        if let Some(s) = *summary {
            return s;
        }
        let passed = match self.seized.lock() {
            Ok(mut seized) => release(&mut seized),
            Err(_) => 0,
        };
        let s = self.summary_now(passed);
        *summary = Some(s);
        s
    }

    fn summary_now(&self, signals_passed_on: usize) -> StopSummary {
        StopSummary {
            paused: self.stopped_at.elapsed(),
            threads: self.threads.len(),
            bytes_read: self.memory.bytes_read(),
            signals_passed_on,
        }
    }
}

/// Whether `pid` is gone, a zombie, or has a kill pending (killed while
/// stopped, it may not have reached its exit yet).
fn exiting(pid: i32) -> bool {
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next().map(str::to_string))
        });
    if !state.is_some_and(|st| st != "Z" && st != "X") {
        return true;
    }
    // SIGKILL is signal 9: bit 8 of the pending masks.
    ["SigPnd:", "ShdPnd:"].iter().any(|f| {
        status_field(pid, f)
            .ok()
            .and_then(|m| u64::from_str_radix(&m, 16).ok())
            .is_some_and(|m| m & (1 << 8) != 0)
    })
}

/// Detaches every seized thread, passing on the signal each was stopped
/// with; how many signals were passed on.
fn release(seized: &mut Vec<Seized>) -> usize {
    let mut passed = 0;
    for s in seized.drain(..) {
        passed += usize::from(s.pending.is_some());
        let _ = ptrace::detach(s.tid, s.pending);
    }
    passed
}

impl Drop for LiveProcess {
    fn drop(&mut self) {
        self.detach();
    }
}
