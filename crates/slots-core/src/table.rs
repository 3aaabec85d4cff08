//! `SlotTable<T>`: the generational table at the heart of slots.

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
    /// `Slot::next_free`; `NO_SLOT` when empty.
    free_head: u32,
    /// Occupied slots. Never above `limits.max_live()`.
    live: u32,
    limits: TableLimits,
    stats: TableStats,
}

#[derive(Debug)]
struct Slot<T> {
    /// `Some` while occupied.
    value: Option<T>,
    /// Occupied: the occupant's generation. Vacant: the generation the next
    /// occupant gets. Retired: `max_generation + 1`, never issued.
    generation: u32,
    /// The next vacant slot in the free list; meaningless while occupied.
    next_free: u32,
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
            live: 0,
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
        self.live as usize
    }

    /// Whether the table holds no live handle.
    pub fn is_empty(&self) -> bool {
        self.live == 0
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
            live: self.live,
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
    pub fn insert(&mut self, value: T) -> Result<Handle<T>, InsertError> {
        if self.live >= self.limits.max_live() {
            return Err(InsertError::QuotaExceeded {
                limit: self.limits.max_live(),
            });
        }
        let layout = self.layout();
        let raw = if let Some(slot) = self.slots.get_mut(self.free_head as usize) {
            let index = self.free_head;
            self.free_head = slot.next_free;
            slot.value = Some(value);
            layout.encode(index, slot.generation)
        } else {
            let index = self.slots.len() as u32;
            if index >= layout.slot_count() {
                return Err(InsertError::Exhausted {
                    slots: layout.slot_count(),
                });
            }
            self.slots.push(Slot {
                value: Some(value),
                generation: 1,
                next_free: NO_SLOT,
            });
            layout.encode(index, 1)
        };
        self.live += 1;
        self.stats.inserted += 1;
        self.stats.peak_live = self.stats.peak_live.max(self.live);
        Ok(Handle::from_raw(raw))
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
        let layout = self.layout();
        match self.slots.get(layout.index(raw) as usize) {
            Some(Slot {
                value: Some(value),
                generation,
                ..
            }) if *generation == layout.generation(raw) => Ok(value),
            _ => Err(self.reject(raw)),
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
        let layout = self.layout();
        let index = layout.index(raw) as usize;
        let live = matches!(
            self.slots.get(index),
            Some(slot) if slot.generation == layout.generation(raw) && slot.value.is_some()
        );
        if !live {
            return Err(self.reject(raw));
        }
        self.slots
            .get_mut(index)
            .and_then(|slot| slot.value.as_mut())
            .ok_or(HandleError::NotFound { handle: raw })
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
    pub fn remove_raw(&mut self, raw: RawHandle) -> Result<T, HandleError> {
        let layout = self.layout();
        let index = layout.index(raw);
        let generation = layout.generation(raw);
        let taken = match self.slots.get_mut(index as usize) {
            Some(slot) if slot.generation == generation => slot.value.take().inspect(|_| {
                slot.generation += 1;
                // A slot past its last generation is retired: left vacant,
                // off the free list, its generation one above any issued.
                if slot.generation <= layout.max_generation() {
                    slot.next_free = self.free_head;
                    self.free_head = index;
                } else {
                    self.stats.retired += 1;
                }
            }),
            _ => None,
        };
        match taken {
            Some(value) => {
                self.live -= 1;
                self.stats.removed += 1;
                Ok(value)
            }
            None => Err(self.reject(raw)),
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
        let layout = self.layout();
        let mut drained = Vec::with_capacity(self.len());
        let handles: Vec<RawHandle> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.value.is_some())
            .map(|(index, slot)| layout.encode(index as u32, slot.generation))
            .collect();
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
        let layout = self.layout();
        self.slots.iter().enumerate().filter_map(move |(index, slot)| {
            let value = slot.value.as_ref()?;
            Some((
                Handle::from_raw(layout.encode(index as u32, slot.generation)),
                value,
            ))
        })
    }

    /// Says exactly why `raw` does not resolve. Kept out of line so the
    /// lookup paths stay small.
    #[cold]
    #[inline(never)]
    fn reject(&self, raw: RawHandle) -> HandleError {
        let layout = self.layout();
        let generation = layout.generation(raw);
        match self.slots.get(layout.index(raw) as usize) {
            // Generations below the slot's were issued and have been freed.
            Some(slot) if (1..slot.generation).contains(&generation) => {
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
