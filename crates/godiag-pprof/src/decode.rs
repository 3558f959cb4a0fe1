//! Bytes → [`Profile`]: gunzip (capped), then either protobuf, walked field by
//! field, or one of the legacy text formats.

use prost::Message;

use crate::error::ReadError;
use crate::legacy;
use crate::proto;
use crate::stacks::Stacks;
use crate::varint::{each_packed, varint};
use crate::view::{Profile, SourceFormat};

/// Decompressed profiles beyond this are not read: real profiles are a few
/// MB at most, and a small gzip member can otherwise expand without bound.
const MAX_DECOMPRESSED: u64 = 1 << 30;

/// Gzipped profiles from this size on are decoded while they inflate (on
/// another thread); smaller ones are not worth a thread.
const OVERLAP_FROM: usize = 64 << 10;

/// Reads a profile. Damage after some fields yields a `partial` profile
/// with a warning naming the offset; damage before anything usable is an error.
pub fn read(data: &[u8]) -> Result<Profile, ReadError> {
    if !data.starts_with(&[0x1f, 0x8b]) {
        if let Some(p) = legacy::read(data) {
            return p;
        }
        let (raw, stacks, damage) = decode_fields(data);
        return profile(raw, stacks, damage, Vec::new(), false, false);
    }
    let mut warnings = Vec::new();
    let mut partial = false;
    // Decoded as it inflates: fields wholly inflated are decoded, and their
    // bytes let go, while the rest inflates.
    let mut feed = Feed::default();
    feed.stacks.reserve(inflated_size_hint(data));
    let overlap = data.len() >= OVERLAP_FROM;
    let (total, error) =
        crate::inflate::inflate(data, MAX_DECOMPRESSED, overlap, |piece| feed.push(piece));
    if let Some(e) = error {
        if total == 0 {
            return Err(ReadError::NotAProfile(format!(
                "gzip data that does not decompress: {e}"
            )));
        }
        partial = true;
        warnings.push(format!(
            "the gzip stream is damaged after {total} decompressed bytes ({e}); reading what precedes",
        ));
    } else if total == MAX_DECOMPRESSED {
        partial = true;
        warnings.push(format!(
            "decompressed profile cut at {MAX_DECOMPRESSED} bytes"
        ));
    }
    if feed.proto != Some(true) {
        // A legacy text profile, or one too short to tell: all of it is
        // in the buffer.
        if let Some(p) = legacy::read(&feed.buffer) {
            let mut p = p?;
            p.warnings.extend(warnings);
            p.partial |= partial;
            return Ok(p);
        }
        let (raw, stacks, damage) = decode_fields(&feed.buffer);
        return profile(raw, stacks, damage, warnings, partial, true);
    }
    let damage = match feed.damage.take() {
        Some(d) => Some(d),
        None => decode_fields_from(
            &mut feed.profile,
            &mut feed.stacks,
            &feed.buffer,
            &mut feed.at,
            true,
        )
        .map(|(offset, m)| (offset + feed.base, m)),
    };
    profile(feed.profile, feed.stacks, damage, warnings, partial, true)
}

/// Reservations made from a gzip member's own size field stop here: it
/// is a hint, and a larger profile grows past it as it decodes.
const HINT_CAP: usize = 64 << 20;

/// The size a gzip member says it inflates to (its trailer's ISIZE, the
/// size mod 2^32), bounded by the most deflate can expand the bytes that
/// are there (1032:1) and by [`HINT_CAP`]: what the stacks reserve, so
/// that they do not grow by copying. Reserved pages that are never written
/// cost nothing.
fn inflated_size_hint(gz: &[u8]) -> usize {
    let Some(trailer) = gz.len().checked_sub(4).and_then(|at| gz.get(at..)) else {
        return 0;
    };
    let isize = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]) as usize;
    // A member that says it inflates to less than its own size is damaged
    // or tiny: nothing worth reserving.
    if isize < gz.len() {
        return 0;
    }
    isize.min(gz.len().saturating_mul(1032)).min(HINT_CAP)
}

