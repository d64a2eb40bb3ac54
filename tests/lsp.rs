//! `rbacc lsp` driven like an editor: JSON-RPC over the process's standard
//! input and output, from `initialize` to `exit`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use lsp_server::{Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};
use std::io::BufReader;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

const POLICY: &str = r#"scope organization "Organization"
scope workspace "Workspace" in organization
permissions on organization {
  organization.view "View the organization"
  organization.workspaces.admin "Admin of every workspace" {
    implies workspace_admin on every workspace
  }
}
permissions on workspace {
  workspace.view "View"
  workspace.edit "Edit"
}
role owner on organization "Owner" { grant organization.view, organization.workspaces.admin }
role workspace_viewer on workspace "Viewer" { grant workspace.view }
role workspace_admin on workspace "Admin" {
  include workspace_viewer
  grant workspace.edit
}
"#;

const URI: &str = "file:///work/org.rbac";

/// A running server and the messages it sent that were not read yet.
struct Editor {
    child: Child,
    stdin: ChildStdin,
    from_server: Receiver<Message>,
    next_id: i32,
}

impl Editor {
    fn start() -> Editor {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rbacc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(msg)) = Message::read(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Editor {
            child,
            stdin,
            from_server: rx,
            next_id: 0,
        }
    }

    fn send(&mut self, msg: Message) {
        msg.write(&mut self.stdin).unwrap();
    }

    fn receive(&self) -> Message {
        self.from_server
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers within 30 s")
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    }

    /// Sends a request and returns its response (notifications in between
    /// are dropped).
    fn call(&mut self, method: &str, params: Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.send(Message::Request(Request::new(
            id.clone(),
            method.to_string(),
            params,
        )));
        loop {
            if let Message::Response(r) = self.receive() {
                assert_eq!(r.id, id);
                return r;
            }
        }
    }

    fn ok(&mut self, method: &str, params: Value) -> Value {
        let r = self.call(method, params);
        r.response_result
            .unwrap_or_else(|e| panic!("{method}: {e:?}"))
    }

    /// The next diagnostics the server publishes.
    fn diagnostics(&self) -> Value {
        loop {
            if let Message::Notification(n) = self.receive() {
                if n.method == "textDocument/publishDiagnostics" {
                    return n.params;
                }
            }
        }
    }

    fn open(&mut self, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "rbac", "version": 1, "text": text}}),
        );
        self.diagnostics()
    }

    fn change(&mut self, version: i32, text: &str) -> Value {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version},
                   "contentChanges": [{"text": text}]}),
        );
        self.diagnostics()
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Line and UTF-16 column of the `nth` occurrence of `needle`, plus `shift`
/// characters.
fn pos(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} in the text"))
        .0
        + shift;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().unwrap().encode_utf16().count();
    json!({"line": line, "character": col})
}

fn at(text: &str, needle: &str, nth: usize) -> Value {
    json!({"textDocument": {"uri": URI}, "position": pos(text, needle, nth, 0)})
}

fn initialized() -> Editor {
    let mut ed = Editor::start();
    let init = ed.ok(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let caps = &init["capabilities"];
    for cap in [
        "definitionProvider",
        "referencesProvider",
        "hoverProvider",
        "completionProvider",
        "renameProvider",
        "documentSymbolProvider",
    ] {
        assert!(!caps[cap].is_null(), "{cap} announced: {caps}");
    }
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "rbacc");
    ed.notify("initialized", json!({}));
    ed
}

