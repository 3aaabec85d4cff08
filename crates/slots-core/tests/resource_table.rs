//! `ResourceTable`: type checks, keyed interning, shared objects, take and clear.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::cell::Cell;
use std::sync::Arc;

use slots_core::{
    HandleError, InsertError, OpenError, RawHandle, Resource, ResourceTable, Shared, TableLimits,
};

#[derive(Debug, PartialEq)]
struct Bucket(u32);

impl Resource for Bucket {
    const NAME: &'static str = "bucket";
}

#[derive(Debug, PartialEq)]
struct Pattern(String);

impl Resource for Pattern {
    const NAME: &'static str = "pattern";
}

#[derive(Debug, PartialEq)]
struct Glob(String);

impl Resource for Glob {
    const NAME: &'static str = "glob";
}

#[allow(
    clippy::ptr_arg,
    reason = "the shape `ResourceTable::<String>::open` calls"
)]
fn compile(key: &String) -> Result<Arc<Shared<Pattern>>, ()> {
    Ok(Shared::new(Pattern(key.clone())))
}

#[test]
fn owned_objects_are_read_and_changed_through_their_handles() {
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Bucket(1)).unwrap();
    table.get_mut(handle).unwrap().0 += 1;
    assert_eq!(table.get(handle), Ok(&Bucket(2)));
    assert_eq!(table.check(handle), Ok(handle));
    assert_eq!(table.resource_name(handle.raw()), Some("bucket"));
}

#[test]
fn raw_handles_from_a_guest_are_type_checked() {
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Bucket(7)).unwrap();
    let raw: RawHandle = handle.raw();
    assert_eq!(table.get::<Bucket>(raw), Ok(&Bucket(7)));
    assert_eq!(
        table.get::<Pattern>(raw),
        Err(HandleError::WrongType {
            handle: raw,
            expected: "pattern",
            found: "bucket",
        })
    );
}

#[test]
fn a_wrong_type_error_names_both_resources() {
    let mut table = ResourceTable::<String>::new();
    let pattern = table.open("a+".to_string(), compile).unwrap().handle;
    let error = table.get::<Bucket>(pattern.raw()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("handle {} is a `pattern`, not a `bucket`", pattern.raw())
    );
    for error in [
        table.get_mut::<Bucket>(pattern.raw()).unwrap_err(),
        table.share::<Bucket>(pattern.raw()).unwrap_err(),
        table.release::<Bucket>(pattern.raw()).unwrap_err(),
        table.take::<Bucket>(pattern.raw()).unwrap_err(),
        table.take_shared::<Bucket>(pattern.raw()).unwrap_err(),
    ] {
        assert!(matches!(
            error,
            HandleError::WrongType {
                expected: "bucket",
                found: "pattern",
                ..
            }
        ));
    }
    // None of those refusals released anything.
    assert_eq!(table.get(pattern), Ok(&Pattern("a+".into())));
}

#[test]
fn opening_a_held_key_returns_the_same_handle_with_its_count_raised() {
    let mut table = ResourceTable::<String>::new();
    let creations = Cell::new(0);
    let create = |key: &String| {
        creations.set(creations.get() + 1);
        compile(key)
    };
    let first = table.open("a+".to_string(), create).unwrap();
    let second = table.open("a+".to_string(), create).unwrap();
    let third = table.open("a+".to_string(), create).unwrap();
    assert_eq!(creations.get(), 1);
    assert!(!first.interned && second.interned && third.interned);
    assert_eq!(first.handle, second.handle);
    assert_eq!(first.handle, third.handle);
    assert_eq!(table.len(), 1);
    let stats = table.stats();
    assert_eq!((stats.opens, stats.intern_hits), (3, 2));

    // Each release lowers the count; the last frees the slot.
    assert_eq!(table.release(first.handle), Ok(false));
    assert_eq!(table.release(first.handle), Ok(false));
    assert!(table.get(first.handle).is_ok());
    assert_eq!(table.release(first.handle), Ok(true));
    assert!(table.is_empty());
    assert!(matches!(
        table.get(first.handle),
        Err(HandleError::Stale { .. })
    ));
    assert!(matches!(
        table.release(first.handle),
        Err(HandleError::Stale { .. })
    ));
    assert_eq!(table.stats().drops, 3);
}

#[test]
fn a_key_released_to_zero_is_opened_anew() {
    let mut table = ResourceTable::<String>::new();
    let creations = Cell::new(0);
    let create = |key: &String| {
        creations.set(creations.get() + 1);
        compile(key)
    };
    let first = table.open("k".to_string(), create).unwrap();
    table.release(first.handle).unwrap();
    let again = table.open("k".to_string(), create).unwrap();
    assert!(!again.interned);
    assert_eq!(creations.get(), 2);
    assert_ne!(again.handle, first.handle);
    assert!(matches!(
        table.get(first.handle),
        Err(HandleError::Stale { .. })
    ));
    assert_eq!(table.get(again.handle), Ok(&Pattern("k".into())));
}

