//! Paired rounds: every side of a comparison run back to back, round after
//! round, and the ratio taken within each round.
//!
//! Criterion measures one side for seconds, then the next. On a shared
//! machine a slow spell lasting a second falls on one side only and moves
//! the ratio by more than a bar allows. In a paired round the sides run
//! within milliseconds of each other, so a slow spell falls on all of them;
//! the figure is the median of the rounds' ratios, and its quartiles show
//! how far the rounds spread. The order rotates from round to round, so
//! that no side always runs first (on a colder cache) or right after
//! another's slow spell.
//!
//! A side is a closure that runs one timed pass and returns its figure
//! (nanoseconds per operation, say): it times itself, so that untimed setup
//! stays out of the figure. [`crate::clock::cpu_ns_per`] times a pass by
//! the thread's CPU time.

use crate::report::{Bar, Table};
use crate::stats::{Spread, median};

/// The figures of every round, one per side.
#[derive(Clone, Debug)]
pub struct Rounds<const N: usize> {
    figures: Vec<[f64; N]>,
}

impl<const N: usize> Rounds<N> {
    /// Runs `rounds` rounds of `sides`, after one unrecorded pass of each
    /// (code, caches and allocators warmed alike). Round `r` starts with
    /// side `r % N` and goes on in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_bench_support::rounds::Rounds;
    ///
    /// let mut order = Vec::new();
    /// let log = std::cell::RefCell::new(&mut order);
    /// let r = Rounds::run(
    ///     2,
    ///     [
    ///         &mut || {
    ///             log.borrow_mut().push('a');
    ///             1.0
    ///         },
    ///         &mut || {
    ///             log.borrow_mut().push('b');
    ///             4.0
    ///         },
    ///     ],
    /// );
    /// assert_eq!(order, ['a', 'b', 'a', 'b', 'b', 'a']);
    /// assert_eq!(r.median(1), 4.0);
    /// assert_eq!(r.ratio(0, 1).median, 0.25);
    /// ```
    pub fn run(rounds: usize, mut sides: [&mut dyn FnMut() -> f64; N]) -> Self {
        for side in &mut sides {
            side();
        }
        let figures = (0..rounds)
            .map(|round| {
                let mut figures = [0.0; N];
                for k in 0..N {
                    let which = (round + k) % N;
                    figures[which] = sides[which]();
                }
                figures
            })
            .collect();
        Self { figures }
    }

    /// Rounds run.
    pub fn len(&self) -> usize {
        self.figures.len()
    }

    /// Whether no round ran.
    pub fn is_empty(&self) -> bool {
        self.figures.is_empty()
    }

    /// The median figure of side `side` over the rounds.
    pub fn median(&self, side: usize) -> f64 {
        let values: Vec<f64> = self.figures.iter().map(|f| f[side]).collect();
        median(&values)
    }

    /// The ratio of side `ours` to side `base`: the median and quartiles of
    /// the rounds' ratios (not the ratio of the medians).
    pub fn ratio(&self, ours: usize, base: usize) -> Spread {
        let ratios: Vec<f64> = self.figures.iter().map(|f| f[ours] / f[base]).collect();
        Spread::of(&ratios)
    }
}

/// What paired rounds of two sides found.
#[derive(Clone, Copy, Debug)]
pub struct Paired {
    /// The median figure of our side.
    pub ours: f64,
    /// The median figure of the baseline.
    pub base: f64,
    /// Ours against the baseline, round by round.
    pub ratio: Spread,
}

impl Paired {
    /// A table of paired comparisons, one row each from
    /// [`Paired::row`]: the columns name our side's and the baseline's
    /// time, and what the ratio is of.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_bench_support::report::Bar;
    /// use slots_bench_support::rounds::{Paired, paired};
    ///
    /// let mut t = Paired::table("slots ns", "wasmtime ns", "slots / wasmtime");
    /// let p = paired(3, || 10.0, || 20.0);
    /// t.row(p.row("open", Some(0.52), Some(Bar::at_most(0.8))));
    /// assert!(t.to_string().ends_with(
    ///     "| open | 10.0 | 20.0 | 0.50x | 0.50x - 0.50x | 0.52x | 0.8x | pass |\n"
    /// ));
    /// ```
    pub fn table(ours: &str, base: &str, ratio: &str) -> Table {
        Table::new(&[
            "operation",
            ours,
            base,
            &format!("{ratio} (median of rounds)"),
            "quartiles",
            "criterion's ratio",
            "bar",
            "verdict",
        ])
        .left(7)
    }

    /// The row of [`Paired::table`] for `label`: criterion's ratio of the
    /// same two sides beside the paired one, where it has one, and the
    /// verdict on the paired one.
    pub fn row(&self, label: &str, criterion: Option<f64>, bar: Option<Bar>) -> [String; 8] {
        let [bar, verdict] = Bar::cells(bar, self.ratio.median);
        [
            label.to_string(),
            format!("{:.1}", self.ours),
            format!("{:.1}", self.base),
            format!("{:.2}x", self.ratio.median),
            self.ratio.quartiles(),
            criterion.map_or_else(|| "-".to_string(), |r| format!("{r:.2}x")),
            bar,
            verdict,
        ]
    }
}

/// `rounds` paired rounds of `ours` against `base`, the order alternating.
///
/// # Examples
///
/// ```
/// use slots_bench_support::rounds::paired;
///
/// let p = paired(5, || 30.0, || 20.0);
/// assert_eq!((p.ours, p.base, p.ratio.median), (30.0, 20.0, 1.5));
/// ```
pub fn paired(
    rounds: usize,
    mut ours: impl FnMut() -> f64,
    mut base: impl FnMut() -> f64,
) -> Paired {
    let r = Rounds::run(rounds, [&mut ours, &mut base]);
    Paired {
        ours: r.median(0),
        base: r.median(1),
        ratio: r.ratio(0, 1),
    }
}
