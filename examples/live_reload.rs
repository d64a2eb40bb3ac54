//! Live reload in a multi-threaded service.
//!
//! The pattern: the current `Authorizer` sits behind an `Arc`, and the `Arc`
//! behind a lock that is held only to clone it (readers) or to replace it
//! (the reloader). A request takes the current `Arc` once and answers every
//! check of the request from it, so a request never sees half of a reload.
//! A reload compiles the policy and loads the data off to the side; only a
//! complete, consistent `Authorizer` is swapped in. A reload that fails keeps
//! the old one serving and reports why.
//!
//! Run it (two checking threads while the main thread reloads every 10 ms,
//! one reload in five with broken data):
//!
//! ```sh
//! cargo run --release --example live_reload
//! ```
//!
//! It prints the checks per second with and without reloads going on.

use rbacc::{Authorizer, Members, Report};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// What a service keeps: the authorizer in force.
struct Live {
    current: RwLock<Arc<Authorizer>>,
}

/// Why a reload was refused; the old authorizer keeps serving.
#[derive(Debug)]
enum ReloadError {
    /// The policy or the data has errors (every diagnostic, located).
    Invalid(Report),
    /// The data was loaded against another policy.
    Mismatch(rbacc::AuthorizerError),
}

impl std::fmt::Display for ReloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReloadError::Invalid(report) => write!(f, "{report}"),
            ReloadError::Mismatch(e) => write!(f, "{e}"),
        }
    }
}

impl Live {
    fn new(authz: Authorizer) -> Live {
        Live {
            current: RwLock::new(Arc::new(authz)),
        }
    }

    /// The authorizer in force, for one request.
    fn get(&self) -> Arc<Authorizer> {
        // A poisoned lock only means a reloader panicked mid-swap; the Arc
        // inside is still a complete authorizer.
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        Arc::clone(&guard)
    }

    /// Builds a new authorizer from policy and data text; swaps it in only
    /// when both load.
    fn reload(&self, policy: &str, data: &str) -> Result<(), ReloadError> {
        let policy = rbacc::compile("policy.rbac", policy).map_err(ReloadError::Invalid)?;
        let members =
            Members::from_yaml(&policy, "members.yaml", data).map_err(ReloadError::Invalid)?;
        let next = Authorizer::new(policy, members).map_err(ReloadError::Mismatch)?;
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        *guard = Arc::new(next);
        Ok(())
    }
}

const POLICY: &str = r#"
scope organization "Organization"
scope workspace "Workspace" in organization
permissions on workspace { workspace.view "View"  workspace.edit "Edit" }
role viewer on workspace "Viewer" { grant workspace.view }
role editor on workspace "Editor" { include viewer  grant workspace.edit }
"#;

/// The data, with Ana a Viewer and `ben` the binding of Ben.
fn data(ben: &str) -> String {
    format!(
        "users: [ana, ben]\nresources:\n  organization:acme: {{}}\n  workspace:acme/ml:\n    roles: {{ana: viewer, {ben}}}\n"
    )
}

/// Checks per second on two threads for `run`, while `reloads` is true the
/// main thread reloads every 10 ms.
fn measure(live: &Arc<Live>, run: Duration, reloads: bool) -> Result<(f64, u64, u64), String> {
    let stop = Arc::new(AtomicBool::new(false));
    let checks = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (live, stop, checks) = (Arc::clone(live), Arc::clone(&stop), Arc::clone(&checks));
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    // One request: take the authorizer once, check 100 times.
                    let authz = live.get();
                    for _ in 0..100 {
                        // Names are interned per request in a real service;
                        // here per check, the worst case.
                        match authz.is_allowed("ana", "workspace.view", "workspace:acme/ml") {
                            Ok(true) => n += 1,
                            // Ana is a Viewer in every version of the data.
                            _ => return Err("ana lost workspace.view during a reload".to_string()),
                        }
                    }
                }
                checks.fetch_add(n, Ordering::Relaxed);
                Ok(())
            })
        })
        .collect();
    let (mut ok, mut refused) = (0u64, 0u64);
    let start = Instant::now();
    while start.elapsed() < run {
        std::thread::sleep(Duration::from_millis(10));
        if !reloads {
            continue;
        }
        let round = ok + refused;
        // One reload in five has broken data (an unknown role): refused,
        // and the old authorizer keeps serving.
        let text = match round % 5 {
            4 => data("ben: owner, cleo: editor"),
            r if r % 2 == 0 => data("ben: editor"),
            _ => data("ben: viewer"),
        };
        match live.reload(POLICY, &text) {
            Ok(()) => ok += 1,
            Err(_) => refused += 1,
        }
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join()
            .map_err(|_| "a checking thread panicked".to_string())??;
    }
    let rate = checks.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    Ok((rate, ok, refused))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = rbacc::compile("policy.rbac", POLICY)?;
    let members = Members::from_yaml(&policy, "members.yaml", &data("ben: editor"))?;
    let live = Arc::new(Live::new(Authorizer::new(policy, members)?));

    // A failed reload keeps the old authorizer and says why.
    match live.reload(POLICY, &data("ben: owner, cleo: editor")) {
        Ok(()) => return Err("broken data was accepted".into()),
        Err(e) => println!("reload refused, old authorizer kept:\n{e}"),
    }
    assert!(live
        .get()
        .is_allowed("ben", "workspace.edit", "workspace:acme/ml")?);

    let run = Duration::from_secs(2);
    let (quiet, _, _) = measure(&live, run, false)?;
    let (busy, ok, refused) = measure(&live, run, true)?;
    println!("2 threads, no reloads:        {quiet:>12.0} checks/s");
    println!(
        "2 threads, reload every 10 ms: {busy:>12.0} checks/s ({ok} reloads swapped in, {refused} refused)"
    );
    Ok(())
}
