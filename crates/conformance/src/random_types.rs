//! Random WIT types and values of them for both hosts: the generator of
//! [`slots_test_support::random`], with the options both runtimes take
//! (no resources, at most 32 flags), and its values converted into
//! host-wasmer's `abi::Val` and wasmtime's `component::Val`.
//!
//! Two sources of randomness: a seeded [`Rng`] (the differential test)
//! and the fuzzer's bytes ([`Bytes`], the `lift_lower` fuzz target).

use host_wasmer::abi::Val as HwVal;
use slots_test_support::random::{self, Options, Value as Neutral};
use wasmtime::component::Val as WtVal;

pub use slots_test_support::random::{Bytes, Defs, Rng, Source, Ty, wit};

/// A random type of nesting depth at most `depth`, of the kinds both hosts
/// take.
pub fn ty<S: Source>(rng: &mut S, depth: u32, defs: &mut Defs) -> Ty {
    random::ty(rng, depth, defs, Options::default())
}

/// A value of a generated type, in both hosts' forms.
pub struct Value {
    /// As host-wasmer's `abi::Val`.
    pub wasmer: HwVal,
    /// As wasmtime's `component::Val`.
    pub wasmtime: WtVal,
}

/// A random value of `ty`.
pub fn value(rng: &mut impl Source, ty: &Ty) -> Value {
    let neutral = random::value(rng, ty, Options::default());
    Value {
        wasmer: wasmer(&neutral),
        wasmtime: wasmtime(&neutral),
    }
}

fn payload<V>(value: &Option<Box<Neutral>>, to: fn(&Neutral) -> V) -> Option<Box<V>> {
    value.as_deref().map(|v| Box::new(to(v)))
}

/// `value` as host-wasmer's `abi::Val`.
fn wasmer(value: &Neutral) -> HwVal {
    let each = |items: &[Neutral]| items.iter().map(wasmer).collect();
    match value {
        Neutral::Bool(b) => HwVal::Bool(*b),
        Neutral::U8(n) => HwVal::U8(*n),
        Neutral::U16(n) => HwVal::U16(*n),
        Neutral::U32(n) => HwVal::U32(*n),
        Neutral::U64(n) => HwVal::U64(*n),
        Neutral::S8(n) => HwVal::S8(*n),
        Neutral::S16(n) => HwVal::S16(*n),
        Neutral::S32(n) => HwVal::S32(*n),
        Neutral::S64(n) => HwVal::S64(*n),
        Neutral::F32(f) => HwVal::F32(*f),
        Neutral::F64(f) => HwVal::F64(*f),
        Neutral::Char(c) => HwVal::Char(*c),
        Neutral::String(s) => HwVal::String(s.clone()),
        Neutral::Own(h) => HwVal::Own(*h),
        Neutral::Borrow(h) => HwVal::Borrow(*h),
        Neutral::List(items) => HwVal::List(each(items)),
        Neutral::Bytes(bytes) => HwVal::Bytes(bytes.clone()),
        Neutral::Option(v) => HwVal::Option(payload(v, wasmer)),
        Neutral::Result(Ok(v)) => HwVal::Result(Ok(payload(v, wasmer))),
        Neutral::Result(Err(v)) => HwVal::Result(Err(payload(v, wasmer))),
        Neutral::Tuple(items) => HwVal::Tuple(each(items)),
        Neutral::Record(fields) => HwVal::Record(fields.iter().map(|(_, v)| wasmer(v)).collect()),
        Neutral::Variant {
            case, payload: v, ..
        } => HwVal::Variant {
            case: *case,
            payload: payload(v, wasmer),
        },
        Neutral::Enum { case, .. } => HwVal::Enum(*case),
        Neutral::Flags(set) => HwVal::Flags(set.iter().map(|(i, _)| *i).collect()),
    }
}

/// `value` as wasmtime's `component::Val`.
fn wasmtime(value: &Neutral) -> WtVal {
    let each = |items: &[Neutral]| items.iter().map(wasmtime).collect();
    match value {
        Neutral::Bool(b) => WtVal::Bool(*b),
        Neutral::U8(n) => WtVal::U8(*n),
        Neutral::U16(n) => WtVal::U16(*n),
        Neutral::U32(n) => WtVal::U32(*n),
        Neutral::U64(n) => WtVal::U64(*n),
        Neutral::S8(n) => WtVal::S8(*n),
        Neutral::S16(n) => WtVal::S16(*n),
        Neutral::S32(n) => WtVal::S32(*n),
        Neutral::S64(n) => WtVal::S64(*n),
        Neutral::F32(f) => WtVal::Float32(*f),
        Neutral::F64(f) => WtVal::Float64(*f),
        Neutral::Char(c) => WtVal::Char(*c),
        Neutral::String(s) => WtVal::String(s.clone()),
        // The options both runtimes take leave resources out: wasmtime's
        // handles are its own, not raw numbers.
        Neutral::Own(_) | Neutral::Borrow(_) => unreachable!("no resources in both hosts' types"),
        Neutral::List(items) => WtVal::List(each(items)),
        Neutral::Bytes(bytes) => WtVal::List(bytes.iter().map(|b| WtVal::U8(*b)).collect()),
        Neutral::Option(v) => WtVal::Option(payload(v, wasmtime)),
        Neutral::Result(Ok(v)) => WtVal::Result(Ok(payload(v, wasmtime))),
        Neutral::Result(Err(v)) => WtVal::Result(Err(payload(v, wasmtime))),
        Neutral::Tuple(items) => WtVal::Tuple(each(items)),
        Neutral::Record(fields) => WtVal::Record(
            fields
                .iter()
                .map(|(name, v)| (name.clone(), wasmtime(v)))
                .collect(),
        ),
        Neutral::Variant {
            name, payload: v, ..
        } => WtVal::Variant(name.clone(), payload(v, wasmtime)),
        Neutral::Enum { name, .. } => WtVal::Enum(name.clone()),
        Neutral::Flags(set) => WtVal::Flags(set.iter().map(|(_, name)| name.clone()).collect()),
    }
}
