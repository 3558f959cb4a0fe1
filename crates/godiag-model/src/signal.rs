//! Linux signal numbers and the names and descriptions the Go runtime
//! prints for them (its `sigtab` for linux): core readers see a signal's
//! number, old tracebacks printed the number instead of the name.

/// `(name, description)` of a Linux signal, as the runtime prints them.
pub fn linux(sig: u64) -> Option<(&'static str, &'static str)> {
    Some(match sig {
        1 => ("SIGHUP", "terminal line hangup"),
        2 => ("SIGINT", "interrupt"),
        3 => ("SIGQUIT", "quit"),
        4 => ("SIGILL", "illegal instruction"),
        5 => ("SIGTRAP", "trace trap"),
        6 => ("SIGABRT", "abort"),
        7 => ("SIGBUS", "bus error"),
        8 => ("SIGFPE", "floating-point exception"),
        9 => ("SIGKILL", "kill"),
        11 => ("SIGSEGV", "segmentation violation"),
        13 => ("SIGPIPE", "write to broken pipe"),
        15 => ("SIGTERM", "termination"),
        _ => return None,
    })
}
