//! The catalog of finding kinds and runtime messages (`catalog.json`): one
//! source of truth for the rules (message → kind, next steps), for
//! `godiag explain`, and for `docs/findings.md`.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::finding::FindingKind;

/// What a finding kind means and what to do about it.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct KindEntry {
    pub kind: FindingKind,
    pub title: String,
    pub meaning: String,
    pub causes: Vec<String>,
    pub confirm: Vec<String>,
    pub fix: Vec<String>,
}

/// How a message entry's `text` is compared with a printed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    Prefix,
    Contains,
    Exact,
}

/// One runtime message and what it means.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct MessageEntry {
    /// The fixed part of the message value (after `panic: ` / `fatal error: `).
    pub text: String,
    #[serde(rename = "match")]
    pub match_mode: MatchMode,
    /// The whole line as the runtime prints it, with an example value.
    pub printed_as: String,
    pub kind: FindingKind,
    pub meaning: String,
    pub causes: Vec<String>,
    pub confirm: Vec<String>,
    pub fix: Vec<String>,
    /// The first Go release that prints it, when after 1.21.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

impl MessageEntry {
    pub fn matches(&self, value: &str) -> bool {
        match self.match_mode {
            MatchMode::Prefix => value.starts_with(&self.text),
            MatchMode::Contains => value.contains(&self.text),
            MatchMode::Exact => value == self.text,
        }
    }
}

/// The whole catalog: its kinds and its messages, each parsed once.
#[derive(Clone, Copy, Debug)]
pub struct Catalog {
    pub kinds: &'static [KindEntry],
    pub messages: &'static [MessageEntry],
}

const CATALOG_JSON: &str = include_str!("../catalog.json");

/// The embedded catalog. Its validity is a build-time property checked by the
/// tests (`catalog_is_complete`), not something input can break.
pub fn catalog() -> Catalog {
    Catalog {
        kinds: kinds(),
        messages: messages(),
    }
}

/// A part of the embedded catalog (serde skips the fields `T` lacks).
fn parse<T: serde::de::DeserializeOwned>() -> T {
    serde_json::from_str(CATALOG_JSON).expect("the embedded catalog.json is valid (tested)")
}

/// The catalog's kinds alone: a run that reads no crash text needs no
/// message entries, and skipping them is most of the parse (a run of a
/// small profile takes 2-3 ms in all; the whole catalog, 0.25 ms). The
/// kinds come first in the file, so their array is parsed by itself, found
/// when godiag is compiled; were the file laid out otherwise, the whole
/// catalog would be read, skipping the messages.
fn kinds() -> &'static [KindEntry] {
    #[derive(Deserialize)]
    struct Kinds {
        kinds: Vec<KindEntry>,
    }
    static KINDS: OnceLock<Vec<KindEntry>> = OnceLock::new();
    KINDS.get_or_init(|| match KINDS_ARRAY {
        Some((start, end)) => serde_json::from_str(&CATALOG_JSON[start..end])
            .expect("the embedded catalog.json is valid (tested)"),
        None => parse::<Kinds>().kinds,
    })
}

/// Where the kinds' array (`[` to `]`) lies in the catalog's text: after
/// `"kinds": ` and before the `"messages"` key that follows it.
const KINDS_ARRAY: Option<(usize, usize)> = kinds_array(CATALOG_JSON.as_bytes());

const fn kinds_array(text: &[u8]) -> Option<(usize, usize)> {
    let Some(key) = find(text, b"\n  \"kinds\": [", 0) else {
        return None;
    };
    let start = key + b"\n  \"kinds\": ".len();
    let Some(mut end) = find(text, b"\n  \"messages\": ", start) else {
        return None;
    };
    // Back over `],` and the whitespace before the messages' key.
    while end > start && text[end - 1] != b']' {
        end -= 1;
    }
    if end > start {
        Some((start, end))
    } else {
        None
    }
}

