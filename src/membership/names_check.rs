//! What a user, group or resource name may be: printable text that shows
//! what it is. Control characters, bidirectional controls, zero-width and
//! other default-ignorable characters, and spaces at either end would let
//! two names print the same, or a name print as another.

#![expect(
    clippy::result_large_err,
    reason = "a data error ends loading at once; it is built once per load"
)]

use super::errors::{escape, At, DataError, Pos};

/// Whether `c` is invisible or reorders text: the bidirectional controls
/// and Unicode's Default_Ignorable_Code_Point set (zero-width characters,
/// joiners, variation selectors, invisible operators, tag characters, …).
pub fn invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// Refuses a name that is empty, holds a control or invisible character,
/// or starts or ends with white space.
pub fn check(what: &str, name: &str, at: Pos) -> Result<(), DataError> {
    let bad = name
        .chars()
        .find(|&c| c.is_control() || invisible(c) || c == '\u{2028}' || c == '\u{2029}');
    let problem = if name.is_empty() {
        Some("is empty".to_string())
    } else if let Some(c) = bad {
        Some(format!(
            "holds the invisible or control character U+{:04X}",
            u32::from(c)
        ))
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
