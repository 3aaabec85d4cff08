//! The scale report: a markdown fragment with every figure, as ratios to
//! its baseline in the same run and as absolute numbers, and a hand-written
//! SVG chart of time per operation against table size.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::probe::Figures;

/// Everything one run measured.
pub(crate) struct Run {
    pub(crate) quick: bool,
    pub(crate) sizes: Vec<u32>,
    pub(crate) max_handles: u32,
    pub(crate) instances: u32,
    pub(crate) teardown_handles: u32,
    /// Median nanoseconds per operation of each criterion benchmark.
    pub(crate) medians: BTreeMap<String, f64>,
    pub(crate) handles_probe: Figures,
    pub(crate) instances_probe: Figures,
    pub(crate) bare_probe: Figures,
    /// `size_of::<Bucket>()`: the boxed object behind each handle.
    pub(crate) bucket_size: usize,
}

impl Run {
    fn median(&self, key: &str) -> Option<f64> {
        self.medians.get(key).copied()
    }

    /// A per-size series: the figure at each size, from `get`.
    fn series(&self, get: impl Fn(u32) -> Option<f64>) -> Vec<Option<f64>> {
        self.sizes.iter().map(|&s| get(s)).collect()
    }

    fn open(&self) -> Vec<Option<f64>> {
        self.series(|s| self.median(&format!("open.{s}")))
    }

    fn fresh_open(&self) -> Vec<Option<f64>> {
        self.series(|s| self.handles_probe.get(&format!("fill_ns.{s}")).copied())
    }

    fn method_random(&self) -> Vec<Option<f64>> {
        self.series(|s| self.median(&format!("method_random.{s}")))
    }

    fn pick(&self) -> Vec<Option<f64>> {
        self.series(|s| self.median(&format!("pick.{s}")))
    }

    fn method_one(&self) -> Vec<Option<f64>> {
        self.series(|s| self.median(&format!("method_one.{s}")))
    }

    fn lookup(&self) -> Vec<Option<f64>> {
        self.series(|s| self.median(&format!("lookup.{s}")))
    }

    fn rss_per_handle(&self) -> Vec<Option<f64>> {
        self.series(|s| {
            self.handles_probe
                .get(&format!("rss_per_handle.{s}"))
                .copied()
        })
    }
}

/// Writes `scale.md` and `scale.svg` to the results directory and prints
/// the markdown.
pub(crate) fn write(run: &Run) {
    let md = markdown(run);
    let svg = chart(run);
    println!("\n{md}");
    let dir = std::env::var_os("SLOTS_BENCH_RESULTS")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-results")
        });
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.canonicalize().unwrap_or(dir);
    std::fs::write(dir.join("scale.md"), &md).unwrap();
    std::fs::write(dir.join("scale.svg"), svg).unwrap();
    println!("wrote {} and scale.svg", dir.join("scale.md").display());
}

fn num(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Nanoseconds: a decimal below a microsecond, whole and grouped above.
fn ns(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 1000.0 && v < f64::from(u32::MAX) => num(v.round() as u32),
        Some(v) if v >= 1000.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => "-".into(),
    }
}

fn ratio(v: Option<f64>, base: Option<f64>) -> String {
    match (v, base) {
        (Some(v), Some(b)) if b > 0.0 => format!("{:.2}x", v / b),
        _ => "-".into(),
    }
}

fn bytes(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.0}"))
}

fn markdown(run: &Run) -> String {
    let mut md = String::from("## Performance at scale\n\n");
    if run.quick {
        let _ = writeln!(
            md,
            "**Quick run** (`SLOTS_BENCH_QUICK`): tables up to {} live handles (not 1,000,000), {} instances \
             (not 1,000), teardown of {} handles (not 100,000), short measurements. Figures are rough.\n",
            num(run.max_handles),
            num(run.instances),
            num(run.teardown_handles)
        );
    } else {
        let _ = writeln!(
            md,
            "Tables up to {} live handles in one instance, {} instances alive at once, teardown of \
             an instance holding {} handles.\n",
            num(run.max_handles),
            num(run.instances),
            num(run.teardown_handles)
        );
    }
    table_sizes(run, &mut md);
    handle_memory(run, &mut md);
    instances(run, &mut md);
    teardown(run, &mut md);
    md.push_str(
        "Chart of time per operation against live handles: `scale.svg`, beside this fragment.\n",
    );
    md
}

