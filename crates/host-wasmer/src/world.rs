//! `GuestWorld`: a WIT world loaded with wit-parser, and the core imports
//! and exports a guest of that world has, derived from it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use wit_parser::abi::{AbiVariant, WasmSignature};
use wit_parser::{
    Function, LiftLowerAbi, ManglingAndAbi, Resolve, ResourceIntrinsic, TypeDefKind, TypeId,
    WasmExport, WasmExportKind, WasmImport, WorldId, WorldItem, WorldKey,
};

/// wit-bindgen 0.61 guests built for wasm32-unknown-unknown use the legacy
/// name mangling with the synchronous ABI.
mod error;
mod supported;

pub use error::WorldError;

use host_wasmer_bindgen::AbiNeeds;

const MANGLING: ManglingAndAbi = ManglingAndAbi::Legacy(LiftLowerAbi::Sync);

/// One function a guest imports: where it is, its WIT type, its core signature.
#[derive(Debug, Clone)]
pub struct ImportFunc {
    /// Core import module, e.g. `slots:host/patterns@0.1.0`.
    pub module: String,
    /// Core import name, e.g. `[method]pattern.is-match`.
    pub name: String,
    /// The WIT function.
    pub func: Function,
    /// Its core signature under the canonical ABI.
    pub signature: WasmSignature,
}

impl ImportFunc {
    /// `module#name`, the way traps and errors name an import.
    pub fn qualified_name(&self) -> String {
        format!("{}#{}", self.module, self.name)
    }
}

/// A resource type a guest imports, with its `[resource-drop]` import.
#[derive(Debug, Clone)]
pub struct ImportResource {
    /// Core import module of the drop function.
    pub module: String,
    /// Core import name of the drop function, e.g. `[resource-drop]pattern`.
    pub drop_name: String,
    /// The resource's WIT name, e.g. `pattern`.
    pub name: String,
    /// The resource's id in the [`Resolve`].
    pub type_id: TypeId,
}

/// One function a guest exports.
#[derive(Debug, Clone)]
pub struct ExportFunc {
    /// Core export name, e.g. `run`.
    pub name: String,
    /// Core name of its post-return function, e.g. `cabi_post_run`.
    pub post_return: String,
    /// The WIT function.
    pub func: Function,
    /// Its core signature under the canonical ABI.
    pub signature: WasmSignature,
}

/// A WIT world and everything derived from it that a host needs.
///
/// # Examples
///
/// ```
/// use host_wasmer::GuestWorld;
///
/// let world = GuestWorld::from_str(
///     "package demo:counter@1.0.0;
///      interface api { get: func() -> u32; }
///      world guest { import api; export run: func(); }",
///     "guest",
/// )?;
/// let get = world.import("demo:counter/api@1.0.0", "get").unwrap();
/// assert_eq!(get.signature.results.len(), 1);
/// assert_eq!(world.exports()[0].name, "run");
/// # Ok::<(), host_wasmer::WorldError>(())
/// ```
#[derive(Debug)]
pub struct GuestWorld {
    resolve: Arc<Resolve>,
    world: WorldId,
    imports: BTreeMap<(String, String), ImportFunc>,
    resources: BTreeMap<(String, String), ImportResource>,
    exports: Vec<ExportFunc>,
    needs: AbiNeeds,
}

impl GuestWorld {
    /// Loads the WIT package at `path` (a file or a directory with `deps/`)
    /// and selects `world` from it.
    pub fn load(path: impl AsRef<Path>, world: &str) -> Result<Self, WorldError> {
        let path = path.as_ref();
        let mut resolve = Resolve::default();
        let (package, _) = resolve.push_path(path).map_err(|e| WorldError::Parse {
            path: path.display().to_string(),
            message: format!("{e:#}"),
        })?;
        Self::select(resolve, package, world)
    }

    /// Parses a WIT package from source text and selects `world` from it.
    #[allow(clippy::should_implement_trait, reason = "takes a world name too")]
    pub fn from_str(wit: &str, world: &str) -> Result<Self, WorldError> {
        let mut resolve = Resolve::default();
        let package = resolve
            .push_str("world.wit", wit)
            .map_err(|e| WorldError::Parse {
                path: "<string>".to_string(),
                message: format!("{e:#}"),
            })?;
        Self::select(resolve, package, world)
    }

