//! The generator's state: the world, the module each interface goes to,
//! the embedder's resource types, and the assembly of the module tree.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use wit_parser::{
    Docs, InterfaceId, Resolve, SizeAlign, TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem,
    WorldKey,
};

use crate::names::snake;
use crate::{Error, Options};

/// Generates the bindings for `world` of `resolve`.
///
/// # Examples
///
/// See the [crate documentation](crate).
pub fn generate(
    resolve: &Resolve,
    world: WorldId,
    options: &Options,
) -> Result<TokenStream, Error> {
    let gen_ = Gen::new(resolve, world, options)?;
    gen_.emit()
}

/// Everything the emitters share.
pub(crate) struct Gen<'a> {
    pub(crate) resolve: &'a Resolve,
    pub(crate) world: WorldId,
    pub(crate) sizes: SizeAlign,
    /// The runtime crate's path.
    pub(crate) rt: TokenStream,
    /// The module path of each imported interface.
    pub(crate) modules: HashMap<InterfaceId, Vec<Ident>>,
    /// The imported interfaces in world order, with their keys.
    pub(crate) interfaces: Vec<(WorldKey, InterfaceId)>,
    /// The embedder's type for each resource, as written in `with`.
    pub(crate) resources: HashMap<TypeId, TokenStream>,
    /// The interface whose module is being emitted: its own types are
    /// named without a path.
    pub(crate) current: Cell<Option<InterfaceId>>,
    /// The imported functions (interface, WIT name) whose `string`
    /// parameters are lent to the host function as `&str`.
    pub(crate) borrow_strings: HashSet<FuncKey>,
}

/// An imported function: its interface (none for a world-level one) and
/// its WIT name.
pub(crate) type FuncKey = (Option<InterfaceId>, String);

impl<'a> Gen<'a> {
    fn new(resolve: &'a Resolve, world: WorldId, options: &Options) -> Result<Self, Error> {
        let mut sizes = SizeAlign::default();
        sizes.fill(resolve);
        let interfaces: Vec<(WorldKey, InterfaceId)> = resolve.worlds[world]
            .imports
            .iter()
            .filter_map(|(key, item)| match item {
                WorldItem::Interface { id, .. } => Some((key.clone(), *id)),
                _ => None,
            })
            .collect();
        let mut gen_ = Self {
            resolve,
            world,
            sizes,
            rt: options.runtime.clone(),
            modules: HashMap::new(),
            interfaces,
            resources: HashMap::new(),
            current: Cell::new(None),
            borrow_strings: HashSet::new(),
        };
        gen_.place_interfaces()?;
        gen_.bind_resources(options)?;
        gen_.bind_borrowed_strings(options)?;
        Ok(gen_)
    }

    /// Gives every imported interface a module: `ns::pkg::iface`, with a
    /// version segment when the world holds two versions of the package.
    fn place_interfaces(&mut self) -> Result<(), Error> {
        // The versions of each package the world imports from.
        let mut versions: HashMap<(String, String), Vec<Option<String>>> = HashMap::new();
        for (_, id) in &self.interfaces {
            if let Some(pkg) = self.resolve.interfaces[*id].package {
                let name = &self.resolve.packages[pkg].name;
                let seen = versions
                    .entry((name.namespace.clone(), name.name.clone()))
                    .or_default();
                let version = name.version.as_ref().map(ToString::to_string);
                if !seen.contains(&version) {
                    seen.push(version);
                }
            }
        }
        for (key, id) in &self.interfaces {
            let iface = &self.resolve.interfaces[*id];
            let path = match (iface.package, &iface.name) {
                (Some(pkg), Some(name)) => {
                    let pkg = &self.resolve.packages[pkg].name;
                    let mut path = vec![snake(&pkg.namespace), snake(&pkg.name)];
                    let several = versions
                        .get(&(pkg.namespace.clone(), pkg.name.clone()))
                        .is_some_and(|seen| seen.len() > 1);
                    if let (true, Some(version)) = (several, &pkg.version) {
                        let text = version.to_string().replace(['.', '-', '+'], "_");
                        path.push(format_ident!("v{}", text));
                    }
                    path.push(snake(name));
                    path
                }
                _ => match key {
                    WorldKey::Name(name) => vec![snake(name)],
                    WorldKey::Interface(_) => {
                        return Err(Error::Unsupported {
                            item: self.resolve.name_world_key(key),
                            reason: "an interface without a name or package",
                        });
                    }
                },
            };
            self.modules.insert(*id, path);
        }
        Ok(())
    }

