//! Where the generator's choices come from: a seeded [`Rng`] or a
//! fuzzer's [`Bytes`].

/// Where the generator's choices come from.
pub trait Source {
    /// 64 random bits.
    fn next(&mut self) -> u64;

    /// A number below `n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A string, given the 64 bits the value's generation drew first.
    fn string(&mut self, n: u64) -> String {
        let pool = [
            "",
            "a",
            "héllo",
            "ключ значение",
            "🦀 slots and handles",
            "tab\tnew\nline, and a longer string that spans several words",
        ];
        pool[(n % pool.len() as u64) as usize].to_string()
    }
}

/// A small deterministic generator (xorshift64*), so that a failing case is
/// reproduced from its seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// The generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
}

impl Source for Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Choices read from a fuzzer's bytes, front to back: a choice among up to
/// 256 takes one byte, among up to 65,536 two, 64 bits take eight, and a
/// string takes a length byte and a byte or more per character. Past the
/// end every byte reads as zero, so every input, however short, makes a
/// type and a value; and shorter inputs, made of smaller bytes, make
/// simpler ones, which is how proptest shrinks them.
#[derive(Clone, Debug)]
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// Choices from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
}

impl Source for Bytes<'_> {
    fn next(&mut self) -> u64 {
        let mut bits = [0u8; 8];
        for b in &mut bits {
            *b = self.byte();
        }
        u64::from_le_bytes(bits)
    }

    fn below(&mut self, n: u64) -> u64 {
        match n {
            0 | 1 => 0,
            2..=256 => u64::from(self.byte()) % n,
            257..=65536 => u64::from(u16::from_le_bytes([self.byte(), self.byte()])) % n,
            _ => self.next() % n,
        }
    }

    fn string(&mut self, _: u64) -> String {
        // Mostly ASCII, with two-, three- and four-byte characters.
        (0..self.byte() % 48)
            .map(|_| match self.byte() {
                b @ 0..=0x7f => char::from(b),
                0x80..=0xbf => char::from_u32(0x80 + u32::from(self.byte()) * 7).unwrap_or('é'),
                0xc0..=0xef => char::from_u32(0x800 + u32::from(self.byte()) * 0xf0).unwrap_or('€'),
                _ => char::from_u32(0x1_0000 + u32::from(self.byte()) * 0xff0).unwrap_or('🦀'),
            })
            .collect()
    }
}
