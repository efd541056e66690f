//! Which NICs a trace cannot tell apart. Two NICs are alike when exchanging their names and
//! addresses changes nothing a trace reads: then a trace between alike NICs is the trace of a
//! representative pair with the names and addresses exchanged, and one trace answers for all.
//!
//! What a trace reads of a NIC, and so what alike NICs share:
//! - its kind (workload or private endpoint), workload kind and forwarding (an appliance on a
//!   path forwards);
//! - its subnet's compiled route table and tag scope (the shared table number, which fixes the
//!   VNet), the subnet's NSG and its private-endpoint network policies, and the NIC's own NSG;
//!   the subnet's name and prefix are read by nothing on a path, so NICs of different subnets
//!   with equal tables and filters are alike;
//! - for its address, every prefix anywhere in the network that contains it (routes, NSG and
//!   firewall rules, tags, VNet spaces, next hops; see [`AddressPlan`]), since rules and routes
//!   match on the exact address; and whether it is private or public (the `Internet` tag);
//! - the name a client asks for when connecting to its address
//!   ([`host_asked`](crate::trace::host_asked): a private endpoint's target FQDN, or the
//!   address itself for plain HTTP), by which firewall application rules it matches; for a
//!   private endpoint of a service, whether the certificate covers the name checked (that name,
//!   else the address), and the certificate's names, which a mismatch lists; and the service's
//!   kind, which decides the ports it listens on, with a storage account's "secure transfer
//!   required", which decides whether it serves plain HTTP;
//! - App Service instances, API Management VIPs and load-balancer backends are alike with
//!   nothing: the tracer reads their egress routing, host names and inbound entry.
//!
//! A private endpoint's own /32 route is left out of the address signature: endpoints of alike
//! subnets get their /32s in exactly the same tables (their VNet's and its peers'), with the
//! same state (the state depends on the endpoint subnet's policies and the UDRs that contain
//! the address, both part of the key), so the routes are exchanged with the endpoints.
//!
//! A NIC whose name or address another NIC also holds is alike with nothing: a trace finds NICs
//! by address and verdicts name them, so exchanging it would change what else is found.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

use ipnet::IpNet;

use crate::dataplane::DataPlane;
use crate::filter::firewall::fqdn_matches;
use crate::filter::nsg::AZURE_HOST_IP;
use crate::filter::TagScope;
use crate::model::{
    is_private, AddressMatch, Network, NsgId, PrivateEndpointId, PrivateEndpointNetworkPolicies,
    ServiceKind, ServiceTag, VnetId, WorkloadId, WorkloadKind,
};
use crate::route::system::reserved_prefixes;
use crate::route::{Lpm, Origin, TrieLpm};
use crate::scenario::DEFAULT_PORT;
use crate::trace::host_asked;

/// A NIC taking part in the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Member {
    /// A workload.
    Workload(WorkloadId),
    /// A private endpoint.
    PrivateEndpoint(PrivateEndpointId),
    /// An on-premises site (at its default address).
    Site(crate::model::OnPremSiteId),
}

/// The network's on-premises sites with a default address, each in a class of its own
/// (numbered after every class of `tagged`).
pub(super) fn site_members(net: &Network, tagged: &[(Member, u32)]) -> Vec<(Member, u32)> {
    let first = tagged.iter().map(|(_, c)| c + 1).max().unwrap_or(0);
    net.sites
        .iter_ids()
        .filter(|(_, s)| s.default_address().is_some())
        .zip(first..)
        .map(|((id, _), class)| (Member::Site(id), class))
        .collect()
}

/// Every prefix in the network that a rule or route could match an address with, for an
/// address's signature.
pub(super) struct AddressPlan {
    prefixes: TrieLpm<u32>,
}

impl AddressPlan {
    /// Collects the prefixes: every compiled route (but private-endpoint /32s) and its next hop,
    /// the routes Azure removed, every tag scope, the model's VNet spaces, UDRs and their next
    /// hops, gateway addresses and learned prefixes, service-endpoint and service-tag prefixes,
    /// NSG rule and firewall rule prefixes, firewall addresses and SNAT ranges, Azure's reserved
    /// prefixes and the Azure host address.
    pub(super) fn of(net: &Network, dp: &DataPlane) -> Self {
        let mut all: BTreeSet<IpNet> = BTreeSet::new();
        data_plane_prefixes(dp, &mut all);
        network_prefixes(net, &mut all);
        rule_prefixes(net, &mut all);
        hub_prefixes(net, &mut all);
        all.extend(reserved_prefixes(true));
        all.insert(IpNet::from(AZURE_HOST_IP));
        all.insert(IpNet::from(crate::model::AZURE_DNS));
        let mut prefixes = TrieLpm::default();
        for (i, p) in all.into_iter().enumerate() {
            prefixes.insert(p, u32::try_from(i).unwrap_or(u32::MAX));
        }
        Self { prefixes }
    }

