//! Imports: the trait per interface and per resource, and one typed Wasmer
//! function per imported WIT function.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{
    Function, FunctionKind, Handle, InterfaceId, LiftLowerAbi, ManglingAndAbi, ResourceIntrinsic,
    Type, TypeDefKind, TypeId, WasmImport, WorldKey,
};

use crate::Error;
use crate::gen_::Gen;
use crate::names::{camel, snake};
use crate::types::Pos;

/// The core names slots' guests use (wit-bindgen's legacy mangling).
pub(crate) const MANGLING: ManglingAndAbi = ManglingAndAbi::Legacy(LiftLowerAbi::Sync);

/// How a host function sees its instance.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The whole `Ctx`, borrows as checked handles.
    Ctx,
    /// A constructor: the whole `Ctx`; the object it returns is inserted.
    Ctor,
    /// A method: the receiver and other borrows lent from the table, a
    /// `Caller` for the rest.
    Lent,
}

/// A parameter at the top level of a call.
enum Top {
    Borrow(TypeId),
    Own(TypeId),
    Value(TokenStream),
}

/// The Rust core type of a core Wasm type.
pub(crate) fn core_type(ty: WasmType) -> TokenStream {
    match ty {
        WasmType::I64 | WasmType::PointerOrI64 => quote!(i64),
        WasmType::F32 => quote!(f32),
        WasmType::F64 => quote!(f64),
        WasmType::I32 | WasmType::Pointer | WasmType::Length => quote!(i32),
    }
}

