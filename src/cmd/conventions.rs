//! `azpath completions SHELL` and `azpath man`: what a command-line tool is expected to ship,
//! generated from the same definition that parses the arguments, so they never drift.

use crate::out::{self, CliError, Escape, Outcome};

/// Arguments of `azpath completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Prints the completion script of `command` for the shell.
pub fn completions(args: CompletionsArgs, mut command: clap::Command) -> Result<Outcome, CliError> {
    let name = command.get_name().to_string();
    out::stream(Escape::No, |w| {
        clap_complete::generate(args.shell, &mut command, name, w);
        Ok(())
    })?;
    Ok(Outcome::Held)
}

/// Prints the manual page of `command` (roff), the exit-code table included.
pub fn man(command: clap::Command) -> Result<Outcome, CliError> {
    out::stream(Escape::No, |w| clap_mangen::Man::new(command).render(w))?;
    Ok(Outcome::Held)
}
