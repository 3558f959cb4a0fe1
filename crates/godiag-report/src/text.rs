//! `--format text`: one screen for a terminal. The root cause first, then the
//! other findings, the inputs, and the goroutines grouped by stack.

use std::fmt::Write;

use godiag_analysis::{Finding, Verdict};
use godiag_model::{Frame, GoroutineGroup};

use godiag_engine::{InputReport, Report};

/// Rendering choices that do not change content.
#[derive(Clone, Copy, Debug)]
pub struct TextOptions {
    /// ANSI colour (only on a terminal, never with `NO_COLOR`).
    pub color: bool,
    /// Groups shown per input.
    pub max_groups: usize,
    /// Frames shown per group.
    pub max_frames: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            color: false,
            max_groups: 12,
            max_frames: 10,
        }
    }
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn red(&self, s: &str) -> String {
        self.paint("1;31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
}

pub fn render_text(report: &Report<'_>, opts: TextOptions) -> String {
    let st = Style { color: opts.color };
    let mut out = String::new();
    match report.findings.first() {
        Some(top) => {
            let _ = writeln!(
                out,
                "{}  {}  {}",
                st.red("ROOT CAUSE"),
                st.bold(top.kind.name()),
                st.dim(&format!("({:?} confidence)", top.confidence).to_lowercase())
            );
            finding_body(&mut out, &st, top, report);
        }
        None => {
            let (headline, unread) = crate::nothing_found(report);
            let _ = writeln!(out, "{}", st.bold(headline));
            for u in unread {
                let _ = writeln!(out, "  not analysed: {u}");
            }
        }
    }
    if report.findings.len() > 1 {
        let _ = writeln!(out, "\n{}", st.bold("OTHER FINDINGS"));
        for (i, f) in report.findings.iter().enumerate().skip(1) {
            let _ = writeln!(
                out,
                "{}. {} {} — {}{}",
                i + 1,
                st.bold(f.kind.name()),
                st.dim(&format!("({:?})", f.confidence).to_lowercase()),
                f.title,
                f.location
                    .as_ref()
                    .map(|l| if l.file.is_empty() || (l.line == 0 && l.file != "?") {
                        format!("\n     at {} {}", l.function, l.place())
                    } else {
                        format!(
                            "\n     at {} {}:{}",
                            l.function,
                            short_path(&l.file),
                            l.line
                        )
                    })
                    .unwrap_or_default()
            );
        }
    }
    if !report.timeline.is_empty() {
        let _ = writeln!(out, "\n{}", st.bold("TIMELINE"));
        for t in &report.timeline {
            let _ = writeln!(out, "  - {t}");
        }
    }
    let _ = writeln!(out, "\n{}", st.bold("INPUTS"));
    for i in &report.inputs {
        input_line(&mut out, &st, i);
    }
    for c in &report.comparisons {
        let (a, b) = (&report.inputs[c.earlier], &report.inputs[c.later]);
        let _ = writeln!(
            out,
            "\n{} {} → {}",
            st.bold("GROWTH BETWEEN DUMPS"),
            a.path,
            b.path
        );
        let group_of = |d: &godiag_model::GroupDiff| {
            d.later
                .and_then(|li| b.groups().get(li))
                .or_else(|| d.earlier.and_then(|ei| a.groups().get(ei)))
        };
        // The goroutine writing a debug=2 dump is in every dump; its caller's
        // line may differ between two dumps, which is no growth.
        let writer = |g: &GoroutineGroup<'_>| {
            g.frames
                .iter()
                .any(|f| f.function == "runtime/pprof.writeGoroutineStacks")
        };
        let rows = c
            .diffs
            .iter()
            .filter(|d| d.growth() != 0)
            .filter_map(|d| group_of(d).filter(|g| !writer(g)).map(|g| (d, g)))
            .take(opts.max_groups);
        for (d, g) in rows {
            let top = g
                .frames
                .iter()
                .find(|f| !f.is_stdlib())
                .or(g.frames.first());
            let _ = writeln!(
                out,
                "  {:>+7}  {:>6} → {:<6} [{}] {}",
                d.growth(),
                d.before,
                d.after,
                g.status,
                top.map(|f| format!("{} {}:{}", f.function, short_path(f.file), f.line))
                    .unwrap_or_default()
            );
        }
    }
    for c in &report.profile_comparisons {
        let _ = writeln!(
            out,
            "\n{} {} → {} ({}, change per function)",
            st.bold("PROFILE CHANGES"),
            report.inputs[c.earlier].path,
            report.inputs[c.later].path,
            c.sample_type
        );
        for r in c
            .rows
            .iter()
            .filter(|r| r.cum != 0)
            .take(opts.max_groups.min(10))
        {
            let sign = if r.cum > 0 { "+" } else { "-" };
            let _ = writeln!(
                out,
                "  {sign}{:>10} cum  {sign}{:>10} flat  {}",
                crate::profile::format_value(r.cum.abs(), &c.unit),
                crate::profile::format_value(r.flat.abs(), &c.unit),
                r.function
            );
        }
    }
    for i in &report.inputs {
        if let Some(p) = i.profile() {
            let _ = writeln!(out, "\n{} {}", st.bold("PROFILE"), i.path);
            out.push_str(&crate::profile::profile_text(p, opts.max_frames));
        }
    }
    for i in &report.inputs {
        if let Some(t) = i.trace() {
            let _ = writeln!(out, "\n{} {}", st.bold("TRACE"), i.path);
            out.push_str(&crate::trace::trace_text(t));
        }
    }
    for i in &report.inputs {
        threads_section(&mut out, &st, i);
        wait_objects_section(&mut out, &st, i, opts.max_groups);
        backtraces_section(&mut out, &st, i);
    }
    for i in &report.inputs {
        groups_section(&mut out, &st, i, opts);
    }
    out
}

