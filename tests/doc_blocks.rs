//! Every ```` ```rbac ```` block of README.md and docs/*.md is checked.
//!
//! The plain `rbac` blocks of a page are one policy, read together (names
//! may be used before they are declared, as in a file): it must be clean,
//! without errors or warnings. A block marked ```` ```rbac E0107 ```` is an
//! error example, checked alone: it must report that code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::root;

/// The `rbac` blocks of a markdown text: (marked code, first line, text).
fn rbac_blocks(text: &str) -> Vec<(Option<String>, usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(Option<String>, usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut current, fence) {
            (None, Some(info)) => {
                let mut words = info.split_whitespace();
                if words.next() == Some("rbac") {
                    current = Some((words.next().map(str::to_string), n + 1, String::new()));
                } else {
                    // Another language's block: skip to its end.
                    current = Some((Some("skip".to_string()), n + 1, String::new()));
                }
            }
            (Some(_), Some(_)) => {
                if let Some(block) = current.take() {
                    if block.0.as_deref() != Some("skip") {
                        out.push(block);
                    }
                }
            }
            (Some(block), None) => {
                block.2.push_str(line);
                block.2.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

fn pages() -> Vec<std::path::PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<_> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

#[test]
fn every_rbac_block_of_the_docs_checks_as_marked() {
    let mut blocks_seen = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        let mut together = String::new();
        for (code, line, block) in rbac_blocks(&text) {
            blocks_seen += 1;
            match code {
                Some(code) => {
                    let report = rbacc::check(&format!("{name}:{line}"), &block);
                    assert!(
                        report.diagnostics.iter().any(|d| d.code == code),
                        "{name}:{line}: the block is marked {code} but reports:\n{}",
                        report.to_plain_string()
                    );
                }
                None => {
                    together.push_str(&block);
                    together.push('\n');
                }
            }
        }
        if !together.is_empty() {
            let report = rbacc::check(&name, &together);
            assert!(
                report.diagnostics.is_empty(),
                "{name}: its `rbac` blocks, read together, are not clean:\n{}\n{together}",
                report.to_plain_string()
            );
        }
    }
    assert!(blocks_seen >= 5, "only {blocks_seen} rbac blocks found");
}

#[test]
fn blocks_are_found_and_marked() {
    let text = "a\n```rbac\nscope o \"O\"\n```\n```sh\nrbacc check\n```\n```rbac E0101\nrole a on x \"A\"\n```\n";
    let blocks = rbac_blocks(text);
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0], (None, 2, "scope o \"O\"\n".to_string()));
    assert_eq!(blocks[1].0.as_deref(), Some("E0101"));
}
