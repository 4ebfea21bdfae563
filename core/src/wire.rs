//! A reader of postcard's encoding for the two things start-up reads for
//! every record of the book: the entries of a stored pack and the fields of
//! a summary. Both are written with serde and postcard; serde's generic
//! reader takes about fifty calls to read one 16-byte id in the
//! size-optimised wasm, so these two are read here directly. The tests
//! check that both readers agree with postcard's on what it wrote, and
//! refuse what it refuses.

use crate::ids::DocId;

/// The bytes end early or hold a value postcard would not have written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed bytes: they end early or hold a value that is never written")]
pub struct Malformed;

pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    /// What is left to read.
    pub fn rest(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        let (head, tail) = self.bytes.split_at_checked(n).ok_or(Malformed)?;
        self.bytes = tail;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, Malformed> {
        let (&b, tail) = self.bytes.split_first().ok_or(Malformed)?;
        self.bytes = tail;
        Ok(b)
    }

    /// A LEB128 varint of at most `max_bytes` bytes whose value fits in `bits`.
    fn varint(&mut self, max_bytes: u32, bits: u32) -> Result<u64, Malformed> {
        // Most are lengths and counts below 128: one byte.
        if let Some((&b, tail)) = self.bytes.split_first()
            && b < 0x80
        {
            self.bytes = tail;
            return Ok(u64::from(b));
        }
        let mut value = 0u64;
        for i in 0..max_bytes {
            let b = self.byte()?;
            let part = u64::from(b & 0x7f);
            let shift = 7 * i;
            // The last byte may carry only the bits that are left.
            if shift + 7 > bits && part >> (bits - shift) != 0 {
                return Err(Malformed);
            }
            value |= part << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Malformed)
    }

    pub fn u32(&mut self) -> Result<u32, Malformed> {
        self.varint(5, 32).map(|v| v as u32)
    }

    pub fn u64(&mut self) -> Result<u64, Malformed> {
        self.varint(10, 64)
    }

    /// A length or count (`usize`, written as on the writer's platform).
    pub fn count(&mut self) -> Result<usize, Malformed> {
        usize::try_from(self.u64()?).map_err(|_| Malformed)
    }

    pub fn i32(&mut self) -> Result<i32, Malformed> {
        let z = self.u32()?;
        Ok((z >> 1) as i32 ^ -((z & 1) as i32))
    }

    pub fn i64(&mut self) -> Result<i64, Malformed> {
        let z = self.u64()?;
        Ok((z >> 1) as i64 ^ -((z & 1) as i64))
    }

    pub fn bool(&mut self) -> Result<bool, Malformed> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Malformed),
        }
    }

    /// An `Option`'s tag: whether a value follows.
    pub fn some(&mut self) -> Result<bool, Malformed> {
        self.bool()
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], Malformed> {
        let n = self.count()?;
        self.take(n)
    }

    pub fn str(&mut self) -> Result<&'a str, Malformed> {
        std::str::from_utf8(self.bytes()?).map_err(|_| Malformed)
    }

    pub fn id(&mut self) -> Result<DocId, Malformed> {
        let b = self.take(16)?;
        Ok(DocId(b.try_into().expect("16 bytes")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample<'a> {
        a: u32,
        b: u64,
        c: i32,
        d: i64,
        e: bool,
        f: Option<DocId>,
        g: &'a str,
        h: &'a [u8],
        i: usize,
    }

    fn read(bytes: &[u8]) -> Result<Sample<'_>, Malformed> {
        let mut r = Reader::new(bytes);
        Ok(Sample {
            a: r.u32()?,
            b: r.u64()?,
            c: r.i32()?,
            d: r.i64()?,
            e: r.bool()?,
            f: if r.some()? { Some(r.id()?) } else { None },
            g: r.str()?,
            h: r.bytes()?,
            i: r.count()?,
        })
    }

    proptest! {
        #[test]
        fn reads_what_postcard_writes(
            a: u32, b: u64, c: i32, d: i64, e: bool, f: Option<[u8; 16]>,
            g in ".{0,40}", h in proptest::collection::vec(any::<u8>(), 0..300), i: usize,
        ) {
            let s = Sample { a, b, c, d, e, f: f.map(DocId), g: &g, h: &h, i };
            let bytes = postcard::to_allocvec(&s).unwrap();
            prop_assert_eq!(read(&bytes), Ok(s));
        }

        #[test]
        fn refuses_what_postcard_refuses(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let ours = read(&bytes).ok();
            let theirs = postcard::from_bytes::<Sample<'_>>(&bytes).ok();
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn overlong_and_overflowing_varints_are_refused() {
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x0f]).u32(),
            Ok(u32::MAX)
        );
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x1f]).u32(),
            Err(Malformed)
        );
        assert_eq!(
            Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).u32(),
            Err(Malformed)
        );
        assert_eq!(Reader::new(&[0x80]).u64(), Err(Malformed));
        let mut max = [0xff; 10];
        max[9] = 0x01;
        assert_eq!(Reader::new(&max).u64(), Ok(u64::MAX));
        max[9] = 0x02;
        assert_eq!(Reader::new(&max).u64(), Err(Malformed));
        for bytes in [&[0x80, 0x80, 0x80, 0x80, 0x10][..], &max, &[0xff, 0x7f]] {
            let ours = Reader::new(bytes).u32().ok();
            assert_eq!(ours, postcard::from_bytes::<u32>(bytes).ok(), "{bytes:?}");
        }
        assert_eq!(Reader::new(&[2]).bool(), Err(Malformed));
        assert_eq!(Reader::new(&[3, b'a']).str(), Err(Malformed));
        assert_eq!(Reader::new(&[2, 0xc3, 0x28]).str(), Err(Malformed));
    }
}
