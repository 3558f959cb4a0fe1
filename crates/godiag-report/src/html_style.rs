//! The HTML report's escaping, embedding, stylesheet (no external assets)
//! and how much of a list it shows.

/// Groups shown per input before "... more".
pub(crate) const GROUPS: usize = 25;

pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f4f5f7}
main{max-width:1180px;margin:0 auto;padding:20px 24px 60px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #d5d9e0;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
.sub{color:#5b6474}.card{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:14px 18px;margin:12px 0}
.root{border-left:6px solid #c0392b}.kind{display:inline-block;font:12px ui-monospace,monospace;background:#eef1f6;border-radius:4px;padding:1px 6px;margin-right:6px}
.conf-high{color:#1e7b34;font-weight:600}.conf-medium{color:#9a6b00;font-weight:600}.conf-low{color:#6b7280;font-weight:600}
.loc{font:13px ui-monospace,monospace;color:#234}.title{font-size:17px;font-weight:600;margin:4px 0}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e7ec;vertical-align:top}
th{background:#f0f2f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.v-confirms{color:#1e7b34;font-weight:600}.v-contradicts{color:#c0392b;font-weight:600}.v-silent{color:#8a93a2}
pre{font:12px/1.4 ui-monospace,monospace;background:#f7f8fa;border:1px solid #e4e7ec;border-radius:4px;padding:6px 8px;overflow-x:auto;margin:4px 0}
details>summary{cursor:pointer}.warn{color:#9a4b00}
.bar{display:flex;height:14px;border-radius:3px;overflow:hidden;background:#eceff3;min-width:200px}.bar span{display:block;height:100%}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
img.flame{width:100%;border:1px solid #e4e7ec;border-radius:4px;background:#fff}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_base64() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"<svg>"), "PHN2Zz4=");
    }

    #[test]
    fn escapes() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
