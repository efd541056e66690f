//! The reachability matrix: the verdict of a trace from every workload to every destination's
//! address, the flow `azpath trace --to ADDRESS` traces (one [`Connection`], the name the client
//! asks for by [`host_asked`](crate::trace::host_asked)), computed by tracing one representative pair per class of alike sources and destinations, so
//! the cost grows with the distinct behaviours of the network, not with its pairs.
//!
//! Sources and destinations are grouped by `classes` (what a trace reads of a NIC, its name
//! and address aside); a pair's verdict is its class pair's, carried over by `relabel`. The
//! representatives are traced in parallel; the output order is that of the network's
//! workloads and private endpoints, whatever the scheduling. [`ReachRun::stream`] hands each
//! pair to a sink as soon as its source's class pairs are traced, so a report writes the rows
//! while the matrix is computed and holds none of them.

mod classes;
mod relabel;
pub mod summary;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::flow::{self, Connection};
use crate::dataplane::DataPlane;
use crate::model::{FlowProtocol, Network, TraceSource};
use crate::trace::Verdict;
use classes::Member;
pub use relabel::Relabel;

/// Which destinations the matrix covers.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum Destinations {
    /// Every workload (but the source itself) and every private endpoint.
    #[default]
    Everything,
    /// Every private endpoint.
    PrivateEndpoints,
}

/// What to compute: one flow from every workload to every destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReachRequest {
    /// Protocol.
    pub protocol: FlowProtocol,
    /// Destination port.
    pub port: u16,
    /// Source port.
    pub source_port: u16,
    /// Which destinations.
    pub destinations: Destinations,
    /// Whether the on-premises sites behind VNet gateways take part: each as a source (a client
    /// at its default address, as `trace --from SITE`) and, when the destinations are
    /// [`Destinations::Everything`], as a destination (that address).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sites: bool,
}

impl ReachRequest {
    /// What every client sends: the matrix's clients connect by address and ask for no name of
    /// their own, as `azpath trace --to ADDRESS` without `--host`.
    pub fn connection(&self) -> Connection {
        Connection {
            protocol: self.protocol,
            port: self.port,
            source_port: self.source_port,
            host: None,
        }
    }
}

/// A workload or private endpoint in the matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Endpoint {
    /// Its name.
    pub name: String,
    /// Its address.
    pub ip: IpAddr,
    /// Whether it is a private endpoint (else a workload or a site).
    pub private_endpoint: bool,
    /// Whether it is an on-premises site (else a workload or a private endpoint).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub site: bool,
    /// Its index among the network's workloads (or private endpoints, or sites).
    pub index: usize,
    /// Its class among the sources (or the destinations): endpoints of one class are alike.
    pub class: usize,
}

impl Endpoint {
    /// Whether `other` is the same NIC.
    pub fn same_nic(&self, other: &Endpoint) -> bool {
        self.key() == other.key()
    }

    /// What kind of endpoint it is and its index: one NIC (or site) has one key.
    pub fn key(&self) -> (bool, bool, usize) {
        (self.private_endpoint, self.site, self.index)
    }
}

/// The matrix in numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReachSummary {
    /// Source and destination pairs (a workload is never its own destination).
    pub pairs: u64,
    /// Classes of alike sources.
    pub source_classes: usize,
    /// Classes of alike destinations.
    pub destination_classes: usize,
    /// Traces run: one per class pair, plus the pairs traced one by one.
    pub traced: u64,
    /// Pairs traced one by one, because their class's verdict mentions an endpoint in a way
    /// that cannot be carried over.
    pub traced_one_by_one: u64,
    /// Pairs per verdict name.
    pub verdicts: BTreeMap<String, u64>,
}

/// The verdict of one pair of classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Cell {
    /// No pair (a class whose only member would be its own destination).
    Empty,
    /// Every pair ends with outcome `outcome`, its `relabel` field set to the pair's own.
    Shared {
        /// Index into [`ReachAnswer::outcomes`].
        outcome: usize,
        /// Which field is the pair's own.
        relabel: Relabel,
    },
    /// Every pair was traced on its own: see [`ReachAnswer::one_by_one`].
    OneByOne,
}

