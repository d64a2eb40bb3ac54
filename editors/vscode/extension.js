// Starts `rbacc lsp` for .rbac files. The command is the setting
// `rbacc.path` (default: `rbacc` on PATH).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("rbacc").get("path") || "rbacc";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "rbacc",
    "rbacc",
    { run: server, debug: server },
    { documentSelector: [{ language: "rbac" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
