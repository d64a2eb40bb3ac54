//! The role graph of a policy, for Graphviz (`dot`) or Mermaid.
//!
//! Nodes are roles, clustered by scope kind (clusters nest as the scope
//! tree does; a kind with no role in or below it is left out). Edges, as
//! written in the policy (not their transitive closure):
//!
//! - `include`: a solid arrow labelled `includes`;
//! - an implication, by `imply` or by a granted permission that `implies`:
//!   a bold arrow labelled `implies on every SCOPE` (with the permission);
//! - a granted permission that `assigns` a role: a dashed arrow labelled
//!   `assigns` (with the permission).

use crate::policy::Policy;
use crate::resolve::{Model, RoleId, ScopeId};

/// What an edge stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// `include`.
    Includes,
    /// `imply`, or a granted permission that `implies`.
    Implies,
    /// A granted permission that `assigns`.
    Assigns,
}

/// One edge of the role graph.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// The role the edge starts at.
    pub from: RoleId,
    /// The role it points to.
    pub to: RoleId,
    /// Include, implication or assignment.
    pub kind: EdgeKind,
    /// The granted permissions behind it (sorted), or none when it is
    /// written on the role itself (`include`, `imply`).
    pub via: Vec<String>,
}

/// The edges of a policy's role graph, sorted, without repeats.
pub fn edges(model: &Model) -> Vec<Edge> {
    let mut out = Vec::new();
    for (i, role) in model.roles.iter().enumerate() {
        let from = RoleId::from_index(i);
        for (to, _) in &role.includes {
            out.push(Edge {
                from,
                to: *to,
                kind: EdgeKind::Includes,
                via: Vec::new(),
            });
        }
        for imp in &role.implies {
            out.push(Edge {
                from,
                to: imp.role,
                kind: EdgeKind::Implies,
                via: Vec::new(),
            });
        }
        for grant in &role.grants {
            for &p in &grant.perms {
                let Some(perm) = model.perm(p) else { continue };
                for imp in &perm.implies {
                    out.push(Edge {
                        from,
                        to: imp.role,
                        kind: EdgeKind::Implies,
                        via: vec![perm.name.clone()],
                    });
                }
                for (to, _) in &perm.assigns {
                    out.push(Edge {
                        from,
                        to: *to,
                        kind: EdgeKind::Assigns,
                        via: vec![perm.name.clone()],
                    });
                }
            }
        }
    }
    out.sort();
    out.dedup();
    // One edge per (from, to, kind, written or through permissions), the
    // permissions listed together.
    let mut merged: Vec<Edge> = Vec::with_capacity(out.len());
    for e in out {
        match merged.last_mut() {
            Some(last)
                if (last.from, last.to, last.kind) == (e.from, e.to, e.kind)
                    && !last.via.is_empty()
                    && !e.via.is_empty() =>
            {
                last.via.extend(e.via);
            }
            _ => merged.push(e),
        }
    }
    merged
}

fn label(model: &Model, e: &Edge) -> String {
    let base = match e.kind {
        EdgeKind::Includes => "includes".to_string(),
        EdgeKind::Implies => {
            let scope = model.role(e.to).map_or("", |r| model.scope_name(r.scope));
            format!("implies on every {scope}")
        }
        EdgeKind::Assigns => "assigns".to_string(),
    };
    if e.via.is_empty() {
        base
    } else {
        format!("{base} ({})", e.via.join(", "))
    }
}

/// Scope kinds in the order written, with their children and whether a
/// role is declared in or below each.
struct Tree {
    children: Vec<Vec<ScopeId>>,
    roots: Vec<ScopeId>,
    roles: Vec<Vec<RoleId>>,
    occupied: Vec<bool>,
}

fn tree(model: &Model) -> Tree {
    let n = model.scopes.len();
    let mut children = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, scope) in model.scopes.iter().enumerate() {
        let id = ScopeId::from_index(i);
        match scope.parent.and_then(|p| children.get_mut(p.index())) {
            Some(siblings) => siblings.push(id),
            None => roots.push(id),
        }
    }
    let mut roles = vec![Vec::new(); n];
    for (i, role) in model.roles.iter().enumerate() {
        if let Some(list) = roles.get_mut(role.scope.index()) {
            list.push(RoleId::from_index(i));
        }
    }
    let mut occupied = vec![false; n];
    for (i, list) in roles.iter().enumerate() {
        if !list.is_empty() {
            for s in model.scope_chain(ScopeId::from_index(i)) {
                if let Some(o) = occupied.get_mut(s.index()) {
                    *o = true;
                }
            }
        }
    }
    Tree {
        children,
        roots,
        roles,
        occupied,
    }
}