/// A protobuf profile arriving piece by piece, decoded field by field as
/// each is whole; decoded bytes are let go (only the field in progress is
/// kept). A legacy text profile is kept whole.
#[derive(Default)]
struct Feed {
    buffer: Vec<u8>,
    /// Bytes let go before `buffer[0]`.
    base: u64,
    /// Where decoding stopped in `buffer`.
    at: usize,
    profile: proto::Profile,
    stacks: Stacks,
    /// Damage met on the way (offset from the profile's start): decoding
    /// stops there.
    damage: Option<(u64, String)>,
    /// Whether this is a protobuf (decided on its first bytes).
    proto: Option<bool>,
}

impl Feed {
    fn push(&mut self, piece: &[u8]) {
        self.buffer.extend_from_slice(piece);
        if self.proto.is_none() && self.buffer.len() >= legacy::HEAD {
            self.proto = Some(legacy::format_of(&self.buffer).is_none());
        }
        if self.proto != Some(true) || self.damage.is_some() {
            return;
        }
        self.damage = decode_fields_from(
            &mut self.profile,
            &mut self.stacks,
            &self.buffer,
            &mut self.at,
            false,
        )
        .map(|(offset, m)| (offset + self.base, m));
        if self.damage.is_none() && self.at > 0 {
            self.buffer.drain(..self.at);
            self.base += self.at as u64;
            self.at = 0;
        }
    }
}

/// The profile from its decoded fields, damage noted.
fn profile(
    raw: proto::Profile,
    stacks: Stacks,
    damage: Option<(u64, String)>,
    mut warnings: Vec<String>,
    mut partial: bool,
    gzipped: bool,
) -> Result<Profile, ReadError> {
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
    Ok(Profile::with_stacks(
        raw,
        stacks,
        SourceFormat::Proto { gzipped },
        partial,
        warnings,
    ))
}

/// Walks the top-level fields of `perftools.profiles.Profile`, decoding each
/// sub-message with prost. Returns what was read and, on damage, where.
fn decode_fields(b: &[u8]) -> (proto::Profile, Stacks, Option<(u64, String)>) {
    let mut p = proto::Profile::default();
    let mut stacks = Stacks::default();
    // Each list sized once by the fields really there.
    let counts = count_fields(b);
    p.sample.reserve_exact(counts[2]);
    p.location.reserve_exact(counts[4]);
    p.function.reserve_exact(counts[5]);
    p.string_table.reserve_exact(counts[6]);
    let mut at = 0;
    let damage = decode_fields_from(&mut p, &mut stacks, b, &mut at, true);
    (p, stacks, damage)
}

/// Decodes the top-level fields of `b` from `*at` into `p`. With
/// `complete` false, `b` is a prefix of the profile still arriving: it
/// stops before a field that is not all there, with `*at` at its start,
/// and says nothing of damage. With `complete`, `b` is all of it, and
/// damage is returned with its offset.
fn decode_fields_from(
    p: &mut proto::Profile,
    stacks: &mut Stacks,
    b: &[u8],
    at: &mut usize,
    complete: bool,
) -> Option<(u64, String)> {
    while *at < b.len() {
        let start = *at;
        // Not all there yet: wait for more (`None`, `*at` unchanged).
        macro_rules! or_wait {
            ($e:expr, $damage:expr) => {
                match $e {
                    Some(v) => v,
                    None if !complete => {
                        *at = start;
                        return None;
                    }
                    None => return Some((start as u64, $damage)),
                }
            };
        }
        let (tag, next) = or_wait!(varint(b, start), "a field tag runs past the end".into());
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                let (v, next) = or_wait!(
                    varint(b, next),
                    format!("field {field}: a number runs past the end")
                );
                *at = next;
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
                let (len, next) = or_wait!(
                    varint(b, next),
                    format!("field {field}: a length runs past the end")
                );
                let end = usize::try_from(len).ok().and_then(|l| next.checked_add(l));
                let end = or_wait!(
                    end.filter(|&e| e <= b.len()),
                    format!(
                        "field {field} claims {len} bytes, {} remain",
                        b.len().saturating_sub(next)
                    )
                );
                let body = &b[next..end];
                *at = end;
                if let Err(e) = decode_field(p, stacks, field, body) {
                    return Some((start as u64, format!("field {field}: {e}")));
                }
            }
            1 | 5 => {
                let width = if wire == 1 { 8 } else { 4 };
                *at = or_wait!(
                    next.checked_add(width).filter(|&e| e <= b.len()),
                    format!("field {field} runs past the end")
                );
            }
            _ => {
                return Some((
                    start as u64,
                    format!("field {field}: unknown wire type {wire}"),
                ))
            }
        }
    }
    None
}

