//! The stopped process as an ELF core file, as gcore writes one: a note
//! segment (a `NT_PRSTATUS` per thread, `NT_AUXV`) and a `PT_LOAD` per
//! readable mapping with its contents. `godiag analyze` reads it like a
//! kernel's core.

use std::io::{self, Write};

use crate::maps::{mappings, Mapping};
use crate::process::LiveProcess;

const EHDR: u64 = 64;
const PHDR: u64 = 56;
const PAGE: u64 = 4096;
const NT_PRSTATUS: u32 = 1;
const NT_AUXV: u32 = 6;
/// `sizeof(struct elf_prstatus)` on x86-64: `pr_cursig` at 12, `pr_pid`
/// at 32, `pr_reg` at 112.
const PRSTATUS: usize = 336;

fn note(out: &mut Vec<u8>, kind: u32, desc: &[u8]) {
    out.extend_from_slice(&5u32.to_le_bytes());
    out.extend_from_slice(&(desc.len() as u32).to_le_bytes());
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(b"CORE\0\0\0\0");
    out.extend_from_slice(desc);
    out.resize(out.len().next_multiple_of(4), 0);
}

fn notes(p: &LiveProcess) -> Vec<u8> {
    let mut out = Vec::new();
    for t in &p.threads {
        let mut d = vec![0u8; PRSTATUS];
        d[12..14].copy_from_slice(&t.signal.to_le_bytes());
        d[32..36].copy_from_slice(&t.pid.to_le_bytes());
        for (i, (_, v)) in t.regs.iter().enumerate().take(27) {
            d[112 + 8 * i..120 + 8 * i].copy_from_slice(&v.to_le_bytes());
        }
        note(&mut out, NT_PRSTATUS, &d);
    }
    let mut auxv: Vec<u8> = p
        .auxv
        .iter()
        .flat_map(|(k, v)| k.to_le_bytes().into_iter().chain(v.to_le_bytes()))
        .collect();
    auxv.extend_from_slice(&[0u8; 16]);
    note(&mut out, NT_AUXV, &auxv);
    out
}

impl LiveProcess {
    /// Writes the stopped process as an ELF core: every readable mapping
    /// in full. Memory that cannot be read is written as zeros. Returns
    /// the bytes written.
    pub fn write_core(&self, w: &mut dyn Write) -> io::Result<u64> {
        let maps: Vec<Mapping> = mappings(self.pid())
            .into_iter()
            .filter(|m| !m.special)
            .collect();
        let notes = notes(self);
        let phnum = 1 + maps.len();
        let notes_at = EHDR + PHDR * phnum as u64;
        let mut data_at = (notes_at + notes.len() as u64).next_multiple_of(PAGE);
        let mut header = Vec::with_capacity(notes_at as usize);
        // ELF header: 64-bit, little-endian, ET_CORE, EM_X86_64.
        header.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
        header.extend_from_slice(&4u16.to_le_bytes()); // ET_CORE
        header.extend_from_slice(&62u16.to_le_bytes()); // EM_X86_64
        header.extend_from_slice(&1u32.to_le_bytes());
        header.extend_from_slice(&0u64.to_le_bytes()); // entry
        header.extend_from_slice(&EHDR.to_le_bytes()); // phoff
        header.extend_from_slice(&0u64.to_le_bytes()); // shoff
        header.extend_from_slice(&0u32.to_le_bytes()); // flags
        header.extend_from_slice(&(EHDR as u16).to_le_bytes());
        header.extend_from_slice(&(PHDR as u16).to_le_bytes());
        header.extend_from_slice(&u16::try_from(phnum).unwrap_or(u16::MAX).to_le_bytes());
        header.extend_from_slice(&64u16.to_le_bytes()); // shentsize
        header.extend_from_slice(&0u16.to_le_bytes()); // shnum
        header.extend_from_slice(&0u16.to_le_bytes()); // shstrndx
        let mut phdr =
            |kind: u32, flags: u32, off: u64, vaddr: u64, filesz: u64, memsz: u64, align: u64| {
                header.extend_from_slice(&kind.to_le_bytes());
                header.extend_from_slice(&flags.to_le_bytes());
                for v in [off, vaddr, 0, filesz, memsz, align] {
                    header.extend_from_slice(&v.to_le_bytes());
                }
            };
        phdr(4, 0, notes_at, 0, notes.len() as u64, 0, 4); // PT_NOTE
        for m in &maps {
            let size = if m.readable { m.end - m.start } else { 0 };
            let flags =
                u32::from(m.readable) << 2 | u32::from(m.writable) << 1 | u32::from(m.executable);
            phdr(1, flags, data_at, m.start, size, m.end - m.start, PAGE); // PT_LOAD
            data_at += size;
        }
        w.write_all(&header)?;
        w.write_all(&notes)?;
        let mut written = notes_at + notes.len() as u64;
        let pad = (notes_at + notes.len() as u64).next_multiple_of(PAGE) - written;
        w.write_all(&vec![0u8; pad as usize])?;
        written += pad;
        let mut buf = vec![0u8; 1 << 20];
        for m in maps.iter().filter(|m| m.readable) {
            let mut at = m.start;
            while at < m.end {
                let n = (m.end - at).min(buf.len() as u64) as usize;
                if !self.memory.read_direct(at, &mut buf[..n]) {
                    // Page by page, zeros where a page cannot be read.
                    for (i, page) in buf[..n].chunks_mut(PAGE as usize).enumerate() {
                        let addr = at + i as u64 * PAGE;
                        if !self.memory.read_direct(addr, page) {
                            page.fill(0);
                        }
                    }
                }
                w.write_all(&buf[..n])?;
                written += n as u64;
                at += n as u64;
            }
        }
        Ok(written)
    }
}