#[test]
fn an_editor_session_from_initialize_to_exit() {
    let mut ed = initialized();

    // Diagnostics as you type: a typo, then its fix.
    let typo = POLICY.replace("include workspace_viewer", "include workspace_viewr");
    let published = ed.open(&typo);
    assert_eq!(published["uri"], URI);
    let diags = published["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "rbacc");
    assert_eq!(d["range"]["start"], pos(&typo, "workspace_viewr", 0, 0));
    assert_eq!(d["range"]["end"], pos(&typo, "workspace_viewr", 0, 15));
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("workspace_viewer"), "{message}");
    let fixed = ed.change(2, POLICY);
    assert_eq!(fixed["diagnostics"], json!([]));
    assert_eq!(fixed["version"], 2);

    // Go to definition: from the include to the role's declaration.
    let def = ed.ok("textDocument/definition", at(POLICY, "workspace_viewer", 1));
    assert_eq!(def["uri"], URI);
    assert_eq!(def["range"]["start"], pos(POLICY, "workspace_viewer", 0, 0));

    // Find references, declaration included: declared, included.
    let mut refs_params = at(POLICY, "workspace_admin", 0);
    refs_params["context"] = json!({"includeDeclaration": true});
    let refs = ed.ok("textDocument/references", refs_params);
    let starts: Vec<&Value> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["range"]["start"])
        .collect();
    assert_eq!(
        starts,
        [
            &pos(POLICY, "workspace_admin", 0, 0),
            &pos(POLICY, "workspace_admin", 1, 0),
        ]
    );
    // Permissions and scopes have references too.
    let mut scope_refs = at(POLICY, "workspace \"Workspace\"", 0);
    scope_refs["context"] = json!({"includeDeclaration": false});
    let scope_refs = ed.ok("textDocument/references", scope_refs);
    assert_eq!(scope_refs.as_array().unwrap().len(), 4, "{scope_refs}");

    // Hover: the role's matrix column with the chain behind each cell.
    let hover = ed.ok("textDocument/hover", at(POLICY, "workspace_admin", 1));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("role workspace_admin on workspace \"Admin\""),
        "{text}"
    );
    assert!(
        text.contains("- `workspace.view` yes: `workspace_admin` includes `workspace_viewer` (org.rbac:16:11) → `workspace_viewer` grants `workspace.view` (org.rbac:14:53)"),
        "{text}"
    );
    assert!(
        text.contains("- `workspace.edit` yes: `workspace_admin` grants `workspace.edit`"),
        "{text}"
    );
    let hover = ed.ok("textDocument/hover", at(POLICY, "owner", 0));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**Also holds**"), "{text}");
    assert!(
        text.contains("- `workspace_admin`: `owner` grants `organization.workspaces.admin`, which implies `workspace_admin` on every workspace"),
        "{text}"
    );
    // A permission's hover lists the roles holding it.
    let hover = ed.ok("textDocument/hover", at(POLICY, "workspace.view", 1));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**Held by**"), "{text}");
    for role in [
        "`workspace_viewer` yes",
        "`workspace_admin` yes",
        "`owner` yes",
    ] {
        assert!(text.contains(role), "{role} in {text}");
    }

    // Completion: roles after `include`, the role's permissions after `grant`.
    let labels = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let roles = labels(ed.ok(
        "textDocument/completion",
        at(POLICY, "workspace_viewer\n", 0),
    ));
    // `include` takes roles of the same scope kind, not the role itself.
    assert_eq!(roles, ["workspace_viewer"]);
    let mut imply = at(POLICY, "workspace_admin on every", 0);
    imply["position"] = pos(POLICY, "workspace_admin on every", 0, 0);
    let roles = labels(ed.ok("textDocument/completion", imply));
    assert_eq!(roles, ["owner", "workspace_viewer", "workspace_admin"]);
    let perms = labels(ed.ok("textDocument/completion", at(POLICY, "workspace.edit", 1)));
    assert_eq!(perms, ["workspace.view", "workspace.edit"]);
    // While the file does not parse, names come from its last good version.
    let broken = POLICY.replace("grant workspace.edit\n", "grant workspace.\n");
    let diags = ed.change(3, &broken);
    assert_eq!(diags["diagnostics"].as_array().unwrap().len(), 1);
    let perms = labels(ed.ok(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": pos(&broken, "workspace.\n", 0, 10)}),
    ));
    assert!(perms.contains(&"workspace.edit".to_string()), "{perms:?}");
    let mut rename = at(&broken, "workspace_viewer", 0);
    rename["newName"] = json!("ws_viewer");
    let err = ed
        .call("textDocument/rename", rename)
        .response_result
        .unwrap_err();
    assert!(err.message.contains("does not parse"), "{}", err.message);
    let fixed = ed.change(4, POLICY);
    assert_eq!(fixed["diagnostics"], json!([]));

    // Rename across the file: the declaration and every use.
    let mut rename = at(POLICY, "workspace_viewer", 0);
    rename["newName"] = json!("ws_viewer");
    let edit = ed.ok("textDocument/rename", rename.clone());
    let edits = edit["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 2);
    assert!(edits.iter().all(|e| e["newText"] == "ws_viewer"));
    let prepared = ed.ok(
        "textDocument/prepareRename",
        at(POLICY, "workspace_viewer", 1),
    );
    assert_eq!(prepared["placeholder"], "workspace_viewer");
    // A name already taken, or not a name, is refused.
    rename["newName"] = json!("owner");
    let err = ed
        .call("textDocument/rename", rename.clone())
        .response_result
        .unwrap_err();
    assert!(err.message.contains("already declared"), "{}", err.message);
    rename["newName"] = json!("two words");
    let err = ed
        .call("textDocument/rename", rename)
        .response_result
        .unwrap_err();
    assert!(
        err.message.contains("is not a role name"),
        "{}",
        err.message
    );

    // Document symbols: the outline, permissions nested in their block.
    let symbols = ed.ok(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "organization",
            "workspace",
            "permissions on organization",
            "permissions on workspace",
            "owner",
            "workspace_viewer",
            "workspace_admin"
        ]
    );
    assert_eq!(
        symbols[2]["children"][1]["name"],
        "organization.workspaces.admin"
    );

    // Malformed requests and unknown methods are errors, not crashes.
    let err = ed
        .call("textDocument/hover", json!({"position": 3}))
        .response_result
        .unwrap_err();
    assert_eq!(err.code, -32602);
    let err = ed
        .call("textDocument/formatting", json!({}))
        .response_result
        .unwrap_err();
    assert_eq!(err.code, -32601);

    // Shutdown, then exit: the process ends with status 0.
    assert_eq!(ed.ok("shutdown", Value::Null), Value::Null);
    ed.notify("exit", Value::Null);
    let status = ed.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn closing_a_file_clears_its_diagnostics() {
    let mut ed = initialized();
    let published = ed.open("role a on nowhere \"A\"\n");
    assert_eq!(published["diagnostics"].as_array().unwrap().len(), 1);
    ed.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(ed.diagnostics()["diagnostics"], json!([]));
    assert_eq!(ed.ok("shutdown", Value::Null), Value::Null);
    ed.notify("exit", Value::Null);
    assert!(ed.child.wait().unwrap().success());
}

