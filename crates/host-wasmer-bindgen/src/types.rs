//! Rust types for WIT types, and the definitions of the named ones with
//! their layouts as constants and their lift and lower code.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use wit_parser::{Enum, Flags, Handle, Int, Record, Type, TypeDefKind, TypeId, Variant};

use crate::Error;
use crate::gen_::Gen;
use crate::names::{camel, snake};
use crate::walk::any_part;

/// Where a type appears, which decides how a handle in it is spelled.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pos {
    /// A parameter: `own<T>` is the taken [`Own<T>`], `borrow<T>` a checked
    /// `Handle<T>`.
    Param,
    /// A result: `own<T>` is a `Handle<T>` the host already put in the table.
    Result,
}

impl Gen<'_> {
    /// The Rust type standing for `ty`, seen from `depth` levels down.
    pub(crate) fn rust_type(
        &self,
        ty: &Type,
        depth: usize,
        pos: Pos,
    ) -> Result<TokenStream, Error> {
        Ok(match ty {
            Type::Bool => quote!(bool),
            Type::U8 => quote!(u8),
            Type::U16 => quote!(u16),
            Type::U32 => quote!(u32),
            Type::U64 => quote!(u64),
            Type::S8 => quote!(i8),
            Type::S16 => quote!(i16),
            Type::S32 => quote!(i32),
            Type::S64 => quote!(i64),
            Type::F32 => quote!(f32),
            Type::F64 => quote!(f64),
            Type::Char => quote!(char),
            Type::String => quote!(String),
            Type::ErrorContext => {
                return Err(Error::Unsupported {
                    item: "error-context".into(),
                    reason: "the async ABI is not implemented",
                });
            }
            Type::Id(id) => self.id_type(*id, depth, pos)?,
        })
    }

    fn id_type(&self, id: TypeId, depth: usize, pos: Pos) -> Result<TokenStream, Error> {
        let def = &self.resolve.types[id];
        let rt = &self.rt;
        if def.name.is_some() && !matches!(def.kind, TypeDefKind::Handle(_)) {
            return Ok(self.type_path(id, depth));
        }
        Ok(match &def.kind {
            TypeDefKind::List(t) => {
                let t = self.rust_type(t, depth, pos)?;
                quote!(Vec<#t>)
            }
            TypeDefKind::Option(t) => {
                let t = self.rust_type(t, depth, pos)?;
                quote!(Option<#t>)
            }
            TypeDefKind::Result(r) => {
                let ok = self.opt_type(r.ok.as_ref(), depth, pos)?;
                let err = self.opt_type(r.err.as_ref(), depth, pos)?;
                quote!(Result<#ok, #err>)
            }
            TypeDefKind::Tuple(t) => {
                if t.types.len() > 8 {
                    return Err(self.unsupported(id, "tuples of more than 8 types"));
                }
                let types = t
                    .types
                    .iter()
                    .map(|t| self.rust_type(t, depth, pos))
                    .collect::<Result<Vec<_>, _>>()?;
                quote!((#(#types,)*))
            }
            TypeDefKind::Handle(Handle::Own(r)) => {
                let r = self.resource_of(*r, depth);
                match pos {
                    Pos::Param => quote!(#rt::typed::Own<#r>),
                    Pos::Result => quote!(#rt::__slots_core::Handle<#r>),
                }
            }
            TypeDefKind::Handle(Handle::Borrow(r)) => {
                let r = self.resource_of(*r, depth);
                quote!(#rt::__slots_core::Handle<#r>)
            }
            TypeDefKind::Type(t) => self.rust_type(t, depth, pos)?,
            TypeDefKind::Future(_) | TypeDefKind::Stream(_) => {
                return Err(self.unsupported(id, "futures and streams need the async ABI"));
            }
            TypeDefKind::Map(..) | TypeDefKind::FixedLengthList(..) => {
                return Err(self.unsupported(id, "maps and fixed-length lists"));
            }
            _ => return Err(self.unsupported(id, "an anonymous type of this kind")),
        })
    }

    fn opt_type(&self, ty: Option<&Type>, depth: usize, pos: Pos) -> Result<TokenStream, Error> {
        match ty {
            Some(ty) => self.rust_type(ty, depth, pos),
            None => Ok(quote!(())),
        }
    }

    /// The resource `id` names (through aliases), by the alias of the
    /// embedder's type in the resource's interface module.
    pub(crate) fn resource_of(&self, id: TypeId, depth: usize) -> TokenStream {
        let id = self.dealias(id);
        self.type_path(id, depth)
    }

    /// Follows `type a = b` aliases to the type defined.
    pub(crate) fn dealias(&self, mut id: TypeId) -> TypeId {
        while let TypeDefKind::Type(Type::Id(next)) = self.resolve.types[id].kind {
            id = next;
        }
        id
    }

    /// The handle `ty` is at its top level, through aliases.
    pub(crate) fn top_handle(&self, ty: &Type) -> Option<Handle> {
        let Type::Id(id) = ty else { return None };
        match self.resolve.types[self.dealias(*id)].kind {
            TypeDefKind::Handle(handle) => Some(handle),
            _ => None,
        }
    }

    /// Whether `ty` holds a handle anywhere.
    pub(crate) fn has_handle(&self, ty: &Type) -> bool {
        any_part(self.resolve, ty, |_, kind| {
            matches!(kind, Some(TypeDefKind::Handle(_) | TypeDefKind::Resource))
        })
    }

    /// Whether `ty` holds an `own` and whether it holds a `borrow`.
    pub(crate) fn handles_in(&self, ty: &Type) -> (bool, bool) {
        let holds = |wanted: fn(&Handle) -> bool| {
            any_part(
                self.resolve,
                ty,
                |_, kind| matches!(kind, Some(TypeDefKind::Handle(h)) if wanted(h)),
            )
        };
        (
            holds(|h| matches!(h, Handle::Own(_))),
            holds(|h| matches!(h, Handle::Borrow(_))),
        )
    }

    /// Whether `ty` holds a string or list: lowering it allocates.
    pub(crate) fn allocates(&self, ty: &Type) -> bool {
        any_part(self.resolve, ty, |t, kind| {
            matches!(t, Type::String) || matches!(kind, Some(TypeDefKind::List(_)))
        })
    }

    /// Whether lowering `ty` allocates whatever its value: a string or
    /// list, or a record or tuple holding one outside any `option`,
    /// `result` or variant.
    pub(crate) fn always_allocates(&self, ty: &Type) -> bool {
        let Type::Id(id) = ty else {
            return matches!(ty, Type::String);
        };
        match &self.resolve.types[*id].kind {
            TypeDefKind::List(_) => true,
            TypeDefKind::Type(aliased) => self.always_allocates(aliased),
            TypeDefKind::Record(record) => record
                .fields
                .iter()
                .any(|field| self.always_allocates(&field.ty)),
            TypeDefKind::Tuple(tuple) => tuple.types.iter().any(|t| self.always_allocates(t)),
            _ => false,
        }
    }

    pub(crate) fn unsupported(&self, id: TypeId, reason: &'static str) -> Error {
        let def = &self.resolve.types[id];
        Error::Unsupported {
            item: def
                .name
                .clone()
                .unwrap_or_else(|| def.kind.as_str().to_string()),
            reason,
        }
    }

    pub(crate) fn size(&self, ty: &Type) -> u32 {
        self.sizes.size(ty).size_wasm32() as u32
    }

    pub(crate) fn align(&self, ty: &Type) -> u32 {
        self.sizes.align(ty).align_wasm32() as u32
    }

    pub(crate) fn flat_count(&self, ty: &Type) -> usize {
        let mut storage = [wit_parser::abi::WasmType::I32; 64];
        let mut flat = wit_parser::abi::FlatTypes::new(&mut storage);
        if self.resolve.push_flat(ty, &mut flat) {
            flat.to_vec().len()
        } else {
            64
        }
    }

    /// The definition of the named type `id`, in its module `depth` down.
    pub(crate) fn type_def(&self, id: TypeId, depth: usize) -> Result<TokenStream, Error> {
        let def = &self.resolve.types[id];
        let Some(wit_name) = &def.name else {
            return Ok(TokenStream::new());
        };
        let name = camel(wit_name);
        let docs = self.docs_or(&def.docs, &format!("The WIT type `{wit_name}`."));
        let ty = Type::Id(id);
        let layout = || self.layout_impl(&name, &ty);
        Ok(match &def.kind {
            TypeDefKind::Record(record) => {
                self.no_handles(id, &ty)?;
                let body = self.record(&name, wit_name, record, depth)?;
                {
                    let layout = layout();
                    quote!(#docs #body #layout)
                }
            }
            TypeDefKind::Variant(variant) => {
                self.no_handles(id, &ty)?;
                let body = self.variant(&name, wit_name, id, variant, depth)?;
                {
                    let layout = layout();
                    quote!(#docs #body #layout)
                }
            }
            TypeDefKind::Enum(e) => {
                let body = self.enum_(&name, wit_name, e);
                {
                    let layout = layout();
                    quote!(#docs #body #layout)
                }
            }
            TypeDefKind::Flags(flags) => {
                let body = self.flags(&name, flags);
                {
                    let layout = layout();
                    quote!(#docs #body #layout)
                }
            }
            TypeDefKind::Resource => {
                let rust = self.resource_type(id, depth);
                quote! {
                    #docs
                    ///
                    /// The embedder's type for this WIT resource.
                    pub type #name = #rust;
                }
            }
            TypeDefKind::Type(target) => {
                let target = self.rust_type(target, depth, Pos::Param)?;
                quote!(#docs pub type #name = #target;)
            }
            TypeDefKind::Handle(_) => {
                return Err(self.unsupported(id, "named handle types; use `borrow<r>` or `r`"));
            }
            _ => {
                let target = self.id_type_anonymous(id, depth)?;
                quote!(#docs pub type #name = #target;)
            }
        })
    }

    fn id_type_anonymous(&self, id: TypeId, depth: usize) -> Result<TokenStream, Error> {
        let def = &self.resolve.types[id];
        match &def.kind {
            TypeDefKind::List(t) => {
                let t = self.rust_type(t, depth, Pos::Param)?;
                Ok(quote!(Vec<#t>))
            }
            TypeDefKind::Option(t) => {
                let t = self.rust_type(t, depth, Pos::Param)?;
                Ok(quote!(Option<#t>))
            }
            TypeDefKind::Result(r) => {
                let ok = self.opt_type(r.ok.as_ref(), depth, Pos::Param)?;
                let err = self.opt_type(r.err.as_ref(), depth, Pos::Param)?;
                Ok(quote!(Result<#ok, #err>))
            }
            TypeDefKind::Tuple(t) => {
                let types = t
                    .types
                    .iter()
                    .map(|t| self.rust_type(t, depth, Pos::Param))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(quote!((#(#types,)*)))
            }
            _ => Err(self.unsupported(id, "a named type of this kind")),
        }
    }

    fn no_handles(&self, id: TypeId, ty: &Type) -> Result<(), Error> {
        if self.has_handle(ty) {
            return Err(self.unsupported(
                id,
                "handles inside records and variants; pass them as parameters",
            ));
        }
        Ok(())
    }

    /// `impl Layout` with wit-parser's size, alignment and flat count.
    fn layout_impl(&self, name: &proc_macro2::Ident, ty: &Type) -> TokenStream {
        let rt = &self.rt;
        let size = Literal::u32_unsuffixed(self.size(ty));
        let align = Literal::u32_unsuffixed(self.align(ty));
        let flat = Literal::usize_unsuffixed(self.flat_count(ty));
        quote! {
            impl #rt::bindings::Layout for #name {
                const SIZE: u32 = #size;
                const ALIGN: u32 = #align;
                const FLAT: usize = #flat;
            }
        }
    }

    fn record(
        &self,
        name: &proc_macro2::Ident,
        _wit: &str,
        record: &Record,
        depth: usize,
    ) -> Result<TokenStream, Error> {
        let rt = &self.rt;
        let mut fields = Vec::new();
        let mut lifts = Vec::new();
        let mut loads = Vec::new();
        let mut lowers = Vec::new();
        let mut stores = Vec::new();
        let offsets = self
            .sizes
            .field_offsets(record.fields.iter().map(|f| &f.ty));
        for (field, (offset, _)) in record.fields.iter().zip(offsets) {
            let ident = snake(&field.name);
            let ty = self.rust_type(&field.ty, depth, Pos::Param)?;
            let docs = self.docs(&field.docs);
            let offset = Literal::u32_unsuffixed(offset.size_wasm32() as u32);
            fields.push(quote!(#docs pub #ident: #ty));
            lifts.push(quote!(#ident: <#ty as #rt::bindings::LiftGuest>::lift_flat(cx, flat)?));
            loads.push(quote!(#ident: <#ty as #rt::bindings::LiftGuest>::load(cx, ptr.wrapping_add(#offset))?));
            lowers.push(quote!(#rt::bindings::LowerGuest::lower_flat(&self.#ident, mem, out)?;));
            stores.push(quote!(#rt::bindings::LowerGuest::store(&self.#ident, mem, ptr.wrapping_add(#offset))?;));
        }
        let guest_impls = self.guest_impls(
            name,
            quote! {
                Ok(Self { #(#lifts,)* })
            },
            quote! {
                Ok(Self { #(#loads,)* })
            },
            quote! {
                #(#lowers)*
                Ok(())
            },
            quote! {
                #(#stores)*
                Ok(())
            },
        );
        Ok(quote! {
            #[derive(Clone, Debug, PartialEq)]
            pub struct #name {
                #(#fields,)*
            }

            #guest_impls
        })
    }

    /// A generated type's `LiftGuest` and `LowerGuest` impls around their
    /// bodies, which see `cx`, `flat`, `ptr`, `mem` and `out` (each may go
    /// unused).
    fn guest_impls(
        &self,
        name: &proc_macro2::Ident,
        lift_flat: TokenStream,
        load: TokenStream,
        lower_flat: TokenStream,
        store: TokenStream,
    ) -> TokenStream {
        let rt = &self.rt;
        quote! {
            impl #rt::bindings::LiftGuest for #name {
                #[inline]
                fn lift_flat<M: #rt::abi::GuestMemory + ?Sized>(
                    cx: &mut #rt::bindings::LiftCx<'_, M>,
                    flat: &mut #rt::bindings::Flat<'_>,
                ) -> Result<Self, #rt::HostError> {
                    let _ = (&cx, &flat);
                    #lift_flat
                }

                fn load<M: #rt::abi::GuestMemory + ?Sized>(
                    cx: &mut #rt::bindings::LiftCx<'_, M>,
                    ptr: u32,
                ) -> Result<Self, #rt::HostError> {
                    let _ = (&cx, ptr);
                    #load
                }
            }

            impl #rt::bindings::LowerGuest for #name {
                #[inline]
                fn lower_flat<M: #rt::abi::GuestMemory + ?Sized>(
                    &self,
                    mem: &mut M,
                    out: &mut #rt::bindings::FlatOut<'_>,
                ) -> Result<(), #rt::HostError> {
                    let _ = (&mem, &out);
                    #lower_flat
                }

                fn store<M: #rt::abi::GuestMemory + ?Sized>(
                    &self,
                    mem: &mut M,
                    ptr: u32,
                ) -> Result<(), #rt::HostError> {
                    let _ = (&mem, ptr);
                    #store
                }
            }
        }
    }

    fn variant(
        &self,
        name: &proc_macro2::Ident,
        wit: &str,
        id: TypeId,
        variant: &Variant,
        depth: usize,
    ) -> Result<TokenStream, Error> {
        let rt = &self.rt;
        let ty = Type::Id(id);
        let width = Literal::usize_unsuffixed(self.flat_count(&ty).saturating_sub(1));
        let tag = variant.tag();
        let payload = Literal::u32_unsuffixed(
            self.sizes
                .payload_offset(tag, variant.cases.iter().map(|c| c.ty.as_ref()))
                .size_wasm32() as u32,
        );
        let count = Literal::usize_unsuffixed(variant.cases.len());
        let (read_tag, write_tag) = tag_code(rt, tag);
        let mut cases = Vec::new();
        let mut lifts = Vec::new();
        let mut loads = Vec::new();
        let mut lowers = Vec::new();
        let mut stores = Vec::new();
        for (index, case) in variant.cases.iter().enumerate() {
            let ident = camel(&case.name);
            let docs = self.docs(&case.docs);
            let index_lit = Literal::u32_unsuffixed(index as u32);
            match &case.ty {
                Some(t) => {
                    let t = self.rust_type(t, depth, Pos::Param)?;
                    cases.push(quote!(#docs #ident(#t)));
                    lifts.push(quote!(#index_lit => {
                        let value = <#t as #rt::bindings::LiftGuest>::lift_flat(cx, flat)?;
                        flat.skip(#width - <#t as #rt::bindings::Layout>::FLAT);
                        Self::#ident(value)
                    }));
                    loads.push(quote!(#index_lit => Self::#ident(<#t as #rt::bindings::LiftGuest>::load(cx, ptr.wrapping_add(#payload))?)));
                    lowers.push(quote!(Self::#ident(value) => {
                        out.push(#index_lit);
                        #rt::bindings::LowerGuest::lower_flat(value, mem, out)?;
                        out.pad(#width - <#t as #rt::bindings::Layout>::FLAT);
                    }));
                    stores.push(quote!(Self::#ident(value) => {
                        #write_tag(mem, ptr, #index_lit)?;
                        #rt::bindings::LowerGuest::store(value, mem, ptr.wrapping_add(#payload))?;
                    }));
                }
                None => {
                    cases.push(quote!(#docs #ident));
                    lifts.push(quote!(#index_lit => {
                        flat.skip(#width);
                        Self::#ident
                    }));
                    loads.push(quote!(#index_lit => Self::#ident));
                    lowers.push(quote!(Self::#ident => {
                        out.push(#index_lit);
                        out.pad(#width);
                    }));
                    stores.push(quote!(Self::#ident => #write_tag(mem, ptr, #index_lit)?,));
                }
            }
        }
        let guest_impls = self.guest_impls(
            name,
            quote! {
                Ok(match flat.next_bits() as u32 {
                #(#lifts)*
                other => return Err(#rt::bindings::rt::bad_discriminant(#wit, other, #count)),
                })
            },
            quote! {
                Ok(match #read_tag(cx, ptr)? {
                #(#loads,)*
                other => return Err(#rt::bindings::rt::bad_discriminant(#wit, other, #count)),
                })
            },
            quote! {
                match self {
                #(#lowers)*
                }
                Ok(())
            },
            quote! {
                match self {
                #(#stores)*
                }
                Ok(())
            },
        );
        Ok(quote! {
            #[derive(Clone, Debug, PartialEq)]
            pub enum #name {
                #(#cases,)*
            }

            #guest_impls
        })
    }

    fn enum_(&self, name: &proc_macro2::Ident, wit: &str, e: &Enum) -> TokenStream {
        let rt = &self.rt;
        let tag = e.tag();
        let (read_tag, write_tag) = tag_code(rt, tag);
        let count = Literal::usize_unsuffixed(e.cases.len());
        let idents: Vec<_> = e.cases.iter().map(|c| camel(&c.name)).collect();
        let docs = e.cases.iter().map(|c| self.docs(&c.docs));
        let indices: Vec<_> = (0..e.cases.len())
            .map(|i| Literal::u32_unsuffixed(i as u32))
            .collect();
        let guest_impls = self.guest_impls(
            name,
            quote! {
                Self::from_case(flat.next_bits() as u32)
            },
            quote! {
                Self::from_case(#read_tag(cx, ptr)?)
            },
            quote! {
                out.push(u64::from(self.case()));
                Ok(())
            },
            quote! {
                #write_tag(mem, ptr, self.case())
            },
        );
        quote! {
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub enum #name {
                #(#docs #idents,)*
            }

            impl #name {
                fn from_case(case: u32) -> Result<Self, #rt::HostError> {
                    Ok(match case {
                        #(#indices => Self::#idents,)*
                        other => return Err(#rt::bindings::rt::bad_discriminant(#wit, other, #count)),
                    })
                }

                fn case(self) -> u32 {
                    match self {
                        #(Self::#idents => #indices,)*
                    }
                }
            }

            #guest_impls
        }
    }

    fn flags(&self, name: &proc_macro2::Ident, flags: &Flags) -> TokenStream {
        let idents: Vec<_> = flags.flags.iter().map(|f| snake(&f.name)).collect();
        let docs = flags.flags.iter().map(|f| self.docs(&f.docs));
        let count = flags.flags.len();
        let words = count.div_ceil(32).max(1);
        let bytes = match count {
            0..=8 => 1usize,
            9..=16 => 2,
            _ => 4,
        };
        // Flag `i` is bit `i % 32` of word `i / 32`.
        let word_of: Vec<_> = (0..count)
            .map(|i| Literal::usize_unsuffixed(i / 32))
            .collect();
        let bit_of: Vec<_> = (0..count)
            .map(|i| Literal::u32_unsuffixed((i % 32) as u32))
            .collect();
        let words_lit = Literal::usize_unsuffixed(words);
        let load_words = if words == 1 {
            let n = Literal::usize_unsuffixed(bytes);
            quote! {
                let raw: [u8; #n] = cx.read(ptr)?;
                let mut word = [0u8; 4];
                for (to, from) in word.iter_mut().zip(raw) { *to = from; }
                let words = [u32::from_le_bytes(word)];
            }
        } else {
            let reads = (0..words).map(|w| {
                let off = Literal::u32_unsuffixed((w * 4) as u32);
                quote!(u32::from_le_bytes(cx.read(ptr.wrapping_add(#off))?))
            });
            quote!(let words = [#(#reads),*];)
        };
        let store_words = if words == 1 {
            let n = Literal::usize_unsuffixed(bytes);
            quote! {
                let [word] = words;
                let bytes = word.to_le_bytes();
                mem.write(ptr, bytes.get(..#n).unwrap_or(&bytes))?;
            }
        } else {
            quote! {
                let mut at = ptr;
                for word in words {
                    mem.write(at, &word.to_le_bytes())?;
                    at = at.wrapping_add(4);
                }
            }
        };
        let guest_impls = self.guest_impls(
            name,
            quote! {
                let mut words = [0u32; #words_lit];
                for word in &mut words { *word = flat.next_bits() as u32; }
                Ok(Self::from_words(words))
            },
            quote! {
                #load_words
                Ok(Self::from_words(words))
            },
            quote! {
                for word in self.words() { out.push(u64::from(word)); }
                Ok(())
            },
            quote! {
                let words = self.words();
                #store_words
                Ok(())
            },
        );
        quote! {
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            pub struct #name {
                #(#docs pub #idents: bool,)*
            }

            impl #name {
                fn from_words(words: [u32; #words_lit]) -> Self {
                    let _ = words;
                    Self {
                        #(#idents: words.get(#word_of).is_some_and(|w| w & (1 << #bit_of) != 0),)*
                    }
                }

                fn words(self) -> [u32; #words_lit] {
                    #[allow(unused_mut)]
                    let mut words = [0u32; #words_lit];
                    #(
                        if self.#idents {
                            if let Some(w) = words.get_mut(#word_of) { *w |= 1 << #bit_of; }
                        }
                    )*
                    words
                }
            }

            #guest_impls
        }
    }
}

/// The runtime functions that read and write a discriminant of `tag` width.
fn tag_code(rt: &TokenStream, tag: Int) -> (TokenStream, TokenStream) {
    match tag {
        Int::U8 => (
            quote!(#rt::bindings::rt::read_tag8),
            quote!(#rt::bindings::rt::write_tag8),
        ),
        Int::U16 => (
            quote!(#rt::bindings::rt::read_tag16),
            quote!(#rt::bindings::rt::write_tag16),
        ),
        Int::U32 | Int::U64 => (
            quote!(#rt::bindings::rt::read_tag32),
            quote!(#rt::bindings::rt::write_tag32),
        ),
    }
}
