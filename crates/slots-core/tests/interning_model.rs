//! Keyed opens through a `ResourceTable` and a shared `ObjectCache`, against
//! a plain map model: which keys are held and how often, which objects the
//! cache has made, and what each lookup should have counted.
//!
//! Two resource types share the table and use equal keys, so interning must
//! keep them apart. When the cache bound covers every key of a type nothing
//! is evicted and the model predicts hits, misses and creations exactly;
//! with a smaller bound (or a table limit small enough to refuse opens) it
//! checks what must hold whatever the eviction policy picks: held objects
//! stay pinned and identical, every lookup counts once, and every object
//! alive is in the cache.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use slots_core::{
    CacheLimits, Handle, HandleError, InsertError, Lookup, ObjectCache, OpenError, RawHandle,
    Resource, ResourceTable, Shared, TableLimits,
};

prop_state_machine! {
    #![proptest_config(Config {
        cases: 256,
        max_shrink_iters: 4096,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/interning_model.txt",
        ))),
        .. Config::default()
    })]

    #[test]
    fn interning_and_the_cache_agree_with_the_map_model(sequential 1..120 => InterningTest);
}

/// Keys per resource type.
const KEYS: u8 = 4;

/// A resource of kind `K` (0: alpha, 1: beta) that counts its drops.
struct Object<const K: u8> {
    key: u8,
    dropped: Arc<AtomicUsize>,
}

