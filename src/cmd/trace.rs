//! `azpath trace FILE --from WORKLOAD --to IP --port N`

use std::net::IpAddr;
use std::path::PathBuf;

use azpath_engine::model::NicRef;
use azpath_engine::report;
use azpath_engine::trace::{trace, TraceRequest, Verdict};

use crate::{Exit, Format};

/// Arguments of `azpath trace`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file.
    file: PathBuf,
    /// The workload that starts the connection.
    #[arg(long)]
    from: String,
    /// The destination address.
    #[arg(long)]
    to: IpAddr,
    #[command(flatten)]
    flow: super::FlowArgs,
    /// The name the client asks for (TLS SNI or HTTP host), matched by firewall application
    /// rules; default: the FQDN a private endpoint at the destination serves.
    #[arg(long)]
    host: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs the command: exit 0 when delivered, 1 when not.
pub fn run(args: Args) -> Exit {
    let loaded = match super::load(&args.file) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let net = &loaded.network;
    let from = match super::nic(net, &args.from, "--from") {
        Ok(NicRef::Workload(w)) => w,
        Ok(NicRef::PrivateEndpoint(_) | NicRef::Firewall(_) | NicRef::HubRouter(_)) => {
            eprintln!("error: --from: `{}` is a private endpoint or firewall, which never starts a connection (hint: trace from a workload)", args.from);
            return Exit::BadInput;
        }
        Err(e) => return e,
    };
    let request = TraceRequest {
        host: args.host.clone(),
        protocol: args.flow.protocol(),
        destination: args.to,
        port: args.flow.port,
        source_port: args.flow.source_port,
    };
    let dp = loaded.dataplane();
    let Some(answer) = trace(net, dp, from, request) else {
        eprintln!("error: could not trace from `{}`", args.from);
        return Exit::BadInput;
    };
    let shown = match args.format {
        Format::Text => super::emit(Ok::<_, String>(report::narrative::trace(&answer))),
        Format::Json => super::emit(report::json::render(&answer)),
        Format::Dot => super::emit(Ok::<_, String>(report::dot::trace(&answer, net))),
    };
    match (shown, &answer.verdict) {
        (Exit::Ok, Verdict::Delivered) => Exit::Ok,
        (Exit::Ok, _) => Exit::Failed,
        (other, _) => other,
    }
}
