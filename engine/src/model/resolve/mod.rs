//! Document → Network: resolves names, parses addresses, and checks what Azure itself would
//! refuse. Every problem is collected, so a file is reported whole, not one error per run.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::*;
use crate::diag::{unknown_name_hint, Diagnostic, Severity};
use crate::model::flow_addr::unroutable;
use crate::scenario::{self as doc, Document, Text};

mod access_restrictions;
mod admin;
mod asg;
mod balance;
mod connectivity;
mod delegation;
mod dns_links;
mod firewall;
mod firewall_addr;
mod firewall_dns;
mod firewall_source;
mod firewall_tunnel;
mod forall;
mod hub_firewall;
mod hub_question;
mod names;
mod naming;
mod network;
mod nics;
mod onprem;
mod peering;
mod questions;
mod scm_site;
mod security;
mod tag_routes;
mod vwan;
mod zone_copies;

/// Azure's limit on routes in one route table.
pub const MAX_ROUTES_PER_TABLE: usize = 400;

pub use forall::MAX_FORALL_CASES;

/// Resolves and validates `document`. On success returns the network and any warnings; on failure
/// every diagnostic (errors and warnings), in file order.
pub fn resolve(document: &Document) -> Result<(Network, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut r = Resolver::default();
    r.net.title.clone_from(&document.title);
    r.net.story.clone_from(&document.story);
    r.net.takeaway.clone_from(&document.takeaway);
    r.net.assumptions = document.assumptions.resolved();
    r.service_prefixes(&document.service_endpoint_prefixes);
    r.service_tags(&document.service_tags);
    r.route_tables(&document.route_tables);
    r.asg_names(&document.application_security_groups);
    r.nsgs(&document.nsgs);
    r.vnets(&document.vnets);
    r.security_admin_rules(&document.security_admin_rules);
    r.virtual_hubs(&document.virtual_hubs);
    r.peerings(&document.peerings);
    r.connectivity_configurations(&document.connectivity_configurations, &document.gateways);
    r.peering_limits();
    r.gateways(&document.gateways);
    r.gateway_transit();
    r.services(&document.services);
    r.nics(&document.private_endpoints, &document.workloads);
    r.pe_targets(&document.private_endpoints);
    r.web_apps_closed_by_endpoints(&document.services, &document.private_endpoints);
    r.service_endpoint_rules_beside_private_endpoints(
        &document.services,
        &document.private_endpoints,
    );
    r.onprem_sites(&document.sites);
    r.branches(&document.virtual_hubs, document.virtual_wan.as_ref());
    r.asg_members(&document.application_security_groups);
    r.app_services(&document.app_services);
    r.endpoints_outside_dedicated_subnets(&document.app_services);
    r.api_managements(&document.api_managements);
    r.dns(&document.dns);
    r.ip_groups(&document.ip_groups);
    r.firewalls(&document.firewalls);
    r.hub_firewalls(&document.virtual_hubs);
    r.nat_gateways(&document.nat_gateways);
    r.egress(&document.vnets, &document.workloads);
    r.load_balancers(&document.load_balancers);
    r.questions(&document.questions);
    r.udr_next_hops();
    r.gateway_subnet_limits();
    let Resolver { net, mut diags, .. } = r;
    diags.sort_by_key(|d| (d.span.start, d.severity));
    if diags.iter().any(|d| d.severity == Severity::Error) {
        Err(diags)
    } else {
        Ok((net, diags))
    }
}

#[derive(Default)]
struct Resolver {
    net: Network,
    diags: Vec<Diagnostic>,
    vnet_ids: BTreeMap<String, VnetId>,
    subnet_ids: BTreeMap<String, SubnetId>,
    table_ids: BTreeMap<String, RouteTableId>,
    nsg_ids: BTreeMap<String, NsgId>,
    /// Workloads and private endpoints share one namespace: both are NICs a trace names.
    nic_names: naming::Seen,
    nic_ips: BTreeMap<(VnetId, IpAddr), String>,
    /// VNets connected to a virtual hub so far (a VNet connects to one hub, once).
    hub_connected: std::collections::BTreeSet<VnetId>,
    /// Branch sites of every hub: their names are unique across hubs.
    site_names: naming::Seen,
    /// Declared service tags by name, for NSG and firewall rules.
    tag_ids: BTreeMap<String, usize>,
    /// Application security groups by name, for NSG rules.
    asg_ids: BTreeMap<String, usize>,
    /// IP groups by name, expanded to prefixes, for firewall rules.
    ip_group_ids: BTreeMap<String, Vec<IpNet>>,
    /// Services with declared endpoint prefixes.
    endpoint_services: std::collections::BTreeSet<String>,
    /// Cases the estate-wide questions resolved so far check (bounded by
    /// [`forall::MAX_FORALL_CASES`]).
    forall_cases: usize,
}

impl Resolver {
    fn error(&mut self, span: Span, message: String, hint: Option<String>) {
        self.diags
            .push(Diagnostic::error(span, message).with_hint_opt(hint));
    }

    fn warn(&mut self, span: Span, message: String, hint: Option<String>) {
        self.diags
            .push(Diagnostic::warning(span, message).with_hint_opt(hint));
    }

