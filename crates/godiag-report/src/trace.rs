//! The TRACE section: what the scheduler timeline shows, in a screenful.

use godiag_trace::analysis::Summary;
use std::fmt::Write;

pub fn ms(ns: u64) -> String {
    let v = ns as f64 / 1e6;
    if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else if v >= 10.0 {
        format!("{v:.0} ms")
    } else if v >= 1.0 {
        format!("{v:.1} ms")
    } else {
        format!("{:.0} µs", ns as f64 / 1e3)
    }
}

/// Plain-text summary (also used inside markdown code blocks).
pub fn trace_text(s: &Summary) -> String {
    let mut o = String::new();
    let procs = s.gomaxprocs.last().map_or(0, |p| p.1);
    let _ = writeln!(
        o,
        "  {} ({}), {} over {} generation{}{}, {} events, GOMAXPROCS={}{}",
        s.wire_version,
        s.writers,
        ms(s.duration_ns),
        s.generations,
        if s.generations == 1 { "" } else { "s" },
        if s.first_generation > 1 {
            format!(" from generation {} (flight recorder)", s.first_generation)
        } else {
            String::new()
        },
        s.events,
        procs,
        s.wall_start
            .as_ref()
            .map(|w| format!(", started {w}"))
            .unwrap_or_default()
    );
    if let Some(p) = &s.partial {
        let _ = writeln!(
            o,
            "  ends early at offset {}: {p}",
            s.partial_offset.unwrap_or(0)
        );
        let _ = writeln!(o, "  {}", godiag_analysis::cut_moment(s));
    }
    let l = &s.sched_latency;
    let _ = writeln!(
        o,
        "  scheduler latency: p50 {}  p90 {}  p99 {}  max {}  ({} waits, {} ≥ 100 ms)",
        ms(l.p50_ns),
        ms(l.p90_ns),
        ms(l.p99_ns),
        ms(l.max_ns),
        l.count,
        l.over_100ms
    );
    let g = &s.gc;
    let _ = writeln!(
        o,
        "  GC: {} cycles, {:.0}% of CPU, {} STW pauses (max {}, total {}), {} assists ({} running){}",
        g.cycles,
        g.cpu_fraction * 100.0,
        g.stw_count,
        ms(g.stw_max_ns),
        ms(g.stw_total_ns),
        g.assist_count,
        ms(g.assist_cpu_ns),
        g.mmu
            .iter()
            .map(|(w, u)| format!(", MMU {} {:.0}%", ms(*w), u * 100.0))
            .collect::<String>()
    );
    if let (Some(first), Some(peak)) = (s.heap.first(), s.heap.iter().max_by_key(|h| h.alloc)) {
        let last = s.heap.last().copied().unwrap_or(*first);
        let _ = writeln!(
            o,
            "  heap: {} at start, peak {} at +{}, {} at end (goal {})",
            godiag_model::units::human_bytes(first.alloc as i64),
            godiag_model::units::human_bytes(peak.alloc as i64),
            ms(peak.time_ns),
            godiag_model::units::human_bytes(last.alloc as i64),
            godiag_model::units::human_bytes(last.goal as i64)
        );
    }
    if !s.blocking_by_reason.is_empty() {
        let parts: Vec<String> = s
            .blocking_by_reason
            .iter()
            .take(6)
            .map(|(r, ns, _)| format!("{r} {}", ms(*ns)))
            .collect();
        let _ = writeln!(o, "  blocked by reason: {}", parts.join(", "));
    }
    if s.syscall_count > 0 {
        let _ = writeln!(o, "  syscalls: {} ({})", s.syscall_count, ms(s.syscall_ns));
    }
    let e = &s.end;
    let _ = writeln!(
        o,
        "  at the end: {} running, {} runnable, {} waiting, {} in syscalls",
        e.running, e.runnable, e.waiting, e.syscall
    );
    for t in s.tasks.iter().take(5) {
        let _ = writeln!(
            o,
            "  task {:?}: {} done, avg {} (min {}, max {}){}",
            t.name,
            t.count,
            ms(t.total_ns / t.count.max(1)),
            ms(t.min_ns),
            ms(t.max_ns),
            if t.unfinished > 0 {
                format!(", {} unfinished", t.unfinished)
            } else {
                String::new()
            }
        );
    }
    for r in s.regions.iter().take(5) {
        let _ = writeln!(
            o,
            "  region {:?}: {} done, avg {} (min {}, max {})",
            r.name,
            r.count,
            ms(r.total_ns / r.count.max(1)),
            ms(r.min_ns),
            ms(r.max_ns)
        );
    }
    if !s.logs.is_empty() {
        let parts: Vec<String> = s.logs.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
        let _ = writeln!(o, "  logs: {}", parts.join(", "));
    }
    if !s.goroutines.is_empty() {
        let _ = writeln!(o, "  goroutines seen longest:");
        for g in s.goroutines.iter().take(5) {
            let st = &g.stats;
            let _ = writeln!(
                o,
                "    G{:<8} {:<40} run {:>8}  wait for P {:>8}  blocked {:>8}  syscall {:>8}  STW {:>8}",
                g.id,
                g.name,
                ms(st.exec_ns),
                ms(st.sched_wait_ns),
                ms(st.block_ns),
                ms(st.syscall_ns),
                ms(st.stw_ns)
            );
        }
    }
    let _ = writeln!(o, "  goroutine groups (by start function):");
    for gr in s.groups.iter().take(6) {
        let st = &gr.stats;
        let _ = writeln!(
            o,
            "    {:>5} × {:<40} run {:>8}  wait for P {:>8}  blocked {:>8}  syscall {:>8}",
            gr.count,
            gr.name,
            ms(st.exec_ns),
            ms(st.sched_wait_ns),
            ms(st.block_ns),
            ms(st.syscall_ns)
        );
    }
    o
}
