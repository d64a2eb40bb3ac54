//! The command-line interface. Each subcommand is a library function taking
//! its arguments and output streams, so tests can call it directly.

mod check;
mod diff;
mod eval;
mod explain;
mod fmt;
mod graph;
mod input;
mod lsp;
mod matrix;
mod review;
mod style;
mod test;

pub use input::{load_policy, PolicyArgs};

use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::process::{ExitCode, Termination};

/// Process exit codes, stable across releases.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: success; `eval` allowed.
    Ok,
    /// 1: the input has errors (findings); `eval` denied; a test failed.
    Findings,
    /// 2: usage, I/O or load error; no decision was made.
    Error,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Findings => 1,
            Exit::Error => 2,
        }
    }
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// How to print diagnostics and results.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rendered for people (codespan-reporting).
    #[default]
    Human,
    /// JSON on stdout.
    Json,
}

/// When to use colour.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when the stream is a terminal and NO_COLOR is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl Color {
    /// Resolves `auto` against the environment and standard error (where
    /// diagnostics go).
    pub fn resolve(self) -> crate::diagnostic::ColorChoice {
        self.resolve_for(std::io::stderr().is_terminal())
    }

    /// Resolves `auto` against the environment (`NO_COLOR`) and whether
    /// the stream written is a terminal.
    pub fn resolve_for(self, terminal: bool) -> crate::diagnostic::ColorChoice {
        use crate::diagnostic::ColorChoice;
        match self {
            Color::Always => ColorChoice::Always,
            Color::Never => ColorChoice::Never,
            Color::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                if no_color || !terminal {
                    ColorChoice::Never
                } else {
                    ColorChoice::Always
                }
            }
        }
    }
}

/// rbacc: a declarative RBAC policy compiler and evaluator.
#[derive(Debug, Parser)]
#[command(name = "rbacc", version, about, long_about = None)]
pub struct Cli {
    /// When to colour output: diagnostics and every report for people
    /// (`auto`: when the stream is a terminal and `NO_COLOR` is unset).
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands. Each one's help ends with an example
/// (`after_help`); `tests/help.rs` snapshots every help text.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check policy files: every error and warning, in every file.
    #[command(
        after_help = "Example:\n  rbacc check policies/ --deny-warnings\n  rbacc check --preset astro --format json\n  cat policy.rbac | rbacc check -"
    )]
    Check(check::CheckArgs),
    /// List the shipped presets, or print one's source.
    #[command(after_help = "Example:\n  rbacc presets\n  rbacc presets --show astro > astro.rbac")]
    Presets(PresetsArgs),
    /// Print the permission tables of a policy.
    #[command(
        after_help = "Example:\n  rbacc matrix --preset astro --format markdown\n  rbacc matrix policy.rbac"
    )]
    Matrix(matrix::MatrixArgs),
    /// Can USER do PERMISSION on RESOURCE? Exit 0 allow, 1 deny, 2 error
    /// (with `--batch`: 0 all allow, 1 any deny, 2 any error).
    #[command(
        after_help = "Example:\n  rbacc eval --preset astro -m examples/astro/members.yaml \\\n      ana workspace.dags.view workspace:acme/ml --explain\n  rbacc eval policy.rbac -m members.yaml --batch queries.txt"
    )]
    Eval(eval::EvalArgs),
    /// Every user who can do PERMISSION on RESOURCE.
    #[command(
        after_help = "Example:\n  rbacc who-can --preset astro -m examples/astro/members.yaml \\\n      workspace.dags.view workspace:acme/ml"
    )]
    WhoCan(eval::WhoCanArgs),
    /// Every permission USER holds on RESOURCE.
    #[command(
        after_help = "Example:\n  rbacc what-can --preset astro -m examples/astro/members.yaml \\\n      ana workspace:acme/ml"
    )]
    WhatCan(eval::WhatCanArgs),
    /// Semantic diff of two policies: who gains and loses what, with the
    /// chain behind each change; exit 1 under `--fail-on escalation` when
    /// access widens.
    #[command(
        after_help = "Example:\n  rbacc diff old.rbac new.rbac --fail-on escalation\n  rbacc diff --old-preset astro new.rbac --members examples/astro/members.yaml"
    )]
    Diff(diff::DiffArgs),
    /// Run policy test files; exit 0 all pass, 1 a failure or no case, 2 a
    /// load error.
    #[command(
        after_help = "Example:\n  rbacc test tests/presets --coverage\n  rbacc test tests/presets --filter owner --format junit > rbacc-junit.xml"
    )]
    Test(test::TestArgs),
    /// Rewrite policy files in the canonical layout (`--check`: exit 1 if
    /// one would change).
    #[command(
        after_help = "Example:\n  rbacc fmt policies examples          # rewrite every *.rbac below them\n  rbacc fmt --check policies          # exit 1 when a file would change"
    )]
    Fmt(fmt::FmtArgs),
    /// The role graph: includes, implications and assignments, clustered
    /// by scope kind, as Graphviz DOT or a Mermaid flowchart.
    #[command(
        after_help = "Example:\n  rbacc graph --preset astro | dot -Tsvg > astro.svg\n  rbacc graph policy.rbac --format mermaid"
    )]
    Graph(graph::GraphArgs),
    /// Explain a diagnostic code: what it reports and why (the text of
    /// docs/diagnostics.md).
    #[command(after_help = "Example:\n  rbacc explain E0107\n  rbacc explain redundant-grant")]
    Explain(explain::ExplainArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  rbacc completions bash > ~/.local/share/bash-completion/completions/rbacc\n  rbacc completions zsh > ~/.zfunc/_rbacc\n  rbacc completions fish > ~/.config/fish/completions/rbacc.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of rbacc or of one subcommand.
    #[command(
        after_help = "Example:\n  rbacc man > rbacc.1 && man ./rbacc.1\n  rbacc man graph > rbacc-graph.1"
    )]
    Man(ManArgs),
    /// Language server for editors, over stdin/stdout.
    ///
    /// Diagnostics as you type, go to definition, references, hover,
    /// completion, rename and the outline. Editors start it
    /// (docs/language.md, "Editor setup").
    #[command(after_help = "Example:\n  rbacc lsp")]
    Lsp(lsp::LspArgs),
    /// Access review: what every user holds on every resource of the data,
    /// per user and per resource (markdown, CSV, JSON).
    #[command(
        after_help = "Example:\n  rbacc review --preset astro -m examples/astro/members.yaml > review.md\n  rbacc review --policy policy.rbac -m members.yaml --format csv --by resource"
    )]
    Review(review::ReviewArgs),
}

