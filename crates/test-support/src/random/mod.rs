//! The one generator of random WIT types ([`ty()`]) and of values of them
//! ([`value()`]), from a seeded [`Rng`] or from a fuzzer's (or proptest's)
//! [`Bytes`], through the [`Source`] trait.
//!
//! Types are written as WIT by [`wit()`], with the named types they need
//! collected in [`Defs`]. Values are neutral ([`Value`]): each host's tests
//! convert them into their own value type. [`Options`] choose what lies
//! beyond what both hosts take (resources, enums of hundreds of cases, more
//! than 32 flags, values at the edges); with the default options the same
//! seed gives the same type and value as it always has, so a failing seed
//! of the conformance suite stays reproducible.
//!
//! # Examples
//!
//! ```
//! use slots_test_support::random::{Defs, Options, Rng, ty, value, wit};
//!
//! let mut rng = Rng::new(7);
//! let mut defs = Defs::default();
//! let t = ty(&mut rng, 2, &mut defs, Options::default());
//! let v = value(&mut rng, &t, Options::default());
//! assert!(!wit(&t).is_empty());
//! # let _ = v;
//! ```

mod source;
mod types;
mod values;

pub use source::{Bytes, Rng, Source};
pub use types::{Defs, Options, Ty, ty, wit};
pub use values::{Value, value};
