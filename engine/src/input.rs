//! Reading input files: bounded by the bytes actually read (not by what the file system says
//! of the file, which a device or a FIFO does not tell), and decoded as UTF-8 with located
//! errors. Scenarios, `import` input and `compare-routes` input are all read here.

use std::io::Read;
use std::path::Path;

use crate::diag::{Located, Severity};
use crate::scenario::SourceFile;

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
        // A UTF-16 byte order mark where the first bad byte is.
        let utf16 = rest.starts_with(b"\xFF\xFE") || rest.starts_with(b"\xFE\xFF");
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

/// `text` without a leading byte order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
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
