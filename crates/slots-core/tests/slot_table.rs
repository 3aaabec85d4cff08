//! `SlotTable`: lookup, reuse order, stale and never-issued handles,
//! retirement, exhaustion, quota and drain.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use slots_core::{Handle, HandleError, InsertError, RawHandle, SlotTable, TableLimits};

fn table_with_limit<T>(limit: u32) -> SlotTable<T> {
    SlotTable::with_limits(TableLimits::new(limit).unwrap())
}

fn raw(bits: u32) -> RawHandle {
    RawHandle::from_bits(bits).unwrap()
}

fn is_stale<T>(result: Result<T, HandleError>) -> bool {
    matches!(result, Err(HandleError::Stale { .. }))
}

fn is_not_found<T>(result: Result<T, HandleError>) -> bool {
    matches!(result, Err(HandleError::NotFound { .. }))
}

#[test]
fn inserted_values_are_found_by_their_handles() {
    let mut table = SlotTable::new();
    let handles: Vec<_> = (0..100).map(|i| table.insert(i * 10).unwrap()).collect();
    assert_eq!(table.len(), 100);
    for (i, &handle) in handles.iter().enumerate() {
        assert_eq!(table.get(handle), Ok(&(i * 10)));
        assert!(table.contains(handle));
    }
}

#[test]
fn get_mut_changes_the_value_in_place() {
    let mut table = SlotTable::new();
    let handle = table.insert(String::from("a")).unwrap();
    table.get_mut(handle).unwrap().push('b');
    assert_eq!(table.get(handle).unwrap(), "ab");
    table.get_raw_mut(handle.raw()).unwrap().push('c');
    assert_eq!(table.get_raw(handle.raw()).unwrap(), "abc");
}

#[test]
fn remove_returns_the_value_and_the_handle_turns_stale() {
    let mut table = SlotTable::new();
    let handle = table.insert("x").unwrap();
    assert_eq!(table.remove(handle), Ok("x"));
    assert!(table.is_empty());
    assert!(is_stale(table.get(handle)));
    assert!(is_stale(table.get_mut(handle)));
    assert!(is_stale(table.remove(handle)));
    assert!(!table.contains(handle));
}

#[test]
fn stale_handle_is_rejected_after_reuse() {
    let mut table = SlotTable::new();
    let old = table.insert("old").unwrap();
    table.remove(old).unwrap();
    let new = table.insert("new").unwrap();
    let layout = table.layout();
    // Same slot, next generation.
    assert_eq!(layout.index(new.raw()), layout.index(old.raw()));
    assert_eq!(
        layout.generation(new.raw()),
        layout.generation(old.raw()) + 1
    );
    assert_ne!(old, new);
    assert_eq!(
        table.get(old),
        Err(HandleError::Stale { handle: old.raw() })
    );
    assert!(is_stale(table.remove(old)));
    assert_eq!(table.get(new), Ok(&"new"));
}

#[test]
fn freed_slots_are_reused_last_in_first_out() {
    let mut table = SlotTable::new();
    let layout = table.layout();
    let a = table.insert('a').unwrap();
    let b = table.insert('b').unwrap();
    let c = table.insert('c').unwrap();
    table.remove(a).unwrap();
    table.remove(c).unwrap();
    table.remove(b).unwrap();
    // Freed a, c, b: reused b, c, a, then a fresh slot.
    let slots: Vec<u32> = (0..4)
        .map(|_| layout.index(table.insert('x').unwrap().raw()))
        .collect();
    let index = |h: Handle<char>| layout.index(h.raw());
    assert_eq!(slots, vec![index(b), index(c), index(a), 3]);
}

#[test]
fn a_handle_at_a_slot_never_allocated_is_not_found() {
    let mut table = SlotTable::<u8>::new();
    assert!(is_not_found(table.get_raw(raw(1 << 20))));
    table.insert(1).unwrap();
    // Slot 1 at generation 1 was never issued.
    let never = raw((1 << 20) | 1);
    assert_eq!(
        table.get_raw(never),
        Err(HandleError::NotFound { handle: never })
    );
    assert!(is_not_found(table.get_raw_mut(never)));
    assert!(is_not_found(table.remove_raw(never)));
}