/// Arguments of `rbacc presets`.
#[derive(Debug, clap::Args)]
pub struct PresetsArgs {
    /// Print the source of this preset instead of the list (explanations
    /// cite its lines as `policies/NAME.rbac:LINE:COLUMN`).
    #[arg(long, value_name = "NAME")]
    pub show: Option<String>,
}

/// Arguments of `rbacc man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A subcommand: its page (`rbacc-NAME(1)`) instead of rbacc's.
    pub subcommand: Option<String>,
}

/// Arguments of `rbacc completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Output streams of a command.
pub struct Io<'a> {
    /// Results.
    pub out: &'a mut dyn Write,
    /// Diagnostics and messages.
    pub err: &'a mut dyn Write,
    /// Colour choice for diagnostics (standard error).
    pub color: crate::diagnostic::ColorChoice,
    /// Colour choice for results (standard output).
    pub out_color: crate::diagnostic::ColorChoice,
    /// The command prints JSON (`--format json`): errors are JSON on
    /// standard output too (see [`fail`]).
    pub json: bool,
}

/// What stopped a command before it could give a result (exit 2).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The arguments are wrong.
    Usage,
    /// A file could not be read.
    Io,
    /// The policy or the data has errors.
    Load,
}

impl ErrorKind {
    fn name(self) -> &'static str {
        match self {
            ErrorKind::Usage => "usage",
            ErrorKind::Io => "io",
            ErrorKind::Load => "load",
        }
    }
}

/// The JSON form of an error that stopped a command:
/// `{"error": {"kind": "usage"|"io"|"load", "message": "...",
/// "diagnostics": [...]}, "exit": 2}` (the diagnostics as in `rbacc check
/// --format json`; empty unless the policy or data has errors).
pub fn error_json(
    kind: ErrorKind,
    message: &str,
    report: Option<&crate::diagnostic::Report>,
) -> serde_json::Value {
    let diagnostics = report
        .map(|r| crate::diagnostic::to_json(&r.sources, &r.diagnostics))
        .and_then(|v| v.get("diagnostics").cloned())
        .unwrap_or_else(|| serde_json::json!([]));
    serde_json::json!({
        "error": {"kind": kind.name(), "message": message, "diagnostics": diagnostics},
        "exit": Exit::Error.code(),
    })
}

