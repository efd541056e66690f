//! `azpath next-hop FILE --from NAME --to IP`

use std::net::IpAddr;
use std::path::PathBuf;

use azpath_engine::{query, report};

use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath next-hop`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`-`: standard input).
    file: PathBuf,
    /// The workload or subnet (`vnet/subnet`) the traffic leaves.
    #[arg(long)]
    from: String,
    /// The destination IP address.
    #[arg(long)]
    to: IpAddr,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: NextHopFormat,
}

/// The formats of `azpath next-hop`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum NextHopFormat {
    /// The decision and every competing route, for people.
    #[default]
    Text,
    /// The answer as JSON, for scripts.
    Json,
    /// A Graphviz picture of the decision.
    Dot,
    /// The JSON `az network watcher show-next-hop` prints.
    AzJson,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let to = super::routable(args.to, "--to")?;
    let (loaded, subnet) = super::load_at(&args.file, &args.from, "--from")?;
    let net = &loaded.network;
    let dp = loaded.dataplane();
    let answer = query::next_hop(net, dp, subnet, to);
    match args.format {
        NextHopFormat::Text => out::text(&report::text::next_hop(&answer))?,
        NextHopFormat::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
        NextHopFormat::Dot => out::data(&report::dot::next_hop(&answer))?,
        NextHopFormat::AzJson => out::data(&super::rendered(report::json::render_foreign(
            &report::az::next_hop(net, &answer),
        ))?)?,
    }
    Ok(Outcome::Held)
}
