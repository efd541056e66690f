//! `azpath what-if BASE VARIANT [--from NAME --to IP|NAME [--port N]]`

use std::path::PathBuf;

use azpath_engine::analysis::flow::FlowSpec;
use azpath_engine::analysis::whatif::what_if;
use azpath_engine::report;

use crate::{Exit, Format};

/// Arguments of `azpath what-if`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario.
    base: PathBuf,
    /// The changed scenario (usually a variant that `extends` it).
    variant: PathBuf,
    /// Compare only this flow's client (with `--to`).
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// Compare only the flow to this address or name (with `--from`).
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// The flow's port.
    #[arg(long, default_value_t = azpath_engine::scenario::DEFAULT_PORT)]
    port: u16,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs the command: exit 0 whether or not anything changed (it is a comparison, not a test).
pub fn run(args: Args) -> Exit {
    let base = match super::load(&args.base) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let variant = match super::load(&args.variant) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let flows: Vec<FlowSpec> = match (args.from, args.to) {
        (Some(from), Some(to)) => vec![FlowSpec {
            from,
            to,
            port: args.port,
            host: None,
        }],
        _ => Vec::new(),
    };
    let answer = what_if(&base, &variant, &flows);
    match args.format {
        Format::Text => super::emit(Ok::<_, String>(report::whatif::what_if(&answer))),
        Format::Json => super::emit(report::json::render(&answer)),
        Format::Dot => super::unavailable("dot", "what-if", "text or json"),
        Format::AzJson => super::unavailable("az-json", "what-if", "text or json"),
    }
}
