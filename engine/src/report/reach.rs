//! The reachability matrix as text, CSV or JSON. A matrix can hold millions of pairs, so these
//! renderers write to a stream as they expand it rather than build one string.
//!
//! CSV: a header line `source,destination,destination_ip,verdict,detail`, then one line per
//! pair: the source workload, the destination's name and address, the verdict's name (as
//! scenario files write it) and the verdict in a few words with its particulars. Fields are
//! quoted as RFC 4180 asks when they hold a comma, a quote or a line break.

use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::reach::summary::{GroupBy, GroupCount};
use crate::analysis::reach::{Destinations, Endpoint, ReachAnswer, ReachRequest, ReachRow};
use crate::report::terminal::pad_end;
use crate::trace::Verdict;

/// One line per pair, in aligned columns, then the summary.
pub fn text(answer: &ReachAnswer, out: &mut impl Write) -> io::Result<()> {
    text_where(answer, |_| true, out)
}

/// [`text`], with only the pairs whose verdict `keep` accepts.
pub fn text_where(
    answer: &ReachAnswer,
    keep: fn(&Verdict) -> bool,
    out: &mut impl Write,
) -> io::Result<()> {
    let columns = TextColumns::head(&answer.sources, &answer.destinations, out)?;
    for row in answer.rows_where(keep) {
        columns.row(&row, out)?;
    }
    text_tail(answer, out)
}

/// The aligned columns of [`text`], sized from the endpoints before any pair is known, so the
/// rows can be written as they are computed (see [`crate::analysis::reach::ReachRun`]).
#[derive(Clone, Copy, Debug)]
pub struct TextColumns {
    source: usize,
    destination: usize,
    address: usize,
}

impl TextColumns {
    /// Sizes the columns for these sources and destinations and writes the header.
    pub fn head(
        sources: &[Endpoint],
        destinations: &[Endpoint],
        out: &mut impl Write,
    ) -> io::Result<Self> {
        let name = |e: &Endpoint| e.name.chars().count();
        let columns = Self {
            source: widest(sources, name).max("SOURCE".len()),
            destination: widest(destinations, name).max("DESTINATION".len()),
            address: widest(destinations, |e| e.ip.to_string().len()).max("ADDRESS".len()),
        };
        writeln!(
            out,
            "{}  {}  {}  VERDICT",
            pad_end("SOURCE", columns.source),
            pad_end("DESTINATION", columns.destination),
            pad_end("ADDRESS", columns.address)
        )?;
        writeln!(
            out,
            "{}  {}  {}  -------",
            "-".repeat(columns.source),
            "-".repeat(columns.destination),
            "-".repeat(columns.address)
        )?;
        Ok(columns)
    }

    /// One pair's line.
    pub fn row(&self, row: &ReachRow<'_>, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "{}  {}  {}  {}",
            pad_end(row.source, self.source),
            pad_end(row.destination, self.destination),
            pad_end(&row.destination_ip.to_string(), self.address),
            row.verdict.describe()
        )
    }
}

/// What [`text`] writes after the pairs: a blank line and the summary.
pub fn text_tail(answer: &ReachAnswer, out: &mut impl Write) -> io::Result<()> {
    writeln!(out)?;
    summary_head(answer, out)
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
    let mut rows = CsvRows::head(out)?;
    for row in answer.rows_where(keep) {
        rows.row(&row, out)?;
    }
    Ok(())
}

/// The lines of [`csv`], written one pair at a time as they are computed.
#[derive(Debug, Default)]
pub struct CsvRows {
    /// Pairs of one class share their verdict, so the detail of the previous row is usually
    /// the detail of this one: it is rendered once per run of equal verdicts.
    last: Option<(Verdict, String)>,
}

impl CsvRows {
    /// Writes the header.
    pub fn head(out: &mut impl Write) -> io::Result<Self> {
        writeln!(out, "source,destination,destination_ip,verdict,detail")?;
        Ok(Self::default())
    }

    /// One pair's line.
    pub fn row(&mut self, row: &ReachRow<'_>, out: &mut impl Write) -> io::Result<()> {
        let detail = match &self.last {
            Some((v, text)) if *v == *row.verdict => text,
            _ => {
                let text = field(&row.verdict.describe()).into_owned();
                &self.last.insert((row.verdict.clone().into_owned(), text)).1
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
        )
    }
}

/// A CSV field, quoted when it must be.
fn field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// The schema version, the request, every pair (`source`, `destination`, `destination_ip`,
/// `verdict`) and the summary, as JSON (its schema: [`ReachMatrix`]): one object, with one
/// line per pair and the summary last, so the pairs can be written as they are computed.
pub fn json(answer: &ReachAnswer, out: &mut impl Write) -> io::Result<()> {
    json_where(answer, |_| true, out)
}

/// [`json`], with only the pairs whose verdict `keep` accepts.
pub fn json_where(
    answer: &ReachAnswer,
    keep: fn(&Verdict) -> bool,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut rows = JsonRows::head(&answer.request, out)?;
    for row in answer.rows_where(keep) {
        rows.row(&row, out)?;
    }
    rows.tail(answer, out)
}

/// The pieces of [`json`], written one pair at a time as they are computed.
#[derive(Debug, Default)]
pub struct JsonRows {
    written: bool,
}

impl JsonRows {
    /// Opens the object: the schema version, the request, and the list of pairs.
    pub fn head(request: &ReachRequest, out: &mut impl Write) -> io::Result<Self> {
        writeln!(out, "{{")?;
        writeln!(
            out,
            "  \"schema_version\": {},",
            crate::report::json::SCHEMA_VERSION
        )?;
        write!(out, "  \"request\": ")?;
        serde_json::to_writer(&mut *out, request).map_err(io::Error::other)?;
        write!(out, ",\n  \"rows\": [")?;
        Ok(Self::default())
    }

    /// One pair, on a line of its own.
    pub fn row(&mut self, row: &ReachRow<'_>, out: &mut impl Write) -> io::Result<()> {
        out.write_all(if self.written { b",\n    " } else { b"\n    " })?;
        self.written = true;
        serde_json::to_writer(&mut *out, row).map_err(io::Error::other)
    }

    /// Closes the list of pairs, writes the summary and closes the object.
    pub fn tail(self, answer: &ReachAnswer, out: &mut impl Write) -> io::Result<()> {
        if self.written {
            write!(out, "\n  ")?;
        }
        write!(out, "],\n  \"summary\": ")?;
        serde_json::to_writer(&mut *out, &answer.summary).map_err(io::Error::other)?;
        writeln!(out, "\n}}")
    }
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
    /// Every pair.
    pub rows: Vec<crate::analysis::reach::ReachRow<'static>>,
    /// The numbers (last, since they are known once every pair is).
    pub summary: crate::analysis::reach::ReachSummary,
}
