//! Bytes → [`Profile`]: gunzip (capped), then either protobuf, walked field by
//! field, or one of the legacy text formats.

use std::io::Read;

use prost::Message;

use crate::error::ReadError;
use crate::legacy;
use crate::proto;
use crate::view::{Profile, SourceFormat};

/// Decompressed profiles beyond this are not read: real profiles are a few
/// MB at most, and a small gzip member can otherwise expand without bound.
const MAX_DECOMPRESSED: u64 = 1 << 30;

/// Reads a profile. Damage after some fields yields a `partial` profile
/// with a warning naming the offset; damage before anything usable is an error.
pub fn read(data: &[u8]) -> Result<Profile, ReadError> {
    let mut warnings = Vec::new();
    let mut partial = false;
    let (bytes, gzipped): (std::borrow::Cow<'_, [u8]>, bool) = if data.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let mut dec = flate2::read::GzDecoder::new(data).take(MAX_DECOMPRESSED);
        if let Err(e) = dec.read_to_end(&mut out) {
            if out.is_empty() {
                return Err(ReadError::NotAProfile(format!(
                    "gzip data that does not decompress: {e}"
                )));
            }
            partial = true;
            warnings.push(format!(
                "the gzip stream is damaged after {} decompressed bytes ({e}); reading what precedes",
                out.len()
            ));
        } else if out.len() as u64 == MAX_DECOMPRESSED {
            partial = true;
            warnings.push(format!(
                "decompressed profile cut at {MAX_DECOMPRESSED} bytes"
            ));
        }
        (std::borrow::Cow::Owned(out), true)
    } else {
        (std::borrow::Cow::Borrowed(data), false)
    };
    if let Some(p) = legacy::read(&bytes) {
        let mut p = p?;
        p.warnings.extend(warnings);
        p.partial |= partial;
        return Ok(p);
    }
    let (raw, damage) = decode_fields(&bytes);
    if let Some((offset, message)) = damage {
        if raw.sample_type.is_empty() && raw.sample.is_empty() {
            return Err(ReadError::Damaged { offset, message });
        }
        partial = true;
        warnings.push(format!(
            "damaged at byte {offset} of the profile: {message}; reading what precedes"
        ));
    }
    if raw.sample_type.is_empty() {
        return Err(ReadError::NotAProfile(
            "a protobuf without sample types".into(),
        ));
    }
    Ok(Profile::new(
        raw,
        SourceFormat::Proto { gzipped },
        partial,
        warnings,
    ))
}

fn varint(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for i in 0..10 {
        let byte = *b.get(at + i)?;
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, at + i + 1));
        }
    }
    None
}

/// Walks the top-level fields of `perftools.profiles.Profile`, decoding each
/// sub-message with prost. Returns what was read and, on damage, where.
fn decode_fields(b: &[u8]) -> (proto::Profile, Option<(u64, String)>) {
    let mut p = proto::Profile::default();
    let mut at = 0usize;
    while at < b.len() {
        let start = at;
        let fail = |m: String| (start as u64, m);
        let Some((tag, next)) = varint(b, at) else {
            return (p, Some(fail("a field tag runs past the end".into())));
        };
        at = next;
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                let Some((v, next)) = varint(b, at) else {
                    return (
                        p,
                        Some(fail(format!("field {field}: a number runs past the end"))),
                    );
                };
                at = next;
                let v = v as i64;
                match field {
                    7 => p.drop_frames = v,
                    8 => p.keep_frames = v,
                    9 => p.time_nanos = v,
                    10 => p.duration_nanos = v,
                    12 => p.period = v,
                    13 => p.comment.push(v),
                    14 => p.default_sample_type = v,
                    15 => p.doc_url = v,
                    _ => {}
                }
            }
            2 => {
                let Some((len, next)) = varint(b, at) else {
                    return (
                        p,
                        Some(fail(format!("field {field}: a length runs past the end"))),
                    );
                };
                let end = usize::try_from(len).ok().and_then(|l| next.checked_add(l));
                let Some(end) = end.filter(|&e| e <= b.len()) else {
                    return (
                        p,
                        Some(fail(format!(
                            "field {field} claims {len} bytes, {} remain",
                            b.len().saturating_sub(next)
                        ))),
                    );
                };
                let body = &b[next..end];
                at = end;
                let r: Result<(), String> = (|| {
                    let e = |e: prost::DecodeError| e.to_string();
                    match field {
                        1 => p
                            .sample_type
                            .push(proto::ValueType::decode(body).map_err(e)?),
                        2 => p.sample.push(proto::Sample::decode(body).map_err(e)?),
                        3 => p.mapping.push(proto::Mapping::decode(body).map_err(e)?),
                        4 => p.location.push(proto::Location::decode(body).map_err(e)?),
                        5 => p.function.push(proto::Function::decode(body).map_err(e)?),
                        6 => p
                            .string_table
                            .push(String::from_utf8(body.to_vec()).unwrap_or_else(|e| {
                                String::from_utf8_lossy(e.as_bytes()).into_owned()
                            })),
                        11 => p.period_type = Some(proto::ValueType::decode(body).map_err(e)?),
                        // A packed `repeated int64 comment`.
                        13 => {
                            let mut i = 0;
                            while i < body.len() {
                                let (v, n) = varint(body, i).ok_or_else(|| {
                                    "packed comment list runs past its end".to_string()
                                })?;
                                p.comment.push(v as i64);
                                i = n;
                            }
                        }
                        _ => {}
                    }
                    Ok(())
                })();
                if let Err(e) = r {
                    return (p, Some(fail(format!("field {field}: {e}"))));
                }
            }
            1 => at += 8,
            5 => at += 4,
            _ => {
                return (
                    p,
                    Some(fail(format!("field {field}: unknown wire type {wire}"))),
                )
            }
        }
        if at > b.len() {
            return (p, Some(fail(format!("field {field} runs past the end"))));
        }
    }
    (p, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Vec<u8> {
        let p = proto::Profile {
            sample_type: vec![proto::ValueType { r#type: 1, unit: 2 }],
            sample: vec![proto::Sample {
                location_id: vec![1],
                value: vec![7],
                label: vec![],
            }],
            location: vec![proto::Location {
                id: 1,
                line: vec![proto::Line {
                    function_id: 1,
                    line: 12,
                    column: 0,
                }],
                ..Default::default()
            }],
            function: vec![proto::Function {
                id: 1,
                name: 3,
                system_name: 3,
                filename: 4,
                start_line: 10,
            }],
            string_table: vec![
                "".into(),
                "samples".into(),
                "count".into(),
                "main.f".into(),
                "/a.go".into(),
            ],
            ..Default::default()
        };
        p.encode_to_vec()
    }

    #[test]
    fn whole_and_cut_profiles() {
        let b = tiny();
        let p = read(&b).unwrap();
        assert!(!p.partial);
        assert_eq!(p.raw.sample.len(), 1);
        // Cut at every byte: an error or what precedes the cut, never a
        // panic. (A cut between two fields cannot be told from a shorter
        // profile: protobuf has no end marker.)
        for cut in 0..b.len() {
            match read(&b[..cut]) {
                Ok(p) => assert!(p.raw.sample.len() <= 1),
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }

    #[test]
    fn absurd_lengths_are_refused_without_allocating() {
        // sample_type field claiming 2^62 bytes.
        let b = [
            0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f, 0x00,
        ];
        match read(&b) {
            Err(ReadError::Damaged { offset, .. }) => assert_eq!(offset, 0),
            other => panic!("{other:?}"),
        }
    }
}
