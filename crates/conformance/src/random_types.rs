//! Random WIT types and values of them, written as WIT text and as the
//! values of both hosts: host-wasmer's `abi::Val` and wasmtime's
//! `component::Val`.
//!
//! One generator, two sources of randomness: a seeded [`Rng`] (the
//! differential test, 200 seeds) and the fuzzer's bytes ([`Bytes`], the
//! `lift_lower` fuzz target), through the [`Source`] trait.

use host_wasmer::abi::Val as HwVal;
use wasmtime::component::Val as WtVal;

/// Where the generator's choices come from.
pub trait Source {
    /// 64 random bits.
    fn next(&mut self) -> u64;

    /// A number below `n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A string, given the 64 bits the value's generation drew first.
    fn string(&mut self, n: u64) -> String {
        let pool = [
            "",
            "a",
            "héllo",
            "ключ значение",
            "🦀 slots and handles",
            "tab\tnew\nline, and a longer string that spans several words",
        ];
        pool[(n % pool.len() as u64) as usize].to_string()
    }
}

/// A small deterministic generator (xorshift64*), so that a failing case is
/// reproduced from its seed.
pub struct Rng(u64);

impl Rng {
    /// The generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
}

impl Source for Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Choices read from a fuzzer's bytes, front to back: a choice among up to
/// 256 takes one byte, among up to 65,536 two, 64 bits take eight, and a string takes a length byte and a
/// byte or more per character. Past the end every byte reads as zero, so
/// every input, however short, makes a type and a value.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// Choices from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
}

impl Source for Bytes<'_> {
    fn next(&mut self) -> u64 {
        let mut bits = [0u8; 8];
        for b in &mut bits {
            *b = self.byte();
        }
        u64::from_le_bytes(bits)
    }

    fn below(&mut self, n: u64) -> u64 {
        match n {
            0 | 1 => 0,
            2..=256 => u64::from(self.byte()) % n,
            257..=65536 => u64::from(u16::from_le_bytes([self.byte(), self.byte()])) % n,
            _ => self.next() % n,
        }
    }

    fn string(&mut self, _: u64) -> String {
        // Mostly ASCII, with two-, three- and four-byte characters.
        (0..self.byte() % 48)
            .map(|_| match self.byte() {
                b @ 0..=0x7f => char::from(b),
                0x80..=0xbf => char::from_u32(0x80 + u32::from(self.byte()) * 7).unwrap_or('é'),
                0xc0..=0xef => char::from_u32(0x800 + u32::from(self.byte()) * 0xf0).unwrap_or('€'),
                _ => char::from_u32(0x1_0000 + u32::from(self.byte()) * 0xff0).unwrap_or('🦀'),
            })
            .collect()
    }
}

/// A WIT type. Named types carry the name they are defined under.
#[derive(Clone, Debug)]
pub enum Ty {
    /// `bool`.
    Bool,
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// `s8`.
    S8,
    /// `s16`.
    S16,
    /// `s32`.
    S32,
    /// `s64`.
    S64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `char`.
    Char,
    /// `string`.
    String,
    /// `list<T>`.
    List(Box<Ty>),
    /// `option<T>`.
    Option(Box<Ty>),
    /// `result<T, E>`, either side possibly absent.
    Result(Option<Box<Ty>>, Option<Box<Ty>>),
    /// `tuple<...>`.
    Tuple(Vec<Ty>),
    /// A record: its name and fields.
    Record(String, Vec<(String, Ty)>),
    /// A variant: its name and cases.
    Variant(String, Vec<(String, Option<Ty>)>),
    /// An enum: its name and cases.
    Enum(String, Vec<String>),
    /// Flags: their name and members.
    Flags(String, Vec<String>),
}

/// The named types a generated type needs, as WIT definitions.
#[derive(Default)]
pub struct Defs {
    /// The definitions, in the order they must be written.
    pub text: Vec<String>,
    /// The names they define.
    pub names: Vec<String>,
}

impl Defs {
    fn name(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.names.len())
    }

    fn define(&mut self, name: String, text: String) {
        self.names.push(name);
        self.text.push(text);
    }
}

