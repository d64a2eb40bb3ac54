//! `--format sarif` output validated against the SARIF 2.1.0 JSON schema
//! (vendored in tests/data/, see its README), and `--format github` checked
//! line by line.
//!
//! The validator below implements the JSON Schema draft-04 keywords the
//! SARIF schema uses (type, enum, properties, required,
//! additionalProperties, items, minItems, uniqueItems, minimum, maximum,
//! anyOf, oneOf, $ref into #/definitions, format uri / uri-reference). A
//! `pattern` constrains only fields rbacc does not write (GUIDs, versions,
//! MIME types, languages); meeting one fails validation, so that a new
//! field is noticed here rather than accepted unchecked. Its negative tests
//! show it rejects what the schema forbids.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
mod common;

use common::root;
use std::path::Path;

fn schema() -> Value {
    let text = std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

struct Validator<'a> {
    root: &'a Value,
    errors: Vec<String>,
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        "number" => v.is_number(),
        other => panic!("unknown type {other}"),
    }
}

/// RFC 3986 `URI-reference`: only ASCII URI characters, `%` followed by
/// two hex digits, at most one `#`, and, for a relative reference, no `:`
/// in the first path segment (it would read as a scheme).
fn valid_uri_reference(s: &str) -> bool {
    let chars_ok = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c));
    let pct_ok = s
        .split('%')
        .skip(1)
        .all(|rest| rest.len() >= 2 && rest.chars().take(2).all(|c| c.is_ascii_hexdigit()));
    let one_fragment = s.matches('#').count() <= 1;
    let has_scheme = s.split_once(':').is_some_and(|(scheme, _)| {
        scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let first_segment = s.split(['/', '?', '#']).next().unwrap_or("");
    let relative_ok = has_scheme || !first_segment.contains(':');
    !s.is_empty() && chars_ok && pct_ok && one_fragment && relative_ok
}

fn valid_uri(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    !scheme.is_empty()
        && scheme.chars().next().unwrap().is_ascii_alphabetic()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && valid_uri_reference(s)
}

impl<'a> Validator<'a> {
    fn resolve(&self, reference: &str) -> &'a Value {
        let name = reference
            .strip_prefix("#/definitions/")
            .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
        &self.root["definitions"][name]
    }

    fn is_valid(&self, schema: &Value, v: &Value) -> bool {
        let mut sub = Validator {
            root: self.root,
            errors: Vec::new(),
        };
        sub.validate(schema, v, "");
        sub.errors.is_empty()
    }

    fn validate(&mut self, schema: &Value, v: &Value, path: &str) {
        let Some(s) = schema.as_object() else {
            return;
        };
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let target = self.resolve(r);
            self.validate(target, v, path);
            return;
        }
        if let Some(t) = s.get("type") {
            let ok = match t {
                Value::String(t) => type_matches(t, v),
                Value::Array(ts) => ts.iter().any(|t| type_matches(t.as_str().unwrap(), v)),
                _ => true,
            };
            if !ok {
                self.errors
                    .push(format!("{path}: expected type {t}, got {v}"));
                return;
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array) {
            if !e.contains(v) {
                self.errors.push(format!("{path}: {v} not in {e:?}"));
            }
        }
        if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
            if v.as_f64().is_some_and(|x| x < min) {
                self.errors.push(format!("{path}: {v} below minimum {min}"));
            }
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
            if v.as_f64().is_some_and(|x| x > max) {
                self.errors.push(format!("{path}: {v} above maximum {max}"));
            }
        }
        if let (Some(_), Some(text)) = (s.get("pattern"), v.as_str()) {
            self.errors.push(format!(
                "{path}: `{text}` meets a pattern this validator does not check"
            ));
        }
        if let (Some(f), Some(text)) = (s.get("format").and_then(Value::as_str), v.as_str()) {
            let ok = match f {
                "uri" => valid_uri(text),
                "uri-reference" => valid_uri_reference(text),
                "date-time" => false,
                _ => true,
            };
            if !ok {
                self.errors
                    .push(format!("{path}: `{text}` is not a valid {f}"));
            }
        }
        if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            if !any.iter().any(|sub| self.is_valid(sub, v)) {
                self.errors
                    .push(format!("{path}: matches no schema of anyOf"));
            }
        }
        if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
            let n = one.iter().filter(|sub| self.is_valid(sub, v)).count();
            if n != 1 {
                self.errors
                    .push(format!("{path}: matches {n} schemas of oneOf"));
            }
        }
        if let Some(a) = v.as_array() {
            if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
                if (a.len() as u64) < min {
                    self.errors.push(format!("{path}: fewer than {min} items"));
                }
            }
            if s.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (i, x) in a.iter().enumerate() {
                    if a[..i].contains(x) {
                        self.errors.push(format!("{path}: item {i} repeated"));
                    }
                }
            }
            if let Some(items) = s.get("items") {
                for (i, x) in a.iter().enumerate() {
                    self.validate(items, x, &format!("{path}/{i}"));
                }
            }
        }
        if let Some(o) = v.as_object() {
            let props = s.get("properties").and_then(Value::as_object);
            if let Some(req) = s.get("required").and_then(Value::as_array) {
                for r in req {
                    let r = r.as_str().unwrap();
                    if !o.contains_key(r) {
                        self.errors.push(format!("{path}: missing required `{r}`"));
                    }
                }
            }
            for (k, x) in o {
                match props.and_then(|p| p.get(k)) {
                    Some(sub) => self.validate(sub, x, &format!("{path}/{k}")),
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            self.errors
                                .push(format!("{path}: property `{k}` not allowed"));
                        }
                        Some(sub @ Value::Object(_)) => {
                            self.validate(sub, x, &format!("{path}/{k}"))
                        }
                        _ => {}
                    },
                }
            }
        }
    }
}

