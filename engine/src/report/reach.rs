//! The reachability matrix as text, CSV or JSON. A matrix can hold millions of pairs, so these
//! renderers write to a stream as they expand it rather than build one string.
//!
//! CSV: a header line `source,destination,destination_ip,verdict,detail`, then one line per
//! pair: the source workload, the destination's name and address, the verdict's name (as
//! scenario files write it) and the verdict in a few words with its particulars. Fields are
//! quoted as RFC 4180 asks when they hold a comma, a quote or a line break.

use std::io::{self, Write};

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

use crate::analysis::reach::summary::{GroupBy, GroupCount};
use crate::analysis::reach::{Destinations, Endpoint, ReachAnswer};
use crate::report::terminal::pad_end;
use crate::trace::Verdict;

/// The summary and one line per pair, in aligned columns.
pub fn text(answer: &ReachAnswer, out: &mut impl Write) -> io::Result<()> {
    text_where(answer, |_| true, out)
}

/// [`text`], with only the pairs whose verdict `keep` accepts.
pub fn text_where(
    answer: &ReachAnswer,
    keep: fn(&Verdict) -> bool,
    out: &mut impl Write,
) -> io::Result<()> {
    summary_head(answer, out)?;
    writeln!(out)?;
    let name = |e: &Endpoint| e.name.chars().count();
    let w_src = widest(&answer.sources, name).max("SOURCE".len());
    let w_dst = widest(&answer.destinations, name).max("DESTINATION".len());
    let w_ip = widest(&answer.destinations, |e| e.ip.to_string().len()).max("ADDRESS".len());
    writeln!(
        out,
        "{}  {}  {}  VERDICT",
        pad_end("SOURCE", w_src),
        pad_end("DESTINATION", w_dst),
        pad_end("ADDRESS", w_ip)
    )?;
    writeln!(
        out,
        "{}  {}  {}  -------",
        "-".repeat(w_src),
        "-".repeat(w_dst),
        "-".repeat(w_ip)
    )?;
    for row in answer.rows_where(keep) {
        writeln!(
            out,
            "{}  {}  {}  {}",
            pad_end(row.source, w_src),
            pad_end(row.destination, w_dst),
            pad_end(&row.destination_ip.to_string(), w_ip),
            row.verdict.describe()
        )?;
    }
    Ok(())
}

/// The summary, then the pairs per source group and destination group, one line each with its
/// counts per verdict.
pub fn summary_text(
    answer: &ReachAnswer,
    by: GroupBy,
    groups: &[GroupCount],
    out: &mut impl Write,
) -> io::Result<()> {
    summary_head(answer, out)?;
    writeln!(out)?;
    let what = match by {
        GroupBy::Region => ("SOURCE REGION", "DESTINATION REGION"),
        GroupBy::Vnet => ("SOURCE VNET", "DESTINATION VNET"),
    };
    let w_src = groups
        .iter()
        .map(|g| g.source.chars().count())
        .max()
        .unwrap_or(0)
        .max(what.0.len());
    let w_dst = groups
        .iter()
        .map(|g| g.destination.chars().count())
        .max()
        .unwrap_or(0)
        .max(what.1.len());
    writeln!(
        out,
        "{}  {}  {:>10}  VERDICTS",
        pad_end(what.0, w_src),
        pad_end(what.1, w_dst),
        "PAIRS"
    )?;
    for g in groups {
        let verdicts: Vec<String> = g.verdicts.iter().map(|(v, n)| format!("{v} {n}")).collect();
        writeln!(
            out,
            "{}  {}  {:>10}  {}",
            pad_end(&g.source, w_src),
            pad_end(&g.destination, w_dst),
            g.pairs,
            verdicts.join(", ")
        )?;
    }
    Ok(())
}

/// The request and the counts of the whole matrix.
fn summary_head(answer: &ReachAnswer, out: &mut impl Write) -> io::Result<()> {
    let s = &answer.summary;
    let to = match (answer.request.destinations, answer.request.sites) {
        (Destinations::Everything, false) => "every workload and private endpoint",
        (Destinations::Everything, true) => "every workload, private endpoint and on-premises site",
        (Destinations::PrivateEndpoints, _) => "every private endpoint",
    };
    let from = if answer.request.sites {
        "every workload and on-premises site"
    } else {
        "every workload"
    };
    writeln!(
        out,
        "From {from} to {to}, {:?} port {}.",
        answer.request.protocol, answer.request.port
    )?;
    writeln!(
        out,
        "{} pairs; {} source classes x {} destination classes; {} traces ({} pairs one by one).",
        s.pairs, s.source_classes, s.destination_classes, s.traced, s.traced_one_by_one
    )?;
    for (verdict, n) in &s.verdicts {
        writeln!(out, "  {verdict}: {n}")?;
    }
    Ok(())
}

