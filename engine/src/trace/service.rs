//! The client side of a trace: App Service's outbound routing before the first packet, and what
//! the service at the end makes of a connection that got there (Microsoft Learn, "Integrate your
//! app with an Azure virtual network", "API Management in a virtual network: network
//! configuration reference", and the services' public-network-access documentation).

use std::borrow::Cow;
use std::net::IpAddr;

use ipnet::IpNet;

use super::walk::{Nic, Tracer};
use super::{
    ApimBlocked, ApimRequirement, Assumption, Hop, NsgRule, Packet, Step, TraceRequest, Verdict,
};
use crate::filter::access_restrictions::{self, Caller};
use crate::filter::Flow;
use crate::model::{
    Access, Direction, FlowProtocol, Network, NicRef, PublicAccess, Service, ServiceEndpoint,
    ServiceKind, TraceSource, AZURE_DNS, WEB_SERVICE_ENDPOINT,
};
use crate::query::nsgs_at;
use crate::route::Origin;
use crate::scenario::DEFAULT_SOURCE_PORT;

/// RFC 1918: what an App Service app without route-all sends into its VNet.
const RFC1918: [(u8, u8, u8); 3] = [(10, 0, 8), (172, 16, 12), (192, 168, 16)];

fn rfc1918(ip: IpAddr) -> bool {
    RFC1918.iter().any(|(a, b, len)| {
        ipnet::Ipv4Net::new(std::net::Ipv4Addr::new(*a, *b, 0, 0), *len)
            .is_ok_and(|n| IpNet::V4(n).contains(&ip))
    })
}

/// The service whose public endpoint answers a request to `ip`: services of one front end can
/// share an address (a storage account's blob, queue, table and web endpoints, apps on one App
/// Service scale unit), and the one that answers is the one whose name the client asked for
/// (its TLS SNI and HTTP host), so the name asked for picks among them. Without a name that
/// picks one, the first declared at the address stands in, and `true` says it was a guess
/// among several.
fn service_answering<'n>(
    net: &'n Network,
    asked: Option<&str>,
    ip: IpAddr,
    keep: impl Fn(&Service) -> bool,
) -> Option<(&'n Service, bool)> {
    let mut at = net.services.iter().filter(|s| s.public_ip == ip && keep(s));
    let first = at.next()?;
    let asked = asked.map(|h| h.trim_end_matches('.'));
    let named = |s: &&Service| asked.is_some_and(|h| s.answers_any(h));
    if named(&first) {
        return Some((first, false));
    }
    let mut others = at.peekable();
    let shared = others.peek().is_some();
    Some(match others.find(named) {
        Some(s) => (s, false),
        None => (first, shared),
    })
}

