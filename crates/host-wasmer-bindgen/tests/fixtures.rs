//! The generator on every WIT fixture: the bindings it generates parse as
//! Rust, and the mistakes an embedder makes in `with` are errors that say
//! what to do.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use host_wasmer_bindgen::{Error, Options, generate};
use quote::quote;
use wit_parser::Resolve;

/// The fixtures: the project's `wit/` and every folder of host-wasmer's
/// `tests/codegen/`, with the world each is generated for and its
/// resources.
fn fixtures() -> Vec<(PathBuf, &'static str, Vec<&'static str>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut all = vec![(root.join("wit"), "guest", vec!["pattern", "bucket"])];
    for entry in std::fs::read_dir(root.join("crates/host-wasmer/tests/codegen")).unwrap() {
        let path = entry.unwrap().path();
        let (world, resources) = match path.file_name().and_then(|n| n.to_str()) {
            Some("every-type") => ("everything", vec!["counter"]),
            other => panic!("fixture {other:?} has no world listed here"),
        };
        all.push((path, world, resources));
    }
    all
}

fn options(resources: &[&str]) -> Options {
    let mut options = Options::default();
    for name in resources {
        options
            .with
            .insert((*name).to_string(), quote!(crate::Object));
    }
    options
}

fn load(path: &Path, world: &str) -> (Resolve, wit_parser::WorldId) {
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_path(path).unwrap();
    let world = resolve.select_world(&[package], Some(world)).unwrap();
    (resolve, world)
}

#[test]
fn bindings_for_every_fixture_parse_as_rust() {
    for (path, world, resources) in fixtures() {
        let (resolve, world) = load(&path, world);
        let code = generate(&resolve, world, &options(&resources))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file: syn::File = syn::parse2(code)
            .unwrap_or_else(|e| panic!("{}: generated code does not parse: {e}", path.display()));
        let text = prettyplease::unparse(&file);
        // `BINDGEN_DUMP=dir` writes each expansion there, to read it.
        if let Some(dir) = std::env::var_os("BINDGEN_DUMP") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            std::fs::write(Path::new(&dir).join(format!("{name}.rs")), &text).unwrap();
        }
        assert!(!text.is_empty());
    }
}

#[test]
fn a_resource_without_a_rust_type_is_an_error_naming_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit");
    let (resolve, world) = load(&root, "guest");
    let err = generate(&resolve, world, &options(&["pattern"])).unwrap_err();
    assert!(matches!(err, Error::MissingResource { .. }));
    assert!(
        err.to_string().contains("slots:host/buckets/bucket"),
        "{err}"
    );
}

#[test]
fn a_misspelled_with_key_is_an_error_listing_the_resources() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit");
    let (resolve, world) = load(&root, "guest");
    let err = generate(&resolve, world, &options(&["pattern", "bucket", "buckett"])).unwrap_err();
    assert!(matches!(err, Error::UnknownWith { .. }));
    assert!(err.to_string().contains("`buckett`"), "{err}");
    assert!(
        err.to_string().contains("slots:host/patterns/pattern"),
        "{err}"
    );
}

#[test]
fn what_bindgen_does_not_support_is_an_error_naming_it() {
    let mut resolve = Resolve::default();
    let pkg = resolve
        .push_str(
            "r.wit",
            "package demo:r;
             interface api {
                 resource thing;
                 record holder { t: thing }
                 keep: func(h: holder);
             }
             world w { import api; }",
        )
        .unwrap();
    let world = resolve.select_world(&[pkg], Some("w")).unwrap();
    let err = generate(&resolve, world, &options(&["thing"])).unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("`holder`"), "{err}");
}

#[test]
fn two_versions_of_one_package_get_a_module_each() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../host-wasmer/tests/codegen/every-type");
    let (resolve, world) = load(&root, "everything");
    let code = generate(&resolve, world, &options(&["counter"]))
        .unwrap()
        .to_string();
    assert!(
        code.contains("pub mod v1_0_0"),
        "the first version has a module"
    );
    assert!(
        code.contains("pub mod v2_0_0"),
        "the second version has a module"
    );
    // Packages with one version keep plain paths.
    assert!(code.contains("pub mod everything"));
    assert!(!code.contains("pub mod v1_0_0 { pub mod kinds"));
}

#[test]
fn borrowed_strings_arrive_as_str_and_an_unknown_key_is_an_error() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit");
    let (resolve, world) = load(&root, "guest");
    let mut opts = options(&["pattern", "bucket"]);
    opts.borrow_strings
        .insert("slots:host/patterns/pattern.open".into());
    let code = generate(&resolve, world, &opts).unwrap().to_string();
    assert!(code.contains("source : & str"), "open takes `&str`");
    assert!(
        code.contains("let mut s0 = :: host_wasmer :: bindings :: rt :: Scratch :: take ()")
            && code.contains("s0 . lift_flat (& mut cx , & mut flat)"),
        "the key is lifted into a buffer of the call's"
    );
    // Only the function named: the other string parameters stay `String`.
    assert!(code.contains("text : String"));

    // The WIT name and the world key with its version name it too.
    for key in [
        "patterns/[static]pattern.open",
        "slots:host/patterns@0.1.0/pattern.open",
    ] {
        let mut opts = options(&["pattern", "bucket"]);
        opts.borrow_strings.insert(key.into());
        let code = generate(&resolve, world, &opts).unwrap().to_string();
        assert!(code.contains("source : & str"), "{key}");
    }

    let mut opts = options(&["pattern", "bucket"]);
    opts.borrow_strings.insert("patterns/pattern.opne".into());
    let err = generate(&resolve, world, &opts).unwrap_err();
    assert!(matches!(err, Error::UnknownFunction { .. }), "{err}");
    assert!(err.to_string().contains("`patterns/pattern.opne`"), "{err}");
}
