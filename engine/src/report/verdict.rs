//! The words of a trace's ending: each verdict in a few words with its particulars, each reason
//! as a clause, what the client sees, and each assumption as a sentence. The answers carry only
//! the enums; this is the one place they become English.

use std::fmt;

use crate::dns::DnsOutcome;
use crate::model::{FlowProtocol, PeeringState, PortRange, ServiceKind};
use crate::trace::{
    ApimBlocked, Assumed, Assumption, FirewallRule, GatewayPath, NextHopFault, OneWay,
    PeeringRefusal, ReplyFault, Source, Symptom, Verdict,
};

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Workload { name } => f.write_str(name),
            Source::Internet { client } => write!(f, "Internet client {client}"),
            Source::Site { site, client } => write!(f, "{site}:{client}"),
        }
    }
}

impl Verdict {
    /// The verdict in a few words, with its particulars.
    pub fn describe(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        match self {
            Verdict::Delivered | Verdict::SentToInternet | Verdict::SentToServiceEndpoint => {
                f.write_str(name)
            }
            Verdict::DroppedByNsg { nsg, rule, nic } => {
                write!(f, "{name} (rule `{rule}` of `{nsg}` at `{nic}`)")
            }
            Verdict::DroppedByFirewall { firewall, rule, .. } => match rule {
                Some(r) => write!(f, "{name} (rule `{r}` of `{firewall}`)"),
                None => write!(
                    f,
                    "{name} (no rule of `{firewall}` allows it: default deny)"
                ),
            },
            Verdict::NoRoute { prefix } => match prefix {
                Some(p) => write!(f, "{name} (route {p} has next hop None)"),
                None => write!(f, "{name} (no route matches)"),
            },
            Verdict::NoDestination { address } => write!(f, "{name} (no NIC holds {address})"),
            Verdict::InvalidNextHop { address, reason } => {
                write!(f, "{name} ({address}: {reason})")
            }
            Verdict::PeeringBlocked { from, to, reason } => {
                write!(f, "{name} (`{from}` -> `{to}`: {reason})")
            }
            Verdict::SentToOnPremises { via } => write!(f, "{name} (via {via})"),
            Verdict::AnsweredByPlatform { service } => {
                write!(f, "{name} ({})", super::reasons::platform_service(*service))
            }
            Verdict::Loop { at } => write!(f, "{name} (back at `{at}`)"),
            Verdict::NotRoutedFromSite { site, destination } => write!(
                f,
                "{name} (`{site}` has no route to Azure for {destination}: its gateway does not advertise it)"
            ),
            Verdict::AsymmetricReturnDropped { device, saw } => {
                write!(f, "{name} (`{device}`: {saw})")
            }
            Verdict::ReplyDropped { reason } => write!(f, "{name} ({reason})"),
            Verdict::NameNotResolved { name: n, outcome } => {
                write!(f, "{name} (`{n}`: {})", dns_outcome(outcome))
            }
            Verdict::TlsNameMismatch {
                name: n,
                certificate,
            } => write!(
                f,
                "{name} (`{n}` is not among the certificate's names {})",
                certificate.join(", ")
            ),
            Verdict::PublicAccessDisabled { service, kind } => {
                write!(f, "{name} (`{service}`: {})", access_disabled_text(*kind))
            }
            Verdict::ServiceFirewallDenied {
                service,
                kind,
                caller,
            } => {
                let caller = caller.map_or("an unknown address".into(), |c| c.to_string());
                let text = firewall_denied_text(*kind);
                write!(f, "{name} (`{service}` refuses {caller}: {text})")
            }
            Verdict::DeliveredPublicly { service } => {
                write!(f, "{name} (`{service}` answered on its public endpoint)")
            }
            Verdict::HostNotServed { service, name: n } => {
                write!(f, "{name} (`{service}` does not serve `{n}`)")
            }
            Verdict::ServiceUnhealthy { service, reason } => {
                write!(f, "{name} (`{service}`: {reason})")
            }
            Verdict::NoLoadBalancingRule {
                load_balancer,
                port,
            } => write!(
                f,
                "{name} (no rule of `{load_balancer}` carries this flow to port {port}; load balancers carry TCP and UDP only)"
            ),
            Verdict::NoHealthyBackend { load_balancer } => write!(
                f,
                "{name} (every backend of `{load_balancer}` is down: no new flows)"
            ),
            Verdict::LoadBalancerHairpin {
                load_balancer,
                backend,
            } => write!(
                f,
                "{name} (`{backend}` called `{load_balancer}`'s frontend and was chosen itself: the two legs of the flow do not match)"
            ),
            Verdict::NoOutboundAccess { nic, subnet } => write!(
                f,
                "{name} (`{nic}` is in private subnet `{subnet}` with no NAT gateway, public IP or load balancer outbound rule)"
            ),
            Verdict::PublicIpClosed { address, nic } => write!(
                f,
                "{name} ({address} is a Standard public IP: closed to inbound until an NSG on `{nic}` or its subnet allows it)"
            ),
            Verdict::DroppedBySecurityAdminRule {
                collection,
                rule,
                nic,
            } => write!(
                f,
                "{name} (security admin rule `{rule}` of `{collection}` at `{nic}`, before any NSG)"
            ),
            Verdict::PortNotServed {
                service,
                kind,
                protocol,
                port,
                listens,
                refused,
            } => {
                let feel = if *refused {
                    "the connection is refused"
                } else {
                    "the SYN goes unanswered"
                };
                let what = match protocol {
                    FlowProtocol::Tcp => format!("TCP port {port}"),
                    FlowProtocol::Udp => format!("UDP port {port}"),
                    FlowProtocol::Icmp => "ICMP".to_string(),
                };
                write!(
                    f,
                    "{name} (`{service}` ({kind:?}) does not listen on {what}; it serves TCP {}: {feel})",
                    port_ranges(listens)
                )
            }
            Verdict::SecureTransferRequired { service, kind } => write!(
                f,
                "{name} (`{service}` ({kind:?}) requires secure transfer: it rejects any request over plain HTTP; use HTTPS on port 443)"
            ),
            Verdict::SnatAddressDecides {
                device,
                allowed,
                refused,
                refusal,
            } => write!(
                f,
                "{name} (`{device}` picks its source among several public IPs per connection: from {} it gets through, from {} it ends {refusal}; connections fail intermittently)",
                addresses(allowed),
                addresses(refused)
            ),
        }
    }
}

