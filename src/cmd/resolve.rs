//! `azpath resolve FILE --from WORKLOAD|VNET --name FQDN`

use std::path::PathBuf;

use azpath_engine::dns::{resolve, DnsOutcome, Resolver};
use azpath_engine::model::flow_addr::host_name_problem;
use azpath_engine::{diag, report};

use super::TextOrJson;
use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath resolve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`-`: standard input).
    file: PathBuf,
    /// Who resolves: a workload (an App Service app uses its own DNS servers if set) or a VNet.
    #[arg(long)]
    from: String,
    /// The name to resolve.
    #[arg(long)]
    name: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextOrJson,
}

/// Runs the command: exit 0 when the name resolves, 1 when it does not.
pub fn run(mut args: Args) -> Result<Outcome, CliError> {
    // A URL (or `name:port`) names the host to resolve; the rest is not DNS.
    match azpath_engine::model::target_url::parse_url_target(&args.name) {
        Some(Ok(u)) => args.name = u.host,
        Some(Err(e)) => return Err(CliError::bad(format!("--name: {e}"))),
        None => {
            if let Some((host, port)) = args.name.rsplit_once(':') {
                if !host.contains(':') && port.parse::<u16>().is_ok() {
                    args.name = host.to_string();
                }
            }
        }
    }
    if let Some(problem) = host_name_problem(&args.name) {
        return Err(CliError::bad(format!(
            "--name: `{}` is not a host name: {problem} (hint: give a name such as `app.contoso.com`)",
            args.name.escape_debug()
        )));
    }
    let loaded = super::load(&args.file)?;
    let net = &loaded.network;
    let client = Resolver::by_name(net, &args.from).ok_or_else(|| {
        let hint = diag::unknown_name_hint(&args.from, Resolver::names(net), "workload or vnet");
        CliError::bad(format!(
            "--from: unknown workload or vnet `{}` (hint: {hint})",
            args.from
        ))
    })?;
    let answer = resolve(net, client, &args.name);
    match args.format {
        TextOrJson::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
        TextOrJson::Text => out::text(&report::text::resolution(&answer))?,
    }
    Ok(Outcome::held_if(matches!(
        answer.outcome,
        DnsOutcome::Resolved { .. }
    )))
}
