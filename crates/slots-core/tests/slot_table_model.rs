//! `SlotTable` against a reference model, step by step: generational-arena's
//! `Arena` says what is live, and every handle the table issued maps to the
//! arena index of the same object.
//!
//! Transitions are weighted toward inserts, lookups and removals, with reuse
//! (remove, then insert into the freed slot), handles from the past, forged
//! bits near and far from issued handles, and the reserved values. Small
//! limits exercise the quota; the 2^30 limit (two generations a slot)
//! exercises retirement. After every step the table must agree with the
//! model on its length, its peak, every live handle's value, and every dead
//! handle's rejection as stale.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::{HashMap, HashSet};

use generational_arena::{Arena, Index as ArenaIndex};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use slots_core::{Handle, HandleError, InsertError, RawHandle, SlotTable, TableLimits};

prop_state_machine! {
    #![proptest_config(Config {
        cases: 256,
        max_shrink_iters: 4096,
        // Integration tests have no lib.rs beside them for proptest's
        // default to find; the path is relative to the crate.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/slot_table_model.txt",
        ))),
        .. Config::default()
    })]

    #[test]
    fn slot_table_agrees_with_the_arena_model(sequential 1..160 => SlotTableTest);
}

/// The reference: an arena holding what should be live.
#[derive(Clone, Debug)]
struct Model {
    limit: u32,
    arena: Arena<u64>,
    /// The arena index of the object of each successful insert, in order.
    issued: Vec<ArenaIndex>,
    /// The most objects live at once.
    peak: usize,
    /// The value the last successful removal returned.
    removed: Option<u64>,
}

impl Model {
    /// The arena index of the `k`-th insert. Transitions only name inserts
    /// made before them (see `preconditions`).
    fn issued(&self, k: usize) -> ArenaIndex {
        self.issued[k]
    }

    fn insert(&mut self, value: u64) {
        if (self.arena.len() as u32) < self.limit {
            self.issued.push(self.arena.insert(value));
            self.peak = self.peak.max(self.arena.len());
        }
    }
}

/// Handles are named by the ordinal of the insert that issued them, live
/// or long dead.
#[derive(Clone, Debug)]
enum Transition {
    Insert(u64),
    Get(usize),
    GetMut(usize, u64),
    Remove(usize),
    /// Remove the named handle's object, if live, and insert at once.
    Reuse(usize, u64),
    /// Any 32 bits.
    Forged(u32),
    /// Bits at a slot near those in use, at a generation near those issued.
    Near {
        slot: u32,
        generation: u32,
    },
    /// 0 or `u32::MAX`.
    Reserved(bool),
}

struct SlotTableModel;

