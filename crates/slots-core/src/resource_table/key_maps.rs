//! [`KeyMaps`]: the interned keys of a table, one map per resource type.

use std::any::TypeId;
use std::collections::HashMap;
use std::hash::Hash;

use foldhash::fast::RandomState;

use crate::RawHandle;

/// The live handle of each interned key, per resource type.
///
/// The types are few (the host's keyed resources) and come from the host,
/// never from a guest, so they sit in a list searched by comparison: cheaper
/// on every open than hashing a `TypeId` into an outer map. Keys come from
/// guests, so each type's map uses foldhash with a random seed per map:
/// fast, and not open to precomputed collisions.
pub(super) struct KeyMaps<K> {
    maps: Vec<(TypeId, HashMap<K, RawHandle, RandomState>)>,
}

impl<K: Hash + Eq> KeyMaps<K> {
    pub(super) fn new() -> Self {
        Self { maps: Vec::new() }
    }

    /// The keys of the resource type `type_id`, if it has any.
    #[inline]
    pub(super) fn of(&self, type_id: TypeId) -> Option<&HashMap<K, RawHandle, RandomState>> {
        self.maps
            .iter()
            .find(|(id, _)| *id == type_id)
            .map(|(_, keys)| keys)
    }

    /// The keys of the resource type `type_id`, mutably, if it has any.
    #[inline]
    pub(super) fn of_mut(
        &mut self,
        type_id: TypeId,
    ) -> Option<&mut HashMap<K, RawHandle, RandomState>> {
        self.maps
            .iter_mut()
            .find(|(id, _)| *id == type_id)
            .map(|(_, keys)| keys)
    }

    /// The keys of the resource type `type_id`, made empty if it had none.
    pub(super) fn of_or_new(&mut self, type_id: TypeId) -> &mut HashMap<K, RawHandle, RandomState> {
        let index = match self.maps.iter().position(|(id, _)| *id == type_id) {
            Some(index) => index,
            None => {
                self.maps.push((type_id, HashMap::default()));
                self.maps.len() - 1
            }
        };
        &mut self.maps[index].1
    }

    /// Forgets every key.
    pub(super) fn clear(&mut self) {
        self.maps.clear();
    }
}
