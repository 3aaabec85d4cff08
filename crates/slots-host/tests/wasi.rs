//! WASI guests (wasm32-wasip1, Rust `std`) on the real host, through the
//! generated bindings (`slots_host::generated::Guest`) with a `WasiState`
//! each: wasmer-wasix's functions beside the world's in one instance,
//! printing, preopened files, the cache across instances, exit codes and
//! teardown. The run-time `Linker`'s WASI path is tested in host-wasmer's
//! `tests/wasi.rs`.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::wasi::{WasiConfig, WasiHost};
use host_wasmer::{HostConfig, HostError, SharedHost};
use slots_test_support::guests::wasi_wasm;
use support::wasi::{Scratch, pattern_files, run_wasi, start_wasi};
use wasmer::{Module, Store};

#[test]
fn printing_guest_prints_beside_its_handles() {
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let config = WasiConfig::new("printing")
        .env("LINES", "4")
        .args(["first", "second"]);
    let run = run_wasi(&host, &wasi, "printing", "test", config);
    run.assert_passed("printing");
    assert!(
        run.stdout
            .contains("line 0: bucket `printed` holds 0 entries"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("line 3: bucket `printed` holds 3 entries"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("printed 4 lines"), "{}", run.stdout);
    assert!(
        run.stderr.contains(r#"["printing", "first", "second"]"#),
        "the guest sees its program name and arguments: {}",
        run.stderr
    );
    assert_eq!(run.counters.opens, 1);
    assert_eq!(run.counters.live_handles, 0);
    assert_eq!(host.totals().leaked(), 0);
    assert_eq!(wasi.live_environments(), 0);
}

#[test]
fn a_guest_gets_no_environment_variable_it_was_not_granted() {
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    // SAFETY-free check: the host process has variables; the guest sees none.
    let run = run_wasi(
        &host,
        &wasi,
        "printing",
        "test",
        WasiConfig::new("printing"),
    );
    run.assert_passed("printing");
    assert!(
        run.stdout.contains("printed 3 lines"),
        "LINES was not set: {}",
        run.stdout
    );
    assert!(run.stderr.contains(r#"["printing"]"#), "{}", run.stderr);
}

#[test]
fn a_guest_exit_code_is_reported_to_the_host() {
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let config = WasiConfig::new("printing").args(["--exit", "3"]);
    let run = run_wasi(&host, &wasi, "printing", "test", config);
    assert_eq!(run.exit, Some(3));
    let Err(error) = &run.outcome else {
        panic!("an exit ends the call: {:?}", run.outcome);
    };
    assert!(error.to_string().contains("exited with code 3"), "{error}");
    assert_eq!(host.totals().leaked(), 0);
    assert_eq!(wasi.live_environments(), 0);
}

#[test]
fn files_guest_parses_each_file_once_and_a_second_instance_hits_the_cache() {
    let scratch = Scratch::new("files");
    let dir = pattern_files(&scratch);
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let config = || WasiConfig::new("files").dir(&dir, "/patterns");

    let first = run_wasi(&host, &wasi, "files", "tenant", config());
    first.assert_passed("files");
    assert_eq!(
        first.counters.cache_misses, 3,
        "three files, three patterns"
    );
    assert_eq!(first.counters.creations, 3);
    assert!(
        first
            .stdout
            .contains("3 patterns from `/patterns`: 3 compiled, 0 warm"),
        "{}",
        first.stdout
    );

    let second = run_wasi(&host, &wasi, "files", "tenant", config());
    second.assert_passed("files");
    assert_eq!(second.counters.cache_hits, 3, "every pattern was warm");
    assert_eq!(second.counters.cache_misses, 0);
    assert_eq!(second.counters.creations, 0, "nothing compiled again");
    assert_eq!(host.cache_stats().creations, 3);
    assert_eq!(host.totals().leaked(), 0);
    assert_eq!(wasi.live_environments(), 0);
}

#[test]
fn a_guest_granted_no_directory_sees_no_files() {
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let run = run_wasi(&host, &wasi, "files", "test", WasiConfig::new("files"));
    let Ok(Err(message)) = &run.outcome else {
        panic!(
            "the guest should fail to list its directory: {:?}",
            run.outcome
        );
    };
    assert!(message.contains("cannot list `/patterns`"), "{message}");
    assert_eq!(host.totals().leaked(), 0);
}

#[test]
fn every_guest_example_built_for_wasip1_runs_through_wasi() {
    // A wasm32-wasip1 build of a plain guest imports WASI too (std's
    // environment and output); the world's imports sit beside wasmer-wasix's.
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    for name in ["caching", "identity", "lifecycle"] {
        let run = run_wasi(&host, &wasi, name, name, WasiConfig::new(name));
        run.assert_passed(name);
    }
    assert_eq!(host.totals().leaked(), 0);
    assert_eq!(wasi.live_environments(), 0);
}

#[test]
fn a_generated_wasi_guest_holds_one_wasi_state_until_its_single_teardown() {
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let mut store = Store::default();
    let module = Module::new(&store, wasi_wasm("printing")).unwrap();
    let config = WasiConfig::new("printing");
    let first = start_wasi(&mut store, &module, &host, &wasi, "a", &config).unwrap();
    let second = start_wasi(&mut store, &module, &host, &wasi, "b", &config).unwrap();
    assert_eq!(wasi.live_environments(), 2, "one WASI state per instance");
    assert_eq!(host.totals().instances, 2);
    first.call_run(&mut store).unwrap().unwrap();
    assert_eq!(first.instance().counters(&store).opens, 1);

    let mut other = Store::default();
    assert!(matches!(
        first.teardown(&mut other),
        Err(HostError::WrongStore)
    ));
    first.teardown(&mut store).unwrap();
    first.teardown(&mut store).unwrap();
    assert!(first.state().is_torn_down());
    assert_eq!(
        wasi.live_environments(),
        1,
        "teardown closed the first one's files, its store still alive"
    );
    assert!(
        first.call_run(&mut store).is_err(),
        "a torn-down guest refuses calls"
    );
    assert_eq!(host.totals().instances, 1);
    second.call_run(&mut store).unwrap().unwrap();
    drop((first, second, store));
    assert_eq!(host.totals().instances, 0);
    assert_eq!(host.totals().leaked(), 0);
    assert_eq!(wasi.live_environments(), 0);
}
