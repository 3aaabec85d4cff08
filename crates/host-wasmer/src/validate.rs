//! Checks a module against the world before instantiation and reports every
//! problem at once; Wasmer itself stops at the first missing import.

use std::collections::BTreeSet;
use std::fmt;

use wasmer::{AsStoreRef, ExternType, FunctionType, ImportType, Imports, Module, Type};

use crate::compose::judge_outside;
use crate::error::count;
use crate::shape::{Shape, WorldShape};
use crate::{GuestWorld, UndefinedImports};

/// The signature of `cabi_realloc(old_ptr, old_len, align, new_len) -> ptr`.
const REALLOC_PARAMS: [Type; 4] = [Type::I32; 4];

/// One thing wrong with a guest module, as found by [`validate_module`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// An import from a module the world does not have.
    UnknownModule {
        /// Core import module.
        module: String,
        /// Core import name.
        name: String,
    },
    /// An import the world's module does not have.
    UnknownImport {
        /// Core import module.
        module: String,
        /// Core import name.
        name: String,
    },
    /// An import from an interface the world has, at another version.
    VersionMismatch {
        /// Core import module, with the guest's version.
        module: String,
        /// Core import name.
        name: String,
        /// The version the host serves.
        expected: String,
    },
    /// An import whose core signature differs from the WIT-derived one.
    SignatureMismatch {
        /// Core import module.
        module: String,
        /// Core import name.
        name: String,
        /// The signature derived from the WIT.
        expected: String,
        /// The signature the module declares.
        found: String,
    },
    /// An import of a memory, table or global where a function is expected.
    NotAFunction {
        /// Core import module.
        module: String,
        /// Core import name.
        name: String,
    },
    /// A WIT import the guest uses but the host has bound no function to.
    Unbound {
        /// Core import module.
        module: String,
        /// Core import name.
        name: String,
    },
    /// An import of a module outside the world that the embedder's
    /// imports do not define either ([`Linker::instantiate_with`]).
    ///
    /// [`Linker::instantiate_with`]: crate::Linker::instantiate_with
    Undefined {
        /// Core import module.
        module: String,
        /// Core import name.
        name: String,
    },
    /// An import the embedder's imports define with another type than the
    /// module declares.
    ImportType {
        /// Core import module.
        module: String,
        /// Core import name.
        name: String,
        /// The type the module declares.
        expected: String,
        /// The type of what the embedder defined.
        found: String,
    },
    /// A required export is absent.
    MissingExport {
        /// The export's name.
        name: String,
        /// What it is for.
        role: &'static str,
    },
    /// An export has the wrong kind or signature.
    BadExport {
        /// The export's name.
        name: String,
        /// What it should be.
        expected: String,
        /// What it is.
        found: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownModule { module, name } => {
                write!(
                    f,
                    "import `{module}#{name}`: the world has no interface `{module}`"
                )
            }
            Self::UnknownImport { module, name } => {
                write!(
                    f,
                    "import `{module}#{name}`: `{module}` has no function `{name}`"
                )
            }
            Self::VersionMismatch {
                module,
                name,
                expected,
            } => write!(
                f,
                "import `{module}#{name}`: interface version mismatch, the host serves @{expected}"
            ),
            Self::SignatureMismatch {
                module,
                name,
                expected,
                found,
            } => write!(
                f,
                "import `{module}#{name}`: signature mismatch, the WIT gives {expected} but the module declares {found}"
            ),
            Self::NotAFunction { module, name } => {
                write!(f, "import `{module}#{name}`: expected a function")
            }
            Self::Unbound { module, name } => {
                write!(
                    f,
                    "import `{module}#{name}`: the host has not bound this function"
                )
            }
            Self::Undefined { module, name } => write!(
                f,
                "import `{module}#{name}`: neither the world nor the embedder's imports define it"
            ),
            Self::ImportType {
                module,
                name,
                expected,
                found,
            } => write!(
                f,
                "import `{module}#{name}`: the module declares {expected} but the embedder's import is {found}"
            ),
            Self::MissingExport { name, role } => {
                write!(f, "missing export `{name}` ({role})")
            }
            Self::BadExport {
                name,
                expected,
                found,
            } => write!(f, "export `{name}`: expected {expected}, found {found}"),
        }
    }
}

/// A module failed validation; every problem found is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the module does not fit the world ({}):\n{}", count(.problems.len(), "problem"), render(.problems))]
pub struct ValidationError {
    /// Every problem found, imports first, in the module's order.
    pub problems: Vec<Problem>,
}

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

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
    let known_modules = world.modules();
    for import in module.imports() {
        let (module_name, name) = (import.module().to_string(), import.name().to_string());
        if !known_modules.contains(module_name.as_str()) && !versioned(&known_modules, &module_name)
        {
            // Imports of modules the world does not have (WASI, say) are the
            // embedder's.
            problems.extend(outside(&import));
            continue;
        }
        let ExternType::Function(found) = import.ty() else {
            problems.push(Problem::NotAFunction {
                module: module_name,
                name,
            });
            continue;
        };
        match world.import_type(&module_name, &name) {
            Some(expected) => {
                if &expected != found {
                    problems.push(Problem::SignatureMismatch {
                        module: module_name,
                        name,
                        expected: render_type(&expected),
                        found: render_type(found),
                    });
                } else if !is_bound(&module_name, &name) {
                    problems.push(Problem::Unbound {
                        module: module_name,
                        name,
                    });
                }
            }
            None => problems.push(unknown(&known_modules, module_name, name)),
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

/// Renders a core function type the way Wasm text does:
/// `(param i32) (result i32)`, leaving out an empty clause, as Wasm text
/// does; a type with neither is `(func)`.
pub(crate) fn render_type(ty: &FunctionType) -> String {
    let clause = |keyword: &str, types: &[Type]| {
        (!types.is_empty()).then(|| {
            let names: Vec<String> = types.iter().map(|t| t.to_string().to_lowercase()).collect();
            format!("({keyword} {})", names.join(" "))
        })
    };
    let clauses: Vec<String> = [clause("param", ty.params()), clause("result", ty.results())]
        .into_iter()
        .flatten()
        .collect();
    if clauses.is_empty() {
        return "(func)".into();
    }
    clauses.join(" ")
}
