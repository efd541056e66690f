//! Every byte the command line writes goes through this module, and every way a command ends.
//!
//! - Text for people ([`text`], [`note`]) is escaped for the terminal first, so no name can move
//!   the cursor, hide itself or reorder a line; data for programs ([`data`], [`stream`] with
//!   `Escape::No`: JSON, CSV, DOT, RON) is written as it is.
//! - A reader that goes away (`azpath test | head -1`) ends the command quietly with exit 0, as
//!   ripgrep does; any other write error (a full disk) ends it with exit 2 and one line on
//!   standard error.
//! - Standard output can go to a file instead (`-o FILE`, see [`redirect`]); the file is created
//!   at the first byte written, so a command refused before it answers leaves no file.
//! - Verdict words are coloured ([`painted`]) only on a terminal, and never when `NO_COLOR` is set
//!   (`CLICOLOR_FORCE` forces colour).
//!
//! # Exit codes
//!
//! One table for every command (the README and `azpath --help` print it too):
//!
//! | code | meaning |
//! | ---- | ------- |
//! | 0 | answered, and the answer is a success: every expectation held, the flow got through (`Delivered`, `DeliveredPublicly`, `SentToInternet`, `SentToOnPremises`, `SentToServiceEndpoint`), the NSGs allow, the name resolves, every `reach` pair got through, the tables agree (`compare`: the two sides agree on every flow, resolution and route), `import` wrote a scenario with resources in it, `diagnose` found nothing to fix (with `--symptom`: the client reports that it works and the model agrees); a command that only shows something (`routes`, `next-hop`, `what-if`, `generate`, `completions`, `man`, `schema`, `--help`, `--version`) exits 0 once it has shown it; so does any command whose reader closed the pipe |
//! | 1 | answered, and the answer is a failure: an expectation failed, the flow was dropped or refused (every other verdict), an NSG denies, the name does not resolve, a `reach` pair did not get through, a route row differs (`compare`: anything differs), `import` found nothing to import, `diagnose` found something to fix (with `--symptom`: a flow produces the reported failure, or the model disagrees with the report) |
//! | 2 | no answer: bad usage, input that cannot be read or is not valid (the message names the file, line and column), a name the scenario does not have, or output that cannot be written |

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};

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
    /// The exit code of a flow's verdict: `Held` when it got through
    /// ([`Verdict::is_success`](azpath_engine::trace::Verdict::is_success)), else `Failed`.
    pub fn of_verdict(verdict: &azpath_engine::trace::Verdict) -> Self {
        Outcome::held_if(verdict.is_success())
    }

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

/// Where standard output goes.
#[derive(Debug)]
enum Output {
    /// Standard output itself.
    Stdout,
    /// A file named by `-o`, not created yet.
    Pending(PathBuf),
    /// That file, created.
    Open(PathBuf, File),
}

static OUTPUT: Mutex<Output> = Mutex::new(Output::Stdout);

/// Whether what the command prints goes to a terminal: standard output, not sent to a file by
/// `-o`, is one.
pub fn to_terminal() -> bool {
    let output = OUTPUT.lock().unwrap_or_else(PoisonError::into_inner);
    matches!(*output, Output::Stdout) && io::IsTerminal::is_terminal(&io::stdout())
}

/// Sends what the command prints on standard output to `path` instead (`-o FILE`); `-` is
/// standard output. The file is created (or truncated) at the first byte written.
pub fn redirect(path: PathBuf) {
    let mut output = OUTPUT.lock().unwrap_or_else(PoisonError::into_inner);
    *output = if path.as_os_str() == "-" {
        Output::Stdout
    } else {
        Output::Pending(path)
    };
}

/// Runs `write` on standard output, or on the `-o` file (created now if it is not yet).
fn to_output(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), CliError> {
    let mut output = OUTPUT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Output::Pending(path) = &*output {
        let file = File::create(path).map_err(|e| {
            CliError::bad(format!(
                "-o: cannot create `{}`: {}",
                path.display(),
                e.to_string().to_lowercase()
            ))
        })?;
        *output = Output::Open(path.clone(), file);
    }
    match &mut *output {
        Output::Open(path, file) => write(file).map_err(|error| {
            CliError::bad(format!(
                "error: cannot write to `{}`: {}",
                path.display(),
                error.to_string().to_lowercase()
            ))
        }),
        Output::Stdout | Output::Pending(_) => {
            write(&mut io::stdout().lock()).map_err(|e| CliError::write(STDOUT, e))
        }
    }
}

/// Flushes standard output or the `-o` file, if it was created (a command that wrote nothing
/// leaves no file).
fn flush_output() -> Result<(), CliError> {
    let mut output = OUTPUT.lock().unwrap_or_else(PoisonError::into_inner);
    match &mut *output {
        Output::Open(path, file) => file.flush().map_err(|error| {
            CliError::bad(format!(
                "error: cannot write to `{}`: {}",
                path.display(),
                error.to_string().to_lowercase()
            ))
        }),
        Output::Pending(_) => Ok(()),
        Output::Stdout => io::stdout()
            .lock()
            .flush()
            .map_err(|e| CliError::write(STDOUT, e)),
    }
}

/// Whether what goes to standard output is coloured: only a terminal, as `anstream` decides
/// (`NO_COLOR` set: never; `CLICOLOR_FORCE` set: always; a file or pipe: never), and never into
/// an `-o` file.
fn colour() -> bool {
    let output = OUTPUT.lock().unwrap_or_else(PoisonError::into_inner);
    matches!(*output, Output::Stdout)
        && anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
}

