//! The presets reproduce their seed documents' permission tables cell for
//! cell. The expected tables are transcribed from the documents, with the
//! documents' own labels, in `tests/seed_tables/<preset>.txt`:
//!
//! ```text
//! table SCOPE
//! columns | Role A | Role B
//! Row label | yes | configurable
//! extra | Row label the document states in prose, not in its table
//! ```
//!
//! The documents' tables show each kind's own roles; `rbacc matrix` also
//! shows, after them, the roles of enclosing kinds that reach the kind
//! ("Organization Owner (via organization)"). The comparison is on the
//! own columns, cell for cell; the added columns are checked to be marked,
//! to come after the own ones, and to be roles of an enclosing kind that
//! hold something in the table (so a document's column can never hide
//! among them).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rbacc::internals::report::matrix::{matrix, Cell};

#[derive(Debug, Default)]
struct Expected {
    scope: String,
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
    extra: Vec<String>,
}

fn parse(text: &str) -> Vec<Expected> {
    let mut tables: Vec<Expected> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(scope) = line.strip_prefix("table ") {
            tables.push(Expected {
                scope: scope.trim().to_string(),
                ..Expected::default()
            });
            continue;
        }
        let cells: Vec<String> = line.split('|').map(|c| c.trim().to_string()).collect();
        let t = tables.last_mut().expect("a `table` line first");
        match cells[0].as_str() {
            "columns" => t.columns = cells[1..].to_vec(),
            "extra" => t.extra.push(cells[1].clone()),
            _ => t.rows.push((cells[0].clone(), cells[1..].to_vec())),
        }
    }
    tables
}

fn word(c: Cell) -> &'static str {
    match c {
        Cell::Yes => "yes",
        Cell::No => "no",
        Cell::ConfigurableOn | Cell::ConfigurableOff => "configurable",
    }
}

fn check_preset(name: &str) {
    let preset = rbacc::presets::get(name).unwrap();
    let policy = rbacc::compile(name, preset.source).unwrap_or_else(|r| panic!("{r}"));
    let m = matrix(&policy);
    let text = std::fs::read_to_string(format!("tests/seed_tables/{name}.txt")).unwrap();
    let expected = parse(&text);
    assert!(!expected.is_empty(), "{name}: no tables transcribed");
    for e in &expected {
        let t = m
            .tables
            .iter()
            .find(|t| t.scope == e.scope)
            .unwrap_or_else(|| panic!("{name}: no matrix table for scope `{}`", e.scope));
        let own = t.roles.iter().take_while(|r| r.via.is_none()).count();
        let columns: Vec<&str> = t.roles[..own].iter().map(|r| r.name.as_str()).collect();
        assert_eq!(columns, e.columns, "{name}/{}: columns", e.scope);
        for (i, col) in t.roles.iter().enumerate().skip(own) {
            let via = col.via.as_deref().unwrap_or_else(|| {
                panic!(
                    "{name}/{}: unmarked column `{}` after a via column",
                    e.scope, col.name
                )
            });
            let role = rbacc::internals::policy::model(&policy)
                .role_id(&col.id)
                .unwrap();
            let kind = rbacc::internals::policy::model(&policy)
                .role(role)
                .unwrap()
                .scope;
            let table_kind = rbacc::internals::policy::model(&policy)
                .scope_id(&e.scope)
                .unwrap();
            assert_eq!(
                rbacc::internals::policy::model(&policy).scope_name(kind),
                via,
                "{name}: `{}`",
                col.id
            );
            assert!(
                kind != table_kind
                    && rbacc::internals::policy::model(&policy).scope_within(table_kind, kind),
                "{name}/{}: `{}` is not of an enclosing kind",
                e.scope,
                col.id
            );
            assert!(
                t.rows.iter().any(|r| r.cells[i] != Cell::No),
                "{name}/{}: via column `{}` holds nothing here",
                e.scope,
                col.id
            );
        }
        let doc_rows: Vec<&str> = e.rows.iter().map(|r| r.0.as_str()).collect();
        let got_rows: Vec<&str> = t.rows.iter().map(|r| r.label.as_str()).collect();
        let expected_rows: Vec<&str> = doc_rows
            .iter()
            .copied()
            .chain(e.extra.iter().map(String::as_str))
            .collect();
        assert_eq!(
            got_rows, expected_rows,
            "{name}/{}: rows (document rows, then extras)",
            e.scope
        );
        for (label, cells) in &e.rows {
            let row = t.rows.iter().find(|r| &r.label == label).unwrap();
            let got: Vec<&str> = row.cells[..own].iter().map(|c| word(*c)).collect();
            assert_eq!(got, *cells, "{name}/{}: row `{label}`", e.scope);
        }
    }
    let covered: Vec<&str> = expected.iter().map(|e| e.scope.as_str()).collect();
    for t in &m.tables {
        assert!(
            covered.contains(&t.scope.as_str())
                || t.scope == "instance"
                // A kind with no roles of its own (ToolJet's apps) gets a
                // table of enclosing roles only; the page has none.
                || t.roles.iter().all(|r| r.via.is_some()),
            "{name}: matrix table `{}` has no transcription",
            t.scope
        );
    }
}

#[test]
fn astro_matches_its_document() {
    check_preset("astro");
}

#[test]
fn airbyte_matches_its_document() {
    check_preset("airbyte");
}

#[test]
fn tooljet_matches_its_document() {
    check_preset("tooljet");
}

#[test]
fn neosync_matches_its_document() {
    check_preset("neosync");
}
