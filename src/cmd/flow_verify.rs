//! `azpath flow-verify FILE --at NIC --direction D --remote IP --port N`

use std::net::IpAddr;
use std::path::PathBuf;

use azpath_engine::model::{Direction, RemoteEnd};
use azpath_engine::{query, report};
use clap::ValueEnum;

use crate::{Exit, Format};

/// Direction as seen by the NIC.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Way {
    /// Towards the NIC.
    Inbound,
    /// Away from the NIC.
    Outbound,
}

/// Arguments of `azpath flow-verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file.
    file: PathBuf,
    /// The workload or private endpoint whose NSGs to check.
    #[arg(long)]
    at: String,
    /// The direction, as seen by the NIC.
    #[arg(long, value_enum)]
    direction: Way,
    /// The other end's address.
    #[arg(long)]
    remote: IpAddr,
    #[command(flatten)]
    flow: super::FlowArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> Exit {
    let loaded = match super::load(&args.file) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let net = &loaded.network;
    let nic = match super::nic(net, &args.at, "--at") {
        Ok(n) => n,
        Err(e) => return e,
    };
    let direction = match args.direction {
        Way::Inbound => Direction::Inbound,
        Way::Outbound => Direction::Outbound,
    };
    let remote = RemoteEnd {
        protocol: args.flow.protocol(),
        address: args.remote,
        port: args.flow.port,
        source_port: args.flow.source_port,
    };
    let dp = loaded.dataplane();
    let Some(answer) = query::flow_verify(net, dp, nic, direction, remote) else {
        eprintln!("error: no answer for `{}`", args.at);
        return Exit::BadInput;
    };
    match args.format {
        Format::Text => super::emit(Ok::<_, String>(report::text::flow_verify(&answer))),
        Format::Json => super::emit(report::json::render(&answer)),
        Format::Dot => super::unavailable("dot", "flow-verify", "text or json"),
        Format::AzJson => super::unavailable("az-json", "flow-verify", "text or json"),
    }
}
