//! `azpath compare A.ron B.ron [--from NAME --to IP|NAME[:PORT]]`, and
//! `azpath compare FILE --from NAME --to IP|NAME --b-from NAME --b-to IP|NAME`

use std::path::PathBuf;

use azpath_engine::analysis::flow::FlowSpec;
use azpath_engine::analysis::side_by_side::{compare_flows, compare_scenarios};
use azpath_engine::model::flow_addr::parse_source;
use azpath_engine::{report, Loaded};

use super::TextOrJson;
use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Side A's scenario (`-`: standard input).
    a: PathBuf,
    /// Side B's scenario (before/after, production/design); without it, side B is side A's
    /// scenario and `--b-from`/`--b-to` name its flow.
    b: Option<PathBuf>,
    /// Compare only the flow from this client (with `--to`).
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// Compare only the flow to this address, name or URL, optionally with `:PORT` (with
    /// `--from`).
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// Side B's client, when side B's flow differs from side A's (e.g. the production app).
    #[arg(long, requires_all = ["b_to", "from"])]
    b_from: Option<String>,
    /// Side B's destination, when it differs from side A's (e.g. the production endpoint).
    #[arg(long, requires_all = ["b_from", "to"])]
    b_to: Option<String>,
    /// The flows' port, 1 to 65535 [default: 443].
    #[arg(long, value_parser = super::flow_port())]
    port: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextOrJson,
}

fn flow(from: &str, to: &str, flag: &str, port: Option<u16>) -> Result<FlowSpec, CliError> {
    let (to, port) = super::destination(to, flag, port)?;
    Ok(FlowSpec {
        from: from.to_string(),
        to: super::target_text(&to),
        port,
        host: None,
    })
}

/// Refuses a client that is on neither side.
fn known(flow: &FlowSpec, flag: &str, sides: &[&Loaded]) -> Result<(), CliError> {
    let mut first = None;
    for side in sides {
        match parse_source(&side.network, &flow.from) {
            Ok(_) => return Ok(()),
            Err(e) => first = first.or(Some(e)),
        }
    }
    match first {
        Some(e) => Err(CliError::bad(format!(
            "{flag}: {e} (hint: name a workload of either scenario, or a public address)"
        ))),
        None => Ok(()),
    }
}

/// Runs the command: exit 0 when the two sides agree on everything compared, 1 when anything
/// differs (as `compare-routes` does for a row).
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let a_flow = match (&args.from, &args.to) {
        (Some(from), Some(to)) => Some(flow(from, to, "--to", args.port)?),
        _ => None,
    };
    let b_flow = match (&args.b_from, &args.b_to) {
        (Some(from), Some(to)) => Some(flow(from, to, "--b-to", args.port)?),
        _ => None,
    };
    if args.b.is_none() && b_flow.is_none() {
        return Err(CliError::bad(
            "give two scenarios, or one scenario with two flows (--from/--to and --b-from/--b-to)",
        ));
    }
    let a = super::load(&args.a)?;
    let b = match &args.b {
        Some(path) => Some(super::load(path)?),
        None => None,
    };
    let b_side = b.as_ref().unwrap_or(&a);
    let answer = match (&a_flow, &b_flow) {
        (Some(fa), Some(fb)) => {
            known(fa, "--from", &[&a])?;
            known(fb, "--b-from", &[b_side])?;
            compare_flows(&a, fa, b_side, fb)
        }
        (Some(fa), None) => {
            known(fa, "--from", &[&a, b_side])?;
            compare_scenarios(&a, b_side, std::slice::from_ref(fa))
        }
        _ => compare_scenarios(&a, b_side, &[]),
    };
    match args.format {
        TextOrJson::Text => out::text(&report::side_by_side::comparison(&answer))?,
        TextOrJson::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
    }
    Ok(Outcome::held_if(answer.agrees()))
}