impl<const K: u8> Drop for Object<K> {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

impl Resource for Object<0> {
    const NAME: &'static str = "alpha";
}

impl Resource for Object<1> {
    const NAME: &'static str = "beta";
}

/// A key of one resource type: (kind, key).
type Key = (u8, u8);

/// What the model expects of one cache (one per resource type).
#[derive(Clone, Debug, Default)]
struct CacheModel {
    lookups: u64,
    /// Exact counts, meaningful when nothing can be evicted.
    hits: u64,
    misses: u64,
    creations: u64,
    failed: u64,
}

#[derive(Clone, Debug)]
struct Model {
    table_limit: u32,
    cache_bound: u64,
    /// Held keys and their reference counts.
    held: BTreeMap<Key, u32>,
    /// Keys whose object the cache holds, when nothing is evicted.
    cached: BTreeSet<Key>,
    caches: [CacheModel; 2],
    /// What the last open should have returned.
    outcome: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    None,
    Interned,
    Opened,
    Quota,
    CreateFailed,
}

impl Model {
    /// The cache never evicts: it can hold every key of its type.
    fn exact(&self) -> bool {
        self.cache_bound >= u64::from(KEYS)
    }
}

#[derive(Clone, Debug)]
enum Transition {
    Open(Key),
    /// An open whose creation fails if it runs (only when the model can
    /// tell whether the cache will serve it).
    OpenFailing(Key),
    /// Release one reference to a held key.
    Release(Key),
    /// Look a key up: held, released (stale) or never opened.
    Get(Key),
    Forged(u32),
}

fn key() -> impl Strategy<Value = Key> {
    (0..2u8, 0..KEYS)
}

struct InterningModel;

impl ReferenceStateMachine for InterningModel {
    type State = Model;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<Model> {
        (
            prop_oneof![Just(2u32), Just(3), Just(64)],
            prop_oneof![Just(2u64), Just(3), Just(64)],
        )
            .prop_map(|(table_limit, cache_bound)| Model {
                table_limit,
                cache_bound,
                held: BTreeMap::new(),
                cached: BTreeSet::new(),
                caches: Default::default(),
                outcome: Outcome::None,
            })
            .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Transition> {
        let common = prop_oneof![
            6 => key().prop_map(Transition::Open),
            3 => key().prop_map(Transition::Get),
            1 => any::<u32>().prop_map(Transition::Forged),
        ];
        let held: Vec<Key> = state.held.keys().copied().collect();
        let failing = if state.exact() { 2 } else { 0 };
        if held.is_empty() {
            return prop_oneof![
                10 => common,
                failing => key().prop_map(Transition::OpenFailing),
            ]
            .boxed();
        }
        prop_oneof![
            10 => common,
            failing => key().prop_map(Transition::OpenFailing),
            5 => proptest::sample::select(held).prop_map(Transition::Release),
        ]
        .boxed()
    }

    fn preconditions(state: &Model, transition: &Transition) -> bool {
        match transition {
            Transition::Release(key) => state.held.contains_key(key),
            Transition::OpenFailing(_) => state.exact(),
            _ => true,
        }
    }

    fn apply(mut state: Model, transition: &Transition) -> Model {
        state.outcome = Outcome::None;
        match *transition {
            Transition::Open(key) | Transition::OpenFailing(key) => {
                let fails = matches!(transition, Transition::OpenFailing(_));
                if let Some(refs) = state.held.get_mut(&key) {
                    *refs += 1;
                    state.outcome = Outcome::Interned;
                    return state;
                }
                let exact = state.exact();
                let cache = &mut state.caches[usize::from(key.0)];
                cache.lookups += 1;
                if state.cached.contains(&key) {
                    cache.hits += 1;
                } else if fails {
                    cache.misses += 1;
                    cache.failed += 1;
                    state.outcome = Outcome::CreateFailed;
                    return state;
                } else {
                    cache.misses += 1;
                    cache.creations += 1;
                    if exact {
                        state.cached.insert(key);
                    }
                }
                if state.held.len() < state.table_limit as usize {
                    state.held.insert(key, 1);
                    state.outcome = Outcome::Opened;
                } else {
                    state.outcome = Outcome::Quota;
                }
            }
            Transition::Release(key) => {
                if let Some(refs) = state.held.get_mut(&key) {
                    *refs -= 1;
                    if *refs == 0 {
                        state.held.remove(&key);
                    }
                }
            }
            Transition::Get(_) | Transition::Forged(_) => {}
        }
        state
    }
}

/// One resource type's cache and object counters.
struct Kind<const K: u8> {
    cache: ObjectCache<u8, Shared<Object<K>>>,
    created: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
}

impl<const K: u8> Kind<K>
where
    Object<K>: Resource,
{
    fn new(bound: u64) -> Self {
        Self {
            cache: ObjectCache::new(CacheLimits::entries(bound)),
            created: Arc::default(),
            dropped: Arc::default(),
        }
    }

    /// A keyed open through the cache; a failing one errs if it must create.
    fn open(
        &self,
        table: &mut ResourceTable<u8>,
        key: u8,
        fails: bool,
    ) -> Result<(Handle<Object<K>>, bool), OpenError<&'static str>> {
        let opened = table.open(key, |&key| {
            let created = self.created.load(Ordering::SeqCst);
            let (object, how) = self.cache.get_or_create(&key, || {
                if fails {
                    return Err("creation failed");
                }
                self.created.fetch_add(1, Ordering::SeqCst);
                Ok(Shared::new(Object {
                    key,
                    dropped: self.dropped.clone(),
                }))
            })?;
            let made = self.created.load(Ordering::SeqCst) - created;
            assert_eq!(made, usize::from(how == Lookup::Created));
            Ok(object)
        })?;
        Ok((opened.handle, opened.interned))
    }

