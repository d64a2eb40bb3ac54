//! `rbacc eval --batch` (issue 15): the input is a batch of query lines
//! (words or JSON objects), answered through the CLI against a small
//! policy and membership file, in JSON. Every line that is not blank or a
//! comment gets exactly one answer, in order, with its own line number
//! (an error answered in place, never shifting the others); the exit code
//! follows the answers (0 all allow, 1 a deny and no error, 2 an error);
//! `allow` only for a query the data allows.
#![no_main]

use clap::Parser as _;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const POLICY: &str = "scope org \"Org\"\npermissions on org { org.read \"Read\" org.write \"Write\" }\nrole viewer on org \"Viewer\" { grant org.read }\nrole admin on org \"Admin\" { include viewer  grant org.write }\n";
const MEMBERS: &str =
    "users: [ana, bob]\nresources:\n  org:a: {roles: {ana: admin, bob: viewer}}\n";
/// The queries the data allows.
const ALLOWED: &[(&str, &str, &str)] = &[
    ("ana", "org.read", "org:a"),
    ("ana", "org.write", "org:a"),
    ("bob", "org.read", "org:a"),
];

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("rbacc-fuzz-batch-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("a temporary directory");
        std::fs::write(d.join("policy.rbac"), POLICY).expect("write the policy");
        std::fs::write(d.join("members.yaml"), MEMBERS).expect("write the data");
        d
    })
}

/// The query a line asks when it is one the data allows (words only: a
/// JSON line is checked by its answer's line number).
fn allowed(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [u, p, r] => ALLOWED.contains(&(*u, *p, *r)),
        _ => line.trim_start().starts_with('{'),
    }
}

fuzz_target!(|data: &[u8]| {
    let d = dir();
    let batch = d.join("batch.txt");
    std::fs::write(&batch, data).expect("write the batch");
    let args = [
        "rbacc".into(),
        "eval".into(),
        "--policy".into(),
        d.join("policy.rbac").into_os_string(),
        "-m".into(),
        d.join("members.yaml").into_os_string(),
        "--format".into(),
        "json".into(),
        "--batch".into(),
        batch.into_os_string(),
    ];
    let cli = rbacc::internals::cli::Cli::try_parse_from(args).expect("the arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = {
        let json = cli.command.prints_json();
        let mut io = rbacc::internals::cli::Io {
            out: &mut out,
            err: &mut err,
            color: rbacc::diagnostic::ColorChoice::Never,
            out_color: rbacc::diagnostic::ColorChoice::Never,
            json,
        };
        rbacc::internals::cli::run(cli.command, &mut io)
    };
    // The lines that must be answered, by number.
    let mut expected: Vec<(usize, bool)> = Vec::new();
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    if !data.is_empty() {
        for (i, line) in body.split(|&b| b == b'\n').enumerate() {
            match std::str::from_utf8(line) {
                Ok(l) if l.trim().is_empty() || l.trim_start().starts_with('#') => {}
                Ok(l) => expected.push((i + 1, allowed(l))),
                Err(_) => expected.push((i + 1, false)),
            }
        }
    }
    let out = String::from_utf8(out).expect("the answers are UTF-8");
    let answers: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each answer is one JSON line"))
        .collect();
    assert_eq!(answers.len(), expected.len(), "one answer per query line");
    let (mut denied, mut failed) = (false, false);
    for (a, &(line, may_allow)) in answers.iter().zip(&expected) {
        assert_eq!(
            a["line"].as_u64(),
            Some(line as u64),
            "answers in order, in place"
        );
        match a["decision"].as_str() {
            Some("allow") => assert!(may_allow, "line {line} allowed"),
            Some("deny") => denied = true,
            Some(other) => panic!("decision {other}"),
            None => {
                assert!(a["error"].is_string(), "{a}");
                failed = true;
            }
        }
    }
    let want = if failed {
        2
    } else if denied {
        1
    } else {
        0
    };
    assert_eq!(exit.code(), want, "exit code of {answers:?}");
});
