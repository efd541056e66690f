//! `azpath reach FILE [--to-private-endpoints] [--port N] [--format text|json|csv] [--summary
//! [--group-by region|vnet]] [--only failing]`

use std::path::PathBuf;

use azpath_engine::analysis::reach::summary::{by_group, failing, GroupBy};
use azpath_engine::analysis::reach::{Destinations, Progress, ReachRequest, ReachRun};
use azpath_engine::report;
use azpath_engine::scenario::VerdictName;
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
    /// One aligned line per pair, written as it is computed, then the summary.
    #[default]
    Text,
    /// One object for scripts: the request, every pair (one per line, written as it is
    /// computed), then the summary.
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
    // Rows written to a terminal are their own progress: a bar drawn between them would tear.
    let rows_on_terminal = !args.summary && out::to_terminal();
    let bar = Bar::new(rows_on_terminal);
    let mut progress = |p| bar.show(p);
    let run = ReachRun::new(&loaded.network, loaded.dataplane(), &request);
    if args.summary {
        let answer = run.run(&mut progress);
        bar.finish();
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
    // The rows are written as they are computed; the summary comes last.
    let mut answer = None;
    match args.format {
        MatrixFormat::Text => out::stream_painted(&verdict_words(), |mut w| {
            let columns =
                report::reach::TextColumns::head(run.sources(), run.destinations(), &mut w)?;
            let done = run.stream(&mut progress, keep, |row| columns.row(&row, &mut w))?;
            bar.finish();
            report::reach::text_tail(&done, &mut w)?;
            answer = Some(done);
            Ok(())
        })?,
        MatrixFormat::Json => out::stream(Escape::No, |mut w| {
            let mut rows = report::reach::JsonRows::head(run.request(), &mut w)?;
            let done = run.stream(&mut progress, keep, |row| rows.row(&row, &mut w))?;
            bar.finish();
            rows.tail(&done, &mut w)?;
            answer = Some(done);
            Ok(())
        })?,
        MatrixFormat::Csv => out::stream(Escape::No, |mut w| {
            let mut rows = report::reach::CsvRows::head(&mut w)?;
            let done = run.stream(&mut progress, keep, |row| rows.row(&row, &mut w))?;
            bar.finish();
            answer = Some(done);
            Ok(())
        })?,
    }
    bar.finish();
    // The outcomes are the distinct verdicts the matrix's pairs point to; a reader that closed
    // the pipe early leaves no answer, and the command exits 0 as every command does then.
    Ok(match answer {
        Some(a) => Outcome::held_if(a.outcomes.iter().all(|v| v.is_success())),
        None => Outcome::held_if(true),
    })
}

/// Every verdict name with its tone, for colouring rows whose verdicts are not known before
/// they are written.
fn verdict_words() -> Vec<(&'static str, out::Tone)> {
    VerdictName::ALL
        .iter()
        .map(|n| {
            let tone = if gets_through(*n) {
                out::Tone::Good
            } else {
                out::Tone::Bad
            };
            (n.as_str(), tone)
        })
        .collect()
}

/// Whether a verdict of this name gets through: [`Verdict::is_success`] by name.
fn gets_through(name: VerdictName) -> bool {
    match name {
        VerdictName::Delivered
        | VerdictName::DeliveredPublicly
        | VerdictName::SentToInternet
        | VerdictName::SentToOnPremises
        | VerdictName::SentToServiceEndpoint
        | VerdictName::AnsweredByPlatform => true,
        VerdictName::DroppedByNsg
        | VerdictName::DroppedBySecurityAdminRule
        | VerdictName::DroppedByFirewall
        | VerdictName::NoRoute
        | VerdictName::NoDestination
        | VerdictName::InvalidNextHop
        | VerdictName::PeeringBlocked
        | VerdictName::Loop
        | VerdictName::AsymmetricReturnDropped
        | VerdictName::ReplyDropped
        | VerdictName::NameNotResolved
        | VerdictName::TlsNameMismatch
        | VerdictName::PublicAccessDisabled
        | VerdictName::NotRoutedFromSite
        | VerdictName::NoLoadBalancingRule
        | VerdictName::NoHealthyBackend
        | VerdictName::LoadBalancerHairpin
        | VerdictName::NoOutboundAccess
        | VerdictName::PublicIpClosed
        | VerdictName::ServiceFirewallDenied
        | VerdictName::HostNotServed
        | VerdictName::ServiceUnhealthy
        | VerdictName::PortNotServed
        | VerdictName::SecureTransferRequired
        | VerdictName::SnatAddressDecides => false,
    }
}

/// Progress on standard error, shown once a matrix has taken a second and only on a terminal
/// (`indicatif` draws nothing when standard error is not one).
struct Bar {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
    /// Never drawn.
    quiet: bool,
}

impl Bar {
    fn new(quiet: bool) -> Self {
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
            quiet,
        }
    }

    fn show(&self, p: Progress) {
        let (what, done, of) = match p {
            Progress::ClassPairs { done, of } => ("class pairs", done, of),
            Progress::OneByOne { done, of } => ("pairs one by one", done, of),
        };
        if self.quiet {
            return;
        }
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
