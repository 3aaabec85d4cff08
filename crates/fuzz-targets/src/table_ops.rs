//! `table_ops`: operation sequences on one `ResourceTable` and a grant
//! registry, each answer checked against a model.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arbitrary::Arbitrary;
use slots_core::{
    GrantLimits, GrantRegistry, HandleError, RawHandle, RedeemError, Resource, ResourceTable,
    Shared, TableLimits, Token,
};

/// The table's live-handle limit: small, so that the quota is reached.
const MAX_LIVE: u32 = 16;

/// Operations one input may make.
const MAX_OPS: usize = 512;

/// One step of a sequence. Handles and tokens are picked by index among
/// those issued so far, live or not.
#[derive(Arbitrary, Debug)]
enum Op {
    Insert,
    Open(u8),
    Release(u8, bool),
    Get(u8, bool),
    GetMut(u8),
    Take(u8),
    TakeShared(u8),
    Share(u8),
    Revoke(u8),
    Grant(u8),
    Redeem(u8, bool),
    Forged(u32),
    Clear,
}

/// The resource types: owned by construction (`Box`) and keyed (`Key`).
#[derive(Debug)]
struct Boxed(Object);
#[derive(Debug)]
struct Keyed(Object);

impl Resource for Boxed {
    const NAME: &'static str = "boxed";
}
impl Resource for Keyed {
    const NAME: &'static str = "keyed";
}

/// An object with an identity, counted while alive.
#[derive(Debug)]
struct Object {
    id: usize,
    alive: Arc<AtomicUsize>,
}

impl Drop for Object {
    fn drop(&mut self) {
        self.alive.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Boxed,
    Keyed,
}

/// What the model knows of a live handle.
#[derive(Clone, Debug)]
struct Slot {
    kind: Kind,
    object: usize,
    refs: u32,
    key: Option<u8>,
    shared: bool,
}

#[derive(Default)]
struct Model {
    live: HashMap<u32, Slot>,
    keys: HashMap<u8, u32>,
    revoked: HashSet<usize>,
    issued: Vec<u32>,
    tokens: Vec<(Token, usize, Kind)>,
    used: HashSet<usize>,
    next_object: usize,
}

struct Run {
    table: ResourceTable<u8>,
    grants: GrantRegistry,
    model: Model,
    alive: Arc<AtomicUsize>,
    issuer: Arc<str>,
}

/// Runs the operations `data` describes on a `ResourceTable` and checks
/// every answer against a model; panics on a difference.
pub fn table_ops(data: &[u8]) {
    let ops = crate::steps::<Op>(data, MAX_OPS);
    let alive = Arc::new(AtomicUsize::new(0));
    {
        let mut run = Run {
            table: ResourceTable::with_limits(TableLimits::new(MAX_LIVE).expect("a valid limit")),
            grants: GrantRegistry::new(GrantLimits {
                max_outstanding: 1 << 20,
                max_per_issuer: 1 << 20,
                ..GrantLimits::default()
            }),
            model: Model::default(),
            alive: alive.clone(),
            issuer: "fuzz".into(),
        };
        for op in ops {
            run.apply(op);
            assert_eq!(run.table.len(), run.model.live.len(), "live handles");
        }
    }
    assert_eq!(alive.load(Ordering::SeqCst), 0, "every object was dropped");
}

impl Run {
    fn object(&mut self) -> Object {
        self.alive.fetch_add(1, Ordering::SeqCst);
        self.model.next_object += 1;
        Object {
            id: self.model.next_object,
            alive: self.alive.clone(),
        }
    }

    fn pick(&self, index: u8) -> Option<u32> {
        let issued = &self.model.issued;
        (!issued.is_empty()).then(|| issued[usize::from(index) % issued.len()])
    }

    fn issue(&mut self, bits: u32, slot: Slot) {
        assert!(
            !self.model.live.contains_key(&bits),
            "a live handle reissued"
        );
        assert!(
            !self.model.issued.contains(&bits),
            "a freed handle {bits:#x} was issued again"
        );
        self.model.live.insert(bits, slot);
        self.model.issued.push(bits);
    }

