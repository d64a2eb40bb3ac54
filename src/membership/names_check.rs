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

/// Warnings for names of one kind that a reader may take for one another:
/// equal after Unicode normalisation (NFC: `josé` written with a combining
/// accent and with `é`), or confusable (equal Unicode TR39 skeletons:
/// `аlice` with a Cyrillic `а` and `alice`). Each name is compared with
/// the names before it; ASCII-only data has nothing to compare and costs
/// one pass over the names.
pub fn look_alike<'a, I: Iterator<Item = (&'a str, Pos)>>(
    what: &str,
    names: impl Fn() -> I,
) -> Vec<DataError> {
    use std::collections::HashMap;
    use unicode_normalization::UnicodeNormalization;
    if names().all(|(n, _)| n.is_ascii()) {
        return Vec::new();
    }
    let mut nfc: HashMap<String, &str> = HashMap::new();
    let mut skeletons: HashMap<String, &str> = HashMap::new();
    let mut out = Vec::new();
    for (name, at) in names() {
        let n: String = name.nfc().collect();
        let s: String = unicode_security::confusable_detection::skeleton(name).collect();
        let (earlier, why) = match (nfc.get(&n), skeletons.get(&s)) {
            (Some(&e), _) if e != name => (e, "differs from it only by Unicode normalisation (the same characters, composed differently)"),
            (_, Some(&e)) if e != name => (e, "is confusable with it: its characters look like the other's (Unicode TR39)"),
            _ => {
                nfc.entry(n).or_insert(name);
                skeletons.entry(s).or_insert(name);
                continue;
            }
        };
        let mut w = DataError::new(
            "W0412",
            format!(
                "the {what} name `{}` looks like the {what} name `{}`",
                escape(name),
                escape(earlier)
            ),
            At::from(at),
            why,
        )
        .note(format!(
            "they are two different {what}s; if one is meant, write it the same way everywhere"
        ));
        w.warning = true;
        out.push(w);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn look_alike_names_are_warned() {
        let names = [
            ("alice", Pos::new(1, 1)),
            ("\u{430}lice", Pos::new(2, 1)),
            ("jos\u{e9}", Pos::new(3, 1)),
            ("jose\u{301}", Pos::new(4, 1)),
            ("bob", Pos::new(5, 1)),
        ];
        let w = look_alike("user", || names.iter().copied());
        let at: Vec<(At, bool)> = w.iter().map(|w| (w.at, w.warning)).collect();
        assert_eq!(
            at,
            [
                (At::Pos(Pos::new(2, 1)), true),
                (At::Pos(Pos::new(4, 1)), true)
            ]
        );
        assert!(w[1].label.contains("normalisation"), "{:?}", w[1]);
        let ascii = [("alice", Pos::default()), ("bob", Pos::default())];
        assert!(look_alike("user", || ascii.iter().copied()).is_empty());
    }

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
