//! Composition: the world's imports beside the embedder's own (WASI, or any
//! other module) in one Wasmer instance.
//!
//! The embedder owns a [`wasmer::Imports`]; the [`Linker`] defines the
//! world's functions into it. Validation still checks every import that
//! belongs to the world and reports every problem at once; an import of
//! another module is the embedder's, and one that nobody defines is
//! reported before instantiation ([`Problem::Undefined`]), or, if the
//! embedder asks, becomes a function that traps when called
//! ([`UndefinedImports::Trap`]).

use std::sync::Arc;

use wasmer::{AsStoreRef, ExternType, Function, ImportType, Imports, Module, RuntimeError, Store};

use crate::validate::{UndefinedImports, check_module, judge_outside};
use crate::{GuestInstance, InstantiateError, Linker, Problem, ValidationError};

/// How a [`Linker`] instantiates a guest beside the embedder's imports.
///
/// # Examples
///
/// ```
/// use host_wasmer::{InstantiateOptions, UndefinedImports};
/// use wasmer::Imports;
///
/// let options = InstantiateOptions::new()
///     .imports(Imports::new())
///     .undefined(UndefinedImports::Trap);
/// assert_eq!(options.undefined_imports(), UndefinedImports::Trap);
/// ```
#[derive(Default, Clone)]
pub struct InstantiateOptions {
    imports: Imports,
    undefined: UndefinedImports,
}

impl InstantiateOptions {
    /// No imports of the embedder's; undefined imports are refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// The embedder's imports (WASI, say), beside which the world's are
    /// defined. Where both define one import, the world's binding wins.
    pub fn imports(mut self, imports: Imports) -> Self {
        self.imports = imports;
        self
    }

    /// What becomes of imports nobody defines.
    pub fn undefined(mut self, undefined: UndefinedImports) -> Self {
        self.undefined = undefined;
        self
    }

    /// The policy for imports nobody defines.
    pub fn undefined_imports(&self) -> UndefinedImports {
        self.undefined
    }

    /// How the embedder's imports judge an import outside the world.
    fn judge(&self, store: &impl AsStoreRef, import: &ImportType) -> Option<Problem> {
        judge_outside(store, &self.imports, self.undefined, import)
    }
}

/// The trap of a function that stands in for an undefined import
/// ([`UndefinedImports::Trap`]). Find it in a Wasmer `RuntimeError` with
/// `downcast_ref`.
///
/// # Examples
///
/// ```
/// use host_wasmer::UndefinedImportCalled;
///
/// let called = UndefinedImportCalled { module: "env".into(), name: "log".into() };
/// assert_eq!(called.to_string(), "import `env#log` was called, but nothing defines it");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("import `{module}#{name}` was called, but nothing defines it")]
pub struct UndefinedImportCalled {
    /// Core import module.
    pub module: String,
    /// Core import name.
    pub name: String,
}

