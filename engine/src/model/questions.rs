//! Questions a scenario asks, with the answers it expects, in resolved form.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use super::{
    Access, Direction, FlowProtocol, NextHopType, NicRef, NsgId, Place, RouteSource, RouteState,
    RouteTableId, VnetId, ZoneId,
};
use crate::scenario::{ResolveOutcomeName, Span, SymptomName, VerdictName};

/// A question and where it was written.
#[derive(Clone, Debug)]
pub struct Question {
    /// What is asked and what is expected.
    pub kind: QuestionKind,
    /// Where the question starts in the file.
    pub span: Span,
}

/// The questions azpath can check.
#[derive(Clone, Debug)]
pub enum QuestionKind {
    /// What a subnet's effective route table shows.
    Routes {
        /// The subnet or workload asked about.
        at: Place,
        /// What the table must show.
        expect: RoutesExpect,
    },
    /// Where traffic from a place to an IP goes next.
    NextHop {
        /// The subnet or workload the traffic leaves.
        from: Place,
        /// The destination.
        to: IpAddr,
        /// The expected answer.
        expect: NextHopExpect,
    },
    /// Whether the NSGs at a NIC let a flow through (Network Watcher's IP flow verify).
    FlowVerify {
        /// The NIC checked.
        nic: NicRef,
        /// The direction, as seen by the NIC.
        direction: Direction,
        /// The other end of the flow.
        remote: RemoteEnd,
        /// The expected answer.
        expect: FlowVerifyExpect,
    },
    /// Every trace between two sets meets the expectation.
    ForAllTraces {
        /// The sources' set as written.
        from_set: SetPattern,
        /// The destinations' set as written.
        to_set: SetPattern,
        /// The sources.
        from: Vec<super::WorkloadId>,
        /// The destinations.
        to: Vec<ForAllTarget>,
        /// Protocol.
        protocol: FlowProtocol,
        /// Destination port.
        port: u16,
        /// What every trace must show.
        expect: TraceExpect,
    },
    /// Every subnet of a set has the expected routes.
    ForAllRoutes {
        /// The set as written.
        set: SetPattern,
        /// The subnets.
        at: Vec<super::SubnetId>,
        /// What every table must show.
        expect: RoutesExpect,
    },
    /// How a name resolves.
    Resolve {
        /// Who resolves.
        from: crate::model::Resolver,
        /// The name.
        name: String,
        /// The expected answer.
        expect: ResolveExpect,
    },
    /// What a virtual hub's route table (or its firewall's) shows.
    HubRoutes {
        /// The table asked about.
        at: super::HubTableRef,
        /// What the table must show.
        expect: super::HubRoutesExpect,
    },
    /// A hop-by-hop trace of a request and its reply.
    Trace {
        /// The workload (or Internet client) that starts the connection.
        from: super::TraceSource,
        /// The destination: an address, or a name (skipped until names are resolved).
        to: TraceTarget,
        /// Protocol.
        protocol: FlowProtocol,
        /// Destination port.
        port: u16,
        /// The name asked for (TLS SNI / HTTP host), for firewall application rules.
        host: Option<String>,
        /// A new flow, or one established before the network reached its present state.
        flow: crate::scenario::FlowState,
        /// The expected outcome.
        expect: TraceExpect,
    },
}

/// What kind of objects a set of an estate-wide question selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum SetKind {
    /// Workloads (App Service and API Management instances included).
    Workloads,
    /// Subnets.
    Subnets,
    /// Private endpoints.
    PrivateEndpoints,
    /// Services.
    Services,
}

/// A set of an estate-wide question as written: a kind with its `vnet` and `name` patterns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SetPattern {
    /// What it selects.
    pub kind: SetKind,
    /// The VNet pattern (`*` matches any run of characters), if given.
    pub vnet: Option<String>,
    /// The name pattern, if given.
    pub name: Option<String>,
}

/// How expected route rows relate to the effective route table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum RoutesMode {
    /// Every expected row matches some route.
    Contains,
    /// No expected row matches any route.
    Excludes,
    /// Rows and routes match one to one.
    Exactly,
}

/// Expected effective routes.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RoutesExpect {
    /// How the rows are compared.
    pub mode: RoutesMode,
    /// The rows.
    pub rows: Vec<RouteRowExpect>,
}

/// One expected route; a field that is `None` was not written and is not checked (the next hop
/// type `None` is `Some(NextHopSpec { next_hop_type: NextHopType::None, .. })`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RouteRowExpect {
    /// The prefix.
    #[schemars(with = "Option<String>")]
    pub prefix: Option<IpNet>,
    /// The source.
    pub source: Option<RouteSource>,
    /// The state.
    pub state: Option<RouteState>,
    /// The next hop.
    pub next_hop: Option<NextHopSpec>,
}

/// An expected next hop: a type and, for `VirtualAppliance`, the IP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NextHopSpec {
    /// The type.
    #[serde(rename = "type")]
    pub next_hop_type: NextHopType,
    /// The IP, when given; `None` matches any.
    pub ip: Option<IpAddr>,
}

