//! `SlotTable<T>`: the generational table at the heart of slots.

use std::num::{NonZeroU32, NonZeroU64};

use crate::{Handle, HandleError, HandleLayout, InsertError, RawHandle, TableLimits, TableStats};

/// Marks the end of the free list.
const NO_SLOT: u32 = u32::MAX;

/// A generational table of `T`s addressed by 32-bit handles.
///
/// # Guarantees
///
/// - Lookups, inserts and removals are O(1).
/// - **A freed handle is always rejected as stale.** Each slot counts its
///   own generations from 1 to [`HandleLayout::max_generation`]; freeing a
///   slot bumps its generation, and a slot whose generation is used up is
///   retired for good instead of wrapping. No handle ever names two objects,
///   however long the table lives. The price is a lifetime budget: a table
///   issues at most `slot_count × max_generation` (about 2^32) handles
///   before every slot is retired, after which inserts fail with
///   [`InsertError::Exhausted`] and the host should recycle the instance.
/// - Freed slots are reused last-in, first-out: the slot freed most recently
///   is the warmest in the CPU cache, and the generation check keeps quick
///   reuse safe.
/// - The table never holds more than [`TableLimits::max_live`] live handles;
///   one more insert fails with [`InsertError::QuotaExceeded`].
///
/// # Examples
///
/// ```
/// use slots_core::{HandleError, SlotTable};
///
/// let mut table = SlotTable::new();
/// let first = table.insert("first")?;
/// assert_eq!(table.remove(first)?, "first");
///
/// // The slot is reused, under a new generation.
/// let second = table.insert("second")?;
/// assert_ne!(first, second);
/// assert!(matches!(table.get(first), Err(HandleError::Stale { .. })));
/// assert_eq!(table.get(second)?, &"second");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SlotTable<T> {
    slots: Vec<Slot<T>>,
    /// Head of the LIFO list of vacant, unretired slots, threaded through
    /// `Slot::Vacant::next_free`; `NO_SLOT` when empty.
    free_head: u32,
    /// How many more handles may be live: `limits.max_live()` less the
    /// occupied slots. Kept instead of a live count so that an insert's
    /// quota check and count update are one subtraction.
    headroom: u32,
    /// `layout.slot_count() - 1`: a handle's bits masked by it give its
    /// slot. This and the two fields below are derived from the layout and
    /// kept here so that hot paths neither shift nor recompute them.
    index_mask: u32,
    /// `layout.slot_count()`: what one generation adds to a handle's bits.
    generation_step: u32,
    /// The lowest handle bits with the last generation: freeing a handle
    /// at or above them retires its slot.
    last_generation_bits: u32,
    limits: TableLimits,
    /// Counts `inserted` and `retired`; `live` and `removed` are derived
    /// when asked for. `peak_live` is kept lazily: live handles peak only
    /// right after a fresh slot is taken, which happens when the free list
    /// is empty, so when every slot not retired is live. The peak is thus
    /// the running maximum of `slots.len() - retired`, which only falls
    /// when a slot retires; the maximum so far is recorded then, and
    /// inserts pay nothing for it.
    stats: TableStats,
}

/// One slot.
///
/// Each slot stores handle bits, not a bare generation: a lookup then
/// compares the guest's bits with one load, and an insert hands out the
/// stored bits as they are.
///
/// An occupied slot keeps its handle as a `NonZeroU64` although it holds
/// 32 bits: the zero it never takes then marks vacant slots, so rustc lays
/// the enum out without a separate tag (a slot of `u64` takes 16 bytes, as
/// slotmap's does) and a lookup's one comparison of handle bits also
/// proves the slot occupied. Correctness does not rest on that layout;
/// only speed does.
///
/// Invariant: a slot's handle bits masked by `index_mask` are its own
/// index, and shifted right by the index bits, its generation.
#[derive(Debug)]
enum Slot<T> {
    /// Holds the object that the handle `handle` names.
    Occupied { value: T, handle: NonZeroU64 },
    /// Holds nothing. `last` is the handle of the last occupant, now
    /// stale; the next occupant gets the generation above it. A retired
    /// slot's last occupant had the last generation. `next_free` is the
    /// next vacant slot in the free list (`NO_SLOT` at its end, and for
    /// retired slots, which are off the list).
    Vacant { last: NonZeroU32, next_free: u32 },
}

