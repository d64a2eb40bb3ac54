//! Snapshots of every preset's matrix in every format (reviewed output).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rbacc::internals::report::matrix::{matrix, to_markdown, to_text};

fn snapshot_all(name: &str) {
    let preset = rbacc::presets::get(name).unwrap();
    let policy = rbacc::compile(name, preset.source).unwrap_or_else(|r| panic!("{r}"));
    let m = matrix(&policy);
    insta::assert_snapshot!(format!("{name}_text"), to_text(&m));
    insta::assert_snapshot!(format!("{name}_markdown"), to_markdown(&m));
    insta::assert_json_snapshot!(format!("{name}_json"), m);
}

#[test]
fn astro() {
    snapshot_all("astro");
}

#[test]
fn airbyte() {
    snapshot_all("airbyte");
}

#[test]
fn tooljet() {
    snapshot_all("tooljet");
}

#[test]
fn neosync() {
    snapshot_all("neosync");
}