/// Addresses as a list.
fn addresses(list: &[std::net::IpAddr]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn dns_outcome(outcome: &DnsOutcome) -> String {
    match outcome {
        DnsOutcome::NxDomain => "NXDOMAIN".to_string(),
        DnsOutcome::Loop => "the resolution loops".to_string(),
        DnsOutcome::NoServer { server } => format!("no DNS server at {server}"),
        DnsOutcome::DnsProxyDisabled { firewall, server } => format!(
            "the VNet's DNS server {server} is firewall `{firewall}`, whose DNS proxy is off: nothing answers on port 53"
        ),
        DnsOutcome::Resolved { .. } => "resolved".to_string(),
    }
}

impl fmt::Display for FirewallRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.group, self.collection, self.rule)
    }
}

impl fmt::Display for NextHopFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextHopFault::IpForwardingDisabled { nic } => {
                write!(f, "`{nic}` does not forward packets (IP forwarding is off)")
            }
            NextHopFault::NotInVnetOrPeers { vnet } => write!(
                f,
                "no NIC in `{vnet}` or a vnet peered with it holds this address"
            ),
            NextHopFault::ConnectionStaticRouteUnheld { vnet } => write!(
                f,
                "no NIC in `{vnet}` holds the next hop of the connection's static route"
            ),
        }
    }
}

impl fmt::Display for PeeringRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeeringRefusal::AccessDisabled => {
                f.write_str("the peering does not allow virtual network access")
            }
            PeeringRefusal::ForwardedTrafficNotAllowed { source, vnet } => write!(
                f,
                "the source {source} is outside `{vnet}`, so this is forwarded traffic, which the peering does not allow"
            ),
            PeeringRefusal::NotConnected { state } => {
                let state = match state {
                    PeeringState::Connected => "Connected",
                    PeeringState::Initiated => "Initiated",
                    PeeringState::Disconnected => "Disconnected",
                };
                write!(f, "the peering is {state}, so it carries nothing")
            }
        }
    }
}

impl fmt::Display for GatewayPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GatewayPath::Gateway { gateway } => write!(f, "`{gateway}`"),
            GatewayPath::UserRoute { table, route } => write!(f, "`{table}/{route}`"),
            GatewayPath::Site { site } => write!(f, "`{site}`"),
            GatewayPath::Unnamed => f.write_str("`gateway`"),
        }
    }
}

impl fmt::Display for OneWay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OneWay::RequestOnly => {
                "the reply bypassed this stateful appliance, so it drops the rest of the flow"
            }
            OneWay::ReplyOnly => {
                "the reply reached a stateful appliance that never saw the request"
            }
            OneWay::ReplyAtPrivateIp => {
                "the reply to the firewall's public IP (or its NAT gateway's) was routed to its private IP, where it knows no such session"
            }
        })
    }
}

