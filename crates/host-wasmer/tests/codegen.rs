//! Codegen: `bindgen!` compiles for every WIT world in `tests/codegen/`
//! and for the project's own `wit/`.
//!
//! A new WIT shape is one new folder under `tests/codegen/` and one line in
//! `fixtures!` below; `every_fixture_is_compiled` fails until it is listed.

#![allow(clippy::unwrap_used, unreachable_pub)]
// The expansion holds in crates that deny missing docs.
#![deny(missing_docs)]

/// The embedder types the fixtures' resources map to.
pub mod host_types {
    use slots_core::Resource;

    macro_rules! resources {
        ($($name:ident = $wit:literal),* $(,)?) => {$(
            /// A host type for a fixture's resource.
            #[derive(Debug)]
            pub struct $name;
            impl Resource for $name {
                const NAME: &'static str = $wit;
            }
        )*};
    }

    resources!(Pattern = "pattern", Bucket = "bucket", Counter = "counter");
}

macro_rules! fixtures {
    ($($module:ident: $path:literal, $world:literal, { $($with:tt)* };)*) => {
        $(
            #[allow(dead_code)]
            #[doc = concat!("The bindings of `", $path, "`.")]
            pub mod $module {
                host_wasmer::bindgen!({
                    path: $path,
                    world: $world,
                    with: { $($with)* },
                });
            }
        )*

        const LISTED: &[&str] = &[$($path),*];
    };
}

fixtures! {
    slots_host: "../../wit", "guest", {
        "pattern": crate::host_types::Pattern,
        "bucket": crate::host_types::Bucket,
    };
    every_type: "tests/codegen/every-type", "everything", {
        "counter": crate::host_types::Counter,
    };
}

#[test]
fn every_fixture_is_compiled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/codegen");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let path = format!("tests/codegen/{name}");
        assert!(
            LISTED.contains(&path.as_str()),
            "fixture `{path}` is not listed in `fixtures!`"
        );
    }
}
