//! The fast path of the membership reader (`src/membership/plain.rs`) held
//! to the full reader: whatever it reads, the full reader reads to the same
//! raw structures; what it gives up on (`None`), loading reads again with
//! the full reader, which alone words errors.
//!
//! Checked on every YAML file of the repository, on hand-written edge
//! cases, and on random edits of those files. The `members_plain` fuzz
//! target runs the same check on arbitrary bytes (docs/reliability.md).
//! A longer run of the random edits:
//!
//! ```text
//! RBACC_PLAIN_CASES=1000000 cargo test --release --test plain_reader
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use rbacc::membership::raw::RawMembers;
use std::path::{Path, PathBuf};

/// The invariant: the fast path is `None`, or the full reader's result.
/// Returns whether the fast path read the text.
fn agrees(text: &str) -> bool {
    let Some(fast) = RawMembers::from_plain_yaml(text) else {
        return false;
    };
    // (Long texts are cut in the message; the shrunk case is short.)
    let shown: String = format!("{:?}", text.chars().take(600).collect::<String>());
    match serde_yaml::from_str::<RawMembers>(text) {
        Ok(full) => assert!(fast == full, "the readers differ on:\n{shown}"),
        Err(e) => panic!("the fast path read what the full reader refuses ({e}):\n{shown}"),
    }
    true
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

fn repository_yaml() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests"] {
        yaml_files(&root.join(dir), &mut files);
    }
    files.sort();
    // (Some corpus cases are deliberately not UTF-8: loading refuses them
    // before either reader.)
    files
        .into_iter()
        .filter_map(|p| {
            let text = String::from_utf8(std::fs::read(&p).unwrap()).ok()?;
            Some((p, text))
        })
        .collect()
}

#[test]
fn every_yaml_file_of_the_repository() {
    let files = repository_yaml();
    assert!(files.len() > 100, "found {} files", files.len());
    let read = files.iter().filter(|(_, text)| agrees(text)).count();
    // Most are error cases the full reader must word; the valid ones are
    // read by the fast path.
    assert!(read > 20, "the fast path read {read} of {}", files.len());
}

#[test]
fn the_shipped_examples_take_the_fast_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for preset in ["airbyte", "astro", "neosync", "tooljet"] {
        let text = std::fs::read_to_string(root.join(preset).join("members.yaml")).unwrap();
        assert!(agrees(&text), "{preset}: the fast path gave up");
    }
}