    // ---- value parsers -------------------------------------------------------------------

    /// An IPv4 prefix with no host bits set. IPv6 is refused: azpath models IPv4 only.
    fn prefix(&mut self, text: &Text, what: &str) -> Option<IpNet> {
        let raw = text.value.trim();
        match raw.parse::<IpNet>() {
            Ok(IpNet::V6(_)) => {
                self.ipv6_refused(text, what);
                None
            }
            Ok(net) if net.trunc() == net => Some(net),
            Ok(net) => {
                self.error(
                    text.span,
                    format!("{what} `{raw}` has host bits set"),
                    Some(format!("did you mean `{}`?", net.trunc())),
                );
                None
            }
            Err(_) => {
                let hint = match raw.parse::<IpAddr>() {
                    Ok(IpAddr::V4(_)) => format!("a single address is written `{raw}/32`"),
                    Ok(IpAddr::V6(_)) => format!("a single address is written `{raw}/128`"),
                    Err(_) => "write a prefix such as `10.0.0.0/16`".to_string(),
                };
                self.error(
                    text.span,
                    format!("{what} `{raw}` is not an IP prefix"),
                    Some(hint),
                );
                None
            }
        }
    }

    /// An IPv4 address. IPv6 is refused: azpath models IPv4 only.
    fn ip(&mut self, text: &Text, what: &str) -> Option<IpAddr> {
        let raw = text.value.trim();
        match raw.parse::<IpAddr>() {
            Ok(IpAddr::V6(_)) => {
                self.ipv6_refused(text, what);
                None
            }
            Ok(ip) => Some(ip),
            Err(_) => {
                let hint = if raw.contains('/') {
                    "write one address, without a prefix length".to_string()
                } else {
                    "write an address such as `10.0.1.4`".to_string()
                };
                self.error(
                    text.span,
                    format!("{what} `{raw}` is not an IP address"),
                    Some(hint),
                );
                None
            }
        }
    }

    /// An address a host can hold and be reached at: an IPv4 address outside 0.0.0.0/8,
    /// loopback, multicast and the broadcast address.
    fn host_ip(&mut self, text: &Text, what: &str) -> Option<IpAddr> {
        let ip = self.ip(text, what)?;
        self.check_host_ip(text.span, ip, what).then_some(ip)
    }

    /// Refuses `ip` (written at `span`) if no host can hold it: the rule the command line
    /// applies too, [`unroutable`].
    fn check_host_ip(&mut self, span: Span, ip: IpAddr, what: &str) -> bool {
        let Some(why) = unroutable(ip) else {
            return true;
        };
        self.error(
            span,
            format!(
                "{what} `{ip}` is in `{}`, {}, which no host holds",
                why.block(ip),
                why.what()
            ),
            Some("give the unicast address of a host, such as `10.0.1.4`".into()),
        );
        false
    }

    /// Whether `ip`, written as `text` in a question, is an IPv4 address a host can hold.
    fn question_address(&mut self, text: &Text, ip: IpAddr, what: &str) -> bool {
        if ip.is_ipv6() {
            self.ipv6_refused(text, what);
            return false;
        }
        self.check_host_ip(text.span, ip, what)
    }

    fn ipv6_refused(&mut self, text: &Text, what: &str) {
        self.error(
            text.span,
            format!(
                "{what} `{}` is IPv6, which azpath does not model",
                text.value.trim()
            ),
            Some("azpath models IPv4 only; leave the IPv6 part of the design out".into()),
        );
    }

    /// Keeps a successful look-up, or records its diagnostic.
    fn found<T>(&mut self, lookup: Result<T, Diagnostic>) -> Option<T> {
        lookup.map_err(|d| self.diags.push(d)).ok()
    }
}

fn source(s: doc::RouteSourceDoc) -> RouteSource {
    match s {
        doc::RouteSourceDoc::Default => RouteSource::Default,
        doc::RouteSourceDoc::User => RouteSource::User,
        doc::RouteSourceDoc::VirtualNetworkGateway => RouteSource::VirtualNetworkGateway,
    }
}

pub(crate) use crate::model::addr::overlaps;

/// Looks `name` up in `map`; an unknown name gets a did-you-mean hint.
fn find<T: Copy>(map: &BTreeMap<String, T>, name: &Text, kind: &str) -> Result<T, Diagnostic> {
    map.get(&name.value).copied().ok_or_else(|| {
        let hint = match naming::first_unprintable(&name.value) {
            Some((c, why)) => format!(
                "it contains U+{:04X}, {why}, which no declared name holds",
                u32::from(c)
            ),
            None => unknown_name_hint(&name.value, map.keys().map(String::as_str), kind),
        };
        Diagnostic::error(
            name.span,
            format!("unknown {kind} `{}`", naming::shown(&name.value)),
        )
        .with_hint(hint)
    })
}

/// The names private endpoints target, gathered once so that asking whether a service has an
/// endpoint is one look-up rather than a scan of every endpoint.
fn endpoint_targets(endpoints: &[doc::PrivateEndpointDoc]) -> std::collections::HashSet<&str> {
    endpoints
        .iter()
        .filter_map(|pe| pe.target.as_ref().map(|t| t.value.as_str()))
        .collect()
}
