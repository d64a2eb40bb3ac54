//! Colour for reports written for people (test results, summaries, diff
//! entries, table headers): ANSI styles around text, or the text as it is
//! under [`ColorChoice::Never`]. The text is escaped by its writer first;
//! only these styles add escape sequences.

use super::ColorChoice;

/// A style for a span of text.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Style {
    /// Success: passed, allow, no error.
    Good,
    /// Failure: FAILED, deny, errors, access that widens.
    Bad,
    /// Needs a look: warnings, undecided.
    Warn,
    /// A heading.
    Heading,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Good => "\x1b[32m",
            Style::Bad => "\x1b[1;31m",
            Style::Warn => "\x1b[33m",
            Style::Heading => "\x1b[1m",
        }
    }
}

/// `text` in `style` when colour is on.
pub fn paint(text: &str, style: Style, color: ColorChoice) -> String {
    match color {
        ColorChoice::Always => format!("{}{text}\x1b[0m", style.code()),
        ColorChoice::Never => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{paint, ColorChoice, Style};

    #[test]
    fn colour_only_when_asked() {
        assert_eq!(paint("FAILED", Style::Bad, ColorChoice::Never), "FAILED");
        assert_eq!(
            paint("FAILED", Style::Bad, ColorChoice::Always),
            "\x1b[1;31mFAILED\x1b[0m"
        );
    }
}
