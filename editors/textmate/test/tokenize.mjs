// Tokenizes every policy of the repository (policies/*.rbac, examples/*.rbac)
// with VS Code's own TextMate engine (vscode-textmate + vscode-oniguruma) and
// checks the scopes. Run from this folder: `npm ci && npm test`.
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const require = createRequire(import.meta.url);
const wasm = readFileSync(join(dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
await oniguruma.loadWASM(wasm.buffer);

const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (scopeName) => {
    if (scopeName !== "source.rbac") return null;
    const path = join(here, "..", "rbac.tmLanguage.json");
    return vsctm.parseRawGrammar(readFileSync(path, "utf8"), path);
  },
});
const grammar = await registry.loadGrammar("source.rbac");

/** Every line of a text as [{ text, scopes }] tokens. */
function tokenize(text) {
  let state = vsctm.INITIAL;
  return text.split("\n").map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({
      text: line.slice(t.startIndex, t.endIndex),
      scopes: t.scopes.slice(1),
    }));
  });
}

let failures = 0;
function check(ok, message) {
  if (!ok) {
    failures += 1;
    console.error(`FAIL ${message}`);
  }
}
const has = (t, scope) => t.scopes.some((s) => s.startsWith(scope));

// 1. Every policy: no non-blank text without a scope, `role NAME` names a
// role, comment lines are comments.
const files = [
  ...readdirSync(join(root, "policies")).map((f) => join(root, "policies", f)),
  ...readdirSync(join(root, "examples")).filter((f) => f.endsWith(".rbac")).map((f) => join(root, "examples", f)),
].filter((f) => f.endsWith(".rbac"));
check(files.length >= 5, `found the policies: ${files}`);
let lines = 0;
for (const file of files) {
  const text = readFileSync(file, "utf8");
  tokenize(text).forEach((tokens, i) => {
    lines += 1;
    const where = `${file}:${i + 1}`;
    for (const t of tokens) {
      check(t.text.trim() === "" || t.scopes.length > 0, `${where}: \`${t.text}\` has no scope`);
    }
    const line = tokens.map((t) => t.text).join("");
    if (line.trimStart().startsWith("//")) {
      check(tokens.every((t) => t.text.trim() === "" || has(t, "comment.line")), `${where}: comment`);
    }
    const role = /^\s*role\s+([A-Za-z_][A-Za-z0-9_-]*)/.exec(line);
    if (role) {
      const t = tokens.find((t) => t.text === role[1]);
      check(t && has(t, "entity.name.type.role.rbac"), `${where}: role name \`${role[1]}\``);
    }
  });
}

// 2. Exact scopes of each construct.
const sample = [
  'policy astro "Astronomer Astro" // the policy',
  'scope workspace "Workspace \\"W\\"" in organization',
  "role workspace_admin on workspace \"Admin\" {",
  "  grant workspace.*, workspace.dags.view configurable default off",
  "  include workspace-viewer",
  "}",
  "rank a < b < c",
  "bootstrap first 1 user of organization as owner in edition team",
  "allow escalation a -> b because \"r\"",
  "lint W0301 deny /* block */",
].join("\n");
const expected = [
  ["policy", "keyword.other.declaration.rbac"],
  ["astro", "entity.name.module.policy.rbac"],
  ["Astronomer Astro", "string.quoted.double.rbac"],
  ["// the policy", "comment.line.double-slash.rbac"],
  ["workspace", "entity.name.namespace.scope.rbac"],
  ['\\"', "constant.character.escape.rbac"],
  ["in", "keyword.other.rbac"],
  ["organization", "variable.other.name.rbac"],
  ["workspace_admin", "entity.name.type.role.rbac"],
  ["on", "keyword.other.rbac"],
  ["{", "punctuation.section.block.begin.rbac"],
  ["grant", "keyword.other.rbac"],
  ["workspace.*", "variable.other.permission.rbac"],
  ["workspace.dags.view", "variable.other.permission.rbac"],
  ["off", "constant.language.switch.rbac"],
  ["workspace-viewer", "variable.other.name.rbac"],
  ["<", "keyword.operator.rank.rbac"],
  ["1", "constant.numeric.decimal.rbac"],
  ["->", "keyword.operator.arrow.rbac"],
  ["W0301", "constant.other.lint-code.rbac"],
  ["/* block */", "comment.block.rbac"],
];
const tokens = tokenize(sample).flat();
// Merge adjacent tokens of one innermost scope (strings and comments come in
// several tokens: delimiters and content).
for (const [text, scope] of expected) {
  const direct = tokens.find((t) => t.text === text && has(t, scope));
  const joined = tokens.filter((t) => has(t, scope)).map((t) => t.text).join("");
  check(direct || joined.includes(text), `\`${text}\` is ${scope}`);
}
// Keywords inside names are not keywords.
check(!tokens.some((t) => t.text === "viewer" || t.text === "in" && has(t, "variable")), "names whole");

console.log(`${lines} lines of ${files.length} policies tokenized; ${expected.length} constructs checked`);
if (failures > 0) {
  console.error(`${failures} failed`);
  process.exit(1);
}
console.log("0 failed");