impl ReferenceStateMachine for SlotTableModel {
    type State = Model;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<Model> {
        prop_oneof![
            1..=4u32,
            Just(8),
            Just(1 << 16),
            Just(TableLimits::DEFAULT_MAX_LIVE),
            Just(1 << 30),
        ]
        .prop_map(|limit| Model {
            limit,
            arena: Arena::new(),
            issued: Vec::new(),
            peak: 0,
            removed: None,
        })
        .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Transition> {
        let others = prop_oneof![
            5 => any::<u64>().prop_map(Transition::Insert),
            1 => any::<u32>().prop_map(Transition::Forged),
            2 => (0..12u32, prop_oneof![0..5u32, Just(u32::MAX)])
                .prop_map(|(slot, generation)| Transition::Near { slot, generation }),
            1 => any::<bool>().prop_map(Transition::Reserved),
        ];
        if state.issued.is_empty() {
            return others.boxed();
        }
        let k = 0..state.issued.len();
        prop_oneof![
            9 => others,
            4 => k.clone().prop_map(Transition::Get),
            2 => (k.clone(), any::<u64>()).prop_map(|(k, v)| Transition::GetMut(k, v)),
            4 => k.clone().prop_map(Transition::Remove),
            3 => (k, any::<u64>()).prop_map(|(k, v)| Transition::Reuse(k, v)),
        ]
        .boxed()
    }

    /// Shrinking drops transitions: a handle must still have been issued.
    fn preconditions(state: &Model, transition: &Transition) -> bool {
        match transition {
            Transition::Get(k)
            | Transition::GetMut(k, _)
            | Transition::Remove(k)
            | Transition::Reuse(k, _) => *k < state.issued.len(),
            _ => true,
        }
    }

    fn apply(mut state: Model, transition: &Transition) -> Model {
        state.removed = None;
        match transition {
            Transition::Insert(value) => state.insert(*value),
            Transition::GetMut(k, value) => {
                let at = state.issued(*k);
                if let Some(slot) = state.arena.get_mut(at) {
                    *slot = *value;
                }
            }
            Transition::Remove(k) => {
                let at = state.issued(*k);
                state.removed = state.arena.remove(at);
            }
            Transition::Reuse(k, value) => {
                let at = state.issued(*k);
                if let Some(removed) = state.arena.remove(at) {
                    state.removed = Some(removed);
                    state.insert(*value);
                }
            }
            Transition::Get(_)
            | Transition::Forged(_)
            | Transition::Near { .. }
            | Transition::Reserved(_) => {}
        }
        state
    }
}

/// The table under test, with every handle it issued.
struct Sut {
    table: SlotTable<u64>,
    /// The handle of each successful insert, in order, as in `Model::issued`.
    handles: Vec<Handle<u64>>,
    /// Our handle's bits to the arena index of the same object.
    arena_index: HashMap<u32, ArenaIndex>,
}

impl Sut {
    /// What the table must answer for `bits`, per the model.
    fn expected(&self, model: &Model, bits: u32) -> Result<u64, &'static str> {
        match self.arena_index.get(&bits) {
            Some(&at) => model.arena.get(at).copied().ok_or("stale"),
            None => Err("not found"),
        }
    }

    fn check_lookup(&mut self, model: &Model, raw: RawHandle) {
        let expected = self.expected(model, raw.to_bits());
        let got = self.table.get_raw(raw).copied();
        match (expected, &got) {
            (Ok(value), Ok(found)) => assert_eq!(*found, value),
            (Err("stale"), Err(HandleError::Stale { handle })) => assert_eq!(*handle, raw),
            (Err("not found"), Err(HandleError::NotFound { handle })) => {
                assert_eq!(*handle, raw);
            }
            (expected, got) => panic!("{raw}: expected {expected:?}, got {got:?}"),
        }
        // The mutable lookup agrees, and a removal of a dead handle changes
        // nothing.
        assert_eq!(self.table.get_raw_mut(raw).map(|v| *v), got.clone());
        if got.is_err() {
            let len = self.table.len();
            assert_eq!(self.table.remove_raw(raw).err(), got.err());
            assert_eq!(self.table.len(), len);
        }
    }

    fn record_insert(&mut self, model: &Model, result: Result<Handle<u64>, InsertError>) {
        if self.handles.len() < model.issued.len() {
            let handle = result.unwrap();
            let bits = handle.to_bits();
            assert!(bits != 0 && bits != u32::MAX);
            let at = model.issued[self.handles.len()];
            assert!(
                self.arena_index.insert(bits, at).is_none(),
                "{} issued twice",
                handle.raw()
            );
            self.handles.push(handle);
            assert_eq!(self.table.get(handle).copied(), Ok(model.arena[at]));
        } else {
            assert_eq!(
                result,
                Err(InsertError::QuotaExceeded { limit: model.limit })
            );
        }
    }
}

struct SlotTableTest;

impl StateMachineTest for SlotTableTest {
    type SystemUnderTest = Sut;
    type Reference = SlotTableModel;

    fn init_test(model: &Model) -> Sut {
        Sut {
            table: SlotTable::with_limits(TableLimits::new(model.limit).unwrap()),
            handles: Vec::new(),
            arena_index: HashMap::new(),
        }
    }

