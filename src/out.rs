//! Every byte the command line writes goes through this module, and every way a command ends.
//!
//! - Text for people ([`text`], [`note`]) is escaped for the terminal first, so no name can move
//!   the cursor, hide itself or reorder a line; data for programs ([`data`], [`stream`] with
//!   `Escape::No`: JSON, CSV, DOT, RON) is written as it is.
//! - A reader that goes away (`azpath test | head -1`) ends the command quietly with exit 0, as
//!   ripgrep does; any other write error (a full disk) ends it with exit 2 and one line on
//!   standard error.
//! - Exit codes: 0 every expectation held, 1 an expectation failed or a flow was not delivered,
//!   2 bad input, bad usage or a failed write.

use std::io::{self, Write};
use std::process::ExitCode;

use azpath_engine::report::terminal;

/// How a command that ran to the end went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything held (exit 0).
    Held,
    /// An expectation failed, or the flow was not delivered (exit 1).
    Failed,
}

impl Outcome {
    /// `Held` when `ok`, else `Failed`.
    pub fn held_if(ok: bool) -> Self {
        if ok {
            Outcome::Held
        } else {
            Outcome::Failed
        }
    }
}

/// Why a command stopped early.
#[derive(Debug)]
pub enum CliError {
    /// Bad input or usage, with the message for standard error (exit 2).
    BadInput(String),
    /// Bad input whose diagnostics were already written (exit 2).
    AlreadyReported,
    /// A write failed for a reason other than a closed pipe (exit 2).
    Write {
        /// Which stream.
        stream: &'static str,
        /// The error.
        error: io::Error,
    },
    /// The reader closed the pipe: stop quietly (exit 0).
    BrokenPipe,
}

impl CliError {
    /// Bad input: `error: {message}`.
    pub fn bad(message: impl std::fmt::Display) -> Self {
        CliError::BadInput(format!("error: {message}"))
    }

    fn write(stream: &'static str, error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Write { stream, error }
        }
    }
}

/// Whether a stream carries text for people (escaped) or data for programs (as it is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// Text for a terminal.
    Yes,
    /// Data: JSON, CSV, DOT, RON.
    No,
}

const STDOUT: &str = "standard output";
const STDERR: &str = "standard error";

/// Text for people on standard output, escaped, ending in a newline (unless empty).
pub fn text(s: &str) -> Result<(), CliError> {
    write_to(&mut io::stdout().lock(), &terminal::escape(s)).map_err(|e| CliError::write(STDOUT, e))
}

/// Data for programs on standard output, as it is, ending in a newline.
pub fn data(s: &str) -> Result<(), CliError> {
    write_to(&mut io::stdout().lock(), s).map_err(|e| CliError::write(STDOUT, e))
}

/// A message for people on standard error (warnings, diagnostics, progress), escaped, ending in
/// a newline.
pub fn note(s: &str) -> Result<(), CliError> {
    write_to(&mut io::stderr().lock(), &terminal::escape(s)).map_err(|e| CliError::write(STDERR, e))
}

fn write_to(w: &mut impl Write, s: &str) -> io::Result<()> {
    w.write_all(s.as_bytes())?;
    if !s.is_empty() && !s.ends_with('\n') {
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// Standard output as a buffered stream for a renderer that writes as it goes (a matrix of
/// millions of pairs).
pub fn stream(
    escape: Escape,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut buffered = io::BufWriter::new(stdout.lock());
    let written = match escape {
        Escape::No => render(&mut buffered),
        Escape::Yes => render(&mut Escaping(&mut buffered)),
    };
    written
        .and_then(|()| buffered.flush())
        .map_err(|e| CliError::write(STDOUT, e))
}

/// A writer that escapes text for the terminal on its way to `W`. Renderers write whole
/// `str` pieces (`write!` hands over each formatted piece), so each buffer is valid UTF-8; a
/// buffer that is not is shown with replacement characters rather than raw.
struct Escaping<'a, W: Write>(&'a mut W);

impl<W: Write> Write for Escaping<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(terminal::escape(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Ends the process: the outcome's exit code, or the error's message and code.
pub fn finish(result: Result<Outcome, CliError>) -> ExitCode {
    let flushed = io::stdout()
        .lock()
        .flush()
        .map_err(|e| CliError::write(STDOUT, e));
    let result = match (result, flushed) {
        (Ok(_), Err(e)) => Err(e),
        (result, _) => result,
    };
    let code = match result {
        Ok(Outcome::Held) | Err(CliError::BrokenPipe) => 0,
        Ok(Outcome::Failed) => 1,
        Err(CliError::AlreadyReported) => 2,
        Err(CliError::BadInput(message)) => {
            // Nothing more can be said when standard error itself fails.
            let _ = note(&message);
            2
        }
        Err(CliError::Write { stream, error }) => {
            let _ = note(&format!("error: cannot write to {stream}: {error}"));
            2
        }
    };
    ExitCode::from(code)
}
