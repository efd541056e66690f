//! `azpath trace FILE --from WORKLOAD|PUBLIC-IP --to IP|NAME --port N`

use std::net::IpAddr;
use std::path::PathBuf;

use azpath_engine::analysis::flow::{self, Connection};
use azpath_engine::model::{is_private, NicRef, TraceSource, TraceTarget};
use azpath_engine::report;
use azpath_engine::trace::Verdict;

use crate::{Exit, Format};

/// Arguments of `azpath trace`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file.
    file: PathBuf,
    /// The workload that starts the connection, or a public address: a client on the Internet.
    #[arg(long)]
    from: String,
    /// The destination: an address, or a name resolved first as the client resolves it.
    #[arg(long)]
    to: String,
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
    let client = args.from.parse::<IpAddr>().ok();
    let from = match client {
        Some(ip) if !is_private(ip) => TraceSource::Internet(ip),
        Some(ip) => {
            eprintln!("error: --from: a trace from an address starts on the Internet, and `{ip}` is private (hint: name a workload to start inside Azure)");
            return Exit::BadInput;
        }
        None => match super::nic(net, &args.from, "--from") {
            Ok(NicRef::Workload(w)) => TraceSource::Workload(w),
            Ok(NicRef::PrivateEndpoint(_) | NicRef::Firewall(_) | NicRef::HubRouter(_)) => {
                eprintln!("error: --from: `{}` is a private endpoint or firewall, which never starts a connection (hint: trace from a workload)", args.from);
                return Exit::BadInput;
            }
            Err(e) => return e,
        },
    };
    // The flow as every command defines it (the matrix of `reach` traces the same).
    let connection = Connection {
        protocol: args.flow.protocol(),
        port: args.flow.port,
        source_port: args.flow.source_port,
        host: args.host.clone(),
    };
    let dp = loaded.dataplane();
    let to = TraceTarget::parse(&args.to);
    let answer = flow::trace_connection(net, dp, from, &to, &connection);
    let Some(answer) = answer else {
        eprintln!("error: could not trace from `{}`", args.from);
        return Exit::BadInput;
    };
    let shown = match args.format {
        Format::Text => super::emit(Ok::<_, String>(report::narrative::trace(&answer))),
        Format::Json => super::emit(report::json::render(&answer)),
        Format::Dot => super::emit(Ok::<_, String>(report::dot::trace(&answer, net))),
        Format::AzJson => super::unavailable("az-json", "trace", "text, json or dot"),
    };
    match (shown, &answer.verdict) {
        (Exit::Ok, Verdict::Delivered) => Exit::Ok,
        (Exit::Ok, _) => Exit::Failed,
        (other, _) => other,
    }
}
