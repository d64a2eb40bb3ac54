//! The one seam between the library's private stages and the code of this
//! repository outside the library: the `rbacc` binary (the CLI), the
//! integration tests, the benches and the fuzz targets. Hidden from the
//! documentation; nothing here is part of the API, and any release may
//! change or remove it. A service uses the items of the crate root.
#![doc(hidden)]

/// Stage 1: the parser (the grammar's parse tree and the AST).
pub mod syntax {
    pub use crate::syntax::*;
}

/// Stage 2: names to ids, the model.
pub mod resolve {
    pub use crate::resolve::*;
}

/// The canonical layout (`rbacc fmt`).
pub mod fmt {
    pub use crate::fmt::*;
}

/// Input limits.
pub mod limits {
    pub use crate::limits::*;
}

/// Hidden-character classes and escaping.
pub mod text {
    pub use crate::text::*;
}

/// Matrices, role graphs, access reviews.
pub mod report {
    pub use crate::report::*;
}

/// Semantic diff of two policies and their data.
pub mod diff {
    pub use crate::diff::*;
}

/// The reference evaluator, the executable specification of a decision.
pub mod reference {
    pub use crate::reference::*;
}

/// Membership data: the origins of what a user holds, and the reader's
/// budget.
pub mod membership {
    use crate::membership::Members;
    pub use crate::membership::{EntryRef, GroupId, Held, Origin, Resource};

    /// What a user holds at a resource (not counting enclosing ones).
    pub fn entry(m: &Members, user: crate::UserId, res: crate::ResId) -> Option<EntryRef<'_>> {
        m.entry(user, res)
    }

    /// The resources of loaded data, in file order (a `ResId`'s index).
    pub fn resources(m: &Members) -> &[Resource] {
        &m.resources
    }

    /// The reader's node budget for a text of `len` bytes.
    pub fn node_budget(len: usize) -> u64 {
        crate::membership::read::node_budget(len)
    }
}

/// What the index of loaded data holds: for tests of the one-probe path
/// and the memory bench.
pub mod index {
    use crate::membership::Members;

    /// Whether the index keeps permission bits (the one-probe path).
    pub fn has_bits(m: &Members) -> bool {
        m.index.has_bits()
    }

    /// Number of (user, resource) entries.
    pub fn entries(m: &Members) -> usize {
        m.entry_count()
    }

    /// Number of distinct profiles (what entries are given) the entries
    /// share.
    pub fn profiles(m: &Members) -> usize {
        m.profile_count()
    }

    /// Number of slots of the index (entries and pushed-down bits).
    pub fn slots(m: &Members) -> usize {
        m.index.len()
    }

    /// A part of loaded data the memory bench frees to weigh it.
    #[derive(Copy, Clone, Debug, PartialEq, Eq)]
    pub enum Part {
        /// The rows of the index.
        Index,
        /// The user names.
        Users,
        /// Resources and their members.
        Resources,
        /// Settings.
        Settings,
    }

    /// Frees a part of `m` (which then answers nothing useful).
    pub fn clear(m: &mut Members, part: Part) {
        match part {
            Part::Index => m.index = Default::default(),
            Part::Users => m.users = Default::default(),
            Part::Resources => m.resources = Vec::new(),
            Part::Settings => m.settings = Default::default(),
        }
    }
}

/// Evaluation's walking path, for tests that hold the one-probe path to
/// it.
pub mod eval {
    use crate::eval::{Authorizer, Query};

    /// A query of any ids, as another authorizer (or a forger) could
    /// hand one over: for tests that such a query is a deny.
    pub fn forge(
        user: crate::UserId,
        perm: crate::PermId,
        res: crate::ResId,
        asked: crate::ResId,
    ) -> Query {
        Query {
            user,
            perm,
            res,
            asked,
        }
    }

    /// Decides a query on the walking path alone.
    pub fn check_walk(a: &Authorizer, q: &Query) -> bool {
        a.check_walk(q)
    }
}

/// The compiled forms inside a [`Policy`](crate::Policy).
pub mod policy {
    use crate::policy::Policy;

    /// The resolved model.
    pub fn model(p: &Policy) -> &crate::resolve::Model {
        &p.model
    }

    /// The compiled permissions.
    pub fn compiled(p: &Policy) -> &crate::compile::Compiled {
        &p.compiled
    }
}

/// The language server.
#[cfg(feature = "cli")]
pub mod lsp {
    pub use crate::lsp::*;
}

/// The command-line interface (`src/main.rs` calls [`cli::main`]).
#[cfg(feature = "cli")]
pub mod cli {
    pub use crate::cli::*;
}

/// Regular-file reads with a limit, and the one directory walker.
pub mod files {
    pub use crate::files::*;
}
