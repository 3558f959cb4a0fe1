//! RFC 3339 timestamps, as bundles record captures (`jiff`).

use std::time::SystemTime;

/// `2026-11-27T12:34:56.789Z`: UTC, milliseconds.
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => format!("{ts:.3}"),
        Err(_) => "1970-01-01T00:00:00.000Z".into(),
    }
}

/// Seconds since the epoch of an RFC 3339 timestamp (any offset).
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let ts: jiff::Timestamp = s.parse().ok()?;
    Some(ts.as_second() as f64 + f64::from(ts.subsec_nanosecond()) / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_795_782_896_789);
        assert_eq!(rfc3339(t), "2026-11-27T12:34:56.789Z");
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let parsed = parse_rfc3339("2026-11-27T12:34:56.789Z").unwrap();
        assert!((parsed - 1_795_782_896.789).abs() < 1e-6);
        assert_eq!(
            parse_rfc3339("1970-03-01T00:00:00.000Z"),
            Some(59.0 * 86_400.0)
        );
        assert_eq!(parse_rfc3339("not a time"), None);
    }
}
