//! The stack aws-lambda-go returns for a handler's panic (its
//! `stackTrace`, shown by the Lambda console, CloudWatch and the CLI),
//! rewritten in the runtime's grammar. Each frame is a JSON object,
//! pretty-printed over lines or all on one line:
//!
//! ```text
//! {"path": "github.com/aws/aws-lambda-go@v1.8.1/lambda/function.go", "line": 27, "label": "(*Function).Invoke.func1"}
//! ```
//!
//! aws-lambda-go keeps of the file's path as many trailing elements as the
//! function's package path has, plus the file (the module cache's
//! `@version` stays in it), and of the function's name what follows its
//! package. So the path's directory, without the version, is the package:
//! `github.com/aws/aws-lambda-go/lambda.(*Function).Invoke.func1`,
//! `runtime.gopanic` from `runtime/panic.go`. (Package `main` is the one
//! exception: its directory, of one element, stands in for it.)
//! Each frame becomes `PKG.LABEL(...)` over `\tPATH:LINE`; the JSON
//! punctuation between frames goes.

use godiag_model::goroutine::is_stdlib_package;

/// The longest frame object looked at: paths and names stay far below it.
const MAX_OBJECT: usize = 2048;

/// Frames so, at least: one could be a log record that happens to have
/// such fields.
const AT_LEAST: usize = 2;

/// One frame object's fields.
struct LambdaFrame {
    path: String,
    line: u64,
    label: String,
}

/// Whether the text holds such frames.
pub(crate) fn has_frames(text: &str) -> bool {
    text.contains("\"label\"") && frames(text).take(AT_LEAST).count() == AT_LEAST
}

/// Every frame object: where it starts and ends, and its fields. Each byte
/// is looked at once: an object is flat, so its body ends at the next
/// brace, and a `{` there opens the next candidate.
fn frames(text: &str) -> impl Iterator<Item = (usize, usize, LambdaFrame)> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || loop {
        let bytes = text.as_bytes();
        let open = from + memchr::memchr(b'{', bytes.get(from..)?)?;
        let body_start = open + 1;
        let end = body_start + memchr::memchr2(b'{', b'}', &bytes[body_start..])?;
        from = end;
        if bytes[end] != b'}' {
            continue;
        }
        from = end + 1;
        if end - body_start > MAX_OBJECT {
            continue;
        }
        if let Some(frame) = parse_object(&text[body_start..end]) {
            return Some((open, end + 1, frame));
        }
    })
}

/// `"path": "...", "line": 27, "label": "..."` in any order, nothing else.
fn parse_object(body: &str) -> Option<LambdaFrame> {
    let (mut path, mut line, mut label) = (None, None, None);
    let mut rest = body.trim_start();
    while !rest.is_empty() {
        let (key, after) = string(rest)?;
        let after = after.trim_start().strip_prefix(':')?.trim_start();
        let after = if after.starts_with('"') {
            let (value, after) = string(after)?;
            match key.as_str() {
                "path" => path = Some(value),
                "label" => label = Some(value),
                _ => return None,
            }
            after
        } else {
            let digits = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            if key != "line" || digits == 0 {
                return None;
            }
            line = Some(after[..digits].parse().ok()?);
            &after[digits..]
        };
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(r) => r.trim_start(),
            None if after.is_empty() => after,
            None => return None,
        };
    }
    Some(LambdaFrame {
        path: path.filter(|p| p.ends_with(".go") || p.ends_with(".s"))?,
        line: line?,
        label: label.filter(|l| !l.is_empty() && !l.contains(char::is_whitespace))?,
    })
}

/// A JSON string at the start of `s` (unescaped) and what follows it.
fn string(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut escaped = false;
    let end = body.char_indices().find_map(|(i, c)| {
        let closes = c == '"' && !escaped;
        escaped = c == '\\' && !escaped;
        closes.then_some(i)
    })?;
    let value = crate::escapes::unescape(&body[..end]).into_owned();
    Some((value, &body[end + 1..]))
}

