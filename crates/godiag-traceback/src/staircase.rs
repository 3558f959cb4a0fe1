//! Text copied from a terminal left in raw mode (a TUI that crashed before
//! restoring it): a line feed moves down without returning to the first
//! column, so every line starts where the one above it ended, and the
//! copy holds that column as leading blanks. Lines "step" across the
//! screen:
//!
//! ```text
//! panic: send on closed channel
//!
//!                              goroutine 158 [running]:
//!                                                      swarmcli/views/services.sendMsg(...)
//! ```
//!
//! (https://github.com/Eldara-Tech/swarmcli/issues/74). The leading blanks
//! carry no structure; without them the lines are the runtime's, with
//! their tabs lost, which the parser reads.

/// Columns within which a line may start past the previous line's end: a
/// tab that opened it moved the cursor on to the next tab stop.
const TAB: usize = 8;

/// Leading blanks deeper than any indentation: only a staircase puts a line
/// this far right.
const DEEP: usize = 16;

/// Whether lines step across the screen: at least two lines start, deep,
/// where the line above ended (or the next tab stop after it), and most of
/// the deeply indented lines do (the others went past the screen's edge and
/// wrapped).
pub(crate) fn is_staircase(lines: &[&str]) -> bool {
    let mut deep = 0;
    let mut stepped = 0;
    let mut above_end: Option<usize> = None;
    for line in lines {
        let body = line.trim();
        if body.is_empty() {
            continue;
        }
        // Columns, not bytes: a no-break space or a wide value takes one.
        let lead = line.chars().take_while(|c| c.is_whitespace()).count();
        if lead >= DEEP {
            deep += 1;
            if above_end.is_some_and(|end| (end..=end + TAB).contains(&lead)) {
                stepped += 1;
            }
        }
        above_end = Some(lead + body.chars().count());
    }
    stepped >= 2 && stepped * 2 >= deep
}

/// The lines without their leading blanks.
pub(crate) fn flatten<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    lines.iter().map(|l| l.trim_start()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// https://github.com/Eldara-Tech/swarmcli/issues/74, its first lines
    /// (the panic line's trailing blanks shortened), each starting at the
    /// column the copy shows.
    fn swarmcli() -> String {
        [
            (0, "panic: send on closed channel     "),
            (0, ""),
            (29, "goroutine 158 [running]:"),
            (
                53,
                "swarmcli/views/services.sendMsg(0x853d20?, {0x853d20?, 0xc000cc99d0?})",
            ),
            (128, "/workspaces/mosonyi/views/services/model.go:111 +0x33"),
        ]
        .iter()
        .map(|(lead, text)| format!("{}{text}\n", " ".repeat(*lead)))
        .collect()
    }

    #[test]
    fn lines_that_start_where_the_one_above_ended_are_a_staircase() {
        let text = swarmcli();
        let lines: Vec<&str> = text.lines().collect();
        assert!(is_staircase(&lines));
        let flat = flatten(&lines);
        assert_eq!(flat[2], "goroutine 158 [running]:");
        assert_eq!(
            flat[4],
            "/workspaces/mosonyi/views/services/model.go:111 +0x33"
        );
    }

    /// Ordinary indentation, however deep, does not follow line ends.
    #[test]
    fn indented_text_is_not_a_staircase() {
        let text = "goroutine 1 [running]:\nmain.main()\n\t/tmp/x.go:5 +0x1d\n                        deeply indented prose line\n                        another one\n";
        let lines: Vec<&str> = text.lines().collect();
        assert!(!is_staircase(&lines));
        let spaces =
            "goroutine 1 [running]:\n        main.main()\n                /tmp/x.go:5 +0x1d\n";
        let lines: Vec<&str> = spaces.lines().collect();
        assert!(!is_staircase(&lines));
    }
}
