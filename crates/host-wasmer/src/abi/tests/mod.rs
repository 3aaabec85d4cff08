//! Tests of the canonical ABI: fixed shapes, errors, round-trip properties
//! and a real Wasmer guest memory.

mod arbitrary;
mod bytes;
mod calls;
mod fast_path;
mod realloc;
mod roundtrip;
mod scalars;
mod sequences;
mod signatures;
mod variants;
mod wasmer_guest;

use wit_parser::{Function, Resolve, Type};

use super::Abi;

/// The result type of tests that use `?`.
pub(super) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// An [`Abi`] over one WIT interface `i` of package `test:abi`, which
/// declares `resource res` before `body`.
pub(super) struct Fixture {
    pub(super) abi: Abi,
    iface: wit_parser::InterfaceId,
}

impl Fixture {
    pub(super) fn new(body: &str) -> Result<Fixture, Box<dyn std::error::Error>> {
        let mut resolve = Resolve::default();
        let text = format!("package test:abi;\ninterface i {{\n  resource res;\n{body}\n}}\n");
        let pkg = resolve.push_str("test.wit", &text)?;
        let iface = *resolve.packages[pkg]
            .interfaces
            .get("i")
            .ok_or("no interface i")?;
        Ok(Fixture {
            abi: Abi::new(resolve),
            iface,
        })
    }

    /// The type called `name` in the interface.
    pub(super) fn ty(&self, name: &str) -> Result<Type, Box<dyn std::error::Error>> {
        let iface = &self.abi.resolve().interfaces[self.iface];
        Ok(Type::Id(*iface.types.get(name).ok_or("no such type")?))
    }

    /// The function called `name` in the interface.
    pub(super) fn func(&self, name: &str) -> Result<Function, Box<dyn std::error::Error>> {
        let iface = &self.abi.resolve().interfaces[self.iface];
        Ok(iface.functions.get(name).ok_or("no such function")?.clone())
    }

    /// The type of the first parameter of the function called `name`: a
    /// way to name anonymous types such as `list<u8>`.
    pub(super) fn param(&self, name: &str) -> Result<Type, Box<dyn std::error::Error>> {
        Ok(self.func(name)?.params.first().ok_or("no parameter")?.ty)
    }
}
