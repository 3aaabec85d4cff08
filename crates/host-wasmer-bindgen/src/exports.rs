//! The world type: world-level imports, instantiation, and a typed method
//! per export.

use heck::ToSnakeCase;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use wit_parser::abi::AbiVariant;
use wit_parser::{Function, WasmExport, WasmExportKind, WorldItem};

use crate::Error;
use crate::funcs::{MANGLING, core_type};
use crate::gen_::Gen;
use crate::names::{camel, snake};
use crate::types::Pos;

impl Gen<'_> {
    /// The world type and the traits every embedder data type implements.
    pub(crate) fn world_type(&self) -> Result<TokenStream, Error> {
        let rt = &self.rt;
        let wasmer = quote!(#rt::__wasmer);
        let world = &self.resolve.worlds[self.world];
        let name = camel(&world.name);
        let imports_trait = format_ident!("{}Imports", name);
        let host_trait = format_ident!("{}Host", name);
        let docs = self.docs(&world.docs);

        // World-level imported functions.
        let mut methods = Vec::new();
        let mut defines = Vec::new();
        for item in world.imports.values() {
            if let WorldItem::Function(func) = item {
                let borrowed = self.borrows_strings(None, func);
                methods.push(self.trait_method(func, 0, borrowed)?);
                defines.push(self.import_define(
                    func,
                    None,
                    &quote!(#imports_trait),
                    0,
                    borrowed,
                )?);
            }
        }
        let mut bounds = Vec::new();
        let mut adds = Vec::new();
        let mut imports_trait_def = TokenStream::new();
        if !methods.is_empty() {
            let doc = format!(" The functions world `{}` imports itself.", world.name);
            imports_trait_def = quote! {
                #[doc = #doc]
                pub trait #imports_trait: Sized + Send + 'static {
                    #(#methods)*
                }
            };
            bounds.push(quote!(#imports_trait));
        }
        for (_, id) in &self.interfaces {
            let iface = &self.resolve.interfaces[*id];
            let path = self.modules.get(id).cloned().unwrap_or_default();
            let mut any = false;
            if iface
                .functions
                .values()
                .any(|f| crate::funcs::resource_of_func(f).is_none())
            {
                bounds.push(quote!(#(#path::)* Host));
                any = true;
            }
            for (rname, ty) in &iface.types {
                if matches!(
                    self.resolve.types[*ty].kind,
                    wit_parser::TypeDefKind::Resource
                ) {
                    let t = format_ident!("Host{}", camel(rname));
                    bounds.push(quote!(#(#path::)* #t));
                    any = true;
                }
            }
            if any {
                adds.push(quote!(#(#path::)* add_to_imports::<D>(store, env, imports);));
            }
        }
        let host_doc = format!(
            " Everything an embedder's per-instance data implements to serve world `{}`: one trait per imported interface and resource.",
            world.name
        );
        let host_bounds = if bounds.is_empty() {
            quote!(Sized + Send + 'static)
        } else {
            quote!(Sized + Send + 'static + #(#bounds)+*)
        };

        // Exports.
        let mut fields = Vec::new();
        let mut inits = Vec::new();
        let mut calls = Vec::new();
        for item in world.exports.values() {
            match item {
                WorldItem::Function(func) => {
                    let (field, init, call) = self.export(func)?;
                    fields.push(field);
                    inits.push(init);
                    calls.push(call);
                }
                _ => {
                    return Err(Error::Unsupported {
                        item: format!("an exported interface of world `{}`", world.name),
                        reason: "only world-level functions can be exported",
                    });
                }
            }
        }
        let field_names: Vec<_> = world
            .exports
            .values()
            .filter_map(|item| match item {
                WorldItem::Function(func) => Some(export_fields(func)),
                _ => None,
            })
            .flat_map(|(a, b)| [a, b])
            .collect();
        let struct_doc = format!(
            " A guest of world `{}`, instantiated on Wasmer through generated bindings.",
            world.name
        );
        let shape = self.world_shape();
        Ok(quote! {
            #imports_trait_def

            #[doc = #host_doc]
            pub trait #host_trait: #host_bounds {}

            impl<T: #host_bounds> #host_trait for T {}

            #[doc = #struct_doc]
            ///
            #docs
            pub struct #name<D> {
                instance: #rt::bindings::BoundInstance<D>,
                #(#fields)*
            }

            impl<D: Send + 'static> #name<D> {
                /// The core signature of every import and export of the
                /// world, and whether a guest must export `memory` and
                /// `cabi_realloc`: what [`Self::instantiate`] checks a module
                /// against.
                pub const SHAPE: #rt::bindings::WorldShape = #shape;

                /// Defines every import of the world in `imports`, each a typed
                /// Wasmer function over the instance state `env`. Other imports
                /// (WASI, say) may sit beside them.
                pub fn add_to_imports(
                    store: &mut #wasmer::Store,
                    env: &#wasmer::FunctionEnv<#rt::InstanceEnv<D>>,
                    imports: &mut #wasmer::Imports,
                ) where
                    D: #host_trait,
                {
                    let _ = (&store, &env, &imports);
                    #(#adds)*
                    #(#defines)*
                }

                /// Instantiates `module` with `imports`, defined against `env`
                /// (see [`Self::add_to_imports`]), and looks up its exports.
                ///
                /// The module is checked first, and every problem listed at
                /// once (`InstantiateError::Validation`): each import of
                /// the world must have its core signature and be in
                /// `imports`, each import of another module (WASI, say) must
                /// be defined in `imports`, and the world's exports must be
                /// there with their signatures.
                pub fn instantiate(
                    store: &mut #wasmer::Store,
                    module: &#wasmer::Module,
                    imports: &#wasmer::Imports,
                    env: #wasmer::FunctionEnv<#rt::InstanceEnv<D>>,
                ) -> Result<Self, #rt::InstantiateError> {
                    let instance = #rt::bindings::BoundInstance::instantiate_checked(
                        store, module, imports, env, &Self::SHAPE,
                    )?;
                    let exports = instance.wasmer().exports.clone();
                    let found = (|| -> Result<_, #rt::InstantiateError> {
                        let _ = &exports;
                        #(#inits)*
                        Ok((#(#field_names,)*))
                    })();
                    match found {
                        Ok((#(#field_names,)*)) => Ok(Self { instance, #(#field_names,)* }),
                        Err(error) => {
                            // The instance was made in `store` a moment ago.
                            let _ = instance.teardown(store);
                            Err(error)
                        }
                    }
                }

                /// Instantiates `module` with the world's imports alone, for an
                /// instance with embedder data `data` in `namespace` of `host`.
                pub fn new(
                    store: &mut #wasmer::Store,
                    module: &#wasmer::Module,
                    data: D,
                    host: ::std::sync::Arc<#rt::SharedHost>,
                    namespace: impl Into<::std::sync::Arc<str>>,
                ) -> Result<Self, #rt::InstantiateError>
                where
                    D: #host_trait,
                {
                    let env = #rt::bindings::rt::new_env(store, data, host, namespace);
                    let mut imports = #wasmer::Imports::new();
                    Self::add_to_imports(store, &env, &mut imports);
                    Self::instantiate(store, module, &imports, env)
                }

                /// The instance: its state, counters, poisoning and grants.
                pub fn instance(&self) -> &#rt::bindings::BoundInstance<D> {
                    &self.instance
                }

                #(#calls)*
            }

            impl<D: Send + 'static> #rt::bindings::World for #name<D> {
                type Data = D;

                fn instance(&self) -> &#rt::bindings::BoundInstance<D> {
                    &self.instance
                }
            }
        })
    }

    /// The field, its lookup, and the typed call method of one export.
    fn export(&self, func: &Function) -> Result<(TokenStream, TokenStream, TokenStream), Error> {
        let rt = &self.rt;
        let wasmer = quote!(#rt::__wasmer);
        for ty in func
            .params
            .iter()
            .map(|p| &p.ty)
            .chain(func.result.as_ref())
        {
            if self.has_handle(ty) {
                return Err(Error::Unsupported {
                    item: func.name.clone(),
                    reason: "handles in an export's parameters or result",
                });
            }
        }
        let export_name = self.resolve.wasm_export_name(
            MANGLING,
            WasmExport::Func {
                interface: None,
                func,
                kind: WasmExportKind::Normal,
            },
        );
        let post_name = self.resolve.wasm_export_name(
            MANGLING,
            WasmExport::Func {
                interface: None,
                func,
                kind: WasmExportKind::PostReturn,
            },
        );
        let sig = self.resolve.wasm_signature(AbiVariant::GuestExport, func);
        let (field, post_field) = export_fields(func);
        let params = tuple_type(sig.params.iter().map(|t| core_type(*t)).collect());
        let results = tuple_type(sig.results.iter().map(|t| core_type(*t)).collect());
        let field_def = quote! {
            #field: #wasmer::TypedFunction<#params, #results>,
            #post_field: Option<#wasmer::TypedFunction<#results, ()>>,
        };
        let init = quote! {
            let #field = exports
                .get_typed_function(&*store, #export_name)
                .map_err(|e| #rt::InstantiateError::Wasmer(format!("export `{}`: {e}", #export_name)))?;
            let #post_field = exports.get_typed_function(&*store, #post_name).ok();
        };

        let method = format_ident!("call_{}", func.name.to_snake_case());
        let docs = self.docs_or(&func.docs, &format!("Calls the export `{}`.", func.name));
        let mut param_decls = Vec::new();
        let mut param_names = Vec::new();
        let mut param_types = Vec::new();
        for param in &func.params {
            let ident = snake(&param.name);
            let ty = self.rust_type(&param.ty, 0, Pos::Param)?;
            param_decls.push(quote!(#ident: #ty));
            param_names.push(ident);
            param_types.push(ty);
        }
        let result_ty = match &func.result {
            Some(ty) => self.rust_type(ty, 0, Pos::Result)?,
            None => quote!(()),
        };

        // Arguments: flat, or spilled into an area from `cabi_realloc`.
        let core_args: Vec<_> = (0..sig.params.len())
            .map(|i| format_ident!("a{}", i))
            .collect();
        let lower = if sig.indirect_params {
            let types: Vec<_> = func.params.iter().map(|p| &p.ty).collect();
            let area = self.sizes.record(types.iter().copied());
            let size = Literal::u32_unsuffixed(area.size.size_wasm32() as u32);
            let align = Literal::u32_unsuffixed(area.align.align_wasm32() as u32);
            let stores = self
                .sizes
                .field_offsets(types.iter().copied())
                .into_iter()
                .zip(&param_names)
                .map(|((offset, _), name)| {
                    let offset = Literal::u32_unsuffixed(offset.size_wasm32() as u32);
                    quote!(#rt::bindings::LowerGuest::store(&#name, mem, ptr.wrapping_add(#offset))?;)
                })
                .collect::<Vec<_>>();
            quote! {
                let [a0] = self.instance.lower(store, EXPORT, |mem| {
                    let ptr = #rt::bindings::rt::alloc(mem, #size, #align)?;
                    #(#stores)*
                    Ok([ptr as i32])
                })?;
            }
        } else if func.params.is_empty() {
            TokenStream::new()
        } else {
            let count = Literal::usize_unsuffixed(sig.params.len());
            let converts = sig
                .params
                .iter()
                .zip(&core_args)
                .enumerate()
                .map(|(i, (t, a))| {
                    let core = core_type(*t);
                    let index = Literal::usize_unsuffixed(i);
                    quote!(let #a = <#core as #rt::bindings::CoreBits>::from_bits64(flat[#index]);)
                });
            quote! {
                let flat = self.instance.lower(store, EXPORT, |mem| {
                    let mut flat = [0u64; #count];
                    let mut out = #rt::bindings::FlatOut::new(&mut flat);
                    #(#rt::bindings::LowerGuest::lower_flat(&#param_names, mem, &mut out)?;)*
                    Ok(flat)
                })?;
                #(#converts)*
            }
        };
        let ret_pattern = match sig.results.len() {
            0 => quote!(()),
            _ => quote!(ret),
        };
        let lift = match (&func.result, sig.retptr, sig.results.as_slice()) {
            (None, _, _) => quote!(()),
            (Some(_), true, _) | (Some(_), _, [_]) if sig.retptr => {
                let size = Literal::u32_unsuffixed(
                    self.size(func.result.as_ref().unwrap_or(&wit_parser::Type::Bool)),
                );
                let align = Literal::u32_unsuffixed(
                    self.align(func.result.as_ref().unwrap_or(&wit_parser::Type::Bool)),
                );
                quote! {
                    self.instance.lift(store, EXPORT, |cx| {
                        let ptr = ret as u32;
                        #rt::bindings::rt::check_store(cx.mem(), "return area", ptr, #size, #align)?;
                        <#result_ty as #rt::bindings::LiftGuest>::load(cx, ptr)
                    })?
                }
            }
            (Some(_), false, [_]) => quote! {
                self.instance.lift(store, EXPORT, |cx| {
                    <#result_ty as #rt::bindings::LiftGuest>::lift_flat(cx, &mut #rt::bindings::Flat::new(&[#rt::bindings::CoreBits::to_bits64(ret)]))
                })?
            },
            _ => {
                return Err(Error::Unsupported {
                    item: func.name.clone(),
                    reason: "an export result the canonical ABI cannot return",
                });
            }
        };
        let post_args = match sig.results.len() {
            0 => quote!(),
            _ => quote!(ret),
        };
        let call = quote! {
            #docs
            pub fn #method(
                &self,
                store: &mut #wasmer::Store,
                #(#param_decls),*
            ) -> Result<#result_ty, #rt::CallError> {
                const EXPORT: &str = #export_name;
                self.instance.enter(store, EXPORT)?;
                #lower
                let #ret_pattern = self.instance.ran(EXPORT, self.#field.call(store, #(#core_args),*))?;
                let value = #lift;
                if let Some(post) = &self.#post_field {
                    self.instance.post_return(store, #post_name, |store| post.call(store, #post_args))?;
                }
                Ok(value)
            }
        };
        Ok((field_def, init, call))
    }
}

/// The names of an export's typed function and its post-return function.
fn export_fields(func: &Function) -> (proc_macro2::Ident, proc_macro2::Ident) {
    let base = func.name.to_snake_case();
    (
        format_ident!("export_{}", base),
        format_ident!("post_{}", base),
    )
}

/// `()`, `T`, or `(A, B, ..)` for Wasmer's typed function parameters.
fn tuple_type(types: Vec<TokenStream>) -> TokenStream {
    match types.as_slice() {
        [] => quote!(()),
        [one] => one.clone(),
        many => quote!((#(#many),*)),
    }
}