fn table_sizes(run: &Run, md: &mut String) {
    let (open, fresh, random, pick, one, lookup, rss) = (
        run.open(),
        run.fresh_open(),
        run.method_random(),
        run.pick(),
        run.method_one(),
        run.lookup(),
        run.rss_per_handle(),
    );
    md.push_str(
        "### Time per operation against live handles in one instance\n\n\
         Ratios are to the same operation at 1,000 live handles in this run. *open*: a \
         `[constructor]bucket` call at that size (the chunk opened is then dropped, so freed \
         slots are reused). *fresh open*: the mean open while the table filled up to that size \
         from the previous one (new slots; the slot vector grows), in a fresh process. *method*: \
         `[method]bucket.len` on a handle the guest picks at random from the list of live \
         handles in its memory; *pick* is that loop without the call, the guest's own share. \
         *one handle*: `len` on the same handle every time. *lookup*: \
         `ResourceTable::get` on the same random handles from Rust, no Wasm (the object itself \
         is not read). *RSS/handle*: the process's resident \
         memory growth since the table was empty, per live handle.\n\n\
         | live handles | open ns | ratio | fresh open ns | ratio | method ns | ratio | pick ns | \
         one handle ns | ratio | lookup ns | ratio | RSS/handle B |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (i, &size) in run.sizes.iter().enumerate() {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            num(size),
            ns(open[i]),
            ratio(open[i], open[0]),
            ns(fresh[i]),
            ratio(fresh[i], fresh[0]),
            ns(random[i]),
            ratio(random[i], random[0]),
            ns(pick[i]),
            ns(one[i]),
            ratio(one[i], one[0]),
            ns(lookup[i]),
            ratio(lookup[i], lookup[0]),
            bytes(rss[i]),
        );
    }
    let last = run.sizes.len() - 1;
    let growth = |v: &[Option<f64>]| match (v[last], v[0]) {
        (Some(v), Some(b)) if b > 0.0 => Some(v / b),
        _ => None,
    };
    let flat = |name: &str, v: &[Option<f64>]| match growth(v) {
        Some(r) => format!(
            "{name} {r:.2}x ({})",
            if r <= FLAT { "flat" } else { "grows" }
        ),
        None => format!("{name} -"),
    };
    let _ = write!(
        md,
        "\nAt {} against 1,000 live handles: {}; {}; {}; {}; {}. (\"flat\": within {FLAT}x.)",
        num(run.sizes[last]),
        flat("open", &open),
        flat("fresh open", &fresh),
        flat("method on a random handle", &random),
        flat("method on one handle", &one),
        flat("lookup alone", &lookup),
    );
    let is_flat = |v: &[Option<f64>]| growth(v).is_some_and(|r| r <= FLAT);
    if is_flat(&open) && is_flat(&one) {
        md.push_str(
            " The handle path itself does not slow down as the table grows: a method on one \
             handle, and an open reusing a slot, cost the same in a large table as in a small one.",
        );
    }
    if !is_flat(&random) {
        md.push_str(
            " What grows with a random handle is the memory hierarchy: once the slots and objects \
             touched at random outgrow the CPU caches and TLB, each call misses them. The \
             plain-Rust *lookup* on the same handles grows too; a method call grows more, as it \
             also reads the object (a second miss) and, being longer, cannot overlap its misses \
             with the next call's as a tight loop of lookups does.",
        );
    }
    if !is_flat(&fresh) {
        md.push_str(
            " A fresh open also pays for first-touch page faults of new memory and for moving the \
             slot vector as it doubles.",
        );
    }
    md.push_str("\n\n");
}

/// A figure at the largest size within this factor of its 1k figure is
/// reported as flat.
const FLAT: f64 = 1.25;

