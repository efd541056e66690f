//! How a trace ends, as data: the closed set of verdicts, each reason a small closed enum in
//! Azure's vocabulary, the symptom the client sees, and the assumptions that decided the answer.
//! Places are named as the scenario names them (resolved); every sentence is written by
//! `report`.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::dns::DnsOutcome;
use crate::filter::firewall::DenyFeel;
use crate::model::{FlowProtocol, PeeringState, PortRange, ServiceKind};
use crate::scenario::{SymptomName, VerdictName};

/// How a trace ends: the closed set of verdicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "verdict")]
#[non_exhaustive]
pub enum Verdict {
    /// The request reached the destination and the reply came back.
    Delivered,
    /// An NSG denied the packet.
    DroppedByNsg {
        /// The NSG.
        nsg: String,
        /// Its rule's name.
        rule: String,
        /// Where.
        nic: String,
    },
    /// An Azure Firewall denied the flow (a rule, or its default deny).
    DroppedByFirewall {
        /// The firewall.
        firewall: String,
        /// The deny rule, or `None` for the default deny.
        rule: Option<FirewallRule>,
        /// How the client notices.
        feel: DenyFeel,
    },
    /// The winning route's next hop is `None` (or no route matches).
    NoRoute {
        /// The prefix of the `None` route, if one matched.
        #[schemars(with = "Option<String>")]
        prefix: Option<IpNet>,
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
        reason: NextHopFault,
    },
    /// The peering does not let this packet in.
    PeeringBlocked {
        /// From this VNet.
        from: String,
        /// To this VNet.
        to: String,
        /// Why.
        reason: PeeringRefusal,
    },
    /// The packet leaves Azure towards the Internet.
    SentToInternet,
    /// The packet leaves through a VPN or ExpressRoute gateway.
    SentToOnPremises {
        /// What sent it there.
        via: GatewayPath,
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
        /// Which direction it saw.
        saw: OneWay,
    },
    /// The reply could not get back.
    ReplyDropped {
        /// Why.
        reason: ReplyFault,
    },
    /// The name did not resolve: NXDOMAIN, a loop, or no DNS server answering.
    NameNotResolved {
        /// The name.
        name: String,
        /// How resolution ended.
        outcome: DnsOutcome,
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
        /// Its kind, which decides what it answers.
        kind: ServiceKind,
    },
    /// The request reached the service's public endpoint from an address its firewall does not
    /// allow.
    ServiceFirewallDenied {
        /// The service.
        service: String,
        /// Its kind, which decides what it answers.
        kind: ServiceKind,
        /// The caller's public address, if azpath knows it.
        caller: Option<IpAddr>,
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
        reason: ApimBlocked,
    },
    /// The on-premises site has no route towards Azure for the destination: its gateway never
    /// advertised a prefix holding it, and no static route covers it.
    NotRoutedFromSite {
        /// The site.
        site: String,
        /// The destination it has no route for.
        destination: IpAddr,
    },
    /// The host answered: Azure DNS, the instance metadata service or the VM agent's
    /// WireServer, which are not subject to UDRs (and to NSGs only through their
    /// `AzurePlatform*` tags).
    AnsweredByPlatform {
        /// The service.
        service: crate::filter::platform::PlatformService,
    },
    /// No rule of the load balancer carries the flow (another port or protocol; ICMP never).
    NoLoadBalancingRule {
        /// The load balancer.
        load_balancer: String,
        /// The destination port.
        port: u16,
    },
    /// Every backend of the load balancer is down: it sends no new flows.
    NoHealthyBackend {
        /// The load balancer.
        load_balancer: String,
    },
    /// A backend's flow to its own load balancer's frontend hashed back to itself: the two
    /// legs of the flow do not match and it fails.
    LoadBalancerHairpin {
        /// The load balancer.
        load_balancer: String,
        /// The backend that called it.
        backend: String,
    },
    /// The NIC is in a private subnet (`defaultOutboundAccess: false`) and has no explicit
    /// outbound method: no way to the Internet.
    NoOutboundAccess {
        /// The NIC.
        nic: String,
        /// Its subnet.
        subnet: String,
    },
    /// A Standard public IP (or load balancer frontend) is closed to inbound traffic unless an
    /// NSG allows it, and neither the NIC nor its subnet has an NSG.
    PublicIpClosed {
        /// The public address.
        address: IpAddr,
        /// The NIC behind it.
        nic: String,
    },
    /// A Virtual Network Manager security admin rule with access `Deny` dropped the flow before
    /// any NSG was consulted.
    DroppedBySecurityAdminRule {
        /// The rule collection.
        collection: String,
        /// The admin rule's name.
        rule: String,
        /// Where.
        nic: String,
    },
    /// The flow reached the service, but on a port (or protocol) it does not listen on: a
    /// Key Vault endpoint on TCP 1433, say.
    PortNotServed {
        /// The service.
        service: String,
        /// Its kind, which decides its ports.
        kind: ServiceKind,
        /// The flow's protocol.
        protocol: FlowProtocol,
        /// The port the flow reached it on.
        port: u16,
        /// The TCP ports it listens on there.
        listens: Vec<PortRange>,
        /// Whether the connection is refused (TCP reset) rather than left to time out: the
        /// switch `unserved_port_refused`, which Microsoft documents neither way.
        refused: bool,
    },
    /// A plain HTTP request (TCP 80) reached a storage account that requires secure transfer:
    /// the account rejects any request over HTTP with HTTP 400 ("Require secure transfer to
    /// ensure secure connections",
    /// <https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer>).
    SecureTransferRequired {
        /// The service.
        service: String,
        /// Its kind (one of the storage kinds).
        kind: ServiceKind,
    },
    /// The flow left from one of several public IPs of a device (an Azure Firewall, a NAT
    /// gateway, an outbound rule), which Azure picks per connection, and the destination
    /// answers some of them and refuses the others: connections fail intermittently.
    SnatAddressDecides {
        /// The device whose public IPs Azure picks among.
        device: String,
        /// The addresses with which the flow gets through.
        allowed: Vec<IpAddr>,
        /// The addresses with which it does not.
        refused: Vec<IpAddr>,
        /// How it ends with the first refused address.
        refusal: Box<Verdict>,
    },
}

