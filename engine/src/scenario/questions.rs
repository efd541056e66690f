//! The questions a scenario asks and the answers it expects, as written.
//!
//! The grammar has one reading for every field: a field left out is not checked (or takes the
//! documented default of a flow, [`DEFAULT_PORT`] and [`DEFAULT_SOURCE_PORT`]); a field written
//! is a value. `None` is never "not stated": in `next_hop: None` it is Azure's next hop type
//! `None`, and elsewhere it is refused. Unknown fields are refused, as everywhere in the file.

use serde::{Deserialize, Deserializer, Serialize};

use super::flow_state::FlowState;
use super::security::{Access, Direction, FlowProtocol};
use super::span::Text;
use super::vocab::NextHopDoc;

/// The service (destination) port of a flow that does not name one: HTTPS, in scenario files
/// and on the command line alike.
pub const DEFAULT_PORT: u16 = 443;

/// The client's (source) port of a flow that does not name one: an ephemeral port.
pub const DEFAULT_SOURCE_PORT: u16 = 50000;

/// Reads an optional field that is present: its value, never `None` (a field left out is
/// `None` through `#[serde(default)]`). So `next_hop: None` is the next hop type `None`, and
/// `prefix: None` is refused instead of meaning "any prefix".
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

fn default_port() -> u16 {
    DEFAULT_PORT
}

fn default_source_port() -> u16 {
    DEFAULT_SOURCE_PORT
}

/// The error for a question's port 0.
pub(crate) const PORT_ZERO: &str = "port 0 is not a flow port";

/// Reads a flow's port: 1 to 65535. Port 0 is reserved (IANA) and no TCP or UDP flow uses it,
/// so a question about it is refused, not answered.
fn flow_port<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    match u16::deserialize(d)? {
        0 => Err(serde::de::Error::custom(PORT_ZERO)),
        port => Ok(port),
    }
}

/// A question about the network with the answer Azure gives.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum QuestionDoc {
    /// The effective routes of a subnet (or of a workload's NIC), or of a virtual hub's route
    /// table (`hub`, `hub/<route table>` or `hub/<firewall>`).
    Routes {
        /// `vnet/subnet`, a workload name, or `hub[/<route table>|/<firewall>]`.
        at: Text,
        /// What the effective route table must show.
        expect: RoutesExpectDoc,
    },
    /// The next hop from a workload or subnet towards an IP.
    NextHop {
        /// A workload name or `vnet/subnet`.
        from: Text,
        /// Destination IP.
        to: Text,
        /// The answer.
        expect: NextHopExpectDoc,
    },
    /// Whether the NSGs at a NIC let a flow through (Network Watcher's IP flow verify).
    FlowVerify {
        /// A workload or private endpoint.
        at: Text,
        /// `Inbound` or `Outbound`, as seen by the NIC.
        direction: Direction,
        /// `Tcp` (default), `Udp` or `Icmp`.
        #[serde(default)]
        protocol: FlowProtocol,
        /// The other end's address.
        remote: Text,
        /// The service (destination) port; default [`DEFAULT_PORT`].
        #[serde(default = "default_port", deserialize_with = "flow_port")]
        port: u16,
        /// The client's (source) port; default [`DEFAULT_SOURCE_PORT`].
        #[serde(default = "default_source_port", deserialize_with = "flow_port")]
        source_port: u16,
        /// The answer.
        expect: FlowVerifyExpectDoc,
    },
    /// How a name resolves for a workload (with its DNS settings) or any machine in a VNet.
    Resolve {
        /// A workload or a VNet.
        from: Text,
        /// The name.
        name: Text,
        /// What the answer must be.
        expect: ResolveExpectDoc,
    },
    /// A hop-by-hop trace of a request and its reply.
    Trace {
        /// The workload that starts the connection, or a public address (an Internet client).
        from: Text,
        /// The destination: an address, or a name resolved first as the client resolves it.
        to: Text,
        /// Destination port; default [`DEFAULT_PORT`].
        #[serde(default = "default_port", deserialize_with = "flow_port")]
        port: u16,
        /// `Tcp` (default), `Udp` or `Icmp`.
        #[serde(default)]
        protocol: FlowProtocol,
        /// The name the client asks for (TLS SNI or HTTP host); default: the target FQDN of a
        /// private endpoint at the destination.
        #[serde(
            default,
            deserialize_with = "present",
            skip_serializing_if = "Option::is_none"
        )]
        host: Option<Text>,
        /// `New` (default) or `Established`: a flow set up before a load balancer's backend
        /// went down stays where Azure keeps it.
        #[serde(default, skip_serializing_if = "FlowState::is_new")]
        flow: FlowState,
        /// The expected verdict and path.
        expect: TraceExpectDoc,
    },
    /// An estate-wide property: every trace from a set of workloads to a set of destinations
    /// meets the expectation; a failure lists the counterexamples.
    ForAllTraces {
        /// The sources (a set of workloads).
        from: SetDoc,
        /// The destinations: workloads, private endpoints (by address) or services (by name).
        to: SetDoc,
        /// Destination port; default [`DEFAULT_PORT`].
        #[serde(default = "default_port", deserialize_with = "flow_port")]
        port: u16,
        /// `Tcp` (default), `Udp` or `Icmp`.
        #[serde(default)]
        protocol: FlowProtocol,
        /// What every trace must show.
        expect: TraceExpectDoc,
    },
    /// An estate-wide property: every subnet of a set has these effective routes.
    ForAllRoutes {
        /// The subnets.
        at: SetDoc,
        /// What every table must show.
        expect: RoutesExpectDoc,
    },
}