    /// Matches the `with` keys against the world's resources.
    /// Resolves the keys of [`Options::borrow_strings`] to functions.
    fn bind_borrowed_strings(&mut self, options: &Options) -> Result<(), Error> {
        // Every name each imported function answers to.
        let mut all: Vec<(FuncKey, Vec<String>)> = Vec::new();
        let names = |func: &wit_parser::Function| {
            let mut names = vec![func.name.clone()];
            if let Some(plain) = func.name.strip_prefix('[').and_then(|n| n.split_once(']')) {
                names.push(plain.1.to_string());
            }
            names
        };
        for (_, id) in &self.interfaces {
            let iface = &self.resolve.interfaces[*id];
            let iface_name = iface.name.clone().unwrap_or_default();
            let mut prefixes = vec![iface_name.clone()];
            if let Some(pkg) = iface.package {
                let pkg = &self.resolve.packages[pkg].name;
                prefixes.push(format!("{}:{}/{iface_name}", pkg.namespace, pkg.name));
                if let Some(version) = &pkg.version {
                    prefixes.push(format!(
                        "{}:{}/{iface_name}@{version}",
                        pkg.namespace, pkg.name
                    ));
                }
            }
            for func in iface.functions.values() {
                let keys = prefixes
                    .iter()
                    .flat_map(|prefix| {
                        names(func)
                            .into_iter()
                            .map(move |n| format!("{prefix}/{n}"))
                    })
                    .collect();
                all.push(((Some(*id), func.name.clone()), keys));
            }
        }
        for item in self.resolve.worlds[self.world].imports.values() {
            if let WorldItem::Function(func) = item {
                all.push(((None, func.name.clone()), names(func)));
            }
        }
        for key in &options.borrow_strings {
            let found: Vec<_> = all.iter().filter(|(_, keys)| keys.contains(key)).collect();
            if found.is_empty() {
                return Err(Error::UnknownFunction { key: key.clone() });
            }
            for (func, _) in found {
                self.borrow_strings.insert(func.clone());
            }
        }
        Ok(())
    }

    /// Whether `func` of `iface` takes its `string` parameters as `&str`.
    pub(crate) fn borrows_strings(
        &self,
        iface: Option<InterfaceId>,
        func: &wit_parser::Function,
    ) -> bool {
        !self.borrow_strings.is_empty() && self.borrow_strings.contains(&(iface, func.name.clone()))
    }

