//! One open file, checked: the compiler's diagnostics, the name index and,
//! when the file resolves, the compiled policy that hovers read.
//!
//! [`Document::check`] is the whole re-check run on every edit; its latency
//! is the `lsp` bench (`docs/performance.md`).

use super::index::Index;
use super::text::{Encoding, LineIndex};
use crate::diagnostic::{self, LabelStyle, Severity, Sources};
use crate::syntax::{self, ast};
use crate::{compile, resolve, Policy};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range, Uri,
};

/// A checked text.
#[derive(Clone, Debug)]
pub struct Document {
    /// The name diagnostics and chains cite (the file name).
    pub name: String,
    /// The text.
    pub text: String,
    /// Line starts, for positions.
    pub lines: LineIndex,
    /// Every diagnostic of `rbacc check`, in its order.
    pub diagnostics: Vec<diagnostic::Diagnostic>,
    /// The syntax tree, when the file parses.
    pub ast: Option<ast::PolicyFile>,
    /// Names and where they are written (empty when the file does not parse).
    pub index: Index,
    /// The compiled policy, when the file resolves (analysis errors such as
    /// a failed assertion still leave it).
    pub policy: Option<Policy>,
}

impl Document {
    /// Checks a text as `rbacc check` does and indexes it.
    pub fn check(name: &str, text: String, encoding: Encoding) -> Document {
        let (diagnostics, policy) = match crate::policy::compile(name, &text) {
            Ok(mut policy) => (std::mem::take(&mut policy.warnings), Some(policy)),
            Err(report) => (report.diagnostics, None),
        };
        let ast = syntax::parse(&text).ok();
        let policy = policy.or_else(|| resolved(name, &text, ast.as_ref()?));
        let index = ast.as_ref().map(Index::new).unwrap_or_default();
        Document {
            name: name.to_string(),
            lines: LineIndex::new(&text, encoding),
            text,
            diagnostics,
            ast,
            index,
            policy,
        }
    }

    /// The range of a span.
    pub fn range(&self, span: crate::span::Span) -> Range {
        self.lines.range(&self.text, span)
    }

    /// The diagnostics in the protocol's form.
    pub fn lsp_diagnostics(&self, uri: &Uri) -> Vec<lsp_types::Diagnostic> {
        self.diagnostics
            .iter()
            .map(|d| self.lsp_diagnostic(uri, d))
            .collect()
    }

    fn lsp_diagnostic(&self, uri: &Uri, d: &diagnostic::Diagnostic) -> lsp_types::Diagnostic {
        let primary = d.primary_label();
        let range = primary.map(|l| self.range(l.span)).unwrap_or_default();
        let mut message = d.message.clone();
        if let Some(label) = primary.filter(|l| !l.message.is_empty()) {
            message.push_str(&format!("\n{}", label.message));
        }
        for note in &d.notes {
            message.push_str(&format!("\nnote: {note}"));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let related: Vec<DiagnosticRelatedInformation> = d
            .labels
            .iter()
            .filter(|l| l.style == LabelStyle::Secondary)
            .map(|l| DiagnosticRelatedInformation {
                location: Location {
                    uri: uri.clone(),
                    range: self.range(l.span),
                },
                message: l.message.clone(),
            })
            .collect();
        lsp_types::Diagnostic {
            range,
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(d.code.to_string())),
            source: Some("rbacc".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..lsp_types::Diagnostic::default()
        }
    }
}

/// The compiled policy of a file that resolves but fails analysis.
fn resolved(name: &str, text: &str, ast: &ast::PolicyFile) -> Option<Policy> {
    let mut sources = Sources::new();
    let file = sources.add(name, text);
    let (model, errors) = resolve::resolve(ast, file);
    if !errors.is_empty() {
        return None;
    }
    let compiled = compile::compile(&model);
    Some(Policy {
        fingerprint: crate::policy::fingerprint(&model),
        name: name.to_string(),
        sources,
        file,
        model,
        compiled,
        warnings: Vec::new(),
    })
}
