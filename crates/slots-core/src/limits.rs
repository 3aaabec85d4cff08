//! Limits a table enforces, with defaults safe for untrusted guests.

use crate::{ConfigError, HandleLayout};

/// How many live handles one table may hold.
///
/// The limit also fixes the table's [`HandleLayout`]: a table limited to
/// `n` live handles addresses the next power of two of slots at or above
/// `n`, and the remaining bits count generations.
///
/// # Examples
///
/// ```
/// use slots_core::TableLimits;
///
/// let limits = TableLimits::new(1 << 16)?;
/// assert_eq!(limits.layout().generation_bits(), 16);
/// assert_eq!(TableLimits::default().max_live(), TableLimits::DEFAULT_MAX_LIVE);
/// # Ok::<(), slots_core::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableLimits {
    max_live: u32,
    layout: HandleLayout,
}

impl TableLimits {
    /// The default live-handle limit: 2^20, just over a million, which leaves
    /// 12 generation bits (4,094 reuses of a slot before it retires).
    pub const DEFAULT_MAX_LIVE: u32 = 1 << 20;

    /// Limits with `max_live` live handles at most (1 to 2^30).
    pub const fn new(max_live: u32) -> Result<Self, ConfigError> {
        match HandleLayout::for_slots(max_live) {
            Some(layout) => Ok(Self { max_live, layout }),
            None => Err(ConfigError::LiveLimit { limit: max_live }),
        }
    }

    /// The live-handle limit.
    pub const fn max_live(&self) -> u32 {
        self.max_live
    }

    /// The handle layout this limit implies.
    pub const fn layout(&self) -> HandleLayout {
        self.layout
    }
}

impl Default for TableLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TableLimits {
    // Evaluated at compile time: a bad constant fails the build, not a host.
    #[allow(clippy::panic, reason = "const evaluation, never at run time")]
    const DEFAULT: Self = match Self::new(Self::DEFAULT_MAX_LIVE) {
        Ok(limits) => limits,
        Err(_) => panic!("DEFAULT_MAX_LIVE is outside the layout's range"),
    };
}