/// A named set of objects for an estate-wide question; `vnet` and `name` are patterns where `*`
/// matches any run of characters (absent: everything).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum SetDoc {
    /// Workloads (App Service and API Management instances included).
    Workloads {
        /// Their VNet's name.
        #[serde(
            default,
            deserialize_with = "present",
            skip_serializing_if = "Option::is_none"
        )]
        vnet: Option<Text>,
        /// Their name.
        #[serde(
            default,
            deserialize_with = "present",
            skip_serializing_if = "Option::is_none"
        )]
        name: Option<Text>,
    },
    /// Subnets, by VNet and subnet name (`vnet/subnet`).
    Subnets {
        /// Their VNet's name.
        #[serde(
            default,
            deserialize_with = "present",
            skip_serializing_if = "Option::is_none"
        )]
        vnet: Option<Text>,
        /// Their full name `vnet/subnet`.
        #[serde(
            default,
            deserialize_with = "present",
            skip_serializing_if = "Option::is_none"
        )]
        name: Option<Text>,
    },
    /// Private endpoints.
    PrivateEndpoints {
        /// Their VNet's name.
        #[serde(
            default,
            deserialize_with = "present",
            skip_serializing_if = "Option::is_none"
        )]
        vnet: Option<Text>,
        /// Their name.
        #[serde(
            default,
            deserialize_with = "present",
            skip_serializing_if = "Option::is_none"
        )]
        name: Option<Text>,
    },
    /// Services, traced to by their FQDN.
    Services {
        /// Their name.
        #[serde(
            default,
            deserialize_with = "present",
            skip_serializing_if = "Option::is_none"
        )]
        name: Option<Text>,
    },
}

/// The expected outcome of a resolution. `outcome` defaults to `Resolved`; `addresses` left out
/// is not checked, and written (even `[]`) is the exact list.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveExpectDoc {
    /// `Resolved`, `NxDomain`, `Loop` or `NoServer`; default `Resolved`.
    #[serde(default)]
    pub outcome: ResolveOutcomeName,
    /// The addresses, in order.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub addresses: Option<Vec<Text>>,
    /// Private DNS zones, DNS forwarders (by their workload), DNS private resolver endpoints
    /// or forwarding rulesets the resolution must pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Text>,
}

/// How a resolution ends, by name.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum ResolveOutcomeName {
    /// Addresses came back.
    #[default]
    Resolved,
    /// NXDOMAIN.
    NxDomain,
    /// A loop.
    Loop,
    /// No server answered.
    NoServer,
    /// The query went to an Azure Firewall whose DNS proxy is off.
    DnsProxyDisabled,
}

/// The expected outcome of a trace.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceExpectDoc {
    /// How the trace ends.
    pub verdict: VerdictName,
    /// NICs (workloads, appliances, private endpoints) or VNets and virtual hubs the request or
    /// reply must pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Text>,
    /// NICs, VNets or hubs it must not pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_via: Vec<Text>,
    /// What the client sees, by kind, e.g. `ConnectTimeout`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub symptom: Option<SymptomName>,
    /// The regions the request passes, in order (path quality).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub regions: Option<Vec<Text>>,
    /// The source address the destination sees (after NAT gateway, public IP, SNAT...).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_seen: Option<Text>,
}