/// A pair traced on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Single {
    /// Index into [`ReachAnswer::sources`].
    pub source: usize,
    /// Index into [`ReachAnswer::destinations`].
    pub destination: usize,
    /// Index into [`ReachAnswer::outcomes`].
    pub outcome: usize,
}

/// The matrix, held by class: expand it with [`ReachAnswer::rows`].
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct ReachAnswer {
    /// What was computed.
    pub request: ReachRequest,
    /// The numbers.
    pub summary: ReachSummary,
    /// The sources (workloads), in the network's order.
    pub sources: Vec<Endpoint>,
    /// The destinations: workloads, then private endpoints, in the network's order.
    pub destinations: Vec<Endpoint>,
    /// One cell per source class and destination class, source class major.
    pub cells: Vec<Cell>,
    /// The distinct verdicts the cells and singles point to.
    pub outcomes: Vec<Verdict>,
    /// The pairs traced on their own, by source then destination.
    pub one_by_one: Vec<Single>,
}

/// One pair and its verdict.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReachRow<'a> {
    /// The source workload.
    pub source: &'a str,
    /// The destination.
    pub destination: &'a str,
    /// The destination's address.
    pub destination_ip: IpAddr,
    /// How a connection from the source to the destination ends.
    pub verdict: Cow<'a, Verdict>,
}

impl ReachAnswer {
    /// Every pair with its verdict, by source then destination.
    pub fn rows(&self) -> impl Iterator<Item = ReachRow<'_>> + '_ {
        self.rows_where(|_| true)
    }

    /// The pairs whose verdict `keep` accepts, by source then destination. A class pair whose
    /// verdict is refused is skipped whole, without expanding its pairs.
    pub fn rows_where<'s>(
        &'s self,
        keep: impl Fn(&Verdict) -> bool + Copy + 's,
    ) -> impl Iterator<Item = ReachRow<'s>> + 's {
        let width = self.summary.destination_classes;
        self.sources.iter().enumerate().flat_map(move |(i, s)| {
            let single = move |j: usize| {
                let at = self
                    .one_by_one
                    .binary_search_by_key(&(i, j), |x| (x.source, x.destination))
                    .ok()?;
                Some(self.one_by_one.get(at)?.outcome)
            };
            let view = View {
                cells: &self.cells,
                width,
                outcomes: &self.outcomes,
            };
            self.destinations
                .iter()
                .enumerate()
                .filter_map(move |(j, d)| view.row(s, (j, d), single, keep))
        })
    }
}

/// What expanding a pair reads: the cells, their width and the outcomes.
#[derive(Clone, Copy)]
struct View<'s> {
    cells: &'s [Cell],
    width: usize,
    outcomes: &'s [Verdict],
}

impl<'s> View<'s> {
    /// The row of source `s` to the `j`-th destination `d`, if it is a pair and `keep` accepts
    /// its verdict; `single` gives the outcome of a pair traced one by one.
    fn row(
        self,
        s: &'s Endpoint,
        (j, d): (usize, &'s Endpoint),
        single: impl Fn(usize) -> Option<usize>,
        keep: impl Fn(&Verdict) -> bool,
    ) -> Option<ReachRow<'s>> {
        if s.same_nic(d) {
            return None;
        }
        let cell = self.cells.get(s.class * self.width + d.class)?;
        let verdict = match *cell {
            Cell::Empty => return None,
            Cell::Shared { outcome, relabel } => {
                let shared = self.outcomes.get(outcome)?;
                if !keep(shared) {
                    return None;
                }
                relabel::carry(shared, relabel, s, d)
            }
            Cell::OneByOne => {
                let own = self.outcomes.get(single(j)?)?;
                if !keep(own) {
                    return None;
                }
                Cow::Borrowed(own)
            }
        };
        Some(ReachRow {
            source: &s.name,
            destination: &d.name,
            destination_ip: d.ip,
            verdict,
        })
    }
}

/// Members of each class, by index into the endpoint list.
fn members(endpoints: &[Endpoint], classes: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); classes];
    for (i, e) in endpoints.iter().enumerate() {
        if let Some(m) = out.get_mut(e.class) {
            m.push(i);
        }
    }
    out
}