#[test]
fn generation_zero_is_never_issued() {
    let mut table = SlotTable::new();
    table.insert(5u8).unwrap();
    let second = table.insert(6u8).unwrap();
    // Generation 0 leaves only the index: slot 1's bits are 1. (Slot 0's
    // would be 0, which no raw handle can hold.)
    assert_eq!(table.layout().index(second.raw()), 1);
    assert!(is_not_found(table.get_raw(raw(1))));
    table.remove(second).unwrap();
    assert!(is_not_found(table.get_raw(raw(1))));
}

#[test]
fn a_generation_above_the_slots_is_not_found_not_stale() {
    let mut table = SlotTable::new();
    let layout = table.layout();
    let handle = table.insert(1u8).unwrap();
    let ahead =
        |generation: u32| raw((generation << layout.index_bits()) | layout.index(handle.raw()));
    // Live at generation 1: generation 2 was never issued.
    assert!(is_not_found(table.get_raw(ahead(2))));
    table.remove(handle).unwrap();
    // Vacant, the next occupant gets generation 2: still never issued.
    assert!(is_not_found(table.get_raw(ahead(2))));
    assert!(is_stale(table.get_raw(ahead(1))));
    // And the generations far ahead, up to the all-ones one.
    assert!(is_not_found(table.get_raw(ahead(layout.max_generation()))));
    assert!(is_not_found(
        table.get_raw(ahead(layout.max_generation() + 1))
    ));
}

#[test]
fn every_earlier_generation_of_a_slot_stays_stale() {
    let mut table = SlotTable::new();
    let mut past = Vec::new();
    for i in 0..50 {
        let handle = table.insert(i).unwrap();
        past.push(handle);
        table.remove(handle).unwrap();
    }
    let live = table.insert(99).unwrap();
    for &handle in &past {
        assert_eq!(
            table.get(handle),
            Err(HandleError::Stale {
                handle: handle.raw()
            })
        );
        assert_ne!(handle, live);
    }
    assert_eq!(table.get(live), Ok(&99));
}

#[test]
fn errors_name_the_handle_in_hex() {
    let mut table = SlotTable::new();
    let handle = table.insert(1u8).unwrap();
    table.remove(handle).unwrap();
    let message = table.get(handle).unwrap_err().to_string();
    assert_eq!(
        message,
        format!(
            "stale handle {:#010x}: its object was dropped",
            handle.to_bits()
        )
    );
    let never = raw(0x00ab_cdef);
    assert_eq!(
        table.get_raw(never).unwrap_err().to_string(),
        "handle 0x00abcdef was never issued by this table"
    );
    assert_eq!(table.get_raw(never).unwrap_err().bits(), 0x00ab_cdef);
}

/// With 2^30 slots addressable only generations 1 and 2 exist, so the second
/// freeing of a slot retires it.
#[test]
fn a_slot_retires_when_its_generations_run_out_and_a_fresh_slot_is_used() {
    let mut table = table_with_limit::<&str>(1 << 30);
    let layout = table.layout();
    assert_eq!(layout.max_generation(), 2);

    let first = table.insert("gen 1").unwrap();
    table.remove(first).unwrap();
    let second = table.insert("gen 2").unwrap();
    assert_eq!(layout.index(second.raw()), layout.index(first.raw()));
    assert_eq!(layout.generation(second.raw()), 2);
    table.remove(second).unwrap();
    assert_eq!(table.stats().retired, 1);

    // The retired slot is not reused: the next insert takes a fresh slot.
    let third = table.insert("fresh").unwrap();
    assert_ne!(layout.index(third.raw()), layout.index(first.raw()));
    assert_eq!(layout.generation(third.raw()), 1);
    assert_eq!(table.slots_allocated(), 2);

    // Churn the table: the retired slot's handles stay stale for good.
    for i in 0..1000 {
        let handle = table.insert("churn").unwrap();
        if i % 3 != 0 {
            table.remove(handle).unwrap();
        }
        assert!(is_stale(table.get(first)));
        assert!(is_stale(table.get(second)));
    }
    assert_eq!(table.get(third), Ok(&"fresh"));
    // The all-ones generation of the retired slot was never issued.
    let beyond = raw((3 << 30) | layout.index(first.raw()));
    assert!(is_not_found(table.get_raw(beyond)));
}

