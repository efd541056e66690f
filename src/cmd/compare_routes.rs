//! `azpath compare-routes FILE --at SUBNET|WORKLOAD --actual az.json`

use std::path::PathBuf;

use azpath_engine::{input, query, report};

use crate::{Exit, Format};

/// Arguments of `azpath compare-routes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file.
    file: PathBuf,
    /// The subnet (`vnet/subnet`) or workload whose effective routes to compare.
    #[arg(long)]
    at: String,
    /// What Azure shows: the output of `az network nic show-effective-route-table`.
    #[arg(long)]
    actual: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs the command: exit 0 when the tables agree, 1 when a row differs.
pub fn run(args: Args) -> Exit {
    if let Format::Dot | Format::AzJson = args.format {
        let name = if args.format == Format::Dot {
            "dot"
        } else {
            "az-json"
        };
        return super::unavailable(name, "compare-routes", "text or json");
    }
    let (loaded, subnet) = match super::load_at(&args.file, &args.at, "--at") {
        Ok(x) => x,
        Err(e) => return e,
    };
    let actual = match input::read_text(&args.actual, input::COMPARE_ROUTES_LIMIT) {
        Ok(text) => match query::parse_az_routes(&text) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("{}", e.located(&args.actual.display().to_string()));
                return Exit::BadInput;
            }
        },
        Err(e) => {
            eprintln!("{e}");
            return Exit::BadInput;
        }
    };
    let net = &loaded.network;
    let Some(answer) = query::routes(net, loaded.dataplane(), subnet) else {
        eprintln!("error: no routes for `{}`", args.at);
        return Exit::BadInput;
    };
    let expected = report::az::routes(net, subnet, &answer);
    let comparison = query::compare_routes(&answer.subnet, &expected.value, &actual);
    let shown = match args.format {
        Format::Json => super::emit(report::json::render(&comparison)),
        _ => super::emit(Ok::<_, String>(report::compare::text(
            &comparison,
            &args.actual.display().to_string(),
        ))),
    };
    match shown {
        Exit::Ok if comparison.differences.is_empty() => Exit::Ok,
        Exit::Ok => Exit::Failed,
        other => other,
    }
}