    fn apply(mut sut: Sut, model: &Model, transition: Transition) -> Sut {
        let layout = sut.table.layout();
        match transition {
            Transition::Insert(value) => {
                let result = sut.table.insert(value);
                sut.record_insert(model, result);
            }
            Transition::Get(k) => {
                let raw = sut.handles[k].raw();
                sut.check_lookup(model, raw);
            }
            Transition::GetMut(k, value) => {
                let handle = sut.handles[k];
                match sut.table.get_mut(handle) {
                    Ok(slot) => *slot = value,
                    Err(error) => {
                        assert!(model.arena.get(model.issued(k)).is_none());
                        assert_eq!(
                            error,
                            HandleError::Stale {
                                handle: handle.raw()
                            }
                        );
                    }
                }
            }
            Transition::Remove(k) => {
                let handle = sut.handles[k];
                match (sut.table.remove(handle), model.removed) {
                    (Ok(value), Some(expected)) => assert_eq!(value, expected),
                    (Err(HandleError::Stale { .. }), None) => {}
                    (got, expected) => panic!("remove {handle:?}: {got:?}, model {expected:?}"),
                }
            }
            Transition::Reuse(k, value) => {
                {
                    let old = sut.handles[k];
                    match (sut.table.remove(old), model.removed) {
                        (Ok(removed), Some(expected)) => {
                            assert_eq!(removed, expected);
                            let result = sut.table.insert(value);
                            sut.record_insert(model, result);
                            let new = sut.handles[sut.handles.len() - 1].raw();
                            let generation = layout.generation(old.raw());
                            if generation < layout.max_generation() {
                                // Last in, first out, one generation up.
                                assert_eq!(layout.index(new), layout.index(old.raw()));
                                assert_eq!(layout.generation(new), generation + 1);
                            } else {
                                // Retired: another slot.
                                assert_ne!(layout.index(new), layout.index(old.raw()));
                            }
                            assert!(matches!(sut.table.get(old), Err(HandleError::Stale { .. })));
                        }
                        (Err(HandleError::Stale { .. }), None) => {}
                        (got, expected) => panic!("reuse {old:?}: {got:?}, model {expected:?}"),
                    }
                }
            }
            Transition::Forged(bits) => match RawHandle::from_bits(bits) {
                Some(raw) => sut.check_lookup(model, raw),
                None => assert!(bits == 0 || bits == u32::MAX),
            },
            Transition::Near { slot, generation } => {
                let slot = slot & (layout.slot_count() - 1);
                let generation = generation.min((1 << layout.generation_bits()) - 1);
                let bits = (generation << layout.index_bits()) | slot;
                if let Some(raw) = RawHandle::from_bits(bits) {
                    sut.check_lookup(model, raw);
                }
            }
            Transition::Reserved(high) => {
                let bits = if high { u32::MAX } else { 0 };
                assert!(RawHandle::from_bits(bits).is_none());
            }
        }
        sut
    }

    fn check_invariants(sut: &Sut, model: &Model) {
        let table = &sut.table;
        assert_eq!(table.len(), model.arena.len());
        assert_eq!(table.is_empty(), model.arena.is_empty());
        let stats = table.stats();
        assert_eq!(stats.live as usize, model.arena.len());
        assert_eq!(stats.peak_live as usize, model.peak);
        assert_eq!(stats.inserted as usize, model.issued.len());
        assert_eq!(
            stats.removed as usize,
            model.issued.len() - model.arena.len()
        );
        for (&handle, &at) in sut.handles.iter().zip(&model.issued) {
            match model.arena.get(at) {
                Some(value) => assert_eq!(table.get(handle), Ok(value)),
                None => assert_eq!(
                    table.get(handle),
                    Err(HandleError::Stale {
                        handle: handle.raw()
                    })
                ),
            }
        }
        let mut listed: Vec<(u32, u64)> = table.iter().map(|(h, v)| (h.to_bits(), *v)).collect();
        let mut live: Vec<(u32, u64)> = sut
            .handles
            .iter()
            .zip(&model.issued)
            .filter_map(|(h, &at)| Some((h.to_bits(), *model.arena.get(at)?)))
            .collect();
        listed.sort_unstable();
        live.sort_unstable();
        assert_eq!(listed, live);
        let distinct: HashSet<u32> = sut.handles.iter().map(|h| h.to_bits()).collect();
        assert_eq!(distinct.len(), sut.handles.len());
    }
}