impl Tracer<'_> {
    /// For an App Service app: whether its packet to `packet.dst` enters the VNet. Without
    /// route-all only RFC 1918 destinations and the integration subnet's service endpoints do;
    /// the rest leaves from the app's own outbound addresses, past every NSG and UDR.
    pub(super) fn app_service_egress(&self, source: &Nic, packet: Packet) -> Option<(Hop, bool)> {
        let app = self
            .net
            .app_services
            .iter()
            .find(|a| NicRef::Workload(a.workload) == source.id)?;
        let subnet = self.net.subnet(source.subnet)?;
        let service_endpoint = subnet.service_endpoints.iter().any(|s| {
            self.net
                .service_prefixes
                .iter()
                .filter(|(name, _)| name == s)
                .any(|(_, prefixes)| prefixes.iter().any(|p| p.contains(&packet.dst)))
        });
        let into_vnet = app.route_all || rfc1918(packet.dst) || service_endpoint;
        let vnet = self.net.vnet(subnet.vnet);
        let hop = Hop {
            nic: crate::model::Name::from(app.name.as_str()),
            subnet: crate::model::Name::from(subnet.name.as_str()),
            vnet: vnet.map(|v| v.name.as_str().into()).unwrap_or_default(),
            region: vnet.map(|v| v.region.as_str().into()).unwrap_or_default(),
            packet,
            steps: vec![Step::AppServiceEgress {
                app: app.name.clone(),
                route_all: app.route_all,
                into_vnet,
            }],
            at: Some(source.id),
        };
        Some((hop, into_vnet))
    }

    /// What the service at the end of the path answers: a private endpoint's or API
    /// Management's TLS and host checks for a delivered request; the public endpoint's access
    /// rules for one sent to a service's public address.
    pub(super) fn conclude(
        &mut self,
        verdict: Verdict,
        forward: &[Hop],
        request: &TraceRequest,
        from: TraceSource,
    ) -> Verdict {
        // Borrowed: cloning the host copies no text unless it is the address itself.
        let name_used: Cow<'_, str> = self
            .host
            .clone()
            .unwrap_or_else(|| Cow::Owned(request.destination.to_string()));
        // The port the service sees: the last hop's, after any translation on the way.
        let port = forward.last().map_or(request.port, |h| h.packet.dst_port);
        match verdict {
            Verdict::Delivered => match forward.last().and_then(|h| h.at) {
                Some(NicRef::PrivateEndpoint(p)) => {
                    let service = self
                        .net
                        .private_endpoints
                        .get(p)
                        .and_then(|p| p.service)
                        .and_then(|s| self.net.services.get(s));
                    let unserved = service.and_then(|s| {
                        self.unserved_port(s, ServiceEndpoint::Private, request.protocol, port)
                    });
                    if let Some(v) = unserved {
                        return v;
                    }
                    match service {
                        Some(s)
                            if s.kind.checks_name_on(request.protocol, request.port)
                                && !s.certificate_covers(&name_used) =>
                        {
                            Verdict::TlsNameMismatch {
                                name: name_used.into_owned(),
                                certificate: s.certificate_names.clone(),
                            }
                        }
                        _ => Verdict::Delivered,
                    }
                }
                Some(NicRef::Workload(w)) => self
                    .apim_unserved_port(w, request.protocol, port)
                    .unwrap_or_else(|| self.api_management(w, &name_used)),
                _ => Verdict::Delivered,
            },
            Verdict::SentToInternet => {
                let service =
                    service_answering(self.net, self.host.as_deref(), request.destination, |_| {
                        true
                    });
                match service {
                    Some((s, guessed)) => {
                        self.note_shared_address(guessed, s, request.destination);
                        if let Some(v) =
                            self.unserved_port(s, ServiceEndpoint::Public, request.protocol, port)
                        {
                            return v;
                        }
                        let tls = s.kind.checks_name_on(request.protocol, request.port);
                        let caller = self.public_caller(forward, from).map(Caller::Public);
                        self.public_endpoint(s, caller, tls, name_used.into_owned())
                    }
                    None => Verdict::SentToInternet,
                }
            }
            // A web app reached over a `Microsoft.Web` service endpoint sees the subnet's private
            // address, and its access restrictions decide as for any public-endpoint request.
            Verdict::SentToServiceEndpoint => {
                let service =
                    service_answering(self.net, self.host.as_deref(), request.destination, |s| {
                        s.kind == ServiceKind::WebApp
                    });
                match (service, self.web_service_endpoint_caller(forward)) {
                    (Some((s, guessed)), Some(caller)) => {
                        self.note_shared_address(guessed, s, request.destination);
                        if let Some(v) =
                            self.unserved_port(s, ServiceEndpoint::Public, request.protocol, port)
                        {
                            return v;
                        }
                        let tls = s.kind.checks_name_on(request.protocol, request.port);
                        self.public_endpoint(s, Some(caller), tls, name_used.into_owned())
                    }
                    _ => Verdict::SentToServiceEndpoint,
                }
            }
            other => other,
        }
    }

    /// States that the service answering at a shared address was taken, not picked by name.
    fn note_shared_address(&mut self, guessed: bool, s: &Service, address: IpAddr) {
        if guessed {
            self.assumptions
                .push(Assumption::SharedAddressFirstService {
                    address,
                    service: s.name.clone(),
                });
        }
    }

    /// A service's public endpoint answers a request that reached it: public network access
    /// disabled, the caller's address not among the allowed networks, the certificate not
    /// covering the name, or served.
    fn public_endpoint(
        &mut self,
        s: &Service,
        caller: Option<Caller>,
        tls: bool,
        name_used: String,
    ) -> Verdict {
        match &s.public_access {
            PublicAccess::Disabled => {
                return Verdict::PublicAccessDisabled {
                    service: s.name.clone(),
                    kind: s.kind,
                }
            }
            PublicAccess::SelectedNetworks(allowed) => {
                // Allowed networks are public ranges: a service-endpoint request (private
                // source) matches none of them.
                let public = match caller {
                    Some(Caller::Public(ip)) => Some(ip),
                    _ => None,
                };
                if !public.is_some_and(|c| allowed.iter().any(|p| p.contains(&c))) {
                    if caller.is_none() {
                        self.assumptions.push(Assumption::CallerAddressUnknown);
                    }
                    return Verdict::ServiceFirewallDenied {
                        service: s.name.clone(),
                        kind: s.kind,
                        caller: caller.map(Caller::ip),
                    };
                }
            }
            PublicAccess::Enabled => {}
        }
        // The advanced tools (scm) site has its own rules, or the main site's.
        if let Some(ar) = s.restrictions_for(&name_used) {
            let allowed = match caller {
                Some(c) => {
                    let decision = access_restrictions::decide(ar, c);
                    for rule in decision.headers_assumed {
                        self.assumptions.push(Assumption::AccessRestrictionHeaders {
                            rule: rule.to_string(),
                            present: ar.headers_present,
                        });
                    }
                    decision.access == Access::Allow
                }
                // Without the caller's address only an app open to everyone lets it in.
                None => {
                    let open = ar.rules.is_empty() && ar.unmatched == Access::Allow;
                    if !open {
                        self.assumptions.push(Assumption::CallerAddressUnknown);
                    }
                    open
                }
            };
            if !allowed {
                return Verdict::ServiceFirewallDenied {
                    service: s.name.clone(),
                    kind: s.kind,
                    caller: caller.map(Caller::ip),
                };
            }
        }
        if tls && !s.certificate_covers(&name_used) {
            return Verdict::TlsNameMismatch {
                name: name_used,
                certificate: s.certificate_names.clone(),
            };
        }
        Verdict::DeliveredPublicly {
            service: s.name.clone(),
        }
    }

    /// The caller of a request the last hop sent over a `Microsoft.Web` service endpoint: the
    /// hop's subnet and the packet's private source (translated, if the hop translated it).
    /// `None` when the service endpoint route is another service's.
    fn web_service_endpoint_caller(&self, forward: &[Hop]) -> Option<Caller> {
        let last = forward.last()?;
        let nic = self.nic(last.at?)?;
        let route = self.dp.routes(nic.subnet)?.best(last.packet.dst)?;
        let web = matches!(&route.origin, Origin::ServiceEndpoint { service } if service.eq_ignore_ascii_case(WEB_SERVICE_ENDPOINT));
        if !web {
            return None;
        }
        let ip = last
            .steps
            .iter()
            .rev()
            .find_map(|s| match s {
                Step::Snat { to, .. } => Some(*to),
                _ => None,
            })
            .unwrap_or(last.packet.src);
        Some(Caller::ServiceEndpoint {
            subnet: nic.subnet,
            ip,
        })
    }

    /// The caller's public address as a service sees it: a firewall's public IP when one
    /// SNATed the request, else the App Service app's outbound address.
    fn public_caller(&self, forward: &[Hop], from: TraceSource) -> Option<IpAddr> {
        // The public IP the firewall SNATed to (Azure picks one of several per connection).
        let firewall = forward.iter().rev().find_map(|h| match h.at {
            Some(NicRef::Firewall(f)) => {
                let fw = self.net.firewalls.get(f)?;
                h.steps.iter().find_map(|s| match s {
                    Step::Snat { to, .. } if fw.public_ips.contains(to) => Some(*to),
                    _ => None,
                })
            }
            _ => None,
        });
        let app = match from {
            TraceSource::Workload(w) => self
                .net
                .app_services
                .iter()
                .find(|a| a.workload == w)
                .and_then(|a| a.outbound_ip),
            TraceSource::Internet(ip) => Some(ip),
            // An on-premises client reaches public endpoints from its own public address,
            // which azpath does not know.
            TraceSource::Site(..) | TraceSource::Branch(..) => None,
        };
        // The way out of Azure (NAT gateway, public IP, outbound rule) decides first.
        let egress = forward
            .iter()
            .rev()
            .flat_map(|h| h.steps.iter())
            .find_map(|s| match s {
                Step::Egress { source, .. } => *source,
                _ => None,
            });
        egress.or(firewall).or(app)
    }

    /// API Management answers only when its subnet's NSG lets its management plane (ApiManagement
    /// → 3443) and its load balancer (AzureLoadBalancer → 6390) in, and only for its host names.
    fn api_management(&mut self, w: crate::model::WorkloadId, name: &str) -> Verdict {
        let Some(apim) = self.net.api_managements.iter().find(|a| a.workload == w) else {
            return Verdict::Delivered;
        };
        let vip = self.net.workloads.get(w).map(|x| x.ip);
        let management = self
            .net
            .service_tags
            .iter()
            .find(|(t, _)| t == "ApiManagement")
            .and_then(|(_, p)| p.first())
            .map(|p| p.network());
        let management = management.unwrap_or_else(|| {
            let probe = IpAddr::V4(std::net::Ipv4Addr::new(13, 64, 0, 1));
            self.assumptions
                .push(Assumption::ApiManagementTagUndeclared { probe });
            probe
        });
        for requirement in ApimRequirement::ALL {
            let src = match requirement {
                ApimRequirement::Management => management,
                ApimRequirement::LoadBalancer => AZURE_DNS,
            };
            let Some(dst) = vip else { break };
            let flow = Flow {
                protocol: FlowProtocol::Tcp,
                src,
                src_port: DEFAULT_SOURCE_PORT,
                dst,
                dst_port: requirement.port(),
            };
            let decision = nsgs_at(
                self.net,
                self.dp,
                NicRef::Workload(w),
                Direction::Inbound,
                flow,
            );
            if let Some(d) = decision.filter(|d| d.access == Access::Deny) {
                let rule = d.rule.map(|r| NsgRule {
                    nsg: r.nsg.into(),
                    rule: r.rule.into(),
                });
                return Verdict::ServiceUnhealthy {
                    service: apim.name.clone(),
                    reason: ApimBlocked { requirement, rule },
                };
            }
        }
        let name = name.trim_end_matches('.').to_lowercase();
        if !apim.hostnames.contains(&name) {
            return Verdict::HostNotServed {
                service: apim.name.clone(),
                name,
            };
        }
        Verdict::Delivered
    }
}