/// A firewall rule by its place in the policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FirewallRule {
    /// The rule collection group.
    pub group: String,
    /// The rule collection.
    pub collection: String,
    /// The rule.
    pub rule: String,
}

/// Why a next hop cannot take the packet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "fault")]
#[non_exhaustive]
pub enum NextHopFault {
    /// The NIC holding the address does not forward: IP forwarding is off.
    IpForwardingDisabled {
        /// The NIC.
        nic: String,
    },
    /// No NIC in the VNet, or a VNet peered with it, holds the address.
    NotInVnetOrPeers {
        /// The VNet routing the packet.
        vnet: String,
    },
    /// No NIC in the connected VNet holds the next hop of the hub connection's static route.
    ConnectionStaticRouteUnheld {
        /// The connected VNet.
        vnet: String,
    },
}

/// Why a peering refuses a packet (Microsoft Learn, "Virtual network peering": the peering
/// settings and states).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "refusal")]
#[non_exhaustive]
pub enum PeeringRefusal {
    /// `allowVirtualNetworkAccess` is off.
    AccessDisabled,
    /// The source is outside the sending VNet (an appliance forwarded it) and
    /// `allowForwardedTraffic` is off.
    ForwardedTrafficNotAllowed {
        /// The packet's source.
        source: IpAddr,
        /// The sending VNet, whose address space does not hold it.
        vnet: String,
    },
    /// The peering is not `Connected`, so it carries nothing.
    NotConnected {
        /// Its state.
        state: PeeringState,
    },
}

/// What sent a packet to on-premises.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind")]
#[non_exhaustive]
pub enum GatewayPath {
    /// A route the VNet's gateway learned or propagated.
    Gateway {
        /// The gateway.
        gateway: String,
    },
    /// A user-defined route with next hop `VirtualNetworkGateway`.
    UserRoute {
        /// The route table.
        table: String,
        /// The route.
        route: String,
    },
    /// A virtual hub's route to a branch site.
    Site {
        /// The site.
        site: String,
    },
    /// A `VirtualNetworkGateway` route whose origin azpath does not name.
    Unnamed,
}

