//! Checking Rust types against WIT types when a function is bound.

use std::collections::HashMap;

use host_wasmer_bindgen::walk::any_part;
use wit_parser::{Handle, Resolve, Type, TypeDefKind, TypeId};

use crate::error::TypeMismatch;

/// A Rust type registered for a WIT resource.
#[derive(Clone, Debug)]
pub struct BoundResource {
    /// The Rust type.
    pub rust: std::any::TypeId,
    /// The Rust type's name, for messages.
    pub rust_name: &'static str,
    /// The resource's WIT name (the Rust type's `Resource::NAME`).
    pub name: &'static str,
}

/// What a bind-time type check can see: the WIT, and which Rust type stands
/// for each resource.
pub struct TypeCheck<'a> {
    pub(crate) resolve: &'a Resolve,
    pub(crate) resources: &'a HashMap<TypeId, BoundResource>,
}

impl<'a> TypeCheck<'a> {
    /// A checker over `resolve` with `resources` bound.
    pub fn new(resolve: &'a Resolve, resources: &'a HashMap<TypeId, BoundResource>) -> Self {
        Self { resolve, resources }
    }

    /// The WIT definitions.
    pub fn resolve(&self) -> &Resolve {
        self.resolve
    }

    /// The definition behind `ty`, following `type a = b` aliases; `None` for
    /// primitive types.
    pub fn kind(&self, ty: &Type) -> Option<&'a TypeDefKind> {
        let mut ty = *ty;
        loop {
            let Type::Id(id) = ty else {
                return None;
            };
            match &self.resolve.types[id].kind {
                TypeDefKind::Type(inner) => ty = *inner,
                kind => return Some(kind),
            }
        }
    }

    /// `ty` with `type a = b` aliases followed to the type they name:
    /// a primitive type, or the definition that is not an alias.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use host_wasmer::typed::TypeCheck;
    /// use wit_parser::{Resolve, Type};
    ///
    /// let mut resolve = Resolve::default();
    /// let pkg = resolve.push_str("a.wit", "package a:b; interface i { type name = string; }")?;
    /// let iface = resolve.packages[pkg].interfaces["i"];
    /// let alias = resolve.interfaces[iface].types["name"];
    /// let resources = HashMap::new();
    /// let cx = TypeCheck::new(&resolve, &resources);
    /// assert_eq!(cx.unalias(&Type::Id(alias)), Type::String);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unalias(&self, ty: &Type) -> Type {
        let mut ty = *ty;
        while let Type::Id(id) = ty {
            match self.resolve.types.get(id).map(|def| &def.kind) {
                Some(TypeDefKind::Type(inner)) => ty = *inner,
                _ => break,
            }
        }
        ty
    }

    /// The resource a handle type points at, following aliases.
    pub fn resource_of(&self, handle: &Handle) -> TypeId {
        let (Handle::Own(id) | Handle::Borrow(id)) = *handle;
        resolve_alias(self.resolve, id)
    }

    /// The Rust type bound to the resource `id`, if any.
    pub fn bound(&self, id: TypeId) -> Option<&BoundResource> {
        self.resources.get(&id)
    }

    /// The mismatch of Rust type `T` against `ty`.
    pub fn mismatch<T: ?Sized>(&self, ty: &Type) -> TypeMismatch {
        TypeMismatch {
            wit: wit_type_name(self.resolve, ty),
            rust: std::any::type_name::<T>(),
            detail: None,
        }
    }

    /// The mismatch of `T` against `ty`, with more to say.
    pub fn mismatch_because<T: ?Sized>(
        &self,
        ty: &Type,
        detail: impl Into<String>,
    ) -> TypeMismatch {
        TypeMismatch {
            detail: Some(detail.into()),
            ..self.mismatch::<T>(ty)
        }
    }

    /// Whether a value of `ty` can hold a handle.
    pub(crate) fn holds_handles(&self, ty: &Type) -> bool {
        any_part(self.resolve, ty, |_, kind| {
            matches!(kind, Some(TypeDefKind::Handle(_)))
        })
    }
}

pub(crate) fn resolve_alias(resolve: &Resolve, mut id: TypeId) -> TypeId {
    while let TypeDefKind::Type(Type::Id(inner)) = resolve.types[id].kind {
        id = inner;
    }
    id
}

/// A WIT type as WIT spells it: `list<u8>`, `option<span>`, `own<bucket>`.
///
/// # Examples
///
/// ```
/// use host_wasmer::typed::wit_type_name;
/// use wit_parser::{Resolve, Type};
///
/// assert_eq!(wit_type_name(&Resolve::default(), &Type::U32), "u32");
/// ```
pub fn wit_type_name(resolve: &Resolve, ty: &Type) -> String {
    crate::abi::type_name_in(resolve, ty, 0)
}
