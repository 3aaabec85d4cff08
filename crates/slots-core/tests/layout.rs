//! How a table's limit splits a 32-bit handle, and which values no handle takes.

#![allow(clippy::unwrap_used, clippy::panic)]

use slots_core::{ConfigError, HandleLayout, RawHandle, SlotTable, TableLimits};

#[test]
fn a_limit_of_two_to_the_sixteen_leaves_sixteen_generation_bits() {
    let limits = TableLimits::new(1 << 16).unwrap();
    let layout = limits.layout();
    assert_eq!(layout.index_bits(), 16);
    assert_eq!(layout.generation_bits(), 16);
    assert_eq!(layout.slot_count(), 1 << 16);
    assert_eq!(layout.max_generation(), (1 << 16) - 2);
}

#[test]
fn the_limit_is_rounded_up_to_a_power_of_two_of_slots() {
    for (limit, index_bits) in [
        (1, 1),
        (2, 1),
        (3, 2),
        (4, 2),
        (5, 3),
        (1000, 10),
        (1024, 10),
        (1025, 11),
        (1 << 20, 20),
        ((1 << 20) + 1, 21),
        (1 << 30, 30),
    ] {
        let layout = TableLimits::new(limit).unwrap().layout();
        assert_eq!(layout.index_bits(), index_bits, "limit {limit}");
        assert_eq!(layout.generation_bits(), 32 - index_bits, "limit {limit}");
        assert!(layout.slot_count() >= limit);
    }
}

#[test]
fn the_default_limit_is_a_million_handles_with_twelve_generation_bits() {
    let limits = TableLimits::default();
    assert_eq!(limits.max_live(), 1 << 20);
    assert_eq!(limits.layout().generation_bits(), 12);
    assert_eq!(limits.layout().max_generation(), 4094);
}

#[test]
fn limits_of_zero_or_above_two_to_the_thirty_are_refused() {
    assert_eq!(
        TableLimits::new(0),
        Err(ConfigError::LiveLimit { limit: 0 })
    );
    assert_eq!(
        TableLimits::new((1 << 30) + 1),
        Err(ConfigError::LiveLimit {
            limit: (1 << 30) + 1
        })
    );
    assert_eq!(
        TableLimits::new(u32::MAX),
        Err(ConfigError::LiveLimit { limit: u32::MAX })
    );
    assert!(HandleLayout::for_slots(0).is_none());
    assert!(HandleLayout::for_slots((1 << 30) + 1).is_none());
}

#[test]
fn the_largest_layout_has_only_generations_one_and_two() {
    let layout = TableLimits::new(1 << 30).unwrap().layout();
    assert_eq!(layout.index_bits(), HandleLayout::MAX_INDEX_BITS);
    assert_eq!(layout.generation_bits(), 2);
    assert_eq!(layout.max_generation(), 2);
}

#[test]
fn the_smallest_layout_still_has_one_index_bit() {
    let layout = TableLimits::new(1).unwrap().layout();
    assert_eq!(layout.index_bits(), HandleLayout::MIN_INDEX_BITS);
    assert_eq!(layout.slot_count(), 2);
    assert_eq!(layout.max_generation(), (1 << 31) - 2);
}

/// The extreme handles of every layout: slot 0 at generation 1, and the last
/// slot at the last generation.
#[test]
fn no_layout_can_issue_zero_or_u32_max() {
    for index_bits in HandleLayout::MIN_INDEX_BITS..=HandleLayout::MAX_INDEX_BITS {
        let layout = HandleLayout::for_slots(1 << index_bits).unwrap();
        assert_eq!(layout.index_bits(), index_bits);
        let lowest = 1u32 << index_bits;
        let highest = (layout.max_generation() << index_bits) | (layout.slot_count() - 1);
        assert_ne!(lowest, 0, "index bits {index_bits}");
        assert_ne!(highest, u32::MAX, "index bits {index_bits}");
        // The all-ones generation, the only one above the last, would give
        // the last slot the handle u32::MAX: it is never issued.
        assert_eq!(highest + (1 << index_bits), u32::MAX);
        for bits in [lowest, highest] {
            let raw = RawHandle::from_bits(bits).unwrap();
            assert!((1..=layout.max_generation()).contains(&layout.generation(raw)));
            assert!(layout.index(raw) < layout.slot_count());
        }
    }
}

#[test]
fn index_and_generation_split_the_bits_at_the_index_width() {
    let layout = TableLimits::new(1 << 16).unwrap().layout();
    let raw = RawHandle::from_bits(0x0003_0007).unwrap();
    assert_eq!(layout.index(raw), 7);
    assert_eq!(layout.generation(raw), 3);
}

#[test]
fn raw_handles_refuse_zero_and_u32_max_and_keep_every_other_value() {
    assert!(RawHandle::from_bits(0).is_none());
    assert!(RawHandle::from_bits(u32::MAX).is_none());
    for bits in [1, 2, 0x8000_0000, u32::MAX - 1] {
        assert_eq!(
            RawHandle::from_bits(bits).map(RawHandle::to_bits),
            Some(bits)
        );
    }
}

#[test]
fn raw_handles_print_as_eight_hex_digits() {
    let raw = RawHandle::from_bits(0x2a).unwrap();
    assert_eq!(raw.to_string(), "0x0000002a");
    assert_eq!(format!("{raw:?}"), "RawHandle(0x0000002a)");
}

/// Tables of tiny and huge layouts, churned: no handle is 0 or `u32::MAX`,
/// and each one splits into the slot and generation the table used.
#[test]
fn handles_of_tiny_and_huge_layouts_are_never_zero_or_u32_max() {
    for limit in [1, 2, 3, 7, 1 << 16, 1 << 30] {
        let mut table = SlotTable::with_limits(TableLimits::new(limit).unwrap());
        let layout = table.layout();
        let mut live = Vec::new();
        for round in 0..200u32 {
            if live.len() < limit.min(5) as usize {
                let handle = table.insert(round).unwrap();
                let bits = handle.to_bits();
                assert!(bits != 0 && bits != u32::MAX, "limit {limit}: {bits:#x}");
                let generation = layout.generation(handle.raw());
                assert!((1..=layout.max_generation()).contains(&generation));
                live.push(handle);
            } else {
                let handle = live.remove(round as usize % live.len());
                table.remove(handle).unwrap();
            }
        }
    }
}
