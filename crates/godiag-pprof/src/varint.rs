//! Protobuf base-128 varints: one at an offset, and the lists that
//! `[packed = true]` fields hold (varints end to end).

/// The varint at `at`: its value and the offset after it; `None` when it
/// runs past the end of `b` or past ten bytes.
#[inline]
pub(crate) fn varint(b: &[u8], at: usize) -> Option<(u64, usize)> {
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

/// Calls `each` with every varint of a packed list, in order; returns how
/// many there were, or why the list is not one.
pub(crate) fn each_packed(packed: &[u8], mut each: impl FnMut(u64)) -> Result<usize, String> {
    let (mut at, mut n) = (0, 0);
    while at < packed.len() {
        let Some((v, next)) = varint(packed, at) else {
            // Ten bytes were there and none ended the number.
            return Err(if packed.len() - at >= 10 {
                "a packed list has a number longer than ten bytes".into()
            } else {
                "a packed list runs past its end".into()
            });
        };
        each(v);
        n += 1;
        at = next;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_lists_and_their_damage() {
        let mut got = Vec::new();
        assert_eq!(each_packed(&[0x01, 0xac, 0x02], |v| got.push(v)), Ok(2));
        assert_eq!(got, [1, 300]);
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(varint(&max, 0), Some((u64::MAX, 10)));
        assert!(each_packed(&[0x80], |_| {})
            .unwrap_err()
            .contains("past its end"));
        assert!(each_packed(&[0xff; 11], |_| {})
            .unwrap_err()
            .contains("longer than ten bytes"));
    }
}