    fn check(&self, table: &ResourceTable<u8>, model: &Model, handles: &HashMap<Key, RawHandle>) {
        let expected = &model.caches[usize::from(K)];
        let stats = self.cache.stats();
        let created = self.created.load(Ordering::SeqCst) as u64;
        let dropped = self.dropped.load(Ordering::SeqCst) as u64;
        assert_eq!(stats.hits + stats.misses, expected.lookups);
        assert_eq!(stats.creations, created);
        assert_eq!(stats.creations + expected.failed, stats.misses);
        // Every object alive is in the cache, pinned or warm; every other
        // one was evicted and dropped.
        assert_eq!(created - dropped, stats.entries);
        assert_eq!(stats.evictions, dropped);
        if model.exact() {
            assert_eq!(
                (stats.hits, stats.misses, stats.creations),
                (expected.hits, expected.misses, expected.creations)
            );
            assert_eq!(stats.evictions, 0);
            let cached = model.cached.iter().filter(|(kind, _)| *kind == K).count();
            assert_eq!(stats.entries, cached as u64);
        }
        // Held objects are pinned: the cache's object is the table's.
        for (&(kind, key), &raw) in handles {
            if kind != K {
                continue;
            }
            let held = table.get::<Object<K>>(raw).unwrap();
            assert_eq!(held.key, key);
            assert!(std::ptr::eq(held, self.cache.peek(&key).unwrap().value()));
        }
    }
}

struct Sut {
    table: ResourceTable<u8>,
    alpha: Kind<0>,
    beta: Kind<1>,
    /// The handle of each held key.
    handles: HashMap<Key, RawHandle>,
    /// The last handle each key ever had.
    last: HashMap<Key, RawHandle>,
    /// Every handle ever issued.
    issued: HashSet<u32>,
}

impl Sut {
    fn open(
        &mut self,
        key: Key,
        fails: bool,
    ) -> Result<(RawHandle, bool), OpenError<&'static str>> {
        match key.0 {
            0 => self
                .alpha
                .open(&mut self.table, key.1, fails)
                .map(|(h, i)| (h.raw(), i)),
            _ => self
                .beta
                .open(&mut self.table, key.1, fails)
                .map(|(h, i)| (h.raw(), i)),
        }
    }

    fn get(&self, kind: u8, raw: RawHandle) -> Result<u8, HandleError> {
        match kind {
            0 => self.table.get::<Object<0>>(raw).map(|o| o.key),
            _ => self.table.get::<Object<1>>(raw).map(|o| o.key),
        }
    }

    fn release(&mut self, kind: u8, raw: RawHandle) -> Result<bool, HandleError> {
        match kind {
            0 => self.table.release::<Object<0>>(raw),
            _ => self.table.release::<Object<1>>(raw),
        }
    }
}

const NAMES: [&str; 2] = ["alpha", "beta"];

struct InterningTest;

impl StateMachineTest for InterningTest {
    type SystemUnderTest = Sut;
    type Reference = InterningModel;

    fn init_test(model: &Model) -> Sut {
        Sut {
            table: ResourceTable::with_limits(TableLimits::new(model.table_limit).unwrap()),
            alpha: Kind::new(model.cache_bound),
            beta: Kind::new(model.cache_bound),
            handles: HashMap::new(),
            last: HashMap::new(),
            issued: HashSet::new(),
        }
    }

