//! `azpath test [PATH...]` (and its older name `azpath check PATH...`): every question of every
//! scenario, one line each, and the closing `N passed, N failed`.

use std::path::PathBuf;

use azpath_engine::{expect, report};

use super::TextOrJson;
use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files, or folders searched for `*.ron` files; `-` reads one from standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextOrJson,
}

/// Arguments of `azpath test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Scenario files, or folders searched for `*.ron` files (`-`: one from standard input);
    /// default `scenarios/`.
    #[arg(default_value = "scenarios")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextOrJson,
}

/// Runs `azpath test`.
pub fn test(args: TestArgs) -> Result<Outcome, CliError> {
    run(Args {
        paths: args.paths,
        format: args.format,
    })
}

/// Runs the command: exit 0 when every question holds, 1 when one fails, 2 when a file does not
/// load (after the others have run).
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let mut files = Vec::new();
    for p in &args.paths {
        super::files_with_extension(p, "ron", &mut files)?;
    }
    let (mut passed, mut failed, mut skipped, mut bad) = (0, 0, 0, 0);
    let mut json_files = Vec::new();
    for file in &files {
        let loaded = match super::load(file) {
            Ok(l) => l,
            Err(CliError::BadInput(diagnostics)) => {
                out::note(&diagnostics)?;
                bad += 1;
                continue;
            }
            Err(other) => return Err(other),
        };
        let dp = loaded.dataplane();
        let report = expect::check(&loaded.network, dp);
        passed += report.passed();
        failed += report.failed();
        skipped += report.skipped();
        match args.format {
            TextOrJson::Json => json_files.push(report::json::FileReport {
                file: super::shown(file),
                report,
            }),
            TextOrJson::Text => out::painted(
                &report::text::check(&report, &loaded.source),
                &[("pass", out::Tone::Good), ("FAIL", out::Tone::Bad)],
            )?,
        }
    }
    match args.format {
        TextOrJson::Json => {
            let summary = report::json::TestRun {
                files: json_files,
                passed,
                failed,
                skipped,
                invalid_files: bad,
            };
            out::data(&super::rendered(report::json::render(&summary))?)?;
        }
        TextOrJson::Text => {
            if skipped > 0 {
                out::text(&format!(
                    "{passed} passed, {failed} failed, {skipped} skipped"
                ))?;
            } else {
                out::text(&format!("{passed} passed, {failed} failed"))?;
            }
            if bad > 0 {
                out::text(&format!("{bad} file(s) could not be loaded"))?;
            }
        }
    }
    if bad > 0 {
        Err(CliError::AlreadyReported)
    } else {
        Ok(Outcome::held_if(failed == 0))
    }
}
