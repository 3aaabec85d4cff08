//! `bucket`: host objects made by constructor, owned by one instance until
//! it grants them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use host_wasmer::bindings::Caller;
use host_wasmer::typed::Own;
use host_wasmer::{Ctx, HostError};
use slots_core::{Borrowed, Resource};

use crate::census::Counted;
use crate::generated::slots::host::buckets::{Host, HostBucket};
use crate::patterns::Pattern;
use crate::{Budget, Entry, Error, HostData};

/// A named map from string keys to byte values, charged to the
/// [`Budget`] of the instance that made it.
///
/// A bucket starts owned by one instance. Once granted it is shared: every
/// holder reads and writes the same entries, still charged to the maker's
/// budget. The entries sit behind a lock, taken only when the bucket is
/// shared; an owned bucket is reached through `&mut` without locking.
#[derive(Debug)]
pub struct Bucket {
    name: String,
    contents: Mutex<Contents>,
    budget: Arc<Budget>,
    _counted: Counted,
}

#[derive(Debug, Default)]
struct Contents {
    entries: BTreeMap<String, Vec<u8>>,
    /// Bytes of keys, values and name charged to the budget.
    bytes: u64,
}

impl Resource for Bucket {
    const NAME: &'static str = "bucket";
}

impl Drop for Bucket {
    fn drop(&mut self) {
        let bytes = self.contents().bytes;
        self.budget.release(bytes);
    }
}

fn size(key: &str, value: &[u8]) -> u64 {
    (key.len() + value.len()) as u64
}

impl Bucket {
    /// An empty bucket called `name`, charged to `data`'s budget and counted
    /// by its census. Fails when the name alone is over the budget.
    pub fn new(name: String, data: &HostData) -> Result<Self, HostError> {
        let budget = data.budget.clone();
        let bytes = name.len() as u64;
        if !budget.reserve(bytes) {
            return Err(HostError::msg(
                "bucket data quota exceeded by the bucket's name",
            ));
        }
        Ok(Self {
            name,
            contents: Mutex::new(Contents {
                entries: BTreeMap::new(),
                bytes,
            }),
            budget,
            _counted: data.census.count(),
        })
    }

    /// The bucket's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Stores `value` under `key`, returning the value it replaced.
    pub fn put(&self, key: String, value: Vec<u8>) -> Result<Option<Vec<u8>>, Error> {
        self.lock().put(&self.budget, key, value)
    }

