//! `azpath import DIR_OR_FILES… > estate.ron`

use std::path::PathBuf;

use azpath_engine::{import, input, load_str};

use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON files as `az … list/show`, Resource Graph or an ARM template export give them, or
    /// folders searched for `*.json` files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Runs the command: the scenario on standard output, the summary on standard error.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let mut paths = Vec::new();
    for p in &args.paths {
        super::files_with_extension(p, "json", &mut paths)?;
    }
    let files = match input::read_all_text(
        &paths,
        input::Limit {
            bytes: super::max_input_bytes(),
            ..input::IMPORT_LIMIT
        },
    ) {
        Ok(files) => files,
        Err(e) => {
            out::note(&e.to_string())?;
            return Err(CliError::AlreadyReported);
        }
    };
    let imported = match import::import_files(&files) {
        Ok(i) => i,
        Err(e) => {
            out::note(&format!(
                "{e} (hint: give the JSON that `az … list` or `az … show` prints)"
            ))?;
            return Err(CliError::AlreadyReported);
        }
    };
    let ron = match import::to_ron(&imported) {
        Ok(r) => r,
        Err(e) => {
            return Err(CliError::bad(format!("cannot write the scenario: {e}")));
        }
    };
    out::data(&ron)?;
    out::note(&import::summary(&imported))?;
    // The scenario must load as it stands; say so when the estate breaks a rule azpath checks.
    let invalid = imported.notes.invalid();
    match load_str("imported.ron", &ron) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                out::note(&w.to_string())?;
            }
            if invalid > 0 {
                return Err(CliError::bad(format!("{invalid} object(s) hold values Azure does not accept and are left out of the scenario (hint: fix them at the JSON paths listed above)")));
            }
            Ok(Outcome::Held)
        }
        Err(e) => {
            out::note(&e.to_string())?;
            Err(CliError::bad("the imported scenario does not load (hint: the input lacks resources it refers to, or breaks a rule above)"))
        }
    }
}
