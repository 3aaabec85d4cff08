//! Loading: decoding guest bytes into [`Val`]s, following pointers to
//! strings and lists.

use wit_parser::{Flags, FlagsRepr, Int, Type};

use super::bytes::{align_to, get, tail, u32_at};
use super::fast_path::{check_string_len, read_utf8};
use super::lifter::{Lifter, VAL_COST};
use super::list_bytes;
use super::memory::check_aligned;
use super::shape::{Cases, Shape};
use super::{AbiError, GuestMemory, Val};

impl<M: GuestMemory + ?Sized> Lifter<'_, M> {
    /// Decodes a value of type `ty` from the start of `bytes`, a host copy
    /// of guest memory at least `size_of(ty)` long.
    pub(crate) fn decode(&mut self, ty: &Type, bytes: &[u8]) -> Result<Val, AbiError> {
        self.charge(VAL_COST)?;
        Ok(match self.abi.shape(ty)? {
            Shape::Bool => Val::Bool(get::<1>(bytes, 0)?[0] != 0),
            Shape::U8 => Val::U8(u8::from_le_bytes(get(bytes, 0)?)),
            Shape::U16 => Val::U16(u16::from_le_bytes(get(bytes, 0)?)),
            Shape::U32 => Val::U32(u32::from_le_bytes(get(bytes, 0)?)),
            Shape::U64 => Val::U64(u64::from_le_bytes(get(bytes, 0)?)),
            Shape::S8 => Val::S8(i8::from_le_bytes(get(bytes, 0)?)),
            Shape::S16 => Val::S16(i16::from_le_bytes(get(bytes, 0)?)),
            Shape::S32 => Val::S32(i32::from_le_bytes(get(bytes, 0)?)),
            Shape::S64 => Val::S64(i64::from_le_bytes(get(bytes, 0)?)),
            Shape::F32 => Val::F32(f32::from_le_bytes(get(bytes, 0)?)),
            Shape::F64 => Val::F64(f64::from_le_bytes(get(bytes, 0)?)),
            Shape::Char => Val::Char(to_char(u32_at(bytes, 0)?)?),
            Shape::String => {
                let (ptr, len) = (u32_at(bytes, 0)?, u32_at(bytes, 4)?);
                Val::String(self.load_string(ptr, len)?)
            }
            Shape::List(elem) => {
                let (ptr, len) = (u32_at(bytes, 0)?, u32_at(bytes, 4)?);
                self.load_list_val(elem, ptr, len)?
            }
            Shape::Record(r) => {
                Val::Record(self.decode_fields(r.fields.iter().map(|f| &f.ty), bytes)?)
            }
            Shape::Tuple(t) => Val::Tuple(self.decode_fields(t.types.iter(), bytes)?),
            Shape::Flags(flags) => Val::Flags(decode_flags(flags, bytes)?),
            Shape::Cases(cases) => self.decode_cases(ty, cases, bytes)?,
            Shape::Own => Val::Own(u32_at(bytes, 0)?),
            Shape::Borrow => Val::Borrow(u32_at(bytes, 0)?),
        })
    }

    /// Decodes consecutive fields laid out as a record.
    pub(crate) fn decode_fields<'t>(
        &mut self,
        types: impl Iterator<Item = &'t Type>,
        bytes: &[u8],
    ) -> Result<Vec<Val>, AbiError> {
        let mut offset = 0;
        let mut fields = Vec::with_capacity(types.size_hint().0);
        for ty in types {
            offset = align_to(offset, self.abi.align_of(ty)? as usize);
            fields.push(self.decode(ty, tail(bytes, offset)?)?);
            offset += self.abi.size_of(ty)? as usize;
        }
        Ok(fields)
    }

    fn decode_cases(&mut self, ty: &Type, cases: Cases<'_>, bytes: &[u8]) -> Result<Val, AbiError> {
        let discriminant = match cases.tag() {
            Int::U8 => u32::from(get::<1>(bytes, 0)?[0]),
            Int::U16 => u32::from(u16::from_le_bytes(get(bytes, 0)?)),
            Int::U32 | Int::U64 => u32_at(bytes, 0)?,
        };
        let payload_type = cases
            .case(discriminant)
            .ok_or_else(|| AbiError::BadDiscriminant {
                ty: self.abi.type_name(ty),
                value: discriminant,
                cases: cases.len(),
            })?;
        let payload = match payload_type {
            None => None,
            Some(payload_type) => {
                let offset = self.abi.payload_offset(cases);
                Some(self.decode(payload_type, tail(bytes, offset)?)?)
            }
        };
        Ok(cases.build(discriminant, payload))
    }

    /// Loads a UTF-8 string of `len` bytes at `ptr`.
    pub(crate) fn load_string(&mut self, ptr: u32, len: u32) -> Result<String, AbiError> {
        check_string_len(len)?;
        self.mem.check_range(ptr, u64::from(len))?;
        self.charge(u64::from(len))?;
        read_utf8(self.mem, ptr, len)
    }

    /// Loads a list of `len` elements of type `elem` at `ptr`: a
    /// [`Val::Bytes`] for a `list<u8>`, a [`Val::List`] otherwise.
    pub(crate) fn load_list_val(
        &mut self,
        elem: &Type,
        ptr: u32,
        len: u32,
    ) -> Result<Val, AbiError> {
        if matches!(self.abi.shape(elem)?, Shape::U8) {
            return self.load_bytes(ptr, len).map(Val::Bytes);
        }
        self.load_list(elem, ptr, len).map(Val::List)
    }

    /// Loads the `len` bytes of a `list<u8>` at `ptr`, with one read.
    ///
    /// The checks are those of [`Lifter::load_list`] for one-byte,
    /// byte-aligned elements; only the budget differs, since no `Val` is
    /// made per element: the bytes are charged once, as a string's are.
    fn load_bytes(&mut self, ptr: u32, len: u32) -> Result<Vec<u8>, AbiError> {
        let len = list_bytes(u64::from(len), 1)?;
        self.read_bytes(ptr, len)
    }

    /// Loads a list of `len` elements of type `elem` at `ptr`.
    pub(crate) fn load_list(
        &mut self,
        elem: &Type,
        ptr: u32,
        len: u32,
    ) -> Result<Vec<Val>, AbiError> {
        let elem_size = self.abi.size_of(elem)?;
        let byte_len = list_bytes(u64::from(len), elem_size)?;
        check_aligned("list", ptr, self.abi.align_of(elem)?)?;
        self.mem.check_range(ptr, u64::from(byte_len))?;
        // Elements of a zero-sized type take no guest bytes, so the element
        // count is bounded by the budget alone.
        self.afford(u64::from(len) * VAL_COST)?;
        let bytes = self.read_bytes(ptr, byte_len)?;
        let mut items = Vec::with_capacity(len as usize);
        for index in 0..len as usize {
            items.push(self.decode(elem, tail(&bytes, index * elem_size as usize)?)?);
        }
        Ok(items)
    }
}