    fn full(&self) -> bool {
        self.model.live.len() >= MAX_LIVE as usize
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Insert => self.insert(),
            Op::Open(key) => self.open(key % 8),
            Op::Release(i, as_keyed) => self.release(i, as_keyed),
            Op::Get(i, as_keyed) => {
                if let Some(bits) = self.pick(i) {
                    self.get(bits, as_keyed);
                }
            }
            Op::GetMut(i) => self.get_mut(i),
            Op::Take(i) => self.take(i),
            Op::TakeShared(i) => self.take_shared(i),
            Op::Share(i) => {
                self.share(i);
            }
            Op::Revoke(i) => {
                if let Some(object) = self.share(i) {
                    assert_eq!(object.0.revoke(), self.model.revoked.insert(object.1));
                }
            }
            Op::Grant(i) => self.grant(i),
            Op::Redeem(i, as_keyed) => self.redeem(i, as_keyed),
            Op::Forged(bits) => {
                if !self.model.live.contains_key(&bits)
                    && let Some(raw) = RawHandle::from_bits(bits)
                {
                    assert!(self.table.get::<Boxed>(raw).is_err());
                    assert!(self.table.get::<Keyed>(raw).is_err());
                }
            }
            Op::Clear => {
                let refs: u64 = self.model.live.values().map(|s| u64::from(s.refs)).sum();
                assert_eq!(self.table.clear(), refs);
                self.model.live.clear();
                self.model.keys.clear();
            }
        }
    }

    fn insert(&mut self) {
        let object = self.object();
        let id = object.id;
        match self.table.insert(Boxed(object)) {
            Ok(handle) => {
                assert!(!self.full(), "an insert past the quota");
                let slot = Slot {
                    kind: Kind::Boxed,
                    object: id,
                    refs: 1,
                    key: None,
                    shared: false,
                };
                self.issue(handle.raw().to_bits(), slot);
            }
            Err(_) => assert!(self.full(), "an insert refused below the quota"),
        }
    }

    fn open(&mut self, key: u8) {
        let held = self.model.keys.get(&key).copied();
        let fresh = match held {
            Some(bits) => {
                let slot = &self.model.live[&bits];
                self.model.revoked.contains(&slot.object)
            }
            None => true,
        };
        let object = self.object();
        let id = object.id;
        let opened = self
            .table
            .open(key, |_| Ok::<_, ()>(Shared::new(Keyed(object))));
        let bits = match (held, fresh) {
            (Some(bits), false) => {
                let opened = opened.expect("an interned open cannot fail");
                assert!(opened.interned);
                assert_eq!(opened.handle.raw().to_bits(), bits);
                self.model.live.get_mut(&bits).expect("live").refs += 1;
                return;
            }
            _ => bits_of(opened.map(|o| o.handle.raw())),
        };
        if let Some(old) = held {
            // A revoked object is let go of its key.
            self.model.live.get_mut(&old).expect("live").key = None;
            self.model.keys.remove(&key);
        }
        match bits {
            Some(bits) => {
                assert!(!self.full());
                let slot = Slot {
                    kind: Kind::Keyed,
                    object: id,
                    refs: 1,
                    key: Some(key),
                    shared: true,
                };
                self.issue(bits, slot);
                self.model.keys.insert(key, bits);
            }
            None => assert!(self.full(), "an open refused below the quota"),
        }
    }

    /// Expects `result` for `bits` as a `kind`: `Ok` exactly when the model
    /// says the handle is live, of that kind, and not revoked.
    fn expect_usable<T>(&self, bits: u32, kind: Kind, result: &Result<T, HandleError>) {
        let slot = self.model.live.get(&bits);
        match (slot, result) {
            (None, Ok(_)) => panic!("{bits:#x} resolved, but it is not live"),
            (None, Err(_)) => {}
            (Some(slot), Err(HandleError::Revoked { .. })) => {
                assert!(self.model.revoked.contains(&slot.object), "revoked wrongly");
            }
            (Some(slot), Err(HandleError::WrongType { .. })) => assert_ne!(slot.kind, kind),
            (Some(slot), Ok(_)) => {
                assert_eq!(slot.kind, kind);
                assert!(!self.model.revoked.contains(&slot.object));
            }
            (Some(_), Err(other)) => panic!("{bits:#x} is live but: {other}"),
        }
    }