/// What the client of a trace sees, by kind (the details, such as the service's wording of a
/// refusal, are the trace's).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
pub enum SymptomName {
    /// The connection opens.
    Connected,
    /// Packets vanish: the connect times out.
    ConnectTimeout,
    /// The firewall answers HTTP 470.
    FirewallHttp470,
    /// The firewall cuts the TLS handshake off.
    TlsHandshakeReset,
    /// An appliance drops the answer to a connection it never saw start.
    ReplyOnlyTimeout,
    /// The handshake stalls, then EOF or reset.
    HandshakeStalls,
    /// The packet leaves Azure for the Internet.
    LeavesForInternet,
    /// The packet leaves Azure through a gateway.
    LeavesForOnPremises,
    /// The packet reaches the service over its service endpoint.
    ReachesServiceEndpoint,
    /// NXDOMAIN.
    NxDomain,
    /// The DNS lookup times out.
    DnsTimeout,
    /// The DNS lookup goes round in circles.
    DnsLoop,
    /// The certificate does not cover the name.
    CertificateNameMismatch,
    /// The service answers that public network access is disabled.
    PublicAccessDisabled,
    /// The service answers that the caller's address is not allowed.
    ServiceFirewallDenied,
    /// Connected, over the service's public endpoint.
    ConnectedPublicly,
    /// API Management does not answer for this host.
    HostNotServed,
    /// API Management is unhealthy.
    ServiceUnavailable,
    /// The connection is refused (TCP reset).
    ConnectionRefused,
    /// The storage account answers HTTP 400: it does not support HTTP (secure transfer
    /// required).
    SecureTransferRequired,
}

/// Trace verdicts, by name.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
pub enum VerdictName {
    /// Request and reply got through.
    Delivered,
    /// An NSG denied it.
    DroppedByNsg,
    /// Next hop `None`.
    NoRoute,
    /// Nobody holds the destination address.
    NoDestination,
    /// A virtual appliance next hop that cannot forward.
    InvalidNextHop,
    /// A peering refused it.
    PeeringBlocked,
    /// Left for the Internet.
    SentToInternet,
    /// Left through a gateway.
    SentToOnPremises,
    /// Went to a service endpoint.
    SentToServiceEndpoint,
    /// Looped.
    Loop,
    /// A stateful appliance saw one direction only.
    AsymmetricReturnDropped,
    /// The reply could not get back.
    ReplyDropped,
    /// An Azure Firewall denied it.
    DroppedByFirewall,
    /// The name did not resolve.
    NameNotResolved,
    /// The name used is not in the service's certificate.
    TlsNameMismatch,
    /// The public endpoint refused: public network access disabled.
    PublicAccessDisabled,
    /// The public endpoint refused the caller's address.
    ServiceFirewallDenied,
    /// Served over the public endpoint.
    DeliveredPublicly,
    /// API Management does not serve the host name.
    HostNotServed,
    /// API Management is cut off by its NSG.
    ServiceUnhealthy,
    /// The on-premises site has no route to Azure for the destination.
    NotRoutedFromSite,
    /// Answered by the host: Azure DNS, IMDS or WireServer.
    AnsweredByPlatform,
    /// No load-balancing rule carries the flow.
    NoLoadBalancingRule,
    /// Every backend of the load balancer is down.
    NoHealthyBackend,
    /// A backend called its own load balancer's frontend and hashed back to itself.
    LoadBalancerHairpin,
    /// A private subnet's NIC with no explicit outbound method.
    NoOutboundAccess,
    /// A Standard public IP with no NSG to allow inbound.
    PublicIpClosed,
    /// A Virtual Network Manager security admin rule denied the flow before the NSGs.
    DroppedBySecurityAdminRule,
    /// The service does not listen on the port (or protocol) the flow reached it on.
    PortNotServed,
    /// Plain HTTP to a storage account that requires secure transfer: rejected (HTTP 400).
    SecureTransferRequired,
    /// Some of the public IPs Azure picks as the SNAT source get through, others do not.
    SnatAddressDecides,
}

impl VerdictName {
    /// Every verdict, in the order of the README's table.
    pub const ALL: [VerdictName; 31] = [
        VerdictName::Delivered,
        VerdictName::DroppedByNsg,
        VerdictName::DroppedByFirewall,
        VerdictName::NoRoute,
        VerdictName::NoDestination,
        VerdictName::InvalidNextHop,
        VerdictName::PeeringBlocked,
        VerdictName::SentToInternet,
        VerdictName::SentToOnPremises,
        VerdictName::SentToServiceEndpoint,
        VerdictName::Loop,
        VerdictName::AsymmetricReturnDropped,
        VerdictName::ReplyDropped,
        VerdictName::NameNotResolved,
        VerdictName::TlsNameMismatch,
        VerdictName::PublicAccessDisabled,
        VerdictName::ServiceFirewallDenied,
        VerdictName::DeliveredPublicly,
        VerdictName::HostNotServed,
        VerdictName::ServiceUnhealthy,
        VerdictName::NotRoutedFromSite,
        VerdictName::AnsweredByPlatform,
        VerdictName::NoLoadBalancingRule,
        VerdictName::NoHealthyBackend,
        VerdictName::LoadBalancerHairpin,
        VerdictName::NoOutboundAccess,
        VerdictName::PublicIpClosed,
        VerdictName::DroppedBySecurityAdminRule,
        VerdictName::PortNotServed,
        VerdictName::SecureTransferRequired,
        VerdictName::SnatAddressDecides,
    ];