    /// Whether `ty` is a `string`, through aliases.
    pub(crate) fn is_string(&self, ty: &wit_parser::Type) -> bool {
        match ty {
            wit_parser::Type::String => true,
            wit_parser::Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(inner) => self.is_string(inner),
                _ => false,
            },
            _ => false,
        }
    }

    fn bind_resources(&mut self, options: &Options) -> Result<(), Error> {
        let mut all: Vec<(TypeId, Vec<String>)> = Vec::new();
        for (_, id) in &self.interfaces {
            let iface = &self.resolve.interfaces[*id];
            for (name, ty) in &iface.types {
                if !matches!(self.resolve.types[*ty].kind, TypeDefKind::Resource) {
                    continue;
                }
                let iface_name = iface.name.clone().unwrap_or_default();
                let mut keys = vec![name.clone(), format!("{iface_name}/{name}")];
                if let Some(pkg) = iface.package {
                    let pkg = &self.resolve.packages[pkg].name;
                    keys.push(format!(
                        "{}:{}/{iface_name}/{name}",
                        pkg.namespace, pkg.name
                    ));
                    if let Some(version) = &pkg.version {
                        keys.push(format!(
                            "{}:{}/{iface_name}@{version}/{name}",
                            pkg.namespace, pkg.name
                        ));
                    }
                }
                all.push((*ty, keys));
            }
        }
        let full = |keys: &Vec<String>| keys.get(2).or(keys.get(1)).cloned().unwrap_or_default();
        let known = || {
            all.iter()
                .map(|(_, keys)| full(keys))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (key, path) in &options.with {
            let matches: Vec<&(TypeId, Vec<String>)> =
                all.iter().filter(|(_, keys)| keys.contains(key)).collect();
            match matches.as_slice() {
                [] => {
                    return Err(Error::UnknownWith {
                        key: key.clone(),
                        known: known(),
                    });
                }
                [(ty, _)] => {
                    self.resources.insert(*ty, path.clone());
                }
                several => {
                    return Err(Error::AmbiguousWith {
                        key: key.clone(),
                        matches: several
                            .iter()
                            .map(|(_, keys)| full(keys))
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
            }
        }
        for (ty, keys) in &all {
            if !self.resources.contains_key(ty) {
                return Err(Error::MissingResource {
                    resource: full(keys),
                });
            }
        }
        Ok(())
    }

    /// The path from a module `depth` levels below the root to the root.
    pub(crate) fn root(&self, depth: usize) -> TokenStream {
        let supers = (0..depth).map(|_| quote!(super::));
        quote!(#(#supers)*)
    }

    /// The path to the named type `id` from a module `depth` levels down.
    pub(crate) fn type_path(&self, id: TypeId, depth: usize) -> TokenStream {
        let def = &self.resolve.types[id];
        let name = crate::names::camel(def.name.as_deref().unwrap_or("anonymous"));
        let root = self.root(depth);
        match def.owner {
            TypeOwner::Interface(iface) if self.current.get() == Some(iface) => quote!(#name),
            TypeOwner::Interface(iface) => match self.modules.get(&iface) {
                Some(path) => quote!(#root #(#path::)* #name),
                None => quote!(#root #name),
            },
            _ => quote!(#root #name),
        }
    }

    /// The embedder's type for a resource, as seen from `depth` levels down:
    /// a relative path gets the way up to the macro's call site.
    pub(crate) fn resource_type(&self, id: TypeId, depth: usize) -> TokenStream {
        let path = self.resources.get(&id).cloned().unwrap_or_default();
        let text = path.to_string();
        if text.starts_with("crate") || text.starts_with("::") || text.starts_with("$crate") {
            path
        } else {
            let root = self.root(depth);
            quote!(#root #path)
        }
    }

    /// Doc attributes for WIT docs.
    pub(crate) fn docs(&self, docs: &Docs) -> TokenStream {
        match &docs.contents {
            Some(text) => {
                let lines = text.lines().map(|line| format!(" {line}"));
                quote!(#(#[doc = #lines])*)
            }
            None => TokenStream::new(),
        }
    }

    /// Doc attributes for WIT docs, or `fallback` when the WIT has none, so
    /// that crates denying `missing_docs` can hold the expansion.
    pub(crate) fn docs_or(&self, docs: &Docs, fallback: &str) -> TokenStream {
        match &docs.contents {
            Some(_) => self.docs(docs),
            None => {
                let text = format!(" {fallback}");
                quote!(#[doc = #text])
            }
        }
    }

    /// Inner doc attributes for WIT docs: a module's own.
    pub(crate) fn inner_docs(&self, docs: &Docs) -> TokenStream {
        match &docs.contents {
            Some(text) => {
                let lines = text.lines().map(|line| format!(" {line}"));
                quote!(#(#![doc = #lines])*)
            }
            None => TokenStream::new(),
        }
    }

    /// Assembles the whole expansion.
    fn emit(&self) -> Result<TokenStream, Error> {
        let mut tree = ModuleTree::default();
        for (key, id) in &self.interfaces {
            let path = self.modules.get(id).cloned().unwrap_or_default();
            let depth = path.len();
            self.current.set(Some(*id));
            let body = self.interface(key, *id, depth);
            self.current.set(None);
            let body = body?;
            tree.insert(&path, body);
        }
        let modules = tree.emit();
        let world_types = self.world_types()?;
        let world = self.world_type()?;
        Ok(quote! {
            #world_types
            #modules
            #world
        })
    }

    /// One interface's module body.
    fn interface(
        &self,
        key: &WorldKey,
        id: InterfaceId,
        depth: usize,
    ) -> Result<TokenStream, Error> {
        let iface = &self.resolve.interfaces[id];
        let docs = self.inner_docs(&iface.docs);
        let mut types = TokenStream::new();
        for (_, ty) in &iface.types {
            types.extend(self.type_def(*ty, depth)?);
        }
        let imports = self.interface_imports(key, id, depth)?;
        Ok(quote! {
            #docs
            #types
            #imports
        })
    }

    /// Types the world itself defines or imports at its top level.
    fn world_types(&self) -> Result<TokenStream, Error> {
        let mut out = TokenStream::new();
        for item in self.resolve.worlds[self.world].imports.values() {
            if let WorldItem::Type { id, .. } = item {
                if matches!(self.resolve.types[*id].kind, TypeDefKind::Resource) {
                    return Err(Error::Unsupported {
                        item: self.resolve.types[*id].name.clone().unwrap_or_default(),
                        reason: "resources imported at world level; put them in an interface",
                    });
                }
                out.extend(self.type_def(*id, 0)?);
            }
        }
        Ok(out)
    }
}

/// Nested modules, built from the module path of each interface.
#[derive(Default)]
struct ModuleTree {
    body: TokenStream,
    children: BTreeMap<String, (Ident, ModuleTree)>,
}

impl ModuleTree {
    fn insert(&mut self, path: &[Ident], body: TokenStream) {
        match path.split_first() {
            None => self.body.extend(body),
            Some((first, rest)) => {
                let (_, child) = self
                    .children
                    .entry(first.to_string())
                    .or_insert_with(|| (first.clone(), ModuleTree::default()));
                child.insert(rest, body);
            }
        }
    }

    fn emit(&self) -> TokenStream {
        let body = &self.body;
        let children = self.children.values().map(|(name, child)| {
            let inner = child.emit();
            quote! {
                #[allow(missing_docs, clippy::all)]
                pub mod #name {
                    #inner
                }
            }
        });
        quote!(#body #(#children)*)
    }
}
