//! Where a process's memory comes from, as one trait: a core file now, a
//! live process (`/proc/PID/mem`) later. Readers of Go values ask for bytes
//! at an address and never learn which it is, as gimli's `Reader` hides
//! where DWARF bytes live.

use std::borrow::Cow;

/// A process image: bytes at virtual addresses.
pub trait Memory {
    /// `len` bytes at `addr`, or `None` when any of them is not present
    /// (unmapped, or not saved in the image).
    fn read(&self, addr: u64, len: usize) -> Option<Cow<'_, [u8]>>;

    /// A little-endian word at `addr`.
    fn read_u64(&self, addr: u64) -> Option<u64> {
        let b = self.read(addr, 8)?;
        Some(u64::from_le_bytes(b.get(..8)?.try_into().ok()?))
    }
}
