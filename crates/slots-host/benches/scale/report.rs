//! The scale report: a markdown fragment with every figure, as ratios to
//! its baseline in the same run and as absolute numbers, and an SVG chart
//! (plotters) of time per operation against table size.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use slots_bench_support::memory::Figures;
use slots_bench_support::report::{Section, Table, thousands, write_result};

/// Everything one run measured.
pub(crate) struct Run {
    pub(crate) quick: bool,
    pub(crate) sizes: Vec<u32>,
    pub(crate) max_handles: u32,
    pub(crate) instances: u32,
    pub(crate) teardown_handles: u32,
    /// Median nanoseconds per operation of a criterion benchmark, by key.
    pub(crate) medians: fn(&str) -> Option<f64>,
    pub(crate) handles_probe: Figures,
    pub(crate) instances_probe: Figures,
    pub(crate) bare_probe: Figures,
    /// `size_of::<Bucket>()`: the boxed object behind each handle.
    pub(crate) bucket_size: usize,
}

impl Run {
    fn median(&self, key: &str) -> Option<f64> {
        (self.medians)(key)
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
    let svg = chart(run).expect("the chart is drawn");
    let path = md.write("scale").expect("the scale fragment is written");
    write_result("scale.svg", svg.as_bytes()).expect("the chart is written");
    println!("wrote {} and scale.svg", path.display());
}

fn num(n: u32) -> String {
    thousands(f64::from(n))
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

fn markdown(run: &Run) -> Section {
    let mut md = Section::new("Performance at scale");
    if run.quick {
        md.paragraph(&format!(
            "**Quick run** (`SLOTS_BENCH_QUICK`): tables up to {} live handles (not 1,000,000), {} instances \
             (not 1,000), teardown of {} handles (not 100,000), short measurements. Figures are rough.",
            num(run.max_handles),
            num(run.instances),
            num(run.teardown_handles)
        ));
    } else {
        md.paragraph(&format!(
            "Tables up to {} live handles in one instance, {} instances alive at once, teardown of \
             an instance holding {} handles.",
            num(run.max_handles),
            num(run.instances),
            num(run.teardown_handles)
        ));
    }
    table_sizes(run, &mut md);
    handle_memory(run, &mut md);
    instances(run, &mut md);
    teardown(run, &mut md);
    md.paragraph(
        "Chart of time per operation against live handles: `scale.svg`, beside this fragment.",
    );
    md
}

fn table_sizes(run: &Run, md: &mut Section) {
    let (open, fresh, random, pick, one, lookup, rss) = (
        run.open(),
        run.fresh_open(),
        run.method_random(),
        run.pick(),
        run.method_one(),
        run.lookup(),
        run.rss_per_handle(),
    );
    let mut table = Table::new(&[
        "live handles",
        "open ns",
        "ratio",
        "fresh open ns",
        "ratio",
        "method ns",
        "ratio",
        "pick ns",
        "one handle ns",
        "ratio",
        "lookup ns",
        "ratio",
        "RSS/handle B",
    ]);
    for (i, &size) in run.sizes.iter().enumerate() {
        table.row([
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
        ]);
    }
    md.heading("Time per operation against live handles in one instance")
        .paragraph(
            "Ratios are to the same operation at 1,000 live handles in this run. *open*: a \
             `[constructor]bucket` call at that size (the chunk opened is then dropped, so freed \
             slots are reused). *fresh open*: the mean open while the table filled up to that size \
             from the previous one (new slots; the slot vector grows), in a fresh process. *method*: \
             `[method]bucket.len` on a handle the guest picks at random from the list of live \
             handles in its memory; *pick* is that loop without the call, the guest's own share. \
             *one handle*: `len` on the same handle every time. *lookup*: \
             `ResourceTable::get` on the same random handles from Rust, no Wasm (the object itself \
             is not read). *RSS/handle*: the process's resident \
             memory growth since the table was empty, per live handle.",
        )
        .table(&table);

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
    let mut text = format!(
        "At {} against 1,000 live handles: {}; {}; {}; {}; {}. (\"flat\": within {FLAT}x.)",
        num(run.sizes[last]),
        flat("open", &open),
        flat("fresh open", &fresh),
        flat("method on a random handle", &random),
        flat("method on one handle", &one),
        flat("lookup alone", &lookup),
    );
    let is_flat = |v: &[Option<f64>]| growth(v).is_some_and(|r| r <= FLAT);
    if is_flat(&open) && is_flat(&one) {
        text.push_str(
            " The handle path itself does not slow down as the table grows: a method on one \
             handle, and an open reusing a slot, cost the same in a large table as in a small one.",
        );
    }
    if !is_flat(&random) {
        text.push_str(
            " What grows with a random handle is the memory hierarchy: once the slots and objects \
             touched at random outgrow the CPU caches and TLB, each call misses them. The \
             plain-Rust *lookup* on the same handles grows too; a method call grows more, as it \
             also reads the object (a second miss) and, being longer, cannot overlap its misses \
             with the next call's as a tight loop of lookups does.",
        );
    }
    if !is_flat(&fresh) {
        text.push_str(
            " A fresh open also pays for first-touch page faults of new memory and for moving the \
             slot vector as it doubles.",
        );
    }
    md.paragraph(&text);
}

/// A figure at the largest size within this factor of its 1k figure is
/// reported as flat.
const FLAT: f64 = 1.25;

fn handle_memory(run: &Run, md: &mut Section) {
    let p = &run.handles_probe;
    let per = p
        .get(&format!("rss_per_handle.{}", run.max_handles))
        .copied();
    let slots = p.get("slots_allocated").copied();
    let rest = per.map(|v| v - run.bucket_size as f64);
    md.heading("Memory per live handle").paragraph(&format!(
        "{} live buckets (empty names) in one instance, in a fresh process, the guest's handle \
         list touched beforehand so that only the host's growth counts: **{} bytes of resident \
         memory per live handle**. The table allocated {} slots \
         (`ResourceTable::slots_allocated`). Each bucket is a boxed `Bucket` of {} bytes \
         (`size_of`); the remaining {} bytes per handle are the table slot, the slot vector's \
         growth and the allocator's overhead. The slot entry's own size is not public API.",
        num(run.max_handles),
        bytes(per),
        slots.map_or_else(|| "-".into(), thousands),
        run.bucket_size,
        bytes(rest),
    ));
}

fn instances(run: &Run, md: &mut Section) {
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
    let mut table = Table::new(&["figure", "slots host", "bare Wasmer", "ratio"]);
    for (label, slots, bare, is_bytes) in rows {
        let show = if is_bytes { bytes } else { ns };
        table.row([label, show(slots), show(bare), ratio(slots, bare)]);
    }
    let hit = get(s, "last_instance_cache_hits") == Some(1.0)
        && get(s, "last_instance_cache_misses") == Some(0.0);
    let stat = |k: &str| bytes(get(s, k));
    md.heading(&format!("{} instances sharing one host", num(run.instances)))
        .paragraph(
            "One compiled `Module`, one `SharedHost`, a `Store` each, all in one namespace. The \
             baseline is the same module instantiated by Wasmer alone, with stub imports. Resident \
             memory counts touched pages only: the guest's linear memory is reserved address space \
             until it is used.",
        )
        .table(&table)
        .paragraph(&format!(
            "Keyed open across instances: instance 1 opened a pattern ({} ns, compiled: a miss); \
             instance {} then opened the same key ({} ns, {}). Host cache before the second open: \
             hits {}, misses {}, creations {}; after: hits {}, misses {}, creations {}, entries {}. \
             Instance {}'s counters: cache_hits {}, cache_misses {}. **{}**",
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
        ));
}

fn teardown(run: &Run, md: &mut Section) {
    let n = run.teardown_handles;
    let mut table = Table::new(&[
        "how",
        &format!("holding {} handles, ns", num(n)),
        "holding 0, ns",
        "ratio",
        "per handle, ns",
    ]);
    for (label, key) in [
        ("`GuestInstance::teardown`", "teardown"),
        ("dropping the `Store`", "drop_store"),
    ] {
        let full = run.median(&format!("{key}.{n}"));
        let empty = run.median(&format!("{key}.0"));
        let per = full.zip(empty).map(|(f, e)| (f - e) / f64::from(n.max(1)));
        table.row([
            label.to_string(),
            ns(full),
            ns(empty),
            ratio(full, empty),
            ns(per),
        ]);
    }
    let once = run.handles_probe.get("teardown_ns").copied();
    md.heading("Teardown").table(&table).paragraph(&format!(
        "In the fresh process of the memory probe, `teardown` of {} handles took {} ns ({} ns per handle); \
         every handle was released (the table was empty after).",
        num(run.max_handles),
        ns(once),
        ns(once.map(|t| t / f64::from(run.max_handles))),
    ));
}

/// A line chart of nanoseconds per operation against live handles, log x,
/// as SVG text.
fn chart(run: &Run) -> Result<String, Box<dyn std::error::Error>> {
    const BLUE: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
    const RED: RGBColor = RGBColor(0xd6, 0x27, 0x28);
    const GREEN: RGBColor = RGBColor(0x2c, 0xa0, 0x2c);
    const GREY: RGBColor = RGBColor(0x7f, 0x7f, 0x7f);
    // (label, colour, dashed, figures by size)
    let series = [
        ("open (slot reused)", BLUE, false, run.open()),
        ("fresh open (slot new)", BLUE, true, run.fresh_open()),
        ("method, random handle", RED, false, run.method_random()),
        ("method, one handle", RED, true, run.method_one()),
        ("table lookup, no Wasm", GREEN, false, run.lookup()),
        ("pick only (guest)", GREY, true, run.pick()),
    ];
    let max = series
        .iter()
        .flat_map(|(_, _, _, v)| v.iter().flatten())
        .fold(0.0f64, |a, &b| a.max(b));
    let first = f64::from(run.sizes[0]);
    let last = f64::from(run.sizes[run.sizes.len() - 1]).max(first * 10.0);
    let title = format!(
        "Time per operation against live handles in one instance{}",
        if run.quick { " (quick run)" } else { "" }
    );

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 420)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(12)
            .margin_right(36)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((first..last).log_scale(), 0.0..nice_ceiling(max * 1.1))?;
        chart
            .configure_mesh()
            .x_desc("live handles (log scale)")
            .y_desc("ns per operation")
            .x_label_formatter(&|v| thousands(*v))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .light_line_style(WHITE)
            .draw()?;
        for (label, colour, dashed, values) in series {
            let points: Vec<(f64, f64)> = run
                .sizes
                .iter()
                .zip(values)
                .filter_map(|(&size, v)| v.map(|v| (f64::from(size), v)))
                .collect();
            let line = colour.stroke_width(2);
            let drawn = if dashed {
                chart.draw_series(DashedLineSeries::new(points.clone(), 6, 4, line))?
            } else {
                chart.draw_series(LineSeries::new(points.clone(), line))?
            };
            // A gap of 0 draws the legend's line solid.
            let (dash, gap) = if dashed { (6, 4) } else { (24, 0) };
            drawn.label(label).legend(move |(x, y)| {
                DashedPathElement::new([(x, y), (x + 24, y)], dash, gap, line)
            });
            chart.draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 3, colour.filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
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
