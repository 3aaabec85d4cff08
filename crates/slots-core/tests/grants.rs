//! Grants: tokens are typed, single-use, expiring and bounded, and revoking
//! an object reaches every table that holds it.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use slots_core::{
    GrantError, GrantLimits, GrantRegistry, HandleError, RedeemError, Resource, ResourceTable,
    Shared, TableLimits, Token,
};

#[derive(Debug, PartialEq)]
struct Pattern(&'static str);

impl Resource for Pattern {
    const NAME: &'static str = "pattern";
}

#[derive(Debug, PartialEq)]
struct Bucket(u32);

impl Resource for Bucket {
    const NAME: &'static str = "bucket";
}

fn tenant(name: &str) -> Arc<str> {
    name.into()
}

fn registry() -> GrantRegistry {
    GrantRegistry::new(GrantLimits::default())
}

#[test]
fn a_redeemed_grant_is_the_same_object_in_a_slot_of_the_redeemers_own() {
    let grants = registry();
    let (mut a, mut b) = (
        ResourceTable::<String>::new(),
        ResourceTable::<String>::new(),
    );
    b.insert(Bucket(0)).unwrap();
    let mine = a.insert(Pattern("x")).unwrap();
    let token = a.grant(mine, &grants, &tenant("a")).unwrap();
    assert_eq!(grants.outstanding(), 1);
    let theirs = b.redeem::<Pattern>(&grants, token).unwrap();
    assert_eq!(grants.outstanding(), 0);
    assert!(std::ptr::eq(a.get(mine).unwrap(), b.get(theirs).unwrap()));
    // B's count is its own: A releasing leaves B's handle working.
    assert_eq!(a.release(mine), Ok(true));
    assert_eq!(b.get(theirs), Ok(&Pattern("x")));
    assert_eq!(b.stats().opens, 2);
}

#[test]
fn a_token_is_redeemed_once() {
    let grants = registry();
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Pattern("x")).unwrap();
    let token = table.grant(handle, &grants, &tenant("a")).unwrap();
    table.redeem::<Pattern>(&grants, token).unwrap();
    assert_eq!(
        table.redeem::<Pattern>(&grants, token),
        Err(RedeemError::Unknown)
    );
}

#[test]
fn forged_tokens_are_unknown() {
    let grants = registry();
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Pattern("x")).unwrap();
    let real = table.grant(handle, &grants, &tenant("a")).unwrap();
    for forged in [
        Token::from_bits(0),
        Token::from_bits(u128::MAX),
        Token::from_bits(real.to_bits() ^ 1),
        Token::from_halves(real.low(), real.high()),
    ] {
        assert_eq!(
            table.redeem::<Pattern>(&grants, forged),
            Err(RedeemError::Unknown)
        );
    }
    // Guessing did not burn the real token.
    assert!(table.redeem::<Pattern>(&grants, real).is_ok());
}

#[test]
fn a_token_redeemed_as_another_type_is_refused_and_used_up() {
    let grants = registry();
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Pattern("x")).unwrap();
    let token = table.grant(handle, &grants, &tenant("a")).unwrap();
    let refused = table.redeem::<Bucket>(&grants, token);
    assert_eq!(
        refused,
        Err(RedeemError::WrongType {
            expected: "bucket",
            found: "pattern"
        })
    );
    assert_eq!(
        refused.unwrap_err().to_string(),
        "the token is for a `pattern`, not a `bucket`"
    );
    assert_eq!(
        table.redeem::<Pattern>(&grants, token),
        Err(RedeemError::Unknown)
    );
}

#[test]
fn an_expired_token_is_refused_as_expired() {
    let grants = GrantRegistry::new(GrantLimits {
        ttl: Duration::ZERO,
        ..GrantLimits::default()
    });
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Pattern("x")).unwrap();
    let token = table.grant(handle, &grants, &tenant("a")).unwrap();
    assert_eq!(
        table.redeem::<Pattern>(&grants, token),
        Err(RedeemError::Expired)
    );
    assert_eq!(grants.outstanding(), 0);
}

#[test]
fn a_token_within_its_time_to_live_is_honoured_and_one_past_it_is_not() {
    let grants = GrantRegistry::new(GrantLimits {
        ttl: Duration::from_millis(200),
        ..GrantLimits::default()
    });
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Pattern("x")).unwrap();
    let early = table.grant(handle, &grants, &tenant("a")).unwrap();
    let late = table.grant(handle, &grants, &tenant("a")).unwrap();
    assert!(table.redeem::<Pattern>(&grants, early).is_ok());
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(
        table.redeem::<Pattern>(&grants, late),
        Err(RedeemError::Expired)
    );
}

#[test]
fn the_registry_is_bounded_per_issuer_and_in_total() {
    let grants = GrantRegistry::new(GrantLimits {
        max_outstanding: 3,
        max_per_issuer: 2,
        ..GrantLimits::default()
    });
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Pattern("x")).unwrap();
    let a = tenant("a");
    let first = table.grant(handle, &grants, &a).unwrap();
    table.grant(handle, &grants, &a).unwrap();
    assert_eq!(
        table.grant(handle, &grants, &a),
        Err(GrantError::IssuerQuota { limit: 2 })
    );
    // Another tenant still has room, up to the total.
    table.grant(handle, &grants, &tenant("b")).unwrap();
    assert_eq!(
        table.grant(handle, &grants, &tenant("c")),
        Err(GrantError::HostQuota { limit: 3 })
    );
    // Redeeming frees a place for its issuer.
    table.redeem::<Pattern>(&grants, first).unwrap();
    assert!(table.grant(handle, &grants, &a).is_ok());
}

