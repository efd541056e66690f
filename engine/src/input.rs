//! Reading input files: bounded by the bytes actually read (not by what the file system says
//! of the file, which a device or a FIFO does not tell), and decoded as UTF-8 with located
//! errors. Scenarios, `import` input and `compare-routes` input are all read here.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diag::{Located, Severity};
use crate::span::SourceFile;

/// A bound on one read: how many bytes, and how the refusal names what was read.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// The most bytes accepted.
    pub bytes: u64,
    /// What is being read, for the message: `a scenario`, `import input`, ….
    pub what: &'static str,
    /// What to do instead.
    pub hint: &'static str,
}

/// The bound on the JSON files of one `import`, together.
pub const IMPORT_LIMIT: Limit = Limit {
    bytes: 64 * 1024 * 1024,
    what: "the input of one `import` (all its files together)",
    hint: "import the estate in parts, a resource group or a subscription at a time, or raise the bound (`--max-input-bytes`)",
};

/// The bound on the `az` effective routes that `compare-routes` reads.
pub const COMPARE_ROUTES_LIMIT: Limit = Limit {
    bytes: 16 * 1024 * 1024,
    what: "a list of effective routes",
    hint: "give the output of `az network nic show-effective-route-table` for one NIC",
};

/// Why an input file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The system refused the read (no such file, a folder, no permission).
    #[error("{path}: error: cannot read the file: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// What the system said.
        message: String,
    },
    /// The file was read but is too large or not UTF-8 text.
    #[error("{0}")]
    Invalid(Located),
}

/// Reads the file at `path`, refusing it once more than `limit.bytes` bytes have been read:
/// at most `limit.bytes + 1` bytes are ever read, so `/dev/zero` or a growing file fails fast.
pub fn read_limited(path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| ReadError::Io {
        path: name.clone(),
        message: e.to_string().to_lowercase(),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit.bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(ReadError::Invalid(too_large(&name, limit)));
    }
    Ok(bytes)
}

/// The refusal of an input larger than `limit`.
pub fn too_large(name: &str, limit: Limit) -> Located {
    Located {
        file: name.to_string(),
        line: 1,
        column: 1,
        severity: Severity::Error,
        message: format!(
            "the file is larger than {} bytes, the most {} may have",
            limit.bytes, limit.what
        ),
        hint: Some(limit.hint.to_string()),
    }
}

/// Reads the file at `path` as UTF-8 text (see [`read_limited`] and [`decode`]).
pub fn read_text(path: &Path, limit: Limit) -> Result<String, ReadError> {
    let bytes = read_limited(path, limit)?;
    decode(&path.display().to_string(), bytes).map_err(ReadError::Invalid)
}

/// Reads several files as UTF-8 text (see [`read_text`]) under one bound for all of them
/// together; each comes back with its name as given.
pub fn read_all_text(paths: &[PathBuf], limit: Limit) -> Result<Vec<(String, String)>, ReadError> {
    let mut used: u64 = 0;
    let mut texts = Vec::with_capacity(paths.len());
    for path in paths {
        let left = Limit {
            bytes: limit.bytes.saturating_sub(used),
            ..limit
        };
        let text = match read_text(path, left) {
            Ok(text) => text,
            Err(ReadError::Invalid(mut d)) if used > 0 && (d.line, d.column) == (1, 1) => {
                if d.message.starts_with("the file is larger") {
                    d.message = format!(
                        "with the files before it, this file makes more than {} bytes, the most {} may have",
                        limit.bytes, limit.what
                    );
                }
                return Err(ReadError::Invalid(d));
            }
            Err(e) => return Err(e),
        };
        used = used.saturating_add(text.len() as u64);
        texts.push((path.display().to_string(), text));
    }
    Ok(texts)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a file's bytes as UTF-8. A leading byte order mark is dropped (editors on Windows
/// write one; positions are counted as the editor shows them, without it). Bytes that are not
/// UTF-8 are refused at the `line:column` of the first of them.
pub fn decode(name: &str, mut bytes: Vec<u8>) -> Result<String, Located> {
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let rest = bytes.get(valid..).unwrap_or_default();
        // A UTF-16 byte order mark at the start of the file (or of a line, after a header).
        let line_start = valid == 0 || bytes.get(valid - 1) == Some(&b'\n');
        let utf16 = line_start && (rest.starts_with(b"\xFF\xFE") || rest.starts_with(b"\xFE\xFF"));
        let prefix = String::from_utf8_lossy(bytes.get(..valid).unwrap_or_default());
        let (line, column) = SourceFile::new(name, prefix.as_ref()).line_col(valid);
        let byte = bytes.get(valid).copied().unwrap_or_default();
        let hint = if utf16 {
            "the file is UTF-16 text; save it as UTF-8"
        } else {
            "save the file as UTF-8 (from Latin-1: `iconv -f LATIN1 -t UTF-8`)"
        };
        Located {
            file: name.to_string(),
            line,
            column,
            severity: Severity::Error,
            message: format!("byte 0x{byte:02X} (at offset {valid}) is not UTF-8 text"),
            hint: Some(hint.into()),
        }
    })
}

