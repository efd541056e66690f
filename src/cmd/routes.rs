//! `azpath routes FILE --at VNET/SUBNET`

use std::path::PathBuf;

use azpath_engine::{query, report};

use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath routes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`-`: standard input).
    file: PathBuf,
    /// The subnet (`vnet/subnet`) or workload whose effective routes to show.
    #[arg(long)]
    at: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: RoutesFormat,
}

/// The formats of `azpath routes`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RoutesFormat {
    /// An az-like table with each route's reason.
    #[default]
    Text,
    /// The answer as JSON, for scripts.
    Json,
    /// The JSON `az network nic show-effective-route-table` prints.
    AzJson,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let (loaded, subnet) = super::load_at(&args.file, &args.at, "--at")?;
    let net = &loaded.network;
    let dp = loaded.dataplane();
    let answer = query::routes(net, dp, subnet)
        .ok_or_else(|| CliError::bad(format!("no routes for `{}`", args.at)))?;
    match args.format {
        RoutesFormat::Text => out::text(&report::text::routes(&answer))?,
        RoutesFormat::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
        RoutesFormat::AzJson => out::data(&super::rendered(report::json::render_foreign(
            &report::az::routes(net, subnet, &answer),
        ))?)?,
    }
    Ok(Outcome::Held)
}
