//! Imports outside the world (WASI, or any module of the embedder's): each
//! must be defined by the embedder's imports with its type, or, if the
//! embedder asks, is left to trap when called.

use wasmer::{AsStoreRef, ExternType, FunctionType, ImportType, Imports, Type};

use super::Problem;

/// What becomes of an import that neither the world nor the embedder's
/// imports define.
///
/// # Examples
///
/// ```
/// use host_wasmer::{InstantiateOptions, UndefinedImports};
///
/// assert_eq!(InstantiateOptions::new().undefined_imports(), UndefinedImports::Refuse);
/// let lenient = InstantiateOptions::new().undefined(UndefinedImports::Trap);
/// assert_eq!(lenient.undefined_imports(), UndefinedImports::Trap);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UndefinedImports {
    /// The module is refused before instantiation, each such import named
    /// ([`Problem::Undefined`]). The default.
    #[default]
    Refuse,
    /// Each undefined *function* is defined as one that traps when called,
    /// naming the import ([`UndefinedImportCalled`](crate::UndefinedImportCalled)). Undefined memories,
    /// tables and globals are still refused.
    Trap,
}

/// What is wrong, if anything, with `import`, outside the world, given the
/// embedder's `imports` and what to do with an import nobody defines.
pub(crate) fn judge_outside(
    store: &impl AsStoreRef,
    imports: &Imports,
    undefined: UndefinedImports,
    import: &ImportType,
) -> Option<Problem> {
    let (module, name) = (import.module().to_string(), import.name().to_string());
    match imports.get_export(import.module(), import.name()) {
        Some(defined) => match (import.ty(), defined.ty(store)) {
            (ExternType::Function(expected), ExternType::Function(found)) if *expected != found => {
                Some(Problem::ImportType {
                    module,
                    name,
                    expected: render_type(expected),
                    found: render_type(&found),
                })
            }
            (ExternType::Function(_), ExternType::Function(_)) => None,
            (expected, found)
                if std::mem::discriminant(expected) != std::mem::discriminant(&found) =>
            {
                Some(Problem::ImportType {
                    module,
                    name,
                    expected: format!("{expected:?}"),
                    found: format!("{found:?}"),
                })
            }
            // Limits of memories, tables and globals are Wasmer's to check.
            _ => None,
        },
        None if undefined == UndefinedImports::Trap
            && matches!(import.ty(), ExternType::Function(_)) =>
        {
            None
        }
        None => Some(Problem::Undefined { module, name }),
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