#[test]
fn expired_tokens_make_room_when_the_registry_is_full() {
    let grants = GrantRegistry::new(GrantLimits {
        ttl: Duration::ZERO,
        max_outstanding: 2,
        max_per_issuer: 2,
    });
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Pattern("x")).unwrap();
    // Each token expires at once, so a full registry forgets the old ones
    // and takes the new.
    for _ in 0..10 {
        table.grant(handle, &grants, &tenant("a")).unwrap();
    }
    assert_eq!(grants.outstanding(), 2);
    assert_eq!(grants.forget_expired(), 2);
    assert_eq!(grants.outstanding(), 0);
}

#[test]
fn a_revoked_object_cannot_be_granted_nor_redeemed() {
    let grants = registry();
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Pattern("x")).unwrap();
    let token = table.grant(handle, &grants, &tenant("a")).unwrap();
    table.share(handle).unwrap().revoke();
    assert_eq!(
        table.redeem::<Pattern>(&grants, token),
        Err(RedeemError::Revoked)
    );
    assert!(matches!(
        table.grant(handle, &grants, &tenant("a")),
        Err(GrantError::Handle(HandleError::Revoked { .. }))
    ));
    assert_eq!(
        grants.issue(Shared::new(Pattern("y")).tap_revoke(), &tenant("a")),
        Err(GrantError::Revoked)
    );
}

#[test]
fn revocation_reaches_every_holder_in_every_table() {
    let grants = registry();
    let mut tables: Vec<ResourceTable<String>> = (0..4).map(|_| ResourceTable::new()).collect();
    let origin = tables[0].insert(Bucket(1)).unwrap();
    let mut handles = vec![origin.raw()];
    // Grant the one object from table 0 to every other table.
    let (first, others) = tables.split_at_mut(1);
    for table in others {
        let token = first[0].grant(origin, &grants, &tenant("a")).unwrap();
        handles.push(table.redeem::<Bucket>(&grants, token).unwrap().raw());
    }
    let object = tables[0].share(origin).unwrap();
    assert!(object.revoke());
    for (table, &raw) in tables.iter_mut().zip(&handles) {
        assert_eq!(
            table.get::<Bucket>(raw),
            Err(HandleError::Revoked { handle: raw })
        );
        assert_eq!(table.release::<Bucket>(raw), Ok(true));
    }
    drop(tables);
    assert_eq!(Arc::strong_count(&object), 1, "no table holds it any more");
}

#[test]
fn a_full_redeemer_gets_an_error_and_the_token_is_used_up() {
    let grants = registry();
    let mut giver = ResourceTable::<String>::new();
    let mut full = ResourceTable::<String>::with_limits(TableLimits::new(1).unwrap());
    full.insert(Bucket(0)).unwrap();
    let handle = giver.insert(Pattern("x")).unwrap();
    let token = giver.grant(handle, &grants, &tenant("a")).unwrap();
    assert!(matches!(
        full.redeem::<Pattern>(&grants, token),
        Err(RedeemError::Insert(_))
    ));
    assert_eq!(grants.outstanding(), 0);
}

#[test]
fn tokens_are_distinct_and_use_all_128_bits() {
    let grants = GrantRegistry::new(GrantLimits {
        max_per_issuer: 4096,
        ..GrantLimits::default()
    });
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(Pattern("x")).unwrap();
    let tokens: Vec<Token> = (0..4096)
        .map(|_| table.grant(handle, &grants, &tenant("a")).unwrap())
        .collect();
    let distinct: HashSet<u128> = tokens.iter().map(|t| t.to_bits()).collect();
    assert_eq!(distinct.len(), tokens.len());
    let (mut ones, mut zeros) = (0u128, 0u128);
    for token in &tokens {
        ones |= token.to_bits();
        zeros |= !token.to_bits();
    }
    assert_eq!(ones, u128::MAX, "every bit was 1 in some token");
    assert_eq!(zeros, u128::MAX, "every bit was 0 in some token");
}

#[test]
fn racing_redeemers_get_the_object_exactly_once() {
    const THREADS: usize = 8;
    let grants = Arc::new(registry());
    let mut giver = ResourceTable::<String>::new();
    let handle = giver.insert(Pattern("x")).unwrap();
    for _ in 0..50 {
        let token = giver.grant(handle, &grants, &tenant("a")).unwrap();
        let start = Arc::new(Barrier::new(THREADS));
        let winners: usize = (0..THREADS)
            .map(|_| {
                let (grants, start) = (grants.clone(), start.clone());
                std::thread::spawn(move || {
                    let mut table = ResourceTable::<String>::new();
                    start.wait();
                    usize::from(table.redeem::<Pattern>(&grants, token).is_ok())
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|thread| thread.join().unwrap())
            .sum();
        assert_eq!(winners, 1);
    }
}

trait TapRevoke {
    fn tap_revoke(self) -> Self;
}

impl<T: Resource> TapRevoke for Arc<Shared<T>> {
    fn tap_revoke(self) -> Self {
        self.revoke();
        self
    }
}
