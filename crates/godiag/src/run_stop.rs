//! How `godiag run` ends a program that does not end by itself: after
//! `--timeout`, or when godiag is asked to stop (SIGTERM, as `timeout` and
//! service managers send), it sends the program SIGQUIT, which under
//! `GOTRACEBACK=crash` makes the Go runtime print every goroutine and
//! abort with a core dump: the dump of the hang is what the bundle is for.
//! Ctrl-C and Ctrl-\ reach the program from the terminal themselves; godiag
//! outlives them to write the bundle.

use std::process::{Child, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set by the signal handler: godiag was asked to stop.
static STOP_ASKED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(_: libc::c_int) {
    STOP_ASKED.store(true, Ordering::SeqCst);
}

extern "C" fn on_terminal_signal(_: libc::c_int) {}

/// How long the runtime gets to print its dump and write the core after
/// SIGQUIT before the program is killed.
const DUMP_GRACE: Duration = Duration::from_secs(60);

/// Why godiag stopped the program, when it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// `--timeout` passed.
    TimedOut,
    /// godiag got SIGTERM.
    Asked,
}

/// Waits for the child; after `timeout`, or on SIGTERM to godiag, sends it
/// SIGQUIT (then SIGKILL if it has not ended after the grace time).
pub fn wait(
    child: &mut Child,
    timeout: Option<Duration>,
) -> std::io::Result<(ExitStatus, Option<Stopped>)> {
    let pid = libc::pid_t::try_from(child.id()).unwrap_or(0);
    // A stop asked during an earlier run (of this process) is not this one's.
    STOP_ASKED.store(false, Ordering::SeqCst);
    // Handlers, not SIG_IGN: the program was already spawned, and a handled
    // signal is reset at exec anyway, so it keeps the runtime's own.
    // SAFETY: the handlers only store to an atomic or do nothing, which is
    // async-signal-safe.
    let previous = unsafe {
        [
            (
                libc::SIGTERM,
                libc::signal(libc::SIGTERM, on_stop as *const () as libc::sighandler_t),
            ),
            (
                libc::SIGINT,
                libc::signal(
                    libc::SIGINT,
                    on_terminal_signal as *const () as libc::sighandler_t,
                ),
            ),
            (
                libc::SIGQUIT,
                libc::signal(
                    libc::SIGQUIT,
                    on_terminal_signal as *const () as libc::sighandler_t,
                ),
            ),
        ]
    };
    let started = Instant::now();
    let mut quit_sent: Option<(Instant, Stopped)> = None;
    let result = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok((status, quit_sent.map(|(_, why)| why))),
            Ok(None) => {}
            Err(e) => break Err(e),
        }
        let why = if STOP_ASKED.load(Ordering::SeqCst) {
            Some(Stopped::Asked)
        } else if timeout.is_some_and(|t| started.elapsed() >= t) {
            Some(Stopped::TimedOut)
        } else {
            None
        };
        match (quit_sent, why) {
            (None, Some(why)) if pid > 0 => {
                // SAFETY: kill(2) on the child's own pid, which it still is:
                // it has not been waited for.
                unsafe { libc::kill(pid, libc::SIGQUIT) };
                quit_sent = Some((Instant::now(), why));
            }
            (Some((at, _)), _) if at.elapsed() >= DUMP_GRACE => {
                let _ = child.kill();
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // SAFETY: puts back the dispositions read above.
    unsafe {
        for (signal, handler) in previous {
            libc::signal(signal, handler);
        }
    }
    result
}
