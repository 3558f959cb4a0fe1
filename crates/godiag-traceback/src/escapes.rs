//! Go and JSON string escapes, undone: label values in goroutine headers
//! (Go-quoted) and traces escaped inside log records (JSON or Go-quoted).

use std::borrow::Cow;

/// `\n \t \r \" \\ \/ \xHH \uHHHH \UHHHHHHHH`; an escape that does not
/// decode becomes U+FFFD.
pub(crate) fn unescape(s: &str) -> Cow<'_, str> {
    if !s.contains('\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('x') => {
                let h: String = chars.by_ref().take(2).collect();
                match u8::from_str_radix(&h, 16) {
                    Ok(v) if v.is_ascii() => out.push(char::from(v)),
                    _ => out.push('\u{fffd}'),
                }
            }
            Some(u @ ('u' | 'U')) => {
                let n = if u == 'u' { 4 } else { 8 };
                let h: String = chars.by_ref().take(n).collect();
                out.push(
                    u32::from_str_radix(&h, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('\u{fffd}'),
                );
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(unescape("plain"), "plain");
        assert_eq!(unescape(r#"a\n\tb\"c\\d\/e"#), "a\n\tb\"c\\d/e");
        assert_eq!(unescape(r"\x41\u00e9\U0001F600"), "Aé😀");
        assert_eq!(unescape(r"\uZZZZ"), "\u{fffd}");
    }
}
