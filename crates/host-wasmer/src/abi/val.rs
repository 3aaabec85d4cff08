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
/// # Byte lists
///
/// `list<u8>` has a compact form, [`Val::Bytes`], because byte lists are
/// common and a [`Val::U8`] per byte costs 32 bytes and a dispatch each:
///
/// - Lifting a `list<u8>` (also one behind an alias of `u8`, or nested in an
///   option, result, record, variant or another list) always yields
///   `Val::Bytes`, never `Val::List`.
/// - Lowering a `list<u8>` accepts either `Val::Bytes` or a `Val::List` of
///   `Val::U8`, so code that builds lists element by element keeps working.
///   `Val::Bytes` is accepted for `list<u8>` only.
/// - `==` treats the two forms as one value: `Val::Bytes(b)` equals the
///   `Val::List` of the same bytes as `Val::U8`s, at any depth.
///   [`Val::into_bytes`] and [`Val::into_list`] convert between them.
///
/// # Examples
///
/// ```
/// use host_wasmer::abi::Val;
///
/// let some_name = Val::some(Val::from("bucket"));
/// assert_eq!(some_name, Val::Option(Some(Box::new(Val::String("bucket".into())))));
/// assert_eq!(some_name.kind(), "option");
///
/// // A byte list has two forms, which compare equal.
/// assert_eq!(Val::Bytes(vec![1, 2]), Val::List(vec![Val::U8(1), Val::U8(2)]));
/// ```
#[derive(Debug, Clone)]
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
    /// `list<T>`. For `list<u8>`, lifting yields [`Val::Bytes`] instead.
    List(Vec<Val>),
    /// `list<u8>`, compactly: what lifting a `list<u8>` yields. Equal to
    /// the [`Val::List`] of the same bytes as [`Val::U8`]s.
    Bytes(Vec<u8>),
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
            Val::List(_) | Val::Bytes(_) => "list",
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

    /// The bytes of a byte list, in either form: `Val::Bytes` as is, or a
    /// `Val::List` whose items are all `Val::U8`. Any other value comes
    /// back unchanged as the error.
    ///
    /// ```
    /// use host_wasmer::abi::Val;
    /// assert_eq!(Val::Bytes(vec![7]).into_bytes(), Ok(vec![7]));
    /// assert_eq!(Val::List(vec![Val::U8(7)]).into_bytes(), Ok(vec![7]));
    /// assert!(Val::List(vec![Val::U16(7)]).into_bytes().is_err());
    /// ```
    pub fn into_bytes(self) -> Result<Vec<u8>, Val> {
        match self {
            Val::Bytes(bytes) => Ok(bytes),
            Val::List(items) => {
                let bytes: Option<Vec<u8>> = items.iter().map(as_u8).collect();
                bytes.ok_or(Val::List(items))
            }
            other => Err(other),
        }
    }

    /// The items of a list, in either form: `Val::List` as is, or the bytes
    /// of a `Val::Bytes` as `Val::U8`s. Any other value comes back
    /// unchanged as the error.
    ///
    /// ```
    /// use host_wasmer::abi::Val;
    /// assert_eq!(Val::Bytes(vec![7]).into_list(), Ok(vec![Val::U8(7)]));
    /// assert!(Val::U8(7).into_list().is_err());
    /// ```
    pub fn into_list(self) -> Result<Vec<Val>, Val> {
        match self {
            Val::List(items) => Ok(items),
            Val::Bytes(bytes) => Ok(bytes.into_iter().map(Val::U8).collect()),
            other => Err(other),
        }
    }
}

fn as_u8(val: &Val) -> Option<u8> {
    match val {
        Val::U8(byte) => Some(*byte),
        _ => None,
    }
}

/// Whether `items` are exactly `bytes`, as `Val::U8`s.
fn bytes_eq_list(bytes: &[u8], items: &[Val]) -> bool {
    bytes.len() == items.len() && bytes.iter().zip(items).all(|(b, v)| as_u8(v) == Some(*b))
}

impl PartialEq for Val {
    /// Structural equality, as derived, except that a `Val::Bytes` equals
    /// the `Val::List` of the same bytes as `Val::U8`s. Floats compare
    /// with `==`, so a NaN is not equal to itself.
    fn eq(&self, other: &Val) -> bool {
        use Val as V;
        match (self, other) {
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::U8(a), V::U8(b)) => a == b,
            (V::U16(a), V::U16(b)) => a == b,
            (V::U32(a), V::U32(b)) => a == b,
            (V::U64(a), V::U64(b)) => a == b,
            (V::S8(a), V::S8(b)) => a == b,
            (V::S16(a), V::S16(b)) => a == b,
            (V::S32(a), V::S32(b)) => a == b,
            (V::S64(a), V::S64(b)) => a == b,
            (V::F32(a), V::F32(b)) => a == b,
            (V::F64(a), V::F64(b)) => a == b,
            (V::Char(a), V::Char(b)) => a == b,
            (V::String(a), V::String(b)) => a == b,
            (V::List(a), V::List(b)) => a == b,
            (V::Bytes(a), V::Bytes(b)) => a == b,
            (V::Bytes(a), V::List(b)) | (V::List(b), V::Bytes(a)) => bytes_eq_list(a, b),
            (V::Record(a), V::Record(b)) => a == b,
            (V::Tuple(a), V::Tuple(b)) => a == b,
            (
                V::Variant {
                    case: a,
                    payload: pa,
                },
                V::Variant {
                    case: b,
                    payload: pb,
                },
            ) => a == b && pa == pb,
            (V::Enum(a), V::Enum(b)) => a == b,
            (V::Option(a), V::Option(b)) => a == b,
            (V::Result(a), V::Result(b)) => a == b,
            (V::Flags(a), V::Flags(b)) => a == b,
            (V::Own(a), V::Own(b)) => a == b,
            (V::Borrow(a), V::Borrow(b)) => a == b,
            _ => false,
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

impl From<Vec<u8>> for Val {
    /// A `list<u8>`, as [`Val::Bytes`].
    fn from(bytes: Vec<u8>) -> Val {
        Val::Bytes(bytes)
    }
}

impl From<&[u8]> for Val {
    /// A `list<u8>`, as [`Val::Bytes`].
    fn from(bytes: &[u8]) -> Val {
        Val::Bytes(bytes.to_vec())
    }
}