#[test]
fn utf8_positions_when_the_editor_offers_them() {
    let mut ed = Editor::start();
    let init = ed.ok(
        "initialize",
        json!({"capabilities": {"general": {"positionEncodings": ["utf-8", "utf-16"]}}}),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    ed.notify("initialized", json!({}));
    // "é" is 2 bytes, 1 UTF-16 unit: the error column counts bytes.
    let published = ed.open("// é\nrole a on nowhere \"A\"\n");
    let d = &published["diagnostics"][0];
    assert_eq!(d["range"]["start"], json!({"line": 1, "character": 10}));
    let published = ed.open("scope s \"é\" role a on nowhere \"A\"\n");
    let d = &published["diagnostics"][0];
    assert_eq!(d["range"]["start"], json!({"line": 0, "character": 23}));
}

/// The diagnostics published are those of `rbacc check`, in its order, for
/// every case of the UI suite (parse, resolve and analysis errors, clean
/// files with warnings) and the presets.
#[test]
fn diagnostics_are_those_of_rbacc_check() {
    let mut ed = initialized();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "tests/ui/parse",
        "tests/ui/resolve",
        "tests/ui/analyse",
        "tests/ui/clean",
        "policies",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rbac") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 20, "{files:?}");
    let mut with_errors = 0;
    for (i, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let report = rbacc::check(name, &text);
        let source = report.sources.iter().next().unwrap().1;
        let expected: Vec<(String, u64, i64)> = report
            .diagnostics
            .iter()
            .map(|d| {
                let line = d
                    .primary_label()
                    .map_or(0, |l| source.line_col(l.span.start).0 as u64 - 1);
                (d.code.to_string(), line, if d.is_error() { 1 } else { 2 })
            })
            .collect();
        with_errors += usize::from(report.has_errors());
        let uri = format!("file:///ui/{i}/{name}");
        ed.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "rbac", "version": 1, "text": text}}),
        );
        let published = ed.diagnostics();
        assert_eq!(published["uri"], uri);
        let got: Vec<(String, u64, i64)> = published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["range"]["start"]["line"].as_u64().unwrap(),
                    d["severity"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{}", path.display());
    }
    assert!(with_errors > 10);
}