/// The byte offset in `text` where `serde_json` stopped with `e`. `serde_json` counts lines by
/// `\n` alone and columns in bytes; with [`SourceFile::line_col`] the offset gives the line
/// and column (in characters, lines ended by `\n`, `\r\n` or `\r`) an editor shows.
pub fn json_error_offset(text: &str, e: &serde_json::Error) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    // The column counts the bytes read on the line, the one it stopped at included.
    (line_start + e.column()).saturating_sub(usize::from(e.column() > 0))
}

/// `text` without a leading byte order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// A file or folder a scan left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The path.
    pub path: PathBuf,
    /// Why it was left out.
    pub reason: &'static str,
}

/// What a folder scan found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// The files, in sorted depth-first order.
    pub files: Vec<PathBuf>,
    /// What was left out, in the same order.
    pub skipped: Vec<Skipped>,
}

/// Every regular file ending in `.ext` under `path`, or `path` itself when it is not a folder
/// (a path given by name is always taken). Within the folder, files are taken in sorted order
/// (folders depth first); symbolic links to folders are not followed (a link back up would
/// make the walk endless) and what is not a regular file (a FIFO, a socket, a device, or a
/// link to one) is not read, since reading it could block or never end. Both are listed in
/// [`Scan::skipped`]. A folder reached twice (through a bind mount) is walked once.
pub fn scan(path: &Path, ext: &str) -> Scan {
    let mut found = Scan::default();
    if !path.is_dir() {
        found.files.push(path.to_path_buf());
        return found;
    }
    let mut seen = std::collections::HashSet::new();
    // Folders still to walk, the next one last.
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if let Some(id) = folder_id(&dir) {
            if !seen.insert(id) {
                found.skipped.push(Skipped {
                    path: dir,
                    reason: "a folder already scanned",
                });
                continue;
            }
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(_) => {
                found.skipped.push(Skipped {
                    path: dir,
                    reason: "a folder that cannot be read",
                });
                continue;
            }
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        let mut folders = Vec::new();
        for entry in entries {
            let Ok(own) = std::fs::symlink_metadata(&entry) else {
                continue;
            };
            if own.is_dir() {
                folders.push(entry);
                continue;
            }
            let is_link = own.file_type().is_symlink();
            // What a link points at; a dangling link is reported when it is read.
            let target = if is_link {
                std::fs::metadata(&entry).ok()
            } else {
                Some(own)
            };
            if target.as_ref().is_some_and(std::fs::Metadata::is_dir) {
                found.skipped.push(Skipped {
                    path: entry,
                    reason: "a symbolic link to a folder (folder scans do not follow them)",
                });
                continue;
            }
            if entry.extension().is_none_or(|x| x != ext) {
                continue;
            }
            if target.as_ref().is_some_and(|m| !m.is_file()) {
                found.skipped.push(Skipped {
                    path: entry,
                    reason: "not a regular file (a FIFO, socket or device)",
                });
                continue;
            }
            found.files.push(entry);
        }
        // Sorted, so the first folder is walked first (after this folder's files).
        stack.extend(folders.into_iter().rev());
    }
    found
}

