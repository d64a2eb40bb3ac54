//! `rbacc eval`, `rbacc who-can`, `rbacc what-can`: queries against a
//! policy and membership data. Fail closed: any error exits 2 and prints no
//! decision.

use super::input::{
    display_name, read_text, report_error, report_load_error, stdin_once, FileKind, LoadError,
    PolicyArgs,
};
use super::{Exit, Format, Io};
use crate::diagnostic::style::{paint, Style};
use crate::eval::{Authorizer, Explanation, Query, QueryError};
use crate::membership::Members;
use crate::text::escape;
use serde_json::json;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

/// Where the policy and the data come from.
#[derive(Debug, clap::Args)]
pub struct Setup {
    /// The policy (`--policy`, `--preset`).
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Membership data (YAML; `-`: standard input).
    #[arg(long, short = 'm', value_name = "MEMBERS")]
    pub members: PathBuf,
    /// Output format (`json`: errors are JSON on standard output too).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Arguments of `rbacc eval`.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "rbacc eval [OPTIONS] -m <MEMBERS> [POLICY] <USER> <PERMISSION> <RESOURCE>\n       rbacc eval [OPTIONS] -m <MEMBERS> [POLICY] --batch <FILE>"
)]
pub struct EvalArgs {
    /// Policy, members and format.
    #[command(flatten)]
    pub setup: Setup,
    /// Print the reason: the chain for an allow, what is missing for a deny.
    #[arg(long)]
    pub explain: bool,
    /// Read queries from a file (`-` for stdin), one per line: `USER PERMISSION
    /// RESOURCE` or a JSON object with exactly the keys `user`, `permission`,
    /// `resource`. Each line is answered in order as soon as it is read (a
    /// bad line is answered `error` in place); exit 0 when every answer is
    /// allow, 1 when one is deny, 2 when one is an error.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// The policy file (optional: `-` for standard input, or give
    /// `--policy`/`--preset`), the user, the permission (a grouped one or a
    /// finer one) and the resource (`KIND:PATH`). With `--batch`, only the
    /// optional policy file.
    #[arg(value_names = ["POLICY", "USER", "PERMISSION", "RESOURCE"], num_args = 0..=4)]
    pub args: Vec<String>,
}

/// Arguments of `rbacc who-can`.
#[derive(Debug, clap::Args)]
#[command(override_usage = "rbacc who-can [OPTIONS] -m <MEMBERS> [POLICY] <PERMISSION> <RESOURCE>")]
pub struct WhoCanArgs {
    /// Policy, members and format.
    #[command(flatten)]
    pub setup: Setup,
    /// The policy file (optional: `-` for standard input, or give
    /// `--policy`/`--preset`), the permission and the resource
    /// (`KIND:PATH`).
    #[arg(value_names = ["POLICY", "PERMISSION", "RESOURCE"], num_args = 0..=3)]
    pub args: Vec<String>,
}

/// Arguments of `rbacc what-can`.
#[derive(Debug, clap::Args)]
#[command(override_usage = "rbacc what-can [OPTIONS] -m <MEMBERS> [POLICY] <USER> <RESOURCE>")]
pub struct WhatCanArgs {
    /// Policy, members and format.
    #[command(flatten)]
    pub setup: Setup,
    /// The policy file (optional: `-` for standard input, or give
    /// `--policy`/`--preset`), the user and the resource (`KIND:PATH`).
    #[arg(value_names = ["POLICY", "USER", "RESOURCE"], num_args = 0..=3)]
    pub args: Vec<String>,
}

/// Splits the positional arguments into the optional leading POLICY and
/// the `names` the command needs (one more argument than names is the
/// policy file).
fn split<'a>(
    args: &'a [String],
    names: &[&str],
) -> Result<(Option<PathBuf>, &'a [String]), LoadError> {
    if args.len() == names.len() {
        return Ok((None, args));
    }
    match args.split_first() {
        Some((policy, rest)) if rest.len() == names.len() => {
            Ok((Some(PathBuf::from(policy)), rest))
        }
        _ if names.is_empty() => Err(LoadError::Usage(format!(
            "with --batch, the queries come from the batch: give at most a POLICY argument, got {} argument(s)",
            args.len()
        ))),
        _ => Err(LoadError::Usage(format!(
            "expected [POLICY] {}, got {} argument(s)",
            names.join(" "),
            args.len()
        ))),
    }
}

