//! Quantities as people read them.

/// Bytes in the largest binary unit that keeps the number readable
/// (`512 B`, `12.0 MiB`); negative values keep their sign.
pub fn human_bytes(n: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v.abs() >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bytes() {
        assert_eq!(super::human_bytes(512), "512 B");
        assert_eq!(super::human_bytes(4 << 30), "4.0 GiB");
        assert_eq!(super::human_bytes(-(3 << 20)), "-3.0 MiB");
    }
}
