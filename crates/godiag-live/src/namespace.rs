//! Whether a process lives in another PID or mount namespace than godiag
//! (a container), for hints: a PID seen inside a container is not the
//! host's, and a container's files are not at the paths it names.

/// The namespaces (`pid`, `mnt`) in which `pid` differs from godiag.
pub(crate) fn foreign_namespaces(pid: i32) -> Vec<&'static str> {
    ["pid", "mnt"]
        .into_iter()
        .filter(|ns| {
            let own = std::fs::read_link(format!("/proc/self/ns/{ns}"));
            let theirs = std::fs::read_link(format!("/proc/{pid}/ns/{ns}"));
            matches!((own, theirs), (Ok(a), Ok(b)) if a != b)
        })
        .collect()
}

/// What to say when a PID is not found: it may be a container's own PID.
pub(crate) fn missing_pid_hint() -> String {
    let in_container = std::fs::read_to_string("/proc/1/cgroup")
        .map(|c| c.contains("docker") || c.contains("kubepods") || c.contains("containerd"))
        .unwrap_or(false);
    if in_container {
        "; godiag runs in a container: give the PID as this container sees it, or run godiag on the host with the host's PID".into()
    } else {
        "; if the PID was read inside a container, give the host's PID (docker inspect -f '{{.State.Pid}}' NAME), or run godiag inside the container".into()
    }
}

/// What to add when the executable of a process in a container cannot be
/// read.
pub(crate) fn executable_hint(pid: i32) -> String {
    let foreign = foreign_namespaces(pid);
    if foreign.is_empty() {
        "; give it with --exe FILE".into()
    } else {
        format!(
            "; the process is in another {} namespace (a container): run godiag inside the container, or point --exe at the binary",
            foreign.join(" and ")
        )
    }
}
