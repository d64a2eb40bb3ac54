//! The editor files under `editors/`: the TextMate grammar and the VS Code
//! extension that starts `rbacc lsp`. (Tokenizing the policies with VS
//! Code's engine is a separate command: `editors/textmate/test`, `npm ci &&
//! npm test`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{rbacc, root};
use serde_json::Value;
use std::fs;

fn json(path: &str) -> Value {
    let text = fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

/// Every `kw_*` rule of the pest grammar: the language's keywords.
fn keywords() -> Vec<String> {
    let pest = fs::read_to_string(root().join("grammar/rbac.pest")).unwrap();
    pest.lines()
        .filter_map(|l| l.strip_prefix("kw_"))
        .filter_map(|l| l.split('"').nth(1))
        .map(str::to_string)
        .collect()
}

/// Every `"name"` and `"match"`/`"begin"` string of the grammar.
fn strings_under(v: &Value, key: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == key {
                    if let Value::String(s) = v {
                        out.push(s.clone());
                    }
                }
                strings_under(v, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| strings_under(v, key, out)),
        _ => {}
    }
}

#[test]
fn the_textmate_grammar_names_the_language_and_every_keyword() {
    let g = json("editors/textmate/rbac.tmLanguage.json");
    assert_eq!(g["scopeName"], "source.rbac");
    assert_eq!(g["fileTypes"], serde_json::json!(["rbac"]));
    // Every include points into the repository.
    let mut includes = Vec::new();
    strings_under(&g, "include", &mut includes);
    assert!(!includes.is_empty());
    for inc in &includes {
        let name = inc.strip_prefix('#').expect("a repository include");
        assert!(g["repository"][name].is_object(), "{inc} is defined");
    }
    // Every scope name ends with the language's suffix.
    let mut names = Vec::new();
    strings_under(&g, "name", &mut names);
    for name in names.iter().filter(|n| *n != "rbacc policy") {
        assert!(name.ends_with(".rbac"), "scope `{name}` ends with .rbac");
    }
    for scope in [
        "comment.line.double-slash.rbac",
        "string.quoted.double.rbac",
        "keyword.other.rbac",
        "entity.name.type.role.rbac",
        "variable.other.permission.rbac",
    ] {
        assert!(names.iter().any(|n| n == scope), "{scope} is used");
    }
    // The keyword pattern lists exactly the keywords of grammar/rbac.pest.
    let kw = g["repository"]["keywords"]["patterns"][0]["match"]
        .as_str()
        .unwrap();
    let listed: Vec<&str> = kw
        .split_once("(?:")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(list, _)| list.split('|').collect())
        .unwrap();
    let mut listed: Vec<String> = listed.into_iter().map(str::to_string).collect();
    let mut expected = keywords();
    listed.sort();
    expected.sort();
    assert!(expected.len() > 40, "{expected:?}");
    assert_eq!(listed, expected);
}

#[test]
fn the_vscode_extension_starts_rbacc_lsp_for_rbac_files() {
    let m = json("editors/vscode/package.json");
    let lang = &m["contributes"]["languages"][0];
    assert_eq!(lang["id"], "rbac");
    assert_eq!(lang["extensions"], serde_json::json!([".rbac"]));
    let config = lang["configuration"].as_str().unwrap();
    json(&format!("editors/vscode/{config}"));
    let grammar = &m["contributes"]["grammars"][0];
    assert_eq!(grammar["language"], "rbac");
    assert_eq!(grammar["scopeName"], "source.rbac");
    // The packaged grammar is the TextMate grammar, byte for byte.
    let path = grammar["path"].as_str().unwrap();
    let packaged = fs::read(root().join("editors/vscode").join(path)).unwrap();
    let source = fs::read(root().join("editors/textmate/rbac.tmLanguage.json")).unwrap();
    assert!(
        packaged == source,
        "{path} is a copy of editors/textmate/rbac.tmLanguage.json"
    );
    assert_eq!(
        m["activationEvents"],
        serde_json::json!(["onLanguage:rbac"])
    );
    assert!(m["engines"]["vscode"].is_string());
    assert!(m["dependencies"]["vscode-languageclient"].is_string());
    assert_eq!(
        m["contributes"]["configuration"]["properties"]["rbacc.path"]["default"],
        "rbacc"
    );
    // The entry point runs `<rbacc.path> lsp`.
    let main = m["main"].as_str().unwrap();
    let entry = fs::read_to_string(root().join("editors/vscode").join(main)).unwrap();
    assert!(entry.contains(r#"get("path") || "rbacc""#), "{entry}");
    assert!(entry.contains(r#"args: ["lsp"]"#), "{entry}");
    assert!(entry.contains(r#"language: "rbac""#), "{entry}");
    // …which is a command of this binary.
    rbacc().args(["lsp", "--help"]).assert().success();
}
