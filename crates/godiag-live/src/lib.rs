//! A live Go process as a [`godiag_core::Image`], for `godiag attach`: every
//! thread is stopped briefly (ptrace seize and interrupt), its registers
//! read, and memory read from `/proc/PID/mem` while they are stopped; the
//! executable comes from `/proc/PID/exe` (also when it was deleted or
//! replaced on disk). [`LiveProcess::detach`] lets the process go on and
//! says how long it was stopped.
//!
//! Not done yet (issue 15): the `attach` command over the engine, writing a
//! core (`--core`), and the messages for other PID or mount namespaces.

use std::borrow::Cow;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

use godiag_core::{Image, Thread};
use godiag_exe::Memory;
use nix::errno::Errno;
use nix::sys::ptrace;
use nix::sys::wait::{waitpid, WaitPidFlag};
use nix::unistd::Pid;

/// Why a process could not be attached to.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("no process {0}")]
    NoSuchProcess(i32),
    #[error("process {0} exited while godiag was attaching")]
    Exited(i32),
    #[error("process {pid} is already traced by process {tracer} (a debugger?): detach it first")]
    AlreadyTraced { pid: i32, tracer: i32 },
    #[error("not permitted to trace process {pid}: {hint}")]
    NotPermitted { pid: i32, hint: String },
    #[error("cannot read {what} of process {pid}: {source}")]
    Read {
        pid: i32,
        what: &'static str,
        source: std::io::Error,
    },
}

/// `user_regs_struct`, in order.
const USER_REGS: [&str; 27] = [
    "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi",
    "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs",
    "gs",
];

/// A process whose threads godiag holds stopped.
pub struct LiveProcess {
    pid: i32,
    mem: File,
    threads: Vec<Thread>,
    auxv: Vec<(u64, u64)>,
    exe: Vec<u8>,
    /// The threads seized (detached on drop).
    seized: Vec<Pid>,
    stopped_at: Instant,
    limit: u64,
}

fn read_proc(pid: i32, what: &'static str) -> Result<Vec<u8>, AttachError> {
    std::fs::read(format!("/proc/{pid}/{what}")).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            AttachError::NoSuchProcess(pid)
        } else {
            AttachError::Read { pid, what, source }
        }
    })
}

fn tracer_of(pid: i32) -> Result<i32, AttachError> {
    let status = read_proc(pid, "status")?;
    Ok(String::from_utf8_lossy(&status)
        .lines()
        .find_map(|l| l.strip_prefix("TracerPid:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0))
}

fn threads_of(pid: i32) -> Result<Vec<i32>, AttachError> {
    let dir = std::fs::read_dir(format!("/proc/{pid}/task")).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            AttachError::NoSuchProcess(pid)
        } else {
            AttachError::Read {
                pid,
                what: "task",
                source,
            }
        }
    })?;
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
    let hint = match scope.as_str() {
        "1" => "kernel.yama.ptrace_scope is 1 (only a parent may trace): run godiag as root or with CAP_SYS_PTRACE, or set it to 0".to_string(),
        "2" => "kernel.yama.ptrace_scope is 2 (only with CAP_SYS_PTRACE): run godiag as root".to_string(),
        "3" => "kernel.yama.ptrace_scope is 3 (no tracing at all)".to_string(),
        _ => "it belongs to another user, or godiag lacks CAP_SYS_PTRACE: run it as that user or as root".to_string(),
    };
    AttachError::NotPermitted { pid, hint }
}

impl LiveProcess {
    /// Stops every thread of `pid` and reads what a goroutine walk needs
    /// to start: registers, the auxiliary vector, the executable.
    pub fn attach(pid: i32) -> Result<Self, AttachError> {
        let tracer = tracer_of(pid)?;
        if tracer != 0 {
            return Err(AttachError::AlreadyTraced { pid, tracer });
        }
        let exe = read_proc(pid, "exe")?;
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
        let mem = File::open(format!("/proc/{pid}/mem")).map_err(|source| AttachError::Read {
            pid,
            what: "mem",
            source,
        })?;
        let stopped_at = Instant::now();
        let mut live = LiveProcess {
            pid,
            mem,
            threads: Vec::new(),
            auxv,
            exe,
            seized: Vec::new(),
            stopped_at,
            limit: 0,
        };
        // Threads started while seizing are picked up by the next pass.
        for _ in 0..4 {
            let tids = threads_of(pid)?;
            let new: Vec<i32> = tids
                .into_iter()
                .filter(|t| !live.seized.contains(&Pid::from_raw(*t)))
                .collect();
            if new.is_empty() {
                break;
            }
            for tid in new {
                let p = Pid::from_raw(tid);
                match ptrace::seize(p, ptrace::Options::empty()) {
                    Ok(()) => {}
                    Err(Errno::ESRCH) => continue, // the thread ended
                    Err(Errno::EPERM) => return Err(not_permitted(pid)),
                    Err(e) => {
                        return Err(AttachError::Read {
                            pid,
                            what: "threads (ptrace seize)",
                            source: e.into(),
                        })
                    }
                }
                live.seized.push(p);
                if ptrace::interrupt(p).is_ok() {
                    let _ = waitpid(p, Some(WaitPidFlag::__WALL));
                }
            }
        }
        if live.seized.is_empty() {
            return Err(AttachError::Exited(pid));
        }
        for &p in &live.seized {
            let Ok(r) = ptrace::getregs(p) else {
                continue;
            };
            let values = [
                r.r15, r.r14, r.r13, r.r12, r.rbp, r.rbx, r.r11, r.r10, r.r9, r.r8, r.rax, r.rcx,
                r.rdx, r.rsi, r.rdi, r.orig_rax, r.rip, r.cs, r.eflags, r.rsp, r.ss, r.fs_base,
                r.gs_base, r.ds, r.es, r.fs, r.gs,
            ];
            live.threads.push(Thread {
                pid: p.as_raw() as u32,
                signal: 0,
                rip: r.rip,
                rsp: r.rsp,
                rbp: r.rbp,
                fs_base: r.fs_base,
                regs: USER_REGS.iter().copied().zip(values).collect(),
            });
        }
        // What the process maps bounds the counts read from its memory.
        live.limit = std::fs::read_to_string(format!("/proc/{pid}/maps"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let (a, b) = l.split_whitespace().next()?.split_once('-')?;
                Some(u64::from_str_radix(b, 16).ok()? - u64::from_str_radix(a, 16).ok()?)
            })
            .fold(0u64, u64::saturating_add);
        Ok(live)
    }

    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The executable, as the process runs it.
    pub fn exe_bytes(&self) -> &[u8] {
        &self.exe
    }

    /// The stopped process as the goroutine walk reads it.
    pub fn image(&self) -> Image<'_> {
        Image::new(self, &self.threads, &self.auxv, self.limit)
    }

    /// Lets every thread go on; how long they were stopped.
    pub fn detach(mut self) -> Duration {
        self.release();
        self.stopped_at.elapsed()
    }

    fn release(&mut self) {
        for p in self.seized.drain(..) {
            let _ = ptrace::detach(p, None);
        }
    }
}

impl Drop for LiveProcess {
    fn drop(&mut self) {
        self.release();
    }
}

impl Memory for LiveProcess {
    fn read(&self, addr: u64, len: usize) -> Option<Cow<'_, [u8]>> {
        // Reads are small (structures, stack words); a length from the
        // process's memory is bounded by the caller, and once more here.
        if len > 64 << 20 {
            return None;
        }
        let mut buf = vec![0u8; len];
        self.mem.read_exact_at(&mut buf, addr).ok()?;
        Some(Cow::Owned(buf))
    }
}
