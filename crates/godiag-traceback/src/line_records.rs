//! JSON log records that each hold one line of the runtime's text in one
//! field: a logger (zap, slog, a log shipper's export) that wrapped every
//! line the program wrote to stderr, `{"level":"error","msg":"WARNING: DATA
//! RACE"}`. The field is the one whose values hold runtime text; the other
//! fields are the logger's, and are left out as docker json-file's `stream`
//! and `time` are.

use crate::escapes::unescape;
use godiag_sniff::anchor;

/// The key whose string values are the lines of runtime text, when every
/// record is one line: some value of that key holds an anchor (a header, a
/// `panic:`, `WARNING: DATA RACE`, a `debug=1` count), and no value of any
/// key spans lines (a record with a multi-line stack is decoded field by
/// field instead). `records` yields each record's `(key, value)` string
/// fields, values still escaped.
pub(crate) fn line_key<'a>(
    records: impl Iterator<Item = Vec<(&'a str, &'a str)>>,
) -> Option<&'a str> {
    // Keys, in the order first seen, with how many of their values hold an
    // anchor and how many records they appear in.
    let mut keys: Vec<(&str, usize, usize)> = Vec::new();
    let mut total = 0usize;
    for fields in records {
        total += 1;
        for (key, value) in fields {
            let decoded = unescape(value);
            if decoded.trim_end_matches('\n').contains('\n') {
                return None;
            }
            let anchored = anchor::find(decoded.trim_start()).is_some();
            match keys.iter_mut().find(|(k, _, _)| *k == key) {
                Some(entry) => {
                    entry.1 += usize::from(anchored);
                    entry.2 += 1;
                }
                None => keys.push((key, usize::from(anchored), 1)),
            }
        }
    }
    // The key with most anchors, present in at least half the records.
    keys.into_iter()
        .filter(|&(_, anchored, present)| anchored > 0 && present * 2 >= total)
        .max_by_key(|&(_, anchored, _)| anchored)
        .map(|(key, _, _)| key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(lines: &[&'static str]) -> Option<&'static str> {
        line_key(lines.iter().map(|l| crate::record_fields::fields(l)))
    }

    #[test]
    fn the_field_holding_runtime_lines() {
        let race = [
            r#"{"level":"error","ts":"2024-05-01T10:00:00Z","msg":"=================="}"#,
            r#"{"level":"error","ts":"2024-05-01T10:00:00Z","msg":"WARNING: DATA RACE"}"#,
            r#"{"level":"error","ts":"2024-05-01T10:00:00Z","msg":"  main.main()"}"#,
        ];
        assert_eq!(key_of(&race), Some("msg"));
        // A record with a stack in one field is decoded field by field.
        let zap =
            [r#"{"level":"error","msg":"panic: boom","stacktrace":"main.main()\n\t/a/m.go:5"}"#];
        assert_eq!(key_of(&zap), None);
        // Nothing of the runtime's: nothing to pick.
        let plain = [r#"{"level":"info","msg":"request served"}"#];
        assert_eq!(key_of(&plain), None);
    }
}
