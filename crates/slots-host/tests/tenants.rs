//! Tenants, grants and revocation, end to end: the `tenants` and `grants`
//! guest examples, several instances of them on one host, each in its own
//! namespace, talking through the host's mailbox.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use host_wasmer::{CallError, HostConfig, SharedHost, TrapKind};
use slots_core::GrantLimits;
use slots_host::patterns::cache_key;
use slots_host::{Census, Guest, HostData, Mailbox, MatchOptions, Pattern, Token};
use slots_test_support::guests::wasm;
use wasmer::Store;

/// What the `grants` guest opens and grants.
const GRANTED_SOURCE: &str = "slots-[0-9]+";

/// One host, its mailbox, and the census of the objects it makes.
struct Host {
    host: Arc<SharedHost>,
    mailbox: Arc<Mailbox>,
    census: Arc<Census>,
}

/// One instance, in its store, in a namespace.
struct Tenant {
    store: Store,
    instance: Guest<HostData>,
    namespace: &'static str,
}

impl Host {
    fn new(config: HostConfig) -> Self {
        Self {
            host: SharedHost::new(config),
            mailbox: Mailbox::new(Mailbox::DEFAULT_CAPACITY),
            census: Census::new(),
        }
    }

    fn with_ttl(ttl: Duration) -> Self {
        Self::new(HostConfig {
            grants: GrantLimits {
                ttl,
                ..GrantLimits::default()
            },
            ..HostConfig::default()
        })
    }

    /// Starts guest example `guest` in `namespace`, with an inbox.
    fn start(&self, guest: &str, namespace: &'static str) -> Tenant {
        self.mailbox.open(namespace);
        let mut store = Store::default();
        let data = HostData::shared(&self.mailbox, &self.census);
        let instance = support::start(&mut store, &wasm(guest), data, &self.host, namespace);
        Tenant {
            store,
            instance,
            namespace,
        }
    }

    /// Sends `namespace` an instruction from the host.
    fn tell(&self, namespace: &str, subject: &str) {
        self.mailbox
            .send("host", namespace, subject.to_string(), None)
            .unwrap();
    }

    /// Once every instance has ended: every object made was dropped or is
    /// warm in the cache, every handle was released, no token is pending.
    fn assert_balanced(&self) {
        let totals = self.host.totals();
        assert_eq!(totals.instances, 0, "every instance has ended");
        assert_eq!(totals.leaked(), 0, "every handle was released");
        assert_eq!(self.host.grants().outstanding(), 0, "no token is pending");
        let cached = self.host.cache_stats().entries;
        assert_eq!(
            self.census.made(),
            self.census.dropped() + cached,
            "created = dropped + cached"
        );
        assert_eq!(
            totals.created,
            self.census.made(),
            "the host saw every creation"
        );
    }
}

impl Tenant {
    fn run(&mut self) -> Result<Result<(), String>, CallError> {
        self.instance.call_run(&mut self.store)
    }

    #[track_caller]
    fn run_passes(&mut self) {
        match self.run() {
            Ok(Ok(())) => {}
            other => panic!("`{}` did not pass: {other:?}", self.namespace),
        }
    }

    #[track_caller]
    fn run_traps(&mut self, fragments: &[&str]) {
        match self.run() {
            Err(CallError::Trap {
                kind: TrapKind::Host(trap),
                ..
            }) => {
                let trap = trap.to_string();
                for fragment in fragments {
                    assert!(trap.contains(fragment), "{fragment:?} not in: {trap}");
                }
            }
            other => panic!("`{}` was not trapped: {other:?}", self.namespace),
        }
    }

    fn live(&self) -> u32 {
        self.instance.instance().counters(&self.store).live_handles
    }
}

#[test]
fn two_tenants_opening_the_same_key_get_objects_of_their_own() {
    let host = Host::new(HostConfig::default());
    let mut a = host.start("tenants", "tenant-a");
    let mut b = host.start("tenants", "tenant-b");
    // Each is told to expect a miss: a leak through the shared cache would
    // make B's open a hit, and B's own assertion would fail.
    host.tell("tenant-a", "expect miss");
    host.tell("tenant-b", "expect miss");
    a.run_passes();
    b.run_passes();
    assert_eq!(host.host.cache_stats().entries, 2, "one object per tenant");
    assert_eq!(host.census.made(), 2);
    drop((a, b));
    host.assert_balanced();
}

#[test]
fn a_restarted_instance_finds_its_released_objects_warm_in_the_cache() {
    let host = Host::new(HostConfig::default());
    let mut first = host.start("tenants", "tenant-a");
    host.tell("tenant-a", "expect miss");
    first.run_passes();
    drop(first);
    assert_eq!(host.census.alive(), 1, "the pattern outlived its instance");

    // The guest checks through its introspection counters that the open
    // was a cache hit that compiled nothing.
    let mut restarted = host.start("tenants", "tenant-a");
    host.tell("tenant-a", "expect hit");
    restarted.run_passes();
    drop(restarted);
    assert_eq!(host.census.made(), 1);
    host.assert_balanced();
}