fn handle_memory(run: &Run, md: &mut String) {
    let p = &run.handles_probe;
    let per = p
        .get(&format!("rss_per_handle.{}", run.max_handles))
        .copied();
    let slots = p.get("slots_allocated").copied();
    let rest = per.map(|v| v - run.bucket_size as f64);
    let _ = writeln!(
        md,
        "### Memory per live handle\n\n\
         {} live buckets (empty names) in one instance, in a fresh process, the guest's handle \
         list touched beforehand so that only the host's growth counts: **{} bytes of resident \
         memory per live handle**. The table allocated {} slots \
         (`ResourceTable::slots_allocated`). Each bucket is a boxed `Bucket` of {} bytes \
         (`size_of`); the remaining {} bytes per handle are the table slot, the slot vector's \
         growth and the allocator's overhead. The slot entry's own size is not public API.\n",
        num(run.max_handles),
        bytes(per),
        slots.map_or_else(|| "-".into(), |v| num(v as u32)),
        run.bucket_size,
        bytes(rest),
    );
}

fn instances(run: &Run, md: &mut String) {
    let (s, b) = (&run.instances_probe, &run.bare_probe);
    let get = |f: &Figures, k: &str| f.get(k).copied();
    let rows = [
        (
            format!(
                "resident memory per instance, {} alive, B",
                num(run.instances)
            ),
            get(s, "rss_per_instance"),
            get(b, "rss_per_instance"),
            true,
        ),
        (
            "instantiate one (criterion), ns".into(),
            run.median("instantiate.slots"),
            run.median("instantiate.bare"),
            false,
        ),
        (
            format!("instantiate, mean while making {}, ns", num(run.instances)),
            get(s, "instantiate_ns"),
            get(b, "instantiate_ns"),
            false,
        ),
    ];
    let _ = writeln!(
        md,
        "### {} instances sharing one host\n\n\
         One compiled `Module`, one `SlotsHost`, a `Store` each, all in one namespace. The \
         baseline is the same module instantiated by Wasmer alone, with stub imports. Resident \
         memory counts touched pages only: the guest's linear memory is reserved address space \
         until it is used.\n\n\
         | figure | slots host | bare Wasmer | ratio |\n|---|---:|---:|---:|",
        num(run.instances)
    );
    for (label, slots, bare, is_bytes) in rows {
        let show = if is_bytes { bytes } else { ns };
        let _ = writeln!(
            md,
            "| {label} | {} | {} | {} |",
            show(slots),
            show(bare),
            ratio(slots, bare)
        );
    }
    let hit = get(s, "last_instance_cache_hits") == Some(1.0)
        && get(s, "last_instance_cache_misses") == Some(0.0);
    let stat = |k: &str| bytes(get(s, k));
    let _ = writeln!(
        md,
        "\nKeyed open across instances: instance 1 opened a pattern ({} ns, compiled: a miss); \
         instance {} then opened the same key ({} ns, {}). Host cache before the second open: \
         hits {}, misses {}, creations {}; after: hits {}, misses {}, creations {}, entries {}. \
         Instance {}'s counters: cache_hits {}, cache_misses {}. **{}**\n",
        ns(get(s, "first_open_ns")),
        num(run.instances),
        ns(get(s, "last_open_ns")),
        ratio(get(s, "first_open_ns"), get(s, "last_open_ns")).replace('x', "x faster"),
        stat("cache_hits_before"),
        stat("cache_misses_before"),
        stat("cache_creations_before"),
        stat("cache_hits_after"),
        stat("cache_misses_after"),
        stat("cache_creations_after"),
        stat("cache_entries_after"),
        num(run.instances),
        stat("last_instance_cache_hits"),
        stat("last_instance_cache_misses"),
        if hit {
            "A cache hit."
        } else {
            "NOT a cache hit."
        },
    );
}

fn teardown(run: &Run, md: &mut String) {
    let n = run.teardown_handles;
    let _ = writeln!(
        md,
        "### Teardown\n\n\
         | how | holding {} handles, ns | holding 0, ns | ratio | per handle, ns |\n|---|---:|---:|---:|---:|",
        num(n)
    );
    for (label, key) in [
        ("`GuestInstance::teardown`", "teardown"),
        ("dropping the `Store`", "drop_store"),
    ] {
        let full = run.median(&format!("{key}.{n}"));
        let empty = run.median(&format!("{key}.0"));
        let per = full.zip(empty).map(|(f, e)| (f - e) / f64::from(n.max(1)));
        let _ = writeln!(
            md,
            "| {label} | {} | {} | {} | {} |",
            ns(full),
            ns(empty),
            ratio(full, empty),
            ns(per)
        );
    }
    let once = run.handles_probe.get("teardown_ns").copied();
    let _ = writeln!(
        md,
        "\nIn the fresh process of the memory probe, `teardown` of {} handles took {} ns ({} ns per handle); \
         every handle was released (the table was empty after).\n",
        num(run.max_handles),
        ns(once),
        ns(once.map(|t| t / f64::from(run.max_handles))),
    );
}

