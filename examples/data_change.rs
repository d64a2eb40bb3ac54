//! A change to loaded membership data, against a full reload.
//!
//! 100,000 users in 1,000 organizations of 10 workspaces each; every user
//! is a member of one organization and bound to one workspace. A full
//! reload reads the whole YAML text again (`Members::from_yaml`); a change
//! removes one binding from a kept `MembersBuilder` (or adds it back) and
//! builds the data again (`MembersBuilder::to_members`), with no YAML
//! written or read. Run it:
//!
//! ```sh
//! cargo run --release --no-default-features --example data_change
//! ```
//!
//! It prints the median of 7 runs of each and their ratio.

use rbacc::{Members, MembersBuilder};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const POLICY: &str = r#"
scope organization "Organization"
scope workspace "Workspace" in organization
permissions on organization { organization.view "View" }
permissions on workspace { workspace.view "View"  workspace.edit "Edit" }
role organization_member on organization "Member" { grant organization.view }
role workspace_viewer on workspace "Viewer" { grant workspace.view }
role workspace_editor on workspace "Editor" { include workspace_viewer  grant workspace.edit }
"#;

const USERS: usize = 100_000;
const ORGS: usize = 1_000;
const WORKSPACES: usize = 10;

fn yaml() -> String {
    let mut s = String::from("users:\n");
    for u in 0..USERS {
        let _ = writeln!(s, "  - u{u}");
    }
    s.push_str("resources:\n");
    for o in 0..ORGS {
        let _ = writeln!(s, "  organization:o{o}:\n    roles:");
        for u in (o..USERS).step_by(ORGS) {
            let _ = writeln!(s, "      u{u}: organization_member");
        }
        for w in 0..WORKSPACES {
            let _ = writeln!(s, "  workspace:o{o}/w{w}:\n    roles:");
            for u in (o + w * ORGS..USERS).step_by(ORGS * WORKSPACES) {
                let role = if u % 3 == 0 {
                    "workspace_editor"
                } else {
                    "workspace_viewer"
                };
                let _ = writeln!(s, "      u{u}: {role}");
            }
        }
    }
    s
}

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = rbacc::compile("change.rbac", POLICY)?;
    let text = yaml();
    let full = median(|| {
        let m = Members::from_yaml(&policy, "members.yaml", &text);
        assert!(m.is_ok(), "the data loads");
    });
    let mut b = MembersBuilder::from_yaml("members.yaml", &text)?;
    let ws = b
        .find_resource("workspace:o0/w0")
        .ok_or("no workspace:o0/w0")?;
    let mut bound = true;
    let change = median(|| {
        if bound {
            b.unbind(ws, "u0");
        } else {
            b.add_role(ws, "u0", "workspace_editor");
        }
        bound = !bound;
        assert!(
            b.to_members(&policy, "members.yaml").is_ok(),
            "the data builds"
        );
    });
    println!("{USERS} users, YAML {} bytes", text.len());
    println!("full reload (from_yaml):           {full:>10.1?}");
    println!("change + build (kept builder):     {change:>10.1?}");
    println!(
        "ratio full / change:               {:>10.2}",
        full.as_secs_f64() / change.as_secs_f64().max(f64::MIN_POSITIVE)
    );
    Ok(())
}