    /// The address's signature: the prefixes that contain it, whether it is private, and
    /// whether the `Internet` tag covers it.
    fn signature(&self, ip: IpAddr) -> (Vec<u32>, bool, bool) {
        let mut inside: Vec<u32> = self
            .prefixes
            .covering(ip)
            .into_iter()
            .map(|(_, i)| *i)
            .collect();
        inside.sort_unstable();
        let internet = TagScope::default().contains(&ServiceTag::Internet, ip);
        (inside, is_private(ip), internet)
    }
}

/// The compiled routes (but private-endpoint /32s) with their next hops, the routes Azure
/// removed, and every tag scope.
fn data_plane_prefixes(dp: &DataPlane, all: &mut BTreeSet<IpNet>) {
    for table in dp.tables() {
        for r in table.own_routes() {
            if !matches!(r.origin, Origin::PrivateEndpoint { .. }) {
                all.insert(r.prefix);
            }
            all.extend(r.next_hop.ip.map(IpNet::from));
        }
        all.extend(table.removed.iter().map(|r| r.route.prefix));
    }
    for scope in dp.tag_scopes() {
        all.extend(scope.virtual_network.iter().copied());
        all.extend(scope.virtual_network_without_udrs.iter().copied());
        all.extend(scope.declared.iter().flat_map(|(_, p)| p.iter().copied()));
    }
}

/// VNet spaces, UDRs and their next hops, gateway addresses and learned prefixes,
/// service-endpoint and service-tag prefixes.
fn network_prefixes(net: &Network, all: &mut BTreeSet<IpNet>) {
    for v in &net.vnets {
        all.extend(v.address_space.iter().copied());
    }
    for t in &net.route_tables {
        for r in &t.routes {
            all.insert(r.prefix);
            all.extend(r.next_hop.ip.map(IpNet::from));
        }
    }
    for g in &net.gateways {
        all.extend(g.instance_ips.iter().map(|ip| IpNet::from(*ip)));
        for l in &g.learned {
            all.insert(l.prefix);
            all.extend(l.next_hop_ips.iter().map(|ip| IpNet::from(*ip)));
        }
    }
    for (_, prefixes) in net.service_prefixes.iter().chain(&net.service_tags) {
        all.extend(prefixes.iter().copied());
    }
}

/// NSG and firewall rule prefixes, firewall addresses and SNAT ranges, load balancer and
/// service addresses, service network rules and VNet DNS servers.
fn rule_prefixes(net: &Network, all: &mut BTreeSet<IpNet>) {
    let prefix = |m: &AddressMatch| match m {
        AddressMatch::Prefix(p) => Some(*p),
        AddressMatch::Any | AddressMatch::Tag(_) | AddressMatch::Asg(_) => None,
    };
    // A member of an application security group matches rules its neighbours do not.
    for g in &net.application_security_groups {
        let ips = g.members.iter().filter_map(|w| net.workloads.get(*w));
        all.extend(ips.map(|w| IpNet::from(w.ip)));
    }
    for nsg in &net.nsgs {
        for r in &nsg.rules {
            all.extend(r.source.iter().chain(&r.destination).filter_map(prefix));
        }
    }
    for fw in &net.firewalls {
        all.insert(IpNet::from(fw.ip));
        all.extend(fw.snat_private_ranges.iter().copied());
        for r in &fw.network {
            all.extend(r.source.iter().chain(&r.destination).filter_map(prefix));
        }
        for r in &fw.application {
            all.extend(r.source.iter().filter_map(prefix));
        }
    }
    for fw in &net.firewalls {
        all.extend(fw.public_ips.iter().map(|ip| IpNet::from(*ip)));
        for r in &fw.dnat {
            all.insert(IpNet::from(r.destination));
            all.insert(IpNet::from(r.translated_address));
            all.extend(r.source.iter().filter_map(prefix));
        }
    }
    all.extend(
        net.load_balancers
            .iter()
            .map(|lb| IpNet::from(lb.frontend_ip)),
    );
    all.extend(net.services.iter().map(|s| IpNet::from(s.public_ip)));
    for s in &net.services {
        if let crate::model::PublicAccess::SelectedNetworks(p) = &s.public_access {
            all.extend(p.iter().copied());
        }
    }
    for v in &net.vnets {
        all.extend(v.dns_servers.iter().map(|ip| IpNet::from(*ip)));
    }
}