#[test]
fn retired_slots_never_come_back_however_long_the_table_lives() {
    let mut table = table_with_limit::<u32>(1 << 30);
    let layout = table.layout();
    let mut seen = std::collections::HashSet::new();
    for i in 0..10_000 {
        let handle = table.insert(i).unwrap();
        assert!(seen.insert(handle.to_bits()), "handle issued twice");
        table.remove(handle).unwrap();
    }
    // Every slot gave two handles, then retired.
    assert_eq!(table.stats().retired, 5_000);
    assert_eq!(table.slots_allocated(), 5_000);
    assert!(seen.iter().all(|&bits| layout.generation(raw(bits)) <= 2));
}

/// Exhaustion needs every addressable slot live or retired. The live limit
/// fixes the layout, so a table of 2^30 addressable slots would need over a
/// billion slots in memory (16 GiB): not a test. At 2^16 it takes retiring
/// one slot (65,534 reuses) and filling the other 65,535.
#[test]
fn inserts_fail_with_exhausted_once_every_slot_is_live_or_retired() {
    let mut table = table_with_limit::<()>(1 << 16);
    let layout = table.layout();
    let mut generation = 0;
    let first = loop {
        let handle = table.insert(()).unwrap();
        assert_eq!(layout.index(handle.raw()), 0);
        generation += 1;
        assert_eq!(layout.generation(handle.raw()), generation);
        table.remove(handle).unwrap();
        if generation == layout.max_generation() {
            break handle;
        }
    };
    assert_eq!(table.stats().retired, 1);
    let mut live = Vec::new();
    for _ in 1..layout.slot_count() {
        live.push(table.insert(()).unwrap());
    }
    assert_eq!(table.len(), 65_535);
    assert_eq!(table.slots_allocated(), 65_536);
    assert_eq!(
        table.insert(()),
        Err(InsertError::Exhausted { slots: 1 << 16 })
    );
    assert!(is_stale(table.get(first)));
    // A removal frees a slot with generations left: inserts work again.
    table.remove(live[7]).unwrap();
    assert!(table.insert(()).is_ok());
    assert_eq!(
        table.insert(()),
        Err(InsertError::Exhausted { slots: 1 << 16 })
    );
}

#[test]
fn the_quota_refuses_one_handle_more_and_a_removal_makes_room() {
    let mut table = table_with_limit(3);
    let handles: Vec<_> = (0..3).map(|i| table.insert(i).unwrap()).collect();
    assert_eq!(
        table.insert(3),
        Err(InsertError::QuotaExceeded { limit: 3 })
    );
    assert_eq!(table.len(), 3);
    table.remove(handles[1]).unwrap();
    let again = table.insert(4).unwrap();
    assert_eq!(table.get(again), Ok(&4));
    assert_eq!(
        table.insert(5),
        Err(InsertError::QuotaExceeded { limit: 3 })
    );
    assert_eq!(
        InsertError::QuotaExceeded { limit: 3 }.to_string(),
        "handle quota exceeded: 3 live handles is the limit"
    );
}

#[test]
fn the_quota_comes_before_exhaustion() {
    let mut table = table_with_limit(1);
    table.insert(1).unwrap();
    assert_eq!(
        table.insert(2),
        Err(InsertError::QuotaExceeded { limit: 1 })
    );
}