/// A line chart of nanoseconds per operation against live handles, log x.
fn chart(run: &Run) -> String {
    const W: f64 = 760.0;
    const H: f64 = 420.0;
    const LEFT: f64 = 70.0;
    const RIGHT: f64 = 200.0;
    const TOP: f64 = 40.0;
    const BOTTOM: f64 = 60.0;
    let series = [
        ("open (slot reused)", "#1f77b4", "", run.open()),
        (
            "fresh open (slot new)",
            "#1f77b4",
            " stroke-dasharray=\"6 4\"",
            run.fresh_open(),
        ),
        ("method, random handle", "#d62728", "", run.method_random()),
        (
            "method, one handle",
            "#d62728",
            " stroke-dasharray=\"6 4\"",
            run.method_one(),
        ),
        ("table lookup, no Wasm", "#2ca02c", "", run.lookup()),
        (
            "pick only (guest)",
            "#7f7f7f",
            " stroke-dasharray=\"2 3\"",
            run.pick(),
        ),
    ];
    let max = series
        .iter()
        .flat_map(|(_, _, _, v)| v.iter().flatten())
        .fold(0.0f64, |a, &b| a.max(b));
    let y_max = nice_ceiling(max * 1.1);
    let (lo, hi) = (
        f64::from(*run.sizes.first().unwrap()).log10(),
        f64::from(*run.sizes.last().unwrap())
            .log10()
            .max(f64::from(*run.sizes.first().unwrap()).log10() + 1.0),
    );
    let x = |size: u32| LEFT + (f64::from(size).log10() - lo) / (hi - lo) * (W - LEFT - RIGHT);
    let y = |v: f64| TOP + (1.0 - v / y_max) * (H - TOP - BOTTOM);

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>\n\
         <text x=\"{LEFT}\" y=\"22\" font-size=\"15\">Time per operation against live handles in one instance{}</text>",
        if run.quick { " (quick run)" } else { "" }
    );
    for i in 0..=5 {
        let v = y_max * f64::from(i) / 5.0;
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{2}\" y=\"{3:.1}\" text-anchor=\"end\">{v:.0}</text>",
            y(v),
            W - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0
        );
    }
    for &size in &run.sizes {
        let _ = writeln!(
            s,
            "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{1}\" stroke=\"#ddd\"/>\
             <text x=\"{0:.1}\" y=\"{2}\" text-anchor=\"middle\">{3}</text>",
            x(size),
            H - BOTTOM,
            H - BOTTOM + 16.0,
            num(size)
        );
    }
    let _ = writeln!(
        s,
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{0}\" stroke=\"black\"/>\
         <line x1=\"{LEFT}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"black\"/>\n\
         <text x=\"{2}\" y=\"{3}\" text-anchor=\"middle\">live handles (log scale)</text>\n\
         <text transform=\"translate(18 {4}) rotate(-90)\" text-anchor=\"middle\">ns per operation</text>",
        H - BOTTOM,
        W - RIGHT,
        (LEFT + W - RIGHT) / 2.0,
        H - 18.0,
        (TOP + H - BOTTOM) / 2.0
    );
    for (i, (label, color, dash, values)) in series.iter().enumerate() {
        let points: Vec<(f64, f64)> = run
            .sizes
            .iter()
            .zip(values)
            .filter_map(|(&size, v)| v.map(|v| (x(size), y(v))))
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|(px, py)| format!("{px:.1},{py:.1}"))
            .collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>",
            path.join(" ")
        );
        for (px, py) in &points {
            let _ = writeln!(
                s,
                "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"3\" fill=\"{color}\"/>"
            );
        }
        let ly = TOP + 10.0 + 20.0 * i as f64;
        let lx = W - RIGHT + 14.0;
        let _ = writeln!(
            s,
            "<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{0}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\
             <text x=\"{1}\" y=\"{2}\">{label}</text>",
            lx + 24.0,
            lx + 30.0,
            ly + 4.0
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The smallest 1, 2 or 5 times a power of ten at or above `v`.
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&c| c >= v)
        .unwrap_or(10.0 * power)
}
