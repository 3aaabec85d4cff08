//! Inputs per second of the fuzz target bodies on random inputs, without
//! libFuzzer and without its coverage instrumentation: where to look first
//! when a target is slow, and a before/after measure for a change.
//!
//! ```text
//! cargo run --release -p slots-fuzz-targets --example throughput -- [TARGET] [SECONDS] [MAX_LEN]
//! ```
//!
//! Inputs are 0 to `MAX_LEN - 1` random bytes (default 4,096, libFuzzer's
//! `-max_len` in `cargo xtask fuzz`), from a fixed seed.

use std::time::{Duration, Instant};

/// A target's body.
type Body = fn(&[u8]);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let only = args.first().map(String::as_str);
    let seconds: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5.0);
    let max_len: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(4096);
    let targets: [(&str, Body); 2] = [
        ("table_ops", |d| slots_fuzz_targets::table_ops(d)),
        ("import_calls", |d| {
            slots_fuzz_targets::import_calls(d);
        }),
    ];
    for (name, body) in targets {
        if only.is_some_and(|o| o != name && o != "all") {
            continue;
        }
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // The first input pays for one-time set-up (compiling the guest).
        body(&[]);
        let start = Instant::now();
        let budget = Duration::from_secs_f64(seconds);
        let mut inputs = 0u64;
        let mut bytes = 0u64;
        while start.elapsed() < budget {
            let len = (next() % max_len.max(1)) as usize;
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            body(&data);
            inputs += 1;
            bytes += len as u64;
        }
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "{name:<14} {inputs:>9} inputs in {elapsed:.1} s: {:>9.0} inputs/s (mean {} bytes)",
            inputs as f64 / elapsed,
            bytes / inputs.max(1)
        );
    }
}