/// The set-up of a question of N names (`who-can`, `what-can`): the
/// optional POLICY argument split off, policy and members loaded, the
/// names; or the exit after reporting why not.
fn question<'a, const N: usize>(
    args: &'a [String],
    setup: &Setup,
    names: [&str; N],
    io: &mut Io<'_>,
) -> Result<(Authorizer, &'a [String; N]), Exit> {
    let (policy, rest) = split(args, &names).map_err(|e| report_load_error(e, io))?;
    let rest: &[String; N] = rest.try_into().map_err(|_| Exit::Error)?;
    let authz = load(setup, policy.as_deref(), None, io)?;
    Ok((authz, rest))
}

/// Loads policy and members, or reports why not (exit 2). `positional`
/// is the command's POLICY argument; `batch` a batch file (so that `-` is
/// read once).
pub fn load(
    setup: &Setup,
    positional: Option<&Path>,
    batch: Option<&Path>,
    io: &mut Io<'_>,
) -> Result<Authorizer, Exit> {
    let named = [
        positional,
        setup.policy.policy.as_deref(),
        Some(setup.members.as_path()),
        batch,
    ];
    let policy = stdin_once(named.into_iter().flatten())
        .and_then(|()| setup.policy.with(positional))
        .and_then(|p| p.load())
        .map_err(|e| report_load_error(e, io))?;
    let data_error = |e, io: &mut Io<'_>| report_error(e, DATA_ERRORS, io);
    let text = match read_text(&setup.members, FileKind::Members) {
        Ok(Ok(text)) => text,
        Ok(Err(report)) => return Err(data_error(LoadError::Invalid(report), io)),
        Err(msg) => return Err(data_error(LoadError::Io(msg), io)),
    };
    let name = display_name(&setup.members);
    if let Some(report) = crate::analyse::hidden::yaml_report(&name, &text) {
        return Err(data_error(LoadError::Invalid(report), io));
    }
    let members = Members::from_yaml(&policy, &name, &text)
        .map_err(|report| data_error(LoadError::Invalid(report), io))?;
    if let Some(warnings) = members.warning_report(&text) {
        if !io.json {
            let _ = write!(
                io.err,
                "{}",
                crate::diagnostic::render(&warnings.sources, &warnings.diagnostics, io.color)
            );
        }
    }
    // Explanations cite positions kept at load: the text is not kept.
    Authorizer::new(policy, members)
        .map_err(|e| super::fail(io, super::ErrorKind::Load, &format!("[E0601] {e}"), None))
}

/// What is said when the data does not load.
const DATA_ERRORS: &str = "the membership data has errors; nothing was evaluated";

/// A query error as the CLI words it: its code, then what went wrong.
fn coded(e: &QueryError) -> String {
    format!("[{}] {e}", e.code())
}

fn query_error(e: &QueryError, io: &mut Io<'_>) -> Exit {
    super::fail(io, super::ErrorKind::Usage, &escape(&coded(e)), None)
}

fn explanation_text(e: &Explanation) -> String {
    let mut out = String::new();
    for (i, step) in e.steps.iter().enumerate() {
        let arrow = if i == 0 { "  " } else { "  → " };
        out.push_str(&format!("{arrow}{}", escape(&step.text)));
        if let Some(loc) = &step.location {
            out.push_str(&format!("  [{}]", escape(loc)));
        }
        out.push('\n');
    }
    out
}

fn decision(allowed: bool) -> &'static str {
    if allowed {
        "allow"
    } else {
        "deny"
    }
}

