//! Core module to component, with wit-component.

use anyhow::Context;

/// The component of the core module `core`: wit-component reads the world
/// from the module's `component-type` custom section (wit-bindgen puts it
/// there) and wraps the module in it, validating the result.
pub fn componentize(core: &[u8]) -> anyhow::Result<Vec<u8>> {
    wit_component::ComponentEncoder::default()
        .module(core)
        .context("reading the core module and its world")?
        .validate(true)
        .encode()
        .context("encoding the component")
}