impl fmt::Display for ReplyFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyFault::UnknownNic => f.write_str("unknown NIC"),
            ReplyFault::NoNicHolds { address } => {
                write!(f, "no NIC holds {address} where the reply is routed")
            }
            ReplyFault::ReachedOther { nic } => write!(
                f,
                "the reply reached `{nic}`, not the source: its routes lead elsewhere"
            ),
            ReplyFault::Ended { verdict } => write!(f, "the reply ended with {verdict}"),
        }
    }
}

impl fmt::Display for ApimBlocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (tag, port) = (self.requirement.tag(), self.requirement.port());
        match &self.rule {
            Some(r) => write!(f, "rule `{}` of `{}` denies", r.rule, r.nsg)?,
            None => f.write_str("the NSG denies")?,
        }
        write!(f, " {tag} to port {port}, which API Management requires")
    }
}

impl fmt::Display for Symptom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Symptom::Connected => "connected",
            Symptom::ConnectTimeout => "connect timeout (packets vanish silently)",
            Symptom::FirewallHttp470 => {
                "HTTP 470 from the firewall: `Action: Deny. Reason: No rule matched.`"
            }
            Symptom::TlsHandshakeReset => {
                "the TLS handshake is cut off: connection reset or SSL_ERROR_SYSCALL"
            }
            Symptom::ReplyOnlyTimeout => {
                "connect timeout: the appliance drops the answer to a connection it never saw start"
            }
            Symptom::HandshakeStalls => {
                "the handshake stalls, then EOF or reset: SSL_ERROR_SYSCALL, `EOF occurred in violation of protocol`, or a read timeout (observed in the field; UNCONFIRMED by Microsoft's documentation)"
            }
            Symptom::LeavesForInternet => {
                "leaves Azure for the Internet (the answer depends on what is there)"
            }
            Symptom::LeavesForOnPremises => {
                "leaves Azure through the gateway (the answer depends on on-premises)"
            }
            Symptom::ReachesServiceEndpoint => "reaches the service over its service endpoint",
            Symptom::NxDomain => {
                "the name does not resolve: NXDOMAIN (`getaddrinfo ENOTFOUND`, `Name or service not known`)"
            }
            Symptom::DnsTimeout => {
                "the DNS lookup times out: the DNS server does not exist or does not answer"
            }
            Symptom::DnsLoop => {
                "the DNS lookup fails (SERVFAIL) or times out: the query goes round in circles"
            }
            Symptom::CertificateNameMismatch => {
                "TLS certificate name mismatch: `CERTIFICATE_VERIFY_FAILED` (.NET `RemoteCertificateNameMismatch`, curl exit 60)"
            }
            Symptom::PublicAccessDisabled { kind } => access_disabled_text(*kind),
            Symptom::ServiceFirewallDenied { kind } => firewall_denied_text(*kind),
            Symptom::ConnectedPublicly => "connected, but over the service's public endpoint",
            Symptom::HostNotServed => {
                "API Management does not answer: it serves only its configured host names"
            }
            Symptom::ServiceUnavailable => {
                "HTTP 503 or failed connections: API Management's required inbound traffic is blocked"
            }
            Symptom::ConnectionRefused => {
                "connection refused: a TCP reset answers the SYN (`ECONNREFUSED`, `actively refused`)"
            }
            Symptom::SecureTransferRequired => {
                "HTTP 400: \"The account being accessed does not support http.\""
            }
        })
    }
}

/// What a service's public endpoint answers when public network access is disabled (the texts
/// clients report; see the README).
pub fn access_disabled_text(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::OpenAI | ServiceKind::CognitiveServices | ServiceKind::AiServices => {
            "HTTP 403: Public access is disabled. Please configure private endpoint."
        }
        ServiceKind::KeyVault => {
            "HTTP 403 ForbiddenByConnection: Public network access is disabled and request is not from a trusted service nor via an approved private link."
        }
        ServiceKind::StorageBlob => {
            "HTTP 403 AuthorizationFailure: This request is not authorized to perform this operation."
        }
        ServiceKind::Sql => {
            "error 47073: Connection was denied because Deny Public Network Access is set to Yes"
        }
        _ => "HTTP 403: public network access is disabled",
    }
}

/// What a service's public endpoint answers when the caller's address is not among the allowed
/// networks.
pub fn firewall_denied_text(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::OpenAI | ServiceKind::CognitiveServices | ServiceKind::AiServices => {
            "HTTP 403: Access denied due to Virtual Network/Firewall rules."
        }
        ServiceKind::KeyVault => {
            "HTTP 403 ForbiddenByFirewall: Client address is not authorized and caller is not a trusted service."
        }
        ServiceKind::StorageBlob => {
            "HTTP 403 AuthorizationFailure: This request is not authorized to perform this operation."
        }
        ServiceKind::WebApp => {
            "HTTP 403 Forbidden: the app's access restrictions block the caller's address"
        }
        _ => "HTTP 403: the caller's address is not allowed by the service's firewall",
    }
}