#[test]
fn drain_empties_the_table_in_slot_order_and_stales_every_handle() {
    let mut table = SlotTable::new();
    let handles: Vec<_> = (0..5).map(|i| table.insert(i).unwrap()).collect();
    table.remove(handles[2]).unwrap();
    assert_eq!(table.drain(), vec![0, 1, 3, 4]);
    assert!(table.is_empty());
    for &handle in &handles {
        assert!(is_stale(table.get(handle)));
    }
    // The slots are free for reuse: no new slot is allocated.
    for i in 0..5 {
        table.insert(i).unwrap();
    }
    assert_eq!(table.slots_allocated(), 5);
    assert_eq!(table.stats().removed, 5);
}

#[test]
fn iter_lists_live_handles_in_slot_order() {
    let mut table = SlotTable::new();
    let a = table.insert('a').unwrap();
    let b = table.insert('b').unwrap();
    let c = table.insert('c').unwrap();
    table.remove(b).unwrap();
    assert_eq!(table.iter().collect::<Vec<_>>(), vec![(a, &'a'), (c, &'c')]);
}

#[test]
fn stats_count_inserts_removals_and_the_peak() {
    let mut table = SlotTable::new();
    let handles: Vec<_> = (0..4).map(|i| table.insert(i).unwrap()).collect();
    for &handle in &handles[..3] {
        table.remove(handle).unwrap();
    }
    table.insert(9).unwrap();
    let stats = table.stats();
    assert_eq!(stats.live, 2);
    assert_eq!(stats.inserted, 5);
    assert_eq!(stats.removed, 3);
    assert_eq!(stats.peak_live, 4);
    assert_eq!(stats.retired, 0);
}

#[test]
fn the_peak_survives_retirement_and_rises_again_past_it() {
    let mut table = table_with_limit::<u8>(1 << 30);
    let a = table.insert(1).unwrap();
    let b = table.insert(2).unwrap();
    assert_eq!(table.stats().peak_live, 2);
    table.remove(a).unwrap();
    let a2 = table.insert(3).unwrap();
    table.remove(a2).unwrap(); // slot 0 retires
    table.remove(b).unwrap();
    let b2 = table.insert(4).unwrap();
    table.remove(b2).unwrap(); // slot 1 retires
    assert_eq!(table.stats().retired, 2);
    assert_eq!(table.stats().peak_live, 2);
    let _ = table.insert(5).unwrap();
    assert_eq!(table.stats().peak_live, 2);
    let _ = table.insert(6).unwrap();
    let _ = table.insert(7).unwrap();
    assert_eq!(table.stats().live, 3);
    assert_eq!(table.stats().peak_live, 3);
}

struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn every_value_is_dropped_exactly_once_and_when_it_leaves() {
    let drops = Arc::new(AtomicUsize::new(0));
    let dropped = || drops.load(Ordering::SeqCst);
    let mut table = SlotTable::new();
    let handles: Vec<_> = (0..6)
        .map(|_| table.insert(Counted(drops.clone())).unwrap())
        .collect();
    let removed = table.remove(handles[0]).unwrap();
    assert_eq!(dropped(), 0, "the caller holds the removed value");
    drop(removed);
    assert_eq!(dropped(), 1);
    // A failed removal drops nothing.
    assert!(table.remove(handles[0]).is_err());
    assert_eq!(dropped(), 1);
    let drained = table.drain();
    assert_eq!((drained.len(), dropped()), (5, 1));
    drop(drained);
    assert_eq!(dropped(), 6);
    table.insert(Counted(drops.clone())).unwrap();
    table.insert(Counted(drops.clone())).unwrap();
    drop(table);
    assert_eq!(dropped(), 8);
}

#[test]
fn a_refused_insert_drops_its_value_at_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut table = table_with_limit(1);
    table.insert(Counted(drops.clone())).unwrap();
    assert!(table.insert(Counted(drops.clone())).is_err());
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    drop(table);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}
