//! The runner's scenarios: one guest, or several tenants of one host.

use std::path::Path;

use slots_host::patterns::cache_key;
use slots_host::{MatchOptions, Pattern};

use crate::args::{RunArgs, WasiArgs};
use crate::outcome::judge;
use crate::report;
use crate::stage::Stage;

/// One guest, run once or `instances` times on one host, with any
/// instructions in its inbox. `Some(code)` when a WASI guest exited.
pub(crate) fn single(args: &RunArgs) -> Result<Option<u32>, String> {
    let stage = Stage::new(&args.wasm, &args.wasi)?;
    let mut exit = None;
    for round in 1..=args.instances {
        if args.instances > 1 {
            println!("  instance {round} of {}", args.instances);
        }
        let mut tenant = stage.start(&args.namespace)?;
        for subject in &args.tell {
            stage.tell(&args.namespace, subject)?;
        }
        let outcome = tenant.run();
        report::counters(&tenant);
        exit = tenant.exit_code();
        tenant.end()?;
        match exit {
            Some(code) => println!("  the guest exited with code {code}"),
            None => judge(outcome, args.expect_trap.as_deref())?,
        }
    }
    report::totals(&stage)?;
    Ok(exit)
}

/// The `tenants` guest in two namespaces, then restarted in the first.
pub(crate) fn tenants(wasm: &Path) -> Result<(), String> {
    let stage = Stage::new(wasm, &WasiArgs::default())?;
    for (namespace, expect) in [
        ("tenant-a", "expect miss"),
        ("tenant-b", "expect miss"),
        ("tenant-a", "expect hit"),
    ] {
        println!("  [{namespace}] opens the shared key, told to `{expect}`");
        let mut tenant = stage.start(namespace)?;
        stage.tell(namespace, expect)?;
        let outcome = tenant.run();
        report::counters(&tenant);
        judge(outcome, None)?;
    }
    println!("  two tenants, one key: two objects; the restarted tenant found its own warm");
    report::totals(&stage)
}

/// The `grants` guest: tenant-a grants a pattern and a bucket to tenant-b,
/// sees tenant-b's write, then the host revokes the pattern.
pub(crate) fn grants(wasm: &Path) -> Result<(), String> {
    let stage = Stage::new(wasm, &WasiArgs::default())?;
    let mut a = stage.start("tenant-a")?;
    let mut b = stage.start("tenant-b")?;
    let steps = [
        ("tenant-a", "give pattern tenant-b take pattern ok"),
        ("tenant-a", "give bucket tenant-b take bucket ok"),
        ("tenant-a", "give pattern tenant-b take bucket wrong-type"),
        ("tenant-b", ""),
        ("tenant-a", "expect-entry from-taker hi"),
    ];
    for (namespace, subject) in steps {
        let tenant = if namespace == "tenant-a" {
            &mut a
        } else {
            &mut b
        };
        if subject.is_empty() {
            println!("  [{namespace}] redeems its tokens (forged and replayed ones are refused)");
        } else {
            println!("  [{namespace}] {subject}");
            stage.tell(namespace, subject)?;
        }
        judge(tenant.run(), None)?;
    }
    let key = cache_key("slots-[0-9]+", MatchOptions::default());
    println!("  [host] revokes the granted pattern");
    if !stage.host.revoke_key::<Pattern>("tenant-a", &key) {
        return Err("the granted pattern was not in the cache".into());
    }
    for tenant in [&mut a, &mut b] {
        println!("  [{}] uses its handles", tenant.namespace);
        stage.tell(&tenant.namespace, "use")?;
        judge(tenant.run(), Some("revoked"))?;
        report::counters(tenant);
    }
    drop((a, b));
    report::totals(&stage)
}
