//! The world's shape as a constant: the core signature of every import and
//! export, and whether a guest must export `memory` and `cabi_realloc`,
//! which a generated world's `instantiate` checks a module against.

use proc_macro2::TokenStream;
use quote::quote;
use wit_parser::abi::{AbiVariant, WasmSignature, WasmType};
use wit_parser::{
    Function, ResourceIntrinsic, TypeDefKind, WasmExport, WasmExportKind, WasmImport, WorldItem,
    WorldKey,
};

use crate::AbiNeeds;
use crate::funcs::MANGLING;
use crate::gen_::Gen;

impl Gen<'_> {
    /// `host_wasmer::bindings::WorldShape { .. }` for the world.
    pub(crate) fn world_shape(&self) -> TokenStream {
        let rt = &self.rt;
        let world = &self.resolve.worlds[self.world];
        let mut imports = Vec::new();
        for item in world.imports.values() {
            if let WorldItem::Function(func) = item {
                imports.push(self.core_import(None, func));
            }
        }
        for (key, id) in &self.interfaces {
            let iface = &self.resolve.interfaces[*id];
            for func in iface.functions.values() {
                imports.push(self.core_import(Some(key), func));
            }
            for ty in iface.types.values() {
                if !matches!(self.resolve.types[*ty].kind, TypeDefKind::Resource) {
                    continue;
                }
                let (module, name) = self.resolve.wasm_import_name(
                    MANGLING,
                    WasmImport::ResourceIntrinsic {
                        interface: Some(key),
                        resource: *ty,
                        intrinsic: ResourceIntrinsic::ImportedDrop,
                    },
                );
                let i32 = wasmer_type(rt, WasmType::I32);
                imports.push(quote! {
                    #rt::bindings::CoreImport { module: #module, name: #name, params: &[#i32], results: &[] }
                });
            }
        }
        let mut exports = Vec::new();
        for item in world.exports.values() {
            if let WorldItem::Function(func) = item {
                exports.push(self.core_export(func));
            }
        }
        let needs = AbiNeeds::of_world(self.resolve, self.world);
        let (memory, realloc) = (needs.memory, needs.realloc);
        quote! {
            #rt::bindings::WorldShape {
                imports: &[#(#imports),*],
                exports: &[#(#exports),*],
                needs_memory: #memory,
                needs_realloc: #realloc,
            }
        }
    }

    fn core_import(&self, interface: Option<&WorldKey>, func: &Function) -> TokenStream {
        let rt = &self.rt;
        let (module, name) = self
            .resolve
            .wasm_import_name(MANGLING, WasmImport::Func { interface, func });
        let sig = self.resolve.wasm_signature(AbiVariant::GuestImport, func);
        let (params, results) = types(rt, &sig);
        quote! {
            #rt::bindings::CoreImport { module: #module, name: #name, params: &[#(#params),*], results: &[#(#results),*] }
        }
    }

    fn core_export(&self, func: &Function) -> TokenStream {
        let rt = &self.rt;
        let name = |kind| {
            self.resolve.wasm_export_name(
                MANGLING,
                WasmExport::Func {
                    interface: None,
                    func,
                    kind,
                },
            )
        };
        let (export, post) = (
            name(WasmExportKind::Normal),
            name(WasmExportKind::PostReturn),
        );
        let sig = self.resolve.wasm_signature(AbiVariant::GuestExport, func);
        let (params, results) = types(rt, &sig);
        quote! {
            #rt::bindings::CoreExport { name: #export, post_return: #post, params: &[#(#params),*], results: &[#(#results),*] }
        }
    }
}

/// The Wasmer types of a signature's parameters and results.
fn types(rt: &TokenStream, sig: &WasmSignature) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let each = |list: &[WasmType]| list.iter().map(|t| wasmer_type(rt, *t)).collect();
    (each(&sig.params), each(&sig.results))
}

/// `wasmer::Type::..` of a canonical ABI flat type (wasm32).
fn wasmer_type(rt: &TokenStream, ty: WasmType) -> TokenStream {
    match ty {
        WasmType::I64 | WasmType::PointerOrI64 => quote!(#rt::__wasmer::Type::I64),
        WasmType::F32 => quote!(#rt::__wasmer::Type::F32),
        WasmType::F64 => quote!(#rt::__wasmer::Type::F64),
        WasmType::I32 | WasmType::Pointer | WasmType::Length => quote!(#rt::__wasmer::Type::I32),
    }
}
