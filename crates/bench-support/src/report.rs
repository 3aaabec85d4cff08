//! The fragments of BENCHMARKS.md: markdown tables, bars and verdicts, and
//! the file each bench leaves for `cargo xtask bench`.
//!
//! A bench writes one section, `## Title` and what follows, to
//! `<results>/<bench>.md`; `cargo xtask bench` gathers the sections in
//! order and replaces those of BENCHMARKS.md by title. The results folder
//! is `$SLOTS_BENCH_RESULTS`, else the workspace's `target/bench-results`.
//! The section is printed to the console too, so a bench run by hand shows
//! what it would write.

use std::fmt::{self, Display, Write as _};
use std::path::PathBuf;

/// A markdown table: the first column left-aligned, the others
/// right-aligned unless marked with [`Table::left`].
///
/// # Examples
///
/// ```
/// use slots_bench_support::report::Table;
///
/// let mut t = Table::new(&["operation", "ns", "verdict"]).left(2);
/// t.row(["get".into(), format!("{:.1}", 1.234), "pass".into()]);
/// assert_eq!(
///     t.to_string(),
///     "| operation | ns | verdict |\n|---|---:|---|\n| get | 1.2 | pass |\n"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Table {
    header: Vec<String>,
    /// One per column: true for left-aligned.
    left: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles and no rows.
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| h.to_string()).collect(),
            left: (0..header.len()).map(|i| i == 0).collect(),
            rows: Vec::new(),
        }
    }

    /// Aligns column `column` (from 0) to the left, as for words.
    pub fn left(mut self, column: usize) -> Self {
        if let Some(left) = self.left.get_mut(column) {
            *left = true;
        }
        self
    }

    /// Adds a row. A row with fewer cells than columns is padded with
    /// empty ones; extra cells are kept, and make the table ill-formed.
    pub fn row(&mut self, cells: impl IntoIterator<Item = String>) -> &mut Self {
        let mut cells: Vec<String> = cells.into_iter().collect();
        debug_assert!(cells.len() <= self.header.len(), "more cells than columns");
        cells.resize(cells.len().max(self.header.len()), String::new());
        self.rows.push(cells);
        self
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "| {} |", self.header.join(" | "))?;
        let rule: Vec<&str> = self
            .left
            .iter()
            .map(|&left| if left { "---" } else { "---:" })
            .collect();
        writeln!(f, "|{}|", rule.join("|"))?;
        for row in &self.rows {
            writeln!(f, "| {} |", row.join(" | "))?;
        }
        Ok(())
    }
}

/// A bar the design sets on a figure, and the verdict on a figure against
/// it. Shown as `1.1x` (at most) or `at least 50x`.
///
/// # Examples
///
/// ```
/// use slots_bench_support::report::Bar;
///
/// let bar = Bar::at_most(1.1);
/// assert_eq!((bar.to_string(), bar.verdict(1.05)), ("1.1x".to_string(), "pass"));
/// assert_eq!(bar.verdict(1.2), "miss");
/// assert_eq!(Bar::at_least(50.0).verdict(1041.0), "pass");
/// assert_eq!(Bar::cells(None, 0.5), ["-", "-"]);
/// assert_eq!(Bar::cells(Some(Bar::at_most(2.5)), 3.0), ["2.5x", "miss"]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bar {
    /// The figure passes at or below this.
    AtMost(f64),
    /// The figure passes at or above this.
    AtLeast(f64),
}

impl Bar {
    /// A bar a ratio passes at or below `limit`.
    pub const fn at_most(limit: f64) -> Self {
        Self::AtMost(limit)
    }

    /// A bar a ratio passes at or above `limit`.
    pub const fn at_least(limit: f64) -> Self {
        Self::AtLeast(limit)
    }

    /// Whether `value` meets the bar.
    pub fn passes(self, value: f64) -> bool {
        match self {
            Self::AtMost(limit) => value <= limit,
            Self::AtLeast(limit) => value >= limit,
        }
    }

