//! Names: WIT type names for error messages, and helpers that build
//! [`Val`]s from case, field and flag names instead of indices.

use wit_parser::{Handle, Resolve, Type, TypeDefKind};

use super::shape::{Cases, Shape};
use super::{Abi, AbiError, Val};

/// Nesting depth past which a type name is abbreviated to `...`.
const MAX_NAME_DEPTH: usize = 8;

impl Abi {
    /// The name of `ty` as WIT writes it: its declared name, or its
    /// structure for an anonymous type (`list<u8>`, `option<string>`).
    ///
    /// ```
    /// use host_wasmer::abi::Abi;
    /// use wit_parser::{Resolve, Type};
    /// let resolve = Resolve::default();
    /// assert_eq!(Abi::new(&resolve).type_name(&Type::S64), "s64");
    /// ```
    pub fn type_name(&self, ty: &Type) -> String {
        type_name_in(&self.resolve, ty, 0)
    }

    /// The index of the case called `name` of a variant, enum, option
    /// (`none`, `some`) or result (`ok`, `err`).
    ///
    /// ```
    /// use host_wasmer::abi::Abi;
    /// use wit_parser::{Resolve, Type};
    /// let mut resolve = Resolve::default();
    /// let pkg = resolve.push_str("c.wit", "package a:b; interface i { enum color { red, green } }")?;
    /// let iface = resolve.packages[pkg].interfaces["i"];
    /// let color = Type::Id(resolve.interfaces[iface].types["color"]);
    /// assert_eq!(Abi::new(&resolve).case_index(&color, "green")?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn case_index(&self, ty: &Type, name: &str) -> Result<u32, AbiError> {
        let Shape::Cases(cases) = self.shape(ty)? else {
            return Err(self.no_such(ty, "case", name));
        };
        let found = match cases {
            Cases::Variant(v) => v.cases.iter().position(|c| c.name == name),
            Cases::Enum(e) => e.cases.iter().position(|c| c.name == name),
            Cases::Option(_) => ["none", "some"].iter().position(|c| *c == name),
            Cases::Result(_) => ["ok", "err"].iter().position(|c| *c == name),
        };
        found
            .and_then(|i| u32::try_from(i).ok())
            .ok_or_else(|| self.no_such(ty, "case", name))
    }

    /// A variant, enum, option or result value of the case called `name`,
    /// type checked against `ty` (payload present exactly when the case
    /// has a type).
    ///
    /// ```
    /// use host_wasmer::abi::{Abi, Val};
    /// use wit_parser::{Resolve, Type};
    /// let mut resolve = Resolve::default();
    /// let pkg = resolve.push_str("e.wit", "package a:b; interface i { variant error { invalid(string), gone } }")?;
    /// let iface = resolve.packages[pkg].interfaces["i"];
    /// let error = Type::Id(resolve.interfaces[iface].types["error"]);
    /// let abi = Abi::new(&resolve);
    /// assert_eq!(abi.variant(&error, "gone", None)?, Val::variant(1, None));
    /// assert!(abi.variant(&error, "invalid", None).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn variant(&self, ty: &Type, case: &str, payload: Option<Val>) -> Result<Val, AbiError> {
        let index = self.case_index(ty, case)?;
        let Shape::Cases(cases) = self.shape(ty)? else {
            return Err(self.no_such(ty, "case", case));
        };
        let has_payload = cases.case(index).flatten().is_some();
        if has_payload != payload.is_some() {
            return Err(AbiError::PayloadMismatch {
                ty: self.type_name(ty),
                case: index,
                expected: has_payload,
            });
        }
        Ok(cases.build(index, payload))
    }

    /// The index of the field called `name` of a record.
    pub fn field_index(&self, ty: &Type, name: &str) -> Result<usize, AbiError> {
        match self.shape(ty)? {
            Shape::Record(r) => r.fields.iter().position(|f| f.name == name),
            _ => None,
        }
        .ok_or_else(|| self.no_such(ty, "field", name))
    }

    /// A record value from `(field name, value)` pairs in any order; every
    /// field must be given exactly once.
    ///
    /// ```
    /// use host_wasmer::abi::{Abi, Val};
    /// use wit_parser::{Resolve, Type};
    /// let mut resolve = Resolve::default();
    /// let pkg = resolve.push_str("s.wit", "package a:b; interface i { record span { start: u32, end: u32 } }")?;
    /// let iface = resolve.packages[pkg].interfaces["i"];
    /// let span = Type::Id(resolve.interfaces[iface].types["span"]);
    /// let abi = Abi::new(&resolve);
    /// let val = abi.record(&span, [("end", Val::U32(9)), ("start", Val::U32(2))])?;
    /// assert_eq!(val, Val::Record(vec![Val::U32(2), Val::U32(9)]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record<'n>(
        &self,
        ty: &Type,
        fields: impl IntoIterator<Item = (&'n str, Val)>,
    ) -> Result<Val, AbiError> {
        let Shape::Record(record) = self.shape(ty)? else {
            return Err(AbiError::ValueMismatch {
                expected: self.type_name(ty),
                found: "a `record` value".into(),
            });
        };
        let mut slots: Vec<Option<Val>> = vec![None; record.fields.len()];
        let mut given = 0;
        for (name, val) in fields {
            let index = self.field_index(ty, name)?;
            if let Some(slot) = slots.get_mut(index) {
                *slot = Some(val);
            }
            given += 1;
        }
        let values: Vec<Val> = slots.into_iter().flatten().collect();
        if values.len() != record.fields.len() || given != values.len() {
            return Err(AbiError::WrongFieldCount {
                ty: self.type_name(ty),
                expected: record.fields.len(),
                found: given,
            });
        }
        Ok(Val::Record(values))
    }

    /// A flags value with the flags called `names` set.
    ///
    /// ```
    /// use host_wasmer::abi::{Abi, Val};
    /// use wit_parser::{Resolve, Type};
    /// let mut resolve = Resolve::default();
    /// let pkg = resolve.push_str("f.wit", "package a:b; interface i { flags opts { a, b, c } }")?;
    /// let iface = resolve.packages[pkg].interfaces["i"];
    /// let opts = Type::Id(resolve.interfaces[iface].types["opts"]);
    /// assert_eq!(Abi::new(&resolve).flags(&opts, &["c", "a"])?, Val::Flags(vec![0, 2]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flags(&self, ty: &Type, names: &[&str]) -> Result<Val, AbiError> {
        let Shape::Flags(flags) = self.shape(ty)? else {
            return Err(AbiError::ValueMismatch {
                expected: self.type_name(ty),
                found: "a `flags` value".into(),
            });
        };
        let mut set = names
            .iter()
            .map(|name| {
                flags
                    .flags
                    .iter()
                    .position(|f| f.name == *name)
                    .and_then(|i| u32::try_from(i).ok())
                    .ok_or_else(|| self.no_such(ty, "flag", name))
            })
            .collect::<Result<Vec<_>, _>>()?;
        set.sort_unstable();
        set.dedup();
        Ok(Val::Flags(set))
    }

    fn no_such(&self, ty: &Type, what: &'static str, name: &str) -> AbiError {
        AbiError::UnknownName {
            ty: self.type_name(ty),
            what,
            name: name.to_owned(),
        }
    }
}

