//! Reading a whole trace through the analyzer.

use crate::event::Event;
use crate::reader::{Mode, Reader};
use crate::tables::Tables;

use super::analyzer::Analyzer;
use super::summary::{BlockingProfiles, Summary};

/// Reads a whole trace and analyses it. A trace that ends early still gives a summary
/// of what was read, with `partial` saying why and where it ends.
pub fn analyze(data: &[u8]) -> Result<(Summary, BlockingProfiles, Tables), crate::Error> {
    analyze_with_progress(data, &|_, _| {})
}

/// [`analyze`], telling `progress` (bytes read, bytes in all) now and then:
/// a front end's progress bar on a multi-GB trace.
pub fn analyze_with_progress(
    data: &[u8],
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(Summary, BlockingProfiles, Tables), crate::Error> {
    let r = Reader::new(data, Mode::Salvage)?;
    let total = data.len() as u64;
    // Two stages on two threads: the reader orders events, the analyzer consumes
    // them in chunks, with the strings and stacks interned meanwhile.
    let (r, a, stop) = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(crate::tables::TablesDelta, Vec<Event>)>(2);
        let reader = scope.spawn(move || {
            let mut r = r;
            let mut mark = Tables::new().marks();
            let mut chunk = Vec::with_capacity(CHUNK);
            let stop = loop {
                match r.next_event() {
                    Ok(Some(e)) => {
                        chunk.push(e);
                        if chunk.len() == CHUNK {
                            progress(r.bytes_read().min(total), total);
                            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                            if tx.send((r.tables().delta_since(&mut mark), full)).is_err() {
                                break None;
                            }
                        }
                    }
                    Ok(None) => break None,
                    Err(e) => break Some(e),
                }
            };
            let _ = tx.send((r.tables().delta_since(&mut mark), chunk));
            progress(total, total);
            (r, stop)
        });
        let mut tables = Tables::new();
        let mut a = Analyzer::new();
        for (delta, events) in rx {
            tables.apply(delta);
            for e in &events {
                a.event(e, &tables);
            }
        }
        match reader.join() {
            Ok((r, stop)) => (r, a, stop),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let (mut s, p) = a.finish(r.tables());
    s.wire_version = format!("go 1.{} trace", r.version().0);
    s.writers = r.version().writers().to_string();
    s.generations = r.generations();
    s.first_generation = r.first_generation();
    s.events = r.events();
    if let Some(e) = stop {
        s.partial = Some(e.message().to_string());
        s.partial_offset = Some(e.offset());
    }
    Ok((s, p, r.into_tables()))
}

/// Events handed from the reader to the analyzer at a time (about 700 KB).
const CHUNK: usize = 8 * 1024;