    /// `pass` or `miss`.
    pub fn verdict(self, value: f64) -> &'static str {
        if self.passes(value) { "pass" } else { "miss" }
    }

    /// The bar and verdict cells of a table row: `-` for both where a
    /// row has no bar.
    pub fn cells(bar: Option<Self>, value: f64) -> [String; 2] {
        match bar {
            Some(bar) => [bar.to_string(), bar.verdict(value).to_string()],
            None => ["-".to_string(), "-".to_string()],
        }
    }
}

impl Display for Bar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AtMost(limit) => write!(f, "{limit}x"),
            Self::AtLeast(limit) => write!(f, "at least {limit}x"),
        }
    }
}

/// A section of BENCHMARKS.md, built up and then written as a bench's
/// fragment.
///
/// # Examples
///
/// ```
/// use slots_bench_support::report::{Section, Table};
///
/// let mut table = Table::new(&["operation", "ns"]);
/// table.row(["get".into(), "1.0".into()]);
/// let mut s = Section::new("Tables");
/// s.paragraph("What was measured.").table(&table);
/// assert_eq!(
///     s.text(),
///     "## Tables\n\nWhat was measured.\n\n| operation | ns |\n|---|---:|\n| get | 1.0 |\n"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Section {
    text: String,
}

impl Section {
    /// A section titled `title` (a `## ` heading).
    pub fn new(title: &str) -> Self {
        Self {
            text: format!("## {title}\n"),
        }
    }

    /// A subsection heading (`### `).
    pub fn heading(&mut self, title: &str) -> &mut Self {
        self.block(&format!("### {title}"))
    }

    /// A paragraph; `text` is one paragraph of running text.
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        self.block(text.trim())
    }

    /// A table.
    pub fn table(&mut self, table: &Table) -> &mut Self {
        self.block(table.to_string().trim_end())
    }

    fn block(&mut self, block: &str) -> &mut Self {
        let _ = write!(self.text, "\n{block}\n");
        self
    }

    /// The markdown so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Prints the section and writes it as `<results>/<name>.md` for
    /// `cargo xtask bench` (see [`results_dir`]).
    ///
    /// # Errors
    ///
    /// When the results folder or the file cannot be written.
    pub fn write(&self, name: &str) -> std::io::Result<PathBuf> {
        println!("\n{}", self.text);
        write_result(&format!("{name}.md"), self.text.as_bytes())
    }
}

/// The folder a bench leaves its results in: `$SLOTS_BENCH_RESULTS`, else
/// the workspace's `target/bench-results`.
pub fn results_dir() -> PathBuf {
    std::env::var_os("SLOTS_BENCH_RESULTS")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-results")
        })
}

/// Writes `file` (a fragment, a chart) into [`results_dir`]; its path.
///
/// # Errors
///
/// When the folder or the file cannot be written.
pub fn write_result(file: &str, contents: &[u8]) -> std::io::Result<PathBuf> {
    let dir = results_dir();
    std::fs::create_dir_all(&dir)?;
    let path = dir.canonicalize().unwrap_or(dir).join(file);
    std::fs::write(&path, contents)?;
    Ok(path)
}

/// The machine's load averages over 1, 5 and 15 minutes, as
/// `/proc/loadavg` gives them; `None` elsewhere than Linux.
///
/// # Examples
///
/// ```
/// use slots_bench_support::report::load_average;
///
/// if let Some([one, _, _]) = load_average() {
///     assert!(one.parse::<f64>().is_ok());
/// }
/// ```
pub fn load_average() -> Option<[String; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut figures = text.split_whitespace().map(str::to_string);
    Some([figures.next()?, figures.next()?, figures.next()?])
}

/// The sentence under a table of paired rounds that lets a reader weigh
/// them: the load when they ended. Empty where the load is not known.
pub fn load_note() -> String {
    load_average().map_or_else(String::new, |[one, _, _]| {
        format!("Load average (1 min) when the rounds ended: {one}.")
    })
}

/// `value` rounded to a whole number, its thousands grouped with commas.
///
/// # Examples
///
/// ```
/// use slots_bench_support::report::thousands;
///
/// assert_eq!(thousands(1_234_567.4), "1,234,567");
/// assert_eq!(thousands(999.0), "999");
/// assert_eq!(thousands(-1000.0), "-1,000");
/// ```
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 && digits != "0" {
        format!("-{out}")
    } else {
        out
    }
}
