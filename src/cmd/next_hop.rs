//! `azpath next-hop FILE --from NAME --to IP`

use std::net::IpAddr;
use std::path::PathBuf;

use azpath_engine::{query, report};

use crate::{Exit, Format};

/// Arguments of `azpath next-hop`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file.
    file: PathBuf,
    /// The workload or subnet (`vnet/subnet`) the traffic leaves.
    #[arg(long)]
    from: String,
    /// The destination IP address.
    #[arg(long)]
    to: IpAddr,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> Exit {
    let (loaded, subnet) = match super::load_at(&args.file, &args.from, "--from") {
        Ok(x) => x,
        Err(e) => return e,
    };
    let net = &loaded.network;
    let dp = loaded.dataplane();
    let answer = query::next_hop(net, dp, subnet, args.to);
    match args.format {
        Format::Text => super::emit(Ok::<_, String>(report::text::next_hop(&answer))),
        Format::Json => super::emit(report::json::render(&answer)),
        Format::Dot => super::emit(Ok::<_, String>(report::dot::next_hop(&answer))),
        Format::AzJson => super::emit(report::json::render(&report::az::next_hop(&answer))),
    }
}