/// Runs `rbacc eval`.
pub fn run_eval(args: &EvalArgs, io: &mut Io<'_>) -> Exit {
    let names: &[&str] = if args.batch.is_some() {
        &[]
    } else {
        &["USER", "PERMISSION", "RESOURCE"]
    };
    let (policy, rest) = match split(&args.args, names) {
        Ok(s) => s,
        Err(e) => return report_load_error(e, io),
    };
    let authz = match load(&args.setup, policy.as_deref(), args.batch.as_deref(), io) {
        Ok(a) => a,
        Err(exit) => return exit,
    };
    if let Some(batch) = &args.batch {
        return run_batch(&authz, batch, args, io);
    }
    let [u, p, r] = rest else {
        let msg = "give USER PERMISSION RESOURCE, or --batch FILE";
        return super::fail(io, super::ErrorKind::Usage, msg, None);
    };
    let q = match authz.query(u, p, r) {
        Ok(q) => q,
        Err(e) => return query_error(&e, io),
    };
    let allowed = authz.check(&q);
    match args.setup.format {
        Format::Json => {
            let mut v =
                json!({"decision": decision(allowed), "user": u, "permission": p, "resource": r});
            if args.explain {
                if let Some(obj) = v.as_object_mut() {
                    obj.insert(
                        "explanation".to_string(),
                        serde_json::to_value(authz.explain(&q).steps).unwrap_or_default(),
                    );
                }
            }
            let _ = writeln!(io.out, "{v}");
        }
        Format::Human => {
            let style = if allowed { Style::Good } else { Style::Bad };
            let _ = writeln!(io.out, "{}", paint(decision(allowed), style, io.out_color));
            if args.explain {
                let _ = write!(io.out, "{}", explanation_text(&authz.explain(&q)));
            }
        }
    }
    if allowed {
        Exit::Ok
    } else {
        Exit::Findings
    }
}

/// A batch line written as JSON: exactly these three keys, each once
/// (a repeated or unknown key is an error, so that what a log shows and
/// what is answered cannot differ).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonQuery {
    user: String,
    permission: String,
    resource: String,
}

/// Parses one batch line.
fn parse_line(line: &str) -> Result<(String, String, String), QueryError> {
    let line = line.trim();
    if line.starts_with('{') {
        let q: JsonQuery =
            serde_json::from_str(line).map_err(|e| QueryError::Malformed(e.to_string()))?;
        return Ok((q.user, q.permission, q.resource));
    }
    let parts: Vec<&str> = line.split_whitespace().collect();
    match parts.as_slice() {
        [u, p, r] => Ok((u.to_string(), p.to_string(), r.to_string())),
        _ => Err(QueryError::Malformed(format!(
            "expected `USER PERMISSION RESOURCE`, got {} field(s)",
            parts.len()
        ))),
    }
}

/// One line of a batch: its bytes (without the line end), or why not.
enum Line {
    /// The line's bytes.
    Text(Vec<u8>),
    /// Longer than [`crate::limits::MAX_BATCH_LINE`]; the rest of it was
    /// skipped.
    TooLong,
}

/// Reads the next line of at most `max` bytes, or `None` at the end.
fn next_line(r: &mut impl BufRead, max: usize) -> std::io::Result<Option<Line>> {
    let mut buf = Vec::new();
    let n = r
        .by_ref()
        .take(max as u64 + 1)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        return Ok(Some(Line::Text(buf)));
    }
    if buf.len() <= max {
        return Ok(Some(Line::Text(buf))); // the last line, with no line end
    }
    // Skip the rest of the long line without keeping it.
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            break;
        }
        match avail.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                break;
            }
            None => {
                let len = avail.len();
                r.consume(len);
            }
        }
    }
    Ok(Some(Line::TooLong))
}

/// The batch's answers so far, for the exit code.
#[derive(Default)]
struct Tally {
    denied: bool,
    failed: bool,
}