/// Renumbers classes densely within one list, in order of first appearance.
fn endpoints(net: &Network, list: &[(Member, u32)]) -> (Vec<Endpoint>, usize) {
    let mut dense: HashMap<u32, usize> = HashMap::new();
    let out = list
        .iter()
        .filter_map(|(m, class)| {
            let next = dense.len();
            let class = *dense.entry(*class).or_insert(next);
            let (name, ip, private_endpoint, index) = match *m {
                Member::Workload(i) => net
                    .workloads
                    .get(i)
                    .map(|w| (&w.name, w.ip, false, i.index()))?,
                Member::PrivateEndpoint(i) => net
                    .private_endpoints
                    .get(i)
                    .map(|p| (&p.name, p.ip, true, i.index()))?,
                Member::Site(i) => net
                    .site(i)
                    .and_then(|s| Some((&s.name, s.default_address()?, false, i.index())))?,
            };
            Some(Endpoint {
                name: name.clone(),
                ip,
                private_endpoint,
                site: matches!(m, Member::Site(_)),
                index,
                class,
            })
        })
        .collect();
    (out, dense.len())
}

/// Adds `n` pairs to verdict `name`'s count, copying the name only the first time.
fn count(verdicts: &mut BTreeMap<String, u64>, name: &str, n: u64) {
    match verdicts.get_mut(name) {
        Some(c) => *c += n,
        None => {
            verdicts.insert(name.to_string(), n);
        }
    }
}

/// Class pairs traced between two rounds of interning their verdicts.
const CHUNK: usize = 16_384;

/// Distinct verdicts, numbered in order of first use.
#[derive(Default)]
struct Outcomes {
    list: Vec<Verdict>,
    index: HashMap<Arc<str>, usize>,
}

impl Outcomes {
    /// The number of verdict `v`, whose fingerprint is `key`.
    fn add(&mut self, v: Verdict, key: Arc<str>) -> usize {
        if let Some(i) = self.index.get(&key) {
            return *i;
        }
        self.list.push(v);
        let i = self.list.len() - 1;
        self.index.insert(key, i);
        i
    }
}

/// What tracing a class pair's representative gave.
enum Traced {
    Empty,
    Shared(Verdict, Arc<str>, Relabel),
    OneByOne,
}

/// The matrix's sources and destinations, grouped by class, and how one pair is traced.
struct Matrix<'a> {
    net: &'a Network,
    dp: &'a DataPlane,
    connection: Connection,
    sources: Vec<Endpoint>,
    destinations: Vec<Endpoint>,
    source_nics: Vec<Member>,
    destination_nics: Vec<Member>,
    by_source: Vec<Vec<usize>>,
    by_destination: Vec<Vec<usize>>,
    source_classes: usize,
    destination_classes: usize,
    source_marks: Vec<relabel::Marks>,
    destination_marks: Vec<relabel::Marks>,
    /// Whether a source can be its own destination.
    destinations_with_workloads: bool,
}

impl<'a> Matrix<'a> {
    fn new(net: &'a Network, dp: &'a DataPlane, request: &ReachRequest) -> Self {
        let workloads: Vec<Member> = net.workloads.ids().map(Member::Workload).collect();
        let private_endpoints: Vec<Member> = net
            .private_endpoints
            .ids()
            .map(Member::PrivateEndpoint)
            .collect();
        let all: Vec<Member> = workloads
            .iter()
            .chain(&private_endpoints)
            .copied()
            .collect();
        let class = classes::classes(net, dp, &all);
        let tagged: Vec<(Member, u32)> = all.iter().copied().zip(class).collect();
        let (source_list, destination_list) = tagged.split_at(workloads.len());
        let mut destination_list: Vec<(Member, u32)> = match request.destinations {
            Destinations::Everything => tagged.clone(),
            Destinations::PrivateEndpoints => destination_list.to_vec(),
        };
        let mut source_list = source_list.to_vec();
        if request.sites {
            // Each site is a class of its own: a site's routes to Azure are its own.
            let sites = classes::site_members(net, &tagged);
            source_list.extend(sites.iter().copied());
            if request.destinations == Destinations::Everything {
                destination_list.extend(sites);
            }
        }
        let source_list = source_list.as_slice();
        let (sources, source_classes) = endpoints(net, source_list);
        let (destinations, destination_classes) = endpoints(net, &destination_list);
        Matrix {
            net,
            dp,
            connection: request.connection(),
            source_nics: source_list.iter().map(|(m, _)| *m).collect(),
            destination_nics: destination_list.iter().map(|(m, _)| *m).collect(),
            destinations_with_workloads: destination_list
                .iter()
                .any(|(m, _)| matches!(m, Member::Workload(_) | Member::Site(_))),
            source_marks: sources.iter().map(relabel::Marks::of).collect(),
            destination_marks: destinations.iter().map(relabel::Marks::of).collect(),
            by_source: members(&sources, source_classes),
            by_destination: members(&destinations, destination_classes),
            sources,
            destinations,
            source_classes,
            destination_classes,
        }
    }