#[test]
fn equal_keys_of_different_resource_types_do_not_collide() {
    let mut table = ResourceTable::<String>::new();
    let pattern = table.open("*.rs".to_string(), compile).unwrap();
    let glob = table
        .open("*.rs".to_string(), |key: &String| {
            Ok::<_, ()>(Shared::new(Glob(key.clone())))
        })
        .unwrap();
    assert!(!pattern.interned && !glob.interned);
    assert_ne!(pattern.handle.raw(), glob.handle.raw());
    assert_eq!(table.len(), 2);
    assert_eq!(table.release(glob.handle), Ok(true));
    // Releasing the glob left the pattern's interning alone.
    let again = table.open("*.rs".to_string(), compile).unwrap();
    assert!(again.interned);
    assert_eq!(again.handle, pattern.handle);
}

#[test]
fn shared_objects_cannot_be_changed_or_taken_owned() {
    let mut table = ResourceTable::<String>::new();
    let opened = table.open("x".to_string(), compile).unwrap().handle;
    let shared = Shared::new(Bucket(3));
    let inserted = table.insert_shared(shared.clone()).unwrap();
    for raw in [opened.raw(), inserted.raw()] {
        let name = table.resource_name(raw).unwrap();
        let expected = HandleError::Shared {
            handle: raw,
            resource: name,
        };
        match name {
            "pattern" => {
                assert_eq!(table.get_mut::<Pattern>(raw), Err(expected.clone()));
                assert_eq!(table.take::<Pattern>(raw), Err(expected));
            }
            _ => {
                assert_eq!(table.get_mut::<Bucket>(raw), Err(expected.clone()));
                assert_eq!(table.take::<Bucket>(raw), Err(expected));
            }
        }
    }
    assert_eq!(
        table
            .get_mut::<Pattern>(opened.raw())
            .unwrap_err()
            .to_string(),
        format!(
            "handle {} names a shared `pattern` that cannot be changed or taken",
            opened.raw()
        )
    );
    // Still there, unchanged.
    assert_eq!(table.len(), 2);
    assert!(Arc::ptr_eq(&table.share(inserted).unwrap(), &shared));
}

#[test]
fn take_moves_an_owned_object_out_and_stales_its_handle() {
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Bucket(9)).unwrap();
    assert_eq!(table.take(handle), Ok(Bucket(9)));
    assert!(table.is_empty());
    assert!(matches!(table.get(handle), Err(HandleError::Stale { .. })));
    assert!(matches!(table.take(handle), Err(HandleError::Stale { .. })));
    assert_eq!(table.stats().drops, 1);
}

#[test]
fn take_shared_of_an_owned_object_wraps_it_and_frees_the_slot() {
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Bucket(4)).unwrap();
    let taken = table.take_shared(handle).unwrap();
    assert_eq!(**taken, Bucket(4));
    assert_eq!(Arc::strong_count(&taken), 1);
    assert!(table.is_empty());
}

#[test]
fn take_shared_of_an_interned_object_releases_one_reference() {
    let mut table = ResourceTable::<String>::new();
    let first = table.open("p".to_string(), compile).unwrap().handle;
    table.open("p".to_string(), compile).unwrap();
    let one = table.take_shared(first).unwrap();
    // One reference left: the handle still works, the key still interns.
    assert_eq!(table.get(first), Ok(&Pattern("p".into())));
    let two = table.take_shared(first).unwrap();
    assert!(Arc::ptr_eq(&one, &two));
    assert!(table.is_empty());
    assert!(matches!(table.get(first), Err(HandleError::Stale { .. })));
    // The key map was cleaned: a new open creates anew.
    let fresh = table.open("p".to_string(), compile).unwrap();
    assert!(!fresh.interned);
    assert!(!Arc::ptr_eq(&table.share(fresh.handle).unwrap(), &one));
}

#[test]
fn share_hands_out_the_same_object_and_makes_owned_ones_shared() {
    let mut table = ResourceTable::<String>::new();
    let object = Shared::new(Pattern("s".into()));
    let handle = table.insert_shared(object.clone()).unwrap();
    assert!(Arc::ptr_eq(&table.share(handle).unwrap(), &object));

    let owned = table.insert(Bucket(1)).unwrap();
    table.get_mut(owned).unwrap().0 = 2;
    let shared = table.share(owned).unwrap();
    assert_eq!(**shared, Bucket(2));
    // The same cell from then on, readable, no longer changeable.
    assert!(Arc::ptr_eq(&table.share(owned).unwrap(), &shared));
    assert_eq!(table.get(owned), Ok(&Bucket(2)));
    assert_eq!(
        table.get_mut(owned),
        Err(HandleError::Shared {
            handle: owned.raw(),
            resource: "bucket"
        })
    );
    assert!(matches!(
        table.share::<Pattern>(owned.raw()),
        Err(HandleError::WrongType { .. })
    ));
}

