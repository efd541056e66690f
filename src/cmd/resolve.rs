//! `azpath resolve FILE --from WORKLOAD|VNET --name FQDN`

use std::path::PathBuf;

use azpath_engine::dns::{resolve, DnsOutcome, Resolver};
use azpath_engine::model::NicRef;
use azpath_engine::{diag, report};

use crate::{Exit, Format};

/// Arguments of `azpath resolve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file.
    file: PathBuf,
    /// Who resolves: a workload (an App Service app uses its own DNS servers if set) or a VNet.
    #[arg(long)]
    from: String,
    /// The name to resolve.
    #[arg(long)]
    name: String,
    /// Output format (text or json).
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs the command: exit 0 when the name resolves, 1 when it does not.
pub fn run(args: Args) -> Exit {
    let loaded = match super::load(&args.file) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let net = &loaded.network;
    let vnet = net.vnets.iter().position(|v| v.name == args.from);
    let client = match (net.nic_by_name(&args.from), vnet) {
        (Some(NicRef::Workload(w)), _) => Resolver::Workload(w),
        (_, Some(v)) => Resolver::Vnet(azpath_engine::model::VnetId(v)),
        _ => {
            let names = net
                .workloads
                .iter()
                .map(|w| w.name.as_str())
                .chain(net.vnets.iter().map(|v| v.name.as_str()));
            let hint = diag::unknown_name_hint(&args.from, names, "workload or vnet");
            eprintln!(
                "error: --from: unknown workload or vnet `{}` (hint: {hint})",
                args.from
            );
            return Exit::BadInput;
        }
    };
    let answer = resolve(net, client, &args.name);
    let shown = match args.format {
        Format::Json => super::emit(report::json::render(&answer)),
        Format::Text | Format::Dot => {
            super::emit(Ok::<_, String>(report::text::resolution(&answer)))
        }
        Format::AzJson => super::unavailable("az-json", "resolve", "text or json"),
    };
    match (shown, &answer.outcome) {
        (Exit::Ok, DnsOutcome::Resolved { .. }) => Exit::Ok,
        (Exit::Ok, _) => Exit::Failed,
        (other, _) => other,
    }
}
