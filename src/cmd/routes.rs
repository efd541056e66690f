//! `azpath routes FILE --at VNET/SUBNET|WORKLOAD|GATEWAY|SITE|HUB[/TABLE]`

use std::path::PathBuf;

use azpath_engine::{query, report};

use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath routes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`-`: standard input).
    file: PathBuf,
    /// The subnet (`vnet/subnet`) or workload whose effective routes to show, or a VNet
    /// gateway or on-premises site whose learned and advertised routes to show, or a virtual
    /// hub's route table (`hub` for its `defaultRouteTable`, `hub/TABLE`, `hub/FIREWALL`).
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
    let loaded = super::load(&args.file)?;
    let net = &loaded.network;
    if let Some(answer) = query::onprem_routes(net, &args.at) {
        match args.format {
            RoutesFormat::Text => out::text(&report::onprem::routes(&answer))?,
            RoutesFormat::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
            RoutesFormat::AzJson => {
                return Err(CliError::bad(
                    "--format az-json: a gateway's or site's routes have no az equivalent here; use text or json".to_string(),
                ))
            }
        }
        return Ok(Outcome::Held);
    }
    if let Some(id) = query::hub_table_by_name(net, &args.at) {
        let answer = query::hub_routes(net, id)
            .ok_or_else(|| CliError::bad(format!("no routes for `{}`", args.at)))?;
        match args.format {
            RoutesFormat::Text => out::text(&report::hub_routes::routes(&answer))?,
            RoutesFormat::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
            RoutesFormat::AzJson => {
                return Err(CliError::bad(
                    "--format az-json: a hub's routes are shown as text or json".to_string(),
                ))
            }
        }
        return Ok(Outcome::Held);
    }
    let subnet = super::place(net, &args.at, "--at")?;
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
