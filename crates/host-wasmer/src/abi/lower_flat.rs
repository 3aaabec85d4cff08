//! Flat lowering: core values for the [`Val`]s of a call.

use wasmer::Value;
use wit_parser::Type;

use super::core::{Core, widen};
use super::lowerer::Lowerer;
use super::shape::{Cases, Shape};
use super::store::flag_word;
use super::{AbiError, GuestMemory, Val};

impl<M: GuestMemory + ?Sized> Lowerer<'_, M> {
    /// Appends the flat core values of `val`, of type `ty`, to `out`.
    pub(crate) fn lower_flat(
        &mut self,
        ty: &Type,
        val: &Val,
        out: &mut Vec<Value>,
    ) -> Result<(), AbiError> {
        // Integers are passed by bits: sign-agnostic casts are intended.
        let core = match (self.abi.shape(ty)?, val) {
            (Shape::Bool, Val::Bool(x)) => Value::I32(i32::from(*x)),
            (Shape::U8, Val::U8(x)) => Value::I32(i32::from(*x)),
            (Shape::U16, Val::U16(x)) => Value::I32(i32::from(*x)),
            (Shape::U32, Val::U32(x)) => Value::I32(*x as i32),
            (Shape::U64, Val::U64(x)) => Value::I64(*x as i64),
            (Shape::S8, Val::S8(x)) => Value::I32(i32::from(*x)),
            (Shape::S16, Val::S16(x)) => Value::I32(i32::from(*x)),
            (Shape::S32, Val::S32(x)) => Value::I32(*x),
            (Shape::S64, Val::S64(x)) => Value::I64(*x),
            (Shape::F32, Val::F32(x)) => Value::F32(*x),
            (Shape::F64, Val::F64(x)) => Value::F64(*x),
            (Shape::Char, Val::Char(x)) => Value::I32(u32::from(*x) as i32),
            (Shape::Own, Val::Own(h)) | (Shape::Borrow, Val::Borrow(h)) => Value::I32(*h as i32),
            (Shape::String, Val::String(s)) => {
                let (ptr, len) = self.store_string(s)?;
                out.extend([Value::I32(ptr as i32), Value::I32(len as i32)]);
                return Ok(());
            }
            (Shape::List(elem), Val::List(_) | Val::Bytes(_)) => {
                let (ptr, len) = self.store_list_val(ty, elem, val)?;
                out.extend([Value::I32(ptr as i32), Value::I32(len as i32)]);
                return Ok(());
            }
            (Shape::Record(r), Val::Record(fields)) => {
                self.check_fields(ty, r.fields.len(), fields)?;
                return r
                    .fields
                    .iter()
                    .zip(fields)
                    .try_for_each(|(f, v)| self.lower_flat(&f.ty, v, out));
            }
            (Shape::Tuple(t), Val::Tuple(fields)) => {
                self.check_fields(ty, t.types.len(), fields)?;
                return t
                    .types
                    .iter()
                    .zip(fields)
                    .try_for_each(|(t, v)| self.lower_flat(t, v, out));
            }
            (Shape::Flags(flags), Val::Flags(set)) => {
                // One i32 per 32 flags, also for flags stored as u8 or u16.
                let words = self.check_flags(ty, flags, set)?;
                out.extend((0..words).map(|i| Value::I32(flag_word(set, i) as i32)));
                return Ok(());
            }
            (Shape::Cases(cases), _) => return self.lower_flat_cases(ty, cases, val, out),
            _ => return Err(self.mismatch(ty, val)),
        };
        out.push(core);
        Ok(())
    }

    /// Lowers a variant-like value: the discriminant, then the case's own
    /// flat values widened into the joined slots, then zeros for the slots
    /// the case does not use.
    fn lower_flat_cases(
        &mut self,
        ty: &Type,
        cases: Cases<'_>,
        val: &Val,
        out: &mut Vec<Value>,
    ) -> Result<(), AbiError> {
        let abi = self.abi;
        let (case, payload) = self.split(ty, cases, val)?;
        out.push(Value::I32(case as i32));
        let joined = abi.flat_slice(ty)?.get(1..).unwrap_or_default();
        let start = out.len();
        if let Some((payload_type, payload)) = payload {
            self.lower_flat(payload_type, payload, out)?;
        }
        let written = out.get_mut(start..).unwrap_or_default();
        if written.len() > joined.len() {
            return Err(AbiError::WrongCoreCount {
                expected: joined.len(),
                found: written.len(),
            });
        }
        for (index, (slot, want)) in written.iter_mut().zip(joined).enumerate() {
            let want = Core::of(*want);
            *slot = widen(slot, want).ok_or(AbiError::WrongCoreType {
                index,
                expected: want.name(),
                found: Core::of_value(slot).map_or("a reference", Core::name),
            })?;
        }
        let used = written.len();
        out.extend(joined.iter().skip(used).map(|w| Core::of(*w).zero()));
        Ok(())
    }
}
