//! Walking the parts of a WIT type: the questions the generator and the
//! run-time path both ask of a type ("does it hold a handle?", "a list?",
//! "something this ABI refuses?"), answered by one traversal.

use wit_parser::{Resolve, Type, TypeDefKind};

/// The first answer `visit` gives for a part of `ty`: `ty` itself, then
/// the types inside it (through aliases, lists, options, results, tuples,
/// records, variants, maps and fixed-length lists), depth first. `visit`
/// sees each part with its definition, if it is a defined type; a part it
/// answers is not entered.
///
/// # Examples
///
/// ```
/// use host_wasmer_bindgen::walk::find_part;
/// use wit_parser::{Resolve, Type, TypeDefKind};
///
/// let mut resolve = Resolve::default();
/// let pkg = resolve.push_str(
///     "t.wit",
///     "package t:t; interface i { type names = option<list<string>>; }",
/// )?;
/// let iface = resolve.packages[pkg].interfaces["i"];
/// let names = Type::Id(resolve.interfaces[iface].types["names"]);
/// let list = find_part(&resolve, &names, &mut |_, kind| {
///     matches!(kind, Some(TypeDefKind::List(_))).then_some("a list")
/// });
/// assert_eq!(list, Some("a list"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn find_part<'r, R>(
    resolve: &'r Resolve,
    ty: &'r Type,
    visit: &mut impl FnMut(&'r Type, Option<&'r TypeDefKind>) -> Option<R>,
) -> Option<R> {
    let kind = match ty {
        Type::Id(id) => Some(&resolve.types[*id].kind),
        _ => None,
    };
    if let Some(answer) = visit(ty, kind) {
        return Some(answer);
    }
    let mut inner = |t: &'r Type| find_part(resolve, t, visit);
    match kind? {
        TypeDefKind::Type(t)
        | TypeDefKind::List(t)
        | TypeDefKind::Option(t)
        | TypeDefKind::FixedLengthList(t, _) => inner(t),
        TypeDefKind::Map(k, v) => inner(k).or_else(|| inner(v)),
        TypeDefKind::Record(r) => r.fields.iter().find_map(|f| inner(&f.ty)),
        TypeDefKind::Tuple(t) => t.types.iter().find_map(&mut inner),
        TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).find_map(&mut inner),
        TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty.as_ref()).find_map(inner),
        _ => None,
    }
}

/// Whether `is` holds for any part of `ty` (see [`find_part`]).
///
/// # Examples
///
/// ```
/// use host_wasmer_bindgen::walk::any_part;
/// use wit_parser::{Resolve, Type};
///
/// let resolve = Resolve::default();
/// assert!(any_part(&resolve, &Type::String, |t, _| matches!(t, Type::String)));
/// assert!(!any_part(&resolve, &Type::U8, |t, _| matches!(t, Type::String)));
/// ```
pub fn any_part(
    resolve: &Resolve,
    ty: &Type,
    mut is: impl FnMut(&Type, Option<&TypeDefKind>) -> bool,
) -> bool {
    find_part(resolve, ty, &mut |t, kind| is(t, kind).then_some(())).is_some()
}