    /// The verdict of source `s` to destination `d`.
    fn trace_one(&self, s: usize, d: usize) -> Option<Verdict> {
        let from = match self.source_nics.get(s)? {
            Member::Workload(w) => TraceSource::Workload(*w),
            Member::Site(i) => TraceSource::Site(*i, self.sources.get(s)?.ip),
            Member::PrivateEndpoint(_) => return None,
        };
        let to = self.destinations.get(d)?.ip;
        flow::verdict_to(self.net, self.dp, from, to, &self.connection)
    }

    /// The pairs of a class pair: every source member with every destination member but itself.
    fn pairs_of(&self, a: usize, b: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let sources = self.by_source.get(a).map(Vec::as_slice).unwrap_or_default();
        let destinations = self
            .by_destination
            .get(b)
            .map(Vec::as_slice)
            .unwrap_or_default();
        sources.iter().flat_map(move |s| {
            destinations
                .iter()
                .filter(move |d| self.source_nics.get(*s) != self.destination_nics.get(**d))
                .map(move |d| (*s, *d))
        })
    }

    /// How many pairs class pair `(a, b)` holds: every source with every destination, less the
    /// source itself where the destinations include workloads.
    fn pair_count(&self, a: usize, b: usize) -> u64 {
        if self.destinations_with_workloads {
            return self.pairs_of(a, b).count() as u64;
        }
        let len = |x: &Vec<Vec<usize>>, i: usize| x.get(i).map_or(0, Vec::len) as u64;
        len(&self.by_source, a) * len(&self.by_destination, b)
    }

    /// Traces class pair `(a, b)`'s representative: whether its verdict carries over to the
    /// class pair's other pairs.
    fn trace_cell(&self, (a, b): (usize, usize), seen: &mut relabel::Fingerprints) -> Traced {
        let Some((s, d)) = self.pairs_of(a, b).next() else {
            return Traced::Empty;
        };
        let (Some(mut verdict), Some(se), Some(de), Some(sm), Some(dm)) = (
            self.trace_one(s, d),
            self.sources.get(s),
            self.destinations.get(d),
            self.source_marks.get(s),
            self.destination_marks.get(d),
        ) else {
            return Traced::Empty;
        };
        match relabel::relabel_for(&mut verdict, se, de, (sm, dm), seen) {
            Some((r, key)) => Traced::Shared(verdict, key, r),
            None => Traced::OneByOne,
        }
    }

    /// The class pairs `chunk` traced by their representatives: their cells, in order, with
    /// the pairs of the cells whose verdict cannot be carried over.
    fn class_pairs(
        &self,
        chunk: &[(usize, usize)],
        outcomes: &mut Outcomes,
        summary: &mut ReachSummary,
    ) -> (Vec<Cell>, Vec<(usize, usize)>) {
        let traced: Vec<Traced> = chunk
            .par_iter()
            .map_init(relabel::Fingerprints::default, |seen, &c| {
                self.trace_cell(c, seen)
            })
            .collect();
        let mut cells = Vec::with_capacity(chunk.len());
        let mut singles = Vec::new();
        for (&(a, b), t) in chunk.iter().zip(traced) {
            let cell = match t {
                Traced::Empty => Cell::Empty,
                Traced::OneByOne => {
                    summary.traced += 1;
                    singles.extend(self.pairs_of(a, b));
                    Cell::OneByOne
                }
                Traced::Shared(v, key, relabel) => {
                    summary.traced += 1;
                    let n = self.pair_count(a, b);
                    summary.pairs += n;
                    count(&mut summary.verdicts, v.name(), n);
                    Cell::Shared {
                        outcome: outcomes.add(v, key),
                        relabel,
                    }
                }
            };
            cells.push(cell);
        }
        (cells, singles)
    }