const PLAIN: &str = "\
edition: team
users: [ana, 'ben', \"cy\"]
groups:
  ops: [ana, ben]
resources:
  organization:acme:
    members: [ana, ben, cy]
    roles:
      ana: owner
      group:ops: [member, 'viewer']
    grants:
      cy: workspace.view
    settings:
      member:
        workspace.create: on
        workspace.delete: 'off'
        x.y: true
        x.z: no
  workspace:acme/w1:
  workspace:acme/w2: ~
  workspace:acme/w3: {}
";

#[test]
fn the_plain_shape_is_read_as_the_full_reader_reads_it() {
    assert!(agrees(PLAIN));
    let raw = RawMembers::from_plain_yaml(PLAIN).unwrap();
    assert_eq!(raw.users.names.len(), 3);
    assert_eq!(raw.resources.0.len(), 4);
    assert!(raw.resources.0[1].1.is_none() && raw.resources.0[2].1.is_none());
    assert!(raw.resources.0[3].1.is_some());
    // Comments, flow and block styles.
    assert!(agrees("# people\nusers:\n- ana # first\n- ben\n"));
    assert!(agrees(
        "{users: [ana], resources: {organization:a: {roles: {ana: owner}}}}"
    ));
    // A user listed twice is kept aside for the loader to report.
    let raw = RawMembers::from_plain_yaml("users: [ana, ben, ana, ben]").unwrap();
    assert_eq!(raw.users.repeated, Some((2, "ana".to_string())));
    assert!(agrees("users: [ana, ben, ana, ben]"));
    // Scalars whose type is not in doubt where a string is wanted.
    assert!(agrees("users: [7, true, ~, '', x-]"));
    assert!(agrees("users: [\"a\\tb\", 'it''s']"));
}

#[test]
fn what_the_fast_path_leaves_to_the_full_reader() {
    for text in [
        // Typed scalars where any value is taken.
        "resources:\n  organization:a:\n    roles:\n      ana: 7\n",
        "resources:\n  organization:a:\n    roles:\n      ana: true\n",
        "resources:\n  organization:a:\n    roles:\n      ana:\n",
        "resources:\n  organization:a:\n    settings:\n      r:\n        p: True\n",
        "resources:\n  organization:a:\n    settings:\n      r:\n        p: maybe\n",
        "edition: 2024\n",
        "edition:\n",
        // Anchors, aliases, tags, block scalars.
        "users: &u [ana]\ngroups:\n  g: *u\n",
        "users: [!!str ana]\n",
        "users: [ana]\nresources: !custom {}\n",
        "users:\n  - |\n    ana\n",
        // Plain scalars that start with an indicator, and tabs.
        "users: [-x]\n",
        "users: [ana, \"\tb\"]\n",
        "edition: te\u{c}am\n",
        "resources: {a: b, u7:,c}\n",
        "users: [u7:, b]\n",
        "users: [a, u1s:?, b]\n",
        "{\"edition\"\r: \"x\", }\n",
        "{edition\n  : x}\n",
        "resources: {u7 a\ngroups:\n  , b}\n",
        "users: [\"a\n  b\"]\n",
        format!(
            "users: [a]\nresources:\n  {}, b:\n    members: [a]\n",
            "k".repeat(1100)
        )
        .as_str(),
        // Short in characters, past 1,024 bytes.
        format!(
            "users: [a]\nresources:\n  k{}:\n    members: [a]\n",
            "\u{30a}".repeat(600)
        )
        .as_str(),
        "users: [ana\u{7f}]\n",
        "users: [ana\u{85}b, \u{feff}c]\n",
        // Keys written twice, unknown fields, other shapes.
        "users: [ana]\nusers: [ben]\n",
        "groups:\n  g: [ana]\n  g: [ben]\n",
        "resources:\n  organization:a:\n    roles: {ana: owner, ana: member}\n",
        "resources:\n  organization:a:\n    rolse: {}\n",
        "people: [ana]\n",
        "resources:\n  organization:a: 3\n",
        "resources:\n  organization:a:\n    members: 3\n",
        "users: ana\n",
        "- ana\n",
        "# only a comment\n",
        "users: [ana]\n---\nusers: [ben]\n",
        "---\nusers: [ana]\n...\n",
        "...\nusers: [ana]\n",
        "\r\r...\r {\r}",
        // Syntax errors.
        "users: [ana\n",
        "users:\n\t- ana\n",
        "resources:\n  organization:a:\n    roles:\n      ana: owner\n     ben: owner\n",
    ] {
        assert!(!agrees(text), "the fast path read:\n{text}");
    }
}

#[test]
fn a_large_generated_file_takes_the_fast_path() {
    let mut text = String::from("users:\n");
    for u in 0..2000 {
        text.push_str(&format!("  - user-{u}\n"));
    }
    text.push_str("resources:\n");
    for w in 0..50 {
        text.push_str(&format!("  workspace:o/w{w}:\n    roles:\n"));
        for u in (w..2000).step_by(37) {
            text.push_str(&format!("      user-{u}: editor\n"));
        }
    }
    assert!(agrees(&text));
}

/// Characters that change YAML structure, for random edits.
const EDITS: &[&str] = &[
    ":", "-", "- ", "[", "]", "{", "}", ",", "'", "\"", "&a ", "*a", "!", "#", "\n", "  ", "\t",
    "~", "? ", "|", ">", "---\n", "...\n", "7", "null", "on", ": ", "\\", "\r", "\r\n", "\u{c}",
    "\u{85}", "\u{2028}", "\u{a0}", "\u{feff}", "é", "%",
];

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("RBACC_PLAIN_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random edits of the repository's YAML: the fast path stays exact.
    #[test]
    fn random_edits_keep_the_readers_in_agreement(
        file in any::<prop::sample::Index>(),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), 0..EDITS.len(), 0usize..3),
            1..4,
        ),
    ) {
        thread_local!(static FILES: Vec<String> = {
            let mut files: Vec<String> = repository_yaml().into_iter().map(|(_, t)| t).collect();
            files.push(PLAIN.to_string());
            files
        });
        let mut text = FILES.with(|f| file.get(f).clone());
        for (at, edit, cut) in edits {
            let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let start = *at.get(&boundaries);
            let end = boundaries.iter().copied().filter(|&i| i >= start).nth(cut).unwrap_or(start);
            text.replace_range(start..end, EDITS[edit]);
        }
        agrees(&text);
    }
}