/// A random type of nesting depth at most `depth`.
pub fn ty<S: Source>(rng: &mut S, depth: u32, defs: &mut Defs) -> Ty {
    // Two levels or more from the leaves a type is compound; one level
    // from them, half are; so values nest and carry strings and lists.
    let scalars = 13;
    let kind = match depth {
        0 => rng.below(scalars),
        1 if rng.below(2) == 0 => rng.below(scalars),
        _ => scalars + rng.below(8),
    };
    match kind {
        0 => Ty::Bool,
        1 => Ty::U8,
        2 => Ty::U16,
        3 => Ty::U32,
        4 => Ty::U64,
        5 => Ty::S8,
        6 => Ty::S16,
        7 => Ty::S32,
        8 => Ty::S64,
        9 => Ty::F32,
        10 => Ty::F64,
        11 => Ty::Char,
        12 => Ty::String,
        13 => Ty::List(Box::new(ty(rng, depth - 1, defs))),
        14 => Ty::Option(Box::new(ty(rng, depth - 1, defs))),
        15 => {
            let side = |rng: &mut S, defs: &mut Defs| {
                (rng.below(3) > 0).then(|| Box::new(ty(rng, depth - 1, defs)))
            };
            Ty::Result(side(rng, defs), side(rng, defs))
        }
        16 => Ty::Tuple(
            (0..1 + rng.below(3))
                .map(|_| ty(rng, depth - 1, defs))
                .collect(),
        ),
        17 => {
            let fields: Vec<(String, Ty)> = (0..1 + rng.below(4))
                .map(|i| (format!("f{i}"), ty(rng, depth - 1, defs)))
                .collect();
            let name = defs.name("r");
            let body: Vec<String> = fields
                .iter()
                .map(|(f, t)| format!("{f}: {}", wit(t)))
                .collect();
            defs.define(
                name.clone(),
                format!("record {name} {{ {} }}", body.join(", ")),
            );
            Ty::Record(name, fields)
        }
        18 => {
            let cases: Vec<(String, Option<Ty>)> = (0..1 + rng.below(4))
                .map(|i| {
                    (
                        format!("c{i}"),
                        (rng.below(3) > 0).then(|| ty(rng, depth - 1, defs)),
                    )
                })
                .collect();
            let name = defs.name("v");
            let body: Vec<String> = cases
                .iter()
                .map(|(c, t)| match t {
                    Some(t) => format!("{c}({})", wit(t)),
                    None => c.clone(),
                })
                .collect();
            defs.define(
                name.clone(),
                format!("variant {name} {{ {} }}", body.join(", ")),
            );
            Ty::Variant(name, cases)
        }
        19 => {
            let cases: Vec<String> = (0..1 + rng.below(5)).map(|i| format!("e{i}")).collect();
            let name = defs.name("e");
            defs.define(
                name.clone(),
                format!("enum {name} {{ {} }}", cases.join(", ")),
            );
            Ty::Enum(name, cases)
        }
        _ => {
            // The component model allows up to 32 flags.
            let count = [1, 3, 8, 9, 16, 17, 31, 32][rng.below(8) as usize];
            let flags: Vec<String> = (0..count).map(|i| format!("g{i}")).collect();
            let name = defs.name("f");
            defs.define(
                name.clone(),
                format!("flags {name} {{ {} }}", flags.join(", ")),
            );
            Ty::Flags(name, flags)
        }
    }
}

/// How WIT writes `ty`.
pub fn wit(ty: &Ty) -> String {
    match ty {
        Ty::Bool => "bool".into(),
        Ty::U8 => "u8".into(),
        Ty::U16 => "u16".into(),
        Ty::U32 => "u32".into(),
        Ty::U64 => "u64".into(),
        Ty::S8 => "s8".into(),
        Ty::S16 => "s16".into(),
        Ty::S32 => "s32".into(),
        Ty::S64 => "s64".into(),
        Ty::F32 => "f32".into(),
        Ty::F64 => "f64".into(),
        Ty::Char => "char".into(),
        Ty::String => "string".into(),
        Ty::List(t) => format!("list<{}>", wit(t)),
        Ty::Option(t) => format!("option<{}>", wit(t)),
        Ty::Result(ok, err) => {
            let side = |t: &Option<Box<Ty>>| t.as_ref().map_or("_".to_string(), |t| wit(t));
            match (ok, err) {
                (None, None) => "result".into(),
                (Some(ok), None) => format!("result<{}>", wit(ok)),
                _ => format!("result<{}, {}>", side(ok), side(err)),
            }
        }
        Ty::Tuple(ts) => {
            let items: Vec<String> = ts.iter().map(wit).collect();
            format!("tuple<{}>", items.join(", "))
        }
        Ty::Record(name, _) | Ty::Variant(name, _) | Ty::Enum(name, _) | Ty::Flags(name, _) => {
            name.clone()
        }
    }
}

/// A value of a generated type, in both hosts' forms.
pub struct Value {
    /// As host-wasmer's `abi::Val`.
    pub wasmer: HwVal,
    /// As wasmtime's `component::Val`.
    pub wasmtime: WtVal,
}

fn both(wasmer: HwVal, wasmtime: WtVal) -> Value {
    Value { wasmer, wasmtime }
}

fn finite_f64(rng: &mut impl Source) -> f64 {
    // NaN payloads may be canonicalized differently; keep to numbers.
    let f = f64::from_bits(rng.next());
    if f.is_finite() {
        f
    } else {
        (rng.next() % 1000) as f64 - 500.5
    }
}

