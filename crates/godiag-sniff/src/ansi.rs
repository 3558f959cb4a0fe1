//! Terminal escape sequences (colours, cursor and erase commands) in text
//! that went through a terminal or a colouring tool (`grep --color`, a
//! coloured logger, a CI log saved raw). The Go runtime never prints them,
//! so they are removed before its text is looked for.

use std::borrow::Cow;

const ESC: char = '\x1b';

/// Whether `text` holds any escape character.
pub fn has_escapes(text: &str) -> bool {
    text.contains(ESC)
}

/// `text` without its escape sequences: CSI (`ESC [` parameters, then one
/// final byte: `ESC[01;31m`, `ESC[K`), OSC (`ESC ]` up to BEL or `ESC \`:
/// titles, hyperlinks) and two-character ones (`ESC c`). A lone or cut
/// sequence loses what is there of it.
pub fn strip(text: &str) -> Cow<'_, str> {
    if !has_escapes(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != ESC {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                // Parameter and intermediate bytes, then the final byte.
                while let Some(&p) = chars.peek() {
                    chars.next();
                    if ('\x40'..='\x7e').contains(&p) {
                        break;
                    }
                    if !('\x20'..='\x3f').contains(&p) {
                        // Not a sequence after all: keep what follows.
                        out.push(p);
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(p) = chars.next() {
                    if p == '\x07' || (p == ESC && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            Some(_) | None => {}
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `grep --color=always` (GNU grep 3.8) writes around a match.
    #[test]
    fn colours_and_erase_commands_go() {
        assert_eq!(
            strip("\x1b[01;31m\x1b[Kpanic\x1b[m\x1b[K: assignment to entry in nil map"),
            "panic: assignment to entry in nil map"
        );
        assert_eq!(strip("goroutine 1 [running]:"), "goroutine 1 [running]:");
        assert!(matches!(strip("plain"), Cow::Borrowed(_)));
        assert_eq!(strip("a\x1b]8;;http://x\x07b\x1b]8;;\x1b\\c"), "abc");
        assert_eq!(strip("cut \x1b[01;3"), "cut ");
        assert_eq!(strip("lone \x1b"), "lone ");
    }
}