/// Which direction of a flow a stateful appliance saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub enum OneWay {
    /// It saw the request, but the reply bypassed it: it drops the rest of the flow (the
    /// handshake completes around it, then stalls).
    RequestOnly,
    /// It saw only the reply, of a connection it never saw start: it drops the SYN-ACK and the
    /// connection never opens.
    ReplyOnly,
    /// An Azure Firewall saw the request on its public IP, and the reply, addressed to that
    /// public IP (or to the public IP of the NAT gateway on its subnet, which the firewall's
    /// Internet traffic leaves from), was routed to its private IP, where it knows no such
    /// session: it drops it and the connection never opens (Learn, "Integrate Azure Firewall
    /// with Azure Standard Load Balancer", <https://learn.microsoft.com/azure/firewall/integrate-lb>).
    ReplyAtPrivateIp,
}

/// Why a reply could not get back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "fault")]
#[non_exhaustive]
pub enum ReplyFault {
    /// The walk started at a NIC the network does not hold.
    UnknownNic,
    /// No NIC holds the address where the reply is routed.
    NoNicHolds {
        /// The address.
        address: IpAddr,
    },
    /// The reply arrived at another NIC holding the source's address: its routes lead elsewhere.
    ReachedOther {
        /// The NIC it reached.
        nic: String,
    },
    /// The reply ended the way this verdict says.
    Ended {
        /// How it ended.
        verdict: Box<Verdict>,
    },
}

/// The NSG rule API Management's subnet needs and does not get (Microsoft Learn, "API
/// Management in a virtual network: network configuration reference").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApimBlocked {
    /// The traffic that is blocked.
    pub requirement: ApimRequirement,
    /// The NSG and rule that deny it.
    pub rule: Option<NsgRule>,
}

/// An NSG rule by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NsgRule {
    /// The NSG.
    pub nsg: String,
    /// The rule.
    pub rule: String,
}

/// Inbound traffic API Management requires in its subnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum ApimRequirement {
    /// The management endpoint: `ApiManagement` to TCP 3443.
    Management,
    /// The infrastructure load balancer: `AzureLoadBalancer` to TCP 6390.
    LoadBalancer,
}

impl ApimRequirement {
    /// Every requirement, in the order azpath checks them.
    pub const ALL: [ApimRequirement; 2] =
        [ApimRequirement::Management, ApimRequirement::LoadBalancer];

    /// The service tag the traffic comes from.
    pub fn tag(self) -> &'static str {
        match self {
            ApimRequirement::Management => "ApiManagement",
            ApimRequirement::LoadBalancer => "AzureLoadBalancer",
        }
    }

    /// The destination port.
    pub fn port(self) -> u16 {
        match self {
            ApimRequirement::Management => 3443,
            ApimRequirement::LoadBalancer => 6390,
        }
    }
}

/// What the client sees: the closed set of symptoms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "symptom")]
#[non_exhaustive]
pub enum Symptom {
    /// The connection opens.
    Connected,
    /// Packets vanish: the connect times out.
    ConnectTimeout,
    /// The firewall answers HTTP 470 (no application rule matched a plain HTTP request).
    FirewallHttp470,
    /// The firewall cuts the TLS handshake off.
    TlsHandshakeReset,
    /// An appliance drops the answer to a connection it never saw start: connect timeout.
    ReplyOnlyTimeout,
    /// The handshake stalls, then EOF or reset (observed in the field, unconfirmed by
    /// Microsoft's documentation).
    HandshakeStalls,
    /// The packet leaves Azure for the Internet.
    LeavesForInternet,
    /// The packet leaves Azure through a gateway.
    LeavesForOnPremises,
    /// The packet reaches the service over its service endpoint.
    ReachesServiceEndpoint,
    /// The name does not resolve: NXDOMAIN.
    NxDomain,
    /// The DNS lookup times out: no DNS server answers.
    DnsTimeout,
    /// The DNS lookup fails or times out: it goes round in circles.
    DnsLoop,
    /// The certificate does not cover the name.
    CertificateNameMismatch,
    /// The service answers that public network access is disabled.
    PublicAccessDisabled {
        /// The service kind, which decides the text.
        kind: ServiceKind,
    },
    /// The service answers that the caller's address is not allowed.
    ServiceFirewallDenied {
        /// The service kind, which decides the text.
        kind: ServiceKind,
    },
    /// Connected, over the service's public endpoint.
    ConnectedPublicly,
    /// API Management does not answer for this host.
    HostNotServed,
    /// API Management is unhealthy.
    ServiceUnavailable,
    /// The connection is refused: a TCP reset answers the SYN.
    ConnectionRefused,
    /// The storage account answers HTTP 400, "The account being accessed does not support
    /// http." (it requires secure transfer).
    SecureTransferRequired,
}

