//! `WorldShape`: the core signatures of a world's imports and exports, what
//! a module is checked against before it is instantiated.
//!
//! A [`GuestWorld`] has a shape, derived at run time; the bindings
//! `bindgen!` generates carry theirs as a constant, so that a generated
//! world's `instantiate` lists every problem of a module at once, as the
//! [`Linker`](crate::Linker) does.

use std::collections::BTreeSet;

use wasmer::{FunctionType, Type};

use crate::GuestWorld;
use crate::abi::core_type;

/// The core signatures of a world, as constants: one entry per function
/// the guest may import (resource drops included) and per function it must
/// export, and whether it must export `memory` and `cabi_realloc`.
///
/// Generated bindings define one for their world; an embedder has no
/// reason to write one by hand.
///
/// # Examples
///
/// ```
/// use host_wasmer::bindings::{CoreExport, CoreImport, WorldShape};
/// use wasmer::Type;
///
/// const SHAPE: WorldShape = WorldShape {
///     imports: &[CoreImport { module: "demo:w/log", name: "write", params: &[Type::I32, Type::I32], results: &[] }],
///     exports: &[CoreExport { name: "run", post_return: "cabi_post_run", params: &[], results: &[] }],
///     needs_memory: true,
///     needs_realloc: false,
/// };
/// assert_eq!(SHAPE.imports.len(), 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct WorldShape {
    /// Every function the guest may import.
    pub imports: &'static [CoreImport],
    /// Every function the guest must export.
    pub exports: &'static [CoreExport],
    /// Whether the guest must export `memory`.
    pub needs_memory: bool,
    /// Whether the guest must export `cabi_realloc`.
    pub needs_realloc: bool,
}

/// A function a guest may import, by core module and name.
#[derive(Debug, Clone, Copy)]
pub struct CoreImport {
    /// Core import module, e.g. `slots:host/buckets@0.1.0`.
    pub module: &'static str,
    /// Core import name, e.g. `[method]bucket.len`.
    pub name: &'static str,
    /// Core parameter types.
    pub params: &'static [Type],
    /// Core result types.
    pub results: &'static [Type],
}

/// A function a guest must export.
#[derive(Debug, Clone, Copy)]
pub struct CoreExport {
    /// Core export name, e.g. `run`.
    pub name: &'static str,
    /// Core name of its post-return function, e.g. `cabi_post_run`.
    pub post_return: &'static str,
    /// Core parameter types.
    pub params: &'static [Type],
    /// Core result types.
    pub results: &'static [Type],
}

/// An export as the checks see it.
pub(crate) struct ExportSig<'a> {
    pub(crate) name: &'a str,
    pub(crate) post_return: &'a str,
    pub(crate) ty: FunctionType,
}

/// What a module is checked against: a [`GuestWorld`] or a [`WorldShape`].
pub(crate) trait Shape {
    /// The core modules the world's imports come from.
    fn modules(&self) -> BTreeSet<&str>;
    /// Whether one of the world's imports comes from `module`; asked once
    /// per import of a module, so it builds no set.
    fn has_module(&self, module: &str) -> bool;
    /// The core type of import `module`/`name`, if the world has it.
    fn import_type(&self, module: &str, name: &str) -> Option<FunctionType>;
    /// Whether import `module`/`name` has the core type `found`, if the
    /// world has it.
    fn import_fits(&self, module: &str, name: &str, found: &FunctionType) -> Option<bool> {
        self.import_type(module, name)
            .map(|expected| &expected == found)
    }
    /// The functions a guest must export.
    fn exports(&self) -> Vec<ExportSig<'_>>;
    /// Whether a guest must export `memory`.
    fn needs_memory(&self) -> bool;
    /// Whether a guest must export `cabi_realloc`.
    fn needs_realloc(&self) -> bool;
}

impl Shape for GuestWorld {
    fn modules(&self) -> BTreeSet<&str> {
        self.imports()
            .map(|i| i.module.as_str())
            .chain(self.resources().map(|r| r.module.as_str()))
            .collect()
    }

    fn has_module(&self, module: &str) -> bool {
        self.imports().any(|i| i.module == module) || self.resources().any(|r| r.module == module)
    }

    fn import_type(&self, module: &str, name: &str) -> Option<FunctionType> {
        if let Some(func) = self.import(module, name) {
            return Some(signature_type(&func.signature));
        }
        self.resource_drop(module, name)
            .map(|_| FunctionType::new([Type::I32], []))
    }

    fn exports(&self) -> Vec<ExportSig<'_>> {
        GuestWorld::exports(self)
            .iter()
            .map(|export| ExportSig {
                name: &export.name,
                post_return: &export.post_return,
                ty: signature_type(&export.signature),
            })
            .collect()
    }

    fn needs_memory(&self) -> bool {
        GuestWorld::needs_memory(self)
    }

    fn needs_realloc(&self) -> bool {
        GuestWorld::needs_realloc(self)
    }
}

/// A generated world is checked every time it is instantiated: its
/// answers look the constants up and allocate nothing.
impl Shape for WorldShape {
    fn modules(&self) -> BTreeSet<&str> {
        self.imports.iter().map(|i| i.module).collect()
    }

    fn has_module(&self, module: &str) -> bool {
        self.imports.iter().any(|i| i.module == module)
    }

    fn import_type(&self, module: &str, name: &str) -> Option<FunctionType> {
        self.import(module, name)
            .map(|i| FunctionType::new(i.params, i.results))
    }

    fn import_fits(&self, module: &str, name: &str, found: &FunctionType) -> Option<bool> {
        self.import(module, name)
            .map(|i| found.params() == i.params && found.results() == i.results)
    }

    fn exports(&self) -> Vec<ExportSig<'_>> {
        self.exports
            .iter()
            .map(|export| ExportSig {
                name: export.name,
                post_return: export.post_return,
                ty: FunctionType::new(export.params, export.results),
            })
            .collect()
    }

    fn needs_memory(&self) -> bool {
        self.needs_memory
    }

    fn needs_realloc(&self) -> bool {
        self.needs_realloc
    }
}

impl WorldShape {
    /// The import `module`/`name`: names differ sooner than modules, which
    /// share their package's prefix.
    fn import(&self, module: &str, name: &str) -> Option<&CoreImport> {
        self.imports
            .iter()
            .find(|i| i.name == name && i.module == module)
    }
}

/// The Wasmer function type of a WIT-derived core signature.
pub(crate) fn signature_type(signature: &wit_parser::abi::WasmSignature) -> FunctionType {
    let params: Vec<Type> = signature.params.iter().map(|t| core_type(*t)).collect();
    let results: Vec<Type> = signature.results.iter().map(|t| core_type(*t)).collect();
    FunctionType::new(params, results)
}
