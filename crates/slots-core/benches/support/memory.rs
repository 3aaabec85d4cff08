//! Memory per live handle at 1,000,000 live handles, measured.
//!
//! Each structure is built in a child process of its own (the bench binary
//! run again with `SLOTS_BENCH_MEMORY_CASE` set), which reads its resident
//! set (`VmRSS` in `/proc/self/status`) before and after inserting the
//! million values and prints the difference per handle. A fresh process
//! keeps the allocator from handing back memory an earlier structure freed,
//! which would hide part of the cost. Objects behind an `Arc` are made
//! before the first reading, so only the table's own memory counts; owned
//! objects of a `ResourceTable` are boxed by the table, so their boxes
//! count. Linux only; elsewhere the figures read "n/a".

use std::hint::black_box;
use std::process::Command;
use std::sync::Arc;

use generational_arena::Arena;
use slotmap::{DefaultKey, SlotMap};
use slots_core::{RawHandle, Resource, ResourceTable, Shared, SlotTable};

/// Live handles in every structure measured.
pub(crate) const LIVE: u64 = 1_000_000;
const CASE_VAR: &str = "SLOTS_BENCH_MEMORY_CASE";

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

pub(crate) const CASES: [Case; 8] = [
    Case {
        name: "slots `SlotTable<u64>`",
        handle: size_of::<RawHandle>(),
        counts: "table",
    },
    Case {
        name: "slotmap `SlotMap<DefaultKey, u64>`",
        handle: size_of::<DefaultKey>(),
        counts: "table",
    },
    Case {
        name: "generational-arena `Arena<u64>`",
        handle: size_of::<generational_arena::Index>(),
        counts: "table",
    },
    Case {
        name: "slots `SlotTable<Arc<u64>>`",
        handle: size_of::<RawHandle>(),
        counts: "table",
    },
    Case {
        name: "slots `ResourceTable`, owned (`insert`)",
        handle: size_of::<RawHandle>(),
        counts: "table + one box per object",
    },
    Case {
        name: "slots `ResourceTable`, shared (`insert_shared`)",
        handle: size_of::<RawHandle>(),
        counts: "table",
    },
    Case {
        name: "slots `ResourceTable<u64>`, keyed (`open`)",
        handle: size_of::<RawHandle>(),
        counts: "table + key map",
    },
    Case {
        name: "slots `ResourceTable<String>`, keyed (`open`)",
        handle: size_of::<RawHandle>(),
        counts: "table + key map + key copies (16-byte keys)",
    },
];

/// When this process is a measuring child: runs its case, prints the
/// figure, and returns true.
pub(crate) fn run_child() -> bool {
    let Some(case) = std::env::var(CASE_VAR).ok().and_then(|c| c.parse().ok()) else {
        return false;
    };
    match measure(case) {
        Some(bytes) => println!("{bytes:.1}"),
        None => println!("n/a"),
    }
    true
}

/// Bytes per live handle of every case, each from a child process.
pub(crate) fn measure_all() -> Vec<String> {
    let Ok(exe) = std::env::current_exe() else {
        return vec!["n/a".into(); CASES.len()];
    };
    (0..CASES.len())
        .map(
            |case| match Command::new(&exe).env(CASE_VAR, case.to_string()).output() {
                Ok(out) if out.status.success() => {
                    String::from_utf8_lossy(&out.stdout).trim().to_string()
                }
                _ => "failed".to_string(),
            },
        )
        .collect()
}

/// Resident memory now, in bytes.
fn resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
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
    let before = resident()?;
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
    let after = resident();
    black_box(structure);
    after
}
