//! Text saved as UTF-16: Windows PowerShell 5's `>` and `Out-File` write a
//! program's output so, with a byte-order mark. It is converted to UTF-8
//! before it is recognised, as any reader of a Windows crash log would.

/// UTF-16 text converted to UTF-8.
pub(crate) struct Decoded {
    pub bytes: Vec<u8>,
    /// The text was longer than the limit and was cut there.
    pub cut: bool,
    pub big_endian: bool,
}

/// `data` converted from UTF-16 when it opens with a UTF-16 byte-order
/// mark, up to `max_bytes` of UTF-8; unpaired surrogates become U+FFFD.
pub(crate) fn decoded(data: &[u8], max_bytes: u64) -> Option<Decoded> {
    let big_endian = match data.get(..2)? {
        [0xff, 0xfe] => false,
        [0xfe, 0xff] => true,
        _ => return None,
    };
    // `FF FE 00 00` opens UTF-32 text, which this is not.
    if !big_endian && data.get(2..4) == Some(&[0, 0]) {
        return None;
    }
    let units = data[2..].chunks_exact(2).map(|p| {
        let pair = [p[0], p[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let limit = usize::try_from(max_bytes).unwrap_or(usize::MAX);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: sized from the input
    // but never past the limit.
    let mut bytes = Vec::with_capacity((data.len() / 2).saturating_mul(3).min(limit));
    let mut cut = false;
    let mut buf = [0u8; 4];
    for c in char::decode_utf16(units) {
        let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
        let s = c.encode_utf8(&mut buf);
        if bytes.len() + s.len() > limit {
            cut = true;
            break;
        }
        bytes.extend_from_slice(s.as_bytes());
    }
    Some(Decoded {
        bytes,
        cut,
        big_endian,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xfe, 0xff]
        } else {
            vec![0xff, 0xfe]
        };
        for u in text.encode_utf16() {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn both_byte_orders_and_the_limit() {
        let text = "panic: boom — é\r\n\r\ngoroutine 1 [running]:\r\n";
        for be in [false, true] {
            let d = decoded(&utf16(text, be), 1 << 20).expect("UTF-16");
            assert_eq!(String::from_utf8(d.bytes).unwrap(), text);
            assert!(!d.cut);
            assert_eq!(d.big_endian, be);
        }
        let d = decoded(&utf16(text, false), 5).expect("UTF-16");
        assert_eq!(d.bytes, b"panic");
        assert!(d.cut);
        // An odd last byte is dropped; UTF-8, UTF-32 and no mark are left.
        let mut odd = utf16("ab", false);
        odd.push(b'c');
        assert_eq!(decoded(&odd, 100).map(|d| d.bytes), Some(b"ab".to_vec()));
        assert!(decoded(b"panic: x", 100).is_none());
        assert!(decoded(&[0xff, 0xfe, 0, 0, b'a', 0, 0, 0], 100).is_none());
    }
}
