//! The command-line interface. Each subcommand is a library function taking
//! its arguments and output streams, so tests can call it directly.

mod check;
mod diff;
mod eval;
mod fmt;
mod graph;
mod input;
mod matrix;
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
    /// Colour when stderr is a terminal and NO_COLOR is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl Color {
    /// Resolves `auto` against the environment and the terminal.
    pub fn resolve(self) -> crate::diagnostic::ColorChoice {
        use crate::diagnostic::ColorChoice;
        match self {
            Color::Always => ColorChoice::Always,
            Color::Never => ColorChoice::Never,
            Color::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                if no_color || !std::io::stderr().is_terminal() {
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
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check policy files: every error and warning, in every file.
    Check(check::CheckArgs),
    /// List the shipped presets.
    Presets,
    /// Print the permission tables of a policy.
    Matrix(matrix::MatrixArgs),
    /// Can USER do PERMISSION on RESOURCE? Exit 0 allow, 1 deny, 2 error.
    Eval(eval::EvalArgs),
    /// Every user who can do PERMISSION on RESOURCE.
    WhoCan(eval::WhoCanArgs),
    /// Every permission USER holds on RESOURCE.
    WhatCan(eval::WhatCanArgs),
    /// Semantic diff of two policies: who gains and loses what, with the
    /// chain behind each change; exit 1 under `--fail-on escalation` when
    /// access widens.
    Diff(diff::DiffArgs),
    /// Run policy test files; exit 0 all pass, 1 a failure, 2 a load error.
    Test(test::TestArgs),
    /// Rewrite policy files in the canonical layout (`--check`: exit 1 if
    /// one would change).
    Fmt(fmt::FmtArgs),
    /// The role graph: includes, implications and assignments, clustered
    /// by scope kind, as Graphviz DOT or a Mermaid flowchart.
    Graph(graph::GraphArgs),
}

/// Output streams of a command.
pub struct Io<'a> {
    /// Results.
    pub out: &'a mut dyn Write,
    /// Diagnostics and messages.
    pub err: &'a mut dyn Write,
    /// Colour choice for diagnostics.
    pub color: crate::diagnostic::ColorChoice,
}

/// Runs the process: parses arguments and dispatches.
pub fn main() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Exit::Ok
                }
                _ => Exit::Error,
            };
        }
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        color: cli.color.resolve(),
    };
    run(cli.command, &mut io)
}

/// Runs one command.
pub fn run(command: Command, io: &mut Io<'_>) -> Exit {
    match command {
        Command::Check(args) => check::run(&args, io),
        Command::Presets => {
            for p in crate::presets::PRESETS {
                let _ = writeln!(io.out, "{:<10} {}", p.name, p.summary);
            }
            Exit::Ok
        }
        Command::Matrix(args) => matrix::run(&args, io),
        Command::Eval(args) => eval::run_eval(&args, io),
        Command::WhoCan(args) => eval::run_who_can(&args, io),
        Command::WhatCan(args) => eval::run_what_can(&args, io),
        Command::Diff(args) => diff::run(&args, io),
        Command::Test(args) => test::run(&args, io),
        Command::Fmt(args) => fmt::run(&args, io),
        Command::Graph(args) => graph::run(&args, io),
    }
}
