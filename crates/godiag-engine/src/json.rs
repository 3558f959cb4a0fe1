//! `--format json`: the `godiag.report/v1` document.

use serde_json::{json, Map, Value};

use godiag_pprof::{Granularity, Profile};

use crate::report::Report;

/// The JSON schema name, part of the command-line contract.
pub const SCHEMA: &str = "godiag.report/v1";

/// Rows of a profile's top tables listed.
const TOP_ROWS: usize = 20;

/// How many groups per input the JSON lists (the rest are counted).
const MAX_GROUPS: usize = 200;

/// The report as pretty JSON, with a final newline.
pub fn render_json(report: &Report<'_>) -> String {
    let mut out = Vec::new();
    match write_json(report, &mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// The report as pretty JSON into `w`, one input at a time (a report of
/// tens of thousands of inputs is never held whole as a JSON tree).
pub fn write_json(report: &Report<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &Document(report))?;
    w.write_all(b"\n")
}

/// The report as a JSON value.
pub fn report_value(report: &Report<'_>) -> Value {
    serde_json::to_value(Document(report)).unwrap_or(Value::Null)
}

/// The document, its keys in the order a JSON object sorts them.
struct Document<'r, 'a>(&'r Report<'a>);

impl serde::Serialize for Document<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let report = self.0;
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("comparisons", &comparisons(report))?;
        m.serialize_entry("findings", &report.findings)?;
        m.serialize_entry("inputs", &Inputs(report))?;
        m.serialize_entry("profile_comparisons", &profile_comparisons(report))?;
        m.serialize_entry("schema", SCHEMA)?;
        m.serialize_entry("timeline", &report.timeline)?;
        m.serialize_entry(
            "tool",
            &json!({ "name": "godiag", "version": env!("CARGO_PKG_VERSION") }),
        )?;
        m.end()
    }
}

/// The inputs, each turned into JSON only as it is written.
struct Inputs<'r, 'a>(&'r Report<'a>);

impl serde::Serialize for Inputs<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.0.inputs.len()))?;
        for i in &self.0.inputs {
            seq.serialize_element(&InputJson {
                fields: input_value(i),
                profile: i.profile().map(ProfileJson),
            })?;
        }
        seq.end()
    }
}

/// An input's fields, with its profile (if any) written in its sorted
/// place without first becoming a tree of values.
struct InputJson<'p> {
    fields: Map<String, Value>,
    profile: Option<ProfileJson<'p>>,
}

impl serde::Serialize for InputJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        const KEY: &str = "profile";
        let mut m = s.serialize_map(Some(
            self.fields.len() + usize::from(self.profile.is_some()),
        ))?;
        let mut profile = self.profile.as_ref();
        for (k, v) in &self.fields {
            if k.as_str() > KEY {
                if let Some(p) = profile.take() {
                    m.serialize_entry(KEY, p)?;
                }
            }
            m.serialize_entry(k, v)?;
        }
        if let Some(p) = profile {
            m.serialize_entry(KEY, p)?;
        }
        m.end()
    }
}

