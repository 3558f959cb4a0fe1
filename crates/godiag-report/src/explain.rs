//! `godiag explain`: catalog entries as text, markdown (also `docs/findings.md`)
//! or JSON.

use std::fmt::Write;

use godiag_analysis::catalog::{catalog, kind_entry, Explanation, KindEntry, MessageEntry};

fn list(out: &mut String, heading: &str, items: &[String], bullet: &str) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{heading}");
    for i in items {
        let _ = writeln!(out, "{bullet}{i}");
    }
}

fn kind_text(out: &mut String, k: &KindEntry) {
    let _ = writeln!(out, "{} — {}\n", k.kind.name(), k.title);
    let _ = writeln!(out, "{}\n", k.meaning);
    list(out, "Usual causes:", &k.causes, "  - ");
    list(out, "How to confirm:", &k.confirm, "  - ");
    list(out, "How to fix:", &k.fix, "  - ");
    let msgs: Vec<&MessageEntry> = catalog()
        .messages
        .iter()
        .filter(|m| m.kind == k.kind)
        .collect();
    if !msgs.is_empty() {
        let _ = writeln!(out, "Runtime messages of this kind:");
        for m in msgs {
            let _ = writeln!(out, "  - {}", m.printed_as);
        }
    }
}

fn message_text(out: &mut String, m: &MessageEntry) {
    let _ = writeln!(out, "{}\n", m.printed_as);
    let title = kind_entry(m.kind).map(|k| k.title.as_str()).unwrap_or("");
    let _ = writeln!(out, "kind: {} ({title})", m.kind.name());
    if let Some(v) = &m.since {
        let _ = writeln!(out, "printed since Go {v}");
    }
    let _ = writeln!(out, "\n{}\n", m.meaning);
    list(out, "Usual causes:", &m.causes, "  - ");
    list(out, "How to confirm:", &m.confirm, "  - ");
    list(out, "How to fix:", &m.fix, "  - ");
}

/// Plain text for a terminal.
pub fn render_explanation_text(e: &Explanation) -> String {
    let mut out = String::new();
    match e {
        Explanation::Kind(k) => kind_text(&mut out, k),
        Explanation::Message(m) => message_text(&mut out, m),
    }
    out
}

/// The JSON form of one entry.
pub fn render_explanation_json(e: &Explanation) -> String {
    let v = match e {
        Explanation::Kind(k) => serde_json::json!({ "kind_entry": k }),
        Explanation::Message(m) => serde_json::json!({
            "message_entry": m,
            "kind_entry": kind_entry(m.kind),
        }),
    };
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn md_list(out: &mut String, heading: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "**{heading}**\n");
    for i in items {
        let _ = writeln!(out, "- {i}");
    }
    let _ = writeln!(out);
}

/// The whole catalog as markdown: `docs/findings.md`.
pub fn render_catalog_markdown() -> String {
    let c = catalog();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Findings and runtime messages\n\n\
         Generated from `crates/godiag-analysis/catalog.json` by \
         `godiag explain --all --format markdown`; the rules use the same catalog to \
         map a printed message to its finding kind and next steps. Do not edit by hand.\n"
    );
    let _ = writeln!(out, "## Finding kinds\n");
    let _ = writeln!(out, "| kind | title |\n|---|---|");
    for k in c.kinds {
        let _ = writeln!(out, "| [`{0}`](#{0}) | {1} |", k.kind.name(), k.title);
    }
    let _ = writeln!(out);
    for k in c.kinds {
        let _ = writeln!(out, "### {}\n", k.kind.name());
        let _ = writeln!(out, "*{}*. {}\n", k.title, k.meaning);
        md_list(&mut out, "Usual causes", &k.causes);
        md_list(&mut out, "How to confirm", &k.confirm);
        md_list(&mut out, "How to fix", &k.fix);
    }
    let _ = writeln!(
        out,
        "## Ranking\n\nFindings are ordered most likely root cause first, by these rules in turn:\n"
    );
    for (i, r) in godiag_analysis::policy::RANKING_RULES.iter().enumerate() {
        let _ = writeln!(out, "{}. {r}", i + 1);
    }
    let _ = writeln!(out, "\nOne finding per root cause:\n");
    for r in godiag_analysis::policy::MERGING_RULES {
        let _ = writeln!(out, "- {r}");
    }
    let _ = writeln!(
        out,
        "\n## Thresholds\n\nA finding needs material evidence; below these, a rule reports nothing.\n"
    );
    let _ = writeln!(out, "| finding | needs |\n|---|---|");
    for (kind, needs) in godiag_analysis::policy::thresholds() {
        let _ = writeln!(out, "| `{kind}` | {needs} |");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "## Runtime messages\n\n{} messages, in matching order (the first entry that matches a \
         printed message wins).\n",
        c.messages.len()
    );
    let _ = writeln!(out, "| message as printed | kind | since |\n|---|---|---|");
    for m in c.messages {
        let _ = writeln!(
            out,
            "| `{}` | [`{}`](#{}) | {} |",
            m.printed_as.replace('|', "\\|"),
            m.kind.name(),
            m.kind.name(),
            m.since.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(out);
    for m in c.messages {
        let _ = writeln!(out, "#### `{}`\n", m.printed_as);
        let _ = writeln!(out, "Kind: `{}`. {}\n", m.kind.name(), m.meaning);
        md_list(&mut out, "Usual causes", &m.causes);
        md_list(&mut out, "How to confirm", &m.confirm);
        md_list(&mut out, "How to fix", &m.fix);
    }
    out
}

/// One entry as markdown (for pasting into a ticket).
pub fn render_explanation_markdown(e: &Explanation) -> String {
    let mut out = String::new();
    match e {
        Explanation::Kind(k) => {
            let _ = writeln!(
                out,
                "### {} — {}\n\n{}\n",
                k.kind.name(),
                k.title,
                k.meaning
            );
            md_list(&mut out, "Usual causes", &k.causes);
            md_list(&mut out, "How to confirm", &k.confirm);
            md_list(&mut out, "How to fix", &k.fix);
        }
        Explanation::Message(m) => {
            let _ = writeln!(
                out,
                "### `{}`\n\nKind: `{}`. {}\n",
                m.printed_as,
                m.kind.name(),
                m.meaning
            );
            md_list(&mut out, "Usual causes", &m.causes);
            md_list(&mut out, "How to confirm", &m.confirm);
            md_list(&mut out, "How to fix", &m.fix);
        }
    }
    out
}
