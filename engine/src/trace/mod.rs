//! The hop-by-hop tracer: follows a packet from a workload across NICs, NSGs, effective routes,
//! peerings, virtual WAN hubs and network virtual appliances, then follows the reply back, and
//! ends in one verdict from a closed set with the symptom the client would see. A trace to a
//! name resolves it first, as the client does.
//!
//! The answer is evidence, not prose: every reason is a closed enum ([`verdict`]), places are
//! named as the scenario names them, and `report` writes the sentences.

mod appliance_egress;
mod arrive;
mod backend_pick;
pub mod balance;
mod branch;
pub mod egress;
pub mod established;
mod firewall_dns;
mod firewall_snat;
mod forward;
mod gateway_reply;
mod hub;
mod onprem;
mod outbound;
mod platform;
mod reenter;
mod reply;
mod service;
mod service_port;
mod snat_pick;
mod snat_pool;
mod tag_ranges;
pub mod verdict;
mod walk;

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::filter::firewall::FirewallDecision;
use crate::filter::Flow;
use crate::model::{FlowProtocol, Name};
use crate::query::{FlowVerifyAnswer, NextHopAnswer};
use crate::route::hub::HubLookup;

pub use verdict::{
    ApimBlocked, ApimRequirement, Assumed, Assumption, FirewallRule, GatewayPath, NextHopFault,
    NsgRule, OneWay, PeeringRefusal, ReplyFault, Symptom, Verdict,
};
pub use walk::{
    host_asked, trace, trace_from, trace_from_flow, trace_name, trace_name_flow, trace_to,
    trace_to_flow, trace_verdict,
};

/// The most hops a packet may take before azpath calls it a loop.
pub const HOP_LIMIT: usize = 32;

/// What to trace to an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TraceRequest {
    /// Protocol.
    pub protocol: FlowProtocol,
    /// Destination address.
    pub destination: IpAddr,
    /// Destination port.
    pub port: u16,
    /// Source port.
    pub source_port: u16,
    /// The name the client asks for (TLS SNI or HTTP host), which firewall application rules
    /// match. `None`: the target FQDN of the private endpoint at the destination, if any.
    pub host: Option<String>,
}

/// What the client sends, wherever it goes: a [`TraceRequest`] before its destination address
/// is known (a trace to a name resolves it first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Probe {
    /// Protocol.
    pub protocol: FlowProtocol,
    /// Destination port.
    pub port: u16,
    /// Source port.
    pub source_port: u16,
    /// The name the client asks for (TLS SNI or HTTP host). `None`: the name traced to, else
    /// the target FQDN of the private endpoint at the destination, if any.
    pub host: Option<String>,
}

impl Probe {
    /// The request to `destination`.
    pub fn to(self, destination: IpAddr) -> TraceRequest {
        TraceRequest {
            protocol: self.protocol,
            destination,
            port: self.port,
            source_port: self.source_port,
            host: self.host,
        }
    }
}

impl TraceRequest {
    /// The request without its destination.
    pub fn probe(self) -> Probe {
        Probe {
            protocol: self.protocol,
            port: self.port,
            source_port: self.source_port,
            host: self.host,
        }
    }
}

/// A packet's addresses and ports at one point of its path.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub struct Packet {
    /// Source address.
    pub src: IpAddr,
    /// Source port.
    pub src_port: u16,
    /// Destination address.
    pub dst: IpAddr,
    /// Destination port.
    pub dst_port: u16,
}

impl Packet {
    /// The flow NSGs see.
    pub fn flow(&self, protocol: FlowProtocol) -> Flow {
        Flow {
            protocol,
            src: self.src,
            src_port: self.src_port,
            dst: self.dst,
            dst_port: self.dst_port,
        }
    }

    /// The reply to this packet.
    pub fn reply(&self) -> Packet {
        Packet {
            src: self.dst,
            src_port: self.dst_port,
            dst: self.src,
            dst_port: self.src_port,
        }
    }
}

