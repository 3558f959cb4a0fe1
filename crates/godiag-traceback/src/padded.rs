//! Text copied from a terminal as screen rows, the rows' line breaks lost:
//! every line the program printed was padded with blanks to the screen's
//! width, and a longer one filled its rows and went on in the next. The
//! copy joins rows, so runtime lines start in the middle of a copied line,
//! always at a multiple of the width:
//!
//! ```text
//! ess or nil pointer dereference)        ...        goroutine 804 [running]:      ...
//! ```
//!
//! (openkruise/kruise#489, 150 columns). The width is learned from where
//! such lines resume after padding; the rows are cut apart again, and a
//! full row (its last column written) goes on in the next.

use godiag_sniff::anchor;

/// Blanks that end a row's text before the next row starts: padding, not a
/// gap a program printed between words.
const PADDING: usize = 4;

/// Narrower screens than this are not learned (columns of a table are).
const NARROWEST: usize = 40;

/// The longest line looked at while learning.
const LONGEST: usize = 64 << 10;

/// How much of the text the width is learned from (its head, as the
/// other passes' probe): the runs kept stay few on any input.
const LEARNED_FROM: usize = 256 << 10;

/// The screen's width: the widest that a column at which a line resumes
/// after padding is one to four rows of (a blank row of padding may come
/// first), such that every run of padding past the first row holds a
/// row's end (the resumed text may be indented), where at least two
/// runtime lines resume. Columns are characters: a terminal gives `·` or
/// a CJK message one (wide ones are not told apart).
pub(crate) fn row_width(lines: &[&str]) -> Option<usize> {
    // Runs of padding (start, end columns) and whether runtime text follows.
    let mut runs: Vec<(usize, usize, bool)> = Vec::new();
    let mut seen = 0;
    let head = lines.iter().take_while(|l| {
        seen += l.len() + 1;
        seen <= LEARNED_FROM
    });
    for line in head.filter(|l| l.len() <= LONGEST) {
        let mut blanks = 0;
        for (column, (i, c)) in line.char_indices().enumerate() {
            if c == ' ' {
                blanks += 1;
                continue;
            }
            if blanks >= PADDING && column > blanks {
                runs.push((column - blanks, column, reads_as_runtime(row_at(line, i))));
            }
            blanks = 0;
        }
    }
    if runs.iter().filter(|r| r.2).count() < 2 {
        return None;
    }
    let mut columns: Vec<usize> = runs.iter().map(|r| r.1).collect();
    columns.sort_unstable();
    columns.dedup();
    let candidates = columns.into_iter().take(CANDIDATES).flat_map(|column| {
        (1..=4)
            .filter(move |rows| column % rows == 0)
            .map(move |rows| column / rows)
    });
    candidates.filter(|&w| w >= NARROWEST).find(|&width| {
        let ends_a_row = |&(start, end, _): &(usize, usize, bool)| end / width * width > start;
        let past_first = runs.iter().filter(|r| r.1 >= width);
        past_first.clone().all(ends_a_row) && past_first.filter(|r| r.2).count() >= 2
    })
}

/// Widths tried: the narrowest columns lines resume at.
const CANDIDATES: usize = 16;

/// The text from `at` to the padding that ends its row.
fn row_at(line: &str, at: usize) -> &str {
    let rest = &line[at..];
    let end = rest.find("    ").unwrap_or(rest.len());
    rest[..end].trim_end()
}

/// A goroutine header, a frame's call, or a line an anchor opens
/// (`panic: `, `fatal error: `). Not a file line: a `debug=1` profile
/// pasted with spaces for tabs aligns its files in one column.
fn reads_as_runtime(row: &str) -> bool {
    let t = row.trim_start();
    anchor::is_header(t) || anchor::is_call(t) || anchor::find(t).is_some_and(|a| a.at == 0)
}

/// The rows cut apart again: each row's padding removed, a full row
/// joined to the one after it.
pub(crate) fn split_rows(lines: &[&str], width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut carry: Option<String> = None;
    for line in lines {
        for (row, columns) in rows(line, width) {
            let full = columns == width && !row.ends_with(' ');
            let text = row.trim_end_matches(' ');
            let joined = match carry.take() {
                Some(mut head) => {
                    head.push_str(text);
                    head
                }
                None => text.to_string(),
            };
            if full {
                carry = Some(joined);
            } else {
                out.push(joined);
            }
        }
    }
    out.extend(carry);
    out
}

/// A line cut every `width` characters, with each piece's width.
fn rows(line: &str, width: usize) -> impl Iterator<Item = (&str, usize)> {
    let mut rest = line;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let (end, columns) = match rest.char_indices().nth(width) {
            Some((end, _)) => (end, width),
            None => {
                done = true;
                (rest.len(), rest.chars().count())
            }
        };
        let (row, after) = rest.split_at(end);
        rest = after;
        done |= rest.is_empty();
        Some((row, columns))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<&str> {
        text.lines().collect()
    }

    /// openkruise/kruise#489: rows of 150 columns.
    #[test]
    fn learns_the_width_and_cuts_the_rows() {
        let text = include_str!(
            "../../../testdata/realworld/openkruise-kruise-489-handlecrash-truncatehistory-wrapped.txt"
        );
        assert_eq!(row_width(&lines(text)), Some(150));
        let rows = split_rows(&lines(text), 150);
        assert!(
            rows[0].ends_with("(runtime error: invalid memory address or nil pointer dereference)")
        );
        assert_eq!(rows[1], "goroutine 804 [running]:");
        assert_eq!(
            rows[2],
            "k8s.io/apimachinery/pkg/util/runtime.logPanic(0x18d75a0, 0x2bc9c00)"
        );
    }

    /// Go's own output (lab `nil-deref`, Go 1.24) as a 100-column screen
    /// copies it, every line after the first padded to the width, the
    /// breaks lost: the blank row after the signal line puts the first
    /// resumed header two rows on, and a `·` (Go before 1.5) or a CJK
    /// value counts one column, as on the screen.
    #[test]
    fn width_behind_a_blank_row_and_wide_characters() {
        let lab = include_str!("../../../lab/artifacts/go1.24.11/nil-deref.txt");
        for (from, to) in [
            ("main.deref", "main.deref"),
            ("main.deref", "main.func·001"),
        ] {
            let text = lab.replace(from, to);
            let mut lines = text.lines();
            let first = lines.next().unwrap_or("");
            let padded: String = lines.map(|l| format!("{l:<100}")).collect();
            let copy = [first, padded.trim_end()];
            assert_eq!(row_width(&copy), Some(100));
            let rows = split_rows(&copy, 100);
            assert_eq!(rows[3], "goroutine 1 [running]:");
            assert_eq!(rows[4], format!("{to}(0x5f5e100?)"));
        }
    }

    /// A `debug=1` profile pasted with spaces for tabs aligns its files in
    /// one column (m-lab/ndt-server#205): columns, not rows.
    #[test]
    fn aligned_columns_are_not_rows() {
        let text = include_str!(
            "../../../testdata/realworld/m-lab-ndt-server-205-goroutine-profile-log-mutex-pileup.txt"
        );
        assert_eq!(row_width(&lines(text)), None);
        let table = [
            "NAME        READY   STATUS    RESTARTS   AGE",
            "app-1       1/1     Running   0          5d",
        ];
        assert_eq!(row_width(&table), None);
    }
}
