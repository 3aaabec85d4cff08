//! Errors of host-wasmer: binding, instantiating, calling, and the traps a
//! guest's mistakes become.

use slots_core::{HandleError, InsertError, Resource};

use crate::abi::AbiError;
use crate::plural::count;
use crate::validate::ValidationError;

/// Why a host function failed. Wasmer turns it into a trap of the guest,
/// naming the import ([`GuestTrap`]); the host and other instances go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// A handle the guest passed is not a live handle of the expected type.
    #[error("bad `{resource}` handle: {error}")]
    BadHandle {
        /// The resource type the function expected.
        resource: &'static str,
        /// What is wrong with the handle.
        error: HandleError,
    },
    /// The guest passed one handle both as a `borrow` and as an `own` in
    /// the same call: the object cannot be given away while it is lent.
    #[error("`own` `{resource}` handle {handle} is also lent to this call as a `borrow`")]
    Lent {
        /// The resource type of the handle.
        resource: &'static str,
        /// The handle as passed.
        handle: slots_core::RawHandle,
    },
    /// A handle parameter names a resource no Rust type was bound to
    /// ([`Linker::resource`](crate::Linker::resource)), so no handle the
    /// guest holds can be one of it.
    #[error("no Rust type is bound to resource `{resource}`")]
    Unbound {
        /// The resource's WIT name.
        resource: String,
    },
    /// A dynamic host function asked for an `own` handle the guest did not
    /// give it in this call ([`Ctx::take_own`](crate::Ctx::take_own)).
    #[error("no `own` `{resource}` handle {bits:#010x} was passed to this call")]
    NotPassed {
        /// The resource type asked for.
        resource: &'static str,
        /// The bits asked for.
        bits: u32,
    },
    /// The guest's handle table is full.
    #[error("cannot give out a `{resource}` handle: {error}")]
    Quota {
        /// The resource type of the refused handle.
        resource: &'static str,
        /// The limit that refused it.
        error: InsertError,
    },
    /// Lifting arguments from, or lowering results into, guest memory failed.
    #[error(transparent)]
    Abi(#[from] AbiError),
    /// The guest called into the host while a host function was running
    /// (from its `cabi_realloc`), which the canonical ABI forbids.
    #[error("re-entrant call: the guest called the host while a host function was running")]
    Reentrant,
    /// The guest called an import before its instance had finished
    /// instantiating (from a start function).
    #[error("the guest called an import before instantiation finished")]
    NotReady,
    /// The guest called an import of an instance the host had torn down.
    #[error("the instance was torn down")]
    TornDown,
    /// The embedder's host function panicked. The panic was caught at the
    /// host-call boundary, so it cannot unwind through the guest; the
    /// instance is poisoned, since the panic may have left its state
    /// half-changed.
    #[error("the host function panicked: {message}")]
    Panicked {
        /// The panic's message, when it had one.
        message: String,
    },
    /// The host used an instance with a Wasmer `Store` it does not belong
    /// to.
    #[error("the instance was used with a `Store` it does not belong to")]
    WrongStore,
    /// A value did not have the shape its Rust type needs: a host bug, since
    /// values are checked against the WIT types first.
    #[error("host bug: a `{found}` value cannot become `{rust}`")]
    Shape {
        /// The Rust type wanted.
        rust: &'static str,
        /// What the value was.
        found: &'static str,
    },
    /// The host function's own failure.
    #[error("{0}")]
    Failed(String),
}

impl HostError {
    /// A bad handle of resource type `T`.
    pub fn handle<T: Resource>(error: HandleError) -> Self {
        Self::BadHandle {
            resource: T::NAME,
            error,
        }
    }

    /// A host function's own failure, with a message for the trap.
    pub fn msg(message: impl Into<String>) -> Self {
        Self::Failed(message.into())
    }