/// One NIC the packet passes, and what happened there.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Hop {
    /// The NIC (workload or private endpoint). Names are shared with the compiled data plane
    /// ([`crate::dataplane::SharedNames`]): a hop copies no text.
    pub nic: Name,
    /// Its subnet.
    pub subnet: Name,
    /// Its VNet.
    pub vnet: Name,
    /// Its region.
    pub region: Name,
    /// The packet as it arrives.
    pub packet: Packet,
    /// What happened, in order.
    pub steps: Vec<Step>,
    /// The NIC, for replaying the path (not part of the answer's data).
    #[serde(skip)]
    pub(crate) at: Option<crate::model::NicRef>,
}

/// One decision at a hop.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "step")]
pub enum Step {
    /// The NSGs for traffic arriving at the NIC.
    InboundNsgs(Box<FlowVerifyAnswer>),
    /// The NSGs for traffic leaving the NIC.
    OutboundNsgs(Box<FlowVerifyAnswer>),
    /// Inbound NSGs not evaluated: a reply of an allowed flow (NSGs are stateful).
    StatefulReply,
    /// The appliance rewrote the source address.
    Snat {
        /// Before.
        from: IpAddr,
        /// After.
        to: IpAddr,
    },
    /// The appliance restored the address it had translated.
    UnSnat {
        /// Before.
        from: IpAddr,
        /// After.
        to: IpAddr,
    },
    /// The firewall rewrote the destination (a DNAT rule).
    Dnat {
        /// Before.
        from: IpAddr,
        /// After.
        to: IpAddr,
    },
    /// The firewall restored the public address a DNAT rule had translated.
    UnDnat {
        /// Before.
        from: IpAddr,
        /// After.
        to: IpAddr,
    },
    /// A public load balancer sent the flow to a backend (destination rewritten, source kept).
    LoadBalancer {
        /// The load balancer.
        load_balancer: String,
        /// The rule that matched.
        rule: String,
        /// The backend chosen.
        backend: String,
        /// Healthy backends in the pool; Azure spreads flows by a hash, azpath models a stable
        /// one (see [`balance`]).
        pool: usize,
    },
    /// The route look-up that chose where the packet goes next.
    Route(Box<NextHopAnswer>),
    /// The packet crossed a peering.
    Peering {
        /// From this VNet (shared with the compiled data plane).
        from: Name,
        /// To this VNet.
        to: Name,
        /// Across regions.
        global: bool,
    },
    /// An Azure Firewall's decision.
    Firewall(Box<FirewallDecision>),
    /// A virtual hub's routing decision.
    HubRoute(Box<HubLookup>),
    /// The packet went from one virtual hub to another.
    HubToHub {
        /// From this hub.
        from: String,
        /// To this hub.
        to: String,
        /// Across regions.
        global: bool,
    },
    /// An App Service app's outbound traffic: into the VNet through the integration subnet, or
    /// straight out from the app's own outbound addresses.
    AppServiceEgress {
        /// The app.
        app: String,
        /// `vnetRouteAllEnabled`.
        route_all: bool,
        /// Whether the packet enters the VNet.
        into_vnet: bool,
    },
    /// A private endpoint answered along the path the request came (its subnet has no
    /// route-table network policies; an assumption, see the README).
    FlowSymmetricReply,
    /// On-premises routing sent the packet into the site's connection to Azure.
    SiteRoute(crate::route::advertise::SiteRoute),
    /// The branch's route towards Azure, learned from its virtual hub, sent the packet into
    /// its connection.
    BranchRoute(Box<crate::route::hub::BranchRoute>),
    /// Backends of a load balancer that take no new flows, and why.
    BackendsDown {
        /// The load balancer.
        load_balancer: String,
        /// The backends out of rotation.
        down: Vec<balance::DownBackend>,
    },
    /// How the packet leaves for the Internet, and the source address it leaves with.
    Egress {
        /// The outbound method, chosen in Azure's order of precedence.
        method: egress::EgressMethod,
        /// The public source address (`None`: a Microsoft-owned address azpath cannot know).
        source: Option<IpAddr>,
    },
    /// A public load balancer's frontend is chained to a Gateway Load Balancer: the flow is
    /// detoured (VXLAN-encapsulated, unchanged) through one of its appliances, the same for
    /// both directions.
    GatewayChain {
        /// The Gateway Load Balancer.
        gateway: String,
    },
    /// An established flow at a load balancer: the backend it was set up on, and what Azure
    /// does with it now (Learn, health probes, probe down behavior).
    EstablishedFlow {
        /// The load balancer.
        load_balancer: String,
        /// The load-balancing rule that carries it.
        rule: String,
        /// The backend the flow was set up on.
        backend: String,
        /// What happens to it.
        outcome: established::EstablishedFlow,
    },
    /// The reply of a flow to a frontend chained to a Gateway Load Balancer crosses the
    /// request's appliance (flow symmetry; VXLAN, unchanged) on its way out.
    GatewayChainReply {
        /// The Gateway Load Balancer.
        gateway: String,
    },
    /// A public load balancer's inbound NAT rule forwarded the flow to one backend.
    InboundNat {
        /// The load balancer.
        load_balancer: String,
        /// The rule.
        rule: String,
    },
    /// A client on the Internet reached a NIC's instance public IP (1:1 NAT to its private
    /// address).
    InstancePublicIp {
        /// The public address.
        public: IpAddr,
        /// The NIC's private address.
        private: IpAddr,
    },
    /// An FQDN of the firewall's network rules that the firewall could not resolve with its
    /// own DNS: the rules naming it match no address, and this says why.
    FirewallFqdnUnresolved {
        /// The firewall.
        firewall: String,
        /// The FQDN.
        fqdn: String,
        /// How the firewall's look-up ended (never `Resolved`).
        outcome: crate::dns::DnsOutcome,
    },
}