fn validate(log: &Value) -> Vec<String> {
    let schema = schema();
    let mut v = Validator {
        root: &schema,
        errors: Vec::new(),
    };
    v.validate(&schema, log, "");
    v.errors
}

fn rbacc(args: &[&str]) -> (i32, String) {
    let out = common::run(common::rbacc().args(args));
    (out.code, out.stdout)
}

/// Structural facts the schema does not state: rule ids and indices agree,
/// URIs are relative, regions are 1-based.
fn check_consistency(log: &Value) {
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let registry: Vec<&str> = rbacc::diagnostic::codes::CODES
        .iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(ids, registry, "one rule per code, in registry order");
    for result in run["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], id);
        assert!(["error", "warning"].contains(&result["level"].as_str().unwrap()));
        let locations = result["locations"].as_array().unwrap();
        let related = result["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for loc in locations.iter().chain(related.iter()) {
            let uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(
                !uri.starts_with('/') && !uri.contains("://"),
                "relative uri: {uri}"
            );
            assert!(
                Path::new(&root()).join(uri.replace("%20", " ")).exists(),
                "{uri} exists"
            );
            let region = &loc["physicalLocation"]["region"];
            let (sl, sc) = (
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
            );
            let (el, ec) = (
                region["endLine"].as_u64().unwrap(),
                region["endColumn"].as_u64().unwrap(),
            );
            assert!(sl >= 1 && sc >= 1 && (el, ec) >= (sl, sc), "{region}");
        }
    }
}

#[test]
fn check_sarif_validates_against_the_schema() {
    let (status, out) = rbacc(&["check", "--format", "sarif", "tests/ui/analyse", "policies"]);
    assert_eq!(status, 1, "the violating ui cases have errors");
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(validate(&log), Vec::<String>::new());
    check_consistency(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    // Every analysis code appears, with its chain as related locations.
    for code in [
        "E0201", "E0202", "E0203", "E0204", "W0301", "W0302", "W0303", "W0304", "W0305", "W0306",
    ] {
        let r = results
            .iter()
            .find(|r| r["ruleId"] == code)
            .unwrap_or_else(|| panic!("{code}"));
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("tests/ui/analyse/"), "{uri}");
    }
    let e0202 = results
        .iter()
        .find(|r| {
            r["ruleId"] == "E0202"
                && r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with("`job_developer`")
        })
        .unwrap();
    assert_eq!(
        e0202["relatedLocations"].as_array().unwrap().len(),
        3,
        "{e0202:#}"
    );
}

#[test]
fn clean_check_is_a_valid_empty_log() {
    let (status, out) = rbacc(&[
        "check",
        "--format",
        "sarif",
        "policies",
        "examples/saas.rbac",
    ]);
    assert_eq!(status, 0);
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(validate(&log), Vec::<String>::new());
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
}

#[test]
fn diff_sarif_validates_against_the_schema() {
    // NEW is written to the tests' temporary directory, where rbacc runs,
    // so its URI is relative.
    let new = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif_neosync_new.rbac");
    let source = rbacc::presets::get("neosync").unwrap().source;
    // Job Developer gains member invitations through a new include.
    let changed = source.replace(
        "role job_developer on account \"Job Developer\" {\n",
        "role inviter on account \"Inviter\" { grant account.members.invite }\nrole job_developer on account \"Job Developer\" {\n  include inviter\n",
    );
    assert_ne!(changed, source);
    std::fs::write(&new, changed).unwrap();
    let out = common::rbacc()
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .args([
            "diff",
            "--old-preset",
            "neosync",
            "sarif_neosync_new.rbac",
            "--format",
            "sarif",
            "--fail-on",
            "escalation",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(validate(&log), Vec::<String>::new());
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(r["ruleId"], "D0501");
        assert_eq!(r["level"], "error", "errors under --fail-on escalation");
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri == "sarif_neosync_new.rbac", "{uri}");
    }
    let messages: Vec<&str> = results
        .iter()
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    // One change, at the new include, naming what it widens.
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("`job_developer` includes `inviter` (new): widens access\nnote: `job_developer` gains `account.members.invite`: none → always\nnote: `job_developer` can now assign `account_admin`"),
        "{messages:?}"
    );
}

