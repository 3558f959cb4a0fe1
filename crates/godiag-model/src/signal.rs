//! Linux signal numbers and the names and descriptions the Go runtime
//! prints for them (its `sigtab` for linux): core readers see a signal's
//! number, old tracebacks printed the number instead of the name.

/// `(name, description)` of a Linux signal, as the runtime prints them.
pub fn linux(sig: u64) -> Option<(&'static str, &'static str)> {
    Some(match sig {
        4 => ("SIGILL", "illegal instruction"),
        5 => ("SIGTRAP", "trace trap"),
        6 => ("SIGABRT", "abort"),
        7 => ("SIGBUS", "bus error"),
        8 => ("SIGFPE", "floating-point exception"),
        11 => ("SIGSEGV", "segmentation violation"),
        _ => return None,
    })
}