/// An input's fields but its profile (see [`InputJson`]).
fn input_value(i: &crate::report::InputReport<'_>) -> Map<String, Value> {
    {
        {
            let mut o = Map::new();
            o.insert("path".into(), json!(i.path));
            o.insert("kind".into(), json!(i.kind.name()));
            if let Some(v) = &i.go_version {
                o.insert("go_version".into(), json!(v));
            }
            if let Some(v) = &i.go_version_at_least {
                o.insert("go_version_at_least".into(), json!(v));
            }
            o.insert("status".into(), json!(i.status));
            o.insert("analysed".into(), json!(i.analysed));
            o.insert("bytes".into(), json!(i.bytes));
            if let Some(t) = &i.captured_at {
                o.insert("captured_at".into(), json!(t));
            }
            if let Some(n) = i.goroutine_count() {
                o.insert("goroutines".into(), json!(n));
            }
            o.insert("warnings".into(), json!(i.warnings));
            if let Some(stop) = &i.stop {
                o.insert("process".into(), json!(stop));
            }
            if let Some(t) = i.text() {
                if t.crash.is_failure() {
                    o.insert("failure".into(), json!(t.crash));
                    if let Some(g) = t.failing_goroutine() {
                        o.insert("failing_goroutine".into(), json!(g));
                    }
                }
                if !t.races.is_empty() {
                    o.insert("races".into(), json!(t.races));
                }
                if !t.gc_traces.is_empty() {
                    o.insert("gc_traces".into(), json!(t.gc_traces.len()));
                }
                if !t.sched_traces.is_empty() {
                    o.insert("sched_traces".into(), json!(t.sched_traces.len()));
                }
                if !t.count_records.is_empty() {
                    o.insert("count_records".into(), json!(t.count_records.len()));
                }
                o.insert("other_lines".into(), json!(t.other_lines));
            }
            if let Some(t) = i.trace() {
                o.insert("trace".into(), json!(t));
            }
            if let Some(e) = i.executable() {
                o.insert("executable".into(), json!(e));
            }
            if !i.core_threads().is_empty() {
                o.insert("threads".into(), json!(i.core_threads()));
            }
            if !i.backtraces().is_empty() {
                o.insert("backtraces".into(), json!(i.backtraces()));
            }
            let waits = i.wait_objects();
            if !waits.is_empty() {
                o.insert("wait_objects_total".into(), json!(waits.len()));
                o.insert(
                    "wait_objects".into(),
                    json!(waits.iter().take(MAX_GROUPS).collect::<Vec<_>>()),
                );
            }
            let groups = i.groups();
            if !groups.is_empty() {
                o.insert("goroutine_groups_total".into(), json!(groups.len()));
                o.insert(
                    "goroutine_groups".into(),
                    json!(groups.iter().take(MAX_GROUPS).collect::<Vec<_>>()),
                );
            }
            o
        }
    }
}

