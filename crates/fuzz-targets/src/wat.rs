//! The guest `import_calls` drives: a core module, written from the world,
//! that imports every function of `slots:host` with its exact core
//! signature and exports one trampoline per import.

use host_wasmer::GuestWorld;
use host_wasmer::abi::core_type;
use wasmer::Type;
use wit_parser::abi::WasmType;

/// One import the guest can call, by the index of its trampoline.
#[derive(Clone, Debug)]
pub(crate) struct Callable {
    /// Its core parameter types.
    pub(crate) params: Vec<Type>,
}

/// The guest's WAT and the imports it can call, trampoline `call{i}` for
/// `callables[i]`.
///
/// Its `cabi_realloc` is a bump allocator over the second half of its one
/// page of memory that misbehaves as the global `mode` says: 0 allocates
/// (wrapping back to the start of the heap when full), 1 returns null, 2 a
/// pointer past the end of memory, 3 a misaligned pointer, 4 traps.
pub(crate) fn guest(world: &GuestWorld) -> (String, Vec<Callable>) {
    let mut imports = String::new();
    let mut exports = String::new();
    let mut callables = Vec::new();
    let mut functions: Vec<(String, String, Vec<Type>, Vec<Type>)> = world
        .imports()
        .map(|import| {
            let core = |t: &WasmType| core_type(*t);
            (
                import.module.clone(),
                import.name.clone(),
                import.signature.params.iter().map(core).collect(),
                import.signature.results.iter().map(core).collect(),
            )
        })
        .collect();
    functions.extend(world.resources().map(|resource| {
        (
            resource.module.clone(),
            resource.drop_name.clone(),
            vec![Type::I32],
            Vec::new(),
        )
    }));
    functions.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (i, (module, name, params, results)) in functions.into_iter().enumerate() {
        let signature = signature(&params, &results);
        imports.push_str(&format!(
            "  (import \"{module}\" \"{name}\" (func $f{i} {signature}))\n"
        ));
        let args: String = (0..params.len())
            .map(|p| format!(" (local.get {p})"))
            .collect();
        exports.push_str(&format!(
            "  (func (export \"call{i}\") {signature} (call $f{i}{args}))\n"
        ));
        callables.push(Callable { params });
    }
    let wat = format!("(module\n{imports}{PRELUDE}{exports})");
    (wat, callables)
}

/// Memory, `cabi_realloc` and its mode.
const PRELUDE: &str = r#"
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 32768))
  (global $mode (export "mode") (mut i32) (i32.const 0))
  ;; The world's export: `ok`, from a zeroed area that nothing else uses.
  (func (export "run") (result i32) (i32.const 16))
  (func (export "cabi_realloc") (param $old i32) (param $old_len i32) (param $align i32) (param $len i32) (result i32)
    (local $ptr i32)
    (if (i32.eq (global.get $mode) (i32.const 1)) (then (return (i32.const 0))))
    (if (i32.eq (global.get $mode) (i32.const 2)) (then (return (i32.const 0x7fff0000))))
    (if (i32.eq (global.get $mode) (i32.const 4)) (then unreachable))
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (if (i32.gt_u (i32.add (local.get $ptr) (local.get $len)) (i32.const 65536))
      (then (local.set $ptr (i32.const 32768))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $len)))
    (if (i32.eq (global.get $mode) (i32.const 3)) (then (return (i32.add (local.get $ptr) (i32.const 1)))))
    (local.get $ptr))
"#;

fn signature(params: &[Type], results: &[Type]) -> String {
    let list = |kind: &str, types: &[Type]| {
        if types.is_empty() {
            return String::new();
        }
        let names: Vec<&str> = types.iter().map(|t| wat_name(*t)).collect();
        format!("({kind} {}) ", names.join(" "))
    };
    format!("{}{}", list("param", params), list("result", results))
}

fn wat_name(t: Type) -> &'static str {
    match t {
        Type::I64 => "i64",
        Type::F32 => "f32",
        Type::F64 => "f64",
        _ => "i32",
    }
}