    fn apply(mut sut: Sut, model: &Model, transition: Transition) -> Sut {
        match transition {
            Transition::Open(key) | Transition::OpenFailing(key) => {
                let fails = matches!(transition, Transition::OpenFailing(_));
                let result = sut.open(key, fails);
                match (model.outcome, result) {
                    (Outcome::Interned, Ok((raw, interned))) => {
                        assert!(interned);
                        // Same key, same handle while held.
                        assert_eq!(Some(&raw), sut.handles.get(&key));
                    }
                    (Outcome::Opened, Ok((raw, interned))) => {
                        assert!(!interned);
                        assert!(sut.issued.insert(raw.to_bits()), "{raw} reissued");
                        sut.handles.insert(key, raw);
                        sut.last.insert(key, raw);
                    }
                    (
                        Outcome::Quota,
                        Err(OpenError::Insert(InsertError::QuotaExceeded { limit })),
                    ) => {
                        assert_eq!(limit, model.table_limit);
                    }
                    (Outcome::CreateFailed, Err(OpenError::Create(_))) => {}
                    (expected, got) => panic!("open {key:?}: expected {expected:?}, got {got:?}"),
                }
            }
            Transition::Release(key) => {
                let raw = sut.handles[&key];
                let freed = sut.release(key.0, raw).unwrap();
                assert_eq!(freed, !model.held.contains_key(&key));
                if freed {
                    sut.handles.remove(&key);
                    assert!(matches!(
                        sut.get(key.0, raw),
                        Err(HandleError::Stale { .. })
                    ));
                }
            }
            Transition::Get(key) => {
                let other = 1 - key.0;
                if let Some(&raw) = sut.handles.get(&key) {
                    assert_eq!(sut.get(key.0, raw), Ok(key.1));
                    assert_eq!(
                        sut.get(other, raw),
                        Err(HandleError::WrongType {
                            handle: raw,
                            expected: NAMES[usize::from(other)],
                            found: NAMES[usize::from(key.0)],
                        })
                    );
                } else if let Some(&raw) = sut.last.get(&key) {
                    assert_eq!(sut.get(key.0, raw), Err(HandleError::Stale { handle: raw }));
                    assert_eq!(sut.get(other, raw), Err(HandleError::Stale { handle: raw }));
                    // A stale release changes nothing.
                    assert_eq!(
                        sut.release(key.0, raw),
                        Err(HandleError::Stale { handle: raw })
                    );
                }
            }
            Transition::Forged(bits) => {
                if let Some(raw) = RawHandle::from_bits(bits) {
                    let live = sut
                        .handles
                        .iter()
                        .find(|(_, h)| **h == raw)
                        .map(|(k, _)| *k);
                    for kind in 0..2 {
                        let got = sut.get(kind, raw);
                        match live {
                            Some(key) if key.0 == kind => assert_eq!(got, Ok(key.1)),
                            Some(_) => assert!(matches!(got, Err(HandleError::WrongType { .. }))),
                            None if sut.issued.contains(&bits) => {
                                assert_eq!(got, Err(HandleError::Stale { handle: raw }));
                            }
                            None => assert_eq!(got, Err(HandleError::NotFound { handle: raw })),
                        }
                    }
                }
            }
        }
        sut
    }

    fn check_invariants(sut: &Sut, model: &Model) {
        assert_eq!(sut.table.len(), model.held.len());
        assert_eq!(sut.table.stats().live as usize, model.held.len());
        let held: BTreeSet<Key> = sut.handles.keys().copied().collect();
        assert_eq!(held, model.held.keys().copied().collect());
        // Distinct keys, distinct handles: alpha 1 and beta 1 included.
        let distinct: HashSet<RawHandle> = sut.handles.values().copied().collect();
        assert_eq!(distinct.len(), sut.handles.len());
        sut.alpha.check(&sut.table, model, &sut.handles);
        sut.beta.check(&sut.table, model, &sut.handles);
    }

    fn teardown(mut sut: Sut, model: Model) {
        let references: u32 = model.held.values().sum();
        assert_eq!(sut.table.clear(), u64::from(references));
        // Released, every object is now warm in its cache, or gone.
        drop(sut.table);
        for (created, dropped, entries) in [
            (
                &sut.alpha.created,
                &sut.alpha.dropped,
                sut.alpha.cache.len(),
            ),
            (&sut.beta.created, &sut.beta.dropped, sut.beta.cache.len()),
        ] {
            let alive = created.load(Ordering::SeqCst) - dropped.load(Ordering::SeqCst);
            assert_eq!(alive, entries);
        }
        let (alpha, beta) = (sut.alpha, sut.beta);
        drop(alpha.cache);
        drop(beta.cache);
        assert_eq!(
            alpha.created.load(Ordering::SeqCst),
            alpha.dropped.load(Ordering::SeqCst)
        );
        assert_eq!(
            beta.created.load(Ordering::SeqCst),
            beta.dropped.load(Ordering::SeqCst)
        );
    }
}
