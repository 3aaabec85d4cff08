//! `import_calls`: random calls of every `slots:host` import, with random
//! core arguments and guest memory, against the generated bindings of the
//! world (`slots_host::generated`) on Wasmer.

use std::sync::{Arc, OnceLock};

use arbitrary::Arbitrary;
use host_wasmer::{GuestTrap, HostConfig, HostError, SharedHost};
use slots_core::{GrantLimits, TableLimits};
use slots_host::generated::Guest;
use slots_host::{HostData, world};
use wasmer::{Engine, Function, Module, Store, Type, Value};

use crate::wat::{Callable, guest};

/// Calls one input may make.
const MAX_STEPS: usize = 64;

/// What every input of a process shares: the compiled guest and what
/// each of its imports takes. Parsing the world and compiling the guest
/// cost more than a whole input's calls, so they are done once.
struct Fixture {
    engine: Engine,
    module: Module,
    callables: Vec<Callable>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let world = world().expect("the slots:host world loads");
        let (wat, callables) = guest(&world);
        let engine = Engine::default();
        let bytes = wat::parse_str(&wat).expect("the generated guest is valid WAT");
        let module = Module::new(&engine, bytes).expect("the generated guest compiles");
        Fixture {
            engine,
            module,
            callables,
        }
    })
}

/// A host of its own for one input, so that no input sees another's
/// cached objects or outstanding grants.
fn host() -> Arc<SharedHost> {
    SharedHost::new(HostConfig {
        table: TableLimits::new(64).expect("a valid limit"),
        lift_limit: 1 << 20,
        grants: GrantLimits {
            max_outstanding: 32,
            max_per_issuer: 16,
            ..GrantLimits::default()
        },
        ..HostConfig::default()
    })
}

/// One call: which import, the `cabi_realloc` mode, bytes to write into
/// guest memory first, and the raw material of the core arguments.
#[derive(Arbitrary, Debug)]
struct Step {
    import: u8,
    mode: u8,
    write: Option<(u16, Vec<u8>)>,
    args: Vec<Arg>,
}

/// How to make one core argument.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Arg {
    /// A small number: a length, a flag word, a discriminant.
    Small(u8),
    /// A handle the guest was given, or one that looks like a handle.
    Handle(u8),
    /// A pointer into guest memory.
    Pointer(u16),
    /// Any bits at all.
    Raw(u64),
    /// 0 or `u32::MAX`, the values no table issues.
    Reserved(bool),
}

/// What one input did: calls made, and how many trapped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Calls {
    /// Import calls made.
    pub made: usize,
    /// Calls that trapped (a bad handle, pointer, string, ...).
    pub trapped: usize,
}

/// Runs the calls `data` describes against a fresh host and instance;
/// panics if the host panics, or if the host's accounts do not balance
/// once the instance is gone.
pub fn import_calls(data: &[u8]) -> Calls {
    let mut calls = Calls::default();
    let steps = crate::steps::<Step>(data, MAX_STEPS);
    let fixture = fixture();
    let host = host();
    let mut store = Store::new(fixture.engine.clone());
    let data = HostData::default();
    data.mailbox.open("fuzz");
    data.mailbox.open("other");
    // The world's imports alone (`Guest::add_to_imports`), then
    // `Guest::instantiate`, which finds the guest's `run` export.
    let guest = Guest::new(&mut store, &fixture.module, data, host.clone(), "fuzz")
        .expect("the generated guest instantiates");
    let instance = guest.instance();
    assert_eq!(
        host.totals().instances,
        1,
        "the input's own host runs its instance"
    );
    let exports = &instance.wasmer().exports;
    let memory = exports.get_memory("memory").expect("memory").clone();
    let mode = exports.get_global("mode").expect("mode").clone();
    let mut current_mode = 0;
    let mut trampolines: Vec<Option<Function>> = vec![None; fixture.callables.len()];
    let mut handles: Vec<i32> = Vec::new();

    for step in steps {
        let index = usize::from(step.import) % fixture.callables.len();
        let (Some(callable), Some(trampoline)) =
            (fixture.callables.get(index), trampolines.get_mut(index))
        else {
            continue;
        };
        if let Some((offset, bytes)) = &step.write {
            // A write past the end is simply not made.
            let _ = memory.view(&store).write(u64::from(*offset), bytes);
        }
        let next_mode = i32::from(step.mode).checked_sub(250).unwrap_or(0).max(0);
        if next_mode != current_mode {
            mode.set(&mut store, Value::I32(next_mode))
                .expect("the mode is a mutable i32");
            current_mode = next_mode;
        }
        let args = arguments(&callable.params, &step.args, &handles);
        let function = trampoline.get_or_insert_with(|| {
            exports
                .get_function(&format!("call{index}"))
                .expect("a trampoline per import")
                .clone()
        });
        // A trap is a fine outcome; a panic is not, and fails the target.
        // host-wasmer turns a host function's panic into a trap (so that
        // it cannot unwind through the guest): that trap is a finding too.
        calls.made += 1;
        match function.call(&mut store, &args) {
            Ok(results) => {
                if let [Value::I32(handle)] = results[..] {
                    handles.push(handle);
                }
            }
            Err(error) => {
                if let Some(trap) = error.downcast_ref::<GuestTrap>()
                    && let HostError::Panicked { .. } = trap.error
                {
                    panic!("a host function panicked: {trap}");
                }
                calls.trapped += 1;
            }
        }
    }

    instance
        .teardown(&mut store)
        .expect("the instance is torn down in its own store");
    drop(store);
    let totals = host.totals();
    assert_eq!(totals.instances, 0, "the instance is gone");
    assert_eq!(totals.leaked(), 0, "every handle reference was released");
    calls
}

/// Core arguments of types `params`, made from `args` (cycled), with
/// handles drawn from those the guest was given.
fn arguments(params: &[Type], args: &[Arg], handles: &[i32]) -> Vec<Value> {
    params
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            let arg = match args {
                [] => Arg::Small(0),
                _ => args[i % args.len()],
            };
            let bits: u64 = match arg {
                Arg::Small(n) => u64::from(n),
                Arg::Handle(k) if !handles.is_empty() => {
                    handles[usize::from(k) % handles.len()] as u32 as u64
                }
                // Generation 1, a low index: what the first handles are.
                Arg::Handle(k) => 0x0010_0000 | u64::from(k % 8),
                Arg::Pointer(p) => u64::from(p),
                Arg::Raw(bits) => bits,
                Arg::Reserved(max) => u64::from(if max { u32::MAX } else { 0 }),
            };
            match ty {
                Type::I64 => Value::I64(bits as i64),
                Type::F32 => Value::F32(f32::from_bits(bits as u32)),
                Type::F64 => Value::F64(f64::from_bits(bits)),
                _ => Value::I32(bits as u32 as i32),
            }
        })
        .collect()
}