    fn select(
        resolve: Resolve,
        package: wit_parser::PackageId,
        world: &str,
    ) -> Result<Self, WorldError> {
        let world_id =
            resolve
                .select_world(&[package], Some(world))
                .map_err(|e| WorldError::NoWorld {
                    world: world.to_string(),
                    message: format!("{e:#}"),
                })?;
        let mut this = Self {
            resolve: Arc::new(resolve),
            world: world_id,
            imports: BTreeMap::new(),
            resources: BTreeMap::new(),
            exports: Vec::new(),
            needs: AbiNeeds::default(),
        };
        this.derive_imports()?;
        this.derive_exports()?;
        this.needs = AbiNeeds::of(
            &this.resolve,
            this.imports.values().map(|import| &import.func),
            this.exports.iter().map(|export| &export.func),
        );
        Ok(this)
    }

    fn derive_imports(&mut self) -> Result<(), WorldError> {
        let world = &self.resolve.worlds[self.world];
        for (key, item) in &world.imports {
            match item {
                WorldItem::Interface { id, .. } => {
                    let interface = &self.resolve.interfaces[*id];
                    for func in interface.functions.values() {
                        let import = derive_import(&self.resolve, Some(key), func)?;
                        self.imports
                            .insert((import.module.clone(), import.name.clone()), import);
                    }
                    for (name, &type_id) in &interface.types {
                        if !matches!(self.resolve.types[type_id].kind, TypeDefKind::Resource) {
                            continue;
                        }
                        let (module, drop_name) = self.resolve.wasm_import_name(
                            MANGLING,
                            WasmImport::ResourceIntrinsic {
                                interface: Some(key),
                                resource: type_id,
                                intrinsic: ResourceIntrinsic::ImportedDrop,
                            },
                        );
                        self.resources.insert(
                            (module.clone(), drop_name.clone()),
                            ImportResource {
                                module,
                                drop_name,
                                name: name.clone(),
                                type_id,
                            },
                        );
                    }
                }
                WorldItem::Function(func) => {
                    let import = derive_import(&self.resolve, None, func)?;
                    self.imports
                        .insert((import.module.clone(), import.name.clone()), import);
                }
                WorldItem::Type { id, .. } => {
                    if matches!(self.resolve.types[*id].kind, TypeDefKind::Resource) {
                        return Err(WorldError::Unsupported {
                            item: self.resolve.name_world_key(key),
                            reason: "resources imported at world level; put them in an interface",
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn derive_exports(&mut self) -> Result<(), WorldError> {
        let world = &self.resolve.worlds[self.world];
        for (key, item) in &world.exports {
            let WorldItem::Function(func) = item else {
                return Err(WorldError::Unsupported {
                    item: self.resolve.name_world_key(key),
                    reason: "only world-level functions can be exported for now",
                });
            };
            supported::check_function(&self.resolve, func)?;
            let name = self.resolve.wasm_export_name(
                MANGLING,
                WasmExport::Func {
                    interface: None,
                    func,
                    kind: WasmExportKind::Normal,
                },
            );
            let post_return = self.resolve.wasm_export_name(
                MANGLING,
                WasmExport::Func {
                    interface: None,
                    func,
                    kind: WasmExportKind::PostReturn,
                },
            );
            self.exports.push(ExportFunc {
                name,
                post_return,
                signature: self.resolve.wasm_signature(AbiVariant::GuestExport, func),
                func: func.clone(),
            });
        }
        Ok(())
    }

    /// The parsed WIT.
    pub fn resolve(&self) -> &Resolve {
        &self.resolve
    }

    /// The parsed WIT, shared.
    pub fn resolve_arc(&self) -> Arc<Resolve> {
        self.resolve.clone()
    }

    /// The selected world.
    pub fn world_id(&self) -> WorldId {
        self.world
    }

    /// Every function the guest may import, by core module and name.
    pub fn imports(&self) -> impl Iterator<Item = &ImportFunc> {
        self.imports.values()
    }

    /// The import `module`/`name`, if the world has it.
    pub fn import(&self, module: &str, name: &str) -> Option<&ImportFunc> {
        self.imports.get(&(module.to_string(), name.to_string()))
    }

    /// The core module of the imported interface `name`, so that hosts
    /// need not spell out package and version: its short WIT name
    /// (`patterns`), its short name with a version (`patterns@0.1.0`), or
    /// its full name (`slots:host/patterns@0.1.0`).
    ///
    /// A short name that several imported interfaces share (two versions
    /// of one interface, or interfaces of two packages) is ambiguous: the
    /// error lists them all.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::{GuestWorld, WorldError};
    ///
    /// let world = GuestWorld::from_str(
    ///     "package demo:app@1.0.0;
    ///      package demo:log@1.0.0 { interface sink { write: func(line: string); } }
    ///      package demo:log@2.0.0 { interface sink { write: func(line: string, level: u8); } }
    ///      world guest { import demo:log/sink@1.0.0; import demo:log/sink@2.0.0; }",
    ///     "guest",
    /// )?;
    /// assert_eq!(world.interface_module("sink@2.0.0")?, "demo:log/sink@2.0.0");
    /// assert!(matches!(world.interface_module("sink"), Err(WorldError::Ambiguous { .. })));
    /// # Ok::<(), WorldError>(())
    /// ```
    pub fn interface_module(&self, name: &str) -> Result<String, WorldError> {
        let world = &self.resolve.worlds[self.world];
        let (short, version) = Self::split_version(name);
        let candidates: Vec<String> = world
            .imports
            .keys()
            .filter_map(|key| {
                let full = self.resolve.name_world_key(key);
                let found = match key {
                    WorldKey::Interface(id) => {
                        let (base, full_version) = Self::split_version(&full);
                        let short_name = self.resolve.interfaces[*id].name.as_deref();
                        full == name
                            || ((short_name == Some(short) || base == short)
                                && version.is_none_or(|v| full_version == Some(v)))
                    }
                    WorldKey::Name(n) => n == name,
                };
                found.then_some(full)
            })
            .collect();
        match <[String; 1]>::try_from(candidates) {
            Ok([module]) => Ok(module),
            Err(candidates) if candidates.is_empty() => {
                Err(WorldError::NoInterface { name: name.into() })
            }
            Err(candidates) => Err(WorldError::Ambiguous {
                name: name.into(),
                candidates,
            }),
        }
    }

    /// Whether a guest of this world must export `memory`: some value
    /// crosses through linear memory (a string or list, spilled
    /// parameters, a result behind a return pointer). A world of scalars
    /// and handles only needs none.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::GuestWorld;
    ///
    /// let scalars = GuestWorld::from_str(
    ///     "package demo:n@1.0.0; interface api { add: func(a: u32, b: u32) -> u32; }
    ///      world guest { import api; export run: func() -> u32; }",
    ///     "guest",
    /// )?;
    /// assert!(!scalars.needs_memory() && !scalars.needs_realloc());
    ///
    /// let strings = GuestWorld::from_str(
    ///     "package demo:s@1.0.0; interface api { name: func() -> string; }
    ///      world guest { import api; }",
    ///     "guest",
    /// )?;
    /// assert!(strings.needs_memory() && strings.needs_realloc());
    /// # Ok::<(), host_wasmer::WorldError>(())
    /// ```
    pub fn needs_memory(&self) -> bool {
        self.needs.memory
    }

    /// Whether a guest of this world must export `cabi_realloc`: the host
    /// allocates in guest memory (a string or list in an import's result,
    /// in an export's parameters, or spilled export parameters).
    pub fn needs_realloc(&self) -> bool {
        self.needs.realloc
    }

    /// Every resource the guest may import.
    pub fn resources(&self) -> impl Iterator<Item = &ImportResource> {
        self.resources.values()
    }

    /// The resource whose drop import is `module`/`name`, if any.
    pub fn resource_drop(&self, module: &str, name: &str) -> Option<&ImportResource> {
        self.resources.get(&(module.to_string(), name.to_string()))
    }

    /// The resource called `name` imported through core module `module`.
    pub fn resource(&self, module: &str, name: &str) -> Option<&ImportResource> {
        self.resources
            .values()
            .find(|r| r.module == module && r.name == name)
    }

    /// Every function the guest must export.
    pub fn exports(&self) -> &[ExportFunc] {
        &self.exports
    }

    /// The export called `name`, if the world has it.
    pub fn export(&self, name: &str) -> Option<&ExportFunc> {
        self.exports.iter().find(|e| e.name == name)
    }

    /// The interface (`namespace:package/name`, no version) a core import
    /// module belongs to, and the version it names, if any.
    pub fn split_version(module: &str) -> (&str, Option<&str>) {
        match module.rsplit_once('@') {
            Some((name, version)) => (name, Some(version)),
            None => (module, None),
        }
    }

    /// The WIT name of the resource `type_id`, for messages.
    pub fn resource_name(&self, type_id: TypeId) -> &str {
        self.resolve.types[type_id]
            .name
            .as_deref()
            .unwrap_or("<anonymous>")
    }
}

fn derive_import(
    resolve: &Resolve,
    key: Option<&WorldKey>,
    func: &Function,
) -> Result<ImportFunc, WorldError> {
    supported::check_function(resolve, func)?;
    let (module, name) = resolve.wasm_import_name(
        MANGLING,
        WasmImport::Func {
            interface: key,
            func,
        },
    );
    Ok(ImportFunc {
        module,
        name,
        signature: resolve.wasm_signature(AbiVariant::GuestImport, func),
        func: func.clone(),
    })
}