/// Reports an error that stops a command and returns exit 2: the rendered
/// diagnostics and `error: MESSAGE` on standard error, or, when the command
/// prints JSON, [`error_json`] on standard output.
pub fn fail(
    io: &mut Io<'_>,
    kind: ErrorKind,
    message: &str,
    report: Option<&crate::diagnostic::Report>,
) -> Exit {
    if io.json {
        let _ = writeln!(io.out, "{:#}", error_json(kind, message, report));
    } else {
        if let Some(r) = report {
            let text = crate::diagnostic::render(&r.sources, &r.diagnostics, io.color);
            let _ = write!(io.err, "{text}");
        }
        let _ = writeln!(io.err, "error: {message}");
    }
    Exit::Error
}

/// Whether the arguments ask for JSON (`--format json` or
/// `--format=json`), for errors found before they are parsed.
fn args_want_json() -> bool {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    args.windows(2)
        .any(|w| matches!(w, [a, b] if a == "--format" && b == "json"))
        || args.iter().any(|a| a == "--format=json")
}

/// Runs the process: parses arguments and dispatches.
pub fn main() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let help = matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            );
            if help {
                let _ = e.print();
                return Exit::Ok;
            }
            if args_want_json() {
                let text = e.render().to_string();
                let message = text.trim().trim_start_matches("error: ");
                let json = error_json(ErrorKind::Usage, message, None);
                println!("{json:#}");
            } else {
                let _ = e.print();
            }
            return Exit::Error;
        }
    };
    if let Command::Lsp(args) = &cli.command {
        // The server writes standard output from its own thread: not locked here.
        return lsp::run(args);
    }
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        color: cli.color.resolve(),
        out_color: cli.color.resolve_for(std::io::stdout().is_terminal()),
        json: cli.command.prints_json(),
    };
    run(cli.command, &mut io)
}

impl Command {
    /// Whether the command prints JSON (`--format json`).
    pub fn prints_json(&self) -> bool {
        match self {
            Command::Check(a) => a.format == check::CheckFormat::Json,
            Command::Matrix(a) => a.format == matrix::MatrixFormat::Json,
            Command::Eval(a) => a.setup.format == Format::Json,
            Command::WhoCan(a) => a.setup.format == Format::Json,
            Command::WhatCan(a) => a.setup.format == Format::Json,
            Command::Diff(a) => a.format == diff::DiffFormat::Json,
            Command::Test(a) => a.format == test::TestFormat::Json,
            Command::Review(a) => a.format == review::ReviewFormat::Json,
            _ => false,
        }
    }
}

/// Runs one command.
pub fn run(command: Command, io: &mut Io<'_>) -> Exit {
    match command {
        Command::Check(args) => check::run(&args, io),
        Command::Presets(args) => presets(&args, io),
        Command::Matrix(args) => matrix::run(&args, io),
        Command::Eval(args) => eval::run_eval(&args, io),
        Command::WhoCan(args) => eval::run_who_can(&args, io),
        Command::WhatCan(args) => eval::run_what_can(&args, io),
        Command::Diff(args) => diff::run(&args, io),
        Command::Test(args) => test::run(&args, io),
        Command::Fmt(args) => fmt::run(&args, io),
        Command::Graph(args) => graph::run(&args, io),
        Command::Explain(args) => explain::run(&args, io),
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "rbacc", io.out);
            Exit::Ok
        }
        Command::Man(args) => man(&args, io),
        Command::Lsp(args) => lsp::run(&args),
        Command::Review(args) => review::run(&args, io),
    }
}

/// `rbacc presets [--show NAME]`.
fn presets(args: &PresetsArgs, io: &mut Io<'_>) -> Exit {
    let Some(name) = &args.show else {
        for p in crate::presets::PRESETS {
            let _ = writeln!(io.out, "{:<10} {}", p.name, p.summary);
        }
        return Exit::Ok;
    };
    match crate::presets::get(name) {
        Some(p) => {
            let _ = write!(io.out, "{}", p.source);
            Exit::Ok
        }
        None => {
            let names = crate::presets::PRESETS.iter().map(|p| p.name);
            let hint = crate::suggest::did_you_mean(name, names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            let _ = writeln!(
                io.err,
                "error: unknown preset `{name}`{hint} (see `rbacc presets`)"
            );
            Exit::Error
        }
    }
}

/// `rbacc man [SUBCOMMAND]`.
fn man(args: &ManArgs, io: &mut Io<'_>) -> Exit {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    cmd.build();
    let page = match &args.subcommand {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names = cmd.get_subcommands().map(clap::Command::get_name);
                let hint = crate::suggest::did_you_mean(name, names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                let _ = writeln!(io.err, "error: unknown subcommand `{name}`{hint}");
                return Exit::Error;
            }
        },
    };
    match clap_mangen::Man::new(page).render(io.out) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            let _ = writeln!(io.err, "error: cannot write the manual page: {e}");
            Exit::Error
        }
    }
}
