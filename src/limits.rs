//! Input limits. Each is enforced with a clear diagnostic, never a crash.

/// Largest policy file accepted, in bytes.
pub const MAX_POLICY_BYTES: usize = 4 * 1024 * 1024;
/// Deepest `{ … }` nesting accepted in a policy file.
pub const MAX_NESTING: usize = 32;
/// Pest's call limit per parse (bounds the work of any one parse).
pub const PEST_CALL_LIMIT: usize = 50_000_000;
/// Largest number of roles in a policy.
pub const MAX_ROLES: usize = 10_000;
/// Largest number of permissions in a policy.
pub const MAX_PERMISSIONS: usize = 10_000;
/// Largest number of rules in a policy: assertions, cardinality rules,
/// ranks, bootstraps, groups, accepted escalations and lint settings
/// (each assertion costs analysis time over every role).
pub const MAX_RULES: usize = 10_000;
/// Most locations (labels) one diagnostic carries; the steps of a longer
/// chain are counted in a note (a chain is at most [`MAX_CHAIN`] roles).
pub const MAX_LABELS: usize = 16;
/// Most cells of the permission tables `rbacc matrix` prints (roles ×
/// top-level permissions, summed over scope kinds): a policy at the role
/// and permission limits would have 10^8.
pub const MAX_MATRIX_CELLS: usize = 4_000_000;
/// Longest include/implication chain, in roles.
pub const MAX_CHAIN: usize = 256;
/// Largest membership file accepted, in bytes.
pub const MAX_MEMBERS_BYTES: usize = 256 * 1024 * 1024;
/// Deepest YAML nesting accepted in a membership file.
pub const MAX_YAML_DEPTH: usize = 16;
/// Most diagnostics reported for one policy file; the number left out is
/// said in a note on the last one (a 4 MiB file can hold millions of
/// errors; each is rendered with a window of its source line, see
/// `diagnostic::clip`).
pub const MAX_DIAGNOSTICS: usize = 10_000;
/// Longest line of an `eval --batch` input, in bytes (a longer line is
/// answered `error` and skipped without being kept in memory).
pub const MAX_BATCH_LINE: usize = 1024 * 1024;
