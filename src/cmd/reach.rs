//! `azpath reach FILE [--to-private-endpoints] [--port N] [--format text|json|csv] [--summary
//! [--group-by region|vnet]] [--only failing]`

use std::path::PathBuf;

use azpath_engine::analysis::reach::summary::{by_group, failing, GroupBy};
use azpath_engine::analysis::reach::{reach_with_progress, Destinations, Progress, ReachRequest};
use azpath_engine::report;
use azpath_engine::trace::Verdict;

use crate::out::{self, CliError, Escape, Outcome};

/// Arguments of `azpath reach`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`-`: standard input).
    file: PathBuf,
    /// Only private endpoints as destinations (default: every workload and private endpoint).
    #[arg(long)]
    to_private_endpoints: bool,
    /// Include the on-premises sites behind VNet gateways: as sources (a client at each site's
    /// default address, as `trace --from SITE`) and, unless `--to-private-endpoints`, as
    /// destinations; `--summary` groups them as `on-premises`.
    #[arg(long)]
    sites: bool,
    #[command(flatten)]
    flow: super::FlowArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: MatrixFormat,
    /// Only the counts: per verdict, and per source group and destination group (no pairs;
    /// as text, or JSON with `--format json`).
    #[arg(long)]
    summary: bool,
    /// What groups sources and destinations in `--summary`.
    #[arg(long, value_enum, default_value_t, requires = "summary")]
    group_by: Grouping,
    /// Only the pairs with these verdicts.
    #[arg(long, value_enum, conflicts_with = "summary")]
    only: Option<Only>,
}

/// `--group-by`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Grouping {
    /// The region of the workload's (or endpoint's) VNet.
    #[default]
    Region,
    /// The workload's (or endpoint's) VNet.
    Vnet,
}

/// `--only`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Only {
    /// Pairs whose connection fails (anything but delivered, privately or publicly).
    Failing,
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
        sites: args.sites,
    };
    let bar = Bar::new();
    let answer = reach_with_progress(&loaded.network, loaded.dataplane(), &request, &mut |p| {
        bar.show(p)
    });
    bar.finish();
    if args.summary {
        let by = match args.group_by {
            Grouping::Region => GroupBy::Region,
            Grouping::Vnet => GroupBy::Vnet,
        };
        let groups = by_group(&loaded.network, &answer, by);
        return match args.format {
            MatrixFormat::Text | MatrixFormat::Csv => out::stream(Escape::Yes, |mut w| {
                report::reach::summary_text(&answer, by, &groups, &mut w)
            }),
            MatrixFormat::Json => out::stream(Escape::No, |mut w| {
                report::reach::summary_json(&answer, &groups, &mut w).and_then(|()| writeln!(w))
            }),
        }
        .map(|()| Outcome::held_if(answer.outcomes.iter().all(|v| v.is_success())));
    }
    let keep: fn(&Verdict) -> bool = match args.only {
        Some(Only::Failing) => failing,
        None => |_| true,
    };
    match args.format {
        MatrixFormat::Text => {
            let words: Vec<(&str, out::Tone)> = answer
                .outcomes
                .iter()
                .map(|v| (v.name(), out::Tone::of(v)))
                .collect();
            out::stream_painted(&words, |mut w| {
                report::reach::text_where(&answer, keep, &mut w)
            })?
        }
        MatrixFormat::Json => out::stream(Escape::No, |mut w| {
            report::reach::json_where(&answer, keep, &mut w).and_then(|()| writeln!(w))
        })?,
        MatrixFormat::Csv => out::stream(Escape::No, |mut w| {
            report::reach::csv_where(&answer, keep, &mut w)
        })?,
    }
    // The outcomes are the distinct verdicts the matrix's pairs point to.
    Ok(Outcome::held_if(
        answer.outcomes.iter().all(|v| v.is_success()),
    ))
}

/// Progress on standard error, shown once a matrix has taken a second and only on a terminal
/// (`indicatif` draws nothing when standard error is not one).
struct Bar {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
}

impl Bar {
    fn new() -> Self {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta} left)")
        {
            bar.set_style(style);
        }
        Self {
            bar,
            started: std::time::Instant::now(),
        }
    }

    fn show(&self, p: Progress) {
        let (what, done, of) = match p {
            Progress::ClassPairs { done, of } => ("class pairs", done, of),
            Progress::OneByOne { done, of } => ("pairs one by one", done, of),
        };
        if self.bar.is_hidden() && self.started.elapsed() >= std::time::Duration::from_secs(1) {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        self.bar.set_message(what);
        self.bar.set_length(of);
        self.bar.set_position(done);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