/// What identifies a folder on the file system (device and inode), where there is such a thing.
#[cfg(unix)]
fn folder_id(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn folder_id(_dir: &Path) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limit = Limit {
        bytes: 8,
        what: "a test file",
        hint: "make it smaller",
    };

    fn temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("azpath-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| unreachable!("{e}"));
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| unreachable!("{e}"));
        path
    }

    #[test]
    fn a_file_over_the_limit_is_refused_by_what_is_read() {
        let path = temp("nine.txt", b"123456789");
        let Err(ReadError::Invalid(d)) = read_limited(&path, SMALL) else {
            unreachable!("nine bytes accepted")
        };
        assert_eq!((d.line, d.column), (1, 1));
        assert!(d.message.contains("larger than 8 bytes"), "{d}");
        let ok = temp("eight.txt", b"12345678");
        assert_eq!(read_limited(&ok, SMALL).ok().map(|b| b.len()), Some(8));
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_refused_quickly() {
        let Err(ReadError::Invalid(d)) = read_limited(Path::new("/dev/zero"), SMALL) else {
            unreachable!("/dev/zero accepted")
        };
        assert!(d.message.contains("larger than"), "{d}");
    }

    #[test]
    fn several_files_share_one_bound() {
        let a = temp("a.json", b"1234");
        let b = temp("b.json", b"5678");
        let both = read_all_text(&[a.clone(), b.clone()], SMALL);
        assert_eq!(both.map(|t| t.len()).ok(), Some(2));
        let again = temp("c.json", b"0");
        let Err(ReadError::Invalid(d)) = read_all_text(&[a, b, again], SMALL) else {
            unreachable!("nine bytes accepted")
        };
        assert!(d.file.ends_with("c.json"), "{d}");
        assert!(d.message.contains("with the files before it"), "{d}");
    }

    #[test]
    fn invalid_utf8_is_located_at_its_first_bad_byte() {
        let d = decode("x.ron", b"ab\ncd\xE9f".to_vec()).err();
        let d = d.unwrap_or_else(|| unreachable!("Latin-1 accepted"));
        assert_eq!((d.file.as_str(), d.line, d.column), ("x.ron", 2, 3));
        assert!(d.message.contains("0xE9"), "{d}");
    }

    #[test]
    fn invalid_utf8_after_lone_carriage_returns_counts_them_as_lines() {
        let d = decode("x.ron", b"a\rb\r\xFF".to_vec()).err();
        assert_eq!(d.map(|d| (d.line, d.column)), Some((3, 1)));
    }

    #[test]
    fn json_errors_are_placed_on_the_lines_and_columns_an_editor_shows() {
        for text in ["[\r1,\r\u{e9}x]", "[\r\n1,\r\n\u{e9}x]", "[\n1,\n\u{e9}x]"] {
            let Err(e) = serde_json::from_str::<serde_json::Value>(text) else {
                unreachable!("{text:?} parsed")
            };
            let at = SourceFile::new("x.json", text).line_col(json_error_offset(text, &e));
            assert_eq!(at, (3, 1), "{text:?}");
        }
    }

    #[test]
    fn a_utf8_byte_order_mark_is_dropped() {
        let text = decode("x.ron", b"\xEF\xBB\xBFScenario()".to_vec());
        assert_eq!(text.ok().as_deref(), Some("Scenario()"));
    }

    #[test]
    fn utf16_is_named_in_the_hint() {
        let d = decode("x.ron", b"\xFF\xFES\x00".to_vec()).err();
        assert!(d.and_then(|d| d.hint).is_some_and(|h| h.contains("UTF-16")));
    }
}

#[cfg(test)]
#[cfg(unix)]
mod scan_tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("azpath-scan-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.ron"), "").unwrap();
        std::fs::write(dir.join("a.ron"), "").unwrap();
        std::fs::write(dir.join("notes.txt"), "").unwrap();
        std::fs::write(dir.join("sub/c.ron"), "").unwrap();
        dir
    }

    fn names(scan: &Scan, root: &Path) -> Vec<String> {
        scan.files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn a_scan_takes_matching_files_sorted_and_folders_depth_first() {
        let dir = scratch("plain");
        let found = scan(&dir, "ron");
        assert_eq!(names(&found, &dir), ["a.ron", "b.ron", "sub/c.ron"]);
        assert!(found.skipped.is_empty());
    }

    #[test]
    fn a_scan_does_not_follow_a_symlink_loop() {
        let dir = scratch("loop");
        std::os::unix::fs::symlink(&dir, dir.join("sub/up")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("again")).unwrap();
        let found = scan(&dir, "ron");
        assert_eq!(names(&found, &dir), ["a.ron", "b.ron", "sub/c.ron"]);
        assert_eq!(found.skipped.len(), 2, "{:?}", found.skipped);
        assert!(found
            .skipped
            .iter()
            .all(|s| s.reason.contains("symbolic link to a folder")));
    }

    #[test]
    fn a_scan_skips_fifos_and_devices_even_behind_a_link() {
        let dir = scratch("special");
        std::os::unix::fs::symlink("/dev/zero", dir.join("zero.ron")).unwrap();
        let fifo = dir.join("pipe.ron");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let found = scan(&dir, "ron");
        assert_eq!(names(&found, &dir), ["a.ron", "b.ron", "sub/c.ron"]);
        let skipped: Vec<_> = found
            .skipped
            .iter()
            .map(|s| s.path.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(skipped, ["pipe.ron", "zero.ron"]);
        } else {
            assert_eq!(skipped, ["zero.ron"]);
        }
        assert!(found
            .skipped
            .iter()
            .all(|s| s.reason.starts_with("not a regular file")));
    }

    #[test]
    fn a_symlink_to_a_regular_file_is_taken() {
        let dir = scratch("filelink");
        std::os::unix::fs::symlink(dir.join("a.ron"), dir.join("link.ron")).unwrap();
        assert_eq!(
            names(&scan(&dir, "ron"), &dir),
            ["a.ron", "b.ron", "link.ron", "sub/c.ron"]
        );
    }

    #[test]
    fn a_path_given_by_name_is_taken_as_it_is() {
        let found = scan(Path::new("/dev/zero"), "ron");
        assert_eq!(found.files, [PathBuf::from("/dev/zero")]);
    }
}