/// A random value of `ty`.
pub fn value(rng: &mut impl Source, ty: &Ty) -> Value {
    let n = rng.next();
    match ty {
        Ty::Bool => both(HwVal::Bool(n & 1 == 1), WtVal::Bool(n & 1 == 1)),
        Ty::U8 => both(HwVal::U8(n as u8), WtVal::U8(n as u8)),
        Ty::U16 => both(HwVal::U16(n as u16), WtVal::U16(n as u16)),
        Ty::U32 => both(HwVal::U32(n as u32), WtVal::U32(n as u32)),
        Ty::U64 => both(HwVal::U64(n), WtVal::U64(n)),
        Ty::S8 => both(HwVal::S8(n as i8), WtVal::S8(n as i8)),
        Ty::S16 => both(HwVal::S16(n as i16), WtVal::S16(n as i16)),
        Ty::S32 => both(HwVal::S32(n as i32), WtVal::S32(n as i32)),
        Ty::S64 => both(HwVal::S64(n as i64), WtVal::S64(n as i64)),
        Ty::F32 => {
            let f = finite_f64(rng) as f32;
            let f = if f.is_finite() { f } else { 1.5 };
            both(HwVal::F32(f), WtVal::Float32(f))
        }
        Ty::F64 => {
            let f = finite_f64(rng);
            both(HwVal::F64(f), WtVal::Float64(f))
        }
        Ty::Char => {
            let c = char::from_u32((n % 0x11_0000) as u32).unwrap_or('\u{e9}');
            both(HwVal::Char(c), WtVal::Char(c))
        }
        Ty::String => {
            let s = rng.string(n);
            both(HwVal::String(s.clone()), WtVal::String(s))
        }
        Ty::List(elem) => {
            let items: Vec<Value> = (0..n % 7).map(|_| value(rng, elem)).collect();
            let wasmer = match **elem {
                Ty::U8 => HwVal::Bytes(
                    items
                        .iter()
                        .map(|v| match v.wasmer {
                            HwVal::U8(b) => b,
                            _ => 0,
                        })
                        .collect(),
                ),
                _ => HwVal::List(items.iter().map(|v| v.wasmer.clone()).collect()),
            };
            both(
                wasmer,
                WtVal::List(items.into_iter().map(|v| v.wasmtime).collect()),
            )
        }
        Ty::Option(t) => match n % 2 {
            0 => both(HwVal::Option(None), WtVal::Option(None)),
            _ => {
                let v = value(rng, t);
                both(
                    HwVal::Option(Some(Box::new(v.wasmer))),
                    WtVal::Option(Some(Box::new(v.wasmtime))),
                )
            }
        },
        Ty::Result(ok, err) => {
            let is_ok = n.is_multiple_of(2);
            let side = if is_ok { ok } else { err };
            let (hw, wt) = match side {
                Some(t) => {
                    let v = value(rng, t);
                    (Some(Box::new(v.wasmer)), Some(Box::new(v.wasmtime)))
                }
                None => (None, None),
            };
            match is_ok {
                true => both(HwVal::Result(Ok(hw)), WtVal::Result(Ok(wt))),
                false => both(HwVal::Result(Err(hw)), WtVal::Result(Err(wt))),
            }
        }
        Ty::Tuple(ts) => {
            let items: Vec<Value> = ts.iter().map(|t| value(rng, t)).collect();
            both(
                HwVal::Tuple(items.iter().map(|v| v.wasmer.clone()).collect()),
                WtVal::Tuple(items.into_iter().map(|v| v.wasmtime).collect()),
            )
        }
        Ty::Record(_, fields) => {
            let items: Vec<(String, Value)> = fields
                .iter()
                .map(|(f, t)| (f.clone(), value(rng, t)))
                .collect();
            both(
                HwVal::Record(items.iter().map(|(_, v)| v.wasmer.clone()).collect()),
                WtVal::Record(items.into_iter().map(|(f, v)| (f, v.wasmtime)).collect()),
            )
        }
        Ty::Variant(_, cases) => {
            let index = (n % cases.len() as u64) as usize;
            let (case, payload) = &cases[index];
            let payload = payload.as_ref().map(|t| value(rng, t));
            let (hw, wt) = match payload {
                Some(v) => (Some(Box::new(v.wasmer)), Some(Box::new(v.wasmtime))),
                None => (None, None),
            };
            both(
                HwVal::Variant {
                    case: index as u32,
                    payload: hw,
                },
                WtVal::Variant(case.clone(), wt),
            )
        }
        Ty::Enum(_, cases) => {
            let index = (n % cases.len() as u64) as usize;
            both(HwVal::Enum(index as u32), WtVal::Enum(cases[index].clone()))
        }
        Ty::Flags(_, flags) => {
            let set: Vec<u32> = (0..flags.len() as u32)
                .filter(|_| rng.next().is_multiple_of(3))
                .collect();
            both(
                HwVal::Flags(set.clone()),
                WtVal::Flags(set.iter().map(|&i| flags[i as usize].clone()).collect()),
            )
        }
    }
}