/// Answers one batch line into `out`.
fn answer(
    authz: &Authorizer,
    args: &EvalArgs,
    n: usize,
    line: Line,
    tally: &mut Tally,
    out: &mut String,
) {
    let result: Result<(Query, bool), QueryError> = match line {
        Line::TooLong => Err(QueryError::Malformed(format!(
            "the line is longer than {} bytes",
            crate::limits::MAX_BATCH_LINE
        ))),
        Line::Text(bytes) => match String::from_utf8(bytes) {
            Err(_) => Err(QueryError::Malformed(
                "the line is not valid UTF-8".to_string(),
            )),
            Ok(line) => {
                if line.trim().is_empty() || line.trim_start().starts_with('#') {
                    return;
                }
                parse_line(&line).and_then(|(u, p, r)| {
                    let q = authz.query(&u, &p, &r)?;
                    Ok((q, authz.check(&q)))
                })
            }
        },
    };
    match (result, args.setup.format) {
        (Ok((q, allowed)), Format::Json) => {
            tally.denied |= !allowed;
            let mut v = json!({"line": n, "decision": decision(allowed)});
            if args.explain {
                if let Some(obj) = v.as_object_mut() {
                    obj.insert(
                        "explanation".to_string(),
                        serde_json::to_value(authz.explain(&q).steps).unwrap_or_default(),
                    );
                }
            }
            out.push_str(&v.to_string());
            out.push('\n');
        }
        (Ok((q, allowed)), Format::Human) => {
            tally.denied |= !allowed;
            out.push_str(decision(allowed));
            out.push('\n');
            if args.explain {
                out.push_str(&explanation_text(&authz.explain(&q)));
            }
        }
        (Err(e), Format::Json) => {
            tally.failed = true;
            out.push_str(&json!({"line": n, "error": e.to_string(), "code": e.code()}).to_string());
            out.push('\n');
        }
        (Err(e), Format::Human) => {
            tally.failed = true;
            out.push_str(&format!(
                "error: line {n}: {}\n",
                crate::text::escape(&coded(&e))
            ));
        }
    }
}