/// One length-delimited top-level field into `p`.
fn decode_field(
    p: &mut proto::Profile,
    stacks: &mut Stacks,
    field: u64,
    body: &[u8],
) -> Result<(), String> {
    let e = |e: prost::DecodeError| e.to_string();
    match field {
        1 => p
            .sample_type
            .push(proto::ValueType::decode(body).map_err(e)?),
        2 => p.sample.push(decode_sample(body, stacks)?),
        3 => p.mapping.push(proto::Mapping::decode(body).map_err(e)?),
        4 => p.location.push(proto::Location::decode(body).map_err(e)?),
        5 => p.function.push(proto::Function::decode(body).map_err(e)?),
        6 => p.string_table.push(
            String::from_utf8(body.to_vec())
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        11 => p.period_type = Some(proto::ValueType::decode(body).map_err(e)?),
        // A packed `repeated int64 comment`.
        13 => {
            each_packed(body, |v| p.comment.push(v as i64))
                .map_err(|_| "packed comment list runs past its end".to_string())?;
        }
        _ => {}
    }
    Ok(())
}

/// How many length-delimited top-level fields of each number 1–15 there
/// are, walking the tags and skipping the bodies; stops at damage.
fn count_fields(b: &[u8]) -> [usize; 16] {
    let mut counts = [0usize; 16];
    let mut at = 0usize;
    while let Some((tag, next)) = varint(b, at) {
        at = next;
        let skip = match tag & 7 {
            0 => varint(b, at).map(|(_, n)| n - at),
            1 => Some(8),
            5 => Some(4),
            2 => varint(b, at).and_then(|(len, n)| {
                let field = (tag >> 3) as usize;
                if field < counts.len() {
                    counts[field] += 1;
                }
                usize::try_from(len).ok()?.checked_add(n - at)
            }),
            _ => None,
        };
        match skip
            .and_then(|s| at.checked_add(s))
            .filter(|&e| e <= b.len())
        {
            Some(end) => at = end,
            None => break,
        }
    }
    counts
}

/// The varints of a packed field, each list allocated once at its size
/// (the bytes that end a varint); prost grows it by doubling instead.
fn packed_varints(body: &[u8]) -> Result<Vec<u64>, String> {
    let mut out = Vec::with_capacity(body.iter().filter(|&&b| b < 0x80).count());
    each_packed(body, |v| out.push(v))?;
    Ok(out)
}

/// A `Sample`: its values and labels, and its location ids appended to
/// `stacks` (the sample's `location_id` stays empty). Unpacked elements are
/// accepted too, as protobuf requires. On damage nothing is kept.
fn decode_sample(b: &[u8], stacks: &mut Stacks) -> Result<proto::Sample, String> {
    let decoded = decode_sample_fields(b, stacks);
    match decoded {
        Ok(_) => stacks.finish_sample(),
        Err(_) => stacks.abandon_sample(),
    }
    decoded
}

fn decode_sample_fields(b: &[u8], stacks: &mut Stacks) -> Result<proto::Sample, String> {
    let mut s = proto::Sample::default();
    let mut at = 0usize;
    while at < b.len() {
        let (tag, next) = varint(b, at).ok_or("a sample's field tag runs past its end")?;
        at = next;
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                let (v, next) = varint(b, at).ok_or("a sample's number runs past its end")?;
                at = next;
                match field {
                    1 => stacks.append(v),
                    2 => s.value.push(v as i64),
                    _ => {}
                }
            }
            2 => {
                let (len, next) = varint(b, at).ok_or("a sample's length runs past its end")?;
                let end = usize::try_from(len)
                    .ok()
                    .and_then(|l| next.checked_add(l))
                    .filter(|&e| e <= b.len())
                    .ok_or_else(|| format!("a sample's field {field} claims {len} bytes"))?;
                let body = &b[next..end];
                at = end;
                match field {
                    1 => stacks.append_packed(body)?,
                    2 if s.value.is_empty() => {
                        s.value = packed_varints(body)?
                            .into_iter()
                            .map(|v| v as i64)
                            .collect()
                    }
                    2 => s
                        .value
                        .extend(packed_varints(body)?.into_iter().map(|v| v as i64)),
                    3 => {
                        // Most samples carry one label (a heap profile's
                        // `bytes`): room for one, not the four a first push
                        // makes (96 bytes a sample).
                        if s.label.capacity() == 0 {
                            s.label.reserve_exact(1);
                        }
                        s.label
                            .push(proto::Label::decode(body).map_err(|e| e.to_string())?)
                    }
                    _ => {}
                }
            }
            1 => at += 8,
            5 => at += 4,
            _ => return Err(format!("a sample's field {field} has wire type {wire}")),
        }
        if at > b.len() {
            return Err(format!("a sample's field {field} runs past its end"));
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_hint_from_the_gzip_trailer() {
        let member = |isize: u32, len: usize| {
            let mut gz = vec![0u8; len];
            gz[len - 4..].copy_from_slice(&isize.to_le_bytes());
            gz
        };
        assert_eq!(inflated_size_hint(&member(4096, 100)), 4096);
        // At most what deflate can expand the bytes that are there to.
        assert_eq!(inflated_size_hint(&member(u32::MAX, 100)), 103_200);
        assert_eq!(inflated_size_hint(&member(u32::MAX, 1 << 20)), HINT_CAP);
        // Less than the member's own size: damaged or tiny, no hint.
        assert_eq!(inflated_size_hint(&member(10, 100)), 0);
        assert_eq!(inflated_size_hint(&[1, 2, 3]), 0);
    }

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
    fn undefined_locations_are_counted_and_skipped() {
        let mut p = proto::Profile::decode(&tiny()[..]).unwrap();
        p.sample[0].location_id = vec![1, 99, 0, 1];
        let read = read(&p.encode_to_vec()).unwrap();
        assert!(
            read.warnings
                .iter()
                .any(|w| w.starts_with("2 stack frames name locations")),
            "{:?}",
            read.warnings
        );
        assert_eq!(read.location_ids(0).collect::<Vec<_>>(), [1, 99, 0, 1]);
        assert_eq!(read.sample_stack(0).count(), 2);
        // In range: no warning.
        let whole = read_ok_tiny();
        assert!(whole.warnings.is_empty(), "{:?}", whole.warnings);
    }

    fn read_ok_tiny() -> Profile {
        read(&tiny()).unwrap()
    }

    #[test]
    fn samples_decode_as_prost_decodes_them() {
        let samples = [
            proto::Sample {
                location_id: vec![1, 300, u64::MAX],
                value: vec![-1, 0, i64::MAX, i64::MIN],
                label: vec![proto::Label {
                    key: 1,
                    str: 2,
                    num: 3,
                    num_unit: 4,
                }],
            },
            proto::Sample::default(),
        ];
        for s in samples {
            let b = s.encode_to_vec();
            let mut stacks = Stacks::default();
            let ours = decode_sample(&b, &mut stacks).unwrap();
            assert_eq!((&ours.value, &ours.label), (&s.value, &s.label));
            assert_eq!(stacks.ids(0).collect::<Vec<_>>(), s.location_id);
            for cut in 0..b.len() {
                let mut stacks = Stacks::default();
                let ours = decode_sample(&b[..cut], &mut stacks).is_ok();
                let prost = proto::Sample::decode(&b[..cut]).is_ok();
                assert_eq!(ours, prost, "cut at {cut}");
                assert_eq!(stacks.len(), usize::from(ours));
            }
        }
        // Unpacked elements, as an older writer may send them.
        let unpacked = [0x08, 0x05, 0x08, 0x06, 0x10, 0x07];
        let mut stacks = Stacks::default();
        let s = decode_sample(&unpacked, &mut stacks).unwrap();
        assert_eq!(s.value, vec![7]);
        assert_eq!(stacks.ids(0).collect::<Vec<_>>(), [5, 6]);
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
