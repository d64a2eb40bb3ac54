//! The test report as JUnit XML, the format CI systems ingest (GitLab,
//! Jenkins, GitHub test reporters): one `<testsuite>` per document of a
//! test file, one `<testcase>` per case; a failed case holds a
//! `<failure>`, a case that could not be evaluated an `<error>`; a file
//! that did not load, or a run without a case, is a suite with one
//! erroring case, so that it is not lost.

use super::{expected_text, query_text, Run, Status};

/// Escapes text for XML 1.0 content and attribute values: the five markup
/// characters as entities; characters XML 1.0 cannot hold (controls other
/// than tab, line feed and carriage return) written as `\u{..}`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// The run as a JUnit XML document.
pub fn to_junit(run: &Run) -> String {
    let mut body = String::new();
    for s in &run.suites {
        let title = match &s.name {
            Some(n) => format!("{}:{} ({n})", s.file, s.line),
            None => format!("{}:{}", s.file, s.line),
        };
        let failures = s.cases.iter().filter(|c| c.status == Status::Fail).count();
        let errors = s
            .cases
            .iter()
            .filter(|c| matches!(c.status, Status::Error(_)))
            .count();
        body.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">\n",
            escape(&title),
            s.cases.len()
        ));
        body.push_str(&format!(
            "    <properties>\n      <property name=\"policy\" value=\"{}\"/>\n      <property name=\"members\" value=\"{}\"/>\n    </properties>\n",
            escape(&s.policy),
            escape(&s.members)
        ));
        for c in &s.cases {
            body.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\">",
                escape(&c.case.name),
                escape(&s.file),
                escape(&c.case.location)
            ));
            match &c.status {
                Status::Pass => {}
                Status::Fail => {
                    let message = format!(
                        "{}: expected {}, got {}",
                        query_text(&c.case.kind),
                        expected_text(&c.case.kind),
                        c.actual.as_deref().unwrap_or("nothing")
                    );
                    let mut detail = format!("{message}\n");
                    for step in &c.explanation {
                        detail.push_str(&step.text);
                        if let Some(loc) = &step.location {
                            detail.push_str(&format!("  [{loc}]"));
                        }
                        detail.push('\n');
                    }
                    body.push_str(&format!(
                        "\n      <failure message=\"{}\" type=\"fail\">{}</failure>\n    ",
                        escape(&message),
                        escape(&detail)
                    ));
                }
                Status::Error(msg) => {
                    let message = format!("{}: {msg}; no decision", query_text(&c.case.kind));
                    body.push_str(&format!(
                        "\n      <error message=\"{}\" type=\"error\"/>\n    ",
                        escape(&message)
                    ));
                }
            }
            body.push_str("</testcase>\n");
        }
        body.push_str("  </testsuite>\n");
    }
    let mut extra = 0;
    for e in &run.load_errors {
        extra += 1;
        let detail = e
            .report
            .as_ref()
            .map(|r| r.to_plain_string())
            .unwrap_or_default();
        body.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase name=\"load\" classname=\"{0}\"><error message=\"{}\" type=\"load\">{}</error></testcase>\n  </testsuite>\n",
            escape(&e.file),
            escape(&e.message),
            escape(&detail)
        ));
    }
    for e in &run.empty {
        extra += 1;
        body.push_str(&format!(
            "  <testsuite name=\"no case\" tests=\"1\" failures=\"1\" errors=\"0\">\n    <testcase name=\"no case\" classname=\"rbacc\"><failure message=\"{}\" type=\"empty\"/></testcase>\n  </testsuite>\n",
            escape(e)
        ));
    }
    let tests = run.passed() + run.failed() + run.errors() + extra;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rbacc test\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\">\n{body}</testsuites>\n",
        run.failed() + run.empty.len(),
        run.errors() + run.load_errors.len()
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_controls_are_escaped() {
        assert_eq!(
            escape("a<b>&\"c\"'d'\u{1}\u{1b}[31m\tx"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;\\u{1}\\u{1b}[31m\tx"
        );
    }
}