impl<T> Slot<T> {
    /// Whether the slot is occupied under the handle `bits`.
    #[inline]
    fn holds(&self, bits: u32) -> bool {
        matches!(self, Self::Occupied { handle, .. } if handle.get() == u64::from(bits))
    }

    /// The value, if the slot is occupied under the handle `bits`.
    #[inline]
    fn value(&self, bits: u32) -> Option<&T> {
        match self {
            Self::Occupied { value, handle } if handle.get() == u64::from(bits) => Some(value),
            _ => None,
        }
    }

    /// The first generation of this slot that has not been freed: every
    /// one below it was issued and has been freed since.
    fn unfreed_generation(&self, layout: HandleLayout) -> u32 {
        match self {
            Self::Occupied { handle, .. } => (handle.get() as u32) >> layout.index_bits(),
            Self::Vacant { last, .. } => (last.get() >> layout.index_bits()) + 1,
        }
    }

    /// The occupant's handle, if any.
    fn occupant(&self) -> Option<RawHandle> {
        match self {
            Self::Occupied { handle, .. } => NonZeroU32::try_from(*handle)
                .ok()
                .map(RawHandle::from_issued),
            Self::Vacant { .. } => None,
        }
    }
}

impl<T> SlotTable<T> {
    /// An empty table with the default [`TableLimits`].
    ///
    /// # Examples
    ///
    /// ```
    /// let table = slots_core::SlotTable::<u8>::new();
    /// assert!(table.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::with_limits(TableLimits::default())
    }

    /// An empty table enforcing `limits`.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::{InsertError, SlotTable, TableLimits};
    ///
    /// let mut table = SlotTable::with_limits(TableLimits::new(1)?);
    /// table.insert(1)?;
    /// assert_eq!(table.insert(2), Err(InsertError::QuotaExceeded { limit: 1 }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_limits(limits: TableLimits) -> Self {
        Self {
            slots: Vec::new(),
            free_head: NO_SLOT,
            headroom: limits.max_live(),
            index_mask: limits.layout().slot_count() - 1,
            generation_step: limits.layout().slot_count(),
            last_generation_bits: limits.layout().max_generation() << limits.layout().index_bits(),
            limits,
            stats: TableStats::default(),
        }
    }

    /// The limits the table enforces.
    pub fn limits(&self) -> TableLimits {
        self.limits
    }

    /// How handles of this table split into index and generation.
    pub fn layout(&self) -> HandleLayout {
        self.limits.layout()
    }

    /// Number of live handles.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut table = slots_core::SlotTable::new();
    /// table.insert('x')?;
    /// assert_eq!(table.len(), 1);
    /// # Ok::<(), slots_core::InsertError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.live() as usize
    }

    /// Whether the table holds no live handle.
    pub fn is_empty(&self) -> bool {
        self.headroom == self.limits.max_live()
    }

    /// Slots allocated so far, live, vacant or retired: the table's footprint.
    pub fn slots_allocated(&self) -> usize {
        self.slots.len()
    }

    /// Counters of what the table has done.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut table = slots_core::SlotTable::new();
    /// let h = table.insert(1)?;
    /// table.remove(h)?;
    /// let stats = table.stats();
    /// assert_eq!((stats.live, stats.inserted, stats.removed), (0, 1, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stats(&self) -> TableStats {
        TableStats {
            live: self.live(),
            peak_live: self.stats.peak_live.max(self.unretired()),
            // Every handle issued is live or has been removed.
            removed: self.stats.inserted - u64::from(self.live()),
            ..self.stats
        }
    }

    /// Stores `value` and returns its handle.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut table = slots_core::SlotTable::new();
    /// let h = table.insert(String::from("x"))?;
    /// assert_ne!(h.to_bits(), 0);
    /// # Ok::<(), slots_core::InsertError>(())
    /// ```
    #[inline]
    pub fn insert(&mut self, value: T) -> Result<Handle<T>, InsertError> {
        let Some(headroom) = self.headroom.checked_sub(1) else {
            return Err(InsertError::QuotaExceeded {
                limit: self.limits.max_live(),
            });
        };
        let handle = match self.slots.get_mut(self.free_head as usize) {
            Some(slot) => {
                // Only vacant slots below their last generation are on the
                // free list, so the next generation up cannot overflow.
                let next = match *slot {
                    Slot::Vacant { last, next_free } => last
                        .checked_add(self.generation_step)
                        .map(|handle| (handle, next_free)),
                    Slot::Occupied { .. } => None,
                };
                let Some((handle, next_free)) = next else {
                    return Err(self.exhausted());
                };
                self.free_head = next_free;
                *slot = Slot::Occupied {
                    value,
                    handle: handle.into(),
                };
                handle
            }
            None => {
                let index = self.slots.len() as u32;
                if index > self.index_mask {
                    return Err(self.exhausted());
                }
                // Generation 1.
                let handle = NonZeroU32::MIN.saturating_add(self.index_mask) | index;
                self.slots.push(Slot::Occupied {
                    value,
                    handle: handle.into(),
                });
                handle
            }
        };
        self.headroom = headroom;
        self.stats.inserted += 1;
        Ok(Handle::from_raw(RawHandle::from_issued(handle)))
    }

    /// Occupied slots.
    #[inline]
    fn live(&self) -> u32 {
        self.limits.max_live() - self.headroom
    }

    /// Slots allocated and not retired.
    fn unretired(&self) -> u32 {
        (self.slots.len() as u64 - self.stats.retired) as u32
    }

    #[cold]
    fn exhausted(&self) -> InsertError {
        InsertError::Exhausted {
            slots: self.layout().slot_count(),
        }
    }

    /// The value behind `handle`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut table = slots_core::SlotTable::new();
    /// let h = table.insert(7)?;
    /// assert_eq!(table.get(h)?, &7);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn get(&self, handle: Handle<T>) -> Result<&T, HandleError> {
        self.get_raw(handle.raw())
    }

    /// The value behind a handle whose type the caller has not checked yet,
    /// such as one a guest passed.
    #[inline]
    pub fn get_raw(&self, raw: RawHandle) -> Result<&T, HandleError> {
        let bits = raw.to_bits();
        match self.slots.get((bits & self.index_mask) as usize) {
            Some(slot) => match slot.value(bits) {
                Some(value) => Ok(value),
                None => Err(self.reject(raw)),
            },
            None => Err(self.reject(raw)),
        }
    }

    /// The value behind `handle`, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut table = slots_core::SlotTable::new();
    /// let h = table.insert(1)?;
    /// *table.get_mut(h)? += 1;
    /// assert_eq!(table.get(h)?, &2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn get_mut(&mut self, handle: Handle<T>) -> Result<&mut T, HandleError> {
        self.get_raw_mut(handle.raw())
    }

    /// [`SlotTable::get_mut`] for a handle whose type is not checked yet.
    #[inline]
    pub fn get_raw_mut(&mut self, raw: RawHandle) -> Result<&mut T, HandleError> {
        let bits = raw.to_bits();
        let index = (bits & self.index_mask) as usize;
        // Checked through a shared borrow first: the borrow checker does not
        // yet accept returning the `&mut` from one arm and calling `reject`
        // in the other.
        if !matches!(self.slots.get(index), Some(slot) if slot.holds(bits)) {
            return Err(self.reject(raw));
        }
        match self.slots.get_mut(index) {
            Some(Slot::Occupied { value, .. }) => Ok(value),
            _ => Err(HandleError::Internal {
                handle: raw,
                invariant: "a slot that holds the handle is occupied",
            }),
        }
    }

    /// Whether `handle` names a live value.
    pub fn contains(&self, handle: Handle<T>) -> bool {
        self.get(handle).is_ok()
    }

    /// Removes and returns the value behind `handle`; the handle is stale
    /// from now on.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::{HandleError, SlotTable};
    ///
    /// let mut table = SlotTable::new();
    /// let h = table.insert("x")?;
    /// assert_eq!(table.remove(h)?, "x");
    /// assert!(matches!(table.remove(h), Err(HandleError::Stale { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn remove(&mut self, handle: Handle<T>) -> Result<T, HandleError> {
        self.remove_raw(handle.raw())
    }

    /// [`SlotTable::remove`] for a handle whose type is not checked yet.
    #[inline]
    pub fn remove_raw(&mut self, raw: RawHandle) -> Result<T, HandleError> {
        let bits = raw.to_bits();
        let index = bits & self.index_mask;
        let slot = match self.slots.get_mut(index as usize) {
            Some(slot) if slot.holds(bits) => slot,
            _ => return Err(self.reject(raw)),
        };
        let vacant = Slot::Vacant {
            last: raw.nonzero(),
            next_free: self.free_head,
        };
        let Slot::Occupied { value, .. } = std::mem::replace(slot, vacant) else {
            // Checked above: the slot was occupied.
            return Err(HandleError::Internal {
                handle: raw,
                invariant: "a slot checked occupied is occupied",
            });
        };
        self.free_head = index;
        self.headroom += 1;
        if bits >= self.last_generation_bits {
            self.retire(index);
        }
        Ok(value)
    }

    /// Retires the slot `index`, just freed and put at the head of the free
    /// list: its generations are used up, so it leaves the list for good.
    /// Inlined: a call would make the caller keep `live` and `free_head`
    /// in memory across it, which costs every removal.
    #[inline]
    fn retire(&mut self, index: u32) {
        if let Some(Slot::Vacant { next_free, .. }) = self.slots.get_mut(index as usize) {
            self.free_head = std::mem::replace(next_free, NO_SLOT);
            self.stats.peak_live = self.stats.peak_live.max(self.unretired());
            self.stats.retired += 1;
        }
    }

    /// Removes every value, in slot order; their handles are stale from now
    /// on and the slots are free for reuse.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut table = slots_core::SlotTable::new();
    /// let h = table.insert(1)?;
    /// table.insert(2)?;
    /// assert_eq!(table.drain(), vec![1, 2]);
    /// assert!(table.is_empty() && table.get(h).is_err());
    /// # Ok::<(), slots_core::InsertError>(())
    /// ```
    pub fn drain(&mut self) -> Vec<T> {
        let mut drained = Vec::with_capacity(self.len());
        let handles: Vec<RawHandle> = self.slots.iter().filter_map(Slot::occupant).collect();
        for raw in handles {
            if let Ok(value) = self.remove_raw(raw) {
                drained.push(value);
            }
        }
        drained
    }

    /// Every live handle with its value, in slot order.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut table = slots_core::SlotTable::new();
    /// let h = table.insert("a")?;
    /// assert_eq!(table.iter().collect::<Vec<_>>(), vec![(h, &"a")]);
    /// # Ok::<(), slots_core::InsertError>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (Handle<T>, &T)> + '_ {
        self.slots.iter().filter_map(|slot| match slot {
            Slot::Occupied { value, .. } => Some((Handle::from_raw(slot.occupant()?), value)),
            Slot::Vacant { .. } => None,
        })
    }

    /// Says exactly why `raw` does not resolve. Inlinable, so that a caller
    /// which drops the error (`.ok()`, `.is_ok()`) does not compute it.
    #[inline]
    fn reject(&self, raw: RawHandle) -> HandleError {
        let layout = self.layout();
        let generation = layout.generation(raw);
        match self.slots.get(layout.index(raw) as usize) {
            Some(slot) if (1..slot.unfreed_generation(layout)).contains(&generation) => {
                HandleError::Stale { handle: raw }
            }
            _ => HandleError::NotFound { handle: raw },
        }
    }
}

impl<T> Default for SlotTable<T> {
    fn default() -> Self {
        Self::new()
    }
}
