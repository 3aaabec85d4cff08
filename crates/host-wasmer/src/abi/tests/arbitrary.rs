//! Random functions of random WIT types, with values of them, for the
//! property tests: the generator of [`slots_test_support::random`] with all
//! that host-wasmer takes (`own` and `borrow` handles, enums of hundreds of
//! cases, up to 70 flags, values at the edges), its choices read from bytes
//! proptest draws and shrinks, and its values converted into [`Val`].

use proptest::collection::vec;
use proptest::prelude::*;
use slots_test_support::random::{self, Bytes, Defs, Options, Source, Ty, Value};

use crate::abi::Val;

/// A function `f` of the interface `i` that [`super::Fixture`] makes: its
/// parameters and result, a value of each, and the named types they use.
#[derive(Clone, Debug)]
pub(super) struct Func {
    pub(super) defs: Defs,
    pub(super) params: Vec<(Ty, Val)>,
    pub(super) result: Option<(Ty, Val)>,
}

impl Func {
    /// The interface body: the named types and `f: func(p0: T0, ...) -> R`.
    pub(super) fn wit(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, (t, _))| format!("p{i}: {}", random::wit(t)))
            .collect();
        let result = self
            .result
            .as_ref()
            .map(|(t, _)| format!(" -> {}", random::wit(t)))
            .unwrap_or_default();
        format!(
            "  {}\n  f: func({}){result};",
            self.defs.text.join("\n  "),
            params.join(", ")
        )
    }

    /// The values of the parameters.
    pub(super) fn values(&self) -> Vec<Val> {
        self.params.iter().map(|(_, v)| v.clone()).collect()
    }
}

/// What the generator makes here; `borrow<res>` is allowed in parameters
/// only.
fn options(borrow: bool) -> Options {
    Options {
        own: true,
        borrow,
        wide: true,
        edges: true,
    }
}

/// A type of up to four levels of nesting and a value of it.
fn typed(src: &mut Bytes<'_>, defs: &mut Defs, borrow: bool) -> (Ty, Val) {
    let options = options(borrow);
    let depth = src.below(5) as u32;
    let ty = random::ty(src, depth, defs, options);
    let val = val(&random::value(src, &ty, options));
    (ty, val)
}

/// The generator's bytes: enough for a deep type and values of it; past
/// their end it reads zeros, which make the simplest type and value.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..4096)
}

/// Functions of one parameter and no result.
pub(super) fn single() -> impl Strategy<Value = Func> {
    bytes().prop_map(|data| {
        let (mut src, mut defs) = (Bytes::new(&data), Defs::default());
        let param = typed(&mut src, &mut defs, true);
        Func {
            defs,
            params: vec![param],
            result: None,
        }
    })
}

/// Functions of up to four parameters, half of them padded with sixteen
/// `u64`s (past the 16 flat values of a call), and half with a result.
pub(super) fn call() -> impl Strategy<Value = Func> {
    bytes().prop_map(|data| {
        let (mut src, mut defs) = (Bytes::new(&data), Defs::default());
        let mut params: Vec<_> = (0..src.below(5))
            .map(|_| typed(&mut src, &mut defs, true))
            .collect();
        if src.below(2) == 1 {
            params.extend((0..16).map(|_| {
                let v = random::value(&mut src, &Ty::U64, options(true));
                (Ty::U64, val(&v))
            }));
        }
        let result = (src.below(2) == 1).then(|| typed(&mut src, &mut defs, false));
        Func {
            defs,
            params,
            result,
        }
    })
}

fn payload(value: &Option<Box<Value>>) -> Option<Box<Val>> {
    value.as_deref().map(|v| Box::new(val(v)))
}

/// `value` as a [`Val`].
fn val(value: &Value) -> Val {
    let each = |items: &[Value]| items.iter().map(val).collect();
    match value {
        Value::Bool(b) => Val::Bool(*b),
        Value::U8(n) => Val::U8(*n),
        Value::U16(n) => Val::U16(*n),
        Value::U32(n) => Val::U32(*n),
        Value::U64(n) => Val::U64(*n),
        Value::S8(n) => Val::S8(*n),
        Value::S16(n) => Val::S16(*n),
        Value::S32(n) => Val::S32(*n),
        Value::S64(n) => Val::S64(*n),
        Value::F32(f) => Val::F32(*f),
        Value::F64(f) => Val::F64(*f),
        Value::Char(c) => Val::Char(*c),
        Value::String(s) => Val::String(s.clone()),
        Value::Own(h) => Val::Own(*h),
        Value::Borrow(h) => Val::Borrow(*h),
        Value::List(items) => Val::List(each(items)),
        Value::Bytes(bytes) => Val::Bytes(bytes.clone()),
        Value::Option(v) => Val::Option(payload(v)),
        Value::Result(Ok(v)) => Val::Result(Ok(payload(v))),
        Value::Result(Err(v)) => Val::Result(Err(payload(v))),
        Value::Tuple(items) => Val::Tuple(each(items)),
        Value::Record(fields) => Val::Record(fields.iter().map(|(_, v)| val(v)).collect()),
        Value::Variant {
            case, payload: v, ..
        } => Val::variant(*case, v.as_deref().map(val)),
        Value::Enum { case, .. } => Val::Enum(*case),
        Value::Flags(set) => Val::Flags(set.iter().map(|(i, _)| *i).collect()),
    }
}

/// Whether `val`, of type `ty`, is in the form lifting gives: every
/// `list<u8>`, at any depth, a [`Val::Bytes`] and no other list one.
pub(super) fn lifted_form(ty: &Ty, val: &Val) -> bool {
    let each = |types: &mut dyn Iterator<Item = &Ty>, vals: &[Val]| {
        let types: Vec<&Ty> = types.collect();
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
        (Ty::Tuple(types), Val::Tuple(vals)) => each(&mut types.iter(), vals),
        (Ty::Record(_, fields), Val::Record(vals)) => {
            each(&mut fields.iter().map(|(_, t)| t), vals)
        }
        (Ty::Variant(_, cases), Val::Variant { case, payload }) => {
            let case = usize::try_from(*case).ok().and_then(|c| cases.get(c));
            match (case, payload) {
                (Some((_, Some(t))), Some(v)) => lifted_form(t, v),
                (Some((_, None)), None) => true,
                _ => false,
            }
        }
        (_, Val::Bytes(_)) => false,
        _ => true,
    }
}