impl Gen<'_> {
    /// The traits and `add_to_imports` of one imported interface.
    pub(crate) fn interface_imports(
        &self,
        key: &WorldKey,
        id: InterfaceId,
        depth: usize,
    ) -> Result<TokenStream, Error> {
        let iface = &self.resolve.interfaces[id];
        let rt = &self.rt;
        let wasmer = quote!(#rt::__wasmer);
        let mut free = Vec::new();
        let mut defines = Vec::new();
        let mut bounds = Vec::new();
        for func in iface.functions.values() {
            if resource_of_func(func).is_some() {
                continue;
            }
            let borrowed = self.borrows_strings(Some(id), func);
            free.push(self.trait_method(func, depth, borrowed)?);
            defines.push(self.import_define(func, Some(key), &quote!(Host), depth, borrowed)?);
        }
        let module_name = self.resolve.name_world_key(key);
        let mut traits = TokenStream::new();
        if !free.is_empty() {
            let docs = format!(
                " The free functions of `{module_name}`, implemented by the embedder's per-instance data."
            );
            traits.extend(quote! {
                #[doc = #docs]
                pub trait Host: Sized + Send + 'static {
                    #(#free)*
                }
            });
            bounds.push(quote!(Host));
        }
        for (name, ty) in &iface.types {
            if !matches!(self.resolve.types[*ty].kind, TypeDefKind::Resource) {
                continue;
            }
            let trait_name = format_ident!("Host{}", camel(name));
            let resource = camel(name);
            let mut methods = Vec::new();
            for func in iface.functions.values() {
                if resource_of_func(func) != Some(*ty) {
                    continue;
                }
                let borrowed = self.borrows_strings(Some(id), func);
                methods.push(self.trait_method(func, depth, borrowed)?);
                defines.push(self.import_define(
                    func,
                    Some(key),
                    &quote!(#trait_name),
                    depth,
                    borrowed,
                )?);
            }
            let (module, drop_name) = self.resolve.wasm_import_name(
                MANGLING,
                WasmImport::ResourceIntrinsic {
                    interface: Some(key),
                    resource: *ty,
                    intrinsic: ResourceIntrinsic::ImportedDrop,
                },
            );
            let qualified = format!("{module}#{drop_name}");
            defines.push(quote! {
                imports.define(#module, #drop_name, #wasmer::Function::new_typed_with_env(
                    store,
                    env,
                    |mut caller: #wasmer::FunctionEnvMut<'_, #rt::InstanceEnv<D>>, handle: i32|
                        -> Result<(), #wasmer::RuntimeError> {
                        #rt::bindings::rt::drop_import(&mut caller, #qualified, #name, handle, <D as #trait_name>::drop)
                    },
                ));
            });
            let docs = self.docs(&self.resolve.types[*ty].docs);
            let head = format!(
                " The functions of resource `{name}`, implemented by the embedder's per-instance data."
            );
            traits.extend(quote! {
                #[doc = #head]
                ///
                #docs
                pub trait #trait_name: Sized + Send + 'static {
                    #(#methods)*

                    /// The guest dropped a handle: by default, its reference is
                    /// released (the object is dropped with its last handle, or
                    /// lives on where it is shared).
                    fn drop(
                        cx: &mut #rt::Ctx<'_, Self>,
                        handle: #rt::__slots_core::RawHandle,
                    ) -> Result<(), #rt::HostError> {
                        #rt::bindings::rt::release::<#resource, Self>(cx, handle)
                    }
                }
            });
            bounds.push(quote!(#trait_name));
        }
        if defines.is_empty() {
            return Ok(traits);
        }
        let docs = format!(
            " Defines every import of `{module_name}` in `imports`, each a typed Wasmer function over `env`."
        );
        Ok(quote! {
            #traits

            #[doc = #docs]
            pub fn add_to_imports<D>(
                store: &mut #wasmer::Store,
                env: &#wasmer::FunctionEnv<#rt::InstanceEnv<D>>,
                imports: &mut #wasmer::Imports,
            ) where
                D: #(#bounds)+*,
            {
                #(#defines)*
            }
        })
    }

    /// The trait method an embedder implements for `func`; with
    /// `borrowed`, its `string` parameters are `&str`.
    pub(crate) fn trait_method(
        &self,
        func: &Function,
        depth: usize,
        borrowed: bool,
    ) -> Result<TokenStream, Error> {
        let rt = &self.rt;
        let mode = self.mode(func);
        let docs = self.docs_or(&func.docs, &format!("The WIT function `{}`.", func.name));
        let name = match func.kind {
            FunctionKind::Constructor(_) => quote!(new),
            _ => {
                let ident = snake(func.item_name());
                quote!(#ident)
            }
        };
        let mut params = Vec::new();
        params.push(match mode {
            Mode::Lent => quote!(cx: &mut #rt::bindings::Caller<'_, Self>),
            _ => quote!(cx: &mut #rt::Ctx<'_, Self>),
        });
        for (index, param) in func.params.iter().enumerate() {
            let ident = param_ident(func, index);
            let ty = match (self.top(&param.ty, depth)?, mode, index) {
                (Top::Borrow(r), Mode::Lent, 0) => {
                    let r = self.resource_of(r, depth);
                    quote!(#rt::__slots_core::Borrowed<'_, #r>)
                }
                (Top::Borrow(r), Mode::Lent, _) => {
                    let r = self.resource_of(r, depth);
                    quote!(&#r)
                }
                (Top::Borrow(r), _, _) => {
                    let r = self.resource_of(r, depth);
                    quote!(#rt::__slots_core::Handle<#r>)
                }
                (Top::Own(r), _, _) => {
                    let r = self.resource_of(r, depth);
                    quote!(#rt::typed::Own<#r>)
                }
                (Top::Value(_), _, _) if borrowed && self.is_string(&param.ty) => quote!(&str),
                (Top::Value(ty), _, _) => ty,
            };
            params.push(quote!(#ident: #ty));
        }
        let result = match (mode, &func.kind) {
            (_, FunctionKind::Constructor(r)) => self.resource_of(*r, depth),
            _ => match &func.result {
                Some(ty) => self.rust_type(ty, depth, Pos::Result)?,
                None => quote!(()),
            },
        };
        Ok(quote! {
            #docs
            fn #name(#(#params),*) -> Result<#result, #rt::HostError>;
        })
    }

    fn mode(&self, func: &Function) -> Mode {
        match func.kind {
            FunctionKind::Constructor(_) => Mode::Ctor,
            FunctionKind::Method(_) | FunctionKind::AsyncMethod(_) => {
                if func.result.as_ref().is_some_and(|t| self.has_handle(t)) {
                    Mode::Ctx
                } else {
                    Mode::Lent
                }
            }
            _ => Mode::Ctx,
        }
    }

    fn top(&self, ty: &Type, depth: usize) -> Result<Top, Error> {
        Ok(match self.top_handle(ty) {
            Some(Handle::Borrow(r)) => Top::Borrow(r),
            Some(Handle::Own(r)) => Top::Own(r),
            None => Top::Value(self.rust_type(ty, depth, Pos::Param)?),
        })
    }

    /// `imports.define(..)` of the typed Wasmer function for `func`.
    pub(crate) fn import_define(
        &self,
        func: &Function,
        key: Option<&WorldKey>,
        trait_name: &TokenStream,
        depth: usize,
        borrowed: bool,
    ) -> Result<TokenStream, Error> {
        if func.kind.is_async() {
            return Err(Error::Unsupported {
                item: func.name.clone(),
                reason: "async functions need the async ABI",
            });
        }
        let rt = &self.rt;
        let wasmer = quote!(#rt::__wasmer);
        let (module, name) = self.resolve.wasm_import_name(
            MANGLING,
            WasmImport::Func {
                interface: key,
                func,
            },
        );
        let qualified = format!("{module}#{name}");
        let sig = self.resolve.wasm_signature(AbiVariant::GuestImport, func);
        let args: Vec<_> = (0..sig.params.len())
            .map(|i| format_ident!("a{}", i))
            .collect();
        let arg_types: Vec<_> = sig.params.iter().map(|t| core_type(*t)).collect();
        let ret = match sig.results.as_slice() {
            [] => quote!(()),
            [one] => core_type(*one),
            _ => {
                return Err(Error::Unsupported {
                    item: func.name.clone(),
                    reason: "more than one core result",
                });
            }
        };
        let mode = self.mode(func);
        let param_types: Vec<&Type> = func.params.iter().map(|p| &p.ty).collect();
        let touches_memory =
            sig.indirect_params || sig.retptr || param_types.iter().any(|t| self.allocates(t));
        let allocates = func.result.as_ref().is_some_and(|t| self.allocates(t));
        let always_allocates = func
            .result
            .as_ref()
            .is_some_and(|t| self.always_allocates(t));
        // Which parts of the lift context the parameters need: the table for
        // handles taken or nested, the record of lent handles only when an
        // `own` could meet a `borrow`.
        let mut owns = 0;
        let mut borrows_anywhere = 0;
        let mut nested_handles = false;
        for ty in &param_types {
            let (own, borrow) = self.handles_in(ty);
            owns += usize::from(own);
            borrows_anywhere += usize::from(borrow);
            nested_handles |= (own || borrow) && self.top_handle(ty).is_none();
        }
        let needs_table = owns > 0 || nested_handles;
        let needs_lent = owns > 0 && borrows_anywhere > 0;
        let lift_cx = match (touches_memory, needs_table) {
            (true, _) => quote!(#rt::bindings::rt::lift_cx(env, &*mem)),
            (false, true) => quote!(#rt::bindings::rt::lift_cx(env, &#rt::bindings::rt::NoMemory)),
            (false, false) => quote!(#rt::bindings::rt::plain_cx()),
        };

        // Lifting: every parameter in order; handles as their bits; a
        // borrowed string into a host buffer that outlives the lifting.
        let mut lift = Vec::new();
        let mut scratches = Vec::new();
        let mut tops = Vec::new();
        let offsets = self.sizes.field_offsets(param_types.iter().copied());
        let area = self.sizes.record(param_types.iter().copied());
        if sig.indirect_params {
            let size = Literal::u32_unsuffixed(area.size.size_wasm32() as u32);
            let align = Literal::u32_unsuffixed(area.align.align_wasm32() as u32);
            lift.push(quote! {
                let base = #rt::bindings::rt::param_area(cx.mem(), a0, #size, #align)?;
            });
        } else if !func.params.is_empty() {
            let flat_args = args.iter().take(args.len() - usize::from(sig.retptr));
            let count = Literal::usize_unsuffixed(args.len() - usize::from(sig.retptr));
            lift.push(quote! {
                let flat: [u64; #count] = [#(#rt::bindings::CoreBits::to_bits64(#flat_args)),*];
                let mut flat = #rt::bindings::Flat::new(&flat);
            });
        }
        for (index, (param, (offset, _))) in func.params.iter().zip(&offsets).enumerate() {
            let top = self.top(&param.ty, depth)?;
            let local = format_ident!("p{}", index);
            let ty = match &top {
                Top::Value(ty) => ty.clone(),
                _ => quote!(u32),
            };
            let offset = Literal::u32_unsuffixed(offset.size_wasm32() as u32);
            if borrowed && matches!(top, Top::Value(_)) && self.is_string(&param.ty) {
                let scratch = format_ident!("s{}", index);
                scratches.push(quote!(let mut #scratch = #rt::bindings::rt::Scratch::take();));
                lift.push(if sig.indirect_params {
                    quote!(let #local: &str = #scratch.load(&mut cx, base.wrapping_add(#offset))?;)
                } else {
                    quote!(let #local: &str = #scratch.lift_flat(&mut cx, &mut flat)?;)
                });
                tops.push(top);
                continue;
            }
            lift.push(if sig.indirect_params {
                quote!(let #local = <#ty as #rt::bindings::LiftGuest>::load(&mut cx, base.wrapping_add(#offset))?;)
            } else {
                quote!(let #local = <#ty as #rt::bindings::LiftGuest>::lift_flat(&mut cx, &mut flat)?;)
            });
            tops.push(top);
        }
        for (index, top) in tops.iter().enumerate() {
            let local = format_ident!("p{}", index);
            if let (Top::Borrow(_), true) = (top, needs_lent) {
                lift.push(quote!(cx.lend(#local);));
            }
        }
        for (index, top) in tops.iter().enumerate() {
            let local = format_ident!("p{}", index);
            if let Top::Own(r) = top {
                let r = self.resource_of(*r, depth);
                lift.push(quote!(let #local = #rt::bindings::rt::take::<#r, _>(&mut cx, #local)?;));
            }
        }
        let locals: Vec<_> = (0..func.params.len())
            .map(|i| format_ident!("p{}", i))
            .collect();
        let lifting = if func.params.is_empty() {
            TokenStream::new()
        } else {
            quote! {
                #(#scratches)*
                let (#(#locals,)*) = {
                    let mut cx = #lift_cx;
                    #(#lift)*
                    (#(#locals,)*)
                };
            }
        };

        // The call.
        let method = match func.kind {
            FunctionKind::Constructor(_) => quote!(new),
            _ => {
                let ident = snake(func.item_name());
                quote!(#ident)
            }
        };
        let borrows: Vec<(usize, TypeId)> = tops
            .iter()
            .enumerate()
            .filter_map(|(i, t)| match t {
                Top::Borrow(r) => Some((i, *r)),
                _ => None,
            })
            .collect();
        let call = match mode {
            Mode::Ctx | Mode::Ctor => {
                let checks = borrows.iter().map(|(i, r)| {
                    let local = format_ident!("p{}", i);
                    let r = self.resource_of(*r, depth);
                    quote!(let #local = #rt::bindings::rt::check::<#r>(env.table(), #local)?;)
                });
                let invoke = quote!(<D as #trait_name>::#method(&mut #rt::bindings::rt::ctx(env), #(#locals),*)?);
                let invoke = if mode == Mode::Ctor {
                    quote! {
                        let value = #invoke;
                        #rt::bindings::rt::give(env, value)?
                    }
                } else {
                    invoke
                };
                quote! {
                    #(#checks)*
                    let result = { #invoke };
                }
            }
            Mode::Lent => {
                let lookups = if borrows.len() == 1 {
                    let (i, r) = borrows[0];
                    let local = format_ident!("p{}", i);
                    let r = self.resource_of(r, depth);
                    quote!(let #local = #rt::bindings::rt::receiver::<#r>(table, #local)?;)
                } else {
                    let each = borrows.iter().map(|(i, r)| {
                        let local = format_ident!("p{}", i);
                        let r = self.resource_of(*r, depth);
                        if *i == 0 {
                            quote!(let #local = #rt::__slots_core::Borrowed::Shared(#rt::bindings::rt::borrow::<#r>(table, #local)?);)
                        } else {
                            quote!(let #local = #rt::bindings::rt::borrow::<#r>(table, #local)?;)
                        }
                    });
                    quote! {
                        let table = &*table;
                        #(#each)*
                    }
                };
                quote! {
                    let (table, mut caller) = #rt::bindings::rt::split(env);
                    #lookups
                    let result = <D as #trait_name>::#method(&mut caller, #(#locals),*)?;
                }
            }
        };

        // Lowering.
        let lower = match (sig.results.as_slice(), sig.retptr) {
            (_, true) => {
                let retptr = args.last().cloned().unwrap_or_else(|| format_ident!("a0"));
                quote!(#rt::bindings::rt::store_return(mem, #retptr, result))
            }
            ([one], false) => {
                let core = core_type(*one);
                quote!(Ok(<#core as #rt::bindings::CoreBits>::from_bits64(#rt::bindings::rt::flat_result(result)?)))
            }
            _ => quote!({
                let () = result;
                Ok(())
            }),
        };
        // A result that may allocate is stored through the call's view
        // first, and through the memory and allocator only when it must
        // allocate; everything else, through the view alone.
        let (import_mem, view_first) = match allocates {
            true => {
                let view_first = !always_allocates;
                (quote!(import_alloc), quote!(#view_first,))
            }
            false => (quote!(import_mem), TokenStream::new()),
        };
        let body = if touches_memory {
            quote! {
                #rt::bindings::rt::#import_mem(
                    &mut caller,
                    #qualified,
                    #view_first
                    |env, mem| {
                        let _ = &mem;
                        #lifting
                        #call
                        Ok(result)
                    },
                    |mem, result| {
                        let _ = &mem;
                        #lower
                    },
                )
            }
        } else {
            quote! {
                #rt::bindings::rt::import(&mut caller, #qualified, |env| {
                    #lifting
                    #call
                    let result = &result;
                    #lower
                })
            }
        };
        Ok(quote! {
            imports.define(#module, #name, #wasmer::Function::new_typed_with_env(
                store,
                env,
                |mut caller: #wasmer::FunctionEnvMut<'_, #rt::InstanceEnv<D>>, #(#args: #arg_types),*|
                    -> Result<#ret, #wasmer::RuntimeError> {
                    #body
                },
            ));
        })
    }
}

/// The resource a function belongs to, if any.
pub(crate) fn resource_of_func(func: &Function) -> Option<TypeId> {
    match func.kind {
        FunctionKind::Method(r)
        | FunctionKind::Static(r)
        | FunctionKind::Constructor(r)
        | FunctionKind::AsyncMethod(r)
        | FunctionKind::AsyncStatic(r) => Some(r),
        FunctionKind::Freestanding | FunctionKind::AsyncFreestanding => None,
    }
}

/// The Rust name of parameter `index` of `func`: `this` for a receiver.
fn param_ident(func: &Function, index: usize) -> proc_macro2::Ident {
    let is_receiver = index == 0
        && matches!(
            func.kind,
            FunctionKind::Method(_) | FunctionKind::AsyncMethod(_)
        );
    match (is_receiver, func.params.get(index)) {
        (true, _) => format_ident!("this"),
        (false, Some(param)) => snake(&param.name),
        (false, None) => format_ident!("arg{}", index),
    }
}
