//! Guest `files`: a WASI guest (`wasm32-wasip1`, Rust `std`) that reads
//! pattern files from a preopened directory, parses each once, and keeps
//! the parsed object in the host's cache by key.
//!
//! Each `*.re` file in the directory (`PATTERNS_DIR`, default `/patterns`)
//! holds the source of a regular expression; the guest opens a `pattern`
//! by it, which the host compiles on a cache miss and serves warm on a
//! hit, so a second instance of the same tenant compiles nothing. Lines of
//! the form `# match: TEXT` in a file are texts the pattern must match.
//!
//! Every argument is a path the guest must *not* be able to read (outside
//! its preopen: `..`, absolute paths, symlinks pointing out): reading one
//! must be an error value, and the guest fails if it gets the file.

use std::fs;

use slots_guest_sdk::{Guest, MatchOptions, Pattern, counters, ensure, ensure_eq};

/// The guest; see the crate documentation.
struct Files;

impl Guest for Files {
    fn run() -> Result<(), String> {
        let dir = std::env::var("PATTERNS_DIR").unwrap_or_else(|_| "/patterns".into());
        let mut paths: Vec<_> = fs::read_dir(&dir)
            .map_err(|e| format!("cannot list `{dir}`: {e}"))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "re"))
            .collect();
        paths.sort();
        ensure!(!paths.is_empty(), "no *.re file in `{dir}`");

        let base = counters();
        let mut patterns = Vec::new();
        for path in &paths {
            let text = fs::read_to_string(path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            let mut lines = text.lines();
            let source = lines.next().unwrap_or_default().trim().to_string();
            let pattern = Pattern::open(&source, MatchOptions::empty())
                .map_err(|e| format!("`{}`: {e}", path.display()))?;
            for sample in lines.filter_map(|l| l.strip_prefix("# match: ")) {
                ensure!(
                    pattern.is_match(sample),
                    "`{source}` does not match `{sample}`"
                );
            }
            ensure_eq!(pattern.source(), source);
            patterns.push(pattern);
        }
        let opened = counters();
        let lookups =
            (opened.cache_hits - base.cache_hits) + (opened.cache_misses - base.cache_misses);
        ensure_eq!(lookups as usize, paths.len(), "one lookup per file");
        println!(
            "files: {} patterns from `{dir}`: {} compiled, {} warm from the cache",
            paths.len(),
            opened.cache_misses - base.cache_misses,
            opened.cache_hits - base.cache_hits
        );

        for path in std::env::args().skip(1) {
            if let Ok(bytes) = fs::read(&path) {
                return Err(format!(
                    "read `{path}` from outside the preopen ({} bytes)",
                    bytes.len()
                ));
            }
            println!("files: `{path}` is out of reach, as it should be");
        }
        drop(patterns);
        ensure_eq!(counters().live_handles, base.live_handles);
        Ok(())
    }
}

slots_guest_sdk::export!(Files);
