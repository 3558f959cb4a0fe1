//! Go's text form of a trace (the `.test` files under `internal/trace/testdata/tests`):
//! one event per line, `Name arg=value ...`, `String` events followed by a
//! `data="..."` line and `Stack` events by one `pc= func= file= line=` line per frame.
//! [`to_binary`] turns it into the wire format, so the same reader runs on both.

use crate::spec;

/// Converts a text trace to wire bytes. Errors name the line.
pub fn to_binary(text: &str) -> Result<Vec<u8>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or("empty text trace")?;
    let minor = header
        .trim()
        .strip_prefix("Trace Go1.")
        .and_then(|m| m.parse::<u32>().ok())
        .ok_or_else(|| format!("line 1: bad header {header:?}"))?;
    let mut out = format!("go 1.{minor} trace").into_bytes();
    out.resize(16, 0);
    while let Some((n, line)) = lines.next() {
        let mut toks = line.split_whitespace();
        let name = toks.next().unwrap_or_default();
        let typ =
            spec::by_name(name).ok_or_else(|| format!("line {}: unknown event {name:?}", n + 1))?;
        let sp = spec::spec(typ).ok_or("no spec")?;
        out.push(typ);
        let mut values = Vec::new();
        for tok in toks {
            let (k, v) = tok
                .split_once('=')
                .ok_or_else(|| format!("line {}: bad argument {tok:?}", n + 1))?;
            let v: u64 = v
                .parse()
                .map_err(|_| format!("line {}: bad value for {k}", n + 1))?;
            values.push(v);
        }
        if typ == spec::ev::EXPERIMENTAL_BATCH {
            // exp is a byte, then gen, m, time as varints, then the data trailer.
            let exp = *values
                .first()
                .ok_or_else(|| format!("line {}: no exp", n + 1))?;
            out.push(exp as u8);
            for &v in &values[1..] {
                put_uvarint(&mut out, v);
            }
        } else {
            for &v in &values {
                put_uvarint(&mut out, v);
            }
        }
        if sp.has_data {
            let (dn, data_line) = lines
                .next()
                .ok_or_else(|| format!("line {}: missing data line", n + 1))?;
            let quoted = data_line
                .trim()
                .strip_prefix("data=")
                .ok_or_else(|| format!("line {}: expected data=", dn + 1))?;
            let bytes = unquote(quoted).map_err(|e| format!("line {}: {e}", dn + 1))?;
            put_uvarint(&mut out, bytes.len() as u64);
            out.extend_from_slice(&bytes);
        }
        if sp.is_stack {
            let frames = values.get(1).copied().unwrap_or(0);
            for _ in 0..frames {
                let (fnum, fl) = lines
                    .next()
                    .ok_or_else(|| format!("line {}: missing frame", n + 1))?;
                for tok in fl.split_whitespace() {
                    let v: u64 = tok
                        .split_once('=')
                        .and_then(|(_, v)| v.parse().ok())
                        .ok_or_else(|| format!("line {}: bad frame {tok:?}", fnum + 1))?;
                    put_uvarint(&mut out, v);
                }
            }
        }
    }
    Ok(out)
}

fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Go's `strconv.Unquote` for double-quoted strings, to bytes.
pub fn unquote(s: &str) -> Result<Vec<u8>, String> {
    let inner = s
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or("not a quoted string")?;
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let e = chars.next().ok_or("trailing backslash")?;
        let mut hex = |n: usize| -> Result<u32, String> {
            let h: String = (0..n).filter_map(|_| chars.next()).collect();
            u32::from_str_radix(&h, 16).map_err(|_| format!("bad escape \\{e}{h}"))
        };
        match e {
            'n' => out.push(b'\n'),
            't' => out.push(b'\t'),
            'r' => out.push(b'\r'),
            'a' => out.push(7),
            'b' => out.push(8),
            'f' => out.push(12),
            'v' => out.push(11),
            '\\' => out.push(b'\\'),
            '"' => out.push(b'"'),
            '\'' => out.push(b'\''),
            'x' => out.push(hex(2)? as u8),
            'u' | 'U' => {
                let v = hex(if e == 'u' { 4 } else { 8 })?;
                let c = char::from_u32(v).ok_or("bad code point")?;
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    let d = chars
                        .next()
                        .and_then(|c| c.to_digit(8))
                        .ok_or("bad octal escape")?;
                    v = v * 8 + d;
                }
                out.push(v as u8);
            }
            other => return Err(format!("unknown escape \\{other}")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquotes_go_strings() {
        assert_eq!(unquote(r#""hello world\x00""#).unwrap(), b"hello world\0");
        assert_eq!(
            unquote(r#""a\"b\\c\n\u00e9""#).unwrap(),
            "a\"b\\c\né".as_bytes()
        );
    }

    #[test]
    fn converts_a_small_trace() {
        let t = "Trace Go1.22\nEventBatch gen=1 m=18446744073709551615 time=0 size=5\nFrequency freq=15625000\nEventBatch gen=1 m=18446744073709551615 time=0 size=12\nStrings\nString id=1\n\tdata=\"hello\"\n";
        let b = to_binary(t).unwrap();
        assert_eq!(&b[..16], b"go 1.22 trace\0\0\0");
        assert_eq!(b[16], spec::ev::EVENT_BATCH);
    }
}
