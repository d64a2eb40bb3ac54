//! Reading input files and walking directories, bounded.
//!
//! - [`read_bounded`] reads only regular files (a FIFO, device or socket is
//!   an error, found without opening it for a blocking read), and reads at
//!   most `limit + 1` bytes, so `/dev/zero` or a file growing under the
//!   reader costs at most the limit in memory.
//! - [`walk`] lists the files below a directory, sorted, each file once:
//!   it skips special files, and tracks the directories (and files) it has
//!   seen by device and inode, so a symlink loop (`self -> .`) is entered
//!   once and a file reached by two paths is listed once.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The operating system refused.
    Io(std::io::Error),
    /// The path names a special file (what kind, in words).
    NotRegular(&'static str),
    /// The file is larger than the limit (its size when known).
    TooLarge {
        /// Its size in bytes, or `None` when it grew past the limit while
        /// read.
        len: Option<u64>,
        /// The limit in bytes.
        limit: usize,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular(kind) => {
                write!(
                    f,
                    "it is {kind}, not a regular file; only regular files are read"
                )
            }
            ReadError::TooLarge {
                len: Some(len),
                limit,
            } => write!(
                f,
                "it is {len} bytes, larger than the limit of {limit} bytes"
            ),
            ReadError::TooLarge { len: None, limit } => {
                write!(f, "it is larger than the limit of {limit} bytes")
            }
        }
    }
}

/// What kind of special file a file type is, in words; `None` for a
/// regular file or a directory.
fn special_kind(t: std::fs::FileType) -> Option<&'static str> {
    if t.is_file() || t.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

/// Reads a regular file of at most `limit` bytes.
///
/// The file's type is checked before it is opened (a FIFO with no writer
/// would block the open), and again on the open handle; on Unix the open
/// does not block either way (`O_NONBLOCK`, which changes nothing for a
/// regular file). At most `limit + 1` bytes are read.
pub fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if meta.is_dir() {
        return Err(ReadError::NotRegular("a directory"));
    }
    if let Some(kind) = special_kind(meta.file_type()) {
        return Err(ReadError::NotRegular(kind));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if let Some(kind) = special_kind(meta.file_type()) {
        return Err(ReadError::NotRegular(kind));
    }
    if meta.len() > limit as u64 {
        return Err(ReadError::TooLarge {
            len: Some(meta.len()),
            limit,
        });
    }
    let cap = usize::try_from(meta.len()).unwrap_or(limit).min(limit);
    let mut bytes = Vec::with_capacity(cap);
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge { len: None, limit });
    }
    Ok(bytes)
}

/// Which files a [`walk`] lists.
#[derive(Copy, Clone, Debug)]
pub struct WalkFilter<'a> {
    /// File name endings listed (e.g. `.rbac`).
    pub suffixes: &'a [&'a str],
    /// Whether to skip hidden directories (`.git`) and `target`.
    pub skip_hidden: bool,
}

/// An identity of a file that survives symlinks: device and inode on Unix,
/// the canonical path elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FileKey {
    #[cfg(unix)]
    Inode(u64, u64),
    #[allow(dead_code)]
    Path(PathBuf),
}

fn key(path: &Path, meta: &std::fs::Metadata) -> FileKey {
    #[cfg(unix)]
    {
        let _ = path;
        use std::os::unix::fs::MetadataExt;
        FileKey::Inode(meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        FileKey::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

/// The files below `dir` whose names end with one of the filter's
/// suffixes, depth first in sorted order, each file once. Special files
/// are skipped; directories already entered (through a symlink loop or a
/// second link) are not entered again; entries whose type cannot be read
/// (a dangling symlink) are skipped.
pub fn walk(dir: &Path, filter: WalkFilter<'_>) -> Result<Vec<PathBuf>, String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let meta =
        std::fs::metadata(dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
    seen.insert(key(dir, &meta));
    // An explicit stack of sorted directory listings (depth first, in the
    // order a recursive walk would give): depth costs memory, not stack.
    let mut stack = vec![sorted_entries(dir)?.into_iter()];
    while let Some(top) = stack.last_mut() {
        let Some(p) = top.next() else {
            stack.pop();
            continue;
        };
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if meta.is_dir() {
            if filter.skip_hidden && (name.starts_with('.') || name == "target") {
                continue;
            }
            if seen.insert(key(&p, &meta)) {
                stack.push(sorted_entries(&p)?.into_iter());
            }
        } else if meta.is_file()
            && filter.suffixes.iter().any(|s| name.ends_with(s))
            && seen.insert(key(&p, &meta))
        {
            out.push(p);
        }
    }
    Ok(out)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read directory `{}`: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rbacc-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let _ = std::fs::create_dir_all(&d);
        d
    }

    #[test]
    fn reading_stops_past_the_limit() {
        let d = tmp("limit");
        let f = d.join("a");
        let _ = std::fs::write(&f, "12345");
        assert_eq!(read_bounded(&f, 5).ok(), Some(b"12345".to_vec()));
        assert!(matches!(
            read_bounded(&f, 4),
            Err(ReadError::TooLarge {
                len: Some(5),
                limit: 4
            })
        ));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_unread() {
        assert!(matches!(
            read_bounded(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular("a character device"))
        ));
    }
}