#[test]
fn revoked_objects_refuse_every_use_but_a_release() {
    let mut table = ResourceTable::<String>::new();
    let object = Shared::new(Pattern("r".into()));
    let handle = table.insert_shared(object.clone()).unwrap();
    assert!(object.revoke());
    assert!(!object.revoke(), "revocation happens once");
    let revoked = HandleError::Revoked {
        handle: handle.raw(),
    };
    assert_eq!(table.get(handle), Err(revoked.clone()));
    assert_eq!(table.check(handle), Err(revoked.clone()));
    assert_eq!(table.get_mut(handle).map(|_| ()), Err(revoked));
    assert!(matches!(
        table.share(handle),
        Err(HandleError::Revoked { .. })
    ));
    assert!(matches!(
        table.take_shared(handle),
        Err(HandleError::Revoked { .. })
    ));
    assert_eq!(
        table.get(handle).unwrap_err().to_string(),
        format!("handle {} was revoked by the host", handle.raw())
    );
    // The guest can still drop it, and its slot is freed.
    assert_eq!(table.release(handle), Ok(true));
    assert!(table.is_empty());
}

#[test]
fn a_revoked_key_is_opened_afresh_and_the_old_handle_stays_revoked() {
    let mut table = ResourceTable::<String>::new();
    let old = table.open("k".to_string(), compile).unwrap().handle;
    table.share(old).unwrap().revoke();
    let fresh = table.open("k".to_string(), compile).unwrap();
    assert!(!fresh.interned, "a revoked object is not reused");
    assert_ne!(fresh.handle, old);
    assert_eq!(table.get(fresh.handle), Ok(&Pattern("k".into())));
    assert!(matches!(table.get(old), Err(HandleError::Revoked { .. })));
    // Dropping the old handle leaves the fresh one interned.
    assert_eq!(table.release(old), Ok(true));
    let again = table.open("k".to_string(), compile).unwrap();
    assert!(again.interned);
    assert_eq!(again.handle, fresh.handle);
}

#[test]
fn clear_releases_every_reference_and_forgets_every_key() {
    let mut table = ResourceTable::<String>::new();
    let bucket = table.insert(Bucket(1)).unwrap();
    let pattern = table.open("a".to_string(), compile).unwrap().handle;
    table.open("a".to_string(), compile).unwrap();
    table.open("b".to_string(), compile).unwrap();
    // 1 bucket + 2 references to "a" + 1 to "b".
    assert_eq!(table.clear(), 4);
    assert!(table.is_empty());
    assert_eq!(table.stats().drops, 4);
    assert!(matches!(table.get(bucket), Err(HandleError::Stale { .. })));
    assert!(matches!(table.get(pattern), Err(HandleError::Stale { .. })));
    let reopened = table.open("a".to_string(), compile).unwrap();
    assert!(!reopened.interned);
    assert_ne!(reopened.handle, pattern);
}

#[test]
fn a_failed_creation_inserts_and_interns_nothing() {
    let mut table = ResourceTable::<String>::new();
    let result = table.open("bad".to_string(), |_: &String| {
        Err::<Arc<Shared<Pattern>>, _>("syntax error")
    });
    assert!(matches!(result, Err(OpenError::Create("syntax error"))));
    assert!(table.is_empty());
    let good = table.open("bad".to_string(), compile).unwrap();
    assert!(!good.interned);
}

#[test]
fn opens_past_the_quota_fail_but_interning_hits_still_work() {
    let mut table = ResourceTable::<String>::with_limits(TableLimits::new(2).unwrap());
    let a = table.open("a".to_string(), compile).unwrap();
    table.insert(Bucket(0)).unwrap();
    assert!(matches!(
        table.open("b".to_string(), compile),
        Err(OpenError::Insert(InsertError::QuotaExceeded { limit: 2 }))
    ));
    assert!(matches!(
        table.insert(Bucket(1)),
        Err(InsertError::QuotaExceeded { limit: 2 })
    ));
    // A held key takes no new slot.
    let again = table.open("a".to_string(), compile).unwrap();
    assert!(again.interned);
    assert_eq!(again.handle, a.handle);
    // After a release, "b" fits.
    table.release(a.handle).unwrap();
    table.release(a.handle).unwrap();
    assert!(table.open("b".to_string(), compile).is_ok());
    assert_eq!(table.limits().max_live(), 2);
}

#[test]
fn forged_handles_are_not_found_and_stale_ones_are_stale() {
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Bucket(1)).unwrap();
    table.release(handle).unwrap();
    assert!(matches!(
        table.get::<Bucket>(handle.raw()),
        Err(HandleError::Stale { .. })
    ));
    let forged = RawHandle::from_bits(0x7fff_0003).unwrap();
    assert!(matches!(
        table.get::<Bucket>(forged),
        Err(HandleError::NotFound { .. })
    ));
    assert_eq!(table.resource_name(forged), None);
}
