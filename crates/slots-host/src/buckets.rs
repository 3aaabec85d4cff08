//! `bucket`: plain host objects, one per constructor call, never shared.

use std::collections::BTreeMap;
use std::sync::Arc;

use host_wasmer::typed::Own;
use host_wasmer::{Ctx, HostError};
use slots_core::{Handle, Resource};

use crate::patterns::Pattern;
use crate::types::{Entry, Error};
use crate::{Budget, HostData};

/// A named map from string keys to byte values, charged to its instance's
/// [`Budget`].
#[derive(Debug)]
pub struct Bucket {
    name: String,
    entries: BTreeMap<String, Vec<u8>>,
    /// Bytes of keys, values and name charged to `budget`.
    bytes: u64,
    budget: Arc<Budget>,
}

impl Resource for Bucket {
    const NAME: &'static str = "bucket";
}

impl Drop for Bucket {
    fn drop(&mut self) {
        self.budget.release(self.bytes);
    }
}

fn size(key: &str, value: &[u8]) -> u64 {
    (key.len() + value.len()) as u64
}

impl Bucket {
    fn new(name: String, budget: Arc<Budget>) -> Result<Self, HostError> {
        let bytes = name.len() as u64;
        if !budget.reserve(bytes) {
            return Err(HostError::msg(
                "bucket data quota exceeded by the bucket's name",
            ));
        }
        Ok(Self {
            name,
            entries: BTreeMap::new(),
            bytes,
            budget,
        })
    }

    fn put(&mut self, key: String, value: Vec<u8>) -> Result<Option<Vec<u8>>, Error> {
        let added = size(&key, &value);
        if !self.budget.reserve(added) {
            return Err(Error::QuotaExceeded(format!(
                "bucket data: {} of {} bytes in use, {added} more do not fit",
                self.budget.used(),
                self.budget.limit()
            )));
        }
        self.bytes += added;
        let old = self.entries.insert(key.clone(), value);
        if let Some(old) = &old {
            self.forget(size(&key, old));
        }
        Ok(old)
    }

    fn forget(&mut self, bytes: u64) {
        self.bytes = self.bytes.saturating_sub(bytes);
        self.budget.release(bytes);
    }

    /// Takes every entry out, leaving the name's bytes charged.
    fn take_entries(&mut self) -> BTreeMap<String, Vec<u8>> {
        let entries = std::mem::take(&mut self.entries);
        let bytes: u64 = entries.iter().map(|(k, v)| size(k, v)).sum();
        self.forget(bytes);
        entries
    }
}

/// `[constructor]bucket`.
pub fn new(cx: &mut Ctx<'_, HostData>, name: String) -> Result<Own<Bucket>, HostError> {
    let budget = cx.data().budget.clone();
    Ok(Own::new(Bucket::new(name, budget)?))
}

/// `[method]bucket.name`.
pub fn name(cx: &mut Ctx<'_, HostData>, this: Handle<Bucket>) -> Result<String, HostError> {
    Ok(cx.get(this)?.name.clone())
}

/// `[method]bucket.put`.
pub fn put(
    cx: &mut Ctx<'_, HostData>,
    this: Handle<Bucket>,
    key: String,
    value: Vec<u8>,
) -> Result<Result<Option<Vec<u8>>, Error>, HostError> {
    Ok(cx.get_mut(this)?.put(key, value))
}

/// `[method]bucket.get`.
pub fn get(
    cx: &mut Ctx<'_, HostData>,
    this: Handle<Bucket>,
    key: String,
) -> Result<Option<Vec<u8>>, HostError> {
    Ok(cx.get(this)?.entries.get(&key).cloned())
}

/// `[method]bucket.remove`.
pub fn remove(
    cx: &mut Ctx<'_, HostData>,
    this: Handle<Bucket>,
    key: String,
) -> Result<Result<Vec<u8>, Error>, HostError> {
    let bucket = cx.get_mut(this)?;
    Ok(match bucket.entries.remove(&key) {
        Some(value) => {
            bucket.forget(size(&key, &value));
            Ok(value)
        }
        None => Err(Error::NotFound(format!("key `{key}`"))),
    })
}

/// `[method]bucket.len`.
pub fn len(cx: &mut Ctx<'_, HostData>, this: Handle<Bucket>) -> Result<u32, HostError> {
    // A bucket's entries fit its budget, far below 2^32.
    Ok(u32::try_from(cx.get(this)?.entries.len()).unwrap_or(u32::MAX))
}

fn to_entries(entries: BTreeMap<String, Vec<u8>>) -> Vec<Entry> {
    entries
        .into_iter()
        .map(|(key, value)| Entry { key, value })
        .collect()
}

/// `[method]bucket.entries`.
pub fn entries(cx: &mut Ctx<'_, HostData>, this: Handle<Bucket>) -> Result<Vec<Entry>, HostError> {
    Ok(to_entries(cx.get(this)?.entries.clone()))
}

/// `[method]bucket.keys-matching`: a borrowed pattern.
pub fn keys_matching(
    cx: &mut Ctx<'_, HostData>,
    this: Handle<Bucket>,
    filter: Handle<Pattern>,
) -> Result<Vec<String>, HostError> {
    let pattern = cx.get(filter)?;
    let bucket = cx.get(this)?;
    Ok(bucket
        .entries
        .keys()
        .filter(|key| pattern.is_match(key))
        .cloned()
        .collect())
}

/// `[method]bucket.absorb`: consumes an owned bucket.
pub fn absorb(
    cx: &mut Ctx<'_, HostData>,
    this: Handle<Bucket>,
    other: Own<Bucket>,
) -> Result<u32, HostError> {
    let mut other = other
        .into_owned()
        .map_err(|_| HostError::msg("a bucket is never shared"))?;
    let moved = other.take_entries();
    let count = u32::try_from(moved.len()).unwrap_or(u32::MAX);
    let bucket = cx.get_mut(this)?;
    for (key, value) in moved {
        // The bytes were released by `take_entries`; charging them again
        // cannot exceed the budget, which both buckets share.
        bucket
            .put(key, value)
            .map_err(|e| HostError::msg(format!("absorb: {e:?}")))?;
    }
    Ok(count)
}

/// `drain`: consumes an owned bucket and returns its entries.
pub fn drain(_: &mut Ctx<'_, HostData>, bucket: Own<Bucket>) -> Result<Vec<Entry>, HostError> {
    let mut bucket = bucket
        .into_owned()
        .map_err(|_| HostError::msg("a bucket is never shared"))?;
    Ok(to_entries(bucket.take_entries()))
}
