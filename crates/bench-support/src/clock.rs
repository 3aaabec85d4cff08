//! The clocks a bench times with: the thread's CPU time for paired rounds,
//! and the wall clock over a guest loop driven in chunks.

use std::time::{Duration, Instant};

/// The calling thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`): what it ran,
/// not the time it waited while other processes of a shared machine ran.
/// Elsewhere than Linux, the wall clock since the first call.
///
/// # Examples
///
/// ```
/// use slots_bench_support::clock::thread_cpu_time;
///
/// let start = thread_cpu_time();
/// let sum: u64 = (0..100_000u64).map(std::hint::black_box).sum();
/// assert!(sum > 0 && thread_cpu_time() >= start);
/// ```
pub fn thread_cpu_time() -> Duration {
    #[cfg(target_os = "linux")]
    if let Ok(now) = nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID.now() {
        return Duration::from(now);
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// Nanoseconds of the thread's CPU time per unit of `work`, which does
/// `units` units (calls, operations) of it.
///
/// # Examples
///
/// ```
/// use slots_bench_support::clock::cpu_ns_per;
///
/// let ns = cpu_ns_per(1000.0, || {
///     for i in 0..1000u64 {
///         std::hint::black_box(i);
///     }
/// });
/// assert!(ns >= 0.0);
/// ```
pub fn cpu_ns_per(units: f64, work: impl FnOnce()) -> f64 {
    let start = thread_cpu_time();
    work();
    (thread_cpu_time() - start).as_secs_f64() * 1e9 / units
}

/// The most iterations handed to a guest loop at once: its count is an
/// `i32`.
pub const CHUNK: u64 = 1 << 24;

/// The wall-clock time of `iters` iterations of a guest loop, `call(n)`
/// running `n` of them, in chunks of at most [`CHUNK`]: how every bench
/// drives a Wasm loop from criterion's `iter_custom`.
///
/// # Examples
///
/// ```
/// use slots_bench_support::clock::{CHUNK, in_chunks};
///
/// let mut calls = Vec::new();
/// in_chunks(CHUNK + 5, |n| calls.push(n));
/// assert_eq!(calls, [CHUNK as i32, 5]);
/// ```
pub fn in_chunks(iters: u64, mut call: impl FnMut(i32)) -> Duration {
    let start = Instant::now();
    let mut left = iters;
    while left > 0 {
        let n = left.min(CHUNK);
        call(n as i32);
        left -= n;
    }
    start.elapsed()
}
