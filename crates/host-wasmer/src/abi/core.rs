//! Core Wasm values: their four types, the bit-casts a flattened variant
//! needs, and [`Cursor`], which hands out core values one checked type at a
//! time.

use wasmer::Value;
use wit_parser::abi::WasmType;

use super::AbiError;

/// The core type of a flat value. wit-parser's pointer and length types are
/// `i32` on a 32-bit guest, and `PointerOrI64` is an `i64`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Core {
    I32,
    I64,
    F32,
    F64,
}

impl Core {
    pub(crate) fn of(ty: WasmType) -> Core {
        match ty {
            WasmType::I32 | WasmType::Pointer | WasmType::Length => Core::I32,
            WasmType::I64 | WasmType::PointerOrI64 => Core::I64,
            WasmType::F32 => Core::F32,
            WasmType::F64 => Core::F64,
        }
    }

    pub(crate) fn of_value(value: &Value) -> Option<Core> {
        match value {
            Value::I32(_) => Some(Core::I32),
            Value::I64(_) => Some(Core::I64),
            Value::F32(_) => Some(Core::F32),
            Value::F64(_) => Some(Core::F64),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Core::I32 => "i32",
            Core::I64 => "i64",
            Core::F32 => "f32",
            Core::F64 => "f64",
        }
    }

    pub(crate) fn zero(self) -> Value {
        match self {
            Core::I32 => Value::I32(0),
            Core::I64 => Value::I64(0),
            Core::F32 => Value::F32(0.0),
            Core::F64 => Value::F64(0.0),
        }
    }
}

/// The name of a core value's type, for error messages.
fn value_name(value: &Value) -> &'static str {
    match Core::of_value(value) {
        Some(core) => core.name(),
        None => match value {
            Value::V128(_) => "v128",
            Value::ExternRef(_) => "externref",
            Value::FuncRef(_) => "funcref",
            _ => "a reference",
        },
    }
}

/// The wasmer type of a wit-parser flat type on a 32-bit guest.
///
/// ```
/// use host_wasmer::abi::core_type;
/// use wit_parser::abi::WasmType;
/// assert_eq!(core_type(WasmType::Pointer), wasmer::Type::I32);
/// assert_eq!(core_type(WasmType::PointerOrI64), wasmer::Type::I64);
/// ```
pub fn core_type(ty: WasmType) -> wasmer::Type {
    match Core::of(ty) {
        Core::I32 => wasmer::Type::I32,
        Core::I64 => wasmer::Type::I64,
        Core::F32 => wasmer::Type::F32,
        Core::F64 => wasmer::Type::F64,
    }
}

/// Checks `values` against the core signature `types`, count and types.
pub(crate) fn check_core(types: &[WasmType], values: &[Value]) -> Result<(), AbiError> {
    if types.len() != values.len() {
        return Err(AbiError::WrongCoreCount {
            expected: types.len(),
            found: values.len(),
        });
    }
    for (index, (ty, value)) in types.iter().zip(values).enumerate() {
        let expected = Core::of(*ty);
        if Core::of_value(value) != Some(expected) {
            return Err(AbiError::WrongCoreType {
                index,
                expected: expected.name(),
                found: value_name(value),
            });
        }
    }
    Ok(())
}

/// Reads a joined variant slot (`have`) as the core type one case's payload
/// wants, undoing the bit-casts and widening of [`widen`].
///
/// Following the canonical ABI, the high bits of an `i64` slot read as a
/// 32-bit value are ignored, not checked.
pub(crate) fn narrow(value: &Value, want: Core) -> Option<Value> {
    Some(match (value, want) {
        (Value::I32(x), Core::I32) => Value::I32(*x),
        (Value::I64(x), Core::I64) => Value::I64(*x),
        (Value::F32(x), Core::F32) => Value::F32(*x),
        (Value::F64(x), Core::F64) => Value::F64(*x),
        (Value::I32(x), Core::F32) => Value::F32(f32::from_bits(*x as u32)),
        (Value::I64(x), Core::I32) => Value::I32(*x as i32),
        (Value::I64(x), Core::F32) => Value::F32(f32::from_bits(*x as u32)),
        (Value::I64(x), Core::F64) => Value::F64(f64::from_bits(*x as u64)),
        _ => return None,
    })
}

/// Writes one case's payload value into a joined variant slot of type
/// `want`: floats are bit-cast, and `i32`s are zero-extended to `i64`.
pub(crate) fn widen(value: &Value, want: Core) -> Option<Value> {
    Some(match (value, want) {
        (Value::I32(x), Core::I32) => Value::I32(*x),
        (Value::I64(x), Core::I64) => Value::I64(*x),
        (Value::F32(x), Core::F32) => Value::F32(*x),
        (Value::F64(x), Core::F64) => Value::F64(*x),
        (Value::F32(x), Core::I32) => Value::I32(x.to_bits() as i32),
        (Value::I32(x), Core::I64) => Value::I64(i64::from(*x as u32)),
        (Value::F32(x), Core::I64) => Value::I64(i64::from(x.to_bits())),
        (Value::F64(x), Core::I64) => Value::I64(x.to_bits() as i64),
        _ => return None,
    })
}