/// A `char` from its guest value, which must be a Unicode scalar value.
pub(crate) fn to_char(value: u32) -> Result<char, AbiError> {
    char::from_u32(value).ok_or(AbiError::InvalidChar { value })
}

/// The indices of the set flags; bits past the last flag are ignored.
fn decode_flags(flags: &Flags, bytes: &[u8]) -> Result<Vec<u32>, AbiError> {
    let count = flags.flags.len();
    let mut set = Vec::new();
    match flags.repr() {
        FlagsRepr::U8 => push_set_flags(&mut set, count, 0, u32::from(get::<1>(bytes, 0)?[0])),
        FlagsRepr::U16 => push_set_flags(
            &mut set,
            count,
            0,
            u32::from(u16::from_le_bytes(get(bytes, 0)?)),
        ),
        FlagsRepr::U32(words) => {
            for index in 0..words {
                push_set_flags(&mut set, count, index, u32_at(bytes, index * 4)?);
            }
        }
    }
    Ok(set)
}

/// Appends to `set` the indices below `count` whose bit is set in `word`,
/// the flag word number `index` (flags `32 * index` to `32 * index + 31`).
pub(crate) fn push_set_flags(set: &mut Vec<u32>, count: usize, index: usize, word: u32) {
    let first = index.saturating_mul(32);
    let bits = count.saturating_sub(first).min(32);
    let mut word = if bits == 32 {
        word
    } else {
        word & ((1 << bits) - 1)
    };
    while word != 0 {
        let bit = word.trailing_zeros();
        word &= word - 1;
        if let Ok(flag) = u32::try_from(first + bit as usize) {
            set.push(flag);
        }
    }
}