#[test]
fn the_validator_rejects_invalid_logs() {
    let (_, out) = rbacc(&[
        "check",
        "--format",
        "sarif",
        "tests/ui/analyse/E0203_never_group.rbac",
    ]);
    let good: Value = serde_json::from_str(&out).unwrap();
    assert!(validate(&good).is_empty());
    let mut bad = good.clone();
    bad["version"] = Value::from("2.0.0");
    assert!(!validate(&bad).is_empty(), "wrong version");
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validate(&bad).is_empty(), "unknown level");
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!validate(&bad).is_empty(), "line 0");
    let mut bad = good.clone();
    bad["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    assert!(!validate(&bad).is_empty(), "driver without name");
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["message"] = Value::from("text");
    assert!(!validate(&bad).is_empty(), "message not an object");
    let mut bad = good;
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        Value::from("a b.rbac");
    assert!(!validate(&bad).is_empty(), "unencoded space in a uri");
}

#[test]
fn github_annotations_errors_first_and_escaped() {
    let (status, out) = rbacc(&[
        "check",
        "--format",
        "github",
        "tests/ui/analyse/W0306_empty_role.rbac",
        "tests/ui/analyse/E0203_never_group.rbac",
    ]);
    assert_eq!(status, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with(
        "::error file=tests/ui/analyse/E0203_never_group.rbac,line=11,col=1,endLine=11,endColumn=38,title=E0203::"
    ));
    assert!(lines[1].starts_with(
        "::warning file=tests/ui/analyse/W0306_empty_role.rbac,line=5,col=6,endLine=5,endColumn=20,title=W0306::`ws_placeholder` grants nothing"
    ));
    for line in &lines {
        let message = line.split_once("::").unwrap().1.split_once("::").unwrap().1;
        assert!(!message.contains('\n') && !message.contains('\r'));
        assert!(message.contains("%0Ahelp: "), "{message}");
    }
}

#[test]
fn every_rule_is_documented() {
    // docs/diagnostics.md has a table row for every code of the registry,
    // which is also the list of SARIF rules.
    let doc = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    let missing: Vec<&str> = rbacc::diagnostic::codes::CODES
        .iter()
        .filter(|c| !doc.contains(&format!("| {} | {} |", c.code, c.name)))
        .map(|c| c.code)
        .collect();
    assert!(
        missing.is_empty(),
        "codes missing from docs/diagnostics.md: {missing:?}"
    );
}

/// Decodes `%XX` escapes (for comparing URIs with file names).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn file_names_of_any_shape_give_valid_uri_references() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif_names");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let names = [
        "C:evil.rbac",
        "javascript:alert(1).rbac",
        "we%ird,na:me #1.rbac",
        "q?x=1.rbac",
        "é ü 名.rbac",
    ];
    for name in names {
        std::fs::write(dir.join(name), "role r on nowhere \"R\" {}\n").unwrap();
    }
    let out = common::rbacc()
        .current_dir(&dir)
        .args(["check", "--format", "sarif"])
        .args(names)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(validate(&log), Vec::<String>::new());
    let mut uris: Vec<String> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    uris.dedup();
    assert_eq!(uris.len(), names.len(), "{uris:?}");
    for (uri, name) in uris.iter().zip(names) {
        assert!(valid_uri_reference(uri), "{uri}");
        assert!(
            !valid_uri(uri),
            "{uri} reads as an absolute URI with a scheme"
        );
        assert_eq!(percent_decode(uri), name);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_validator_refuses_what_rfc_3986_refuses() {
    // A scheme-like first segment is an absolute URI, not a file name.
    assert!(valid_uri("C:evil.rbac") && valid_uri("javascript:alert(1).rbac"));
    assert!(!valid_uri_reference("./a:b/../c d"));
    assert!(!valid_uri_reference("a b"));
    assert!(!valid_uri_reference("é.rbac"));
    assert!(!valid_uri_reference("we%ird.rbac"));
    assert!(!valid_uri_reference("a#1#2"));
    assert!(valid_uri_reference("dir/a%3Ab.rbac"));
    assert!(valid_uri_reference("file:///tmp/a.rbac"));
}