fn widest(list: &[Endpoint], width: impl Fn(&Endpoint) -> usize) -> usize {
    list.iter().map(width).max().unwrap_or(0)
}

/// One CSV line per pair under the header documented above.
pub fn csv(answer: &ReachAnswer, out: &mut impl Write) -> io::Result<()> {
    csv_where(answer, |_| true, out)
}

/// [`csv`], with only the pairs whose verdict `keep` accepts.
pub fn csv_where(
    answer: &ReachAnswer,
    keep: fn(&Verdict) -> bool,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(out, "source,destination,destination_ip,verdict,detail")?;
    // Pairs of one class share their verdict, so the detail of the previous row is usually the
    // detail of this one: render it once per run of equal verdicts.
    let mut last: Option<(Verdict, String)> = None;
    for row in answer.rows_where(keep) {
        let detail = match &last {
            Some((v, text)) if *v == *row.verdict => text,
            _ => {
                let text = field(&row.verdict.describe()).into_owned();
                &last.insert((row.verdict.clone().into_owned(), text)).1
            }
        };
        writeln!(
            out,
            "{},{},{},{},{}",
            field(row.source),
            field(row.destination),
            row.destination_ip,
            row.verdict.name(),
            detail
        )?;
    }
    Ok(())
}

/// A CSV field, quoted when it must be.
fn field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// The schema version, the request, the summary and every pair (`source`, `destination`,
/// `destination_ip`, `verdict`), as pretty JSON (its schema: [`ReachMatrix`]).
pub fn json(answer: &ReachAnswer, out: &mut impl Write) -> io::Result<()> {
    json_where(answer, |_| true, out)
}

/// [`json`], with only the pairs whose verdict `keep` accepts.
pub fn json_where(
    answer: &ReachAnswer,
    keep: fn(&Verdict) -> bool,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::pretty(out);
    Matrix(answer, keep)
        .serialize(&mut ser)
        .map_err(io::Error::other)
}

/// The request, the summary and the pairs per source group and destination group, as pretty
/// JSON.
pub fn summary_json(
    answer: &ReachAnswer,
    groups: &[GroupCount],
    out: &mut impl Write,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::pretty(out);
    ReachSummaryJson {
        schema_version: crate::report::json::SCHEMA_VERSION,
        request: &answer.request,
        summary: &answer.summary,
        groups,
    }
    .serialize(&mut ser)
    .map_err(io::Error::other)
}

/// What [`summary_json`] writes (`reach --summary --format json`): the counts, without pairs.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReachSummaryJson<'a> {
    /// [`crate::report::json::SCHEMA_VERSION`].
    pub schema_version: u32,
    /// What was computed.
    pub request: &'a crate::analysis::reach::ReachRequest,
    /// The numbers.
    pub summary: &'a crate::analysis::reach::ReachSummary,
    /// The pairs per source group and destination group, per verdict.
    pub groups: &'a [GroupCount],
}

/// The shape [`json`] writes, for its schema: the matrix is streamed, never built as this.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReachMatrix {
    /// [`crate::report::json::SCHEMA_VERSION`].
    pub schema_version: u32,
    /// What was computed.
    pub request: crate::analysis::reach::ReachRequest,
    /// The numbers.
    pub summary: crate::analysis::reach::ReachSummary,
    /// Every pair.
    pub rows: Vec<crate::analysis::reach::ReachRow<'static>>,
}

/// The matrix with its pairs expanded, serialised as it is walked.
struct Matrix<'a>(&'a ReachAnswer, fn(&Verdict) -> bool);

impl Serialize for Matrix<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rows = Rows(self.0, self.1);
        let mut m = s.serialize_struct("ReachMatrix", 4)?;
        m.serialize_field("schema_version", &crate::report::json::SCHEMA_VERSION)?;
        m.serialize_field("request", &self.0.request)?;
        m.serialize_field("summary", &self.0.summary)?;
        m.serialize_field("rows", &rows)?;
        m.end()
    }
}

struct Rows<'a>(&'a ReachAnswer, fn(&Verdict) -> bool);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.rows_where(self.1))
    }
}
