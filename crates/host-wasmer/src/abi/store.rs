//! Storing: encoding [`Val`]s into guest bytes, allocating strings and
//! lists with the guest's `cabi_realloc`.

use wit_parser::{Flags, FlagsRepr, Int, Type};

use super::bytes::{align_to, put, tail_mut};
use super::layout::{MAX_LIST_BYTE_LENGTH, MAX_STRING_BYTE_LENGTH};
use super::lowerer::Lowerer;
use super::memory::allocate;
use super::shape::Shape;
use super::{AbiError, GuestMemory, Val};

impl<M: GuestMemory + ?Sized> Lowerer<'_, M> {
    /// Encodes `val` at the start of `out`, a buffer at least
    /// `size_of(ty)` long that is later copied to guest memory.
    pub(crate) fn encode(&mut self, ty: &Type, val: &Val, out: &mut [u8]) -> Result<(), AbiError> {
        match (self.abi.shape(ty)?, val) {
            (Shape::Bool, Val::Bool(x)) => put(out, 0, &[u8::from(*x)]),
            (Shape::U8, Val::U8(x)) => put(out, 0, &x.to_le_bytes()),
            (Shape::U16, Val::U16(x)) => put(out, 0, &x.to_le_bytes()),
            (Shape::U32, Val::U32(x)) => put(out, 0, &x.to_le_bytes()),
            (Shape::U64, Val::U64(x)) => put(out, 0, &x.to_le_bytes()),
            (Shape::S8, Val::S8(x)) => put(out, 0, &x.to_le_bytes()),
            (Shape::S16, Val::S16(x)) => put(out, 0, &x.to_le_bytes()),
            (Shape::S32, Val::S32(x)) => put(out, 0, &x.to_le_bytes()),
            (Shape::S64, Val::S64(x)) => put(out, 0, &x.to_le_bytes()),
            (Shape::F32, Val::F32(x)) => put(out, 0, &x.to_le_bytes()),
            (Shape::F64, Val::F64(x)) => put(out, 0, &x.to_le_bytes()),
            (Shape::Char, Val::Char(x)) => put(out, 0, &u32::from(*x).to_le_bytes()),
            (Shape::String, Val::String(s)) => {
                let (ptr, len) = self.store_string(s)?;
                put(out, 0, &ptr.to_le_bytes())?;
                put(out, 4, &len.to_le_bytes())
            }
            (Shape::List(elem), Val::List(items)) => {
                let (ptr, len) = self.store_list(elem, items)?;
                put(out, 0, &ptr.to_le_bytes())?;
                put(out, 4, &len.to_le_bytes())
            }
            (Shape::Record(r), Val::Record(fields)) => {
                self.check_fields(ty, r.fields.len(), fields)?;
                self.encode_fields(r.fields.iter().map(|f| &f.ty), fields, out)
            }
            (Shape::Tuple(t), Val::Tuple(fields)) => {
                self.check_fields(ty, t.types.len(), fields)?;
                self.encode_fields(t.types.iter(), fields, out)
            }
            (Shape::Flags(flags), Val::Flags(set)) => {
                let words = self.flag_words(ty, flags, set)?;
                match flags.repr() {
                    FlagsRepr::U8 => {
                        put(out, 0, &words.first().map_or(0, |w| *w as u8).to_le_bytes())
                    }
                    FlagsRepr::U16 => put(
                        out,
                        0,
                        &words.first().map_or(0, |w| *w as u16).to_le_bytes(),
                    ),
                    FlagsRepr::U32(_) => words
                        .iter()
                        .enumerate()
                        .try_for_each(|(i, word)| put(out, i * 4, &word.to_le_bytes())),
                }
            }
            (Shape::Cases(cases), _) => {
                let (case, payload) = self.split(ty, cases, val)?;
                match cases.tag() {
                    Int::U8 => put(out, 0, &[case as u8])?,
                    Int::U16 => put(out, 0, &(case as u16).to_le_bytes())?,
                    Int::U32 | Int::U64 => put(out, 0, &case.to_le_bytes())?,
                }
                match payload {
                    Some((payload_type, payload)) => {
                        let offset = self.abi.payload_offset(cases);
                        self.encode(payload_type, payload, tail_mut(out, offset)?)
                    }
                    None => Ok(()),
                }
            }
            (Shape::Own, Val::Own(handle)) | (Shape::Borrow, Val::Borrow(handle)) => {
                put(out, 0, &handle.to_le_bytes())
            }
            _ => Err(self.mismatch(ty, val)),
        }
    }

    /// Encodes consecutive fields laid out as a record; the caller has
    /// checked that there is one value per type.
    pub(crate) fn encode_fields<'t>(
        &mut self,
        types: impl Iterator<Item = &'t Type>,
        fields: &[Val],
        out: &mut [u8],
    ) -> Result<(), AbiError> {
        let mut offset = 0;
        for (ty, field) in types.zip(fields) {
            offset = align_to(offset, self.abi.align_of(ty)? as usize);
            self.encode(ty, field, tail_mut(out, offset)?)?;
            offset += self.abi.size_of(ty)? as usize;
        }
        Ok(())
    }

    /// Copies `s` into a fresh guest allocation; returns `(ptr, len)`.
    pub(crate) fn store_string(&mut self, s: &str) -> Result<(u32, u32), AbiError> {
        let len = u32::try_from(s.len())
            .ok()
            .filter(|len| *len <= MAX_STRING_BYTE_LENGTH)
            .ok_or(AbiError::TooLong {
                what: "string",
                len: s.len() as u64,
                max: u64::from(MAX_STRING_BYTE_LENGTH),
            })?;
        let ptr = allocate(self.mem, 1, len)?;
        self.mem.write(ptr, s.as_bytes())?;
        Ok((ptr, len))
    }

    /// Encodes `items` into a fresh guest allocation aligned for `elem`;
    /// returns `(ptr, len)`.
    pub(crate) fn store_list(
        &mut self,
        elem: &Type,
        items: &[Val],
    ) -> Result<(u32, u32), AbiError> {
        let elem_size = self.abi.size_of(elem)?;
        let overflow = AbiError::LengthOverflow {
            what: "list",
            count: items.len() as u64,
            elem_size,
        };
        let count = u32::try_from(items.len()).map_err(|_| overflow.clone())?;
        let byte_len = count.checked_mul(elem_size).ok_or(overflow)?;
        if byte_len > MAX_LIST_BYTE_LENGTH {
            return Err(AbiError::TooLong {
                what: "list",
                len: u64::from(byte_len),
                max: u64::from(MAX_LIST_BYTE_LENGTH),
            });
        }
        let ptr = allocate(self.mem, self.abi.align_of(elem)?, byte_len)?;
        let mut bytes = vec![0; byte_len as usize];
        for (index, item) in items.iter().enumerate() {
            self.encode(
                elem,
                item,
                tail_mut(&mut bytes, index * elem_size as usize)?,
            )?;
        }
        self.mem.write(ptr, &bytes)?;
        Ok((ptr, count))
    }

    /// The flag words of a set of flag indices, checking each index.
    pub(crate) fn flag_words(
        &self,
        ty: &Type,
        flags: &Flags,
        set: &[u32],
    ) -> Result<Vec<u32>, AbiError> {
        let count = flags.flags.len();
        let mut words = vec![0u32; count.div_ceil(32)];
        for &flag in set {
            let word = usize::try_from(flag)
                .ok()
                .filter(|i| *i < count)
                .and_then(|i| words.get_mut(i / 32))
                .ok_or_else(|| AbiError::UnknownFlag {
                    ty: self.abi.type_name(ty),
                    flag,
                    count,
                })?;
            *word |= 1 << (flag % 32);
        }
        Ok(words)
    }
}