impl Symptom {
    /// The symptom's kind, as scenario files name it: the variant without its details.
    pub fn kind(&self) -> SymptomName {
        match self {
            Symptom::Connected => SymptomName::Connected,
            Symptom::ConnectTimeout => SymptomName::ConnectTimeout,
            Symptom::FirewallHttp470 => SymptomName::FirewallHttp470,
            Symptom::TlsHandshakeReset => SymptomName::TlsHandshakeReset,
            Symptom::ReplyOnlyTimeout => SymptomName::ReplyOnlyTimeout,
            Symptom::HandshakeStalls => SymptomName::HandshakeStalls,
            Symptom::LeavesForInternet => SymptomName::LeavesForInternet,
            Symptom::LeavesForOnPremises => SymptomName::LeavesForOnPremises,
            Symptom::ReachesServiceEndpoint => SymptomName::ReachesServiceEndpoint,
            Symptom::NxDomain => SymptomName::NxDomain,
            Symptom::DnsTimeout => SymptomName::DnsTimeout,
            Symptom::DnsLoop => SymptomName::DnsLoop,
            Symptom::CertificateNameMismatch => SymptomName::CertificateNameMismatch,
            Symptom::PublicAccessDisabled { .. } => SymptomName::PublicAccessDisabled,
            Symptom::ServiceFirewallDenied { .. } => SymptomName::ServiceFirewallDenied,
            Symptom::ConnectedPublicly => SymptomName::ConnectedPublicly,
            Symptom::HostNotServed => SymptomName::HostNotServed,
            Symptom::ServiceUnavailable => SymptomName::ServiceUnavailable,
            Symptom::ConnectionRefused => SymptomName::ConnectionRefused,
            Symptom::SecureTransferRequired => SymptomName::SecureTransferRequired,
        }
    }
}

impl Verdict {
    /// What the client sees.
    pub fn symptom(&self) -> Symptom {
        match self {
            Verdict::Delivered => Symptom::Connected,
            Verdict::DroppedByNsg { .. }
            | Verdict::NoRoute { .. }
            | Verdict::NoDestination { .. }
            | Verdict::InvalidNextHop { .. }
            | Verdict::PeeringBlocked { .. }
            | Verdict::Loop { .. }
            | Verdict::ReplyDropped { .. }
            | Verdict::NoLoadBalancingRule { .. }
            | Verdict::NoHealthyBackend { .. }
            | Verdict::LoadBalancerHairpin { .. }
            | Verdict::NoOutboundAccess { .. }
            | Verdict::PublicIpClosed { .. }
            | Verdict::DroppedBySecurityAdminRule { .. } => Symptom::ConnectTimeout,
            Verdict::DroppedByFirewall { feel, .. } => match feel {
                DenyFeel::Silent => Symptom::ConnectTimeout,
                DenyFeel::Http470 => Symptom::FirewallHttp470,
                DenyFeel::TlsReset => Symptom::TlsHandshakeReset,
            },
            Verdict::AsymmetricReturnDropped { saw, .. } => match saw {
                OneWay::ReplyOnly | OneWay::ReplyAtPrivateIp => Symptom::ReplyOnlyTimeout,
                OneWay::RequestOnly => Symptom::HandshakeStalls,
            },
            Verdict::SentToInternet => Symptom::LeavesForInternet,
            Verdict::SentToOnPremises { .. } => Symptom::LeavesForOnPremises,
            Verdict::SentToServiceEndpoint => Symptom::ReachesServiceEndpoint,
            Verdict::NameNotResolved { outcome, .. } => match outcome {
                DnsOutcome::NxDomain => Symptom::NxDomain,
                DnsOutcome::NoServer { .. } | DnsOutcome::DnsProxyDisabled { .. } => {
                    Symptom::DnsTimeout
                }
                DnsOutcome::Loop | DnsOutcome::Resolved { .. } => Symptom::DnsLoop,
            },
            Verdict::TlsNameMismatch { .. } => Symptom::CertificateNameMismatch,
            Verdict::PublicAccessDisabled { kind, .. } => {
                Symptom::PublicAccessDisabled { kind: *kind }
            }
            Verdict::ServiceFirewallDenied { kind, .. } => {
                Symptom::ServiceFirewallDenied { kind: *kind }
            }
            Verdict::DeliveredPublicly { .. } => Symptom::ConnectedPublicly,
            Verdict::HostNotServed { .. } => Symptom::HostNotServed,
            Verdict::ServiceUnhealthy { .. } => Symptom::ServiceUnavailable,
            Verdict::NotRoutedFromSite { .. } => Symptom::ConnectTimeout,
            Verdict::AnsweredByPlatform { .. } => Symptom::Connected,
            Verdict::PortNotServed { refused, .. } => {
                if *refused {
                    Symptom::ConnectionRefused
                } else {
                    Symptom::ConnectTimeout
                }
            }
            Verdict::SecureTransferRequired { .. } => Symptom::SecureTransferRequired,
            Verdict::SnatAddressDecides { refusal, .. } => refusal.symptom(),
        }
    }

