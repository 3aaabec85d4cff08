//! `lift_lower`: the differential fuzz target's body. The fuzzer's bytes
//! choose one of [`TYPES`] WIT types and a value of it, and the value
//! crosses host-wasmer and wasmtime ([`crate::differential`]); any
//! difference is a panic, the crash the fuzzer reports.
//!
//! Compiling a type on both runtimes costs tens of milliseconds under the
//! fuzzer's instrumentation, crossing a value far less: with a type read
//! from the input's bytes, nearly every mutation of a short input was a new
//! type, and the target ran 23 inputs a second. So the types are a fixed
//! set made by the differential test's generator from seeds 0 to
//! `TYPES - 1` (the test's own 200 among them), each compiled once per
//! thread, when first chosen; the first two bytes choose the seed and the
//! rest are the value ([`Bytes`]), so libFuzzer's coverage guidance works
//! on the values, where the lifting and lowering code branches, and on
//! the choice of type.

// A difference is reported by panicking, by design: it is the finding.
#![allow(clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;

use crate::differential::{Case, Compiled, Engines};
use crate::random_types::{Bytes, Defs, Rng, Source, Ty, ty, value};

/// The types inputs choose from: seeds `0..TYPES` of the generator.
pub const TYPES: u64 = 512;

/// What a thread's inputs have cost so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Inputs run.
    pub inputs: u64,
    /// Inputs whose type had to be compiled.
    pub compiled: u64,
    /// Bytes of guest memory the hosts wrote and were compared.
    pub compared: u64,
}

struct Cache {
    engines: Engines,
    /// By seed: the type, and its case compiled on both hosts.
    types: Vec<Option<(Ty, Rc<Compiled>)>>,
    stats: Stats,
}

thread_local! {
    static CACHE: RefCell<Option<Cache>> = const { RefCell::new(None) };
}

/// The type of seed `seed`, as the differential test makes it.
pub fn seeded_type(seed: u64) -> (Ty, Defs) {
    let mut rng = Rng::new(seed);
    let mut defs = Defs::default();
    let ty = ty(&mut rng, 1 + (seed % 3) as u32, &mut defs);
    (ty, defs)
}

/// Crosses the value `data` describes, of the type it chooses, through
/// both hosts; panics if they differ in any way, or if either fails.
///
/// # Examples
///
/// ```
/// // Any bytes at all choose a type and make a value of it.
/// slots_conformance::lift_lower(&[]);
/// slots_conformance::lift_lower(&[7, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
/// ```
pub fn lift_lower(data: &[u8]) {
    let mut bytes = Bytes::new(data);
    let seed = bytes.below(TYPES);
    CACHE.with_borrow_mut(|slot| {
        let cache = slot.get_or_insert_with(|| Cache {
            engines: Engines::new(),
            types: (0..TYPES).map(|_| None).collect(),
            stats: Stats::default(),
        });
        cache.stats.inputs += 1;
        let Some(entry) = cache.types.get_mut(seed as usize) else {
            panic!("seed {seed} is past the {TYPES} types");
        };
        let (ty, compiled) = match entry {
            Some((ty, compiled)) => (ty.clone(), compiled.clone()),
            None => {
                let (ty, defs) = seeded_type(seed);
                let wit = Case::wit(&ty, &defs);
                let case = Case::new(wit.clone())
                    .unwrap_or_else(|e| panic!("the case does not build: {e:?}\n{wit}"));
                let compiled = Rc::new(
                    Compiled::new(&cache.engines, &case)
                        .unwrap_or_else(|e| panic!("the case does not compile: {e:?}\n{wit}")),
                );
                *entry = Some((ty.clone(), compiled.clone()));
                cache.stats.compiled += 1;
                (ty, compiled)
            }
        };
        let value = value(&mut bytes, &ty);
        match compiled.cross(&cache.engines, &value) {
            Ok(bytes) => cache.stats.compared += bytes as u64,
            Err(difference) => panic!(
                "{difference}\nseed {seed}, value {:?}\n{}",
                value.wasmer,
                compiled.wit()
            ),
        }
    });
}

/// What this thread's calls of [`lift_lower()`] have cost so far.
pub fn stats() -> Stats {
    CACHE.with_borrow(|slot| slot.as_ref().map(|c| c.stats).unwrap_or_default())
}