/// Answers a batch, one answer per query line in order, each written as
/// soon as its line is read (the output is flushed whenever no further
/// complete line is waiting, so a program can drive `rbacc` as a
/// co-process). Exit 2 when a line could not be answered (it is answered
/// `error` in place), else 1 when a query was denied, else 0.
fn run_batch(authz: &Authorizer, path: &PathBuf, args: &EvalArgs, io: &mut Io<'_>) -> Exit {
    let shown = crate::text::escape(&path.display().to_string()).into_owned();
    let input: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        // A batch is a stream: a pipe (`--batch <(…)`) is read as it comes,
        // and only one line is held at a time.
        match std::fs::File::open(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                let msg = format!("cannot read `{shown}`: {e}");
                return super::fail(io, super::ErrorKind::Io, &msg, None);
            }
        }
    };
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, input);
    let mut out = std::io::BufWriter::new(&mut *io.out);
    let mut tally = Tally::default();
    let mut text = String::new();
    let mut n = 0usize;
    loop {
        let line = match next_line(&mut reader, crate::limits::MAX_BATCH_LINE) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                let _ = out.flush();
                drop(out);
                let _ = writeln!(io.err, "error: cannot read `{shown}`: {e}");
                return Exit::Error;
            }
        };
        n += 1;
        text.clear();
        answer(authz, args, n, line, &mut tally, &mut text);
        if out.write_all(text.as_bytes()).is_err() {
            return Exit::Error;
        }
        // Flush unless a complete next line is already waiting.
        if !reader.buffer().contains(&b'\n') && out.flush().is_err() {
            return Exit::Error;
        }
    }
    if out.flush().is_err() {
        return Exit::Error;
    }
    drop(out);
    if tally.failed {
        let _ = writeln!(
            io.err,
            "error: some queries could not be evaluated (answered `error`, never `allow`)"
        );
        Exit::Error
    } else if tally.denied {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

/// Runs `rbacc who-can`.
pub fn run_who_can(args: &WhoCanArgs, io: &mut Io<'_>) -> Exit {
    let (authz, [permission, resource]) =
        match question(&args.args, &args.setup, ["PERMISSION", "RESOURCE"], io) {
            Ok(q) => q,
            Err(exit) => return exit,
        };
    let found = match authz.who_can(permission, resource) {
        Ok(f) => f,
        Err(e) => return query_error(&e, io),
    };
    let m = &authz.members();
    match args.setup.format {
        Format::Json => {
            let users: Vec<serde_json::Value> = found
                .iter()
                .map(|(u, e)| json!({"user": m.user_name(*u), "because": e.steps}))
                .collect();
            let _ = writeln!(
                io.out,
                "{}",
                json!({"permission": permission, "resource": resource, "users": users})
            );
        }
        Format::Human => {
            for (u, e) in &found {
                let why = e.steps.first().map_or(String::new(), |s| s.text.clone());
                let _ = writeln!(io.out, "{}\t{}", escape(m.user_name(*u)), escape(&why));
            }
        }
    }
    Exit::Ok
}

/// Runs `rbacc what-can`.
pub fn run_what_can(args: &WhatCanArgs, io: &mut Io<'_>) -> Exit {
    let (authz, [user, resource]) =
        match question(&args.args, &args.setup, ["USER", "RESOURCE"], io) {
            Ok(q) => q,
            Err(exit) => return exit,
        };
    let found = match authz.what_can(user, resource) {
        Ok(f) => f,
        Err(e) => return query_error(&e, io),
    };
    let model = &authz.policy().model;
    let nothing = found
        .is_empty()
        .then(|| holds_nothing(&authz, user, resource));
    match args.setup.format {
        Format::Json => {
            let perms: Vec<serde_json::Value> = found
                .iter()
                .map(|(p, e)| json!({"permission": model.perm_name(*p), "because": e.steps}))
                .collect();
            let mut v = json!({"user": user, "resource": resource, "permissions": perms});
            if let (Some(why), Some(obj)) = (&nothing, v.as_object_mut()) {
                obj.insert("nothing".to_string(), json!(why));
            }
            let _ = writeln!(io.out, "{v}");
        }
        Format::Human => {
            for (p, e) in &found {
                let why = e.steps.first().map_or(String::new(), |s| s.text.clone());
                let _ = writeln!(io.out, "{}\t{}", escape(model.perm_name(*p)), escape(&why));
            }
            if let Some(why) = &nothing {
                let _ = writeln!(io.out, "nothing: {}", escape(why));
            }
        }
    }
    Exit::Ok
}

/// Why a user holds no permission on a resource, in words: the roles held
/// there that grant none (a configurable grant switched off), no role that
/// reaches the resource, or no role anywhere in the data.
fn holds_nothing(authz: &Authorizer, user: &str, resource: &str) -> String {
    let m = authz.members();
    let model = &authz.policy().model;
    let (Some(u), Some(r)) = (m.user_id(user), m.res_id(resource)) else {
        return format!("`{user}` holds nothing on `{resource}`");
    };
    let here: Vec<String> = m
        .entry(u, r)
        .map(|e| {
            e.roles()
                .map(|h| format!("`{}`", model.role_name(h.role)))
                .collect()
        })
        .unwrap_or_default();
    if !here.is_empty() {
        return format!(
            "`{user}` holds {} on `{resource}`, which grants no permission there (a configurable grant may be switched off)",
            here.join(", ")
        );
    }
    let elsewhere: Vec<&str> = m
        .resources
        .iter()
        .filter_map(|x| m.res_id(&x.name))
        .filter(|x| m.entry(u, *x).is_some_and(|e| e.roles().next().is_some()))
        .map(|x| m.res_name(x))
        .collect();
    match elsewhere.as_slice() {
        [] => format!(
            "`{user}` holds no role anywhere in the data (a user without a membership or binding)"
        ),
        some => {
            let shown: Vec<String> = some.iter().take(3).map(|x| format!("`{x}`")).collect();
            let more = if some.len() > 3 { ", …" } else { "" };
            format!(
                "`{user}` holds no role that reaches `{resource}` (roles only on {}{more})",
                shown.join(", ")
            )
        }
    }
}