    /// The handle error, when a handle was bad.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::HostError;
    /// use slots_core::{HandleError, Resource};
    ///
    /// struct Bucket;
    /// impl Resource for Bucket {
    ///     const NAME: &'static str = "bucket";
    /// }
    ///
    /// let error = HostError::handle::<Bucket>(HandleError::Reserved { bits: 0 });
    /// assert_eq!(error.resource(), Some("bucket"));
    /// assert!(matches!(error.handle_error(), Some(HandleError::Reserved { bits: 0 })));
    /// ```
    pub fn handle_error(&self) -> Option<&HandleError> {
        match self {
            Self::BadHandle { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The resource type the error is about, where it is about one.
    pub fn resource(&self) -> Option<&str> {
        match self {
            Self::BadHandle { resource, .. }
            | Self::Lent { resource, .. }
            | Self::Quota { resource, .. }
            | Self::NotPassed { resource, .. } => Some(resource),
            Self::Unbound { resource } => Some(resource),
            _ => None,
        }
    }

    /// The handle's bits, where the error is about one handle.
    pub fn handle_bits(&self) -> Option<u32> {
        match self {
            Self::BadHandle { error, .. } => Some(error.bits()),
            Self::Lent { handle, .. } => Some(handle.to_bits()),
            Self::NotPassed { bits, .. } => Some(*bits),
            _ => None,
        }
    }
}

/// Why a call into a guest trapped.
#[derive(Debug)]
#[non_exhaustive]
pub enum TrapKind {
    /// A host function of this host refused the guest's call: the trap
    /// names the import, and its [`HostError`] says why (a bad handle
    /// names the resource type and the handle).
    Host(Box<GuestTrap>),
    /// The guest's own code trapped: `unreachable`, an access out of
    /// bounds, a stack overflow, ...
    Wasm(wasmer_types::TrapCode),
    /// Another failure: an import that is not this host's returned an
    /// error, say. The trap's message says what.
    Other,
}

impl TrapKind {
    /// The host function's trap, when a host function caused it.
    pub fn host(&self) -> Option<&GuestTrap> {
        match self {
            Self::Host(trap) => Some(trap.as_ref()),
            _ => None,
        }
    }
}

/// The trap a guest gets when a host function fails: which import, and why.
#[derive(Debug, thiserror::Error)]
#[error("`{import}`: {error}")]
pub struct GuestTrap {
    /// The import, as `module#name`.
    pub import: String,
    /// Why it failed.
    pub error: HostError,
}

/// A closure could not be bound to a WIT function.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BindError {
    /// The world imports no such function.
    #[error("the world imports no function `{module}#{name}`")]
    UnknownFunction {
        /// Core import module.
        module: String,
        /// Core import name.
        name: String,
    },
    /// The import is bound already: each import has one host function.
    #[error("`{module}#{name}` is bound already")]
    AlreadyBound {
        /// Core import module.
        module: String,
        /// Core import name.
        name: String,
    },
    /// The world imports no such resource.
    #[error("the world imports no resource `{name}` from `{module}`")]
    UnknownResource {
        /// Core import module.
        module: String,
        /// WIT resource name.
        name: String,
    },
    /// The Rust type's `Resource::NAME` differs from the WIT name.
    #[error(
        "resource `{wit}` is bound to a Rust type named `{rust}`; make `Resource::NAME` \"{wit}\""
    )]
    ResourceName {
        /// The WIT resource name.
        wit: String,
        /// The Rust type's `Resource::NAME`.
        rust: &'static str,
    },
    /// The closure takes another number of parameters than the function.
    #[error("function `{function}`: the WIT function takes {}, the closure {rust}", count(*.wit, "parameter"))]
    Arity {
        /// The WIT function.
        function: String,
        /// Its parameter count.
        wit: usize,
        /// The closure's.
        rust: usize,
    },
    /// A parameter or result type does not fit.
    #[error("function `{function}`, {position}: {mismatch}")]
    Type {
        /// The WIT function.
        function: String,
        /// Which parameter, or the result.
        position: String,
        /// The two types.
        mismatch: TypeMismatch,
    },
}

impl CallError {
    /// What caused the trap, when the call trapped.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::{CallError, TrapKind};
    ///
    /// fn was_stale(error: &CallError) -> bool {
    ///     let Some(TrapKind::Host(trap)) = error.trap_kind() else {
    ///         return false;
    ///     };
    ///     matches!(trap.error.handle_error(), Some(slots_core::HandleError::Stale { .. }))
    /// }
    /// # let _ = was_stale;
    /// ```
    pub fn trap_kind(&self) -> Option<&TrapKind> {
        match self {
            Self::Trap { kind, .. } => Some(kind),
            _ => None,
        }
    }
}

/// A guest could not be instantiated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstantiateError {
    /// The module does not fit the world; every problem is listed.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// Wasmer refused to instantiate it, or its start function trapped.
    #[error("instantiation failed: {0}")]
    Wasmer(String),
}

/// A call of a guest export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The world has no such export.
    #[error("the world exports no function `{0}`")]
    NoExport(String),
    /// Lowering the arguments or lifting the result failed.
    #[error("calling `{export}`: {error}")]
    Abi {
        /// The export.
        export: String,
        /// What went wrong.
        error: AbiError,
    },
    /// The guest trapped: a host function failed (the message names the
    /// import), or the guest itself hit `unreachable` or another fault.
    /// [`CallError::trap_kind`] tells which, without matching text.
    #[error("`{export}` trapped: {message}")]
    Trap {
        /// The export that was called.
        export: String,
        /// The trap's message.
        message: String,
        /// What caused the trap: a host function (its import and error),
        /// or the guest's own code.
        kind: TrapKind,
    },
    /// The instance was torn down ([`GuestInstance::teardown`]); it is not
    /// entered again.
    ///
    /// [`GuestInstance::teardown`]: crate::GuestInstance::teardown
    #[error("`{export}`: the instance was torn down")]
    TornDown {
        /// The export that was called.
        export: String,
    },
    /// The instance was called with a Wasmer `Store` it does not belong to.
    #[error("`{export}`: the instance was used with a `Store` it does not belong to")]
    WrongStore {
        /// The export that was called.
        export: String,
    },
    /// The instance trapped in an earlier call, which may have left its
    /// state half-changed, so it is not entered again (as the component
    /// model has it). Its handles stay until it is torn down.
    #[error("`{export}`: the instance trapped earlier and is not entered again")]
    Poisoned {
        /// The export that was called.
        export: String,
    },
}

/// A Rust type that does not fit a WIT type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("WIT type `{wit}` does not fit Rust type `{rust}`{}", .detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
pub struct TypeMismatch {
    /// The WIT type, as WIT spells it.
    pub wit: String,
    /// The Rust type.
    pub rust: &'static str,
    /// More about the mismatch, where there is more to say.
    pub detail: Option<String>,
}

impl CallError {
    /// The error of a call of `export` that trapped with `error`: a host
    /// function's [`GuestTrap`] keeps its kind, a Wasm trap its code.
    pub(crate) fn trapped(export: &str, error: wasmer::RuntimeError) -> Self {
        let message = error.message();
        let code = error.clone().to_trap();
        let kind = match error.downcast::<GuestTrap>() {
            Ok(trap) => TrapKind::Host(Box::new(trap)),
            Err(_) => code.map_or(TrapKind::Other, TrapKind::Wasm),
        };
        Self::Trap {
            export: export.into(),
            message,
            kind,
        }
    }
}
