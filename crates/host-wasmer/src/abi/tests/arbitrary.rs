//! Random WIT types, rendered as WIT text, and random values of them, for
//! the property tests.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

use crate::abi::Val;

/// A WIT value type, as the generator builds it before rendering it as WIT.
#[derive(Debug, Clone)]
pub(super) enum Ty {
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
    Own,
    Borrow,
    List(Box<Ty>),
    Option(Box<Ty>),
    Result(Option<Box<Ty>>, Option<Box<Ty>>),
    Tuple(Vec<Ty>),
    Record(Vec<Ty>),
    Variant(Vec<Option<Ty>>),
    Enum(usize),
    Flags(usize),
}

fn leaf(borrow: bool) -> BoxedStrategy<Ty> {
    let mut leaves = vec![
        Just(Ty::Bool),
        Just(Ty::U8),
        Just(Ty::U16),
        Just(Ty::U32),
        Just(Ty::U64),
        Just(Ty::S8),
        Just(Ty::S16),
        Just(Ty::S32),
        Just(Ty::S64),
        Just(Ty::F32),
        Just(Ty::F64),
        Just(Ty::Char),
        Just(Ty::String),
        Just(Ty::Own),
    ]
    .into_iter()
    .map(Strategy::boxed)
    .collect::<Vec<_>>();
    if borrow {
        leaves.push(Just(Ty::Borrow).boxed());
    }
    leaves.push(
        prop_oneof![1..4usize, 250..300usize]
            .prop_map(Ty::Enum)
            .boxed(),
    );
    leaves.push(
        prop_oneof![1..=16usize, 17..=70usize]
            .prop_map(Ty::Flags)
            .boxed(),
    );
    Union::new(leaves).boxed()
}

/// Random types, nested a few levels. `borrow` allows `borrow<res>`, which
/// WIT accepts in parameters only.
pub(super) fn ty(borrow: bool) -> BoxedStrategy<Ty> {
    leaf(borrow)
        .prop_recursive(4, 32, 5, |inner| {
            let maybe = proptest::option::of(inner.clone().prop_map(Box::new));
            prop_oneof![
                inner.clone().prop_map(|t| Ty::List(Box::new(t))),
                inner.clone().prop_map(|t| Ty::Option(Box::new(t))),
                (maybe.clone(), maybe).prop_map(|(ok, err)| Ty::Result(ok, err)),
                vec(inner.clone(), 1..5).prop_map(Ty::Tuple),
                vec(inner.clone(), 1..5).prop_map(Ty::Record),
                vec(proptest::option::of(inner), 1..6).prop_map(Ty::Variant),
            ]
        })
        .boxed()
}

/// Renders types as WIT: anonymous types inline, named ones as
/// declarations collected in `decls`.
pub(super) struct Renderer {
    pub(super) decls: Vec<String>,
}

impl Renderer {
    pub(super) fn new() -> Self {
        Self { decls: Vec::new() }
    }

    fn declare(&mut self, kind: &str, body: String) -> String {
        let name = format!("t{}", self.decls.len());
        self.decls.push(format!("  {kind} {name} {{ {body} }}"));
        name
    }

