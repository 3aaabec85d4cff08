//! Checks a module against the world before instantiation and reports every
//! problem at once; Wasmer itself stops at the first missing import.

use std::collections::BTreeSet;

use wasmer::{AsStoreRef, ExternType, FunctionType, ImportType, Imports, Module, Type};

mod outside;
mod problem;

pub use outside::UndefinedImports;
pub(crate) use outside::{judge_outside, render_type};
pub use problem::{Problem, ValidationError};

use crate::GuestWorld;
use crate::shape::{Shape, WorldShape};

/// The signature of `cabi_realloc(old_ptr, old_len, align, new_len) -> ptr`.
const REALLOC_PARAMS: [Type; 4] = [Type::I32; 4];

/// Checks `module` against `world`: every import must be a WIT function or
/// resource drop of the world with the derived core signature, and bound by
/// the host (`is_bound`); the module must export each world export with its
/// derived signature, and `memory` and `cabi_realloc` where the world's
/// signatures need them ([`GuestWorld::needs_memory`],
/// [`GuestWorld::needs_realloc`]).
pub fn validate_module(
    world: &GuestWorld,
    module: &Module,
    is_bound: impl Fn(&str, &str) -> bool,
) -> Result<(), ValidationError> {
    let problems = check_module(world, module, is_bound, |import| {
        Some(Problem::UnknownModule {
            module: import.module().to_string(),
            name: import.name().to_string(),
        })
    });
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { problems })
    }
}

/// Checks `module` against a generated world's `shape` and the `imports`
/// it is about to be instantiated with, and lists every problem at once:
/// an import of the world that is not in `imports` (the world's
/// `add_to_imports` was not called on them) is [`Problem::Unbound`]; an
/// import of another module (WASI, say) must be defined in `imports`, with
/// its type ([`Problem::Undefined`], [`Problem::ImportType`]); the exports
/// are checked as [`validate_module`] checks them.
///
/// The `instantiate` of a generated world calls it first.
pub fn validate_imports(
    store: &impl AsStoreRef,
    module: &Module,
    imports: &Imports,
    shape: &WorldShape,
) -> Result<(), ValidationError> {
    let problems = check_module(
        shape,
        module,
        |m, n| imports.get_export(m, n).is_some(),
        |import| judge_outside(store, imports, UndefinedImports::Refuse, import),
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { problems })
    }
}

/// Every problem of `module` against `world`; an import of a module the
/// world does not have (nor has at another version) is judged by `outside`.
pub(crate) fn check_module(
    world: &(impl Shape + ?Sized),
    module: &Module,
    is_bound: impl Fn(&str, &str) -> bool,
    outside: impl Fn(&ImportType) -> Option<Problem>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    // Only a module's problems need the set of the world's modules.
    let known = std::cell::OnceCell::new();
    let known = || known.get_or_init(|| world.modules());
    for import in module.imports() {
        let (module_name, name) = (import.module(), import.name());
        if !world.has_module(module_name) && !versioned(known(), module_name) {
            // Imports of modules the world does not have (WASI, say) are the
            // embedder's.
            problems.extend(outside(&import));
            continue;
        }
        let ExternType::Function(found) = import.ty() else {
            problems.push(Problem::NotAFunction {
                module: module_name.into(),
                name: name.into(),
            });
            continue;
        };
        match world.import_fits(module_name, name, found) {
            Some(true) if !is_bound(module_name, name) => problems.push(Problem::Unbound {
                module: module_name.into(),
                name: name.into(),
            }),
            Some(true) => {}
            Some(false) => problems.push(Problem::SignatureMismatch {
                module: module_name.into(),
                name: name.into(),
                expected: world
                    .import_type(module_name, name)
                    .map(|expected| render_type(&expected))
                    .unwrap_or_default(),
                found: render_type(found),
            }),
            None => problems.push(unknown(known(), module_name.into(), name.into())),
        }
    }
    check_exports(world, module, &mut problems);
    problems
}

/// Whether the world serves `module`'s interface at another version.
fn versioned(known: &BTreeSet<&str>, module: &str) -> bool {
    let (interface, _) = GuestWorld::split_version(module);
    known
        .iter()
        .any(|m| GuestWorld::split_version(m).0 == interface)
}

fn unknown(known: &BTreeSet<&str>, module: String, name: String) -> Problem {
    if known.contains(module.as_str()) {
        return Problem::UnknownImport { module, name };
    }
    let (interface, _) = GuestWorld::split_version(&module);
    let served = known
        .iter()
        .map(|m| GuestWorld::split_version(m))
        .find(|(i, _)| *i == interface);
    match served {
        Some((_, version)) => Problem::VersionMismatch {
            module,
            name,
            expected: version.unwrap_or("(none)").to_string(),
        },
        None => Problem::UnknownModule { module, name },
    }
}

fn check_exports(world: &(impl Shape + ?Sized), module: &Module, problems: &mut Vec<Problem>) {
    let exports: Vec<_> = module.exports().collect();
    let find = |name: &str| exports.iter().find(|e| e.name() == name).map(|e| e.ty());
    // `memory` and `cabi_realloc` are required only where the world's
    // signatures need them; wherever they are exported, they must be right.
    match find("memory") {
        Some(ExternType::Memory(_)) => {}
        Some(other) => problems.push(Problem::BadExport {
            name: "memory".into(),
            expected: "a memory".into(),
            found: format!("{other:?}"),
        }),
        None if world.needs_memory() => problems.push(Problem::MissingExport {
            name: "memory".into(),
            role: "the canonical ABI's linear memory",
        }),
        None => {}
    }
    let realloc = find("cabi_realloc");
    if realloc.is_some() || world.needs_realloc() {
        check_function(
            realloc,
            "cabi_realloc",
            "the canonical ABI's allocator",
            &FunctionType::new(REALLOC_PARAMS, [Type::I32]),
            problems,
        );
    }
    for export in world.exports() {
        check_function(
            find(export.name),
            export.name,
            "a function of the world",
            &export.ty,
            problems,
        );
        // wit-bindgen emits a post-return function only when there is
        // something to free, so its absence is fine; a wrong one is not.
        if let Some(ty) = find(export.post_return) {
            let expected = FunctionType::new(export.ty.results(), []);
            check_function(Some(ty), export.post_return, "", &expected, problems);
        }
    }
}

fn check_function(
    found: Option<&ExternType>,
    name: &str,
    role: &'static str,
    expected: &FunctionType,
    problems: &mut Vec<Problem>,
) {
    match found {
        Some(ExternType::Function(found)) if found == expected => {}
        Some(ExternType::Function(found)) => problems.push(Problem::BadExport {
            name: name.into(),
            expected: render_type(expected),
            found: render_type(found),
        }),
        Some(other) => problems.push(Problem::BadExport {
            name: name.into(),
            expected: render_type(expected),
            found: format!("{other:?}"),
        }),
        None => problems.push(Problem::MissingExport {
            name: name.into(),
            role,
        }),
    }
}