    /// The pairs `singles` (of class pairs whose verdict cannot be carried over), traced pair
    /// by pair, in chunks.
    fn one_by_one(
        &self,
        singles: &[(usize, usize)],
        outcomes: &mut Outcomes,
        summary: &mut ReachSummary,
        progress: &mut dyn FnMut(Progress),
    ) -> Vec<Single> {
        let mut out: Vec<Single> = Vec::with_capacity(singles.len());
        for (i, chunk) in singles.chunks(CHUNK).enumerate() {
            if singles.len() > CHUNK {
                progress(Progress::OneByOne {
                    done: (i * CHUNK) as u64,
                    of: singles.len() as u64,
                });
            }
            let verdicts: Vec<Option<Verdict>> = chunk
                .par_iter()
                .map(|&(s, d)| self.trace_one(s, d))
                .collect();
            for (&(s, d), v) in chunk.iter().zip(verdicts) {
                summary.traced += 1;
                summary.traced_one_by_one += 1;
                let Some(v) = v else { continue };
                summary.pairs += 1;
                count(&mut summary.verdicts, v.name(), 1);
                let key = relabel::fingerprint(&v).into();
                out.push(Single {
                    source: s,
                    destination: d,
                    outcome: outcomes.add(v, key),
                });
            }
        }
        out
    }
}

/// How far a matrix has got, reported between chunks of traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Class pairs traced by their representative.
    ClassPairs {
        /// Traced so far.
        done: u64,
        /// Of.
        of: u64,
    },
    /// Pairs traced one by one (after every class pair).
    OneByOne {
        /// Traced so far.
        done: u64,
        /// Of.
        of: u64,
    },
}

/// The reachability matrix of `net` for `request`.
pub fn reach(net: &Network, dp: &DataPlane, request: &ReachRequest) -> ReachAnswer {
    reach_with_progress(net, dp, request, &mut |_| {})
}

/// [`reach`], telling `progress` how far it has got before each chunk of traces.
pub fn reach_with_progress(
    net: &Network,
    dp: &DataPlane,
    request: &ReachRequest,
    progress: &mut dyn FnMut(Progress),
) -> ReachAnswer {
    ReachRun::new(net, dp, request).run(progress)
}

/// A matrix about to be computed: its sources and destinations (and so the width of every
/// column a report aligns) are known before the first trace.
pub struct ReachRun<'a> {
    matrix: Matrix<'a>,
    request: ReachRequest,
}

impl std::fmt::Debug for ReachRun<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReachRun")
            .field("request", &self.request)
            .field("sources", &self.matrix.sources.len())
            .field("destinations", &self.matrix.destinations.len())
            .finish_non_exhaustive()
    }
}

impl<'a> ReachRun<'a> {
    /// Groups the sources and destinations of `request` into classes; traces nothing yet.
    pub fn new(net: &'a Network, dp: &'a DataPlane, request: &ReachRequest) -> Self {
        Self {
            matrix: Matrix::new(net, dp, request),
            request: request.clone(),
        }
    }

    /// The sources, in the order the rows come.
    pub fn sources(&self) -> &[Endpoint] {
        &self.matrix.sources
    }

    /// The destinations, in the order each source's rows come.
    pub fn destinations(&self) -> &[Endpoint] {
        &self.matrix.destinations
    }

    /// What is computed.
    pub fn request(&self) -> &ReachRequest {
        &self.request
    }

