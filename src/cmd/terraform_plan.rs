//! The two estates of a Terraform plan (`terraform show -json plan.out`): the prior state and
//! the planned values, each imported into a scenario and loaded.

use std::path::Path;

use azpath_engine::import::{self, terraform::Side, ArmOptions};
use azpath_engine::{input, load_str, Loaded};

use crate::out::{self, CliError};

/// The scenario before the plan is applied, and after.
pub fn sides(plan: &Path) -> Result<(Loaded, Loaded), CliError> {
    let files = match input::read_all_text(&[plan.to_path_buf()], input::IMPORT_LIMIT) {
        Ok(files) => files,
        Err(e) => {
            out::note(&e.to_string())?;
            return Err(CliError::AlreadyReported);
        }
    };
    let mut loaded = Vec::new();
    for (side, name) in [
        (Side::Prior, "prior state"),
        (Side::Planned, "planned values"),
    ] {
        let options = ArmOptions {
            terraform_side: side,
            ..ArmOptions::default()
        };
        let imported = import::import_files_with(&files, &options)
            .map_err(|e| CliError::bad(e.to_string()))?;
        let ron = import::to_ron(&imported)
            .map_err(|e| CliError::bad(format!("cannot write the scenario: {e}")))?;
        for a in &imported.notes.assumptions {
            out::note(&format!("note: {name}: assumed {a}"))?;
        }
        let label = format!("{} ({name})", plan.display());
        match load_str(&label, &ron) {
            Ok(l) => loaded.push(l),
            Err(e) => {
                out::note(&import::relocate(&imported, &label, &ron, &e.to_string()))?;
                return Err(CliError::bad(format!(
                    "the {name} of the plan does not load as a scenario"
                )));
            }
        }
    }
    let mut sides = loaded.into_iter();
    match (sides.next(), sides.next()) {
        (Some(before), Some(after)) => Ok((before, after)),
        _ => Err(CliError::bad("the plan has no two sides")),
    }
}
