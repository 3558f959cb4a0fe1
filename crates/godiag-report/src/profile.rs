//! The profile section of a report: what the profile is and its top table.

use godiag_pprof::{Granularity, Profile};

/// A value in its unit, readable (`1.50 s`, `12.0 MiB`, `42`).
pub fn format_value(v: i64, unit: &str) -> String {
    match unit {
        "nanoseconds" => {
            let s = v as f64 / 1e9;
            if s.abs() >= 1.0 {
                format!("{s:.2} s")
            } else {
                format!("{:.1} ms", v as f64 / 1e6)
            }
        }
        "bytes" => godiag_model::units::human_bytes(v),
        _ => v.to_string(),
    }
}

fn pct(part: i64, total: i64) -> f64 {
    if total == 0 {
        0.0
    } else {
        part as f64 * 100.0 / total as f64
    }
}

/// The text form: a header line and the top table by function.
pub fn profile_text(p: &Profile, rows: usize) -> String {
    let index = p.default_sample_index();
    let types = p.sample_types();
    let (ty, unit) = types.get(index).copied().unwrap_or(("", ""));
    let total = p.total(index);
    let when = p
        .time_seconds()
        .map(|t| format!(", taken {}", utc(t as i64)))
        .unwrap_or_default();
    let binary = p
        .main_binary()
        .map(|b| format!(", from {b}"))
        .unwrap_or_default();
    let mut out = format!(
        "  {} profile, {} {}{}, total {}{when}{binary}\n",
        p.kind().name(),
        p.raw.sample.len(),
        if p.raw.sample.len() == 1 {
            "sample"
        } else {
            "samples"
        },
        p.duration_seconds()
            .map(|d| format!(" over {d:.2} s"))
            .unwrap_or_default(),
        format_value(total, unit)
    );
    out.push_str(&format!(
        "  {:>10} {:>6} {:>10} {:>6}  {ty} by function\n",
        "flat", "flat%", "cum", "cum%"
    ));
    for r in &p.top_first(index, Granularity::Function, rows) {
        out.push_str(&format!(
            "  {:>10} {:>5.1}% {:>10} {:>5.1}%  {}\n",
            format_value(r.flat, unit),
            pct(r.flat, total),
            format_value(r.cum, unit),
            pct(r.cum, total),
            if r.function.is_empty() {
                "?"
            } else {
                &r.function
            }
        ));
    }
    out
}

/// `2026-11-27 09:03:14 UTC` from Unix seconds (proleptic Gregorian calendar).
pub fn utc(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(ts) => ts.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
        Err(_) => format!("{secs} s after 1970 (out of range)"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(super::utc(1_795_770_748), "2026-11-27 09:12:28 UTC");
        assert_eq!(super::utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }
}
