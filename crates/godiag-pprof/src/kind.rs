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
                        let w = weight(s);
                        all = all.saturating_add(w);
                        if self
                            .sample_stack(si)
                            .next()
                            .is_some_and(|f| f.function.ends_with("Unlock"))
                        {
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
