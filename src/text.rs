//! Text hygiene: characters that make text look other than it is.
//!
//! Two jobs, one classification:
//!
//! - [`classify`] names the characters a reader cannot see or that reorder
//!   what they see ("Trojan Source", CVE-2021-42574): bidirectional
//!   controls, invisible (default-ignorable and zero-width) characters, and
//!   control characters. Lints use it to flag such characters in comments,
//!   strings and data names.
//! - [`escape`] writes text for a terminal with every such character (and
//!   every other character [`is_printable`] refuses) spelled as `\u{…}`
//!   (or `\t`, `\n`, `\r`), so printed source lines and names can neither
//!   move the cursor, clear the screen nor reorder a line.
//!
//! ```
//! use rbacc::internals::text::{classify, escape, Suspicious};
//! assert_eq!(classify('\u{202E}'), Some(Suspicious::Bidi));
//! assert_eq!(classify('\u{200B}'), Some(Suspicious::Invisible));
//! assert_eq!(classify('\x1b'), Some(Suspicious::Control));
//! assert_eq!(classify('é'), None);
//! assert_eq!(escape("a\x1b[2Jb\u{202E}c"), "a\\u{1b}[2Jb\\u{202e}c");
//! assert_eq!(escape("plain ünïcode"), "plain ünïcode");
//! ```

use std::borrow::Cow;

/// Why a character is suspicious.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Suspicious {
    /// A bidirectional embedding, override or isolate control (U+202A–202E,
    /// U+2066–2069): it reorders how the rest of the line is displayed.
    Bidi,
    /// A character that displays as nothing: zero-width characters,
    /// directional marks, other default-ignorable code points, Hangul
    /// fillers, line and paragraph separators.
    Invisible,
    /// A C0 or C1 control character other than tab, line feed and carriage
    /// return (for example ESC, which starts terminal escape sequences).
    Control,
}

impl Suspicious {
    /// A short description, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Suspicious::Bidi => "bidirectional control character",
            Suspicious::Invisible => "invisible character",
            Suspicious::Control => "control character",
        }
    }
}

/// Classifies one character; `None` for ordinary text (tab, line feed and
/// carriage return are ordinary: they are layout, and `escape` still spells
/// them out).
pub fn classify(c: char) -> Option<Suspicious> {
    match c {
        '\t' | '\n' | '\r' => None,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some(Suspicious::Bidi),
        c if c.is_control() => Some(Suspicious::Control),
        c if is_invisible(c) => Some(Suspicious::Invisible),
        _ => None,
    }
}

/// Whether a character is safe to print as is: not suspicious and not
/// tab, line feed or carriage return.
pub fn is_printable(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && classify(c).is_none()
}

/// Whether the text has a character [`escape`] would change.
pub fn needs_escape(s: &str) -> bool {
    s.chars().any(|c| !is_printable(c))
}

/// The text with every character that is not [`is_printable`] spelled out:
/// `\t`, `\n`, `\r`, and `\u{hex}` for the rest. Borrowed when nothing
/// changes.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !needs_escape(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends one character to `out`, spelled out when it is not printable.
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if is_printable(c) => out.push(c),
        c => {
            use std::fmt::Write;
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// Default-ignorable and other invisible code points (Unicode's
/// `Default_Ignorable_Code_Point` and format characters, Hangul fillers,
/// line and paragraph separators).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{2029}'
            | '\u{2060}'..='\u{2065}'
            | '\u{206A}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Every suspicious character of a text with its byte offset.
pub fn suspicious(s: &str) -> impl Iterator<Item = (usize, char, Suspicious)> + '_ {
    s.char_indices()
        .filter_map(|(i, c)| classify(c).map(|k| (i, c, k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bidi_control_is_bidi() {
        for c in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}') {
            assert_eq!(classify(c), Some(Suspicious::Bidi), "{c:?}");
        }
    }

    #[test]
    fn zero_width_and_marks_are_invisible() {
        for c in [
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{2060}', '\u{FEFF}', '\u{AD}',
        ] {
            assert_eq!(classify(c), Some(Suspicious::Invisible), "{c:?}");
        }
    }

    #[test]
    fn controls_but_layout_are_control() {
        assert_eq!(classify('\x00'), Some(Suspicious::Control));
        assert_eq!(classify('\x7f'), Some(Suspicious::Control));
        assert_eq!(classify('\u{9b}'), Some(Suspicious::Control));
        assert_eq!(classify('\t'), None);
        assert_eq!(classify('\r'), None);
    }

    #[test]
    fn escape_spells_out_layout_and_hidden_characters() {
        assert_eq!(escape("a\tb\r\n"), "a\\tb\\r\\n");
        assert_eq!(escape("x\u{2066}y"), "x\\u{2066}y");
        assert!(matches!(escape("ok ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn suspicious_gives_offsets() {
        let found: Vec<_> = suspicious("a\u{202E}b\u{200B}").collect();
        assert_eq!(
            found,
            vec![
                (1, '\u{202E}', Suspicious::Bidi),
                (5, '\u{200B}', Suspicious::Invisible)
            ]
        );
    }
}
