//! `azpath trace FILE --from WORKLOAD|PUBLIC-IP --to IP|NAME[:PORT] --port N`

use std::path::PathBuf;

use azpath_engine::analysis::flow::{self, Connection};
use azpath_engine::analysis::permit;
use azpath_engine::report;

use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath trace`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`-`: standard input).
    file: PathBuf,
    /// The workload that starts the connection, a public address (a client on the Internet),
    /// or an on-premises site as `SITE` or `SITE:ADDRESS`.
    #[arg(long)]
    from: String,
    /// The destination: an address, or a name resolved first as the client resolves it,
    /// optionally with a port (`NAME:PORT`, `10.0.2.4:443`, `[fd00::4]:443`).
    #[arg(long)]
    to: String,
    #[command(flatten)]
    flow: super::FlowArgs,
    /// The name the client asks for (TLS SNI or HTTP host), matched by firewall application
    /// rules; default: the FQDN a private endpoint at the destination serves.
    #[arg(long)]
    host: Option<String>,
    /// Routing only: trace as if every NSG and firewall allowed the flow, and list every rule
    /// along the path that would have blocked it (exit 0 when routing alone delivers it).
    #[arg(long)]
    permit_all: bool,
    /// Trace a flow already established (set up while every load balancer backend was
    /// healthy): a Standard load balancer keeps established TCP flows on a backend whose
    /// probe went down, and moves UDP flows to a healthy one. Default: a new flow.
    #[arg(long)]
    established: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TraceFormat,
}

/// The formats of `azpath trace`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceFormat {
    /// The trace as a narrative, hop by hop.
    #[default]
    Text,
    /// The answer as JSON, for scripts.
    Json,
    /// A Graphviz picture of the path over the VNets it crosses, clustered by region and VNet.
    Dot,
    /// The topology as an SVG picture (regions, VNets, hubs, endpoints, zones) with the path
    /// drawn on it; needs no Graphviz.
    Svg,
}

/// Runs the command: exit 0 when the flow gets through (delivered, or sent on to the Internet,
/// on-premises or a service endpoint), 1 when it does not.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let (to, port) = super::destination(&args.to, "--to", args.flow.port)?;
    let loaded = super::load(&args.file)?;
    let net = &loaded.network;
    let from = super::source(net, &args.from, "--from")?;
    // The flow as every command defines it (the matrix of `reach` traces the same).
    let connection = Connection {
        protocol: args.flow.protocol(),
        port,
        source_port: args.flow.source_port,
        host: args.host.clone(),
    };
    let dp = loaded.dataplane();
    if args.permit_all {
        return permit_all(&args, net, dp, from, &to, &connection);
    }
    let answer = traced(&args, net, dp, from, &to, &connection)
        .ok_or_else(|| CliError::bad(format!("could not trace from `{}`", args.from)))?;
    match args.format {
        TraceFormat::Text => out::painted(
            &report::narrative::trace(&answer),
            &[(answer.verdict.name(), out::Tone::of(&answer.verdict))],
        )?,
        TraceFormat::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
        TraceFormat::Dot => out::data(&report::dot::trace(&answer, net))?,
        TraceFormat::Svg => {
            let d = report::diagram::build(net, &[&answer]);
            out::data(&report::svg::render(&d, Some(&answer)))?;
        }
    }
    Ok(Outcome::of_verdict(&answer.verdict))
}

/// The trace of the connection, as a new flow or (`--established`) an established one.
fn traced(
    args: &Args,
    net: &azpath_engine::model::Network,
    dp: &azpath_engine::dataplane::DataPlane,
    from: azpath_engine::model::TraceSource,
    to: &azpath_engine::model::TraceTarget,
    connection: &Connection,
) -> Option<azpath_engine::trace::TraceAnswer> {
    if args.established {
        let state = azpath_engine::scenario::FlowState::Established;
        azpath_engine::trace::trace_to_flow(net, dp, from, to, connection.probe(), state)
    } else {
        flow::trace_connection(net, dp, from, to, connection)
    }
}

/// `--permit-all`: the path with every blocking NSG and firewall rule lifted, and those rules.
fn permit_all(
    args: &Args,
    net: &azpath_engine::model::Network,
    dp: &azpath_engine::dataplane::DataPlane,
    from: azpath_engine::model::TraceSource,
    to: &azpath_engine::model::TraceTarget,
    connection: &Connection,
) -> Result<Outcome, CliError> {
    let answer = permit::permit_all_with(net, dp, |n, d| traced(args, n, d, from, to, connection))
        .ok_or_else(|| CliError::bad(format!("could not trace from `{}`", args.from)))?;
    match args.format {
        TraceFormat::Text => out::painted(
            &report::permit::permit_all(&answer),
            &[(
                answer.trace.verdict.name(),
                out::Tone::of(&answer.trace.verdict),
            )],
        )?,
        TraceFormat::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
        TraceFormat::Dot => out::data(&report::dot::trace(&answer.trace, net))?,
        TraceFormat::Svg => {
            let d = report::diagram::build(net, &[&answer.trace]);
            out::data(&report::svg::render(&d, Some(&answer.trace)))?;
        }
    }
    Ok(Outcome::held_if(answer.routing_delivers))
}
