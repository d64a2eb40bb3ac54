//! Hostile files and environments (issue 15): special files, symlink
//! loops, forged output, batch lines, vacuous test suites, paths out of a
//! test file's repository, SARIF URIs. Each test failed before its fix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{rbacc, root, run};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A fresh directory under the system's temporary directory.
fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "rbacc-hostile-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SMALL: &str = "scope workspace \"Workspace\"\n\
    permissions on workspace { workspace.read \"Read\" }\n\
    role viewer on workspace \"Viewer\" { grant workspace.read }\n";

fn astro() -> PathBuf {
    root().join("policies/astro.rbac")
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

// ------------------------------------------------------------ special files

#[cfg(unix)]
#[test]
fn a_fifo_with_no_writer_is_refused_not_waited_on() {
    let dir = tempdir();
    let fifo = dir.join("p.rbac");
    mkfifo(&fifo);
    let out = run(rbacc()
        .arg("check")
        .arg(&fifo)
        .timeout(Duration::from_secs(20)));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("a FIFO (named pipe), not a regular file"), "{}", out.stderr);
    let out = run(rbacc()
        .args(["eval", "--preset", "astro", "-m"])
        .arg(&fifo)
        .args(["ana", "workspace.dags.view", "workspace:acme/prod"])
        .timeout(Duration::from_secs(20)));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn devices_are_refused_without_reading_them() {
    for dev in ["/dev/zero", "/dev/urandom"] {
        let out = run(rbacc()
            .args(["eval", "--preset", "astro", "-m", dev])
            .args(["ana", "workspace.dags.view", "workspace:acme/prod"])
            .timeout(Duration::from_secs(20)));
        assert_eq!(out.code, 2, "{dev}: {}", out.stderr);
        assert!(out.stderr.contains("a character device"), "{}", out.stderr);
        let out = run(rbacc()
            .args(["check", dev])
            .timeout(Duration::from_secs(20)));
        assert_eq!(out.code, 2, "{dev}: {}", out.stderr);
    }
}

#[cfg(unix)]
#[test]
fn walks_skip_special_files_and_links_to_devices() {
    let dir = tempdir();
    std::fs::write(dir.join("ok.rbac"), SMALL).unwrap();
    mkfifo(&dir.join("fifo.rbac"));
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.rbac")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.yaml")).unwrap();
    mkfifo(&dir.join("fifo.yaml"));
    let out = run(rbacc()
        .arg("check")
        .arg(&dir)
        .timeout(Duration::from_secs(20)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("checked 1 file:"), "{}", out.stderr);
    let out = run(rbacc()
        .arg("test")
        .arg(&dir)
        .timeout(Duration::from_secs(20)));
    // No test file: a load error, reached without blocking.
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reading_stops_at_the_limit() {
    let dir = tempdir();
    let big = dir.join("big.rbac");
    let f = std::fs::File::create(&big).unwrap();
    // Sparse: costs no disk, reads as zeros.
    f.set_len(rbacc::limits::MAX_POLICY_BYTES as u64 + 1).unwrap();
    let out = run(rbacc().args(["check", "--format", "json"]).arg(&big));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("E0005"), "{}", out.stdout);
    assert!(out.stdout.contains("larger than the limit"), "{}", out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------ symlink loops

#[cfg(unix)]
#[test]
fn symlink_loops_are_walked_once() {
    let dir = tempdir();
    std::fs::write(dir.join("a.rbac"), SMALL).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/b.rbac"), SMALL).unwrap();
    for name in ["s1", "s2", "sub/up"] {
        let target = if name == "sub/up" { ".." } else { "." };
        std::os::unix::fs::symlink(target, dir.join(name)).unwrap();
    }
    let out = run(rbacc()
        .arg("check")
        .arg(&dir)
        .timeout(Duration::from_secs(20)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("checked 2 files:"), "{}", out.stderr);

    let tests = dir.join("t.yaml");
    std::fs::write(
        &tests,
        "preset: astro\nmembers: {users: [ana]}\ncases:\n  - {name: c, user: ana, permission: workspace.dags.view, resource: workspace:acme/prod, expect: deny}\n",
    )
    .unwrap();
    let out = run(rbacc()
        .args(["test", "--format", "json"])
        .arg(&dir)
        .timeout(Duration::from_secs(20)));
    let json: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr));
    assert_eq!(json["suites"].as_array().map(Vec::len), Some(1), "{json:#}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_named_twice_is_checked_once() {
    let out = run(rbacc().args(["check", "policies/astro.rbac", "policies/astro.rbac"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("checked 1 file:"), "{}", out.stderr);
    let _ = astro();
}