    fn get(&mut self, bits: u32, as_keyed: bool) {
        let Some(raw) = RawHandle::from_bits(bits) else {
            return;
        };
        let (kind, id) = if as_keyed {
            let got = self.table.get::<Keyed>(raw);
            self.expect_usable(bits, Kind::Keyed, &got);
            (Kind::Keyed, got.ok().map(|o| o.0.id))
        } else {
            let got = self.table.get::<Boxed>(raw);
            self.expect_usable(bits, Kind::Boxed, &got);
            (Kind::Boxed, got.ok().map(|o| o.0.id))
        };
        if let Some(id) = id {
            let slot = &self.model.live[&bits];
            assert_eq!((slot.kind, slot.object), (kind, id), "the wrong object");
        }
    }

    fn get_mut(&mut self, i: u8) {
        let Some(raw) = self.pick(i).and_then(RawHandle::from_bits) else {
            return;
        };
        let bits = raw.to_bits();
        let got = self.table.get_mut::<Boxed>(raw).map(|o| o.0.id);
        match (self.model.live.get(&bits), got) {
            (Some(slot), Ok(id)) => {
                assert!(slot.kind == Kind::Boxed && !slot.shared && slot.object == id);
            }
            (Some(slot), Err(_)) => assert!(slot.kind != Kind::Boxed || slot.shared),
            (None, got) => assert!(got.is_err()),
        }
    }

    fn release(&mut self, i: u8, as_keyed: bool) {
        let Some(bits) = self.pick(i) else { return };
        let Some(raw) = RawHandle::from_bits(bits) else {
            return;
        };
        let kind = if as_keyed { Kind::Keyed } else { Kind::Boxed };
        let released = match kind {
            Kind::Keyed => self.table.release::<Keyed>(raw),
            Kind::Boxed => self.table.release::<Boxed>(raw),
        };
        match (self.model.live.get(&bits).cloned(), released) {
            (None, result) => assert!(result.is_err(), "a dead handle released"),
            (Some(slot), Err(HandleError::WrongType { .. })) => assert_ne!(slot.kind, kind),
            (Some(slot), Err(other)) => panic!("release of a live {slot:?}: {other}"),
            (Some(slot), Ok(freed)) => {
                assert_eq!(slot.kind, kind);
                assert_eq!(freed, slot.refs == 1);
                self.drop_ref(bits);
            }
        }
    }

    /// The model's side of one reference released.
    fn drop_ref(&mut self, bits: u32) {
        let slot = self.model.live.get_mut(&bits).expect("live");
        slot.refs -= 1;
        if slot.refs == 0 {
            let slot = self.model.live.remove(&bits).expect("live");
            if let Some(key) = slot.key {
                self.model.keys.remove(&key);
            }
        }
    }

    fn take(&mut self, i: u8) {
        let Some(raw) = self.pick(i).and_then(RawHandle::from_bits) else {
            return;
        };
        let bits = raw.to_bits();
        let taken = self.table.take::<Boxed>(raw).map(|o| o.0.id);
        match (self.model.live.get(&bits).cloned(), taken) {
            (Some(slot), Ok(id)) => {
                assert!(slot.kind == Kind::Boxed && !slot.shared && slot.object == id);
                self.model.live.remove(&bits);
            }
            (Some(slot), Err(_)) => assert!(slot.kind != Kind::Boxed || slot.shared),
            (None, taken) => assert!(taken.is_err()),
        }
    }

    fn take_shared(&mut self, i: u8) {
        let Some(raw) = self.pick(i).and_then(RawHandle::from_bits) else {
            return;
        };
        let bits = raw.to_bits();
        let taken = self.table.take_shared::<Boxed>(raw);
        self.expect_usable(bits, Kind::Boxed, &taken);
        if let Ok(object) = taken {
            let slot = self.model.live[&bits].clone();
            assert_eq!(object.0.id, slot.object);
            match slot.shared {
                true => self.drop_ref(bits),
                false => {
                    self.model.live.remove(&bits);
                }
            }
        }
    }