    /// The name as scenario files write it (and as every answer prints it).
    pub const fn as_str(self) -> &'static str {
        match self {
            VerdictName::Delivered => "Delivered",
            VerdictName::DroppedByNsg => "DroppedByNsg",
            VerdictName::NoRoute => "NoRoute",
            VerdictName::NoDestination => "NoDestination",
            VerdictName::InvalidNextHop => "InvalidNextHop",
            VerdictName::PeeringBlocked => "PeeringBlocked",
            VerdictName::SentToInternet => "SentToInternet",
            VerdictName::SentToOnPremises => "SentToOnPremises",
            VerdictName::SentToServiceEndpoint => "SentToServiceEndpoint",
            VerdictName::Loop => "Loop",
            VerdictName::AsymmetricReturnDropped => "AsymmetricReturnDropped",
            VerdictName::ReplyDropped => "ReplyDropped",
            VerdictName::DroppedByFirewall => "DroppedByFirewall",
            VerdictName::NameNotResolved => "NameNotResolved",
            VerdictName::TlsNameMismatch => "TlsNameMismatch",
            VerdictName::PublicAccessDisabled => "PublicAccessDisabled",
            VerdictName::ServiceFirewallDenied => "ServiceFirewallDenied",
            VerdictName::DeliveredPublicly => "DeliveredPublicly",
            VerdictName::HostNotServed => "HostNotServed",
            VerdictName::ServiceUnhealthy => "ServiceUnhealthy",
            VerdictName::NotRoutedFromSite => "NotRoutedFromSite",
            VerdictName::AnsweredByPlatform => "AnsweredByPlatform",
            VerdictName::NoLoadBalancingRule => "NoLoadBalancingRule",
            VerdictName::NoHealthyBackend => "NoHealthyBackend",
            VerdictName::LoadBalancerHairpin => "LoadBalancerHairpin",
            VerdictName::NoOutboundAccess => "NoOutboundAccess",
            VerdictName::PublicIpClosed => "PublicIpClosed",
            VerdictName::DroppedBySecurityAdminRule => "DroppedBySecurityAdminRule",
            VerdictName::PortNotServed => "PortNotServed",
            VerdictName::SecureTransferRequired => "SecureTransferRequired",
            VerdictName::SnatAddressDecides => "SnatAddressDecides",
        }
    }
}

/// The expected flow-verify answer; fields left out are not checked.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowVerifyExpectDoc {
    /// `Allow` or `Deny`.
    pub access: Access,
    /// The NSG whose rule decided.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub nsg: Option<Text>,
    /// The deciding rule.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub rule: Option<Text>,
}

/// Expected rows of an effective route table.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
pub enum RoutesExpectDoc {
    /// Each row matches some route.
    Contains(Vec<RouteRowDoc>),
    /// No row matches any route.
    Excludes(Vec<RouteRowDoc>),
    /// Each row matches a route and each route matches a row.
    Exactly(Vec<RouteRowDoc>),
}

/// One expected effective route; fields left out are not checked, and `next_hop: None` is the
/// next hop type `None` (a drop).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteRowDoc {
    /// The address prefix.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub prefix: Option<Text>,
    /// `Default`, `User` or `VirtualNetworkGateway`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<RouteSourceDoc>,
    /// `Active` or `Invalid`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub state: Option<RouteStateDoc>,
    /// Next hop type (with the IP for `VirtualAppliance`).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_hop: Option<NextHopDoc>,
    /// Next hop IP, for types that carry one outside the variant (`VirtualNetworkGateway`).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_hop_ip: Option<Text>,
    /// A virtual hub's `nextHopType` as `az network vhub get-effective-routes` prints it
    /// (`Virtual Network Connection`, `VPN_S2S_Gateway`, `ExpressRouteGateway`, `Remote Hub`,
    /// `Azure Firewall`, `Internet`); only in rows of a hub's routes.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_hop_type: Option<Text>,
    /// One of a hub route's `nextHops`, by name; only in rows of a hub's routes.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_hop_name: Option<Text>,
    /// A hub route's `routeOrigin`, by name; only in rows of a hub's routes.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub origin: Option<Text>,
}

