//! `azpath reach FILE [--to-private-endpoints] [--port N] [--format text|json|csv]`

use std::io::{BufWriter, ErrorKind, Write};
use std::path::PathBuf;

use azpath_engine::analysis::reach::{reach, Destinations, ReachRequest};
use azpath_engine::report;

use crate::Exit;

/// Arguments of `azpath reach`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file.
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

/// Runs the command: exit 0 once the matrix is written, whatever its verdicts.
pub fn run(args: Args) -> Exit {
    let loaded = match super::load(&args.file) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let request = ReachRequest {
        protocol: args.flow.protocol(),
        port: args.flow.port,
        source_port: args.flow.source_port,
        destinations: if args.to_private_endpoints {
            Destinations::PrivateEndpoints
        } else {
            Destinations::Everything
        },
    };
    let answer = reach(&loaded.network, loaded.dataplane(), &request);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match args.format {
        MatrixFormat::Text => report::reach::text(&answer, &mut out),
        MatrixFormat::Json => report::reach::json(&answer, &mut out).and_then(|()| writeln!(out)),
        MatrixFormat::Csv => report::reach::csv(&answer, &mut out),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Exit::Ok,
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            eprintln!("error: cannot write the matrix: {e}");
            Exit::BadInput
        }
    }
}
