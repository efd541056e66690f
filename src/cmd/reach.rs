//! `azpath reach FILE [--to-private-endpoints] [--port N] [--format text|json|csv]`

use std::path::PathBuf;

use azpath_engine::analysis::reach::{reach, Destinations, ReachRequest};
use azpath_engine::report;

use crate::out::{self, CliError, Escape, Outcome};

/// Arguments of `azpath reach`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`-`: standard input).
    file: PathBuf,
    /// Only private endpoints as destinations (default: every workload and private endpoint).
    #[arg(long)]
    to_private_endpoints: bool,
    #[command(flatten)]
    flow: super::FlowArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: MatrixFormat,
}

/// Output formats of the matrix.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    /// A summary, then one aligned line per pair.
    #[default]
    Text,
    /// The request, the summary and every pair, for scripts.
    Json,
    /// One line per pair: `source,destination,destination_ip,verdict,detail`.
    Csv,
}

/// Runs the command: exit 0 when every pair gets through, 1 when one does not.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let loaded = super::load(&args.file)?;
    let request = ReachRequest {
        protocol: args.flow.protocol(),
        port: args.flow.port(),
        source_port: args.flow.source_port,
        destinations: if args.to_private_endpoints {
            Destinations::PrivateEndpoints
        } else {
            Destinations::Everything
        },
    };
    let answer = reach(&loaded.network, loaded.dataplane(), &request);
    match args.format {
        MatrixFormat::Text => {
            let words: Vec<(&str, out::Tone)> = answer
                .outcomes
                .iter()
                .map(|v| (v.name(), out::Tone::of(v)))
                .collect();
            out::stream_painted(&words, |mut w| report::reach::text(&answer, &mut w))?
        }
        MatrixFormat::Json => out::stream(Escape::No, |mut w| {
            report::reach::json(&answer, &mut w).and_then(|()| writeln!(w))
        })?,
        MatrixFormat::Csv => out::stream(Escape::No, |mut w| report::reach::csv(&answer, &mut w))?,
    }
    // The outcomes are the distinct verdicts the matrix's pairs point to.
    Ok(Outcome::held_if(
        answer.outcomes.iter().all(|v| v.is_success()),
    ))
}
