//! The canonical ABI layer on its own, over a [`VecMemory`]: lifting and
//! lowering strings, byte lists and a record, and the host side of two
//! import calls, so that its cost can be told apart from Wasmer's.
//!
//! `SLOTS_BENCH_QUICK=1` shortens every measurement for a smoke run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use host_wasmer::abi::{Abi, GuestMemory, Val, VecMemory};
use wasmer::Value;
use wit_parser::{Function, Resolve, Type};

const WIT: &str = "
package bench:abi;

interface i {
    variant error { invalid(string), quota-exceeded(string), not-found(string) }
    record point { x: u32, y: s64, z: f64, visible: bool, tag: char }

    bytes: func(b: list<u8>);
    move-point: func(p: point);
    put: func(key: string, value: list<u8>) -> result<option<list<u8>>, error>;
    len: func(h: u32) -> u32;
}
";

struct Fixture {
    abi: Abi,
    bytes: Type,
    point: Type,
    put: Function,
    len: Function,
}

impl Fixture {
    fn new() -> Self {
        let mut resolve = Resolve::default();
        let pkg = resolve.push_str("bench.wit", WIT).unwrap();
        let iface = resolve.packages[pkg].interfaces["i"];
        let funcs = &resolve.interfaces[iface].functions;
        let param = |name: &str| funcs[name].params[0].ty;
        let (bytes, point) = (param("bytes"), param("move-point"));
        let (put, len) = (funcs["put"].clone(), funcs["len"].clone());
        Self {
            abi: Abi::new(resolve),
            bytes,
            point,
            put,
            len,
        }
    }
}

fn byte_list(len: usize) -> Val {
    Val::Bytes((0..len).map(|i| i as u8).collect())
}

fn u8_list(len: usize) -> Val {
    Val::List((0..len).map(|i| Val::U8(i as u8)).collect())
}

fn point() -> Val {
    Val::Record(vec![
        Val::U32(7),
        Val::S64(-3),
        Val::F64(1.5),
        Val::Bool(true),
        Val::Char('λ'),
    ])
}

/// Benchmarks lowering `val` (into a memory whose allocations are freed
/// each time) and lifting it back (from a memory it was lowered into once).
fn lower_and_lift(
    group: &mut BenchmarkGroup<'_, WallTime>,
    abi: &Abi,
    name: &str,
    ty: &Type,
    val: &Val,
) {
    let mut mem = VecMemory::new(0);
    let mut out = Vec::new();
    group.bench_function(format!("lower {name}"), |b| {
        b.iter(|| {
            mem.free_all();
            out.clear();
            abi.lower_flat(ty, black_box(val), &mut mem, &mut out)
                .unwrap();
            black_box(&out);
        })
    });
    let mut lowered = VecMemory::new(0);
    let mut flat = Vec::new();
    abi.lower_flat(ty, val, &mut lowered, &mut flat).unwrap();
    assert_eq!(&abi.lift_flat(ty, &flat, &lowered).unwrap(), val);
    group.bench_function(format!("lift {name}"), |b| {
        b.iter(|| abi.lift_flat(ty, black_box(&flat), &lowered).unwrap())
    });
}

fn abi(c: &mut Criterion) {
    let mut group = c.benchmark_group("abi");
    let f = Fixture::new();
    let abi = &f.abi;

    for (label, len) in [("16 B", 16), ("4 KiB", 4096)] {
        let text = Val::String("z".repeat(len));
        lower_and_lift(
            &mut group,
            abi,
            &format!("string {label}"),
            &Type::String,
            &text,
        );
        let bytes = byte_list(len);
        lower_and_lift(
            &mut group,
            abi,
            &format!("list<u8> {label}"),
            &f.bytes,
            &bytes,
        );
        let legacy = u8_list(len);
        let mut mem = VecMemory::new(0);
        let mut out = Vec::new();
        group.bench_function(format!("lower list<u8> {label} from Val::List"), |b| {
            b.iter(|| {
                mem.free_all();
                out.clear();
                abi.lower_flat(&f.bytes, black_box(&legacy), &mut mem, &mut out)
                    .unwrap();
                black_box(&out);
            })
        });
    }
    lower_and_lift(&mut group, abi, "record of 5 scalars", &f.point, &point());

    // The host side of `put(key, value) -> result<option<list<u8>>, error>`
    // as the guest calls it: key at 16, return area at 64, value at 128.
    let value = vec![b'v'; 4096];
    let mut mem = VecMemory::new(128 + 4096);
    mem.write(16, b"key").unwrap();
    mem.write(128, &value).unwrap();
    let args = [
        Value::I32(16),
        Value::I32(3),
        Value::I32(128),
        Value::I32(4096),
        Value::I32(64),
    ];
    let previous = Val::ok(Some(Val::some(Val::Bytes(value))));
    group.bench_function("import call put(3 B, 4 KiB) -> 4 KiB", |b| {
        b.iter(|| {
            mem.free_all();
            let params = abi
                .lift_import_params(&f.put, black_box(&args), &mut mem)
                .unwrap();
            black_box(params);
            abi.lower_import_result(&f.put, Some(previous.clone()), &args, &mut mem)
                .unwrap()
        })
    });
    let args = [Value::I32(5)];
    group.bench_function("import call len(u32) -> u32", |b| {
        b.iter(|| {
            let params = abi
                .lift_import_params(&f.len, black_box(&args), &mut mem)
                .unwrap();
            black_box(params);
            abi.lower_import_result(&f.len, Some(Val::U32(1)), &args, &mut mem)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = slots_bench_support::estimates::criterion();
    targets = abi
}
criterion_main!(benches);