fn comparisons(report: &Report<'_>) -> Vec<Value> {
    report
        .comparisons
        .iter()
        .map(|c| {
            let later = &report.inputs[c.later];
            json!({
                "earlier": c.earlier,
                "later": c.later,
                "groups": c.diffs.iter().take(MAX_GROUPS).map(|d| {
                    let g = d.later.and_then(|li| later.groups().get(li))
                        .or_else(|| d.earlier.and_then(|ei| report.inputs[c.earlier].groups().get(ei)));
                    json!({
                        "status": g.map(|g| g.status),
                        "top_frame": g.and_then(|g| g.frames.first()).map(|f| json!({"function": f.function, "file": f.file, "line": f.line})),
                        "before": d.before,
                        "after": d.after,
                        "growth": d.growth(),
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect()
}

fn profile_comparisons(report: &Report<'_>) -> Vec<Value> {
    report
        .profile_comparisons
        .iter()
        .map(|c| {
            json!({
                "earlier": c.earlier,
                "later": c.later,
                "sample_type": c.sample_type,
                "unit": c.unit,
                "rows": c.rows.iter().take(MAX_GROUPS).map(|r| json!({
                    "function": r.function, "file": r.file, "flat": r.flat, "cum": r.cum,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// A profile's JSON (kind, sample types, times, and top tables by function
/// and by line), written as it is serialized: a small profile's run is
/// mostly fixed costs, and a tree of values for its tables (a map and a
/// string per key and name) was a tenth of it. Keys in the order a JSON
/// object sorts them, as everywhere in the document.
struct ProfileJson<'p>(&'p Profile);

impl serde::Serialize for ProfileJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let p = self.0;
        let index = p.default_sample_index();
        let types = p.sample_types();
        let (ty, unit) = types.get(index).copied().unwrap_or(("", ""));
        let rows = |g| (index < types.len()).then_some(TopJson { p, index, g });
        let mut m = s.serialize_map(Some(15))?;
        // Every sample type (heap: in-use and allocated, objects and bytes).
        m.serialize_entry("by_sample_type", &SampleTypesJson { p, types: &types })?;
        let comments: Vec<&str> = p.raw.comment.iter().map(|c| p.str(*c)).collect();
        m.serialize_entry("comments", &comments)?;
        m.serialize_entry(
            "doc_url",
            &Some(p.str(p.raw.doc_url)).filter(|s| !s.is_empty()),
        )?;
        m.serialize_entry("duration_seconds", &p.duration_seconds())?;
        m.serialize_entry("kind", p.kind().name())?;
        m.serialize_entry("main_binary", &p.main_binary())?;
        m.serialize_entry("period", &p.raw.period)?;
        m.serialize_entry("sample_type", ty)?;
        let type_units: Vec<TypeUnit<'_>> = types
            .iter()
            .map(|&(r#type, unit)| TypeUnit { r#type, unit })
            .collect();
        m.serialize_entry("sample_types", &type_units)?;
        m.serialize_entry("samples", &p.raw.sample.len())?;
        m.serialize_entry("time_unix_seconds", &p.time_seconds())?;
        m.serialize_entry("top", &rows(Granularity::Function))?;
        m.serialize_entry("top_lines", &rows(Granularity::Line))?;
        m.serialize_entry("total", &p.total(index))?;
        m.serialize_entry("unit", unit)?;
        m.end()
    }
}

#[derive(serde::Serialize)]
struct TypeUnit<'a> {
    r#type: &'a str,
    unit: &'a str,
}

/// Each sample type with its total and top tables.
struct SampleTypesJson<'p, 't> {
    p: &'p Profile,
    types: &'t [(&'p str, &'p str)],
}

impl serde::Serialize for SampleTypesJson<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        let p = self.p;
        let mut seq = s.serialize_seq(Some(self.types.len()))?;
        for (index, (ty, unit)) in self.types.iter().enumerate() {
            struct One<'p, 'a> {
                p: &'p Profile,
                index: usize,
                ty: &'a str,
                unit: &'a str,
            }
            impl serde::Serialize for One<'_, '_> {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    let (p, index) = (self.p, self.index);
                    let mut m = s.serialize_map(Some(5))?;
                    m.serialize_entry("sample_type", self.ty)?;
                    m.serialize_entry(
                        "top",
                        &TopJson {
                            p,
                            index,
                            g: Granularity::Function,
                        },
                    )?;
                    m.serialize_entry(
                        "top_lines",
                        &TopJson {
                            p,
                            index,
                            g: Granularity::Line,
                        },
                    )?;
                    m.serialize_entry("total", &p.total(index))?;
                    m.serialize_entry("unit", self.unit)?;
                    m.end()
                }
            }
            seq.serialize_element(&One { p, index, ty, unit })?;
        }
        seq.end()
    }
}

/// The first rows of one top table.
struct TopJson<'p> {
    p: &'p Profile,
    index: usize,
    g: Granularity,
}

impl serde::Serialize for TopJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        let rows = self.p.top_first(self.index, self.g, TOP_ROWS);
        let mut seq = s.serialize_seq(Some(rows.len()))?;
        for r in &rows {
            struct Row<'r>(&'r godiag_pprof::TopRow, bool);
            impl serde::Serialize for Row<'_> {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    let (r, lines) = (self.0, self.1);
                    let mut m = s.serialize_map(Some(4 + usize::from(lines)))?;
                    m.serialize_entry("cum", &r.cum)?;
                    m.serialize_entry("file", &*r.file)?;
                    m.serialize_entry("flat", &r.flat)?;
                    m.serialize_entry("function", &*r.function)?;
                    if lines {
                        m.serialize_entry("line", &r.line)?;
                    }
                    m.end()
                }
            }
            seq.serialize_element(&Row(r, self.g == Granularity::Line))?;
        }
        seq.end()
    }
}
