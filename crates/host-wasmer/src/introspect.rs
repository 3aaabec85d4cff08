//! The `introspect` interface every host built on host-wasmer can offer:
//! a guest reads its own counters.

use crate::{BindError, Counters, Ctx, HostError, Linker};

/// The WIT interface, without its version: `slots:host/introspect`.
pub const INTROSPECT_INTERFACE: &str = "slots:host/introspect";

/// Binds `snapshot: func() -> counters` of the world's `slots:host/introspect`
/// interface, whatever its version, to the calling instance's [`Counters`].
///
/// # Examples
///
/// ```
/// use host_wasmer::{GuestWorld, HostConfig, Linker, SlotsHost, add_introspection};
///
/// let world = GuestWorld::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../wit"), "guest")?;
/// let mut linker = Linker::<()>::new(world, SlotsHost::new(HostConfig::default()));
/// add_introspection(&mut linker)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn add_introspection<D: Send + 'static>(linker: &mut Linker<D>) -> Result<(), BindError> {
    let module = linker
        .world()
        .imports()
        .map(|import| import.module.clone())
        .find(|module| crate::GuestWorld::split_version(module).0 == INTROSPECT_INTERFACE)
        .ok_or_else(|| BindError::UnknownFunction {
            module: INTROSPECT_INTERFACE.into(),
            name: "snapshot".into(),
        })?;
    linker.func(&module, "snapshot", |cx: &mut Ctx<'_, D>| {
        Ok::<Counters, HostError>(cx.counters())
    })?;
    Ok(())
}
