//! What checking a scenario's questions yields: per question, pass, fail with typed
//! differences, or skipped, with the answer it was checked against.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use crate::dns::Resolution;
use crate::model::{
    Access, Direction, FlowProtocol, NextHop, NextHopSpec, RouteRowExpect, RouteSource, RoutesMode,
    SetPattern,
};
use crate::query::{FlowVerifyAnswer, NextHopAnswer, RoutesAnswer};
use crate::route::EffectiveRoute;
use crate::scenario::{ResolveOutcomeName, Span, SymptomName, VerdictName};
use crate::trace::TraceAnswer;

/// The outcome of every question of a scenario.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct CheckReport {
    /// One result per question, in file order.
    pub results: Vec<QuestionResult>,
}

impl CheckReport {
    /// How many questions held.
    pub fn passed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Pass))
    }

    /// How many did not.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Fail { .. }))
    }

    /// How many could not be evaluated.
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped { .. }))
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|r| f(&r.outcome)).count()
    }
}

/// One question's result, with the answer it was checked against.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct QuestionResult {
    /// What was asked, with names resolved.
    pub question: Asked,
    /// Where it was written.
    pub span: Span,
    /// Pass, fail (with every difference) or skipped.
    pub outcome: Outcome,
    /// The answer azpath computed.
    pub evidence: Option<Evidence>,
}

/// A question as asked, with its names resolved and what it expects in brief.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "question")]
pub enum Asked {
    /// A subnet's (or workload's) effective routes.
    Routes {
        /// The subnet or workload.
        at: String,
        /// How rows and routes are compared.
        mode: RoutesMode,
        /// How many rows are expected.
        rows: usize,
    },
    /// The next hop towards an address.
    NextHop {
        /// The subnet or workload.
        from: String,
        /// The destination.
        to: IpAddr,
        /// The expected next hop.
        next_hop: NextHopSpec,
    },
    /// NSG flow verify at a NIC.
    FlowVerify {
        /// The NIC.
        at: String,
        /// As seen by the NIC.
        direction: Direction,
        /// Protocol.
        protocol: FlowProtocol,
        /// The other end.
        remote: IpAddr,
        /// The service port.
        port: u16,
        /// The expected decision.
        access: Access,
    },
    /// A name resolution.
    Resolve {
        /// Who resolves.
        client: String,
        /// The name.
        name: String,
        /// The expected outcome.
        outcome: ResolveOutcomeName,
    },
    /// A trace.
    Trace {
        /// The client.
        from: Client,
        /// The destination: an address or a name, as written.
        to: String,
        /// Protocol.
        protocol: FlowProtocol,
        /// Destination port.
        port: u16,
        /// A new flow, or one already established.
        #[serde(skip_serializing_if = "crate::scenario::FlowState::is_new")]
        flow: crate::scenario::FlowState,
        /// The expected verdict.
        verdict: VerdictName,
    },
    /// Every trace between two sets.
    ForAllTraces {
        /// The sources.
        from: SetPattern,
        /// The destinations.
        to: SetPattern,
        /// Protocol.
        protocol: FlowProtocol,
        /// Destination port.
        port: u16,
        /// The expected verdict.
        verdict: VerdictName,
        /// Cases checked.
        cases: usize,
    },
    /// Every subnet of a set's routes.
    ForAllRoutes {
        /// The subnets.
        at: SetPattern,
        /// How rows and routes are compared.
        mode: RoutesMode,
        /// How many rows are expected.
        rows: usize,
        /// Cases checked.
        cases: usize,
    },
}

/// Who starts a trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "client")]
pub enum Client {
    /// A workload.
    Workload {
        /// Its name.
        name: String,
    },
    /// A client on the Internet.
    Internet {
        /// Its public address.
        address: IpAddr,
    },
    /// A client at an on-premises site.
    Site {
        /// The site.
        name: String,
        /// The client's address there.
        address: IpAddr,
    },
}

/// Whether an expectation held.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[serde(tag = "outcome")]
pub enum Outcome {
    /// The answer matches the expectation.
    Pass,
    /// It does not; every difference is listed.
    Fail {
        /// The differences.
        problems: Vec<Problem>,
    },
    /// Not evaluated.
    Skipped {
        /// Why.
        reason: SkipReason,
    },
}

/// Why a question was not evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum SkipReason {
    /// The place resolved but has no answer (no compiled table, or a trace source that is
    /// gone); validation rules this out for loaded scenarios.
    NoAnswerForPlace,
}

/// One case of an estate-wide question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "case")]
pub enum Case {
    /// A trace from a workload to a destination.
    Pair {
        /// The source workload.
        from: String,
        /// The destination, by name.
        to: String,
    },
    /// A subnet's effective routes.
    Subnet {
        /// The subnet, `vnet/subnet`.
        subnet: String,
    },
}

