//! Writing what a trace shows in formats other tools open: the blocking profiles as
//! pprof (`go tool pprof` reads them, as it reads `go tool trace -pprof=`), and a
//! timeline in the Chrome trace-event JSON that ui.perfetto.dev opens.

use crate::analysis::{BlockingProfiles, ProfileKind};
use crate::event::{GoState, Kind, RangeName, Transition};
use crate::reader::{Mode, Reader};
use crate::spec::ev;
use crate::tables::{StackId, Tables};
use godiag_model::group::FxMap;
use std::io::{self, Write};

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn key(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire));
}

fn uint_field(out: &mut Vec<u8>, field: u32, v: u64) {
    if v != 0 {
        key(out, field, 0);
        varint(out, v);
    }
}

fn bytes_field(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    key(out, field, 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn packed(out: &mut Vec<u8>, field: u32, vals: &[u64]) {
    if vals.is_empty() {
        return;
    }
    let mut body = Vec::with_capacity(vals.len() * 2);
    for &v in vals {
        varint(&mut body, v);
    }
    bytes_field(out, field, &body);
}

/// One blocking profile as a gzipped `profile.proto`: sample types
/// `contentions/count` and `delay/nanoseconds`, one sample per stack where the
/// goroutines entered the state.
pub fn blocking_profile_pprof(p: &BlockingProfiles, kind: ProfileKind, t: &Tables) -> Vec<u8> {
    let mut strings: Vec<String> = vec![String::new()];
    let mut string_ids: FxMap<String, u64> = FxMap::default();
    let mut sid = |s: &str, strings: &mut Vec<String>| -> u64 {
        if s.is_empty() {
            return 0;
        }
        if let Some(&i) = string_ids.get(s) {
            return i;
        }
        strings.push(s.to_string());
        let i = strings.len() as u64 - 1;
        string_ids.insert(s.to_string(), i);
        i
    };
    let mut out = Vec::new();
    for (ty, unit) in [("contentions", "count"), ("delay", "nanoseconds")] {
        let mut vt = Vec::new();
        uint_field(&mut vt, 1, sid(ty, &mut strings));
        uint_field(&mut vt, 2, sid(unit, &mut strings));
        bytes_field(&mut out, 1, &vt);
    }
    let mut locations: FxMap<u64, u64> = FxMap::default();
    let mut functions: FxMap<(u32, u32), u64> = FxMap::default();
    let mut loc_msgs = Vec::new();
    let mut fn_msgs = Vec::new();
    let mut samples: Vec<(&StackId, &(u64, u64))> = p.get(kind).iter().collect();
    samples.sort_by_key(|(s, _)| **s);
    for (&stack, &(count, ns)) in samples {
        let mut locs = Vec::new();
        for f in t.stack(stack) {
            let next = locations.len() as u64 + 1;
            let id = *locations.entry(f.pc).or_insert(next);
            if id == next {
                let fnext = functions.len() as u64 + 1;
                let fid = *functions.entry((f.func, f.file)).or_insert(fnext);
                if fid == fnext {
                    let mut m = Vec::new();
                    uint_field(&mut m, 1, fid);
                    let name = sid(t.string(f.func), &mut strings);
                    uint_field(&mut m, 2, name);
                    uint_field(&mut m, 3, name);
                    uint_field(&mut m, 4, sid(t.string(f.file), &mut strings));
                    fn_msgs.push(m);
                }
                let mut line = Vec::new();
                uint_field(&mut line, 1, fid);
                uint_field(&mut line, 2, f.line);
                let mut m = Vec::new();
                uint_field(&mut m, 1, id);
                uint_field(&mut m, 3, f.pc);
                bytes_field(&mut m, 4, &line);
                loc_msgs.push(m);
            }
            locs.push(id);
        }
        let mut s = Vec::new();
        packed(&mut s, 1, &locs);
        packed(&mut s, 2, &[count, ns]);
        bytes_field(&mut out, 2, &s);
    }
    for m in &loc_msgs {
        bytes_field(&mut out, 4, m);
    }
    for m in &fn_msgs {
        bytes_field(&mut out, 5, m);
    }
    let mut period_type = Vec::new();
    uint_field(&mut period_type, 1, sid("trace", &mut strings));
    uint_field(&mut period_type, 2, sid("count", &mut strings));
    for s in &strings {
        bytes_field(&mut out, 6, s.as_bytes());
    }
    bytes_field(&mut out, 11, &period_type);
    uint_field(&mut out, 12, 1);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(&out);
    gz.finish().unwrap_or_default()
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Why an export stopped: the trace could not be read, or the output could
/// not be written (a closed pipe is the reader's choice, a full disk is
/// not: the caller tells them apart).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Trace(#[from] crate::Error),
    #[error(transparent)]
    Write(#[from] io::Error),
}

/// Writes the trace as Chrome trace-event JSON for ui.perfetto.dev: one track per P
/// with the goroutines that ran on it, a GC track (mark phases, stop-the-world
/// windows), counters for the heap and for runnable/running goroutines, user tasks,
/// and a marker where the trace ends early. Streams: memory stays per live goroutine.
pub fn perfetto_json(data: &[u8], w: &mut dyn Write) -> Result<Summary, ExportError> {
    let mut r = Reader::new(data, Mode::Salvage)?;
    let mut w = io::BufWriter::new(w);
    write!(w, "{{\"displayTimeUnit\":\"ns\",\"traceEvents\":[")?;
    let mut first = true;
    let mut emit = |w: &mut io::BufWriter<&mut dyn Write>, s: String| -> io::Result<()> {
        if !first {
            w.write_all(b",\n")?;
        }
        first = false;
        w.write_all(s.as_bytes())
    };
    const PROCS: u32 = 1;
    const GC: u32 = 2;
    const COUNTERS: u32 = 3;
    const TASKS: u32 = 4;
    for (pid, name) in [
        (PROCS, "Procs"),
        (GC, "GC"),
        (COUNTERS, "Counters"),
        (TASKS, "User tasks"),
    ] {
        emit(
            &mut w,
            format!("{{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":{pid},\"args\":{{\"name\":\"{name}\"}}}}"),
        )?;
    }
    let mut start: Option<u64> = None;
    let us = |t: u64, start: u64| (t - start) as f64 / 1000.0;
    // Goroutine → (P, start time, name) while it runs.
    let mut running: FxMap<i64, (i64, u64)> = FxMap::default();
    let mut names: FxMap<i64, String> = FxMap::default();
    let mut procs_named: FxMap<i64, ()> = FxMap::default();
    let mut gc_start: Option<u64> = None;
    let mut stw: FxMap<i64, (u64, String)> = FxMap::default();
    let (mut n_running, mut n_runnable) = (0i64, 0i64);
    let mut last_counter = 0u64;
    let mut last_time = 0u64;
    let mut ended: Option<String> = None;
    let mut events = 0u64;
    loop {
        let e = match r.next_event() {
            Ok(Some(e)) => e,
            Ok(None) => break,
            Err(err) => {
                ended = Some(err.message().to_string());
                break;
            }
        };
        events += 1;
        let t = r.tables();
        let s0 = *start.get_or_insert(e.time);
        last_time = e.time;
        match e.kind() {
            Kind::StateTransition => {
                if let Some(Transition::Go {
                    id,
                    from,
                    to,
                    stack,
                    reason,
                }) = e.transition()
                {
                    if from == GoState::NotExist || !names.contains_key(&id) {
                        let n = t
                            .stack(stack)
                            .next()
                            .map(|f| t.string(f.func).to_string())
                            .unwrap_or_default();
                        if !n.is_empty() || !names.contains_key(&id) {
                            names.insert(id, n);
                        }
                    }
                    if from == GoState::Running {
                        n_running -= 1;
                        if let Some((p, st)) = running.remove(&id) {
                            let name = names.get(&id).map_or("", |s| s.as_str());
                            let why = match to {
                                GoState::Waiting => format!("blocked: {}", t.string(reason)),
                                GoState::Runnable => "preempted/yielded".to_string(),
                                GoState::Syscall => "syscall".to_string(),
                                GoState::NotExist => "exited".to_string(),
                                _ => String::new(),
                            };
                            emit(
                                &mut w,
                                format!(
                                    "{{\"name\":{},\"ph\":\"X\",\"ts\":{:.3},\"dur\":{:.3},\"pid\":{PROCS},\"tid\":{},\"args\":{{\"goroutine\":{id},\"then\":{}}}}}",
                                    json_str(&format!("G{id} {name}")),
                                    us(st, s0),
                                    (e.time - st) as f64 / 1000.0,
                                    p.max(0),
                                    json_str(&why)
                                ),
                            )?;
                        }
                    }
                    if from == GoState::Runnable {
                        n_runnable -= 1;
                    }
                    if to == GoState::Running {
                        n_running += 1;
                        running.insert(id, (e.p, e.time));
                        if e.p >= 0 && procs_named.insert(e.p, ()).is_none() {
                            emit(
                                &mut w,
                                format!("{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":{PROCS},\"tid\":{},\"args\":{{\"name\":\"P{}\"}}}}", e.p, e.p),
                            )?;
                        }
                    }
                    if to == GoState::Runnable {
                        n_runnable += 1;
                    }
                    if to == GoState::NotExist {
                        names.remove(&id);
                    }
                    // Counters at most every 100 µs.
                    if e.time >= last_counter + 100_000 {
                        last_counter = e.time;
                        emit(
                            &mut w,
                            format!(
                                "{{\"name\":\"Goroutines\",\"ph\":\"C\",\"ts\":{:.3},\"pid\":{COUNTERS},\"args\":{{\"running\":{},\"runnable\":{}}}}}",
                                us(e.time, s0),
                                n_running.max(0),
                                n_runnable.max(0)
                            ),
                        )?;
                    }
                }
            }
            Kind::RangeBegin | Kind::RangeActive | Kind::RangeEnd => {
                if let Some((name, _)) = e.range() {
                    match (name, e.kind()) {
                        (RangeName::GcMark, Kind::RangeEnd) => {
                            if let Some(st) = gc_start.take() {
                                emit(&mut w, format!("{{\"name\":\"GC mark\",\"ph\":\"X\",\"ts\":{:.3},\"dur\":{:.3},\"pid\":{GC},\"tid\":1}}", us(st, s0), (e.time - st) as f64 / 1000.0))?;
                            }
                        }
                        (RangeName::GcMark, _) => gc_start = Some(e.time),
                        (RangeName::StopTheWorld(k), Kind::RangeBegin) => {
                            stw.insert(e.g, (e.time, t.string(k).to_string()));
                        }
                        (RangeName::StopTheWorld(_), Kind::RangeEnd) => {
                            if let Some((st, k)) = stw.remove(&e.g) {
                                emit(&mut w, format!("{{\"name\":{},\"ph\":\"X\",\"ts\":{:.3},\"dur\":{:.3},\"pid\":{GC},\"tid\":2}}", json_str(&format!("STW ({k})")), us(st, s0), (e.time - st) as f64 / 1000.0))?;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Kind::Metric if e.typ == ev::HEAP_ALLOC || e.typ == ev::HEAP_GOAL => {
                let name = if e.typ == ev::HEAP_ALLOC {
                    "heap in use"
                } else {
                    "heap goal"
                };
                emit(&mut w, format!("{{\"name\":{},\"ph\":\"C\",\"ts\":{:.3},\"pid\":{COUNTERS},\"args\":{{\"bytes\":{}}}}}", json_str(name), us(e.time, s0), e.args[0]))?;
            }
            Kind::TaskBegin | Kind::TaskEnd => {
                if let Some((id, _, name)) = e.task() {
                    let ph = if e.kind() == Kind::TaskBegin {
                        "b"
                    } else {
                        "e"
                    };
                    emit(&mut w, format!("{{\"name\":{},\"cat\":\"task\",\"ph\":\"{ph}\",\"id\":{id},\"ts\":{:.3},\"pid\":{TASKS},\"tid\":1}}", json_str(t.string(name)), us(e.time, s0)))?;
                }
            }
            Kind::Log => {
                emit(&mut w, format!("{{\"name\":{},\"ph\":\"i\",\"s\":\"p\",\"ts\":{:.3},\"pid\":{TASKS},\"tid\":1,\"args\":{{\"message\":{}}}}}", json_str(t.string(e.args[1] as u32)), us(e.time, s0), json_str(t.string(e.args[2] as u32))))?;
            }
            _ => {}
        }
    }
    let s0 = start.unwrap_or(0);
    if let Some(why) = &ended {
        emit(
            &mut w,
            format!(
                "{{\"name\":{},\"ph\":\"i\",\"s\":\"g\",\"ts\":{:.3},\"pid\":{GC},\"tid\":1}}",
                json_str(&format!("trace ends early: {why}")),
                us(last_time.max(s0), s0)
            ),
        )?;
    }
    write!(w, "]}}")?;
    w.flush()?;
    Ok(Summary {
        events,
        ended_early: ended,
    })
}

/// What the export read.
pub struct Summary {
    pub events: u64,
    pub ended_early: Option<String>,
}
