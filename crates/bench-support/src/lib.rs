//! What every slots benchmark shares, so that each bench holds only what it
//! measures.
//!
//! A slots benchmark compares: every figure it reports is a ratio to a
//! baseline measured in the same process and run, with the bar the design
//! sets beside it. The pieces it needs for that are here, each in one
//! place:
//!
//! - [`rounds`]: *paired rounds*. Criterion times one side, then the other,
//!   seconds apart; on a shared machine drift between those windows moves
//!   a ratio by more than a bar allows. A paired round runs every side back
//!   to back (the order rotating), and the figure is the median of the
//!   rounds' ratios, with its quartiles as the spread.
//! - [`clock`]: the thread's CPU time (what the thread ran, not the time
//!   another process held the core), and guest loops timed in chunks a
//!   Wasm `i32` count holds.
//! - [`stats`]: medians and quantiles.
//! - [`timings`]: the times of criterion's `iter_custom` routines, kept by
//!   name for the report written after the groups.
//! - [`estimates`]: the criterion configuration of every bench (shortened
//!   by `SLOTS_BENCH_QUICK`), and criterion's own estimates read back from
//!   its `estimates.json`.
//! - [`memory`]: the resident set of this process, and probes run in a
//!   fresh child process (the bench binary again), where memory an earlier
//!   measurement freed cannot hide the growth of the next.
//! - [`report`]: markdown tables, bars and verdicts, and the fragment
//!   each bench leaves for `cargo xtask bench` to gather into
//!   BENCHMARKS.md.
//!
//! What a report says is what its run measured: a fragment holds figures,
//! the method that produced them and what follows from them, never a
//! paragraph of figures from an earlier run.
//!
//! # Examples
//!
//! Two sides in paired rounds, reported against a bar:
//!
//! ```
//! use slots_bench_support::report::{Bar, Table};
//! use slots_bench_support::rounds::paired;
//!
//! let mut ours = 0.0;
//! let mut base = 0.0;
//! let p = paired(
//!     11,
//!     || {
//!         ours += 1.0;
//!         10.0
//!     },
//!     || {
//!         base += 1.0;
//!         20.0
//!     },
//! );
//! assert_eq!(p.ratio.median, 0.5);
//!
//! let mut table = Table::new(&["operation", "ratio", "bar", "verdict"]).left(3);
//! let bar = Bar::at_most(1.1);
//! table.row([
//!     "open".to_string(),
//!     format!("{:.2}x", p.ratio.median),
//!     bar.to_string(),
//!     bar.verdict(p.ratio.median).to_string(),
//! ]);
//! assert!(table.to_string().ends_with("| open | 0.50x | 1.1x | pass |\n"));
//! ```

#![deny(missing_docs)]

pub mod clock;
pub mod estimates;
pub mod memory;
pub mod report;
pub mod rounds;
pub mod stats;
pub mod timings;