#[test]
fn modules_the_embedder_puts_in_one_namespace_share_its_objects() {
    let host = Host::new(HostConfig::default());
    let mut one = host.start("tenants", "shared");
    let mut other = host.start("tenants", "shared");
    host.tell("shared", "expect miss");
    host.tell("shared", "expect hit");
    one.run_passes();
    other.run_passes();
    drop((one, other));
    assert_eq!(host.census.made(), 1);
    host.assert_balanced();
}

#[test]
fn a_grant_between_tenants_gives_each_the_same_object() {
    let host = Host::new(HostConfig::default());
    let mut a = host.start("grants", "tenant-a");
    let mut b = host.start("grants", "tenant-b");
    host.tell("tenant-a", "give pattern tenant-b take pattern ok");
    host.tell("tenant-a", "give bucket tenant-b take bucket ok");
    a.run_passes();
    assert_eq!(host.host.grants().outstanding(), 2);
    // B redeems both (checking forged and replayed tokens are refused) and
    // writes into the shared bucket.
    b.run_passes();
    assert_eq!(host.host.grants().outstanding(), 0);
    assert_eq!((a.live(), b.live()), (2, 2));
    // A sees B's write: one bucket, two holders.
    host.tell("tenant-a", "expect-entry from-taker hi");
    a.run_passes();
    assert_eq!(host.census.made(), 2, "granting copied nothing");
    drop((a, b));
    host.assert_balanced();
}

/// Tenant A gives B tokens under `instructions`, B finds each refused as
/// its instruction says, and holds nothing after.
fn refused_grants(host: Host, instructions: &[&str]) {
    let mut a = host.start("grants", "tenant-a");
    let mut b = host.start("grants", "tenant-b");
    for instruction in instructions {
        host.tell("tenant-a", instruction);
    }
    a.run_passes();
    b.run_passes();
    assert_eq!(b.live(), 0);
    drop((a, b));
    host.assert_balanced();
}

#[test]
fn a_token_redeemed_as_another_type_is_refused() {
    refused_grants(
        Host::new(HostConfig::default()),
        &[
            "give pattern tenant-b take bucket wrong-type",
            "give bucket tenant-b take pattern wrong-type",
        ],
    );
}

#[test]
fn an_expired_token_is_refused() {
    refused_grants(
        Host::with_ttl(Duration::ZERO),
        &[
            "give pattern tenant-b take pattern expired",
            "give bucket tenant-b take bucket expired",
        ],
    );
}

#[test]
fn forged_tokens_are_refused() {
    let host = Host::new(HostConfig::default());
    let mut b = host.start("grants", "tenant-b");
    for (high, low) in [(0, 0), (u64::MAX, u64::MAX), (0x0123_4567, 0x89ab_cdef)] {
        host.mailbox
            .send(
                "host",
                "tenant-b",
                "take pattern unknown".into(),
                Some(Token { high, low }),
            )
            .unwrap();
    }
    b.run_passes();
    drop(b);
    host.assert_balanced();
}

#[test]
fn revoking_an_object_is_seen_by_every_holder() {
    let host = Host::new(HostConfig::default());
    let mut a = host.start("grants", "tenant-a");
    let mut b = host.start("grants", "tenant-b");
    let mut c = host.start("grants", "tenant-c");
    host.tell("tenant-a", "give pattern tenant-b take pattern ok");
    host.tell("tenant-a", "give pattern tenant-c take pattern ok");
    // A third token stays unredeemed until after the revocation.
    host.tell("tenant-a", "give pattern tenant-c take pattern revoked");
    a.run_passes();
    b.run_passes();
    // C redeems the first token now, and keeps the other for later.
    let pending = {
        let first = host.mailbox.receive("tenant-c").unwrap();
        let second = host.mailbox.receive("tenant-c").unwrap();
        host.mailbox
            .send(&first.sender, "tenant-c", first.subject, first.token)
            .unwrap();
        second
    };
    c.run_passes();
    for tenant in [&a, &b, &c] {
        assert_eq!(tenant.live(), 1);
    }

    let key = cache_key(GRANTED_SOURCE, MatchOptions::default());
    assert!(host.host.revoke_key::<Pattern>("tenant-a", &key));
    assert!(!host.host.revoke_key::<Pattern>("tenant-a", &key), "once");

    // The token issued before the revocation is refused as revoked.
    host.mailbox
        .send(&pending.sender, "tenant-c", pending.subject, pending.token)
        .unwrap();
    c.run_passes();

    for tenant in [&mut a, &mut b, &mut c] {
        host.tell(tenant.namespace, "use");
        tenant.run_traps(&[
            "#[method]pattern.is-match",
            "bad `pattern` handle",
            "was revoked by the host",
        ]);
        // A trapped instance is not entered again.
        assert!(matches!(tenant.run(), Err(CallError::Poisoned { .. })));
        assert_eq!(tenant.live(), 1, "the revoked handle waits for teardown");
    }
    // The host goes on, and ending the holders releases their handles.
    let mut d = host.start("tenants", "tenant-a");
    host.tell("tenant-a", "expect miss");
    d.run_passes();
    drop((a, b, c, d));
    assert_eq!(host.census.dropped(), 1, "the revoked pattern is gone");
    host.assert_balanced();
}
