//! What a user, group or resource name may be: printable text that shows
//! what it is. Control characters, bidirectional controls, zero-width and
//! other default-ignorable characters (as `crate::text` classifies them),
//! and spaces at either end would let two names print the same, or a name
//! print as another.

#![expect(
    clippy::result_large_err,
    reason = "a data error ends loading at once; it is built once per load"
)]

use super::errors::{escape, At, DataError, Pos};

/// Refuses a name that is empty, holds a control or invisible character,
/// or starts or ends with white space.
pub fn check(what: &str, name: &str, at: Pos) -> Result<(), DataError> {
    // (Tab and line breaks are layout to `classify`; in a name they are
    // refused all the same.)
    let bad = name
        .chars()
        .find(|&c| matches!(c, '\t' | '\n' | '\r') || crate::text::classify(c).is_some());
    let problem = if name.is_empty() {
        Some("is empty".to_string())
    } else if let Some(c) = bad {
        let kind = crate::text::classify(c).map_or("control character", |k| k.describe());
        Some(format!("holds the {kind} U+{:04X}", u32::from(c)))
    } else if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
        Some("starts or ends with white space".to_string())
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(p) => Err(DataError::new(
            "E0409",
            format!("the {what} name `{}` {p}", escape(name)),
            At::from(at),
            "not a printable name",
        )
        .note("names must print as what they are: no control, bidirectional, zero-width or other invisible characters, no spaces at either end")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_print_as_another_are_refused() {
        for bad in [
            "x\nallow\n",
            "\u{1b}[31mred",
            "b\u{200B}ob",
            "bob ",
            " bob",
            "\u{202E}nimda",
            "a\u{2066}b",
            "",
        ] {
            assert!(check("user", bad, Pos::default()).is_err(), "{bad:?}");
        }
        for good in ["bob", "josé", "a b", "ana.smith@example.com", "日本"] {
            assert!(check("user", good, Pos::default()).is_ok(), "{good:?}");
        }
    }
}
