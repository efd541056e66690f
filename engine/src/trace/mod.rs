//! The hop-by-hop tracer: follows a packet from a workload across NICs, NSGs, effective routes,
//! peerings, virtual WAN hubs and network virtual appliances, then follows the reply back, and
//! ends in one verdict from a closed set with the symptom the client would see.
//!
//! Name resolution is not modelled yet.

mod service;
mod walk;

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::filter::firewall::{DenyFeel, FirewallDecision};
use crate::filter::Flow;
use crate::model::FlowProtocol;
use crate::query::{FlowVerifyAnswer, NextHopAnswer};
use crate::route::hub::HubLookup;

pub use walk::{trace, trace_from, trace_name, trace_to, trace_verdict};

/// The most hops a packet may take before azpath calls it a loop.
pub const HOP_LIMIT: usize = 32;

/// What to trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// A packet's addresses and ports at one point of its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Hop {
    /// The NIC (workload or private endpoint).
    pub nic: String,
    /// Its subnet.
    pub subnet: String,
    /// Its VNet.
    pub vnet: String,
    /// Its region.
    pub region: String,
    /// The packet as it arrives.
    pub packet: Packet,
    /// What happened, in order.
    pub steps: Vec<Step>,
    /// The NIC, for replaying the path (not part of the answer's data).
    #[serde(skip)]
    pub(crate) at: Option<crate::model::NicRef>,
}

/// One decision at a hop.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "step")]
pub enum Step {
    /// The NSGs for traffic arriving at the NIC.
    InboundNsgs(FlowVerifyAnswer),
    /// The NSGs for traffic leaving the NIC.
    OutboundNsgs(FlowVerifyAnswer),
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
        /// Backends in the pool; Azure spreads flows by a hash, azpath follows the first.
        pool: usize,
    },
    /// The route look-up that chose where the packet goes next.
    Route(Box<NextHopAnswer>),
    /// The packet crossed a peering.
    Peering {
        /// From this VNet.
        from: String,
        /// To this VNet.
        to: String,
        /// Across regions.
        global: bool,
    },
    /// An Azure Firewall's decision.
    Firewall(FirewallDecision),
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
}

/// How a trace ends: the closed set of verdicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict")]
pub enum Verdict {
    /// The request reached the destination and the reply came back.
    Delivered,
    /// An NSG denied the packet.
    DroppedByNsg {
        /// The NSG.
        nsg: String,
        /// Its rule.
        rule: String,
        /// Where.
        nic: String,
    },
    /// An Azure Firewall denied the flow (a rule, or its default deny).
    DroppedByFirewall {
        /// The firewall.
        firewall: String,
        /// The deny rule, or `None` for the default deny.
        rule: Option<String>,
        /// How the client notices.
        feel: DenyFeel,
    },
    /// The winning route's next hop is `None` (or no route matches).
    NoRoute {
        /// The prefix of the `None` route, if one matched.
        prefix: Option<String>,
    },
    /// The route leads into a network where no NIC holds the destination address.
    NoDestination {
        /// The address nobody holds.
        address: IpAddr,
    },
    /// A `VirtualAppliance` next hop that no NIC holds, that is not directly reachable, or that
    /// does not forward.
    InvalidNextHop {
        /// The next hop address.
        address: IpAddr,
        /// Why it cannot forward.
        reason: String,
    },
    /// The peering does not let this packet in (access disabled, or forwarded traffic not
    /// allowed).
    PeeringBlocked {
        /// From this VNet.
        from: String,
        /// To this VNet.
        to: String,
        /// Why.
        reason: String,
    },
    /// The packet leaves Azure towards the Internet.
    SentToInternet,
    /// The packet leaves through a VPN or ExpressRoute gateway.
    SentToOnPremises {
        /// The route's origin.
        via: String,
    },
    /// The packet goes to a service over a service endpoint.
    SentToServiceEndpoint,
    /// The packet came back to where it had been, or took more than the hop limit.
    Loop {
        /// Where the loop closed.
        at: String,
    },
    /// A stateful appliance saw only one direction of the flow and drops it.
    AsymmetricReturnDropped {
        /// The appliance.
        device: String,
        /// What it missed.
        reason: String,
        /// Whether it saw only the reply (it drops the SYN-ACK: the connection never opens)
        /// rather than only the request (the handshake completes around it, then stalls).
        reply_only: bool,
    },
    /// The reply could not get back (no route, no such NIC, …).
    ReplyDropped {
        /// Why.
        reason: String,
    },
    /// The name did not resolve: NXDOMAIN, a loop, or no DNS server answering.
    NameNotResolved {
        /// The name.
        name: String,
        /// How resolution ended.
        outcome: crate::dns::DnsOutcome,
    },
    /// The connection reached the service, but the name the client used is not in its
    /// certificate (an address, a `privatelink` name, another service's name).
    TlsNameMismatch {
        /// What the client asked for (its SNI), or the address it connected to.
        name: String,
        /// The names the certificate covers.
        certificate: Vec<String>,
    },
    /// The request reached the service's public endpoint, whose public network access is
    /// disabled.
    PublicAccessDisabled {
        /// The service.
        service: String,
        /// What it answers.
        message: String,
    },
    /// The request reached the service's public endpoint from an address its firewall does not
    /// allow.
    ServiceFirewallDenied {
        /// The service.
        service: String,
        /// The caller's public address, if azpath knows it.
        caller: Option<IpAddr>,
        /// What it answers.
        message: String,
    },
    /// The request was served, but over the service's public endpoint, not a private one.
    DeliveredPublicly {
        /// The service.
        service: String,
    },
    /// API Management does not serve this host name (it answers only its configured names).
    HostNotServed {
        /// The API Management instance.
        service: String,
        /// The host asked for, or the address.
        name: String,
    },
    /// API Management cannot work: its subnet's NSG blocks the traffic it requires.
    ServiceUnhealthy {
        /// The API Management instance.
        service: String,
        /// What is blocked.
        reason: String,
    },
}

