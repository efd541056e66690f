//! `azpath test [PATH...]` (and its older name `azpath check PATH...`): every question of every
//! scenario, one line each, and the closing `N passed, N failed`.

use std::path::PathBuf;

use azpath_engine::{expect, report};
use serde_json::json;

use crate::{Exit, Format};

/// Arguments of `azpath check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files, or folders searched for `*.ron` files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Arguments of `azpath test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Scenario files, or folders searched for `*.ron` files; default `scenarios/`.
    #[arg(default_value = "scenarios")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs `azpath test`.
pub fn test(args: TestArgs) -> Exit {
    run(Args {
        paths: args.paths,
        format: args.format,
    })
}

/// Runs the command.
pub fn run(args: Args) -> Exit {
    match args.format {
        Format::Dot => return super::unavailable("dot", "test", "text or json"),
        Format::AzJson => return super::unavailable("az-json", "test", "text or json"),
        Format::Text | Format::Json => {}
    }
    let mut files = Vec::new();
    for p in &args.paths {
        super::files_with_extension(p, "ron", &mut files);
    }
    let (mut passed, mut failed, mut skipped, mut bad) = (0, 0, 0, 0);
    let mut json_files = Vec::new();
    for file in &files {
        let loaded = match super::load(file) {
            Ok(l) => l,
            Err(_) => {
                bad += 1;
                continue;
            }
        };
        let dp = loaded.dataplane();
        let report = expect::check(&loaded.network, dp);
        passed += report.passed();
        failed += report.failed();
        skipped += report.skipped();
        match args.format {
            Format::Json => {
                json_files.push(json!({ "file": file.display().to_string(), "report": report }))
            }
            _ => print!("{}", report::text::check(&report, &loaded.source)),
        }
    }
    if args.format == Format::Json {
        let summary = json!({ "files": json_files, "passed": passed, "failed": failed, "skipped": skipped, "invalid_files": bad });
        if super::emit(report::json::render(&summary)) != Exit::Ok {
            return Exit::BadInput;
        }
    } else {
        if skipped > 0 {
            println!("{passed} passed, {failed} failed, {skipped} skipped");
        } else {
            println!("{passed} passed, {failed} failed");
        }
        if bad > 0 {
            println!("{bad} file(s) could not be loaded");
        }
    }
    if bad > 0 {
        Exit::BadInput
    } else if failed > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    }
}
