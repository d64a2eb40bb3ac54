//! `rbacc graph`: Graphviz accepts the DOT output of every preset and
//! example, and the Mermaid output of the presets is snapshotted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{rbacc, run};
use std::io::Write;
use std::process::{Command, Stdio};

/// Whether Graphviz's `dot` is installed (`.ci/run` installs it).
fn have_dot() -> bool {
    Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn dot_accepts(text: &str) -> Result<(), String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() && !String::from_utf8_lossy(&out.stderr).contains("rror") {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

const ODD_NAMES: &str = r##"policy odd "A \"quoted\" policy \\ with # and <tags>"
scope org "Org \"Inc\"" 
scope team-space "Team {space}" in org
permissions on org {
  org.admin "Admin" {
    implies team-lead on every team-space
    assigns org-owner
  }
}
permissions on team-space { team-space.view "View" }
role org-owner on org "Owner \"#1\" <b>" { grant org.admin }
role team-lead on team-space "Lead; -->|x| end" { grant team-space.view }
role cluster_org on org "Named like a cluster" { include org-owner }
"##;

#[test]
fn graphviz_accepts_the_dot_of_every_preset_and_example() {
    if !have_dot() {
        // `.ci/run` installs graphviz; only a machine without it skips.
        println!("note: Graphviz `dot` is not installed: the DOT output was not checked");
        return;
    }
    let mut inputs: Vec<Vec<String>> = rbacc::presets::PRESETS
        .iter()
        .map(|p| vec!["--preset".to_string(), p.name.to_string()])
        .collect();
    inputs.push(vec!["examples/saas.rbac".to_string()]);
    for args in inputs {
        let out = run(rbacc().arg("graph").args(&args));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(out.stdout.starts_with("digraph "), "{}", out.stdout);
        dot_accepts(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: dot refuses: {e}"));
    }
    let policy = rbacc::compile("odd.rbac", ODD_NAMES).unwrap_or_else(|r| panic!("{r}"));
    let text = rbacc::internals::report::graph::to_dot(&policy);
    dot_accepts(&text).unwrap_or_else(|e| panic!("odd names: dot refuses: {e}\n{text}"));
}

#[test]
fn mermaid_of_every_preset() {
    for p in rbacc::presets::PRESETS {
        let out = run(rbacc().args(["graph", "--preset", p.name, "--format", "mermaid"]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        insta::assert_snapshot!(format!("mermaid_{}", p.name), out.stdout);
    }
}

#[test]
fn mermaid_labels_are_escaped_and_ids_are_indices() {
    let policy = rbacc::compile("odd.rbac", ODD_NAMES).unwrap_or_else(|r| panic!("{r}"));
    let text = rbacc::internals::report::graph::to_mermaid(&policy);
    insta::assert_snapshot!("mermaid_odd_names", text);
}

#[test]
fn graph_of_a_policy_with_errors_is_a_load_error() {
    let out = run(rbacc().args([
        "graph",
        "tests/ui/resolve/E0101_unknown_scope_in_role_header.rbac",
    ]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("E0101"), "{}", out.stderr);
}
