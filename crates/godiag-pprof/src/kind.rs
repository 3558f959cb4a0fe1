//! What a profile measures, from its sample types and period.

use crate::proto;
use crate::view::{Profile, ProfileKind};

impl Profile {
    pub fn kind(&self) -> ProfileKind {
        let types = self.sample_types();
        let has = |n: &str| types.iter().any(|(t, _)| *t == n);
        if has("cpu") {
            ProfileKind::Cpu
        } else if has("inuse_space") || has("alloc_space") {
            if self.str(self.raw.default_sample_type) == "alloc_space" {
                ProfileKind::Allocs
            } else {
                ProfileKind::Heap
            }
        } else if has("goroutineleak") {
            ProfileKind::GoroutineLeak
        } else if has("goroutine") {
            ProfileKind::Goroutine
        } else if has("threadcreate") {
            ProfileKind::ThreadCreate
        } else if has("contentions") || has("delay") {
            // Go writes the same sample types for both. The legacy header
            // names them; in proto, a mutex profile blames the Unlock of the
            // holder while a block profile shows where goroutines waited.
            match self.legacy_header.as_deref() {
                Some(h) if h.starts_with("--- mutex:") => ProfileKind::Mutex,
                Some(h) if h.starts_with("--- contention:") => ProfileKind::Block,
                _ => {
                    // Weighted by delay: a few heavy Unlock records decide.
                    let weight = |s: &proto::Sample| s.value.last().copied().unwrap_or(0).max(0);
                    let (mut unlock, mut all) = (0i64, 0i64);
                    for (si, s) in self.raw.sample.iter().enumerate() {
                        let Some(leaf) = self.sample_stack(si).next() else {
                            continue;
                        };
                        // The runtime's own locks are charged to this
                        // pseudo-frame in mutex profiles only (Go 1.22+),
                        // and to its unlock: they tell the profile, not
                        // the weight of the program's Unlocks.
                        if leaf.function == "runtime._LostContendedRuntimeLock" {
                            return ProfileKind::Mutex;
                        }
                        if leaf.function.starts_with("runtime.") {
                            continue;
                        }
                        let w = weight(s);
                        all = all.saturating_add(w);
                        if leaf.function.ends_with("Unlock") {
                            unlock = unlock.saturating_add(w);
                        }
                    }
                    if unlock > all / 2 {
                        ProfileKind::Mutex
                    } else {
                        ProfileKind::Block
                    }
                }
            }
        } else {
            ProfileKind::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::proto;
    use crate::view::ProfileKind;
    use prost::Message;

    /// A contention profile whose delay is mostly the runtime's own locks
    /// (`runtime._LostContendedRuntimeLock`, written in mutex profiles
    /// only) and the standard library's Unlocks: a mutex profile, though
    /// the program's Unlocks weigh little (a `collect` bundle's mutex.pb.gz).
    #[test]
    fn the_runtimes_lost_lock_frame_tells_a_mutex_profile() {
        let sample = |location: u64, delay: i64| proto::Sample {
            location_id: vec![location],
            value: vec![1, delay],
            label: vec![],
        };
        let location = |id: u64| proto::Location {
            id,
            line: vec![proto::Line {
                function_id: id,
                line: 1,
                column: 0,
            }],
            ..Default::default()
        };
        let function = |id: u64, name: i64| proto::Function {
            id,
            name,
            system_name: name,
            filename: 7,
            start_line: 1,
        };
        let p = proto::Profile {
            sample_type: vec![
                proto::ValueType { r#type: 1, unit: 2 },
                proto::ValueType { r#type: 3, unit: 4 },
            ],
            sample: vec![sample(1, 17_000_000), sample(2, 800_000)],
            location: vec![location(1), location(2)],
            function: vec![function(1, 5), function(2, 6)],
            string_table: [
                "",
                "contentions",
                "count",
                "delay",
                "nanoseconds",
                "runtime._LostContendedRuntimeLock",
                "net/http.(*Transport).queueForDial",
                "",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            ..Default::default()
        };
        let read = crate::read(&p.encode_to_vec()).unwrap();
        assert_eq!(read.kind(), ProfileKind::Mutex);
    }
}