    pub(super) fn render(&mut self, ty: &Ty) -> String {
        let simple = match ty {
            Ty::Bool => "bool",
            Ty::U8 => "u8",
            Ty::U16 => "u16",
            Ty::U32 => "u32",
            Ty::U64 => "u64",
            Ty::S8 => "s8",
            Ty::S16 => "s16",
            Ty::S32 => "s32",
            Ty::S64 => "s64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
            Ty::Char => "char",
            Ty::String => "string",
            Ty::Own => "own<res>",
            Ty::Borrow => "borrow<res>",
            _ => "",
        };
        if !simple.is_empty() {
            return simple.into();
        }
        match ty {
            Ty::List(t) => format!("list<{}>", self.render(t)),
            Ty::Option(t) => format!("option<{}>", self.render(t)),
            Ty::Result(ok, err) => {
                let ok = ok.as_ref().map_or("_".into(), |t| self.render(t));
                match err {
                    Some(err) => format!("result<{ok}, {}>", self.render(err)),
                    None if ok == "_" => "result".into(),
                    None => format!("result<{ok}>"),
                }
            }
            Ty::Tuple(items) => {
                let items: Vec<_> = items.iter().map(|t| self.render(t)).collect();
                format!("tuple<{}>", items.join(", "))
            }
            Ty::Record(fields) => {
                let fields: Vec<_> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("f{i}: {}", self.render(t)))
                    .collect();
                self.declare("record", fields.join(", "))
            }
            Ty::Variant(cases) => {
                let cases: Vec<_> = cases
                    .iter()
                    .enumerate()
                    .map(|(i, t)| match t {
                        Some(t) => format!("c{i}({})", self.render(t)),
                        None => format!("c{i}"),
                    })
                    .collect();
                self.declare("variant", cases.join(", "))
            }
            Ty::Enum(n) => self.declare("enum", names("c", *n)),
            Ty::Flags(n) => self.declare("flags", names("g", *n)),
            _ => simple.into(),
        }
    }
}

