//! `azpath routes FILE --at VNET/SUBNET`

use std::path::PathBuf;

use azpath_engine::{query, report};

use crate::{Exit, Format};

/// Arguments of `azpath routes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file.
    file: PathBuf,
    /// The subnet (`vnet/subnet`) or workload whose effective routes to show.
    #[arg(long)]
    at: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> Exit {
    let (loaded, subnet) = match super::load_at(&args.file, &args.at, "--at") {
        Ok(x) => x,
        Err(e) => return e,
    };
    let net = &loaded.network;
    let dp = loaded.dataplane();
    let Some(answer) = query::routes(net, dp, subnet) else {
        eprintln!("error: no routes for `{}`", args.at);
        return Exit::BadInput;
    };
    match args.format {
        Format::Text => super::emit(Ok::<_, String>(report::text::routes(&answer))),
        Format::Json => super::emit(report::json::render(&answer)),
        Format::AzJson => super::emit(report::json::render(&report::az::routes(
            net, subnet, &answer,
        ))),
        Format::Dot => super::unavailable("dot", "routes", "text, json or az-json"),
    }
}