/// A core's threads: the signal each stopped on and the registers that tell
/// where (the instruction and stack pointers).
fn threads_section(out: &mut String, st: &Style, i: &InputReport<'_>) {
    if i.core_threads().is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{} {}", st.bold("THREADS"), i.path);
    // The registers of the faulting code, from the signal frame (a fault in
    // C code, or in the runtime's signal handler path).
    if let Some(t) = i.text() {
        let regs = &t.crash.registers;
        if !regs.is_empty() {
            let line: Vec<String> = regs
                .iter()
                .filter(|(n, _)| !matches!(*n, "csgsfs" | "oldmask"))
                .map(|(n, v)| format!("{n} {v:#x}"))
                .collect();
            let _ = writeln!(out, "  at the fault: {}", line.join("  "));
        }
    }
    for t in i.core_threads() {
        let reg = |n: &str| {
            t.registers
                .iter()
                .find(|(r, _)| *r == n)
                .map_or(0, |(_, v)| *v)
        };
        let _ = writeln!(
            out,
            "  {:>8}  signal {:>2}  rip {:#018x}  rsp {:#018x}  rbp {:#018x}  {}{}",
            t.pid,
            t.signal,
            reg("rip"),
            reg("rsp"),
            reg("rbp"),
            t.function.as_deref().unwrap_or(""),
            t.goroutine
                .map(|g| format!("  (goroutine {g})"))
                .unwrap_or_default()
        );
    }
}

/// Blocked goroutines by the object they wait on, most waiters first.
/// The frames, with their variables' values, of the goroutines the
/// findings name (cores).
fn backtraces_section(out: &mut String, st: &Style, i: &InputReport<'_>) {
    if i.backtraces().is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{} {} (frames with their values, for the goroutines the findings name)",
        st.bold("FRAMES IN FULL"),
        i.path
    );
    for b in i.backtraces() {
        let _ = writeln!(out, "  {}", st.bold(&crate::backtrace::heading(b)));
        for line in crate::backtrace::lines(b) {
            let _ = writeln!(out, "    {line}");
        }
    }
}

