//! `azpath explain FILE`: the whole lesson, for a classroom screen.

use std::path::PathBuf;

use azpath_engine::{expect, report};

use crate::Exit;

/// Arguments of `azpath explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file.
    file: PathBuf,
}

/// Runs the command: exit 0 when every answer is as the scenario expects, 1 otherwise.
pub fn run(args: Args) -> Exit {
    let loaded = match super::load(&args.file) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let report = expect::check(&loaded.network, loaded.dataplane());
    print!(
        "{}",
        report::lesson::lesson(&loaded.network, &report, &loaded.source)
    );
    if report.failed() > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    }
}
