//! The help of `rbacc` and of every subcommand is snapshotted, and each
//! subcommand's help ends with an example. Also: completions, the manual
//! page, `explain` and `presets --show`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{rbacc, run};

/// The subcommands `rbacc --help` lists (a new one is picked up here).
fn subcommands() -> Vec<String> {
    let out = run(rbacc().arg("--help"));
    assert_eq!(out.code, 0);
    let mut in_commands = false;
    let mut names = Vec::new();
    for line in out.stdout.lines() {
        if line.starts_with("Commands:") {
            in_commands = true;
            continue;
        }
        if in_commands {
            if !line.starts_with("  ") {
                break;
            }
            // Continuation lines of a description are indented further.
            if line.starts_with("   ") {
                continue;
            }
            let name = line.split_whitespace().next().unwrap();
            if name != "help" {
                names.push(name.to_string());
            }
        }
    }
    names
}

#[test]
fn the_help_of_every_subcommand_ends_with_an_example() {
    let top = run(rbacc().arg("--help"));
    insta::assert_snapshot!("help_rbacc", top.stdout);
    let names = subcommands();
    assert!(names.len() >= 13, "{names:?}");
    for name in names {
        let out = run(rbacc().args([name.as_str(), "--help"]));
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let example = out.stdout.rfind("\nExample:\n  rbacc ");
        assert!(
            example.is_some(),
            "`rbacc {name} --help` does not end with an example (add `after_help` on its variant in src/cli/mod.rs):\n{}",
            out.stdout
        );
        let tail = &out.stdout[example.unwrap()..];
        assert!(
            tail.lines()
                .skip(2)
                .all(|l| l.starts_with("  ") || l.is_empty()),
            "{name}: the example is not last:\n{tail}"
        );
        insta::assert_snapshot!(format!("help_{name}"), out.stdout);
    }
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _rbacc"),
        ("zsh", "#compdef rbacc"),
        ("fish", "complete -c rbacc"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = run(rbacc().args(["completions", shell]));
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{shell}:\n{}", out.stdout);
        assert!(
            out.stdout.contains("graph"),
            "{shell}: subcommands are completed"
        );
    }
    let out = run(rbacc().args(["completions", "tcsh"]));
    assert_eq!(out.code, 2);
}

#[test]
fn the_manual_page_is_roff_with_every_subcommand() {
    let out = run(rbacc().arg("man"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(".TH rbacc 1"), "{}", out.stdout);
    for name in subcommands() {
        // roff escapes `-` as `\-`.
        let roff = name.replace('-', "\\-");
        assert!(out.stdout.contains(&roff), "the manual page lacks `{name}`");
        let page = run(rbacc().args(["man", name.as_str()]));
        assert_eq!(page.code, 0, "{name}: {}", page.stderr);
        assert!(
            page.stdout.contains(&format!(".TH rbacc-{name} 1")),
            "{name}:\n{}",
            page.stdout
        );
    }
    assert_eq!(run(rbacc().args(["man", "grpah"])).code, 2);
}

#[test]
fn explain_prints_the_page_entry_of_a_code_or_name() {
    let out = run(rbacc().args(["explain", "E0107"]));
    assert_eq!(out.code, 0);
    insta::assert_snapshot!("explain_E0107", out.stdout);
    let by_name = run(rbacc().args(["explain", "implication-not-down"]));
    assert_eq!(by_name.stdout, out.stdout);
    let lower = run(rbacc().args(["explain", "e0107"]));
    assert_eq!(lower.stdout, out.stdout);
    let unknown = run(rbacc().args(["explain", "E0170"]));
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("unknown diagnostic code `E0170`; did you mean `E0"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn presets_show_prints_the_source_the_explanations_cite() {
    for p in rbacc::presets::PRESETS {
        let out = run(rbacc().args(["presets", "--show", p.name]));
        assert_eq!(out.code, 0);
        assert_eq!(out.stdout, p.source);
        let file =
            std::fs::read_to_string(common::root().join(format!("policies/{}.rbac", p.name)))
                .unwrap();
        assert_eq!(
            out.stdout, file,
            "explanations cite policies/{}.rbac",
            p.name
        );
    }
    let out = run(rbacc().args(["presets", "--show", "astra"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `astro`?"),
        "{}",
        out.stderr
    );
}
