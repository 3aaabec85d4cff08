//! Storing: encoding [`Val`]s into guest bytes, allocating strings and
//! lists with the guest's `cabi_realloc`.

use wit_parser::{Flags, FlagsRepr, Int, Type};

use super::bytes::{align_to, put, tail_mut};
use super::lowerer::Lowerer;
use super::memory::allocate;
use super::shape::Shape;
use super::{AbiError, GuestMemory, Val};
use super::{MAX_STRING_BYTE_LENGTH, list_bytes};

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
            (Shape::List(elem), Val::List(_) | Val::Bytes(_)) => {
                let (ptr, len) = self.store_list_val(ty, elem, val)?;
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
                let words = self.check_flags(ty, flags, set)?;
                match flags.repr() {
                    FlagsRepr::U8 => put(out, 0, &[flag_word(set, 0) as u8]),
                    FlagsRepr::U16 => put(out, 0, &(flag_word(set, 0) as u16).to_le_bytes()),
                    FlagsRepr::U32(_) => (0..words)
                        .try_for_each(|i| put(out, i * 4, &flag_word(set, i).to_le_bytes())),
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

    /// Stores a list value, `val` of list type `ty` with elements of type
    /// `elem`, in a fresh guest allocation; returns `(ptr, len)`.
    ///
    /// A `list<u8>` takes either form of a byte list and is written with
    /// one `write`; [`Val::Bytes`] is a mismatch for any other list type.
    pub(crate) fn store_list_val(
        &mut self,
        ty: &Type,
        elem: &Type,
        val: &Val,
    ) -> Result<(u32, u32), AbiError> {
        let bytes = matches!(self.abi.shape(elem)?, Shape::U8);
        match val {
            Val::Bytes(data) if bytes => self.store_bytes(data),
            Val::List(items) if bytes => {
                // Every item is checked before anything is allocated.
                let mut data = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Val::U8(byte) => data.push(*byte),
                        other => return Err(self.mismatch(elem, other)),
                    }
                }
                self.store_bytes(&data)
            }
            Val::List(items) => self.store_list(elem, items),
            _ => Err(self.mismatch(ty, val)),
        }
    }

    /// Copies the bytes of a `list<u8>` into a fresh guest allocation, with
    /// the length checks of [`Lowerer::store_list`]; returns `(ptr, len)`.
    fn store_bytes(&mut self, data: &[u8]) -> Result<(u32, u32), AbiError> {
        let len = u32::try_from(data.len()).map_err(|_| AbiError::LengthOverflow {
            what: "list",
            count: data.len() as u64,
            elem_size: 1,
        })?;
        let len = list_bytes(u64::from(len), 1)?;
        let ptr = allocate(self.mem, 1, len)?;
        self.mem.write(ptr, data)?;
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
        count.checked_mul(elem_size).ok_or(overflow)?;
        let byte_len = list_bytes(u64::from(count), elem_size)?;
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

    /// Checks that every index of a set of flag indices names a flag;
    /// returns the number of 32-bit words the flags take.
    pub(crate) fn check_flags(
        &self,
        ty: &Type,
        flags: &Flags,
        set: &[u32],
    ) -> Result<usize, AbiError> {
        let count = flags.flags.len();
        if let Some(&flag) = set
            .iter()
            .find(|&&flag| usize::try_from(flag).map_or(true, |i| i >= count))
        {
            return Err(AbiError::UnknownFlag {
                ty: self.abi.type_name(ty),
                flag,
                count,
            });
        }
        Ok(count.div_ceil(32))
    }
}

/// Word `index` of a set of flag indices already checked by
/// [`Lowerer::check_flags`]: flags `32 * index` to `32 * index + 31`.
pub(crate) fn flag_word(set: &[u32], index: usize) -> u32 {
    set.iter()
        .filter(|&&flag| usize::try_from(flag / 32).is_ok_and(|word| word == index))
        .fold(0, |word, flag| word | 1 << (flag % 32))
}
