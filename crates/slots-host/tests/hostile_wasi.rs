//! Hostile WASI guests: reaching outside the preopen (`..`, absolute paths,
//! symlinks pointing out) is an error value, never the file; printing
//! without end is bounded by the capture's cap; one tenant never sees
//! another's preopens; and teardown leaves nothing behind.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::wasi::{WasiConfig, WasiHost};
use host_wasmer::{HostConfig, SharedHost};
use support::wasi::{CAP, Scratch, pattern_files, run_wasi};

/// The secret outside every preopen, and the text the guest must not see.
const SECRET: &str = "the host's secret: never for a guest";

#[test]
fn a_wasi_guest_cannot_read_outside_its_preopen() {
    let scratch = Scratch::new("escape");
    let dir = pattern_files(&scratch);
    let secret = scratch.write("secret.txt", SECRET);
    let outside = scratch.write("outside/also-secret.txt", SECRET);
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(&secret, dir.join("link-absolute")).unwrap();
        symlink("../secret.txt", dir.join("link-relative")).unwrap();
        symlink(scratch.path().join("outside"), dir.join("link-dir")).unwrap();
        symlink("/", dir.join("link-root")).unwrap();
    }
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let attempts = [
        "/patterns/../secret.txt".to_string(),
        "/patterns/../../secret.txt".to_string(),
        "../secret.txt".to_string(),
        "/secret.txt".to_string(),
        secret.display().to_string(),
        outside.display().to_string(),
        "/etc/passwd".to_string(),
        "/patterns/link-absolute".to_string(),
        "/patterns/link-relative".to_string(),
        "/patterns/link-dir/also-secret.txt".to_string(),
        "/patterns/link-root/etc/passwd".to_string(),
        format!("/patterns/link-root{}", secret.display()),
    ];
    let config = WasiConfig::new("files")
        .dir(&dir, "/patterns")
        .args(attempts.iter().cloned());
    let run = run_wasi(&host, &wasi, "files", "attacker", config);
    // The guest fails its `run` the moment a read outside succeeds.
    run.assert_passed("files");
    for attempt in &attempts {
        assert!(
            run.stdout.contains(&format!("`{attempt}` is out of reach")),
            "{attempt} was not tried: {}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
    assert_eq!(host.totals().leaked(), 0);
    assert_eq!(wasi.live_environments(), 0);
}

#[test]
fn a_guest_printing_without_end_is_bounded_by_the_capture_cap() {
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let config = WasiConfig::new("printing").env("LINES", "100000");
    let run = run_wasi(&host, &wasi, "printing", "flood", config);
    run.assert_passed("printing");
    assert_eq!(run.stdout.len(), CAP, "the host kept exactly the cap");
    assert!(
        run.dropped > 2_000_000,
        "the rest was dropped: {} bytes",
        run.dropped
    );
    assert_eq!(host.totals().leaked(), 0);
    assert_eq!(wasi.live_environments(), 0);
}

#[test]
fn each_tenant_sees_only_its_own_preopens() {
    let mine = Scratch::new("tenant-a");
    let theirs = Scratch::new("tenant-b");
    let dir_a = pattern_files(&mine);
    let dir_b = pattern_files(&theirs);
    theirs.write("patterns/private.re", "b-only\n");
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    // Tenant b's files, by the path tenant b sees them and by the host's.
    let reach = [
        "/patterns/private.re".to_string(),
        "/theirs/private.re".to_string(),
        dir_b.join("private.re").display().to_string(),
    ];
    let a = run_wasi(
        &host,
        &wasi,
        "files",
        "tenant-a",
        WasiConfig::new("files")
            .dir(&dir_a, "/patterns")
            .args(reach.iter().cloned()),
    );
    a.assert_passed("files");
    let b = run_wasi(
        &host,
        &wasi,
        "files",
        "tenant-b",
        WasiConfig::new("files").dir(&dir_b, "/patterns"),
    );
    b.assert_passed("files");
    assert_eq!(
        b.counters.cache_misses, 4,
        "tenant b compiles its own patterns"
    );
    assert_eq!(host.totals().leaked(), 0);
    assert_eq!(wasi.live_environments(), 0);
}

#[test]
fn dropping_the_store_without_teardown_releases_handles_and_the_wasi_state() {
    use host_wasmer::wasi::Output;
    use wasmer::{Module, Store};

    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let mut store = Store::default();
    let module = Module::new(&store, slots_test_support::guests::wasi_wasm("printing")).unwrap();
    let config = WasiConfig::new("printing").stdout(Output::Capture { limit: 16 });
    let guest = support::wasi::start_wasi(&mut store, &module, &host, &wasi, "t", &config).unwrap();
    assert_eq!(wasi.live_environments(), 1);
    guest.call_run(&mut store).unwrap().unwrap();
    drop(guest);
    drop(store);
    assert_eq!(host.totals().instances, 0);
    assert_eq!(host.totals().leaked(), 0);
    assert_eq!(wasi.live_environments(), 0);
}
