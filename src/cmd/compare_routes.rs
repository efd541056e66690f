//! `azpath compare-routes FILE --at SUBNET|WORKLOAD --actual az.json`

use std::path::PathBuf;

use azpath_engine::{input, query, report};

use super::TextOrJson;
use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath compare-routes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`-`: standard input).
    file: PathBuf,
    /// The subnet (`vnet/subnet`) or workload whose effective routes to compare.
    #[arg(long)]
    at: String,
    /// What Azure shows: the output of `az network nic show-effective-route-table` (`-`: standard
    /// input).
    #[arg(long)]
    actual: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextOrJson,
}

/// Runs the command: exit 0 when the tables agree, 1 when a row differs.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let (loaded, subnet) = super::load_at(&args.file, &args.at, "--at")?;
    let read = if crate::stdin::is(&args.actual) {
        Ok(crate::stdin::text(input::COMPARE_ROUTES_LIMIT)?)
    } else {
        input::read_text(&args.actual, input::COMPARE_ROUTES_LIMIT)
    };
    let actual = match read {
        Ok(text) => match query::parse_az_routes(&text) {
            Ok(rows) => rows,
            Err(e) => {
                out::note(&e.located(&super::shown(&args.actual)).to_string())?;
                return Err(CliError::AlreadyReported);
            }
        },
        Err(e) => {
            out::note(&e.to_string())?;
            return Err(CliError::AlreadyReported);
        }
    };
    let net = &loaded.network;
    let answer = query::routes(net, loaded.dataplane(), subnet)
        .ok_or_else(|| CliError::bad(format!("no routes for `{}`", args.at)))?;
    let expected = report::az::routes(net, subnet, &answer);
    let comparison = query::compare_routes(&answer.subnet, &expected.value, &actual);
    match args.format {
        TextOrJson::Json => out::data(&super::rendered(report::json::render(&comparison))?)?,
        TextOrJson::Text => out::text(&report::compare::text(
            &comparison,
            &super::shown(&args.actual),
        ))?,
    }
    Ok(Outcome::held_if(comparison.differences.is_empty()))
}