/// Virtual hub prefixes and router addresses, routing intent, hub routes, sites and
/// connection static routes.
fn hub_prefixes(net: &Network, all: &mut BTreeSet<IpNet>) {
    for h in &net.virtual_hubs {
        all.insert(h.address_prefix);
        all.extend(h.router_ips.iter().map(|ip| IpNet::from(*ip)));
        all.extend(h.routing_intent.private_prefixes.iter().copied());
        all.extend(
            h.tables
                .iter()
                .flat_map(|t| &t.routes)
                .flat_map(|r| r.prefixes.iter().copied()),
        );
        all.extend(h.sites.iter().flat_map(|s| s.prefixes.iter().copied()));
        for c in &h.connections {
            for r in &c.static_routes {
                all.extend(r.prefixes.iter().copied());
                all.insert(IpNet::from(r.next_hop_ip));
            }
        }
    }
}

/// What a trace reads of a NIC, its name and address aside.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    /// Alike with every NIC with the same facts.
    Facts {
        endpoint: bool,
        workload_kind: Option<WorkloadKind>,
        forwarding: Option<(bool, bool)>,
        vnet: VnetId,
        table: Option<usize>,
        subnet_nsg: Option<NsgId>,
        policies: PrivateEndpointNetworkPolicies,
        nic_nsg: Option<NsgId>,
        address: (Vec<u32>, bool, bool),
        /// For a private endpoint of a service, whether its certificate covers the name a
        /// client connecting to the address is checked against, and the certificate's names
        /// (a mismatch lists them).
        service: Option<(bool, Vec<String>)>,
        /// For a private endpoint of a service, the service's kind, which decides the ports
        /// it listens on, and a storage account's "secure transfer required", which decides
        /// whether it serves plain HTTP.
        service_kind: Option<(ServiceKind, Option<bool>)>,
        /// Which application-rule FQDN patterns the endpoint's target matches (when the target
        /// is a name), then which the address written as a name matches.
        target: Option<Vec<bool>>,
        literal: Vec<bool>,
        /// Whether security admin rules leave the subnet out (a subnet Azure exempts by name,
        /// or one holding an Application Gateway without network isolation).
        admin_left_out: bool,
    },
    /// Alike with nothing (its name or address is not unique).
    Alone(usize),
}

/// What members are compared by: the address plan, the application rules' FQDN patterns, and
/// how many NICs (firewalls included) hold each address and each name.
struct Alike<'a> {
    net: &'a Network,
    dp: &'a DataPlane,
    plan: AddressPlan,
    patterns: BTreeSet<&'a str>,
    addresses: HashMap<IpAddr, usize>,
    names: HashMap<&'a str, usize>,
}

impl<'a> Alike<'a> {
    fn new(net: &'a Network, dp: &'a DataPlane) -> Self {
        let patterns: BTreeSet<&str> = net
            .firewalls
            .iter()
            .flat_map(|f| &f.application)
            .flat_map(|r| r.fqdns.iter().map(String::as_str))
            .collect();
        let mut addresses: HashMap<IpAddr, usize> = HashMap::new();
        let mut names: HashMap<&str, usize> = HashMap::new();
        let nics = net
            .workloads
            .iter()
            .map(|w| (w.ip, w.name.as_str()))
            .chain(
                net.private_endpoints
                    .iter()
                    .map(|p| (p.ip, p.name.as_str())),
            )
            .chain(net.firewalls.iter().map(|f| (f.ip, f.name.as_str())));
        for (ip, name) in nics {
            *addresses.entry(ip).or_default() += 1;
            *names.entry(name).or_default() += 1;
        }
        Alike {
            net,
            dp,
            plan: AddressPlan::of(net, dp),
            patterns,
            addresses,
            names,
        }
    }

