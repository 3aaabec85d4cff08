//! Counters the tables and the cache keep, for introspection and leak hunting.

/// What a [`SlotTable`](crate::SlotTable) has done since it was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableStats {
    /// Handles live now.
    pub live: u32,
    /// The most handles that were live at once.
    pub peak_live: u32,
    /// Handles issued.
    pub inserted: u64,
    /// Handles freed.
    pub removed: u64,
    /// Slots retired because their generations ran out.
    pub retired: u64,
}
