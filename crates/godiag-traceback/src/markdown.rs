//! Runtime text pasted into an issue outside a code block and copied back
//! from the rendered page, where Markdown took its characters for markup:
//!
//! - **eaten receivers**: the `*` of a pointer receiver opened or closed
//!   emphasis and vanished (`sitedossier.(agent).enumerate`,
//!   https://github.com/projectdiscovery/subfinder/issues/347), or came
//!   back as the `_` a converter writes for emphasis
//!   (`collector.(_PlusCollector).Collect`,
//!   https://github.com/mrkschan/nginxbeat/issues/47). The runtime prints
//!   a receiver in parentheses only when it is a pointer (`pkg.(*T).M`; a
//!   value receiver is `pkg.T.M`), so a parenthesised receiver without its
//!   `*` has lost it;
//! - **bold**: a pair of `**` around words (`invalid memory address or
//!   **nil pointer** dereference`, https://github.com/gohugoio/hugo/issues/1112).
//!   The runtime writes `**` only as a type's double pointer (`**main.T`),
//!   which is never closed by a second `**` after a word.

use std::borrow::Cow;

/// Whether `line` holds Markdown damage this pass undoes.
pub(crate) fn is_marked(line: &str) -> bool {
    (line.contains(".(") && eaten_receiver(line, 0).is_some())
        || (line.contains("**") && bold_pair(line, 0).is_some())
}

/// Every line restored, and how many receivers and bold pairs were.
pub(crate) fn restore_all(text: &str) -> (String, usize, usize) {
    let mut out = String::with_capacity(text.len() + 64);
    let (mut receivers, mut bold) = (0, 0);
    for line in text.split_inclusive('\n') {
        let (restored, r, b) = restore_line(line);
        receivers += r;
        bold += b;
        out.push_str(&restored);
    }
    (out, receivers, bold)
}

/// One line with its receivers' `*` put back and its bold pairs' markers
/// removed.
fn restore_line(line: &str) -> (Cow<'_, str>, usize, usize) {
    if !is_marked(line) {
        return (Cow::Borrowed(line), 0, 0);
    }
    let mut text = line.to_owned();
    let mut receivers = 0;
    let mut from = 0;
    while let Some((open, drop_underscore)) = eaten_receiver(&text, from) {
        let end = open + 1 + usize::from(drop_underscore);
        text.replace_range(open + 1..end, "*");
        receivers += 1;
        from = open + 2;
    }
    let mut bold = 0;
    let mut from = 0;
    while let Some((open, close)) = bold_pair(&text, from) {
        text.replace_range(close..close + 2, "");
        text.replace_range(open..open + 2, "");
        bold += 1;
        from = close - 2;
    }
    (Cow::Owned(text), receivers, bold)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The first receiver at or after `from` written `pkg.(T).M` or
/// `pkg.(_T).M`: the offset of its `(`, and whether a `_` follows it.
fn eaten_receiver(line: &str, from: usize) -> Option<(usize, bool)> {
    let bytes = line.as_bytes();
    let mut at = from;
    while let Some(i) = line.get(at..)?.find(".(") {
        let dot = at + i;
        at = dot + 2;
        // The package's name ends right before the dot.
        if dot == 0 || !is_ident(bytes[dot - 1]) {
            continue;
        }
        let open = dot + 1;
        let mut j = open + 1;
        let underscore = bytes.get(j) == Some(&b'_');
        if underscore {
            j += 1;
        }
        // The type's name: a letter, then identifier characters.
        if !bytes.get(j).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        while bytes.get(j).copied().is_some_and(is_ident) {
            j += 1;
        }
        // A generic type's arguments, bracketed.
        if bytes.get(j) == Some(&b'[') {
            match close_bracket(bytes, j) {
                Some(k) => j = k + 1,
                None => continue,
            }
        }
        // `).` and the method's (or closure's) name.
        if bytes.get(j) == Some(&b')')
            && bytes.get(j + 1) == Some(&b'.')
            && bytes.get(j + 2).copied().is_some_and(is_ident)
        {
            return Some((open, underscore));
        }
    }
    None
}

/// The offset of the `]` closing the `[` at `open`.
fn close_bracket(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            b'\n' => return None,
            _ => {}
        }
    }
    None
}

/// The first bold pair at or after `from`: the offsets of its opening and
/// closing `**`. An opening run follows a blank, a punctuation mark or the
/// line's start and precedes a word; a closing one follows a word and
/// precedes a blank, a punctuation mark or the line's end.
fn bold_pair(line: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let word = |b: Option<&u8>| b.is_some_and(|b| !b.is_ascii_whitespace() && *b != b'*');
    let edge =
        |b: Option<&u8>| b.is_none_or(|b| b.is_ascii_whitespace() || b.is_ascii_punctuation());
    let mut open = None;
    let mut at = from;
    while let Some(i) = line.get(at..)?.find("**") {
        let k = at + i;
        at = k + 2;
        let before = k.checked_sub(1).and_then(|p| bytes.get(p));
        let after = bytes.get(k + 2);
        match open {
            None if (k == 0 || edge(before)) && word(after) => open = Some(k),
            Some(o) if word(before) && edge(after) && before != Some(&b'*') => {
                return Some((o, k));
            }
            Some(_) if (k == 0 || edge(before)) && word(after) => open = Some(k),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eaten_and_underscored_receivers_get_their_star() {
        let (line, r, _) = restore_line(
            "github.com/x/sitedossier.(agent).enumerate(0xc00011f240)\tcollector.(_PlusCollector).Collect(0x1)\n",
        );
        assert_eq!(r, 2);
        assert_eq!(
            line,
            "github.com/x/sitedossier.(*agent).enumerate(0xc00011f240)\tcollector.(*PlusCollector).Collect(0x1)\n"
        );
        let (line, r, _) = restore_line("pkg.(Stack[go.shape.int]).Push.func1()\n");
        assert_eq!(
            (line.as_ref(), r),
            ("pkg.(*Stack[go.shape.int]).Push.func1()\n", 1)
        );
    }

    #[test]
    fn runtime_receivers_and_type_assertions_are_left_alone() {
        for line in [
            "net/http.(*conn).serve(0xc000)\n",
            "created by net/http.(*Server).Serve\n",
            "v := x.(string)\n",
            "panic: interface conversion: interface {} is **main.T, not **main.U\n",
            "main.(*T).M(...)\n",
            "y := (T).M\n",
        ] {
            assert!(!is_marked(line), "{line}");
        }
    }

    #[test]
    fn bold_pairs_lose_their_markers() {
        let (line, _, b) = restore_line(
            "panic: runtime error: invalid memory address or **nil pointer** dereference\n",
        );
        assert_eq!(b, 1);
        assert_eq!(
            line,
            "panic: runtime error: invalid memory address or nil pointer dereference\n"
        );
        let (line, _, b) = restore_line("[signal 0xb code=0x1 **addr=0x0** pc=0x47ab4b]\n");
        assert_eq!(
            (line.as_ref(), b),
            ("[signal 0xb code=0x1 addr=0x0 pc=0x47ab4b]\n", 1)
        );
    }
}
