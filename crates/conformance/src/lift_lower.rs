//! `lift_lower`: the differential fuzz target's body. The fuzzer's bytes
//! choose a WIT type and a value of it ([`crate::random_types`], read from
//! [`Bytes`]), and the value crosses host-wasmer and wasmtime
//! ([`crate::differential`]); any difference is a panic, the crash the
//! fuzzer reports.
//!
//! Compiling a case on both runtimes costs milliseconds, crossing a value
//! tens of microseconds. So compiled cases are kept per thread, keyed by
//! their WIT: the type is read from the front of the input, and most of
//! libFuzzer's mutations change the value behind it, which finds its case
//! compiled. The cache is bounded ([`MAX_CACHED`] cases, then emptied):
//! a case is a few hundred KiB of code on each runtime.

// A difference is reported by panicking, by design: it is the finding.
#![allow(clippy::panic)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::differential::{Case, Compiled, Engines};
use crate::random_types::{Bytes, Defs, Source, ty, value};

/// Compiled cases a thread keeps before it starts again.
pub const MAX_CACHED: usize = 512;

/// The deepest type an input may ask for.
pub const MAX_DEPTH: u64 = 3;

/// What a thread's inputs have cost so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Inputs run.
    pub inputs: u64,
    /// Inputs whose case had to be compiled.
    pub compiled: u64,
    /// Bytes of guest memory the hosts wrote and were compared.
    pub compared: u64,
}

struct Cache {
    engines: Engines,
    cases: HashMap<String, Rc<Compiled>>,
    stats: Stats,
}

thread_local! {
    static CACHE: RefCell<Option<Cache>> = const { RefCell::new(None) };
}

/// Crosses the value `data` describes, of the type it describes, through
/// both hosts; panics if they differ in any way, or if either fails.
///
/// # Examples
///
/// ```
/// // Any bytes at all make a type and a value; the empty input is `bool`.
/// slots_conformance::lift_lower(&[]);
/// slots_conformance::lift_lower(&[2, 16, 1, 2, 3, 4, 5, 6, 7, 8]);
/// ```
pub fn lift_lower(data: &[u8]) {
    let mut bytes = Bytes::new(data);
    let depth = 1 + bytes.below(MAX_DEPTH) as u32;
    let mut defs = Defs::default();
    let ty = ty(&mut bytes, depth, &mut defs);
    let value = value(&mut bytes, &ty);
    let wit = Case::wit(&ty, &defs);
    CACHE.with_borrow_mut(|slot| {
        let cache = slot.get_or_insert_with(|| Cache {
            engines: Engines::new(),
            cases: HashMap::new(),
            stats: Stats::default(),
        });
        cache.stats.inputs += 1;
        let compiled = match cache.cases.get(&wit) {
            Some(compiled) => compiled.clone(),
            None => {
                let case = Case::new(wit.clone())
                    .unwrap_or_else(|e| panic!("the case does not build: {e:?}\n{wit}"));
                let compiled = Compiled::new(&cache.engines, &case)
                    .unwrap_or_else(|e| panic!("the case does not compile: {e:?}\n{wit}"));
                if cache.cases.len() >= MAX_CACHED {
                    cache.cases.clear();
                }
                let compiled = Rc::new(compiled);
                cache.cases.insert(wit.clone(), compiled.clone());
                cache.stats.compiled += 1;
                compiled
            }
        };
        match compiled.cross(&cache.engines, &value) {
            Ok(bytes) => cache.stats.compared += bytes as u64,
            Err(difference) => panic!("{difference}\nvalue {:?}\n{wit}", value.wasmer),
        }
    });
}

/// What this thread's calls of [`lift_lower`] have cost so far.
pub fn stats() -> Stats {
    CACHE.with_borrow(|slot| slot.as_ref().map(|c| c.stats).unwrap_or_default())
}