impl fmt::Display for Assumption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Assumption::ClientAsksForEndpointTarget { target } => write!(
                f,
                "the client asks for `{target}`, the target of the private endpoint it connects to"
            ),
            Assumption::EndpointRepliesAlongRequestPath => f.write_str(
                "a private endpoint whose subnet has no route-table network policies answers along the path the request came",
            ),
            Assumption::SameVnetApplianceFailureNotModelled => f.write_str(
                "community labs saw client, appliance and private endpoint in one VNet fail; azpath does not model that failure",
            ),
            Assumption::EndpointRepliesByItsRoutes => f.write_str(
                "a private endpoint whose subnet has route-table network policies answers by its subnet's effective routes",
            ),
            Assumption::CallerAddressUnknown => f.write_str(
                "the caller's public address is unknown (default outbound access uses a Microsoft-owned address that can change), so no allowed network can match it",
            ),
            Assumption::ApiManagementTagUndeclared { probe } => write!(
                f,
                "the ApiManagement service tag's prefixes are not declared; azpath checks the management rule with {probe}"
            ),
            Assumption::AccessRestrictionHeaders { rule, present: true } => write!(
                f,
                "the request carries a value each HTTP header filter of access restriction `{rule}` lists (a trace knows no headers; `headers_present: false` says otherwise)"
            ),
            Assumption::AccessRestrictionHeaders { rule, present: false } => write!(
                f,
                "the request lacks the HTTP headers access restriction `{rule}` filters on, so the rule does not apply (`headers_present: false`)"
            ),
            Assumption::SharedAddressFirstService { address, service } => write!(
                f,
                "several services answer at {address} and the name asked for picks none of them, so `{service}` (declared first there) stands in for the one the front end routes to; trace by the service's own name to pick it"
            ),
            Assumption::DefaultOutboundSourceUnknown { frontend } => write!(
                f,
                "the flow leaves by default outbound access, from a Microsoft-owned address azpath does not know, so it is not followed in at {frontend}: NSG rules allowing `Internet` or `*` would match that address, a rule naming a specific public prefix cannot be decided; give the subnet a NAT gateway or a public IP to know the address"
            ),
            Assumption::ServicePortsUnknown { service, port } => write!(
                f,
                "azpath has no documented table of the ports `{service}` listens on, so port {port} is taken to be served"
            ),
            Assumption::UnservedPortAnswer { refused: false } => f.write_str(
                "a service drops a connection to a port it does not listen on, so the connect times out (Microsoft documents neither a drop nor a reset; `unserved_port_refused: true` says it is refused)",
            ),
            Assumption::UnservedPortAnswer { refused: true } => f.write_str(
                "a service refuses a connection to a port it does not listen on with a TCP reset (`unserved_port_refused: true`; Microsoft documents neither a drop nor a reset)",
            ),
            Assumption::SecureTransferAssumedOff { service } => write!(
                f,
                "`{service}` is taken not to require secure transfer, so it serves plain HTTP on port 80; with secure transfer required (the default) it rejects the request (`secure_transfer_required` on the service says which)"
            ),
            Assumption::ServiceTagRangesUnknown { tag, route } => write!(
                f,
                "route `{route}` names service tag `{tag}`, whose prefixes the scenario declares empty, so it covers nothing here; in Azure it covers the tag's ranges, which may change this answer"
            ),
        }
    }
}

/// Port ranges as a list: `443`, `1433-65535`, `80, 443`.
fn port_ranges(listens: &[PortRange]) -> String {
    let each: Vec<String> = listens
        .iter()
        .map(|r| {
            if r.first == r.last {
                r.first.to_string()
            } else {
                format!("{}-{}", r.first, r.last)
            }
        })
        .collect();
    each.join(", ")
}

impl fmt::Display for Assumed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unconfirmed {
            f.write_str("UNCONFIRMED: ")?;
        }
        self.assumption.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_peering_reads_with_its_state() {
        let v = Verdict::PeeringBlocked {
            from: "a".into(),
            to: "b".into(),
            reason: PeeringRefusal::NotConnected {
                state: PeeringState::Initiated,
            },
        };
        assert_eq!(
            v.describe(),
            "PeeringBlocked (`a` -> `b`: the peering is Initiated, so it carries nothing)"
        );
    }

    #[test]
    fn an_unconfirmed_assumption_says_so() {
        let a = Assumed::from(Assumption::EndpointRepliesAlongRequestPath);
        assert!(a.to_string().starts_with("UNCONFIRMED: "));
    }

    #[test]
    fn a_service_refusal_shows_what_the_service_answers() {
        let s = Symptom::PublicAccessDisabled {
            kind: ServiceKind::OpenAI,
        };
        assert!(s.to_string().contains("Public access is disabled"));
    }
}