/// The function's full name: the path's directory without module versions,
/// then the label. A directory of one element is a standard package's
/// (`runtime/panic.go`) or stands in for `main` (`cmd/main.go`): one that
/// is no package a program links (`cmd`, or none of the standard
/// library's) is `main`.
fn function(frame: &LambdaFrame) -> String {
    let dir = frame.path.rsplit_once('/').map_or("main", |(dir, _)| dir);
    let package: Vec<&str> = dir
        .split('/')
        .map(|element| element.split('@').next().unwrap_or(element))
        .collect();
    let package = match package.as_slice() {
        [one] if !is_stdlib_package(one) => "main".to_string(),
        _ => package.join("/"),
    };
    format!("{package}.{}", frame.label)
}

/// The text with every frame object in the runtime's grammar; how many.
pub(crate) fn rewrite(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut n = 0;
    for (start, end, frame) in frames(text) {
        let between = &text[last..start];
        // `,` and line breaks between two frames, `[` before the first.
        let punctuation = between
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, ',' | '['));
        if n == 0 || !punctuation {
            out.push_str(between.trim_end_matches(|c: char| c.is_whitespace() || c == '['));
            out.push('\n');
        }
        out.push_str(&format!(
            "{}(...)\n\t{}:{}\n",
            function(&frame),
            frame.path,
            frame.line
        ));
        last = end;
        n += 1;
    }
    out.push_str(text[last..].trim_start_matches([',', ']']));
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From https://github.com/asishrs/smartthings-ringalarmv2/pull/58.
    #[test]
    fn pretty_printed_frames() {
        let text = "runtime error: index out of range [0] with length 0: boundsError
[
{
    \"path\": \"github.com/aws/aws-lambda-go@v1.8.1/lambda/function.go\",
    \"line\": 27,
    \"label\": \"(*Function).Invoke.func1\"
}
,
{
    \"path\": \"runtime/panic.go\",
    \"line\": 679,
    \"label\": \"gopanic\"
}
";
        assert!(has_frames(text));
        let (out, n) = rewrite(text);
        assert_eq!(n, 2);
        assert_eq!(
            out,
            "runtime error: index out of range [0] with length 0: boundsError
github.com/aws/aws-lambda-go/lambda.(*Function).Invoke.func1(...)
\tgithub.com/aws/aws-lambda-go@v1.8.1/lambda/function.go:27
runtime.gopanic(...)
\truntime/panic.go:679
\n"
        );
    }

    /// One line, cut inside its last frame, from
    /// https://github.com/aws/aws-xray-sdk-go/issues/153.
    #[test]
    fn frames_on_one_line() {
        let text = r#""runtime error: invalid memory address or nil pointer dereference: errorString [{"path":"github.com/aws/aws-lambda-go@v1.13.3/lambda/function.go","line":35,"label":"(*Function).Invoke.func1"},{"path":"runtime/panic.go","line":679,"label":"gopanic"},{"path":"runtime/panic.go","line":679,"label":"gopan""#;
        let (out, n) = rewrite(text);
        assert_eq!(n, 2);
        assert!(out.starts_with("\"runtime error: invalid memory address or nil pointer dereference: errorString\ngithub.com/aws/aws-lambda-go/lambda.(*Function).Invoke.func1(...)\n"));
        assert!(out.ends_with("\truntime/panic.go:679\n{\"path\":\"runtime/panic.go\",\"line\":679,\"label\":\"gopan\""));
    }

    #[test]
    fn package_main_keeps_its_directory_out_of_the_standard_library() {
        let frame = |path: &str| LambdaFrame {
            path: path.into(),
            line: 1,
            label: "handler".into(),
        };
        assert_eq!(function(&frame("cmd/main.go")), "main.handler");
        assert_eq!(function(&frame("myfunc/main.go")), "main.handler");
        assert_eq!(function(&frame("bytes/buffer.go")), "bytes.handler");
    }

    #[test]
    fn other_objects_are_left() {
        for body in [
            r#""path": "/a/b.go", "line": 3"#,
            r#""path": "/a/b.go", "line": 3, "label": "f", "extra": 1"#,
            r#""path": "/a/b.txt", "line": 3, "label": "f""#,
            r#""path": "/a/b.go", "line": "3", "label": "f""#,
        ] {
            assert!(parse_object(body).is_none(), "{body}");
        }
        assert!(!has_frames(
            r#"{"path": "a/b.go", "line": 1, "label": "f"}"#
        ));
    }
}