/// Text for people on standard output, escaped, ending in a newline (unless empty).
pub fn text(s: &str) -> Result<(), CliError> {
    let escaped = terminal::escape(s);
    to_output(|w| write_to(w, &escaped))
}

/// How a verdict word reads: coloured green or red on a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// The flow got through, the check held (green).
    Good,
    /// The flow failed, the check failed (red).
    Bad,
}

/// Text for people on standard output, like [`text`], with each whole-word occurrence of the
/// given verdict words coloured by its tone when standard output is a terminal that takes
/// colour (see [`colour`]).
pub fn painted(s: &str, words: &[(&str, Tone)]) -> Result<(), CliError> {
    let escaped = terminal::escape(s);
    let shown = if colour() {
        paint(&escaped, words)
    } else {
        escaped.into_owned()
    };
    to_output(|w| write_to(w, &shown))
}

/// `text` with every whole-word occurrence of a word of `words` wrapped in its tone's colour.
/// The text is already escaped, so the only escape sequences in the result are these.
fn paint(text: &str, words: &[(&str, Tone)]) -> String {
    let mut out = String::with_capacity(text.len());
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut rest = text;
    let mut after_word = false;
    while let Some(c) = rest.chars().next() {
        let found = (!after_word)
            .then(|| {
                words.iter().find(|(w, _)| {
                    !w.is_empty()
                        && rest.starts_with(w)
                        && !rest
                            .get(w.len()..)
                            .and_then(|r| r.chars().next())
                            .is_some_and(is_word)
                })
            })
            .flatten();
        if let Some((word, tone)) = found {
            let style = match tone {
                Tone::Good => anstyle::AnsiColor::Green.on_default().bold(),
                Tone::Bad => anstyle::AnsiColor::Red.on_default().bold(),
            };
            out.push_str(&format!("{}{word}{}", style.render(), style.render_reset()));
            rest = rest.get(word.len()..).unwrap_or_default();
            after_word = true;
        } else {
            out.push(c);
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
            after_word = is_word(c);
        }
    }
    out
}

/// Data for programs on standard output, as it is, ending in a newline.
pub fn data(s: &str) -> Result<(), CliError> {
    to_output(|w| write_to(w, s))
}

/// A message for people on standard error (warnings, diagnostics, progress), escaped, ending in
/// a newline.
pub fn note(s: &str) -> Result<(), CliError> {
    write_to(&mut io::stderr().lock(), &terminal::escape(s)).map_err(|e| CliError::write(STDERR, e))
}

fn write_to(w: &mut (impl Write + ?Sized), s: &str) -> io::Result<()> {
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
    to_output(|w| {
        let mut buffered = io::BufWriter::new(w);
        let written = match escape {
            Escape::No => render(&mut buffered),
            Escape::Yes => render(&mut Escaping(&mut buffered)),
        };
        written.and_then(|()| buffered.flush())
    })
}

/// Text for people as a buffered stream, like [`stream`] with `Escape::Yes`, with verdict words
/// coloured as [`painted`] does, line by line, when standard output takes colour.
pub fn stream_painted(
    words: &[(&str, Tone)],
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), CliError> {
    if !colour() {
        return stream(Escape::Yes, render);
    }
    to_output(|w| {
        let mut buffered = io::BufWriter::new(w);
        let mut painter = Painter {
            out: &mut buffered,
            words,
            line: Vec::new(),
        };
        render(&mut Escaping(&mut painter))?;
        painter.flush_line()?;
        buffered.flush()
    })
}

/// A writer that colours verdict words a line at a time (a word never spans lines).
struct Painter<'a, 'w, W: Write> {
    out: &'a mut W,
    words: &'a [(&'w str, Tone)],
    line: Vec<u8>,
}

impl<W: Write> Painter<'_, '_, W> {
    fn flush_line(&mut self) -> io::Result<()> {
        let line = std::mem::take(&mut self.line);
        self.out
            .write_all(paint(&String::from_utf8_lossy(&line), self.words).as_bytes())
    }
}

impl<W: Write> Write for Painter<'_, '_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for part in buf.split_inclusive(|b| *b == b'\n') {
            self.line.extend_from_slice(part);
            if part.ends_with(b"\n") {
                self.flush_line()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Tone {
    /// A verdict's tone: good when the flow gets through.
    pub fn of(verdict: &azpath_engine::trace::Verdict) -> Self {
        if verdict.is_success() {
            Tone::Good
        } else {
            Tone::Bad
        }
    }
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
    let flushed = flush_output();
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

#[cfg(test)]
mod tests {
    use super::{paint, Tone};

    #[test]
    fn paint_colours_whole_verdict_words_only() {
        let words = [("Delivered", Tone::Good), ("Deny", Tone::Bad)];
        let shown = paint("trace: Delivered; DeliveredPublicly; Deny, xDeny", &words);
        assert_eq!(shown.matches("\u{1b}[0m").count(), 2, "{shown:?}");
        assert!(shown.contains("\u{1b}[1m\u{1b}[32mDelivered"), "{shown:?}");
        assert!(shown.contains("; DeliveredPublicly;"), "{shown:?}");
        assert!(shown.contains("xDeny"), "{shown:?}");
        assert_eq!(paint("no verdict here", &words), "no verdict here");
    }
}