/// The first `needle` in `text` at or after `from` (evaluated at compile time).
const fn find(text: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + needle.len() <= text.len() {
        let mut j = 0;
        while j < needle.len() && text[i + j] == needle[j] {
            j += 1;
        }
        if j == needle.len() {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The catalog's messages alone (see [`kinds`]).
fn messages() -> &'static [MessageEntry] {
    #[derive(Deserialize)]
    struct Messages {
        messages: Vec<MessageEntry>,
    }
    static MESSAGES: OnceLock<Vec<MessageEntry>> = OnceLock::new();
    MESSAGES.get_or_init(|| parse::<Messages>().messages)
}

/// The first message entry matching a printed message value (the text after
/// `panic: `, `fatal error: `, or a whole `runtime: ...` line).
pub fn classify(value: &str) -> Option<&'static MessageEntry> {
    let v = value.trim();
    // A message cut short where its line was wrapped or clipped (`runtime
    // error: invalid memory addres`, robfig/cron#301): the entry it begins,
    // when enough of it is left to tell, before a shorter generic entry
    // (`runtime error: `) it also matches.
    let long_enough = v.len() >= CUT_MESSAGE_AT_LEAST;
    let cut = long_enough
        .then(|| messages().iter().find(|m| cut_inside_a_word(&m.text, v)))
        .flatten();
    let whole = messages().iter().find(|m| m.matches(v));
    // Cut where a word ends (the rest wrapped onto a line of its own,
    // vmware/vic#1868: `... or nil pointer` / ` dereference`): the entry it
    // begins when that names another kind than the cut message matches by
    // itself; of the same kind, the message may be whole (Go 1.11's).
    let at_word = long_enough
        .then(|| messages().iter().find(|m| cut_after_a_word(&m.text, v)))
        .flatten()
        .filter(|m| whole.is_none_or(|w| w.kind != m.kind));
    cut.or(at_word).or(whole)
}

/// How much of a message a cut must leave for its entry to be told.
const CUT_MESSAGE_AT_LEAST: usize = 24;

/// `value` is `text` cut inside a word (`... addres` of `... address`): a
/// value that ends where a word of the text ends is a whole message of its
/// own (Go 1.11's `runtime error: slice bounds out of range`, which a later
/// release's longer message begins).
fn cut_inside_a_word(text: &str, value: &str) -> bool {
    text.len() > value.len()
        && text.starts_with(value)
        && value.ends_with(|c: char| c.is_ascii_alphanumeric())
        && text[value.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// `value` is `text` cut right after one of its words.
fn cut_after_a_word(text: &str, value: &str) -> bool {
    text.len() > value.len()
        && text.starts_with(value)
        && value.ends_with(|c: char| c.is_ascii_alphanumeric())
        && text[value.len()..].starts_with(' ')
}

/// The catalog entry of a kind.
pub fn kind_entry(kind: FindingKind) -> Option<&'static KindEntry> {
    kinds().iter().find(|k| k.kind == kind)
}

/// What `godiag explain` found for a query.
pub enum Explanation {
    Kind(&'static KindEntry),
    Message(&'static MessageEntry),
}

/// Looks a query up: a kind name, or any runtime message as printed (with or
/// without `panic: ` / `fatal error: ` and `[recovered]`), or a fragment of one.
pub fn explain(query: &str) -> Option<Explanation> {
    explain_exactly(query).or_else(|| explain_fragment(query))
}

/// [`explain`] by a kind's name or a whole message only, not a fragment.
pub fn explain_exactly(query: &str) -> Option<Explanation> {
    let q = query.trim();
    if let Some(k) = catalog().kinds.iter().find(|k| k.kind.name() == q) {
        return Some(Explanation::Kind(k));
    }
    classify(without_decoration(q)).map(Explanation::Message)
}

/// A message as printed, without `panic: ` / `fatal error: ` before it
/// and `[recovered]` after it.
fn without_decoration(q: &str) -> &str {
    let mut v = q.trim_start_matches('\t');
    for prefix in ["panic: ", "fatal error: ", "fatal: "] {
        if let Some(rest) = v.strip_prefix(prefix) {
            v = rest;
            break;
        }
    }
    for suffix in [" [recovered, repanicked]", " [recovered]"] {
        if let Some(rest) = v.strip_suffix(suffix) {
            v = rest;
        }
    }
    v
}

/// [`explain`] by a fragment: the entry whose fixed text contains the
/// query, or is contained in it (the longest such), so "nil map" or a
/// whole pasted line both find their entry.
pub fn explain_fragment(query: &str) -> Option<Explanation> {
    let v = without_decoration(query.trim());
    let lower = v.to_lowercase();
    catalog()
        .messages
        .iter()
        .filter(|m| {
            let t = m.text.to_lowercase();
            (lower.len() >= 4 && t.contains(&lower)) || lower.contains(&t)
        })
        .max_by_key(|m| m.text.len())
        .map(Explanation::Message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_parsed_alone_as_in_the_whole_catalog() {
        assert!(
            super::KINDS_ARRAY.is_some(),
            "catalog.json opens with its kinds, then its messages"
        );
        #[derive(serde::Deserialize)]
        struct Kinds {
            kinds: Vec<super::KindEntry>,
        }
        let whole = super::parse::<Kinds>().kinds;
        let alone = super::kinds();
        assert_eq!(alone.len(), whole.len());
        for (a, w) in alone.iter().zip(&whole) {
            assert_eq!(
                serde_json::to_string(a).unwrap(),
                serde_json::to_string(w).unwrap()
            );
        }
    }

    #[test]
    fn catalog_is_complete() {
        let c = catalog();
        for kind in FindingKind::ALL {
            let e =
                kind_entry(kind).unwrap_or_else(|| panic!("{} has no catalog entry", kind.name()));
            assert!(
                !e.meaning.is_empty()
                    && !e.causes.is_empty()
                    && !e.confirm.is_empty()
                    && !e.fix.is_empty(),
                "{}",
                kind.name()
            );
        }
        assert!(c.messages.len() >= 60, "{} messages", c.messages.len());
        for m in c.messages {
            assert!(
                !m.text.is_empty() && !m.meaning.is_empty() && !m.fix.is_empty(),
                "{}",
                m.text
            );
        }
    }

    #[test]
    fn first_match_gives_the_expected_kind() {
        use FindingKind::*;
        for (value, kind) in [
            (
                "runtime error: invalid memory address or nil pointer dereference",
                NilDereference,
            ),
            (
                "runtime error: index out of range [5] with length 3",
                RuntimeError,
            ),
            (
                "runtime error: slice bounds out of range [:10] with capacity 4",
                RuntimeError,
            ),
            (
                "runtime error: cgo argument has Go pointer to unpinned Go pointer",
                UnsafePointerMisuse,
            ),
            ("concurrent map writes", ConcurrentMapAccess),
            ("concurrent map read and map write", ConcurrentMapAccess),
            ("fault", BadAddress),
            (
                "checkptr: misaligned pointer conversion",
                UnsafePointerMisuse,
            ),
            ("sync: unlock of unlocked mutex", SyncMisuse),
            ("sync: negative WaitGroup counter", SyncMisuse),
            ("all goroutines are asleep - deadlock!", Deadlock),
            (
                "interface conversion: interface {} is string, not int",
                RuntimeError,
            ),
            ("assignment to entry in nil map", RuntimeError),
            ("close of closed channel", SyncMisuse),
            ("stack overflow", StackOverflow),
            ("out of memory", OutOfMemory),
            ("schedule: holding locks", RuntimeInternalError),
            (
                "found bad pointer in Go heap (incorrect use of unsafe or cgo?)",
                UnsafePointerMisuse,
            ),
        ] {
            assert_eq!(classify(value).map(|m| m.kind), Some(kind), "{value}");
        }
        assert!(classify("my own panic value").is_none());
        // Cut after a word: the entry it begins when its kind is another.
        assert_eq!(
            classify("runtime error: invalid memory address or nil pointer").map(|m| m.kind),
            Some(NilDereference)
        );
        assert_eq!(
            classify("runtime error: slice bounds out of range").map(|m| m.text.as_str()),
            Some("runtime error: ")
        );
        // Cut short, a message is told by enough of its beginning.
        assert_eq!(
            classify("runtime error: invalid memory addres").map(|m| m.kind),
            Some(NilDereference)
        );
        // Cut at a word's end, it is an older release's whole message.
        assert_eq!(
            classify("runtime error: slice bounds out of range").map(|m| m.text.as_str()),
            Some("runtime error: ")
        );
        // Too little left: only the generic entry.
        assert_eq!(
            classify("runtime error: inv").map(|m| m.kind),
            Some(RuntimeError)
        );
    }

    #[test]
    fn explain_accepts_kinds_lines_and_fragments() {
        assert!(matches!(explain("deadlock"), Some(Explanation::Kind(_))));
        for q in [
            "fatal error: concurrent map writes",
            "panic: runtime error: index out of range [3] with length 3 [recovered]",
            "nil map",
            "concurrent map iteration",
        ] {
            assert!(matches!(explain(q), Some(Explanation::Message(_))), "{q}");
        }
        assert!(explain("zzzz not a go message").is_none());
    }
}
