//! `azpath flow-verify FILE --at NIC --direction D --remote IP --port N`

use std::net::IpAddr;
use std::path::PathBuf;

use azpath_engine::model::{Access, Direction, RemoteEnd};
use azpath_engine::{query, report};
use clap::ValueEnum;

use super::TextOrJson;
use crate::out::{self, CliError, Outcome};

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
    /// The scenario file (`-`: standard input).
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
    format: TextOrJson,
}

/// Runs the command: exit 0 when the NSGs allow the flow, 1 when one denies it.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let address = super::routable(args.remote, "--remote")?;
    let loaded = super::load(&args.file)?;
    let net = &loaded.network;
    let nic = super::nic(net, &args.at, "--at")?;
    let direction = match args.direction {
        Way::Inbound => Direction::Inbound,
        Way::Outbound => Direction::Outbound,
    };
    let remote = RemoteEnd {
        protocol: args.flow.protocol(),
        address,
        port: args.flow.port(),
        source_port: args.flow.source_port,
    };
    let dp = loaded.dataplane();
    let answer = query::flow_verify(net, dp, nic, direction, remote)
        .ok_or_else(|| CliError::bad(format!("no answer for `{}`", args.at)))?;
    match args.format {
        TextOrJson::Text => out::painted(
            &report::text::flow_verify(&answer),
            &[("Allow", out::Tone::Good), ("Deny", out::Tone::Bad)],
        )?,
        TextOrJson::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
    }
    Ok(Outcome::held_if(answer.access == Access::Allow))
}