/// A read position in a list of core values, checking each value's type as
/// it is taken.
///
/// A cursor over a variant's joined payload slots ([`Cursor::joined`])
/// instead narrows each slot to the type the read wants, as [`narrow`]
/// does; [`Cursor::slots`] hands out such a run of slots without copying
/// them, so lifting a variant allocates nothing.
pub(crate) struct Cursor<'v> {
    values: &'v [Value],
    pos: usize,
    /// Whether `values` are joined variant slots, narrowed on every read.
    /// A run of slots taken from a joined cursor keeps the original values:
    /// narrowing a value twice along the way the joined types allow gives
    /// what narrowing it once to the last type gives.
    joined: bool,
}

impl<'v> Cursor<'v> {
    pub(crate) fn new(values: &'v [Value]) -> Self {
        Self {
            values,
            pos: 0,
            joined: false,
        }
    }

    /// A cursor over the slots a variant's payload reads, from
    /// [`Cursor::slots`].
    pub(crate) fn joined(slots: Slots<'v>) -> Self {
        Self {
            values: slots.values,
            pos: 0,
            joined: true,
        }
    }

    /// The next value, which must have core type `want` (or, on a joined
    /// cursor, narrow to it).
    pub(crate) fn next(&mut self, want: Core) -> Result<Value, AbiError> {
        let index = self.pos;
        let value = self.values.get(index).ok_or(AbiError::WrongCoreCount {
            expected: index + 1,
            found: self.values.len(),
        })?;
        let read = if self.joined || Core::of_value(value) == Some(want) {
            narrow(value, want)
        } else {
            None
        };
        let Some(read) = read else {
            return Err(AbiError::WrongCoreType {
                index,
                expected: want.name(),
                found: value_name(value),
            });
        };
        self.pos += 1;
        Ok(read)
    }

    /// Takes one value per type of `types`, checked as [`Cursor::next`]
    /// checks them, as a run of slots for a variant's payload.
    pub(crate) fn slots(&mut self, types: &[WasmType]) -> Result<Slots<'v>, AbiError> {
        let start = self.pos;
        for ty in types {
            self.next(Core::of(*ty))?;
        }
        let values = self
            .values
            .get(start..self.pos)
            .ok_or(AbiError::WrongCoreCount {
                expected: self.pos,
                found: self.values.len(),
            })?;
        Ok(Slots { values })
    }

    pub(crate) fn i32(&mut self) -> Result<i32, AbiError> {
        match self.next(Core::I32)? {
            Value::I32(x) => Ok(x),
            _ => Err(self.mismatch(Core::I32)),
        }
    }

    /// An `i32` read as the unsigned pointer, length or handle it carries.
    pub(crate) fn u32(&mut self) -> Result<u32, AbiError> {
        self.i32().map(|x| x as u32)
    }

    pub(crate) fn i64(&mut self) -> Result<i64, AbiError> {
        match self.next(Core::I64)? {
            Value::I64(x) => Ok(x),
            _ => Err(self.mismatch(Core::I64)),
        }
    }

    pub(crate) fn f32(&mut self) -> Result<f32, AbiError> {
        match self.next(Core::F32)? {
            Value::F32(x) => Ok(x),
            _ => Err(self.mismatch(Core::F32)),
        }
    }

    pub(crate) fn f64(&mut self) -> Result<f64, AbiError> {
        match self.next(Core::F64)? {
            Value::F64(x) => Ok(x),
            _ => Err(self.mismatch(Core::F64)),
        }
    }

    /// Checks that every value was consumed.
    pub(crate) fn finish(&self) -> Result<(), AbiError> {
        if self.pos != self.values.len() {
            return Err(AbiError::WrongCoreCount {
                expected: self.pos,
                found: self.values.len(),
            });
        }
        Ok(())
    }

    fn mismatch(&self, want: Core) -> AbiError {
        AbiError::WrongCoreType {
            index: self.pos.saturating_sub(1),
            expected: want.name(),
            found: "another type",
        }
    }
}

/// A run of core values taken by [`Cursor::slots`]: a variant's joined
/// payload slots, before narrowing.
#[derive(Clone, Copy)]
pub(crate) struct Slots<'v> {
    values: &'v [Value],
}

impl<'v> Slots<'v> {
    /// The first `len` slots, or `None` if there are fewer.
    pub(crate) fn prefix(self, len: usize) -> Option<Slots<'v>> {
        self.values.get(..len).map(|values| Slots { values })
    }
}
