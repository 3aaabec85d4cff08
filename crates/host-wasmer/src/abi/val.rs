//! [`Val`]: a dynamically typed WIT value.

/// A WIT value, as the host sees it before lowering or after lifting.
///
/// A `Val` carries no type: it is always read or written together with the
/// WIT [`Type`](wit_parser::Type) that gives it meaning. Compound values are
/// positional, for speed and because WIT names are a property of the type:
///
/// - [`Val::Record`] holds the field values in the order the record declares
///   its fields.
/// - [`Val::Variant`] and [`Val::Enum`] hold a case *index* in declaration
///   order.
/// - [`Val::Flags`] holds the indices of the flags that are set. Lifting
///   yields them in ascending order; lowering accepts any order and repeats.
///
/// [`Abi`](super::Abi) has helpers that build these from names
/// ([`Abi::record`](super::Abi::record), [`Abi::variant`](super::Abi::variant),
/// [`Abi::flags`](super::Abi::flags), ...).
///
/// Handles are raw guest integers: lifting does not look them up, and
/// lowering does not check them. The caller owns the handle table.
///
/// # Examples
///
/// ```
/// use host_wasmer::abi::Val;
///
/// let some_name = Val::some(Val::from("bucket"));
/// assert_eq!(some_name, Val::Option(Some(Box::new(Val::String("bucket".into())))));
/// assert_eq!(some_name.kind(), "option");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// `bool`.
    Bool(bool),
    /// `u8`.
    U8(u8),
    /// `u16`.
    U16(u16),
    /// `u32`.
    U32(u32),
    /// `u64`.
    U64(u64),
    /// `s8`.
    S8(i8),
    /// `s16`.
    S16(i16),
    /// `s32`.
    S32(i32),
    /// `s64`.
    S64(i64),
    /// `f32`. NaN payloads are passed through unchanged.
    F32(f32),
    /// `f64`. NaN payloads are passed through unchanged.
    F64(f64),
    /// `char`: always a Unicode scalar value.
    Char(char),
    /// `string`: always valid UTF-8.
    String(String),
    /// `list<T>`.
    List(Vec<Val>),
    /// `record`: field values in declaration order.
    Record(Vec<Val>),
    /// `tuple<...>`.
    Tuple(Vec<Val>),
    /// `variant`: a case index in declaration order and the case's payload,
    /// present exactly when the case has a type.
    Variant {
        /// Index of the case in declaration order.
        case: u32,
        /// The payload, for a case with a type.
        payload: Option<Box<Val>>,
    },
    /// `enum`: a case index in declaration order.
    Enum(u32),
    /// `option<T>`.
    Option(Option<Box<Val>>),
    /// `result<T, E>`: each side carries a payload when the type has one.
    Result(Result<Option<Box<Val>>, Option<Box<Val>>>),
    /// `flags`: indices of the set flags (ascending when lifted).
    Flags(Vec<u32>),
    /// `own<T>`: the raw guest handle.
    Own(u32),
    /// `borrow<T>`: the raw guest handle.
    Borrow(u32),
}

impl Val {
    /// `option::some(value)`.
    ///
    /// ```
    /// use host_wasmer::abi::Val;
    /// assert_eq!(Val::some(Val::U8(1)), Val::Option(Some(Box::new(Val::U8(1)))));
    /// ```
    pub fn some(value: Val) -> Val {
        Val::Option(Some(Box::new(value)))
    }

    /// `option::none`.
    ///
    /// ```
    /// use host_wasmer::abi::Val;
    /// assert_eq!(Val::none(), Val::Option(None));
    /// ```
    pub fn none() -> Val {
        Val::Option(None)
    }

    /// `result::ok`, with a payload when the result type has an ok type.
    ///
    /// ```
    /// use host_wasmer::abi::Val;
    /// assert_eq!(Val::ok(None), Val::Result(Ok(None)));
    /// ```
    pub fn ok(value: Option<Val>) -> Val {
        Val::Result(Ok(value.map(Box::new)))
    }

    /// `result::err`, with a payload when the result type has an error type.
    ///
    /// ```
    /// use host_wasmer::abi::Val;
    /// assert_eq!(Val::err(Some(Val::U32(7))), Val::Result(Err(Some(Box::new(Val::U32(7))))));
    /// ```
    pub fn err(value: Option<Val>) -> Val {
        Val::Result(Err(value.map(Box::new)))
    }

    /// A variant case by index, with its payload.
    ///
    /// ```
    /// use host_wasmer::abi::Val;
    /// let v = Val::variant(2, Some(Val::from("oops")));
    /// assert!(matches!(v, Val::Variant { case: 2, payload: Some(_) }));
    /// ```
    pub fn variant(case: u32, payload: Option<Val>) -> Val {
        Val::Variant {
            case,
            payload: payload.map(Box::new),
        }
    }

    /// The kind of the value, as WIT spells it: `u32`, `string`, `record`, ...
    ///
    /// ```
    /// use host_wasmer::abi::Val;
    /// assert_eq!(Val::Flags(vec![]).kind(), "flags");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Val::Bool(_) => "bool",
            Val::U8(_) => "u8",
            Val::U16(_) => "u16",
            Val::U32(_) => "u32",
            Val::U64(_) => "u64",
            Val::S8(_) => "s8",
            Val::S16(_) => "s16",
            Val::S32(_) => "s32",
            Val::S64(_) => "s64",
            Val::F32(_) => "f32",
            Val::F64(_) => "f64",
            Val::Char(_) => "char",
            Val::String(_) => "string",
            Val::List(_) => "list",
            Val::Record(_) => "record",
            Val::Tuple(_) => "tuple",
            Val::Variant { .. } => "variant",
            Val::Enum(_) => "enum",
            Val::Option(_) => "option",
            Val::Result(_) => "result",
            Val::Flags(_) => "flags",
            Val::Own(_) => "own",
            Val::Borrow(_) => "borrow",
        }
    }
}

macro_rules! from_primitive {
    ($($rust:ty => $case:ident),* $(,)?) => {$(
        impl From<$rust> for Val {
            fn from(value: $rust) -> Val {
                Val::$case(value)
            }
        }
    )*};
}

from_primitive! {
    bool => Bool, u8 => U8, u16 => U16, u32 => U32, u64 => U64,
    i8 => S8, i16 => S16, i32 => S32, i64 => S64,
    f32 => F32, f64 => F64, char => Char, String => String,
}

impl From<&str> for Val {
    fn from(value: &str) -> Val {
        Val::String(value.to_owned())
    }
}

impl From<Vec<Val>> for Val {
    /// A `list`.
    fn from(items: Vec<Val>) -> Val {
        Val::List(items)
    }
}