/// The name of `ty` in `resolve`, as WIT writes it; nested types past
/// [`MAX_NAME_DEPTH`] are abbreviated.
pub(crate) fn type_name_in(resolve: &Resolve, ty: &Type, depth: usize) -> String {
    let id = match ty {
        Type::Bool => return "bool".into(),
        Type::U8 => return "u8".into(),
        Type::U16 => return "u16".into(),
        Type::U32 => return "u32".into(),
        Type::U64 => return "u64".into(),
        Type::S8 => return "s8".into(),
        Type::S16 => return "s16".into(),
        Type::S32 => return "s32".into(),
        Type::S64 => return "s64".into(),
        Type::F32 => return "f32".into(),
        Type::F64 => return "f64".into(),
        Type::Char => return "char".into(),
        Type::String => return "string".into(),
        Type::ErrorContext => return "error-context".into(),
        Type::Id(id) => *id,
    };
    let Some(def) = resolve.types.get(id) else {
        return "<type of another resolve>".into();
    };
    if let Some(name) = &def.name {
        return name.clone();
    }
    if depth >= MAX_NAME_DEPTH {
        return "...".into();
    }
    let name = |t: &Type| type_name_in(resolve, t, depth + 1);
    let maybe = |t: &Option<Type>| t.as_ref().map_or("_".into(), name);
    match &def.kind {
        TypeDefKind::Type(t) => name(t),
        TypeDefKind::List(t) => format!("list<{}>", name(t)),
        TypeDefKind::FixedLengthList(t, n) => format!("list<{}, {n}>", name(t)),
        TypeDefKind::Map(k, v) => format!("map<{}, {}>", name(k), name(v)),
        TypeDefKind::Option(t) => format!("option<{}>", name(t)),
        TypeDefKind::Result(r) => format!("result<{}, {}>", maybe(&r.ok), maybe(&r.err)),
        TypeDefKind::Tuple(t) => {
            let items: Vec<_> = t.types.iter().map(name).collect();
            format!("tuple<{}>", items.join(", "))
        }
        TypeDefKind::Handle(Handle::Own(r)) => format!("own<{}>", name(&Type::Id(*r))),
        TypeDefKind::Handle(Handle::Borrow(r)) => format!("borrow<{}>", name(&Type::Id(*r))),
        TypeDefKind::Future(t) => format!("future<{}>", maybe(t)),
        TypeDefKind::Stream(t) => format!("stream<{}>", maybe(t)),
        kind => kind.as_str().into(),
    }
}
