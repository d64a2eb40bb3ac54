//! Running the `rbacc` binary from integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use assert_cmd::Command;
use std::borrow::BorrowMut;
use std::path::{Path, PathBuf};

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

/// Every `*.rbac` file under `dir`, in a stable order.
pub fn rbac_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rbac_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rbac") {
            out.push(path);
        }
    }
}

/// SplitMix64: a small deterministic generator driven by proptest's seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `pct`%.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
    /// A random subset, in random order.
    pub fn subset<T: Clone>(&mut self, items: &[T], pct: u64) -> Vec<T> {
        let mut out: Vec<T> = items.iter().filter(|_| self.chance(pct)).cloned().collect();
        self.shuffle(&mut out);
        out
    }
}
