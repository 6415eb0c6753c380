//! Digests of signed byte ranges, sharing the work. Every signature's first range starts at
//! the file's first byte, and in signing order each ends further on; so one running hash
//! per algorithm is advanced along the file and copied where a signature's first range
//! ends, then finished with that signature's second range. A file with two signatures is
//! hashed about once, not twice.

use ring::digest::Context;

use crate::crypto::Hash;

pub(crate) struct RangeDigests<'a> {
    bytes: &'a [u8],
    running: Vec<(Hash, Context, usize)>,
}

impl<'a> RangeDigests<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> RangeDigests<'a> {
        RangeDigests {
            bytes,
            running: Vec::new(),
        }
    }

    /// The digest of `[r0, r0+r1) + [r2, r2+r3)` (ranges already checked to be in the file).
    pub(crate) fn digest(&mut self, r: [usize; 4], h: Hash) -> Vec<u8> {
        let first_end = r[0].saturating_add(r[1]);
        let idx = match self
            .running
            .iter()
            .position(|(rh, _, pos)| *rh == h && *pos <= first_end && r[0] == 0)
        {
            Some(i) => i,
            None => {
                self.running.retain(|(rh, _, _)| *rh != h);
                self.running.push((h, h.context(), r[0]));
                self.running.len() - 1
            }
        };
        let Some((_, ctx, pos)) = self.running.get_mut(idx) else {
            return Vec::new();
        };
        ctx.update(self.bytes.get(*pos..first_end).unwrap_or_default());
        *pos = first_end;
        let mut c = ctx.clone();
        c.update(
            self.bytes
                .get(r[2]..r[2].saturating_add(r[3]))
                .unwrap_or_default(),
        );
        c.finish().as_ref().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_prefixes_give_the_same_digests_in_any_order() {
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let plain = |r: [usize; 4]| {
            let mut v = bytes[r[0]..r[0] + r[1]].to_vec();
            v.extend_from_slice(&bytes[r[2]..r[2] + r[3]]);
            Hash::Sha256.digest(&v)
        };
        let ranges = [
            [0, 100, 200, 300],
            [0, 4000, 4100, 5900],
            [0, 50, 60, 10],
            [0, 9000, 9500, 500],
        ];
        let mut d = RangeDigests::new(&bytes);
        for r in ranges {
            assert_eq!(d.digest(r, Hash::Sha256), plain(r), "{r:?}");
            assert_eq!(d.digest(r, Hash::Sha1).len(), 20);
        }
    }
}
