//! Colour for the reports other stages write as plain text: the styles
//! are added line by line at the edge, so the text stays the one the
//! snapshots hold.

use crate::diagnostic::style::{paint, Style};
use crate::diagnostic::ColorChoice;

/// `rbacc diff`'s report: the summary line as a heading; an entry that
/// widens access (and a gain under it) as bad, one that narrows (and a
/// loss) as good, an undecided one as a warning.
pub fn diff(text: &str, color: ColorChoice) -> String {
    if color == ColorChoice::Never {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 256);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let trimmed = body.trim_start();
        let style = if i == 0 && body.starts_with("rbacc diff") {
            Some(Style::Heading)
        } else if body.starts_with("widens") || trimmed.starts_with("+ ") {
            Some(Style::Bad)
        } else if body.starts_with("narrows") || trimmed.starts_with("- ") {
            Some(Style::Good)
        } else if body.starts_with("undecided") || trimmed.starts_with("? ") {
            Some(Style::Warn)
        } else {
            None
        };
        match style {
            Some(s) => {
                out.push_str(&paint(body, s, color));
                out.push_str(end);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// `rbacc matrix`'s text tables: each table's title and header row as
/// headings.
pub fn matrix(text: &str, color: ColorChoice) -> String {
    if color == ColorChoice::Never {
        return text.to_string();
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + 256);
    for (i, line) in lines.iter().enumerate() {
        let next_is_header = lines
            .get(i + 1)
            .is_some_and(|n| n.starts_with("Permission "));
        if line.starts_with("Permission ") || next_is_header {
            let body = line.trim_end_matches('\n');
            out.push_str(&paint(body, Style::Heading, color));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lines_are_styled_by_effect() {
        let text = "rbacc diff `a` → `b`: 1 change widens access\n\nwidens    x\n          + gains\n          - loses\nnarrows   y\nroles added: z\n";
        let out = diff(text, ColorChoice::Always);
        assert!(out.starts_with("\x1b[1mrbacc diff"), "{out}");
        assert!(out.contains("\x1b[1;31mwidens    x\x1b[0m\n"), "{out}");
        assert!(
            out.contains("\x1b[1;31m          + gains\x1b[0m\n"),
            "{out}"
        );
        assert!(out.contains("\x1b[32m          - loses\x1b[0m\n"), "{out}");
        assert!(out.contains("\x1b[32mnarrows   y\x1b[0m\n"), "{out}");
        assert!(out.contains("\nroles added: z\n"), "{out}");
        assert_eq!(diff(text, ColorChoice::Never), text);
    }

    #[test]
    fn matrix_titles_and_headers_are_headings() {
        let text = "Org (organization)\nPermission  Owner\nView        yes\n\nWs (workspace)\nPermission  Admin\n";
        let out = matrix(text, ColorChoice::Always);
        assert!(out.starts_with("\x1b[1mOrg (organization)\x1b[0m\n\x1b[1mPermission  Owner\x1b[0m\nView        yes\n\n\x1b[1mWs"), "{out}");
        assert_eq!(matrix(text, ColorChoice::Never), text);
    }
}