    /// Which application-rule FQDN patterns `host` matches.
    fn matches(&self, host: &str) -> Vec<bool> {
        self.patterns
            .iter()
            .map(|p| fqdn_matches(p, host))
            .collect()
    }

    /// Whether one NIC alone holds the address and one alone the name.
    fn unique(&self, ip: IpAddr, name: &str) -> bool {
        self.addresses.get(&ip).copied() == Some(1) && self.names.get(name).copied() == Some(1)
    }

    /// The facts member `m` (the `index`-th) is compared by.
    fn key(&self, index: usize, m: Member) -> Key {
        let (name, ip, subnet, nic_nsg, workload_kind, forwarding, target) = match m {
            Member::Workload(i) => match self.net.workloads.get(i) {
                Some(w) => (
                    w.name.as_str(),
                    w.ip,
                    w.subnet,
                    w.nsg,
                    Some(w.kind),
                    w.forwarding.map(|f| (f.stateful, f.snat)),
                    None,
                ),
                None => return Key::Alone(index),
            },
            Member::PrivateEndpoint(i) => match self.net.private_endpoints.get(i) {
                Some(p) => (
                    p.name.as_str(),
                    p.ip,
                    p.subnet,
                    None,
                    None,
                    None,
                    p.target.as_deref(),
                ),
                None => return Key::Alone(index),
            },
            Member::Site(_) => return Key::Alone(index),
        };
        let Some(s) = self.net.subnet(subnet).filter(|_| self.unique(ip, name)) else {
            return Key::Alone(index);
        };
        // App Service instances, API Management VIPs and load-balancer backends are read by
        // the tracer beyond these facts (egress routing, host names, inbound entry).
        if let Member::Workload(i) = m {
            let special = self.net.app_services.iter().any(|a| a.workload == i)
                || self.net.api_managements.iter().any(|a| a.workload == i)
                || self
                    .net
                    .load_balancers
                    .iter()
                    .any(|lb| lb.backends.contains(&i));
            if special {
                return Key::Alone(index);
            }
        }
        let service = match m {
            Member::PrivateEndpoint(i) => self
                .net
                .private_endpoints
                .get(i)
                .and_then(|p| p.service)
                .and_then(|s| self.net.services.get(s))
                .map(|s| {
                    let checked = host_asked(self.net, self.dp, ip, DEFAULT_PORT, None)
                        .0
                        .unwrap_or_else(|| ip.to_string());
                    (s.certificate_covers(&checked), s.certificate_names.clone())
                }),
            Member::Workload(_) | Member::Site(_) => None,
        };
        let service_kind = match m {
            Member::PrivateEndpoint(i) => self
                .net
                .private_endpoints
                .get(i)
                .and_then(|p| p.service)
                .and_then(|s| self.net.services.get(s))
                .map(|s| (s.kind, s.secure_transfer_required)),
            Member::Workload(_) | Member::Site(_) => None,
        };
        Key::Facts {
            endpoint: matches!(m, Member::PrivateEndpoint(_)),
            workload_kind,
            forwarding,
            vnet: s.vnet,
            table: self.dp.shared_table(subnet),
            subnet_nsg: s.nsg,
            policies: s.private_endpoint_network_policies,
            nic_nsg,
            address: self.plan.signature(ip),
            service,
            service_kind,
            target: target.filter(|t| t.contains('.')).map(|t| self.matches(t)),
            literal: self.matches(&ip.to_string()),
            admin_left_out: admin_left_out(s),
        }
    }
}

/// Assigns every member a class: members of one class are alike. Classes are numbered in order
/// of their first member, so the numbering is deterministic.
pub(super) fn classes(net: &Network, dp: &DataPlane, members: &[Member]) -> Vec<u32> {
    let alike = Alike::new(net, dp);
    let mut ids: HashMap<Key, u32> = HashMap::new();
    members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            *ids.entry(alike.key(i, *m)).or_insert(next)
        })
        .collect()
}

/// Whether security admin rules leave `subnet` out, whatever the flow: its name is one Azure
/// exempts, or it holds an Application Gateway without network isolation.
fn admin_left_out(subnet: &crate::model::Subnet) -> bool {
    let own = subnet
        .name
        .rsplit('/')
        .next()
        .unwrap_or(subnet.name.as_str());
    crate::filter::admin::EXEMPT_SUBNETS.contains(&own)
        || crate::filter::admin::application_gateway_left_out(subnet)
}