impl NextHopSpec {
    /// Whether an actual next hop fits this expectation.
    pub fn matches(&self, next_hop_type: NextHopType, ip: Option<IpAddr>) -> bool {
        self.next_hop_type == next_hop_type && (self.ip.is_none() || self.ip == ip)
    }
}

impl std::fmt::Display for NextHopSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ip {
            Some(ip) => write!(f, "{} {ip}", self.next_hop_type),
            None => write!(f, "{}", self.next_hop_type),
        }
    }
}

/// The expected next-hop answer; a field that is `None` was not written and is not checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NextHopExpect {
    /// The next hop.
    pub next_hop: NextHopSpec,
    /// The winning route's prefix.
    #[schemars(with = "Option<String>")]
    pub prefix: Option<IpNet>,
    /// The winning route's source.
    pub source: Option<RouteSource>,
    /// The winning route's table, or `System Route`.
    pub route_table: Option<RouteTableRef>,
}

/// How Network Watcher names the route table of a system route.
pub const SYSTEM_ROUTE: &str = "System Route";

/// The route table a winning route comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum RouteTableRef {
    /// A system route (Azure prints `System Route`).
    System,
    /// A user route of this table.
    Table(RouteTableId),
}

/// The other end of a flow checked at a NIC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RemoteEnd {
    /// Protocol.
    pub protocol: FlowProtocol,
    /// The other end's address.
    pub address: IpAddr,
    /// The service port: the destination port of the flow (remote for outbound, local for
    /// inbound).
    pub port: u16,
    /// The client's (source) port.
    pub source_port: u16,
}

/// The expected flow-verify answer; a field that is `None` was not written and is not checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FlowVerifyExpect {
    /// Allow or deny.
    pub access: Access,
    /// The NSG whose rule decided.
    pub nsg: Option<NsgId>,
    /// The deciding rule, by name (a rule of that NSG, or one of Azure's default rules).
    pub rule: Option<String>,
}

/// Where a trace goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum TraceTarget {
    /// An address.
    Address(IpAddr),
    /// A name, to be resolved.
    Name(String),
}

impl TraceTarget {
    /// An address when `text` is one, else a name.
    pub fn parse(text: &str) -> Self {
        match text.trim().parse::<IpAddr>() {
            Ok(ip) => TraceTarget::Address(ip),
            Err(_) => TraceTarget::Name(text.trim().to_string()),
        }
    }
}

/// One destination of an estate-wide trace question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForAllTarget {
    /// Its name, for the report.
    pub name: String,
    /// Where the trace goes.
    pub to: TraceTarget,
    /// The name the client asks for (a private endpoint's service FQDN).
    pub host: Option<String>,
    /// The NIC, so that no workload is asked to reach itself.
    pub nic: Option<super::NicRef>,
}

/// The expected outcome of a resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveExpect {
    /// How it ends.
    pub outcome: ResolveOutcomeName,
    /// The addresses, in order (`None`: not checked).
    pub addresses: Option<Vec<IpAddr>>,
    /// Zones, DNS servers, resolver endpoints or rulesets it must pass.
    pub via: Vec<DnsPoint>,
}

macro_rules! dns_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
        pub struct $name(pub usize);
    )*};
}

dns_id!(
    /// Index of a DNS server in `Network::dns.forwarders`.
    ForwarderId,
    /// Index of a resolver inbound endpoint in `Network::dns.inbound_endpoints`.
    InboundEndpointId,
    /// Index of a forwarding ruleset in `Network::dns.rulesets`.
    RulesetId,
);

/// A DNS object a resolution can pass.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
pub enum DnsPoint {
    /// A private DNS zone answered (or fell back to the Internet).
    Zone(ZoneId),
    /// A DNS server on a workload was asked.
    Forwarder(ForwarderId),
    /// A DNS Private Resolver inbound endpoint was asked.
    InboundEndpoint(InboundEndpointId),
    /// A forwarding ruleset's rule sent the query on.
    Ruleset(RulesetId),
    /// An Azure Firewall's DNS proxy was asked.
    Firewall(super::FirewallId),
}

/// A point a trace's path can pass: a NIC, or a VNet (a virtual hub is its hub VNet).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathPoint {
    /// A workload's, private endpoint's or firewall's NIC.
    Nic(NicRef),
    /// A VNet or virtual hub.
    Vnet(VnetId),
}

/// The expected outcome of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceExpect {
    /// The verdict.
    pub verdict: VerdictName,
    /// What the request or reply must pass.
    pub via: Vec<PathPoint>,
    /// What neither may pass.
    pub not_via: Vec<PathPoint>,
    /// The kind of symptom the client sees.
    pub symptom: Option<SymptomName>,
    /// The regions the request passes, in order.
    pub regions: Option<Vec<String>>,
    /// The source address the destination sees.
    pub source_seen: Option<IpAddr>,
}
