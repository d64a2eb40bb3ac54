//! `rbacc explain CODE`: the description of a diagnostic code, read from
//! docs/diagnostics.md (compiled in), so the page and the command say the
//! same thing.

use super::{Exit, Io};

/// The diagnostics page, the one source of the descriptions.
const PAGE: &str = include_str!("../../docs/diagnostics.md");

/// Arguments of `rbacc explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A code (`E0107`) or its name (`implication-not-down`).
    pub code: String,
}

/// One code's entry of the page.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    /// The code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// What it reports.
    pub meaning: String,
    /// Why it is reported.
    pub why: String,
    /// The title of its section.
    pub section: String,
    /// The section's text before its table.
    pub intro: String,
}

/// Every entry of the page: the rows of its tables, with their section.
pub fn entries() -> Vec<Entry> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut intro = String::new();
    for line in PAGE.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            section = title.trim().to_string();
            intro.clear();
            continue;
        }
        if !line.starts_with('|') {
            if !line.trim().is_empty() || !intro.is_empty() {
                intro.push_str(line);
                intro.push('\n');
            }
            continue;
        }
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let [code, name, meaning, why] = cells.as_slice() else {
            continue;
        };
        let is_code = code.len() == 5
            && code.starts_with(['E', 'W', 'D'])
            && code.chars().skip(1).all(|c| c.is_ascii_digit());
        if is_code {
            out.push(Entry {
                code: (*code).to_string(),
                name: (*name).to_string(),
                meaning: (*meaning).to_string(),
                why: (*why).to_string(),
                section: section.clone(),
                intro: intro.trim().to_string(),
            });
        }
    }
    out
}

/// The text `rbacc explain` prints for an entry.
pub fn render(e: &Entry) -> String {
    let kind = match e.code.chars().next() {
        Some('W') => "lint (warning unless its level is raised)",
        Some('D') => "diff finding",
        _ => "error",
    };
    let mut out = format!("{} {}: {}\n\n", e.code, e.name, kind);
    out.push_str(&format!("Reports: {}.\n", e.meaning));
    out.push_str(&format!("Why: {}.\n", e.why));
    if !e.intro.is_empty() {
        out.push_str(&format!("\n{}:\n{}\n", e.section, e.intro));
    }
    out.push_str("\nSee docs/diagnostics.md for every code.\n");
    out
}

/// Runs `rbacc explain`.
pub fn run(args: &ExplainArgs, io: &mut Io<'_>) -> Exit {
    let all = entries();
    let wanted = args.code.trim();
    match all
        .iter()
        .find(|e| e.code.eq_ignore_ascii_case(wanted) || e.name == wanted)
    {
        Some(e) => {
            let _ = write!(io.out, "{}", render(e));
            Exit::Ok
        }
        None => {
            let names = all.iter().flat_map(|e| [e.code.as_str(), e.name.as_str()]);
            let hint = crate::suggest::did_you_mean(wanted, names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            let _ = writeln!(
                io.err,
                "error: unknown diagnostic code `{wanted}`{hint} (every code is listed in docs/diagnostics.md)"
            );
            Exit::Error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_code_has_an_entry_on_the_page() {
        let all = entries();
        for info in crate::diagnostic::codes::CODES {
            let entry = all.iter().find(|e| e.code == info.code);
            let entry = entry.map(|e| e.name.as_str());
            assert_eq!(
                entry,
                Some(info.name),
                "{} in docs/diagnostics.md",
                info.code
            );
        }
        assert_eq!(all.len(), crate::diagnostic::codes::CODES.len());
    }
}