fn names(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("{prefix}{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn index(n: usize) -> BoxedStrategy<u32> {
    (0..u32::try_from(n).unwrap_or(u32::MAX)).boxed()
}

fn boxed(ty: &Option<Box<Ty>>) -> BoxedStrategy<Option<Box<Val>>> {
    match ty {
        Some(t) => value(t).prop_map(|v| Some(Box::new(v))).boxed(),
        None => Just(None).boxed(),
    }
}

fn chars() -> BoxedStrategy<char> {
    prop_oneof![
        any::<char>(),
        Just('\u{D7FF}'),
        Just('\u{E000}'),
        Just('\u{10FFFF}')
    ]
    .boxed()
}

/// Random values of `ty`. Floats are never NaN, so that `==` compares them;
/// NaN bit patterns have their own unit test. A `list<u8>` is either a
/// [`Val::Bytes`] or a [`Val::List`] of [`Val::U8`]; `==` takes them as
/// equal, and [`lifted_form`] tells which one lifting must give.
pub(super) fn value(ty: &Ty) -> BoxedStrategy<Val> {
    use proptest::num::{f32 as f32s, f64 as f64s};
    match ty {
        Ty::Bool => any::<bool>().prop_map(Val::Bool).boxed(),
        Ty::U8 => any::<u8>().prop_map(Val::U8).boxed(),
        Ty::U16 => any::<u16>().prop_map(Val::U16).boxed(),
        Ty::U32 => any::<u32>().prop_map(Val::U32).boxed(),
        Ty::U64 => any::<u64>().prop_map(Val::U64).boxed(),
        Ty::S8 => any::<i8>().prop_map(Val::S8).boxed(),
        Ty::S16 => any::<i16>().prop_map(Val::S16).boxed(),
        Ty::S32 => any::<i32>().prop_map(Val::S32).boxed(),
        Ty::S64 => any::<i64>().prop_map(Val::S64).boxed(),
        Ty::F32 => (f32s::POSITIVE
            | f32s::NEGATIVE
            | f32s::NORMAL
            | f32s::SUBNORMAL
            | f32s::ZERO
            | f32s::INFINITE)
            .prop_map(Val::F32)
            .boxed(),
        Ty::F64 => (f64s::POSITIVE
            | f64s::NEGATIVE
            | f64s::NORMAL
            | f64s::SUBNORMAL
            | f64s::ZERO
            | f64s::INFINITE)
            .prop_map(Val::F64)
            .boxed(),
        Ty::Char => chars().prop_map(Val::Char).boxed(),
        Ty::String => vec(chars(), 0..8)
            .prop_map(|c| Val::String(c.into_iter().collect()))
            .boxed(),
        Ty::Own => any::<u32>().prop_map(Val::Own).boxed(),
        Ty::Borrow => any::<u32>().prop_map(Val::Borrow).boxed(),
        // A byte list comes in both forms that lowering accepts.
        Ty::List(t) if matches!(**t, Ty::U8) => prop_oneof![
            vec(value(t), 0..4).prop_map(Val::List),
            vec(any::<u8>(), 0..64).prop_map(Val::Bytes),
        ]
        .boxed(),
        Ty::List(t) => vec(value(t), 0..4).prop_map(Val::List).boxed(),
        Ty::Option(t) => proptest::option::of(value(t))
            .prop_map(|v| Val::Option(v.map(Box::new)))
            .boxed(),
        Ty::Result(ok, err) => prop_oneof![
            boxed(ok).prop_map(|v| Val::Result(Ok(v))),
            boxed(err).prop_map(|v| Val::Result(Err(v))),
        ]
        .boxed(),
        Ty::Tuple(items) => items
            .iter()
            .map(value)
            .collect::<Vec<_>>()
            .prop_map(Val::Tuple)
            .boxed(),
        Ty::Record(fields) => fields
            .iter()
            .map(value)
            .collect::<Vec<_>>()
            .prop_map(Val::Record)
            .boxed(),
        Ty::Variant(cases) => Union::new(cases.iter().enumerate().map(|(i, t)| {
            let case = u32::try_from(i).unwrap_or(u32::MAX);
            match t {
                Some(t) => value(t)
                    .prop_map(move |v| Val::variant(case, Some(v)))
                    .boxed(),
                None => Just(Val::variant(case, None)).boxed(),
            }
        }))
        .boxed(),
        Ty::Enum(n) => index(*n).prop_map(Val::Enum).boxed(),
        Ty::Flags(n) => {
            let all: Vec<u32> = (0..u32::try_from(*n).unwrap_or(u32::MAX)).collect();
            proptest::sample::subsequence(all, 0..=*n)
                .prop_map(Val::Flags)
                .boxed()
        }
    }
}

/// Whether `val`, of type `ty`, is in the form lifting gives: every
/// `list<u8>`, at any depth, a [`Val::Bytes`] and no other list one.
pub(super) fn lifted_form(ty: &Ty, val: &Val) -> bool {
    let each = |types: &[Ty], vals: &[Val]| {
        types.len() == vals.len() && types.iter().zip(vals).all(|(t, v)| lifted_form(t, v))
    };
    let side = |t: &Option<Box<Ty>>, v: &Option<Box<Val>>| match (t, v) {
        (Some(t), Some(v)) => lifted_form(t, v),
        (None, None) => true,
        _ => false,
    };
    match (ty, val) {
        (Ty::List(t), Val::Bytes(_)) => matches!(**t, Ty::U8),
        (Ty::List(t), Val::List(items)) => {
            !matches!(**t, Ty::U8) && items.iter().all(|v| lifted_form(t, v))
        }
        (Ty::List(_), _) => false,
        (Ty::Option(t), Val::Option(v)) => v.as_deref().is_none_or(|v| lifted_form(t, v)),
        (Ty::Result(ok, _), Val::Result(Ok(v))) => side(ok, v),
        (Ty::Result(_, err), Val::Result(Err(v))) => side(err, v),
        (Ty::Tuple(types), Val::Tuple(vals)) | (Ty::Record(types), Val::Record(vals)) => {
            each(types, vals)
        }
        (Ty::Variant(cases), Val::Variant { case, payload }) => {
            let case = usize::try_from(*case).ok().and_then(|c| cases.get(c));
            match (case, payload) {
                (Some(Some(t)), Some(v)) => lifted_form(t, v),
                (Some(None), None) => true,
                _ => false,
            }
        }
        (_, Val::Bytes(_)) => false,
        _ => true,
    }
}