    /// The value under `key`, if any.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.lock().entries.get(key).cloned()
    }

    /// Removes `key`, failing with `not-found` when it is absent.
    pub fn remove(&self, key: &str) -> Result<Vec<u8>, Error> {
        self.lock()
            .remove(&self.budget, key)
            .ok_or_else(|| Error::NotFound(format!("key `{key}`")))
    }

    /// Every entry, sorted by key.
    pub fn entries(&self) -> Vec<Entry> {
        to_entries(self.lock().entries.clone())
    }

    /// The keys `pattern` matches, sorted.
    pub fn keys_matching(&self, pattern: &Pattern) -> Vec<String> {
        let contents = self.lock();
        contents
            .entries
            .keys()
            .filter(|key| pattern.is_match(key))
            .cloned()
            .collect()
    }

    /// Takes every entry out, leaving the bucket empty.
    pub fn take_entries(&self) -> Vec<Entry> {
        to_entries(self.lock().take_entries(&self.budget))
    }

    /// Moves every entry of `other` into this bucket; returns how many.
    pub fn absorb(&self, other: &Bucket) -> Result<u32, Error> {
        let moved = other.lock().take_entries(&other.budget);
        let count = u32::try_from(moved.len()).unwrap_or(u32::MAX);
        let mut contents = self.lock();
        for (key, value) in moved {
            contents.put(&self.budget, key, value)?;
        }
        Ok(count)
    }

    /// Whether the bucket has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Contents> {
        // No code panics while holding the lock, so its data is consistent
        // even if it was poisoned.
        self.contents.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn contents(&mut self) -> &mut Contents {
        self.contents
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Contents {
    fn put(
        &mut self,
        budget: &Budget,
        key: String,
        value: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, Error> {
        let added = size(&key, &value);
        if !budget.reserve(added) {
            return Err(Error::QuotaExceeded(format!(
                "bucket data: {} of {} bytes in use, {added} more do not fit",
                budget.used(),
                budget.limit()
            )));
        }
        self.bytes += added;
        let old = self.entries.insert(key.clone(), value);
        if let Some(old) = &old {
            self.forget(budget, size(&key, old));
        }
        Ok(old)
    }

    fn remove(&mut self, budget: &Budget, key: &str) -> Option<Vec<u8>> {
        let value = self.entries.remove(key)?;
        self.forget(budget, size(key, &value));
        Some(value)
    }

    fn forget(&mut self, budget: &Budget, bytes: u64) {
        self.bytes = self.bytes.saturating_sub(bytes);
        budget.release(bytes);
    }

    /// Takes every entry out, leaving the name's bytes charged.
    fn take_entries(&mut self, budget: &Budget) -> BTreeMap<String, Vec<u8>> {
        let entries = std::mem::take(&mut self.entries);
        let bytes: u64 = entries.iter().map(|(k, v)| size(k, v)).sum();
        self.forget(budget, bytes);
        entries
    }
}

/// Runs `f` on the entries of the bucket behind `this`, with the bucket's
/// budget: straight through `&mut` when the instance owns the bucket, under
/// its lock when the bucket is shared.
fn with_contents<R>(
    mut this: Borrowed<'_, Bucket>,
    f: impl FnOnce(&mut Contents, &Budget) -> R,
) -> R {
    if let Some(bucket) = this.get_mut() {
        let contents = bucket
            .contents
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        return f(contents, &bucket.budget);
    }
    let mut contents = this.lock();
    f(&mut contents, &this.budget)
}

fn to_entries(entries: BTreeMap<String, Vec<u8>>) -> Vec<Entry> {
    entries
        .into_iter()
        .map(|(key, value)| Entry { key, value })
        .collect()
}

impl HostBucket for HostData {
    /// `[constructor]bucket`.
    fn new(cx: &mut Ctx<'_, Self>, name: String) -> Result<Bucket, HostError> {
        Bucket::new(name, cx.data())
    }

    /// `[method]bucket.name`.
    fn name(_: &mut Caller<'_, Self>, this: Borrowed<'_, Bucket>) -> Result<String, HostError> {
        Ok(this.name.clone())
    }

    /// `[method]bucket.put`.
    fn put(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
        key: String,
        value: Vec<u8>,
    ) -> Result<Result<Option<Vec<u8>>, Error>, HostError> {
        Ok(with_contents(this, |contents, budget| {
            contents.put(budget, key, value)
        }))
    }

    /// `[method]bucket.get`.
    fn get(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
        key: String,
    ) -> Result<Option<Vec<u8>>, HostError> {
        Ok(with_contents(this, |contents, _| {
            contents.entries.get(&key).cloned()
        }))
    }

    /// `[method]bucket.remove`.
    fn remove(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
        key: String,
    ) -> Result<Result<Vec<u8>, Error>, HostError> {
        Ok(with_contents(this, |contents, budget| {
            contents
                .remove(budget, &key)
                .ok_or_else(|| Error::NotFound(format!("key `{key}`")))
        }))
    }

    /// `[method]bucket.len`.
    fn len(_: &mut Caller<'_, Self>, this: Borrowed<'_, Bucket>) -> Result<u32, HostError> {
        // A bucket's entries fit its budget, far below 2^32.
        Ok(with_contents(this, |contents, _| {
            u32::try_from(contents.entries.len()).unwrap_or(u32::MAX)
        }))
    }

    /// `[method]bucket.entries`.
    fn entries(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
    ) -> Result<Vec<Entry>, HostError> {
        Ok(this.entries())
    }

    /// `[method]bucket.keys-matching`: a borrowed pattern.
    fn keys_matching(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
        filter: &Pattern,
    ) -> Result<Vec<String>, HostError> {
        Ok(this.keys_matching(filter))
    }

    /// `[method]bucket.absorb`: consumes a bucket the guest owns. Absorbing a
    /// bucket into itself (two handles to one shared bucket) moves nothing.
    fn absorb(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
        other: Own<Bucket>,
    ) -> Result<u32, HostError> {
        // Entries taken from `other` were released from its budget; one that
        // does not fit `this` bucket's budget (another maker's) fails the call.
        this.absorb(&other)
            .map_err(|error| HostError::msg(format!("absorb: {error:?}")))
    }
}

impl Host for HostData {
    /// `drain`: consumes a bucket and returns its entries. Draining a shared
    /// bucket empties it for every holder.
    fn drain(_: &mut Ctx<'_, Self>, bucket: Own<Bucket>) -> Result<Vec<Entry>, HostError> {
        Ok(bucket.take_entries())
    }
}