/// One difference between expectation and answer.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[serde(tag = "problem")]
pub enum Problem {
    /// An expected route is not in the table.
    MissingRoute {
        /// The expected row.
        expected: RouteRowExpect,
    },
    /// A route that should be absent is present.
    ExcludedRoutePresent {
        /// The row that should match nothing.
        expected: RouteRowExpect,
        /// The route that matched it.
        actual: EffectiveRoute,
    },
    /// A route no expected row accounts for (with `Exactly`).
    UnexpectedRoute {
        /// The route.
        actual: EffectiveRoute,
    },
    /// An expected hub route is not in the hub's table.
    MissingHubRoute {
        /// The expected row.
        expected: crate::model::HubRowExpect,
    },
    /// A hub route that should be absent is present.
    ExcludedHubRoutePresent {
        /// The row that should match nothing.
        expected: crate::model::HubRowExpect,
        /// The route that matched it.
        actual: crate::query::HubEffectiveRoute,
    },
    /// A hub route no expected row accounts for (with `Exactly`).
    UnexpectedHubRoute {
        /// The route.
        actual: crate::query::HubEffectiveRoute,
    },
    /// One case of an estate-wide question does not hold.
    Counterexample {
        /// The case.
        case: Case,
        /// Its differences.
        problems: Vec<Problem>,
    },
    /// The trace ends with another verdict.
    Verdict {
        /// Expected.
        expected: VerdictName,
        /// Computed.
        actual: VerdictName,
    },
    /// Neither the request nor the reply passes a NIC, VNet or hub named in `via`.
    MissesVia {
        /// The NIC, VNet or hub.
        name: String,
    },
    /// The request or reply passes a NIC, VNet or hub named in `not_via`.
    PassesNotVia {
        /// The NIC, VNet or hub.
        name: String,
    },
    /// The client sees another kind of symptom.
    Symptom {
        /// Expected.
        expected: SymptomName,
        /// Computed.
        actual: SymptomName,
    },
    /// The destination sees another source address (`None`: none azpath can know).
    SourceSeen {
        /// Expected.
        expected: std::net::IpAddr,
        /// Computed.
        actual: Option<std::net::IpAddr>,
    },
    /// The request passes other regions.
    Regions {
        /// Expected, in order.
        expected: Vec<String>,
        /// Computed, in order.
        actual: Vec<String>,
    },
    /// The resolution ends otherwise.
    ResolveOutcome {
        /// Expected.
        expected: ResolveOutcomeName,
        /// Computed.
        actual: ResolveOutcomeName,
    },
    /// The resolution returns other addresses.
    Addresses {
        /// Expected, in order.
        expected: Vec<IpAddr>,
        /// Computed, in order.
        actual: Vec<IpAddr>,
    },
    /// The resolution does not pass a zone, DNS server, endpoint or ruleset named in `via`.
    MissesDnsVia {
        /// Its name.
        name: String,
    },
    /// The NSGs decide otherwise.
    Access {
        /// Expected.
        expected: Access,
        /// Computed.
        actual: Access,
    },
    /// Another NSG (or none) decides.
    DecidingNsg {
        /// Expected.
        expected: String,
        /// The NSG that decided, if any.
        actual: Option<String>,
    },
    /// Another rule (or none) decides.
    DecidingRule {
        /// Expected.
        expected: String,
        /// The rule that decided, if any.
        actual: Option<String>,
    },
    /// The next hop differs.
    NextHop {
        /// Expected.
        expected: NextHopSpec,
        /// Computed.
        actual: NextHop,
    },
    /// The winning route has another prefix (or no route wins).
    RoutePrefix {
        /// Expected.
        #[schemars(with = "String")]
        expected: IpNet,
        /// Computed.
        #[schemars(with = "Option<String>")]
        actual: Option<IpNet>,
    },
    /// The winning route has another source (or no route wins).
    RouteSource {
        /// Expected.
        expected: RouteSource,
        /// Computed.
        actual: Option<RouteSource>,
    },
    /// The winning route comes from another route table.
    RouteTable {
        /// Expected: a table name, or `System Route`.
        expected: String,
        /// Computed.
        actual: String,
    },
}

/// The answer a question was checked against.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind")]
pub enum Evidence {
    /// Effective routes.
    Routes(RoutesAnswer),
    /// A virtual hub's effective routes.
    HubRoutes(crate::query::HubRoutesAnswer),
    /// A next hop.
    NextHop(Box<NextHopAnswer>),
    /// NSG decisions at a NIC.
    FlowVerify(FlowVerifyAnswer),
    /// A trace.
    Trace(Box<TraceAnswer>),
    /// A name resolution.
    Resolve(Box<Resolution>),
    /// The first counterexamples of an estate-wide question, each with its own evidence.
    Counterexamples {
        /// Cases checked.
        checked: usize,
        /// Cases that failed.
        failed: usize,
        /// The first few, with their answers.
        shown: Vec<(Case, Evidence)>,
    },
}
