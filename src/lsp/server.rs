//! The protocol loop: one thread, one message at a time, every open file
//! re-checked whole on each change.

use super::document::Document;
use super::index::Index;
use super::text::Encoding;
use super::{complete, hover, navigate};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest, PrepareRenameRequest,
    References, Rename, Request as _,
};
use lsp_types::{
    CompletionOptions, DocumentSymbolResponse, GotoDefinitionResponse, HoverProviderCapability,
    InitializeParams, OneOf, PositionEncodingKind, PrepareRenameResponse, PublishDiagnosticsParams,
    RenameOptions, ServerCapabilities, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;

/// An open file and the names of its last version that parsed.
struct Open {
    doc: Document,
    names: Index,
}

/// The server's state.
#[derive(Default)]
pub struct Server {
    encoding: Encoding,
    open: HashMap<Uri, Open>,
}

/// What the server announces at `initialize`.
fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".to_string(), ",".to_string()]),
            ..CompletionOptions::default()
        }),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// Serves one client until `shutdown` and `exit`, or until the connection
/// closes.
pub fn serve(conn: &Connection) -> Result<(), String> {
    let (id, params) = conn.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let utf8 = params
        .capabilities
        .general
        .and_then(|g| g.position_encodings)
        .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
    let mut server = Server {
        encoding: if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        },
        ..Server::default()
    };
    let init = serde_json::json!({
        "capabilities": capabilities(server.encoding),
        "serverInfo": { "name": "rbacc", "version": env!("CARGO_PKG_VERSION") },
    });
    conn.initialize_finish(id, init)
        .map_err(|e| e.to_string())?;
    for msg in &conn.receiver {
        let out = match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req).map_err(|e| e.to_string())? {
                    return Ok(());
                }
                vec![Message::Response(server.request(req))]
            }
            Message::Notification(n) => server.notification(n),
            Message::Response(_) => Vec::new(),
        };
        for m in out {
            conn.sender.send(m).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Why a request got no answer: the code and message of its error
/// response (the request's id is added by [`Server::request`]).
struct Refusal(ErrorCode, String);

fn params<P: DeserializeOwned>(value: Value) -> Result<P, Refusal> {
    serde_json::from_value(value).map_err(|e| Refusal(ErrorCode::InvalidParams, e.to_string()))
}

/// The name a document is checked under: its file name.
fn file_name(uri: &Uri) -> String {
    let path = uri.path().as_str();
    path.rsplit('/').next().unwrap_or(path).to_string()
}

impl Server {
    /// Opens or replaces a file, re-checks it and returns its diagnostics.
    pub fn update(&mut self, uri: Uri, text: String, version: Option<i32>) -> Message {
        let doc = Document::check(&file_name(&uri), text, self.encoding);
        let names = match (&doc.ast, self.open.remove(&uri)) {
            (None, Some(previous)) => previous.names,
            _ => doc.index.clone(),
        };
        let diagnostics = doc.lsp_diagnostics(&uri);
        self.open.insert(uri.clone(), Open { doc, names });
        publish(uri, diagnostics, version)
    }

    fn notification(&mut self, n: Notification) -> Vec<Message> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    Ok(p) => vec![self.update(
                        p.text_document.uri,
                        p.text_document.text,
                        Some(p.text_document.version),
                    )],
                    Err(_) => Vec::new(),
                }
            }
            DidChangeTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                    // Full sync: the last change holds the whole text.
                    Ok(mut p) => match p.content_changes.pop() {
                        Some(change) => vec![self.update(
                            p.text_document.uri,
                            change.text,
                            Some(p.text_document.version),
                        )],
                        None => Vec::new(),
                    },
                    Err(_) => Vec::new(),
                }
            }
            DidCloseTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    Ok(p) => {
                        self.open.remove(&p.text_document.uri);
                        vec![publish(p.text_document.uri, Vec::new(), None)]
                    }
                    Err(_) => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// The open file and byte offset of a position.
    fn locate(&self, at: &TextDocumentPositionParams) -> Option<(&Open, usize)> {
        let open = self.open.get(&at.text_document.uri)?;
        let offset = open.doc.lines.offset(&open.doc.text, at.position);
        Some((open, offset))
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        match self.answer(req) {
            Ok(value) => Response::new_ok(id, value),
            Err(Refusal(code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn answer(&mut self, req: Request) -> Result<Value, Refusal> {
        let json = |v: Result<Value, serde_json::Error>| {
            v.map_err(|e| Refusal(ErrorCode::InternalError, e.to_string()))
        };
        match req.method.as_str() {
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(req.params)?;
                let at = &p.text_document_position_params;
                let found = self.locate(at).and_then(|(open, offset)| {
                    navigate::definition(&open.doc, &at.text_document.uri, offset)
                });
                json(serde_json::to_value(
                    found.map(GotoDefinitionResponse::Scalar),
                ))
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams = params(req.params)?;
                let at = &p.text_document_position;
                let found = self.locate(at).map(|(open, offset)| {
                    navigate::references(
                        &open.doc,
                        &at.text_document.uri,
                        offset,
                        p.context.include_declaration,
                    )
                });
                json(serde_json::to_value(found))
            }
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(req.params)?;
                let found = self
                    .locate(&p.text_document_position_params)
                    .and_then(|(open, offset)| hover::hover(&open.doc, offset));
                json(serde_json::to_value(found))
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(req.params)?;
                let found = self
                    .locate(&p.text_document_position)
                    .map(|(open, offset)| complete::complete(&open.doc, &open.names, offset));
                json(serde_json::to_value(found))
            }
            PrepareRenameRequest::METHOD => {
                let p: TextDocumentPositionParams = params(req.params)?;
                let found = self.locate(&p).and_then(|(open, offset)| {
                    navigate::prepare_rename(&open.doc, offset).map(|o| {
                        PrepareRenameResponse::RangeWithPlaceholder {
                            range: open.doc.range(o.span),
                            placeholder: o.name.clone(),
                        }
                    })
                });
                json(serde_json::to_value(found))
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = params(req.params)?;
                let at = &p.text_document_position;
                let Some((open, offset)) = self.locate(at) else {
                    return Ok(Value::Null);
                };
                match navigate::rename(&open.doc, &at.text_document.uri, offset, &p.new_name) {
                    Ok(edit) => json(serde_json::to_value(edit)),
                    Err(e) => Err(Refusal(ErrorCode::InvalidParams, e.0)),
                }
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(req.params)?;
                let found = self
                    .open
                    .get(&p.text_document.uri)
                    .map(|open| DocumentSymbolResponse::Nested(navigate::symbols(&open.doc)));
                json(serde_json::to_value(found))
            }
            other => Err(Refusal(
                ErrorCode::MethodNotFound,
                format!("rbacc lsp does not handle `{other}`"),
            )),
        }
    }
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) -> Message {
    Message::Notification(Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    ))
}
