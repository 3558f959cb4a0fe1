//! `--format markdown`: the report for pasting into an issue or a ticket.

use std::fmt::Write;

use godiag_analysis::{Finding, Verdict};

use crate::profile::format_value;
use godiag_engine::{InputReport, Report};

/// Groups and frames shown per input.
const GROUPS: usize = 10;
const FRAMES: usize = 12;

/// Text from the input (a panic's value) on one line of Markdown: it
/// keeps a table row (`|`) and a line (newlines), and outside the code
/// spans of godiag's own words, raw HTML (`<script>`) and emphasis (`**`,
/// `_`) of the value are shown as written.
fn esc(s: &str) -> String {
    let line = s.replace('\n', " ");
    let mut out = String::with_capacity(line.len());
    for (i, part) in line.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            // Inside a code span: shown as written already.
            out.push_str(&part.replace('|', "\\|"));
            continue;
        }
        for c in part.chars() {
            match c {
                '|' => out.push_str("\\|"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '*' | '_' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }
    out
}

fn verdicts(f: &Finding) -> String {
    f.verification
        .iter()
        .map(|(s, v)| {
            let mark = match v {
                Verdict::Confirms => "✅ confirms",
                Verdict::Contradicts => "❌ contradicts",
                Verdict::Silent => "➖ silent",
            };
            format!("{s}: {mark}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn finding(out: &mut String, f: &Finding, report: &Report<'_>) {
    let _ = writeln!(
        out,
        "**{}** — `{}`, {:?} confidence",
        esc(&f.title),
        f.kind.name(),
        f.confidence
    );
    let _ = writeln!(out);
    if let Some(l) = &f.location {
        let _ = writeln!(out, "- Location: `{}` at `{}`", l.function, l.place());
    }
    if let Some(g) = f.goroutine {
        let _ = writeln!(out, "- Goroutine: {g}");
    }
    let _ = writeln!(out, "- Verification: {}", verdicts(f));
    if !f.evidence.is_empty() {
        let _ = writeln!(out, "- Evidence:");
        for e in &f.evidence {
            let path = report.inputs.get(e.input).map_or("?", |i| i.path.as_str());
            let _ = writeln!(
                out,
                "  - [{}] {} (`{}`)",
                e.source.name(),
                esc(&e.summary),
                path
            );
            if !e.lines.is_empty() {
                let _ = writeln!(out, "    ```");
                for l in e.lines.iter().take(6).flat_map(|l| l.lines()) {
                    let _ = writeln!(out, "    {l}");
                }
                let _ = writeln!(out, "    ```");
            }
        }
    }
    if !f.next_steps.is_empty() {
        let _ = writeln!(out, "- Next steps:");
        for s in &f.next_steps {
            let _ = writeln!(out, "  - {s}");
        }
    }
    let _ = writeln!(out);
}

fn groups(out: &mut String, i: &InputReport<'_>) {
    let Some(t) = i.text() else { return };
    if i.groups().is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "### Goroutines in `{}`: {} in {}\n",
        i.path,
        t.goroutine_total(),
        i.groups_phrase()
    );
    for g in i.groups().iter().take(GROUPS) {
        let minutes = match g.wait_minutes {
            Some((lo, hi)) if lo == hi => format!(", {lo} minutes"),
            Some((lo, hi)) => format!(", {lo}–{hi} minutes"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "<details><summary>{}× [{}{}]</summary>\n",
            g.count,
            esc(g.status),
            minutes
        );
        let _ = writeln!(out, "```");
        for f in g.frames.iter().take(FRAMES) {
            let _ = writeln!(out, "{}\n\t{}:{}", f.function, f.file, f.line);
        }
        if g.frames.len() > FRAMES {
            let _ = writeln!(out, "... {} more frames", g.frames.len() - FRAMES);
        }
        if let Some(c) = &g.created_by {
            let _ = writeln!(out, "created by {}\n\t{}:{}", c.function, c.file, c.line);
        }
        let _ = writeln!(out, "```\n\n</details>\n");
    }
    if i.groups().len() > GROUPS {
        let _ = writeln!(out, "… {} more groups.\n", i.groups().len() - GROUPS);
    }
}

/// A core's blocked goroutines by the object they wait on.
fn wait_objects(out: &mut String, i: &InputReport<'_>) {
    if i.wait_objects().is_empty() {
        return;
    }
    let _ = writeln!(out, "### What blocked goroutines wait on in `{}`\n", i.path);
    for o in i.wait_objects().iter().take(GROUPS) {
        let _ = writeln!(out, "- {}", esc(&crate::wait_object_line(o)));
    }
    if i.wait_objects().len() > GROUPS {
        let _ = writeln!(out, "- … {} more objects", i.wait_objects().len() - GROUPS);
    }
    out.push('\n');
}

/// A core's goroutines named by the findings, frame by frame with values.
fn backtraces(out: &mut String, i: &InputReport<'_>) {
    if i.backtraces().is_empty() {
        return;
    }
    let _ = writeln!(out, "### Frames in full in `{}`\n", i.path);
    for b in i.backtraces() {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n\n```",
            esc(&crate::backtrace::heading(b))
        );
        for line in crate::backtrace::lines(b) {
            // Inside a code block: only a closing fence could break out.
            let _ = writeln!(out, "{}", line.replace("```", "'''"));
        }
        let _ = writeln!(out, "```\n\n</details>\n");
    }
}

fn profile(out: &mut String, i: &InputReport<'_>) {
    let Some(p) = i.profile() else { return };
    let index = p.default_sample_index();
    let types = p.sample_types();
    let (ty, unit) = types.get(index).copied().unwrap_or(("", ""));
    let total = p.total(index);
    let _ = writeln!(
        out,
        "### Profile `{}`: {} ({}), total {}\n",
        i.path,
        p.kind().name(),
        ty,
        format_value(total, unit)
    );
    let _ = writeln!(out, "| flat | cum | function |\n|---:|---:|---|");
    for r in &p.top_first(index, godiag_pprof::Granularity::Function, 10) {
        let _ = writeln!(
            out,
            "| {} | {} | `{}` |",
            format_value(r.flat, unit),
            format_value(r.cum, unit),
            code_cell(&r.function)
        );
    }
    let _ = writeln!(out);
}

pub fn render_markdown(report: &Report<'_>) -> String {
    let mut out = String::from("## godiag report\n\n");
    match report.findings.first() {
        Some(top) => {
            let _ = writeln!(out, "### Root cause\n");
            finding(&mut out, top, report);
        }
        None => {
            let (headline, unread) = crate::nothing_found(report);
            let _ = writeln!(out, "{headline}\n");
            for u in &unread {
                let _ = writeln!(out, "- not analysed: {}", esc(u));
            }
            if !unread.is_empty() {
                out.push('\n');
            }
        }
    }
    if !report.timeline.is_empty() {
        let _ = writeln!(out, "### Timeline\n");
        for t in &report.timeline {
            let _ = writeln!(out, "- {}", esc(t));
        }
        out.push('\n');
    }
    if report.findings.len() > 1 {
        let _ = writeln!(out, "### Other findings\n");
        let _ = writeln!(
            out,
            "| # | kind | confidence | title | location |\n|---|---|---|---|---|"
        );
        for (n, f) in report.findings.iter().enumerate().skip(1) {
            let _ = writeln!(
                out,
                "| {} | `{}` | {:?} | {} | {} |",
                n + 1,
                f.kind.name(),
                f.confidence,
                esc(&f.title),
                f.location
                    .as_ref()
                    .map(|l| format!("`{}` {}", l.function, l.place()))
                    .unwrap_or_default()
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "### Inputs\n");
    let _ = writeln!(
        out,
        "| input | kind | Go | status | goroutines | warnings |\n|---|---|---|---|---|---|"
    );
    for i in &report.inputs {
        let version = match (&i.go_version, &i.go_version_at_least) {
            (Some(v), _) => v.clone(),
            (None, Some(v)) => format!("≥ {v}"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {:?} | {} | {} |",
            i.path,
            i.kind.name(),
            version,
            i.status,
            i.goroutine_count()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            esc(&i
                .stop
                .iter()
                .map(|s| s.describe())
                .chain(i.warnings.iter().cloned())
                .collect::<Vec<_>>()
                .join("; "))
        );
    }
    let _ = writeln!(out);
    for i in &report.inputs {
        profile(&mut out, i);
    }
    for i in &report.inputs {
        if let Some(t) = i.trace() {
            let _ = writeln!(
                out,
                "### Trace `{}`\n\n```\n{}```\n",
                i.path,
                crate::trace::trace_text(t)
            );
        }
    }
    for i in &report.inputs {
        wait_objects(&mut out, i);
        backtraces(&mut out, i);
        groups(&mut out, i);
    }
    out
}

/// Text inside a code span in a table cell: only its row is kept.
fn code_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_shown_as_written() {
        assert_eq!(
            super::esc("panic: <script>alert(1)</script> **bold** a_b"),
            "panic: &lt;script&gt;alert(1)&lt;/script&gt; \\*\\*bold\\*\\* a\\_b"
        );
        // godiag's own code spans are left alone; a table cell keeps its row.
        assert_eq!(super::esc("panic `x_y <z>` | q"), "panic `x_y <z>` \\| q");
    }
}