impl<D: Send + 'static> Linker<D> {
    /// Checks `module` against the world, the bound functions and the
    /// embedder's imports in `options`, reporting every problem at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::{GuestWorld, HostConfig, InstantiateOptions, Linker, Problem, SharedHost};
    /// use wasmer::{Module, Store};
    ///
    /// let world = GuestWorld::from_str(
    ///     "package demo:w@1.0.0; world guest { export run: func(); }", "guest")?;
    /// let linker = Linker::<()>::new(world, SharedHost::new(HostConfig::default()));
    /// let store = Store::default();
    /// let module = Module::new(&store, wat::parse_str(r#"(module
    ///     (import "env" "log" (func (param i32)))
    ///     (memory (export "memory") 1)
    ///     (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
    ///     (func (export "run")))"#)?)?;
    /// let error = linker.validate_with(&store, &module, &InstantiateOptions::new()).unwrap_err();
    /// assert!(matches!(&error.problems[..], [Problem::Undefined { name, .. }] if name == "log"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate_with(
        &self,
        store: &impl AsStoreRef,
        module: &Module,
        options: &InstantiateOptions,
    ) -> Result<(), ValidationError> {
        let problems = check_module(
            self.world(),
            module,
            |m, n| self.is_bound(m, n),
            |import| options.judge(store, import),
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { problems })
        }
    }

    /// Validates `module` against the world and the embedder's imports,
    /// then instantiates it with the world's imports defined beside the
    /// embedder's, `data` as its embedder data, in `namespace`.
    ///
    /// [`Linker::instantiate`] is this with no imports of the embedder's.
    ///
    /// # Examples
    ///
    /// A guest that imports a function of its own module `env` beside the
    /// world's, which the embedder defines:
    ///
    /// ```
    /// use host_wasmer::{GuestWorld, HostConfig, InstantiateOptions, Linker, SharedHost};
    /// use wasmer::{Function, Module, Store, imports};
    ///
    /// let world = GuestWorld::from_str(
    ///     "package demo:w@1.0.0; world guest { export run: func(); }", "guest")?;
    /// let linker = Linker::<()>::new(world, SharedHost::new(HostConfig::default()));
    /// let mut store = Store::default();
    /// let module = Module::new(&store, wat::parse_str(r#"(module
    ///     (import "env" "tick" (func $tick))
    ///     (memory (export "memory") 1)
    ///     (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
    ///     (func (export "run") (call $tick)))"#)?)?;
    /// let imports = imports! { "env" => { "tick" => Function::new_typed(&mut store, || {}) } };
    /// let options = InstantiateOptions::new().imports(imports);
    /// let instance = linker.instantiate_with(&mut store, &module, (), "tenant", options)?;
    /// instance.call(&mut store, "run", &[])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn instantiate_with(
        &self,
        store: &mut Store,
        module: &Module,
        data: D,
        namespace: impl Into<Arc<str>>,
        options: InstantiateOptions,
    ) -> Result<GuestInstance<D>, InstantiateError> {
        self.validate_with(&*store, module, &options)?;
        let mut imports = options.imports;
        if options.undefined == UndefinedImports::Trap {
            define_traps(store, module, &mut imports, |m, n| {
                self.world().import(m, n).is_some() || self.world().resource_drop(m, n).is_some()
            });
        }
        self.instantiate_validated(store, module, data, namespace.into(), imports)
    }

    /// [`Linker::instantiate_with`] with the embedder's `imports`, refusing
    /// any import nobody defines.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use host_wasmer::{Linker, GuestInstance, InstantiateError};
    /// # use wasmer::{Imports, Module, Store};
    /// # fn f(linker: &Linker<()>, store: &mut Store, module: &Module, wasi: Imports)
    /// #     -> Result<GuestInstance<()>, InstantiateError> {
    /// // `wasi` holds wasmer-wasix's functions for this instance.
    /// let instance = linker.instantiate_with_imports(store, module, (), "tenant", wasi)?;
    /// # Ok(instance) }
    /// ```
    pub fn instantiate_with_imports(
        &self,
        store: &mut Store,
        module: &Module,
        data: D,
        namespace: impl Into<Arc<str>>,
        imports: Imports,
    ) -> Result<GuestInstance<D>, InstantiateError> {
        let options = InstantiateOptions::new().imports(imports);
        self.instantiate_with(store, module, data, namespace, options)
    }
}

/// Defines a trapping function for every function import of `module` that
/// neither `imports` nor the world (`in_world`) defines.
fn define_traps(
    store: &mut Store,
    module: &Module,
    imports: &mut Imports,
    in_world: impl Fn(&str, &str) -> bool,
) {
    for import in module.imports() {
        let ExternType::Function(ty) = import.ty() else {
            continue;
        };
        let (m, n) = (import.module(), import.name());
        if in_world(m, n) || imports.exists(m, n) {
            continue;
        }
        let called = UndefinedImportCalled {
            module: m.to_string(),
            name: n.to_string(),
        };
        let function = Function::new(store, ty, move |_| {
            Err(RuntimeError::user(Box::new(called.clone())))
        });
        imports.define(m, n, function);
    }
}