/// Facts about the path that explain slow or flaky connections.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PathQuality {
    // The names are the hops' shared ones (no text copied); they serialise, and the schema
    // describes them, as plain strings.
    /// NICs the request passed, the source included.
    pub hops: usize,
    /// Regions the request passed through, in order, without repeats in a row.
    #[schemars(with = "Vec<String>")]
    pub regions: Vec<Name>,
    /// Peerings crossed.
    pub peerings: usize,
    /// Global (cross-region) peerings crossed.
    pub global_peerings: usize,
    /// Stateful appliances on the request path.
    #[schemars(with = "Vec<String>")]
    pub stateful_devices: Vec<Name>,
    /// Virtual hubs the request passed, in order.
    #[schemars(with = "Vec<String>")]
    pub hubs: Vec<Name>,
}

/// Where a trace starts, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind")]
pub enum Source {
    /// A workload.
    Workload {
        /// Its name.
        name: String,
    },
    /// A client on the Internet.
    Internet {
        /// Its public address.
        client: IpAddr,
    },
    /// A client at an on-premises site.
    Site {
        /// The site.
        site: String,
        /// The client's address.
        client: IpAddr,
    },
}

/// A trace: the request path, the reply path, the verdict and its symptom.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct TraceAnswer {
    /// Where it starts.
    pub source: Source,
    /// What was traced (the host is the one the client asked for).
    pub request: Probe,
    /// The destination address; `None` when a name did not resolve to one.
    pub destination: Option<IpAddr>,
    /// How it ended.
    pub verdict: Verdict,
    /// What the client sees.
    pub symptom: Symptom,
    /// The request, hop by hop.
    pub forward: Vec<Hop>,
    /// The reply, hop by hop (empty when the request did not arrive).
    pub reply: Vec<Hop>,
    /// Path facts.
    pub quality: PathQuality,
    /// Assumptions that decided the answer.
    pub assumptions: Vec<Assumed>,
    /// How the destination name resolved, when the trace started from a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<crate::dns::Resolution>,
    /// The source address the destination sees (or the Internet, for a flow that leaves
    /// Azure), when the request got there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_seen: Option<egress::SourceSeen>,
    /// A new flow (left out) or one already established when the trace asks about it.
    #[serde(default, skip_serializing_if = "crate::scenario::FlowState::is_new")]
    pub flow: crate::scenario::FlowState,
}

impl TraceAnswer {
    /// Whether the request or reply passed the NIC, VNet or virtual hub named `name`.
    pub fn passes(&self, name: &str) -> bool {
        self.forward
            .iter()
            .chain(&self.reply)
            .any(|h| h.nic == name || h.vnet == name)
    }
}
