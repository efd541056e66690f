//! `azpath what-if BASE VARIANT [--from NAME --to IP|NAME[:PORT] [--port N]]`

use std::path::PathBuf;

use azpath_engine::analysis::flow::FlowSpec;
use azpath_engine::analysis::whatif::what_if;
use azpath_engine::model::flow_addr::parse_source;
use azpath_engine::report;

use super::TextOrJson;
use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath what-if`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario (`-`: standard input).
    #[arg(required_unless_present = "terraform_plan")]
    base: Option<PathBuf>,
    /// The changed scenario (usually a variant that `extends` it; `-`: standard input).
    #[arg(required_unless_present = "terraform_plan")]
    variant: Option<PathBuf>,
    /// Instead of two scenarios: a Terraform plan (`terraform show -json plan.out`), whose
    /// prior state and planned values are imported and compared.
    #[arg(long, value_name = "PLAN.json", conflicts_with_all = ["base", "variant"])]
    terraform_plan: Option<PathBuf>,
    /// Compare only this flow's client (with `--to`).
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// Compare only the flow to this address or name, optionally with `:PORT` (with `--from`).
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// The flow's port, 1 to 65535 [default: 443].
    #[arg(long, value_parser = super::flow_port())]
    port: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextOrJson,
}

/// Runs the command: exit 0 whether or not anything changed (it is a comparison, not a test).
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let flows: Vec<FlowSpec> = match (args.from, args.to) {
        (Some(from), Some(to)) => {
            let (to, port) = super::destination(&to, "--to", args.port)?;
            vec![FlowSpec {
                from,
                to: super::target_text(&to),
                port,
                host: None,
            }]
        }
        _ => Vec::new(),
    };
    let (base, variant) = match (&args.terraform_plan, &args.base, &args.variant) {
        (Some(plan), _, _) => super::terraform_plan::sides(plan)?,
        (None, Some(base), Some(variant)) => (super::load(base)?, super::load(variant)?),
        _ => {
            return Err(CliError::bad(
                "give BASE and VARIANT, or --terraform-plan PLAN.json",
            ))
        }
    };
    for flow in &flows {
        // The client may exist in either file (a change can add or remove it), not in neither.
        if let Err(e) = parse_source(&base.network, &flow.from) {
            if parse_source(&variant.network, &flow.from).is_err() {
                return Err(CliError::bad(format!(
                    "--from: {e} (hint: name a workload of either scenario, or a public address)"
                )));
            }
        }
    }
    let answer = what_if(&base, &variant, &flows);
    match args.format {
        TextOrJson::Text => out::text(&report::whatif::what_if(&answer))?,
        TextOrJson::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
    }
    Ok(Outcome::Held)
}