    /// The verdict's kind, as scenario files name it: the variant without its details. The one
    /// mapping from a verdict to the vocabulary; expectations compare it, renderers print it.
    pub fn kind(&self) -> VerdictName {
        match self {
            Verdict::Delivered => VerdictName::Delivered,
            Verdict::DroppedByNsg { .. } => VerdictName::DroppedByNsg,
            Verdict::DroppedByFirewall { .. } => VerdictName::DroppedByFirewall,
            Verdict::NoRoute { .. } => VerdictName::NoRoute,
            Verdict::NoDestination { .. } => VerdictName::NoDestination,
            Verdict::InvalidNextHop { .. } => VerdictName::InvalidNextHop,
            Verdict::PeeringBlocked { .. } => VerdictName::PeeringBlocked,
            Verdict::SentToInternet => VerdictName::SentToInternet,
            Verdict::SentToOnPremises { .. } => VerdictName::SentToOnPremises,
            Verdict::SentToServiceEndpoint => VerdictName::SentToServiceEndpoint,
            Verdict::Loop { .. } => VerdictName::Loop,
            Verdict::AsymmetricReturnDropped { .. } => VerdictName::AsymmetricReturnDropped,
            Verdict::ReplyDropped { .. } => VerdictName::ReplyDropped,
            Verdict::NameNotResolved { .. } => VerdictName::NameNotResolved,
            Verdict::TlsNameMismatch { .. } => VerdictName::TlsNameMismatch,
            Verdict::PublicAccessDisabled { .. } => VerdictName::PublicAccessDisabled,
            Verdict::ServiceFirewallDenied { .. } => VerdictName::ServiceFirewallDenied,
            Verdict::DeliveredPublicly { .. } => VerdictName::DeliveredPublicly,
            Verdict::HostNotServed { .. } => VerdictName::HostNotServed,
            Verdict::ServiceUnhealthy { .. } => VerdictName::ServiceUnhealthy,
            Verdict::NotRoutedFromSite { .. } => VerdictName::NotRoutedFromSite,
            Verdict::AnsweredByPlatform { .. } => VerdictName::AnsweredByPlatform,
            Verdict::NoLoadBalancingRule { .. } => VerdictName::NoLoadBalancingRule,
            Verdict::NoHealthyBackend { .. } => VerdictName::NoHealthyBackend,
            Verdict::LoadBalancerHairpin { .. } => VerdictName::LoadBalancerHairpin,
            Verdict::NoOutboundAccess { .. } => VerdictName::NoOutboundAccess,
            Verdict::PublicIpClosed { .. } => VerdictName::PublicIpClosed,
            Verdict::DroppedBySecurityAdminRule { .. } => VerdictName::DroppedBySecurityAdminRule,
            Verdict::PortNotServed { .. } => VerdictName::PortNotServed,
            Verdict::SecureTransferRequired { .. } => VerdictName::SecureTransferRequired,
            Verdict::SnatAddressDecides { .. } => VerdictName::SnatAddressDecides,
        }
    }

