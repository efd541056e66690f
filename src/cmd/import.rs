//! `azpath import DIR_OR_FILES… > estate.ron`

use std::path::PathBuf;

use azpath_engine::{import, input, load_str};

use crate::Exit;

/// Arguments of `azpath import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON files as `az … list/show`, Resource Graph or an ARM template export give them, or
    /// folders searched for `*.json` files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Runs the command: the scenario on standard output, the summary on standard error.
pub fn run(args: Args) -> Exit {
    let mut paths = Vec::new();
    for p in &args.paths {
        super::files_with_extension(p, "json", &mut paths);
    }
    let files = match input::read_all_text(&paths, input::IMPORT_LIMIT) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("{e}");
            return Exit::BadInput;
        }
    };
    let imported = match import::import_files(&files) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e} (hint: give the JSON that `az … list` or `az … show` prints)");
            return Exit::BadInput;
        }
    };
    let ron = match import::to_ron(&imported) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot write the scenario: {e}");
            return Exit::BadInput;
        }
    };
    print!("{ron}");
    eprint!("{}", import::summary(&imported));
    // The scenario must load as it stands; say so when the estate breaks a rule azpath checks.
    match load_str("imported.ron", &ron) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                eprintln!("{w}");
            }
            Exit::Ok
        }
        Err(e) => {
            eprintln!("{e}");
            eprintln!("error: the imported scenario does not load (hint: the input lacks resources it refers to, or breaks a rule above)");
            Exit::BadInput
        }
    }
}
