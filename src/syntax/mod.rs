//! Stage 1: source text to AST (pest grammar, lowering, readable parse errors).

pub mod ast;
mod errors;
mod lower;
#[doc(hidden)]
pub mod parser;

pub use errors::ParseError;

use crate::limits;

/// Parses a policy source into its AST, or returns every syntax error found.
///
/// Input larger than [`limits::MAX_POLICY_BYTES`] or nested deeper than
/// [`limits::MAX_NESTING`] is rejected before pest sees it, so parsing never
/// overflows the stack.
pub fn parse(source: &str) -> Result<ast::PolicyFile, Vec<ParseError>> {
    if source.len() > limits::MAX_POLICY_BYTES {
        return Err(vec![ParseError::TooLarge {
            len: source.len(),
            limit: limits::MAX_POLICY_BYTES,
        }]);
    }
    if let Some(err) = errors::check_nesting(source) {
        return Err(vec![err]);
    }
    let pairs = parser::parse_file(source).map_err(|e| vec![errors::from_pest(source, &e)])?;
    lower::lower_file(pairs)
}
