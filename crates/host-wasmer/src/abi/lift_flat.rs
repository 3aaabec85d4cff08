//! Flat lifting: [`Val`]s from the core values of a call.

use wit_parser::{FlagsRepr, Type};

use super::core::{Core, Cursor, narrow};
use super::lifter::{Lifter, VAL_COST};
use super::load::{push_set_flags, to_char};
use super::shape::{Cases, Shape};
use super::{AbiError, GuestMemory, Val};

impl<M: GuestMemory + ?Sized> Lifter<'_, M> {
    /// Lifts a value of type `ty` from the next flat values of `cursor`.
    ///
    /// Integers narrower than 32 bits keep only their low bits, and any
    /// non-zero `i32` is `true`, as the canonical ABI specifies.
    pub(crate) fn lift_flat(
        &mut self,
        ty: &Type,
        cursor: &mut Cursor<'_>,
    ) -> Result<Val, AbiError> {
        self.charge(VAL_COST)?;
        Ok(match self.abi.shape(ty)? {
            Shape::Bool => Val::Bool(cursor.i32()? != 0),
            Shape::U8 => Val::U8(cursor.i32()? as u8),
            Shape::U16 => Val::U16(cursor.i32()? as u16),
            Shape::U32 => Val::U32(cursor.u32()?),
            Shape::U64 => Val::U64(cursor.i64()? as u64),
            Shape::S8 => Val::S8(cursor.i32()? as i8),
            Shape::S16 => Val::S16(cursor.i32()? as i16),
            Shape::S32 => Val::S32(cursor.i32()?),
            Shape::S64 => Val::S64(cursor.i64()?),
            Shape::F32 => Val::F32(cursor.f32()?),
            Shape::F64 => Val::F64(cursor.f64()?),
            Shape::Char => Val::Char(to_char(cursor.u32()?)?),
            Shape::String => {
                let (ptr, len) = (cursor.u32()?, cursor.u32()?);
                Val::String(self.load_string(ptr, len)?)
            }
            Shape::List(elem) => {
                let (ptr, len) = (cursor.u32()?, cursor.u32()?);
                self.load_list_val(elem, ptr, len)?
            }
            Shape::Record(r) => {
                Val::Record(self.lift_flat_fields(r.fields.iter().map(|f| &f.ty), cursor)?)
            }
            Shape::Tuple(t) => Val::Tuple(self.lift_flat_fields(t.types.iter(), cursor)?),
            Shape::Flags(flags) => {
                let words = match flags.repr() {
                    FlagsRepr::U8 | FlagsRepr::U16 => 1,
                    FlagsRepr::U32(count) => count,
                };
                let mut set = Vec::new();
                for index in 0..words {
                    push_set_flags(&mut set, flags.flags.len(), index, cursor.u32()?);
                }
                Val::Flags(set)
            }
            Shape::Cases(cases) => self.lift_flat_cases(ty, cases, cursor)?,
            Shape::Own => Val::Own(cursor.u32()?),
            Shape::Borrow => Val::Borrow(cursor.u32()?),
        })
    }

    /// Lifts consecutive values of `types` from `cursor`: a record's or a
    /// tuple's fields, or a function's flat parameters.
    pub(crate) fn lift_flat_fields<'t>(
        &mut self,
        types: impl ExactSizeIterator<Item = &'t Type>,
        cursor: &mut Cursor<'_>,
    ) -> Result<Vec<Val>, AbiError> {
        // Collecting `Result`s would lose the exact length and grow the
        // vector as it goes.
        let mut fields = Vec::with_capacity(types.len());
        for ty in types {
            fields.push(self.lift_flat(ty, cursor)?);
        }
        Ok(fields)
    }

    /// Lifts a variant-like value: the discriminant, then the joined
    /// payload slots, of which the case reads its own prefix (bit-cast back
    /// to its own types) and the rest is skipped.
    fn lift_flat_cases(
        &mut self,
        ty: &Type,
        cases: Cases<'_>,
        cursor: &mut Cursor<'_>,
    ) -> Result<Val, AbiError> {
        let abi = self.abi;
        let discriminant = cursor.u32()?;
        let payload_type = cases
            .case(discriminant)
            .ok_or_else(|| AbiError::BadDiscriminant {
                ty: abi.type_name(ty),
                value: discriminant,
                cases: cases.len(),
            })?;
        let joined = abi.flat_slice(ty)?.get(1..).unwrap_or_default();
        let slots = cursor.slots(joined)?;
        let Some(payload_type) = payload_type else {
            return Ok(cases.build(discriminant, None));
        };
        // The case reads a prefix of the slots, each narrowed from the
        // slot's joined type to its own: check that each narrowing exists
        // before reading any.
        let wanted = abi.flat_slice(payload_type)?;
        for (index, want) in wanted.iter().enumerate() {
            let have = joined.get(index).ok_or(AbiError::WrongCoreCount {
                expected: wanted.len(),
                found: joined.len(),
            })?;
            let (have, want) = (Core::of(*have), Core::of(*want));
            if narrow(&have.zero(), want).is_none() {
                return Err(AbiError::WrongCoreType {
                    index,
                    expected: want.name(),
                    found: have.name(),
                });
            }
        }
        let payload = slots.prefix(wanted.len()).ok_or(AbiError::WrongCoreCount {
            expected: wanted.len(),
            found: joined.len(),
        })?;
        let mut inner = Cursor::joined(payload);
        let value = self.lift_flat(payload_type, &mut inner)?;
        inner.finish()?;
        Ok(cases.build(discriminant, Some(value)))
    }
}