fn wait_objects_section(out: &mut String, st: &Style, i: &InputReport<'_>, max: usize) {
    if i.wait_objects().is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{} {} (blocked goroutines by what they wait on)",
        st.bold("WAIT OBJECTS"),
        i.path
    );
    for o in i.wait_objects().iter().take(max) {
        let _ = writeln!(out, "  {}", crate::wait_object_line(o));
        if let Some(f) = &o.frame {
            let _ = writeln!(
                out,
                "      first waiter at {} {}:{}",
                f.function, f.file, f.line
            );
        }
    }
    if i.wait_objects().len() > max {
        let _ = writeln!(out, "  ... {} more objects", i.wait_objects().len() - max);
    }
}

fn finding_body(out: &mut String, st: &Style, f: &Finding, report: &Report<'_>) {
    let _ = writeln!(out, "  {}", st.bold(&f.title));
    if let Some(l) = &f.location {
        let _ = writeln!(
            out,
            "  at {} {}",
            st.bold(&l.function),
            st.yellow(&l.place())
        );
    }
    if let Some(g) = f.goroutine {
        let _ = writeln!(out, "  goroutine {g}");
    }
    if !f.evidence.is_empty() {
        let _ = writeln!(out, "  evidence:");
        for e in &f.evidence {
            let path = report
                .inputs
                .get(e.input)
                .map(|i| i.path.as_str())
                .unwrap_or("?");
            let _ = writeln!(
                out,
                "    [{}] {} {}",
                e.source.name(),
                e.summary,
                st.dim(&format!("({path})"))
            );
            // A line may hold several (a panic value's own lines, a
            // timeout's `running tests:`): each keeps the indentation.
            for l in e.lines.iter().take(6).flat_map(|l| l.lines()) {
                let _ = writeln!(out, "      {}", st.dim(l));
            }
        }
    }
    if !f.verification.is_empty() {
        let v: Vec<String> = f
            .verification
            .iter()
            .map(|(s, v)| match v {
                Verdict::Confirms => st.green(&format!("{s}: confirms")),
                Verdict::Contradicts => st.red(&format!("{s}: contradicts")),
                Verdict::Silent => st.dim(&format!("{s}: silent")),
            })
            .collect();
        let _ = writeln!(out, "  verification: {}", v.join(", "));
    }
    if !f.next_steps.is_empty() {
        let _ = writeln!(out, "  next steps:");
        for s in &f.next_steps {
            let _ = writeln!(out, "    - {s}");
        }
    }
}

