//! The string fields of a JSON log record, read leniently: pastes lose
//! quotes and cut records short, so each field is found on its own.

/// The `"key":"value"` string fields of a log record, values still
/// escaped. Found from each `":"` so that one broken quote (pastes lose
/// them) does not shift every field after it.
pub(crate) fn fields(line: &str) -> Vec<(&str, &str)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = line[from..].find("\":").map(|i| from + i) {
        from = at + 2;
        let Some(key_start) = line[..at].rfind('"').map(|i| i + 1) else {
            continue;
        };
        let key = &line[key_start..at];
        let key_ok = !key.is_empty()
            && key
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'@'));
        // The value: a string after the colon (blanks allowed).
        let mut v = at + 2;
        while v < b.len() && b[v] == b' ' {
            v += 1;
        }
        if !key_ok || b.get(v) != Some(&b'"') {
            continue;
        }
        let start = v + 1;
        // An unclosed string (a record cut short) runs to the line's end.
        let end = closing_quote(&line[start..]).map_or(b.len(), |e| start + e);
        if let Some(value) = line.get(start..end) {
            out.push((key, value));
        }
        from = end.max(from);
    }
    out
}

/// The offset of the `"` that closes a quoted value `value` starts inside
/// (one not escaped by a backslash).
pub(crate) fn closing_quote(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    let mut escaped = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\\' if !escaped => escaped = true,
            b'"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}