    /// The verdict's name, as scenario files write it ([`VerdictName::as_str`] of its kind).
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }

    /// Whether the flow got through: the client connected (privately or over the service's
    /// public endpoint), or the packet left the VNets where its routes send it (the Internet,
    /// on-premises, a service endpoint), with nothing on the way dropping it. Every other
    /// verdict is a failing flow; the command line exits 1 for it.
    pub fn is_success(&self) -> bool {
        match self {
            Verdict::Delivered
            | Verdict::DeliveredPublicly { .. }
            | Verdict::SentToInternet
            | Verdict::SentToOnPremises { .. }
            | Verdict::SentToServiceEndpoint
            | Verdict::AnsweredByPlatform { .. } => true,
            Verdict::DroppedByNsg { .. }
            | Verdict::DroppedBySecurityAdminRule { .. }
            | Verdict::DroppedByFirewall { .. }
            | Verdict::NoRoute { .. }
            | Verdict::NoDestination { .. }
            | Verdict::InvalidNextHop { .. }
            | Verdict::PeeringBlocked { .. }
            | Verdict::Loop { .. }
            | Verdict::AsymmetricReturnDropped { .. }
            | Verdict::ReplyDropped { .. }
            | Verdict::NameNotResolved { .. }
            | Verdict::TlsNameMismatch { .. }
            | Verdict::PublicAccessDisabled { .. }
            | Verdict::NotRoutedFromSite { .. }
            | Verdict::NoLoadBalancingRule { .. }
            | Verdict::NoHealthyBackend { .. }
            | Verdict::LoadBalancerHairpin { .. }
            | Verdict::NoOutboundAccess { .. }
            | Verdict::PublicIpClosed { .. }
            | Verdict::ServiceFirewallDenied { .. }
            | Verdict::HostNotServed { .. }
            | Verdict::ServiceUnhealthy { .. }
            | Verdict::PortNotServed { .. }
            | Verdict::SecureTransferRequired { .. }
            | Verdict::SnatAddressDecides { .. } => false,
        }
    }
}

/// An assumption that decided a trace's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "assumption")]
#[non_exhaustive]
pub enum Assumption {
    /// The client asks for the target FQDN of the private endpoint it connects to (its TLS SNI
    /// or HTTP host), since the trace named only an address.
    ClientAsksForEndpointTarget {
        /// The FQDN.
        target: String,
    },
    /// A private endpoint whose subnet has no route-table network policies answers along the
    /// path the request came.
    EndpointRepliesAlongRequestPath,
    /// Community labs saw client, appliance and private endpoint in one VNet fail; azpath does
    /// not model that failure.
    SameVnetApplianceFailureNotModelled,
    /// A private endpoint whose subnet has route-table network policies answers by its
    /// subnet's effective routes.
    EndpointRepliesByItsRoutes,
    /// The caller's public address is unknown (default outbound access uses a Microsoft-owned
    /// address), so no allowed network of the service can match it.
    CallerAddressUnknown,
    /// The `ApiManagement` service tag's prefixes are not declared; azpath checks the
    /// management rule with this address.
    ApiManagementTagUndeclared {
        /// The address used instead.
        probe: IpAddr,
    },
    /// A web app's access restriction rule filters HTTP headers, which a trace does not know:
    /// the request is taken to carry (or, with `headers_present: false`, to lack) the values it
    /// lists.
    AccessRestrictionHeaders {
        /// The rule.
        rule: String,
        /// Whether the request is taken to carry them.
        present: bool,
    },
    /// The flow leaves by default outbound access for a public address the scenario models:
    /// its source on the Internet is a Microsoft-owned address azpath does not know, so it is
    /// not followed back in there (what the frontend's NSGs decide depends on that address).
    DefaultOutboundSourceUnknown {
        /// The modelled public address it was sent to.
        frontend: IpAddr,
    },
    /// Several services' public endpoints share the address and the name asked for picks none
    /// of them (a request by address, or a custom domain): the first declared there stands in
    /// for the one the front end would route to.
    SharedAddressFirstService {
        /// The shared public address.
        address: IpAddr,
        /// The service taken.
        service: String,
    },
    /// azpath has no documented table of the ports the service listens on (the Cosmos DB
    /// analytical store): the flow is taken to be served on its port.
    ServicePortsUnknown {
        /// The service.
        service: String,
        /// The port taken to be served.
        port: u16,
    },
    /// A port the service does not listen on: Microsoft documents neither a reset nor a
    /// silent drop for it, and the switch `unserved_port_refused` picks one.
    UnservedPortAnswer {
        /// Whether the connection is taken to be refused (reset) rather than to time out.
        refused: bool,
    },
    /// A storage account serves plain HTTP (port 80) only when it does not require secure
    /// transfer, which is on by default; the scenario does not give the setting
    /// (`secure_transfer_required`), so it is taken to be off, else the request is rejected.
    SecureTransferAssumedOff {
        /// The service.
        service: String,
    },
    /// A route of the subnet's table names a service tag whose prefixes the scenario declares
    /// empty: the route covers nothing here, though in Azure it covers the tag's ranges.
    ServiceTagRangesUnknown {
        /// The service tag.
        tag: String,
        /// The route.
        route: String,
    },
}