impl Verdict {
    /// What the client sees.
    pub fn symptom(&self) -> String {
        match self {
            Verdict::PublicAccessDisabled { message, .. }
            | Verdict::ServiceFirewallDenied { message, .. } => message.clone(),
            other => other.symptom_text().to_string(),
        }
    }

    fn symptom_text(&self) -> &'static str {
        match self {
            Verdict::Delivered => "connected",
            Verdict::DroppedByNsg { .. }
            | Verdict::NoRoute { .. }
            | Verdict::NoDestination { .. }
            | Verdict::InvalidNextHop { .. }
            | Verdict::PeeringBlocked { .. }
            | Verdict::Loop { .. }
            | Verdict::ReplyDropped { .. } => "connect timeout (packets vanish silently)",
            Verdict::DroppedByFirewall { feel, .. } => match feel {
                DenyFeel::Silent => "connect timeout (packets vanish silently)",
                DenyFeel::Http470 => "HTTP 470 from the firewall: `Action: Deny. Reason: No rule matched.`",
                DenyFeel::TlsReset => "the TLS handshake is cut off: connection reset or SSL_ERROR_SYSCALL",
            },
            Verdict::AsymmetricReturnDropped { reply_only: true, .. } => {
                "connect timeout: the appliance drops the answer to a connection it never saw start"
            }
            Verdict::AsymmetricReturnDropped { reply_only: false, .. } => {
                "the handshake stalls, then EOF or reset: SSL_ERROR_SYSCALL, `EOF occurred in violation of protocol`, or a read timeout (observed in the field; UNCONFIRMED by Microsoft's documentation)"
            }
            Verdict::SentToInternet => "leaves Azure for the Internet (the answer depends on what is there)",
            Verdict::SentToOnPremises { .. } => "leaves Azure through the gateway (the answer depends on on-premises)",
            Verdict::SentToServiceEndpoint => "reaches the service over its service endpoint",
            Verdict::NameNotResolved { outcome, .. } => match outcome {
                crate::dns::DnsOutcome::NxDomain => "the name does not resolve: NXDOMAIN (`getaddrinfo ENOTFOUND`, `Name or service not known`)",
                crate::dns::DnsOutcome::NoServer { .. } => "the DNS lookup times out: the DNS server does not exist or does not answer",
                _ => "the DNS lookup fails (SERVFAIL) or times out: the query goes round in circles",
            },
            Verdict::TlsNameMismatch { .. } => "TLS certificate name mismatch: `CERTIFICATE_VERIFY_FAILED` (.NET `RemoteCertificateNameMismatch`, curl exit 60)",
            Verdict::PublicAccessDisabled { .. } | Verdict::ServiceFirewallDenied { .. } => "HTTP 403 from the service (see the verdict for its text)",
            Verdict::DeliveredPublicly { .. } => "connected, but over the service's public endpoint",
            Verdict::HostNotServed { .. } => "API Management does not answer: it serves only its configured host names",
            Verdict::ServiceUnhealthy { .. } => "HTTP 503 or failed connections: API Management's required inbound traffic is blocked",
        }
    }

    /// The verdict in a few words, with its particulars.
    pub fn describe(&self) -> String {
        match self {
            Verdict::Delivered => "Delivered".into(),
            Verdict::DroppedByNsg { nsg, rule, nic } => {
                format!("DroppedByNsg (rule `{rule}` of `{nsg}` at `{nic}`)")
            }
            Verdict::DroppedByFirewall { firewall, rule, .. } => match rule {
                Some(r) => format!("DroppedByFirewall (rule `{r}` of `{firewall}`)"),
                None => {
                    format!("DroppedByFirewall (no rule of `{firewall}` allows it: default deny)")
                }
            },
            Verdict::NoRoute { prefix } => match prefix {
                Some(p) => format!("NoRoute (route {p} has next hop None)"),
                None => "NoRoute (no route matches)".into(),
            },
            Verdict::NoDestination { address } => format!("NoDestination (no NIC holds {address})"),
            Verdict::InvalidNextHop { address, reason } => {
                format!("InvalidNextHop ({address}: {reason})")
            }
            Verdict::PeeringBlocked { from, to, reason } => {
                format!("PeeringBlocked (`{from}` -> `{to}`: {reason})")
            }
            Verdict::SentToInternet => "SentToInternet".into(),
            Verdict::SentToOnPremises { via } => format!("SentToOnPremises (via `{via}`)"),
            Verdict::SentToServiceEndpoint => "SentToServiceEndpoint".into(),
            Verdict::Loop { at } => format!("Loop (back at `{at}`)"),
            Verdict::AsymmetricReturnDropped { device, reason, .. } => {
                format!("AsymmetricReturnDropped (`{device}`: {reason})")
            }
            Verdict::ReplyDropped { reason } => format!("ReplyDropped ({reason})"),
            Verdict::NameNotResolved { name, outcome } => {
                let how = match outcome {
                    crate::dns::DnsOutcome::NxDomain => "NXDOMAIN".to_string(),
                    crate::dns::DnsOutcome::Loop => "the resolution loops".to_string(),
                    crate::dns::DnsOutcome::NoServer { server } => {
                        format!("no DNS server at {server}")
                    }
                    crate::dns::DnsOutcome::Resolved { .. } => "resolved".to_string(),
                };
                format!("NameNotResolved (`{name}`: {how})")
            }
            Verdict::TlsNameMismatch { name, certificate } => format!(
                "TlsNameMismatch (`{name}` is not among the certificate's names {})",
                certificate.join(", ")
            ),
            Verdict::PublicAccessDisabled { service, message } => {
                format!("PublicAccessDisabled (`{service}`: {message})")
            }
            Verdict::ServiceFirewallDenied {
                service,
                caller,
                message,
            } => {
                let caller = caller.map_or("an unknown address".into(), |c| c.to_string());
                format!("ServiceFirewallDenied (`{service}` refuses {caller}: {message})")
            }
            Verdict::DeliveredPublicly { service } => {
                format!("DeliveredPublicly (`{service}` answered on its public endpoint)")
            }
            Verdict::HostNotServed { service, name } => {
                format!("HostNotServed (`{service}` does not serve `{name}`)")
            }
            Verdict::ServiceUnhealthy { service, reason } => {
                format!("ServiceUnhealthy (`{service}`: {reason})")
            }
        }
    }

    /// The verdict's name, as scenario files write it.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Delivered => "Delivered",
            Verdict::DroppedByNsg { .. } => "DroppedByNsg",
            Verdict::DroppedByFirewall { .. } => "DroppedByFirewall",
            Verdict::NoRoute { .. } => "NoRoute",
            Verdict::NoDestination { .. } => "NoDestination",
            Verdict::InvalidNextHop { .. } => "InvalidNextHop",
            Verdict::PeeringBlocked { .. } => "PeeringBlocked",
            Verdict::SentToInternet => "SentToInternet",
            Verdict::SentToOnPremises { .. } => "SentToOnPremises",
            Verdict::SentToServiceEndpoint => "SentToServiceEndpoint",
            Verdict::Loop { .. } => "Loop",
            Verdict::AsymmetricReturnDropped { .. } => "AsymmetricReturnDropped",
            Verdict::ReplyDropped { .. } => "ReplyDropped",
            Verdict::NameNotResolved { .. } => "NameNotResolved",
            Verdict::TlsNameMismatch { .. } => "TlsNameMismatch",
            Verdict::PublicAccessDisabled { .. } => "PublicAccessDisabled",
            Verdict::ServiceFirewallDenied { .. } => "ServiceFirewallDenied",
            Verdict::DeliveredPublicly { .. } => "DeliveredPublicly",
            Verdict::HostNotServed { .. } => "HostNotServed",
            Verdict::ServiceUnhealthy { .. } => "ServiceUnhealthy",
        }
    }
}

/// Facts about the path that explain slow or flaky connections.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathQuality {
    /// NICs the request passed, the source included.
    pub hops: usize,
    /// Regions the request passed through, in order, without repeats in a row.
    pub regions: Vec<String>,
    /// Peerings crossed.
    pub peerings: usize,
    /// Global (cross-region) peerings crossed.
    pub global_peerings: usize,
    /// Stateful appliances on the request path.
    pub stateful_devices: Vec<String>,
    /// Virtual hubs the request passed, in order.
    pub hubs: Vec<String>,
}

/// A trace: the request path, the reply path, the verdict and its symptom.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceAnswer {
    /// The source workload.
    pub source: String,
    /// What was traced.
    pub request: TraceRequest,
    /// How it ended.
    pub verdict: Verdict,
    /// What the client sees.
    pub symptom: String,
    /// The request, hop by hop.
    pub forward: Vec<Hop>,
    /// The reply, hop by hop (empty when the request did not arrive).
    pub reply: Vec<Hop>,
    /// Path facts.
    pub quality: PathQuality,
    /// Assumptions that decided the answer.
    pub assumptions: Vec<String>,
    /// How the destination name resolved, when the trace started from a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<crate::dns::Resolution>,
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
