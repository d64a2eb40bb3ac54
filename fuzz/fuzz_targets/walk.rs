//! The directory walker (`rbacc check DIR`, `rbacc test DIR`; issue 15):
//! the input describes a small tree (directories, files, symbolic links to
//! any entry, including `.` and parents, and a FIFO), built in a temporary
//! directory and walked. The walk must end, list each file once, list no
//! special file, and list only files under the root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    let root = std::env::temp_dir().join(format!("rbacc-fuzz-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("a temporary directory");
    // Entries: each two bytes, (op, argument); entry k is named `e{k}` and
    // put in the directory named by the argument (the root or an earlier
    // directory).
    let mut dirs: Vec<PathBuf> = vec![root.clone()];
    let mut entries: Vec<PathBuf> = vec![root.clone()];
    for (k, pair) in data.chunks(2).take(24).enumerate() {
        let op = pair.first().copied().unwrap_or(0);
        let arg = pair.get(1).copied().unwrap_or(0) as usize;
        let parent = dirs[arg % dirs.len()].clone();
        let name = if op & 0x10 != 0 {
            format!("e{k}.rbac")
        } else {
            format!("e{k}")
        };
        let path = parent.join(name);
        let made = match op % 4 {
            0 => std::fs::create_dir(&path).map(|()| dirs.push(path.clone())),
            1 => std::fs::write(&path, b"scope s \"S\"\n"),
            2 => {
                let target = &entries[arg % entries.len()];
                std::os::unix::fs::symlink(target, &path)
            }
            // A socket: a special file made without `unsafe`.
            _ => std::os::unix::net::UnixListener::bind(&path).map(|_| ()),
        };
        if made.is_ok() {
            entries.push(path);
        }
    }
    let filter = rbacc::internals::files::WalkFilter {
        suffixes: &[".rbac"],
        skip_hidden: false,
    };
    if let Ok(files) = rbacc::internals::files::walk(&root, filter) {
        let mut seen = HashSet::new();
        for f in &files {
            let meta = std::fs::metadata(f).expect("a listed file exists");
            assert!(meta.is_file(), "{f:?} is not a regular file");
            assert!(f.starts_with(&root), "{f:?} is outside the root");
            use std::os::unix::fs::MetadataExt;
            assert!(seen.insert((meta.dev(), meta.ino())), "{f:?} listed twice");
        }
    }
    let _ = std::fs::remove_dir_all(&root);
});