/// Route source as Azure prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema)]
pub enum RouteSourceDoc {
    /// A system route.
    Default,
    /// A user-defined route.
    User,
    /// Learned from a gateway (BGP or local network gateway).
    VirtualNetworkGateway,
}

/// Route state as Azure prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema)]
pub enum RouteStateDoc {
    /// In use for forwarding.
    Active,
    /// Shown but not used.
    Invalid,
}

/// The expected next hop; fields left out are not checked.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NextHopExpectDoc {
    /// Next hop type (with the IP for `VirtualAppliance`).
    pub next_hop: NextHopDoc,
    /// One of the next hop IPs, for types that carry one outside the variant
    /// (`VirtualNetworkGateway`).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_hop_ip: Option<Text>,
    /// The prefix of the winning route.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub prefix: Option<Text>,
    /// The source of the winning route.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<RouteSourceDoc>,
    /// The route table of the winning route, or `System Route`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub route_table: Option<Text>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str) -> Result<RouteRowDoc, ron::error::SpannedError> {
        super::super::ron_options().from_str(text)
    }

    #[test]
    fn next_hop_none_is_the_next_hop_type_none() {
        let written = row(r#"(prefix: "10.0.0.0/8", next_hop: None)"#).unwrap();
        assert_eq!(written.next_hop, Some(NextHopDoc::None));
    }

    #[test]
    fn a_field_left_out_is_not_checked() {
        let left_out = row(r#"(prefix: "10.0.0.0/8")"#).unwrap();
        assert_eq!(left_out.next_hop, None);
        assert_eq!(left_out.source, None);
    }

    #[test]
    fn none_for_a_field_without_a_none_value_is_refused() {
        assert!(row(r#"(prefix: None)"#).is_err());
        assert!(row(r#"(source: None)"#).is_err());
        assert!(row(r#"(state: None)"#).is_err());
    }

    #[test]
    fn a_verdict_prints_as_scenario_files_write_it() {
        for v in VerdictName::ALL {
            let written = ron::to_string(&v).unwrap();
            assert_eq!(v.as_str(), written);
            let read: VerdictName = super::super::ron_options().from_str(v.as_str()).unwrap();
            assert_eq!(read, v);
        }
    }

    #[test]
    fn a_question_about_port_0_is_refused() {
        for q in [
            r#"FlowVerify(at: "vm", direction: Outbound, remote: "10.0.0.4", port: 0, expect: (access: Allow))"#,
            r#"FlowVerify(at: "vm", direction: Outbound, remote: "10.0.0.4", source_port: 0, expect: (access: Allow))"#,
            r#"Trace(from: "vm", to: "10.0.0.4", port: 0, expect: (verdict: Delivered))"#,
        ] {
            let parsed: Result<QuestionDoc, _> = super::super::ron_options().from_str(q);
            let message = parsed.map_err(|e| e.code.to_string()).unwrap_err();
            assert!(
                message.contains("port 0 is not a flow port"),
                "{q}: {message}"
            );
        }
        let q: QuestionDoc = super::super::ron_options()
            .from_str(r#"Trace(from: "vm", to: "10.0.0.4", port: 1, expect: (verdict: Delivered))"#)
            .unwrap();
        assert!(matches!(q, QuestionDoc::Trace { port: 1, .. }));
    }

    #[test]
    fn a_flow_verify_without_ports_uses_the_flow_defaults() {
        let q: QuestionDoc = super::super::ron_options()
            .from_str(
                r#"FlowVerify(at: "vm", direction: Outbound, remote: "10.0.0.4", expect: (access: Allow))"#,
            )
            .unwrap();
        let QuestionDoc::FlowVerify {
            port,
            source_port,
            protocol,
            ..
        } = q
        else {
            panic!("{q:?}")
        };
        assert_eq!(
            (port, source_port, protocol),
            (DEFAULT_PORT, DEFAULT_SOURCE_PORT, FlowProtocol::Tcp)
        );
    }

    #[test]
    fn an_unknown_field_in_a_question_is_refused() {
        let q: Result<QuestionDoc, _> = super::super::ron_options().from_str(
            r#"FlowVerify(at: "vm", direction: Outbound, remote: "10.0.0.4", prot: 22, expect: (access: Allow))"#,
        );
        assert!(matches!(
            q.map_err(|e| e.code),
            Err(ron::Error::NoSuchStructField { found, .. }) if found == "prot"
        ));
    }
}
