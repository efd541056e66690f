//! `azpath explain FILE`: the whole lesson, for a classroom screen.

use std::path::PathBuf;

use azpath_engine::{expect, report};

use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`-`: standard input).
    file: PathBuf,
}

/// Runs the command: exit 0 when every answer is as the scenario expects, 1 otherwise.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let loaded = super::load(&args.file)?;
    let report = expect::check(&loaded.network, loaded.dataplane());
    out::text(&report::lesson::lesson(
        &loaded.network,
        &report,
        &loaded.source,
    ))?;
    Ok(Outcome::held_if(report.failed() == 0))
}
