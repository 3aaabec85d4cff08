//! [`Shape`]: a WIT type with its aliases peeled off, as the ABI code
//! dispatches on it, and [`Cases`], the common view of variant-like types.

use wit_parser::{Enum, Flags, Handle, Int, Record, Result_, Tuple, Type, TypeDefKind, Variant};

use super::{Abi, AbiError, Val};

/// How many `type a = b` aliases may be chained before the `Resolve` is
/// considered malformed.
const MAX_ALIASES: usize = 512;

/// The structure of a supported WIT type.
#[derive(Clone, Copy)]
pub(crate) enum Shape<'r> {
    Bool,
    U8,
    U16,
    U32,
    U64,
    S8,
    S16,
    S32,
    S64,
    F32,
    F64,
    Char,
    String,
    List(&'r Type),
    Record(&'r Record),
    Tuple(&'r Tuple),
    Flags(&'r Flags),
    Cases(Cases<'r>),
    Own,
    Borrow,
}

/// A variant, enum, option or result: a discriminant and, per case, an
/// optional payload type.
#[derive(Clone, Copy)]
pub(crate) enum Cases<'r> {
    Variant(&'r Variant),
    Enum(&'r Enum),
    /// `none`, then `some(T)`.
    Option(&'r Type),
    /// `ok(T?)`, then `err(E?)`.
    Result(&'r Result_),
}

impl Abi {
    /// The shape of `ty`, or [`AbiError::UnsupportedType`].
    pub(crate) fn shape(&self, ty: &Type) -> Result<Shape<'_>, AbiError> {
        self.check_supported(ty)?;
        let mut current = *ty;
        for _ in 0..MAX_ALIASES {
            let id = match current {
                Type::Bool => return Ok(Shape::Bool),
                Type::U8 => return Ok(Shape::U8),
                Type::U16 => return Ok(Shape::U16),
                Type::U32 => return Ok(Shape::U32),
                Type::U64 => return Ok(Shape::U64),
                Type::S8 => return Ok(Shape::S8),
                Type::S16 => return Ok(Shape::S16),
                Type::S32 => return Ok(Shape::S32),
                Type::S64 => return Ok(Shape::S64),
                Type::F32 => return Ok(Shape::F32),
                Type::F64 => return Ok(Shape::F64),
                Type::Char => return Ok(Shape::Char),
                Type::String => return Ok(Shape::String),
                Type::ErrorContext => break,
                Type::Id(id) => id,
            };
            let Some(def) = self.resolve.types.get(id) else {
                break;
            };
            return Ok(match &def.kind {
                TypeDefKind::Type(t) => {
                    current = *t;
                    continue;
                }
                TypeDefKind::List(t) => Shape::List(t),
                TypeDefKind::Record(r) => Shape::Record(r),
                TypeDefKind::Tuple(t) => Shape::Tuple(t),
                TypeDefKind::Flags(f) => Shape::Flags(f),
                TypeDefKind::Variant(v) => Shape::Cases(Cases::Variant(v)),
                TypeDefKind::Enum(e) => Shape::Cases(Cases::Enum(e)),
                TypeDefKind::Option(t) => Shape::Cases(Cases::Option(t)),
                TypeDefKind::Result(r) => Shape::Cases(Cases::Result(r)),
                TypeDefKind::Handle(Handle::Own(_)) => Shape::Own,
                TypeDefKind::Handle(Handle::Borrow(_)) => Shape::Borrow,
                _ => break,
            });
        }
        Err(self.unsupported(ty))
    }
}

impl<'r> Cases<'r> {
    /// Number of cases.
    pub(crate) fn len(self) -> usize {
        match self {
            Cases::Variant(v) => v.cases.len(),
            Cases::Enum(e) => e.cases.len(),
            Cases::Option(_) | Cases::Result(_) => 2,
        }
    }

    /// The payload type of case `index`: `None` if there is no such case,
    /// `Some(None)` for a case without payload.
    pub(crate) fn case(self, index: u32) -> Option<Option<&'r Type>> {
        let index = usize::try_from(index).ok()?;
        match self {
            Cases::Variant(v) => v.cases.get(index).map(|c| c.ty.as_ref()),
            Cases::Enum(e) => e.cases.get(index).map(|_| None),
            Cases::Option(t) => match index {
                0 => Some(None),
                1 => Some(Some(t)),
                _ => None,
            },
            Cases::Result(r) => match index {
                0 => Some(r.ok.as_ref()),
                1 => Some(r.err.as_ref()),
                _ => None,
            },
        }
    }

    /// The payload types of all cases, in order.
    pub(crate) fn payloads(self) -> impl Iterator<Item = Option<&'r Type>> + Clone {
        (0..self.len()).map(move |i| u32::try_from(i).ok().and_then(|i| self.case(i)).flatten())
    }

    /// The discriminant's integer type, by the number of cases.
    pub(crate) fn tag(self) -> Int {
        match self {
            Cases::Variant(v) => v.tag(),
            Cases::Enum(e) => e.tag(),
            Cases::Option(_) | Cases::Result(_) => Int::U8,
        }
    }

    /// Splits a host value into case index and payload, or `None` if the
    /// value is not of this kind.
    pub(crate) fn split(self, val: &Val) -> Option<(u32, Option<&Val>)> {
        match (self, val) {
            (Cases::Variant(_), Val::Variant { case, payload }) => {
                Some((*case, payload.as_deref()))
            }
            (Cases::Enum(_), Val::Enum(case)) => Some((*case, None)),
            (Cases::Option(_), Val::Option(value)) => Some(match value {
                None => (0, None),
                Some(v) => (1, Some(&**v)),
            }),
            (Cases::Result(_), Val::Result(value)) => Some(match value {
                Ok(v) => (0, v.as_deref()),
                Err(v) => (1, v.as_deref()),
            }),
            _ => None,
        }
    }

    /// Builds a host value from a case index and its lifted payload.
    pub(crate) fn build(self, case: u32, payload: Option<Val>) -> Val {
        let payload = payload.map(Box::new);
        match self {
            Cases::Variant(_) => Val::Variant { case, payload },
            Cases::Enum(_) => Val::Enum(case),
            Cases::Option(_) => Val::Option(payload),
            Cases::Result(_) => Val::Result(if case == 0 { Ok(payload) } else { Err(payload) }),
        }
    }
}

impl Abi {
    /// Where a variant-like value's payload starts, after the discriminant.
    pub(crate) fn payload_offset(&self, cases: Cases<'_>) -> usize {
        self.sizes
            .payload_offset(cases.tag(), cases.payloads())
            .size_wasm32()
    }
}