    /// Shares the object behind a picked handle (as its own kind), and
    /// returns its cell and id.
    fn share(&mut self, i: u8) -> Option<(SharedAny, usize)> {
        let bits = self.pick(i)?;
        let raw = RawHandle::from_bits(bits)?;
        let kind = self.model.live.get(&bits).map_or(Kind::Boxed, |s| s.kind);
        let shared = match kind {
            Kind::Boxed => self.table.share::<Boxed>(raw).map(SharedAny::Boxed),
            Kind::Keyed => self.table.share::<Keyed>(raw).map(SharedAny::Keyed),
        };
        self.expect_usable(bits, kind, &shared);
        let shared = shared.ok()?;
        let slot = self.model.live.get_mut(&bits).expect("live");
        slot.shared = true;
        assert_eq!(shared.id(), slot.object);
        Some((shared, slot.object))
    }

    fn grant(&mut self, i: u8) {
        let Some(bits) = self.pick(i) else { return };
        let Some(raw) = RawHandle::from_bits(bits) else {
            return;
        };
        let kind = self.model.live.get(&bits).map_or(Kind::Boxed, |s| s.kind);
        let granted = match kind {
            Kind::Boxed => self.table.grant::<Boxed>(raw, &self.grants, &self.issuer),
            Kind::Keyed => self.table.grant::<Keyed>(raw, &self.grants, &self.issuer),
        };
        let as_handle = granted.as_ref().map_err(|e| match e {
            slots_core::GrantError::Handle(h) => h.clone(),
            other => panic!("grant refused: {other}"),
        });
        self.expect_usable(bits, kind, &as_handle);
        if let Ok(token) = granted {
            let slot = self.model.live.get_mut(&bits).expect("live");
            slot.shared = true;
            self.model.tokens.push((token, slot.object, kind));
        }
    }

    fn redeem(&mut self, i: u8, as_keyed: bool) {
        let tokens = &self.model.tokens;
        if tokens.is_empty() {
            return;
        }
        let index = usize::from(i) % tokens.len();
        let (token, object, kind) = tokens[index];
        let wanted = if as_keyed { Kind::Keyed } else { Kind::Boxed };
        let redeemed = match wanted {
            Kind::Keyed => self
                .table
                .redeem::<Keyed>(&self.grants, token)
                .map(|h| h.raw()),
            Kind::Boxed => self
                .table
                .redeem::<Boxed>(&self.grants, token)
                .map(|h| h.raw()),
        };
        let first = self.model.used.insert(index);
        let expected = if !first {
            Err(RedeemError::Unknown)
        } else if kind != wanted {
            Err(RedeemError::WrongType {
                expected: name(wanted),
                found: name(kind),
            })
        } else if self.model.revoked.contains(&object) {
            Err(RedeemError::Revoked)
        } else if self.full() {
            Err(RedeemError::Insert(
                slots_core::InsertError::QuotaExceeded { limit: MAX_LIVE },
            ))
        } else {
            Ok(())
        };
        match (expected, redeemed) {
            (Ok(()), Ok(raw)) => {
                let slot = Slot {
                    kind,
                    object,
                    refs: 1,
                    key: None,
                    shared: true,
                };
                self.issue(raw.to_bits(), slot);
            }
            (Err(expected), Err(found)) => assert_eq!(found, expected),
            (expected, found) => panic!("redeem: expected {expected:?}, got {found:?}"),
        }
    }
}

/// The cell of a shared object of either kind.
enum SharedAny {
    Boxed(Arc<Shared<Boxed>>),
    Keyed(Arc<Shared<Keyed>>),
}

impl SharedAny {
    fn id(&self) -> usize {
        match self {
            Self::Boxed(o) => o.0.id,
            Self::Keyed(o) => o.0.id,
        }
    }

    fn revoke(&self) -> bool {
        match self {
            Self::Boxed(o) => o.revoke(),
            Self::Keyed(o) => o.revoke(),
        }
    }
}

fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::Boxed => Boxed::NAME,
        Kind::Keyed => Keyed::NAME,
    }
}

fn bits_of<E>(result: Result<RawHandle, E>) -> Option<u32> {
    result.ok().map(RawHandle::to_bits)
}
