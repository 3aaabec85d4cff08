//! Memory per live handle at 1,000,000 live handles, measured.
//!
//! Each structure is built in a child process of its own (the bench binary
//! run again with `SLOTS_BENCH_MEMORY_CASE` set, a
//! `slots_bench_support::memory::Probe`), which reads its resident set
//! before and after inserting the million values and reports the
//! difference per handle. A fresh process
//! keeps the allocator from handing back memory an earlier structure freed,
//! which would hide part of the cost. Objects behind an `Arc` are made
//! before the first reading, so only the table's own memory counts; owned
//! objects of a `ResourceTable` are boxed by the table, so their boxes
//! count. Linux only; elsewhere the figures read "n/a".

use std::hint::black_box;
use std::sync::Arc;

use generational_arena::Arena;
use slotmap::{DefaultKey, SlotMap};
use slots_bench_support::memory::{Probe, emit, resident_bytes};
use slots_core::{RawHandle, Resource, ResourceTable, Shared, SlotTable};

/// Live handles in every structure measured.
pub(crate) const LIVE: u64 = 1_000_000;
/// A child process measures the case this variable names.
const PROBE: Probe = Probe::new("SLOTS_BENCH_MEMORY_CASE");
/// The figure a child reports.
const BYTES_PER_HANDLE: &str = "bytes_per_handle";

/// A small object, as a host's resource might be.
struct Counter {
    _value: u64,
}

impl Resource for Counter {
    const NAME: &'static str = "counter";
}

/// One structure measured.
pub(crate) struct Case {
    pub(crate) name: &'static str,
    /// Bytes of the handle a caller keeps.
    pub(crate) handle: usize,
    /// What the figure includes.
    pub(crate) counts: &'static str,
}

impl Case {
    const fn new(name: &'static str, handle: usize, counts: &'static str) -> Self {
        Self {
            name,
            handle,
            counts,
        }
    }

    /// A slots structure: its handle is a `RawHandle`.
    const fn slots(name: &'static str, counts: &'static str) -> Self {
        Self::new(name, size_of::<RawHandle>(), counts)
    }
}

pub(crate) const CASES: [Case; 8] = [
    Case::slots("slots `SlotTable<u64>`", "table"),
    Case::new(
        "slotmap `SlotMap<DefaultKey, u64>`",
        size_of::<DefaultKey>(),
        "table",
    ),
    Case::new(
        "generational-arena `Arena<u64>`",
        size_of::<generational_arena::Index>(),
        "table",
    ),
    Case::slots("slots `SlotTable<Arc<u64>>`", "table"),
    Case::slots(
        "slots `ResourceTable`, owned (`insert`)",
        "table + one box per object",
    ),
    Case::slots("slots `ResourceTable`, shared (`insert_shared`)", "table"),
    Case::slots(
        "slots `ResourceTable<u64>`, keyed (`open`)",
        "table + key map",
    ),
    Case::slots(
        "slots `ResourceTable<String>`, keyed (`open`)",
        "table + key map + key copies (16-byte keys)",
    ),
];

/// When this process is a measuring child: runs its case, reports the
/// figure, and returns true.
pub(crate) fn run_child() -> bool {
    let Some(case) = PROBE.this_child() else {
        return false;
    };
    if let Some(bytes) = case.parse().ok().and_then(measure) {
        emit(BYTES_PER_HANDLE, bytes);
    }
    true
}

/// Bytes per live handle of every case, each from a child process, as
/// table cells.
pub(crate) fn measure_all() -> Vec<String> {
    (0..CASES.len())
        .map(|case| match PROBE.spawn(&case.to_string()) {
            Ok(figures) => figures
                .get(BYTES_PER_HANDLE)
                .map_or_else(|| "n/a".to_string(), |bytes| format!("{bytes:.1}")),
            Err(_) => "failed".to_string(),
        })
        .collect()
}

/// Builds case `case` and returns its resident bytes per live handle.
fn measure(case: usize) -> Option<f64> {
    let arcs: Vec<Arc<u64>> = match case {
        3 => (0..LIVE).map(Arc::new).collect(),
        _ => Vec::new(),
    };
    let shared: Vec<Arc<Shared<Counter>>> = match case {
        5..=7 => (0..LIVE)
            .map(|i| Shared::new(Counter { _value: i }))
            .collect(),
        _ => Vec::new(),
    };
    let keys: Vec<String> = match case {
        7 => (0..LIVE).map(|i| format!("pattern-{i:08}")).collect(),
        _ => Vec::new(),
    };
    let before = resident_bytes()?;
    let after = match case {
        0 => {
            let mut t = SlotTable::new();
            (0..LIVE).for_each(|i| {
                t.insert(i).unwrap();
            });
            settle(t)
        }
        1 => {
            let mut t = SlotMap::<DefaultKey, u64>::new();
            (0..LIVE).for_each(|i| {
                t.insert(i);
            });
            settle(t)
        }
        2 => {
            let mut t = Arena::new();
            (0..LIVE).for_each(|i| {
                t.insert(i);
            });
            settle(t)
        }
        3 => {
            let mut t = SlotTable::new();
            arcs.iter().for_each(|a| {
                t.insert(a.clone()).unwrap();
            });
            settle(t)
        }
        4 => {
            let mut t = ResourceTable::<u64>::new();
            (0..LIVE).for_each(|i| {
                t.insert(Counter { _value: i }).unwrap();
            });
            settle(t)
        }
        5 => {
            let mut t = ResourceTable::<u64>::new();
            shared.iter().for_each(|a| {
                t.insert_shared(a.clone()).unwrap();
            });
            settle(t)
        }
        6 => {
            let mut t = ResourceTable::<u64>::new();
            for (key, object) in (0..).zip(&shared) {
                t.open(key, |_| Ok::<_, ()>(object.clone())).unwrap();
            }
            settle(t)
        }
        _ => {
            let mut t = ResourceTable::<String>::new();
            for (key, object) in keys.iter().zip(&shared) {
                t.open(key.clone(), |_| Ok::<_, ()>(object.clone()))
                    .unwrap();
            }
            settle(t)
        }
    }?;
    black_box((arcs, shared, keys));
    Some(after.saturating_sub(before) as f64 / LIVE as f64)
}

/// The resident set with `structure` built, which stays alive until read.
fn settle<T>(structure: T) -> Option<u64> {
    let after = resident_bytes();
    black_box(structure);
    after
}
