//! What is wrong with a guest module: [`Problem`], and [`ValidationError`]
//! listing every one found.

use std::fmt;

use crate::plural::count;

/// One thing wrong with a guest module, as found by
/// [`validate_module`](super::validate_module).
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