fn input_line(out: &mut String, st: &Style, i: &InputReport<'_>) {
    let version = match (&i.go_version, &i.go_version_at_least) {
        (Some(v), _) => format!("go{v}"),
        (None, Some(v)) => format!("go{v}+"),
        (None, None) => "go?".into(),
    };
    let status = match i.status {
        godiag_model::InputStatus::Parsed => st.green("parsed"),
        godiag_model::InputStatus::Partial if !i.analysed => {
            st.yellow("recognised, not analysed yet")
        }
        godiag_model::InputStatus::Partial => st.yellow("partial"),
        godiag_model::InputStatus::Unrecognized => st.red("unrecognized"),
    };
    let count = i
        .goroutine_count()
        .map(|n| format!(", {}", plural(n, "goroutine")))
        .unwrap_or_default();
    let exe = i
        .executable()
        .map(|e| {
            format!(
                ", {} functions (pclntab from {}{})",
                e.functions,
                e.pclntab,
                if e.inline_info { ", with inlining" } else { "" }
            )
        })
        .unwrap_or_default();
    let captured = i
        .captured_at
        .as_ref()
        .map(|t| format!(", captured {t}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  {}  {}  {}  {}{}{}{}",
        i.path,
        i.kind.name(),
        version,
        status,
        count,
        exe,
        captured
    );
    if let Some(stop) = &i.stop {
        let _ = writeln!(out, "    {}", stop.describe());
    }
    for w in i.warnings.iter().take(5) {
        let _ = writeln!(out, "    {} {}", st.yellow("warning:"), w);
    }
    if i.warnings.len() > 5 {
        let _ = writeln!(out, "    … {} more warnings", i.warnings.len() - 5);
    }
}

fn groups_section(out: &mut String, st: &Style, i: &InputReport<'_>, opts: TextOptions) {
    let Some(t) = i.text() else { return };
    if i.groups().is_empty() {
        return;
    }
    // The failing goroutine may have no id (frames without a header, a
    // tool's aggregate), and may share its group with identical ones
    // printed before it: the reader found its group.
    let failing = i
        .failing_group()
        .and_then(|g| i.groups().get(g))
        .map(|g| g.first_index);
    let _ = writeln!(
        out,
        "\n{} {}: {} in {}",
        st.bold("GOROUTINES"),
        i.path,
        plural(t.goroutine_total(), "goroutine"),
        i.groups_phrase()
    );
    // The failing goroutine's group first, then by size.
    let mut order: Vec<&GoroutineGroup<'_>> = i.groups().iter().collect();
    if let Some(index) = failing {
        if let Some(pos) = order.iter().position(|g| g.first_index == index) {
            let g = order.remove(pos);
            order.insert(0, g);
        }
    }
    for g in order.iter().take(opts.max_groups) {
        let minutes = match g.wait_minutes {
            Some((lo, hi)) if lo == hi => format!(", {lo} minutes"),
            Some((lo, hi)) => format!(", {lo}–{hi} minutes"),
            None => String::new(),
        };
        let marker = if failing == Some(g.first_index) {
            st.red(" ← failing")
        } else {
            String::new()
        };
        let ids = if g.ids.is_empty() {
            // An aggregate from another tool: no ids were printed.
            String::new()
        } else if g.count == 1 {
            format!(" goroutine {}", g.ids[0])
        } else {
            format!(
                " goroutines {}{}",
                g.ids
                    .iter()
                    .take(5)
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                if g.count > 5 { ", …" } else { "" }
            )
        };
        let labels = if g.labels.is_empty() {
            String::new()
        } else {
            let kv: Vec<String> = g
                .labels
                .iter()
                .map(|l| format!("{}: {}", l.key, l.value))
                .collect();
            format!(" {{{}}}", kv.join(", "))
        };
        let _ = writeln!(
            out,
            "  {} [{}{}{}{}]{}{}{}",
            st.bold(&format!("{}×", g.count)),
            g.status,
            if g.leaked > 0 {
                " (leaked)"
            } else if g.outlived_test > 0 {
                " (outlived its test)"
            } else {
                ""
            },
            minutes,
            if g.locked_to_thread > 0 {
                ", locked to thread"
            } else {
                ""
            },
            labels,
            st.dim(&ids),
            marker
        );
        for f in g.frames.iter().take(opts.max_frames) {
            frame_line(out, st, f);
        }
        if g.frames.len() > opts.max_frames {
            let _ = writeln!(
                out,
                "      {}",
                st.dim(&format!(
                    "… {} more frames",
                    g.frames.len() - opts.max_frames
                ))
            );
        }
        if let Some(c) = &g.created_by {
            let _ = writeln!(
                out,
                "      {}",
                st.dim(&format!(
                    "created by {} at {}:{}{}",
                    c.function,
                    short_path(c.file),
                    c.line,
                    if g.distinct_parents > 1 {
                        format!(" (from {} goroutines)", g.distinct_parents)
                    } else {
                        String::new()
                    }
                ))
            );
        }
    }
    if i.groups().len() > opts.max_groups {
        let rest: usize = order.iter().skip(opts.max_groups).map(|g| g.count).sum();
        let _ = writeln!(
            out,
            "  {}",
            st.dim(&format!(
                "… {} more groups ({} goroutines); --format json lists them",
                i.groups().len() - opts.max_groups,
                rest
            ))
        );
    }
}

fn frame_line(out: &mut String, st: &Style, f: &Frame<'_>) {
    let text = format!("{}  {}:{}", f.function, short_path(f.file), f.line);
    let _ = writeln!(
        out,
        "      {}",
        if f.is_stdlib() { st.dim(&text) } else { text }
    );
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The last three path elements are enough to find a file in a terminal.
fn short_path(p: &str) -> &str {
    let mut idx = p.len();
    for _ in 0..3 {
        match p[..idx].rfind('/') {
            Some(i) => idx = i,
            None => return p,
        }
    }
    &p[idx + 1..]
}
