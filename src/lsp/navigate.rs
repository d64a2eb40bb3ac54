//! Go to definition, find references, rename and the outline.

use super::document::Document;
use super::index::{NameKind, Occurrence};
use crate::syntax::ast::{self, Decl};
use lsp_types::{DocumentSymbol, Location, SymbolKind, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

/// Where the name under the cursor is declared.
pub fn definition(doc: &Document, uri: &Uri, offset: usize) -> Option<Location> {
    let at = doc.index.at(offset)?;
    let decl = doc.index.declaration(at.kind, &at.name)?;
    Some(Location {
        uri: uri.clone(),
        range: doc.range(decl.span),
    })
}

/// Every place the name under the cursor is written.
pub fn references(
    doc: &Document,
    uri: &Uri,
    offset: usize,
    include_declaration: bool,
) -> Vec<Location> {
    let Some(at) = doc.index.at(offset) else {
        return Vec::new();
    };
    doc.index
        .uses(at.kind, &at.name)
        .filter(|o| include_declaration || !o.declaration)
        .map(|o| Location {
            uri: uri.clone(),
            range: doc.range(o.span),
        })
        .collect()
}

/// Why a rename cannot be done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameError(pub String);

/// The name under the cursor, if it can be renamed.
pub fn prepare_rename(doc: &Document, offset: usize) -> Option<&Occurrence> {
    doc.index.at(offset)
}

/// Renames the name under the cursor everywhere in the file.
///
/// `prefix.*` patterns are left as written: they name no single permission.
pub fn rename(
    doc: &Document,
    uri: &Uri,
    offset: usize,
    new_name: &str,
) -> Result<WorkspaceEdit, RenameError> {
    if doc.ast.is_none() {
        return Err(RenameError(
            "the file does not parse: fix its syntax errors first".into(),
        ));
    }
    let at = doc
        .index
        .at(offset)
        .ok_or_else(|| RenameError("there is no scope, role, permission or edition here".into()))?;
    if !valid_name(at.kind, new_name) {
        let shape = match at.kind {
            NameKind::Permission => {
                "names joined by dots, each a letter or `_` then letters, digits, `_` or `-`"
            }
            _ => "a letter or `_`, then letters, digits, `_` or `-`",
        };
        return Err(RenameError(format!(
            "`{new_name}` is not a {} name: {shape}",
            at.kind.word()
        )));
    }
    if new_name != at.name && doc.index.declaration(at.kind, new_name).is_some() {
        return Err(RenameError(format!(
            "a {} named `{new_name}` is already declared",
            at.kind.word()
        )));
    }
    let edits: Vec<TextEdit> = doc
        .index
        .uses(at.kind, &at.name)
        .map(|o| TextEdit {
            range: doc.range(o.span),
            new_text: new_name.to_string(),
        })
        .collect();
    Ok(WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    })
}

/// A name the grammar accepts in the place of one of `kind`.
fn valid_name(kind: NameKind, name: &str) -> bool {
    let ident = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    match kind {
        NameKind::Permission => name.split('.').all(ident),
        _ => ident(name),
    }
}

/// The outline: policy, editions, scopes, permission blocks (nested as
/// written) and roles.
pub fn symbols(doc: &Document) -> Vec<DocumentSymbol> {
    let Some(file) = &doc.ast else {
        return Vec::new();
    };
    file.decls
        .iter()
        .filter_map(|decl| match decl {
            Decl::Policy(p) => Some(symbol(
                doc,
                &p.id.name,
                Some(p.name.value.clone()),
                SymbolKind::MODULE,
                p.span,
                p.id.span,
                Vec::new(),
            )),
            Decl::Edition(e) => Some(symbol(
                doc,
                &e.id.name,
                Some(e.name.value.clone()),
                SymbolKind::ENUM_MEMBER,
                e.span,
                e.id.span,
                Vec::new(),
            )),
            Decl::Scope(s) => Some(symbol(
                doc,
                &s.id.name,
                Some(s.name.value.clone()),
                SymbolKind::NAMESPACE,
                s.span,
                s.id.span,
                Vec::new(),
            )),
            Decl::Permissions(p) => Some(symbol(
                doc,
                &format!("permissions on {}", p.scope.name),
                None,
                SymbolKind::OBJECT,
                p.span,
                p.scope.span,
                p.entries.iter().map(|e| permission(doc, e)).collect(),
            )),
            Decl::Role(r) => Some(symbol(
                doc,
                &r.id.name,
                Some(format!("on {} \"{}\"", r.scope.name, r.name.value)),
                SymbolKind::CLASS,
                r.span,
                r.id.span,
                Vec::new(),
            )),
            _ => None,
        })
        .collect()
}

fn permission(doc: &Document, entry: &ast::PermEntry) -> DocumentSymbol {
    symbol(
        doc,
        &entry.id.name,
        Some(entry.description.value.clone()),
        SymbolKind::FIELD,
        entry.span,
        entry.id.span,
        entry.children.iter().map(|c| permission(doc, c)).collect(),
    )
}

fn symbol(
    doc: &Document,
    name: &str,
    detail: Option<String>,
    kind: SymbolKind,
    span: crate::span::Span,
    name_span: crate::span::Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    #[allow(deprecated)] // the field is required by the type
    DocumentSymbol {
        name: name.to_string(),
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: doc.range(span),
        selection_range: doc.range(name_span),
        children: (!children.is_empty()).then_some(children),
    }
}
