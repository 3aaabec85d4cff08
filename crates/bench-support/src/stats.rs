//! Medians and quantiles of a bench's samples.
//!
//! Quantiles interpolate linearly between the two nearest ranks (the
//! "type 7" definition of R and NumPy), so the median of an even number of
//! samples is the mean of the middle two.

/// The `q`-quantile (`0.0..=1.0`) of `values`, in any order; NaN when there
/// are none.
///
/// # Examples
///
/// ```
/// use slots_bench_support::stats::quantile;
///
/// assert_eq!(quantile(&[4.0, 1.0, 3.0, 2.0, 5.0], 0.25), 2.0);
/// assert_eq!(quantile(&[1.0, 2.0], 0.5), 1.5);
/// assert!(quantile(&[], 0.5).is_nan());
/// ```
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    quantile_sorted(&sorted, q)
}

/// The median of `values`, in any order; NaN when there are none.
///
/// # Examples
///
/// ```
/// use slots_bench_support::stats::median;
///
/// assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
/// assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
/// ```
pub fn median(values: &[f64]) -> f64 {
    quantile(values, 0.5)
}

fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let at = last as f64 * q.clamp(0.0, 1.0);
    let (below, above) = (at.floor() as usize, at.ceil() as usize);
    sorted[below] + (sorted[above] - sorted[below]) * (at - below as f64)
}

/// A median with its first and third quartiles: where a figure stands, and
/// how far the samples behind it spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The median.
    pub median: f64,
    /// The first quartile.
    pub lower: f64,
    /// The third quartile.
    pub upper: f64,
}

impl Spread {
    /// The median and quartiles of `values`, in any order.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_bench_support::stats::Spread;
    ///
    /// let s = Spread::of(&[5.0, 1.0, 4.0, 2.0, 3.0]);
    /// assert_eq!((s.lower, s.median, s.upper), (2.0, 3.0, 4.0));
    /// assert_eq!(s.to_string(), "3.00x [2.00x - 4.00x]");
    /// ```
    pub fn of(values: &[f64]) -> Self {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Self {
            median: quantile_sorted(&sorted, 0.5),
            lower: quantile_sorted(&sorted, 0.25),
            upper: quantile_sorted(&sorted, 0.75),
        }
    }

    /// The quartiles as a table cell: `0.95x - 1.08x`.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_bench_support::stats::Spread;
    ///
    /// assert_eq!(Spread::of(&[1.0, 2.0, 3.0]).quartiles(), "1.50x - 2.50x");
    /// ```
    pub fn quartiles(&self) -> String {
        format!("{:.2}x - {:.2}x", self.lower, self.upper)
    }
}

/// A ratio with its quartiles, as a bench prints it to the console.
impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2}x [{}]", self.median, self.quartiles())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_ranks() {
        let values = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(quantile(&values, 0.0), 10.0);
        assert_eq!(quantile(&values, 1.0), 40.0);
        assert_eq!(quantile(&values, 0.5), 25.0);
        assert_eq!(quantile(&values, 0.25), 17.5);
    }

    #[test]
    fn one_sample_is_every_quantile() {
        let s = Spread::of(&[7.0]);
        assert_eq!((s.lower, s.median, s.upper), (7.0, 7.0, 7.0));
    }
}
