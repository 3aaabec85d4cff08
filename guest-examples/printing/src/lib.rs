//! Guest `printing`: a WASI guest (`wasm32-wasip1`, Rust `std`) that prints
//! with `println!` while it uses handles.
//!
//! It makes a bucket and, for each line it prints, records the line in the
//! bucket and prints how many entries the bucket holds: output and handles
//! interleave. The environment variable `LINES` says how many lines
//! (default 3; only the first 16 are kept in the bucket, so a guest asked
//! to print without end stays within its data budget). Its arguments, which
//! it prints to stderr, may end in `--exit CODE`: it then exits with that
//! code through `std::process::exit`, after dropping its handles.

use slots_guest_sdk::{Bucket, Guest, counters, ensure_eq};

/// The guest; see the crate documentation.
struct Printing;

/// Lines past this many are printed, not kept.
const KEPT: usize = 16;

impl Guest for Printing {
    fn run() -> Result<(), String> {
        let lines: usize = match std::env::var("LINES") {
            Ok(lines) => lines.parse().map_err(|e| format!("LINES={lines}: {e}"))?,
            Err(_) => 3,
        };
        let args: Vec<String> = std::env::args().collect();
        eprintln!("printing: args {args:?}");
        let base = counters();
        let bucket = Bucket::new("printed");
        for i in 0..lines {
            let line = format!(
                "line {i}: bucket `{}` holds {} entries",
                bucket.name(),
                bucket.len()
            );
            println!("{line}");
            if i < KEPT {
                bucket.put(&format!("line-{i:02}"), line.as_bytes())?;
            }
        }
        ensure_eq!(bucket.len() as usize, lines.min(KEPT));
        ensure_eq!(counters().live_handles, base.live_handles + 1);
        drop(bucket);
        ensure_eq!(counters().live_handles, base.live_handles);
        println!("printed {lines} lines; the bucket is dropped");
        if let Some(position) = args.iter().position(|a| a == "--exit") {
            let code = args
                .get(position + 1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(1);
            std::process::exit(code);
        }
        Ok(())
    }
}

slots_guest_sdk::export!(Printing);