impl Tree {
    fn occupied(&self, s: ScopeId) -> bool {
        self.occupied.get(s.index()).copied().unwrap_or(false)
    }
    fn children(&self, s: ScopeId) -> &[ScopeId] {
        self.children.get(s.index()).map_or(&[], Vec::as_slice)
    }
    fn roles(&self, s: ScopeId) -> &[RoleId] {
        self.roles.get(s.index()).map_or(&[], Vec::as_slice)
    }
}

/// A DOT string literal.
fn dot_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The role graph in Graphviz's DOT language.
pub fn to_dot(policy: &Policy) -> String {
    let model = &policy.model;
    let tree = tree(model);
    let mut out = String::new();
    out.push_str(&format!("digraph {} {{\n", dot_quote(&policy.name)));
    out.push_str("  rankdir=TB;\n");
    out.push_str("  fontname=\"Helvetica\";\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    fn cluster(model: &Model, tree: &Tree, s: ScopeId, depth: usize, out: &mut String) {
        if !tree.occupied(s) {
            return;
        }
        let pad = "  ".repeat(depth);
        let scope = model.scope(s);
        let name = scope.map_or("", |x| x.name.as_str());
        let display = scope.map_or("", |x| x.display.as_str());
        out.push_str(&format!(
            "{pad}subgraph {} {{\n",
            dot_quote(&format!("cluster_{name}"))
        ));
        out.push_str(&format!(
            "{pad}  label={};\n",
            dot_quote(&format!("{display} ({name})"))
        ));
        for &r in tree.roles(s) {
            if let Some(role) = model.role(r) {
                out.push_str(&format!(
                    "{pad}  {} [label={}];\n",
                    dot_quote(&role.name),
                    dot_quote(&format!("{}\n{}", role.display, role.name))
                ));
            }
        }
        for &c in tree.children(s) {
            cluster(model, tree, c, depth + 1, out);
        }
        out.push_str(&format!("{pad}}}\n"));
    }
    for &root in &tree.roots {
        cluster(model, &tree, root, 1, &mut out);
    }
    for e in edges(model) {
        let style = match e.kind {
            EdgeKind::Includes => "solid",
            EdgeKind::Implies => "bold",
            EdgeKind::Assigns => "dashed",
        };
        out.push_str(&format!(
            "  {} -> {} [label={}, style={style}];\n",
            dot_quote(model.role_name(e.from)),
            dot_quote(model.role_name(e.to)),
            dot_quote(&label(model, &e)),
        ));
    }
    out.push_str("}\n");
    out
}

/// Text inside a Mermaid `"…"` label.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The role graph as a Mermaid flowchart (roles are `r0`, `r1`, … and
/// scope kinds `s0`, `s1`, …, in declaration order, so any name works).
pub fn to_mermaid(policy: &Policy) -> String {
    let model = &policy.model;
    let tree = tree(model);
    let mut out = String::from("flowchart TB\n");
    fn cluster(model: &Model, tree: &Tree, s: ScopeId, depth: usize, out: &mut String) {
        if !tree.occupied(s) {
            return;
        }
        let pad = "  ".repeat(depth);
        let scope = model.scope(s);
        let name = scope.map_or("", |x| x.name.as_str());
        let display = scope.map_or("", |x| x.display.as_str());
        out.push_str(&format!(
            "{pad}subgraph s{}[\"{}\"]\n",
            s.index(),
            mermaid_text(&format!("{display} ({name})"))
        ));
        for &r in tree.roles(s) {
            if let Some(role) = model.role(r) {
                out.push_str(&format!(
                    "{pad}  r{}[\"{}<br/>{}\"]\n",
                    r.index(),
                    mermaid_text(&role.display),
                    mermaid_text(&role.name)
                ));
            }
        }
        for &c in tree.children(s) {
            cluster(model, tree, c, depth + 1, out);
        }
        out.push_str(&format!("{pad}end\n"));
    }
    for &root in &tree.roots {
        cluster(model, &tree, root, 1, &mut out);
    }
    for e in edges(model) {
        let arrow = match e.kind {
            EdgeKind::Includes => "-->",
            EdgeKind::Implies => "==>",
            EdgeKind::Assigns => "-.->",
        };
        out.push_str(&format!(
            "  r{} {arrow}|\"{}\"| r{}\n",
            e.from.index(),
            mermaid_text(&label(model, &e)),
            e.to.index()
        ));
    }
    out
}