impl Assumption {
    /// Whether Microsoft's documentation does not confirm it (observed, or inferred).
    pub fn unconfirmed(&self) -> bool {
        match self {
            Assumption::EndpointRepliesAlongRequestPath
            | Assumption::SameVnetApplianceFailureNotModelled
            | Assumption::EndpointRepliesByItsRoutes
            | Assumption::UnservedPortAnswer { .. } => true,
            Assumption::ClientAsksForEndpointTarget { .. }
            | Assumption::CallerAddressUnknown
            | Assumption::ApiManagementTagUndeclared { .. }
            | Assumption::AccessRestrictionHeaders { .. }
            | Assumption::DefaultOutboundSourceUnknown { .. }
            | Assumption::SharedAddressFirstService { .. }
            | Assumption::ServicePortsUnknown { .. }
            | Assumption::SecureTransferAssumedOff { .. }
            | Assumption::ServiceTagRangesUnknown { .. } => false,
        }
    }
}

/// An assumption with whether it is confirmed, as answers carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Assumed {
    /// The assumption.
    #[serde(flatten)]
    pub assumption: Assumption,
    /// Whether Microsoft's documentation does not confirm it.
    pub unconfirmed: bool,
}

impl From<Assumption> for Assumed {
    fn from(assumption: Assumption) -> Self {
        Assumed {
            unconfirmed: assumption.unconfirmed(),
            assumption,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stateful_appliance_that_sees_only_the_reply_times_the_connection_out() {
        let v = Verdict::AsymmetricReturnDropped {
            device: "nva".into(),
            saw: OneWay::ReplyOnly,
        };
        assert_eq!(v.symptom(), Symptom::ReplyOnlyTimeout);
        let v = Verdict::AsymmetricReturnDropped {
            device: "nva".into(),
            saw: OneWay::RequestOnly,
        };
        assert_eq!(v.symptom(), Symptom::HandshakeStalls);
    }

    #[test]
    fn a_firewall_default_deny_of_plain_http_answers_470() {
        let v = Verdict::DroppedByFirewall {
            firewall: "fw".into(),
            rule: None,
            feel: DenyFeel::Http470,
        };
        assert_eq!(v.symptom(), Symptom::FirewallHttp470);
    }

    #[test]
    fn flow_symmetric_private_endpoint_replies_are_unconfirmed_assumptions() {
        assert!(Assumed::from(Assumption::EndpointRepliesAlongRequestPath).unconfirmed);
        assert!(!Assumed::from(Assumption::CallerAddressUnknown).unconfirmed);
    }

    #[test]
    fn assumptions_serialise_with_their_unconfirmed_flag() {
        let a = Assumed::from(Assumption::ApiManagementTagUndeclared {
            probe: IpAddr::V4(std::net::Ipv4Addr::new(13, 64, 0, 1)),
        });
        let json = serde_json::to_value(&a).ok();
        let expected = serde_json::json!({
            "assumption": "ApiManagementTagUndeclared",
            "probe": "13.64.0.1",
            "unconfirmed": false,
        });
        assert_eq!(json, Some(expected));
        let back: Option<Assumed> = json.and_then(|j| serde_json::from_value(j).ok());
        assert_eq!(back, Some(a));
    }
}
