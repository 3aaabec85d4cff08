//! Random WIT types, and how WIT writes them.

use super::Source;

/// What the generator makes beyond what both hosts take. The default,
/// nothing beyond, is what the conformance suite runs on host-wasmer and
/// on wasmtime alike.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `own<res>` leaves: the WIT around the type declares `resource res`.
    pub own: bool,
    /// `borrow<res>` leaves too (with `own`): WIT takes them in parameters
    /// only.
    pub borrow: bool,
    /// Wider types than wasmtime takes or than are common: enums of
    /// hundreds of cases (a two-byte discriminant), up to 70 flags (several
    /// words), tuples of four and variants of five cases.
    pub wide: bool,
    /// Values at the edges: infinite, zero, subnormal and extreme floats,
    /// the chars around the surrogates, and a `list<u8>` as a list of `u8`
    /// values as often as as bytes.
    pub edges: bool,
}

/// A WIT type. Named types carry the name they are defined under.
#[derive(Clone, Debug, PartialEq)]
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
    /// `own<res>`.
    Own,
    /// `borrow<res>`.
    Borrow,
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

/// The named types generated types need, as WIT definitions. Types that
/// appear in one WIT interface share one `Defs`, so that names are unique.
#[derive(Clone, Debug, Default)]
pub struct Defs {
    /// The definitions, in the order they must be written.
    pub text: Vec<String>,
    /// The names they define.
    pub names: Vec<String>,
}

impl Defs {
    /// Defines a `kind` (`record`, `variant`, ...) of `items`, named by
    /// `prefix` and its place among the definitions; returns the name.
    fn define(&mut self, prefix: &str, kind: &str, items: &[String]) -> String {
        let name = format!("{prefix}{}", self.names.len());
        self.text
            .push(format!("{kind} {name} {{ {} }}", items.join(", ")));
        self.names.push(name.clone());
        name
    }
}

/// The scalar types, in the order the generator numbers them.
const SCALARS: [Ty; 13] = [
    Ty::Bool,
    Ty::U8,
    Ty::U16,
    Ty::U32,
    Ty::U64,
    Ty::S8,
    Ty::S16,
    Ty::S32,
    Ty::S64,
    Ty::F32,
    Ty::F64,
    Ty::Char,
    Ty::String,
];

/// Flag counts around the word boundaries (the component model allows up
/// to 32 flags; the first eight are all the default options choose from).
const FLAG_COUNTS: [usize; 13] = [1, 3, 8, 9, 16, 17, 31, 32, 33, 63, 64, 65, 70];

/// A random type of nesting depth at most `depth`, its named types defined
/// in `defs`.
pub fn ty<S: Source>(rng: &mut S, depth: u32, defs: &mut Defs, options: Options) -> Ty {
    // Two levels or more from the leaves a type is compound; one level
    // from them, half are; so values nest and carry strings and lists.
    let resources = u64::from(options.own) + u64::from(options.own && options.borrow);
    let leaves = SCALARS.len() as u64 + resources;
    let kind = match depth {
        0 => rng.below(leaves),
        1 if rng.below(2) == 0 => rng.below(leaves),
        _ => leaves + rng.below(8),
    };
    if kind < leaves {
        return match SCALARS.get(kind as usize) {
            Some(scalar) => scalar.clone(),
            None if kind == SCALARS.len() as u64 => Ty::Own,
            None => Ty::Borrow,
        };
    }
    let wide = u64::from(options.wide);
    let inner = |rng: &mut S, defs: &mut Defs| ty(rng, depth - 1, defs, options);
    match kind - leaves {
        0 => Ty::List(Box::new(inner(rng, defs))),
        1 => Ty::Option(Box::new(inner(rng, defs))),
        2 => {
            let side = |rng: &mut S, defs: &mut Defs| {
                (rng.below(3) > 0).then(|| Box::new(inner(rng, defs)))
            };
            let ok = side(rng, defs);
            Ty::Result(ok, side(rng, defs))
        }
        3 => Ty::Tuple(
            (0..1 + rng.below(3 + wide))
                .map(|_| inner(rng, defs))
                .collect(),
        ),
        4 => {
            let fields: Vec<(String, Ty)> = (0..1 + rng.below(4))
                .map(|i| (format!("f{i}"), inner(rng, defs)))
                .collect();
            let body: Vec<String> = fields
                .iter()
                .map(|(f, t)| format!("{f}: {}", wit(t)))
                .collect();
            let name = defs.define("r", "record", &body);
            Ty::Record(name, fields)
        }
        5 => {
            let cases: Vec<(String, Option<Ty>)> = (0..1 + rng.below(4 + wide))
                .map(|i| {
                    (
                        format!("c{i}"),
                        (rng.below(3) > 0).then(|| inner(rng, defs)),
                    )
                })
                .collect();
            let body: Vec<String> = cases
                .iter()
                .map(|(c, t)| match t {
                    Some(t) => format!("{c}({})", wit(t)),
                    None => c.clone(),
                })
                .collect();
            let name = defs.define("v", "variant", &body);
            Ty::Variant(name, cases)
        }
        6 => {
            let count = match options.wide && rng.below(3) == 0 {
                true => 250 + rng.below(50),
                false => 1 + rng.below(5),
            };
            let cases: Vec<String> = (0..count).map(|i| format!("e{i}")).collect();
            let name = defs.define("e", "enum", &cases);
            Ty::Enum(name, cases)
        }
        _ => {
            let counts = match options.wide {
                true => &FLAG_COUNTS[..],
                false => &FLAG_COUNTS[..8],
            };
            let count = counts[rng.below(counts.len() as u64) as usize];
            let flags: Vec<String> = (0..count).map(|i| format!("g{i}")).collect();
            let name = defs.define("f", "flags", &flags);
            Ty::Flags(name, flags)
        }
    }
}

/// How WIT writes `ty`.
pub fn wit(ty: &Ty) -> String {
    let scalar = match ty {
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
        Ty::List(t) => return format!("list<{}>", wit(t)),
        Ty::Option(t) => return format!("option<{}>", wit(t)),
        Ty::Result(ok, err) => {
            let side = |t: &Option<Box<Ty>>| t.as_ref().map_or("_".to_string(), |t| wit(t));
            return match (ok, err) {
                (None, None) => "result".into(),
                (Some(ok), None) => format!("result<{}>", wit(ok)),
                _ => format!("result<{}, {}>", side(ok), side(err)),
            };
        }
        Ty::Tuple(ts) => {
            let items: Vec<String> = ts.iter().map(wit).collect();
            return format!("tuple<{}>", items.join(", "));
        }
        Ty::Record(name, _) | Ty::Variant(name, _) | Ty::Enum(name, _) | Ty::Flags(name, _) => name,
    };
    scalar.into()
}