    /// Computes the matrix, expanding no pair.
    pub fn run(self, progress: &mut dyn FnMut(Progress)) -> ReachAnswer {
        match self.compute::<std::convert::Infallible>(progress, None) {
            Ok(answer) => answer,
            Err(never) => match never {},
        }
    }

    /// Computes the matrix, handing `sink` every pair whose verdict `keep` accepts as soon as
    /// its source's class pairs are traced: in the order of [`ReachAnswer::rows_where`] (by
    /// source, then destination), so a report can write them as they come and keep none. The
    /// class pairs are traced source class by source class, and classes are numbered in the
    /// order of their first source, so the rows of the first sources come after the first
    /// chunk of traces. Stops at the first error of `sink` and returns it; else returns the
    /// whole answer (its summary counts every pair, whatever `keep` says).
    pub fn stream<E>(
        self,
        progress: &mut dyn FnMut(Progress),
        keep: impl Fn(&Verdict) -> bool,
        mut sink: impl FnMut(ReachRow<'_>) -> Result<(), E>,
    ) -> Result<ReachAnswer, E> {
        self.compute(progress, Some((&keep, &mut sink)))
    }

    /// [`ReachRun::stream`], or [`ReachRun::run`] when `rows` is `None`.
    #[allow(clippy::type_complexity)]
    fn compute<E>(
        self,
        progress: &mut dyn FnMut(Progress),
        mut rows: Option<(
            &dyn Fn(&Verdict) -> bool,
            &mut dyn FnMut(ReachRow<'_>) -> Result<(), E>,
        )>,
    ) -> Result<ReachAnswer, E> {
        let m = &self.matrix;
        let (source_classes, destination_classes) = (m.source_classes, m.destination_classes);
        let of = (source_classes * destination_classes) as u64;
        let mut outcomes = Outcomes::default();
        let mut summary = ReachSummary {
            source_classes,
            destination_classes,
            ..ReachSummary::default()
        };
        let mut cells: Vec<Cell> = Vec::with_capacity(source_classes * destination_classes);
        let mut one_by_one: Vec<Single> = Vec::new();
        // The singles of sources whose rows are not written yet, by (source, destination).
        let mut pending: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        let mut next_source = 0;
        let mut chunk: Vec<(usize, usize)> = Vec::with_capacity(CHUNK);
        let mut pairs = (0..source_classes)
            .flat_map(|a| (0..destination_classes).map(move |b| (a, b)))
            .peekable();
        while pairs.peek().is_some() {
            progress(Progress::ClassPairs {
                done: cells.len() as u64,
                of,
            });
            chunk.clear();
            chunk.extend(pairs.by_ref().take(CHUNK));
            let (done, singles) = m.class_pairs(&chunk, &mut outcomes, &mut summary);
            cells.extend(done);
            let traced = m.one_by_one(&singles, &mut outcomes, &mut summary, progress);
            if rows.is_some() {
                pending.extend(
                    traced
                        .iter()
                        .map(|x| ((x.source, x.destination), x.outcome)),
                );
            }
            one_by_one.extend(traced);
            // Every class below `complete` has all its class pairs traced.
            let complete = cells
                .len()
                .checked_div(destination_classes)
                .unwrap_or(source_classes);
            let Some((keep, sink)) = rows.as_mut() else {
                continue;
            };
            let view = View {
                cells: &cells,
                width: destination_classes,
                outcomes: &outcomes.list,
            };
            while let Some(s) = m.sources.get(next_source).filter(|s| s.class < complete) {
                let i = next_source;
                let single = |j: usize| pending.get(&(i, j)).copied();
                for (j, d) in m.destinations.iter().enumerate() {
                    if let Some(row) = view.row(s, (j, d), single, &**keep) {
                        sink(row)?;
                    }
                }
                while let Some(e) = pending.first_entry().filter(|e| e.key().0 <= i) {
                    e.remove();
                }
                next_source += 1;
            }
        }
        one_by_one.sort_by_key(|x| (x.source, x.destination));
        Ok(ReachAnswer {
            request: self.request,
            summary,
            sources: self.matrix.sources,
            destinations: self.matrix.destinations,
            cells,
            outcomes: outcomes.list,
            one_by_one,
        })
    }
}
