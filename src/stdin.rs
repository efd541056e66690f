//! `-` for standard input, wherever a command reads a FILE: read at most once, bounded and
//! decoded as a file is, and named `<stdin>` in messages.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use azpath_engine::input::{self, Limit};

use crate::out::CliError;

/// How messages name standard input.
pub const NAME: &str = "<stdin>";

static TAKEN: AtomicBool = AtomicBool::new(false);

/// Whether `path` means standard input: `-`.
pub fn is(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The bytes of standard input, at most `limit.bytes`; refused when read twice in one command.
pub fn bytes(limit: Limit) -> Result<Vec<u8>, CliError> {
    if TAKEN.swap(true, Ordering::SeqCst) {
        return Err(CliError::bad(
            "standard input (`-`) can be read once (hint: give `-` for one file only)",
        ));
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit.bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| {
            CliError::bad(format!(
                "cannot read standard input: {}",
                e.to_string().to_lowercase()
            ))
        })?;
    if bytes.len() as u64 > limit.bytes {
        return Err(CliError::BadInput(
            input::too_large(NAME, limit).to_string(),
        ));
    }
    Ok(bytes)
}

/// Standard input as UTF-8 text, at most `limit.bytes` (see [`bytes`]).
pub fn text(limit: Limit) -> Result<String, CliError> {
    input::decode(NAME, bytes(limit)?).map_err(|d| CliError::BadInput(d.to_string()))
}
