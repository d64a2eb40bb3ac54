//! The pest parser generated from `grammar/rbac.pest`.

#![allow(missing_docs)]

use pest::iterators::Pairs;
use pest::Parser;
use pest_derive::Parser;

/// The parser derived from the grammar.
#[derive(Parser)]
#[grammar = "../grammar/rbac.pest"]
pub struct PolicyParser;

/// Parses a whole file, with pest's call limit set so that no input can make
/// the parser run away.
pub(crate) fn parse_file(source: &str) -> Result<Pairs<'_, Rule>, Box<pest::error::Error<Rule>>> {
    pest::set_call_limit(std::num::NonZeroUsize::new(crate::limits::PEST_CALL_LIMIT));
    PolicyParser::parse(Rule::file, source).map_err(Box::new)
}
