//! Flat values as generated bindings carry them: every core value as the
//! 64 bits it occupies, so that a variant's joined slots need no coercion.
//!
//! The canonical ABI joins the flat types of a variant's cases (an `f32`
//! case and an `i32` case share one `i32` slot; an `i32` and an `i64` one
//! `i64` slot). Kept as raw bits, zero-extended, every such coercion is the
//! identity: an `f32` is its bits, an `i32` its unsigned value, and reading
//! a narrower value from a wider slot keeps the low bits, as the ABI's
//! `wrap_i64_to_i32` does.

/// The flat values of one parameter list, read in order.
///
/// Reading past the end gives zero: generated code reads exactly the values
/// a WIT type flattens to, so that never happens, and a host bug cannot
/// become a panic.
#[derive(Debug)]
pub struct Flat<'a> {
    values: &'a [u64],
    next: usize,
}

impl<'a> Flat<'a> {
    /// A cursor over `values`.
    #[inline]
    pub fn new(values: &'a [u64]) -> Self {
        Self { values, next: 0 }
    }

    /// The next value's bits.
    #[inline]
    pub fn next_bits(&mut self) -> u64 {
        let value = self.values.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        value
    }

    /// Skips `count` values: the unused slots of a variant's case.
    #[inline]
    pub fn skip(&mut self, count: usize) {
        self.next += count;
    }

    /// How many values have been read or skipped.
    #[inline]
    pub fn position(&self) -> usize {
        self.next
    }
}

/// The flat values of a lowered value, written in order.
#[derive(Debug)]
pub struct FlatOut<'a> {
    values: &'a mut [u64],
    next: usize,
}

impl<'a> FlatOut<'a> {
    /// A cursor writing into `values`, which start zeroed.
    #[inline]
    pub fn new(values: &'a mut [u64]) -> Self {
        Self { values, next: 0 }
    }

    /// Writes the next value's bits.
    #[inline]
    pub fn push(&mut self, bits: u64) {
        if let Some(slot) = self.values.get_mut(self.next) {
            *slot = bits;
        }
        self.next += 1;
    }

    /// Zeroes `count` values: the slots a variant's case leaves unused.
    #[inline]
    pub fn pad(&mut self, count: usize) {
        for _ in 0..count {
            self.push(0);
        }
    }

    /// How many values have been written.
    #[inline]
    pub fn position(&self) -> usize {
        self.next
    }
}

/// A core Wasm value type as a typed Wasmer function passes it: converted
/// to and from the 64 bits a [`Flat`] holds.
pub trait CoreBits: Copy {
    /// The value's bits, zero-extended.
    fn to_bits64(self) -> u64;
    /// The value from bits, keeping the low ones.
    fn from_bits64(bits: u64) -> Self;
}

impl CoreBits for i32 {
    #[inline]
    fn to_bits64(self) -> u64 {
        u64::from(self as u32)
    }
    #[inline]
    fn from_bits64(bits: u64) -> Self {
        bits as u32 as i32
    }
}

impl CoreBits for i64 {
    #[inline]
    fn to_bits64(self) -> u64 {
        self as u64
    }
    #[inline]
    fn from_bits64(bits: u64) -> Self {
        bits as i64
    }
}

impl CoreBits for f32 {
    #[inline]
    fn to_bits64(self) -> u64 {
        u64::from(self.to_bits())
    }
    #[inline]
    fn from_bits64(bits: u64) -> Self {
        f32::from_bits(bits as u32)
    }
}

impl CoreBits for f64 {
    #[inline]
    fn to_bits64(self) -> u64 {
        self.to_bits()
    }
    #[inline]
    fn from_bits64(bits: u64) -> Self {
        f64::from_bits(bits)
    }
}
