//! Bounded, deterministic "did you mean" suggestions.

/// The closest candidate to `name`, if one is close enough.
///
/// A case-insensitive exact match wins; otherwise the candidate with the
/// smallest edit distance, at most a third of the name's length (at least 1),
/// ties broken alphabetically.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut sorted: Vec<&str> = candidates.into_iter().filter(|c| *c != name).collect();
    sorted.sort_unstable();
    sorted.dedup();
    if let Some(exact) = sorted.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        return Some((*exact).to_string());
    }
    let limit = (name.chars().count() / 3).max(1);
    sorted
        .iter()
        .filter_map(|c| {
            let d = distance(name, c, limit)?;
            Some((d, *c))
        })
        .min()
        .map(|(_, c)| c.to_string())
}

/// Levenshtein distance, or `None` when it exceeds `limit`.
fn distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        let mut row_min = usize::MAX;
        for (j, slot) in cur.iter_mut().enumerate() {
            *slot = if j == 0 {
                i + 1
            } else {
                let cb = b.get(j - 1);
                let diag = prev.get(j - 1).copied().unwrap_or(usize::MAX);
                let up = prev.get(j).copied().unwrap_or(usize::MAX);
                let cost = usize::from(cb != Some(ca));
                diag.saturating_add(cost).min(up.saturating_add(1))
            };
            row_min = row_min.min(*slot);
        }
        for j in 1..cur.len() {
            let left = cur
                .get(j - 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            if let Some(slot) = cur.get_mut(j) {
                *slot = (*slot).min(left);
            }
        }
        row_min = row_min.min(cur.iter().copied().min().unwrap_or(usize::MAX));
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().filter(|d| *d <= limit)
}

/// Code a `help:` line proposes, as edits of the source: applying them is
/// what the help says to do. Tests apply every fix and check the result
/// again (it must parse, and the error it fixes must be gone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Replacements `(span, text)`, in any order, not overlapping.
    pub edits: Vec<(crate::span::Span, String)>,
}

impl Fix {
    /// One replacement.
    pub fn replace(span: crate::span::Span, text: impl Into<String>) -> Fix {
        Fix {
            edits: vec![(span, text.into())],
        }
    }

    /// The source with the edits applied.
    pub fn apply(&self, source: &str) -> String {
        let mut edits = self.edits.clone();
        edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
        let mut out = source.to_string();
        for (span, text) in edits {
            let range = span.range(out.len());
            if out.is_char_boundary(range.start) && out.is_char_boundary(range.end) {
                out.replace_range(range, &text);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let names = ["workspace_admin", "workspace_editor", "workspace_viewer"];
        assert_eq!(
            did_you_mean("workspace_admn", names).as_deref(),
            Some("workspace_admin")
        );
        assert_eq!(
            did_you_mean("Workspace_Admin", names).as_deref(),
            Some("workspace_admin")
        );
        assert_eq!(did_you_mean("owner", names), None);
    }

    #[test]
    fn ties_are_alphabetical() {
        assert_eq!(did_you_mean("ab", ["ac", "aa"]).as_deref(), Some("aa"));
    }
}
