//! Random values of generated types, neutral: each host's tests convert a
//! [`Value`] into their own value type.

use super::{Options, Source, Ty};

/// A value of a generated type.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
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
    /// `f32`, never NaN.
    F32(f32),
    /// `f64`, never NaN.
    F64(f64),
    /// `char`.
    Char(char),
    /// `string`.
    String(String),
    /// `own<res>`: a raw handle.
    Own(u32),
    /// `borrow<res>`: a raw handle.
    Borrow(u32),
    /// A `list<T>`.
    List(Vec<Value>),
    /// A `list<u8>`, as bytes: the same value as the [`Value::List`] of
    /// the bytes, in the compact form a host may give it.
    Bytes(Vec<u8>),
    /// `option<T>`.
    Option(Option<Box<Value>>),
    /// `result<T, E>`, with a payload where the type has one.
    Result(Result<Option<Box<Value>>, Option<Box<Value>>>),
    /// `tuple<...>`.
    Tuple(Vec<Value>),
    /// A record: its fields' names and values, in order.
    Record(Vec<(String, Value)>),
    /// A variant: the case's index and name, and its payload.
    Variant {
        /// The case's index, in declaration order.
        case: u32,
        /// The case's name.
        name: String,
        /// The payload, for a case with a type.
        payload: Option<Box<Value>>,
    },
    /// An enum: the case's index and name.
    Enum {
        /// The case's index, in declaration order.
        case: u32,
        /// The case's name.
        name: String,
    },
    /// Flags: the index and name of each flag set, ascending.
    Flags(Vec<(u32, String)>),
}

/// Floats past what random bits make often, for [`Options::edges`].
const EDGE_F64: [f64; 9] = [
    f64::INFINITY,
    f64::NEG_INFINITY,
    0.0,
    -0.0,
    f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    f64::MAX,
    f64::MIN,
];

/// The chars around the surrogates and at the ends, for [`Options::edges`].
const EDGE_CHARS: [char; 5] = ['\0', '\u{D7FF}', '\u{E000}', '\u{FFFF}', '\u{10FFFF}'];

fn finite_f64(rng: &mut impl Source) -> f64 {
    // NaN payloads may be canonicalized differently; keep to numbers.
    let f = f64::from_bits(rng.next());
    if f.is_finite() {
        f
    } else {
        (rng.next() % 1000) as f64 - 500.5
    }
}

/// One of `edges`, a quarter of the time, for [`Options::edges`].
fn edge<T: Copy>(rng: &mut impl Source, edges: &[T]) -> Option<T> {
    (rng.below(4) == 0).then(|| edges[rng.below(edges.len() as u64) as usize])
}

fn index(n: u64, len: usize) -> usize {
    (n % len.max(1) as u64) as usize
}

/// A random value of `ty`.
pub fn value(rng: &mut impl Source, ty: &Ty, options: Options) -> Value {
    let n = rng.next();
    match ty {
        Ty::Bool => Value::Bool(n & 1 == 1),
        Ty::U8 => Value::U8(n as u8),
        Ty::U16 => Value::U16(n as u16),
        Ty::U32 => Value::U32(n as u32),
        Ty::U64 => Value::U64(n),
        Ty::S8 => Value::S8(n as i8),
        Ty::S16 => Value::S16(n as i16),
        Ty::S32 => Value::S32(n as i32),
        Ty::S64 => Value::S64(n as i64),
        // With edges, any float but NaN: an edge value a quarter of the
        // time, else the bits drawn.
        Ty::F32 if options.edges => Value::F32(match edge(rng, &EDGE_F64) {
            Some(edge) => edge as f32,
            None => Some(f32::from_bits(n as u32))
                .filter(|f| !f.is_nan())
                .unwrap_or(1.5),
        }),
        Ty::F64 if options.edges => Value::F64(match edge(rng, &EDGE_F64) {
            Some(edge) => edge,
            None => Some(f64::from_bits(n))
                .filter(|f| !f.is_nan())
                .unwrap_or(1.5),
        }),
        Ty::F32 => {
            let f = finite_f64(rng) as f32;
            Value::F32(if f.is_finite() { f } else { 1.5 })
        }
        Ty::F64 => Value::F64(finite_f64(rng)),
        Ty::Char if options.edges => match edge(rng, &EDGE_CHARS) {
            Some(c) => Value::Char(c),
            None => Value::Char(char::from_u32((n % 0x11_0000) as u32).unwrap_or('\u{e9}')),
        },
        Ty::Char => Value::Char(char::from_u32((n % 0x11_0000) as u32).unwrap_or('\u{e9}')),
        Ty::String => Value::String(rng.string(n)),
        Ty::Own => Value::Own(n as u32),
        Ty::Borrow => Value::Borrow(n as u32),
        // A byte list is bytes, or with edges as often a list of `u8`s.
        Ty::List(elem) if **elem == Ty::U8 && options.edges && rng.below(2) == 0 => {
            Value::Bytes((0..n % 65).map(|_| rng.below(256) as u8).collect())
        }
        Ty::List(elem) => {
            let items: Vec<Value> = (0..n % 7).map(|_| value(rng, elem, options)).collect();
            match (&**elem, options.edges) {
                (Ty::U8, false) => Value::Bytes(
                    items
                        .iter()
                        .map(|v| match v {
                            Value::U8(b) => *b,
                            _ => 0,
                        })
                        .collect(),
                ),
                _ => Value::List(items),
            }
        }
        Ty::Option(t) => Value::Option(match n % 2 {
            0 => None,
            _ => Some(Box::new(value(rng, t, options))),
        }),
        Ty::Result(ok, err) => {
            let is_ok = n.is_multiple_of(2);
            let side = if is_ok { ok } else { err };
            let payload = side.as_ref().map(|t| Box::new(value(rng, t, options)));
            Value::Result(if is_ok { Ok(payload) } else { Err(payload) })
        }
        Ty::Tuple(ts) => Value::Tuple(ts.iter().map(|t| value(rng, t, options)).collect()),
        Ty::Record(_, fields) => Value::Record(
            fields
                .iter()
                .map(|(f, t)| (f.clone(), value(rng, t, options)))
                .collect(),
        ),
        Ty::Variant(_, cases) => {
            let case = index(n, cases.len());
            let (name, payload) = &cases[case];
            Value::Variant {
                case: case as u32,
                name: name.clone(),
                payload: payload.as_ref().map(|t| Box::new(value(rng, t, options))),
            }
        }
        Ty::Enum(_, cases) => {
            let case = index(n, cases.len());
            Value::Enum {
                case: case as u32,
                name: cases[case].clone(),
            }
        }
        Ty::Flags(_, flags) => Value::Flags(
            (0..flags.len())
                .filter(|_| rng.next().is_multiple_of(3))
                .map(|i| (i as u32, flags[i].clone()))
                .collect(),
        ),
    }
}
