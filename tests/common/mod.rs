//! Running the `rbacc` binary from integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use assert_cmd::Command;
use std::borrow::BorrowMut;
use std::path::Path;

/// The repository root (presets, examples).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The built `rbacc`, run from the repository root with colour off through
/// the environment, as in CI logs.
pub fn rbacc() -> Command {
    let mut cmd = Command::cargo_bin("rbacc").unwrap();
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// What a run printed, and its exit code (-1 when killed by a signal).
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a command to completion.
pub fn run(mut cmd: impl BorrowMut<Command>) -> Out {
    let out = cmd.borrow_mut().output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The codes of a JSON report's diagnostics (`--format json`), in order.
pub fn json_codes(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}
