//! A subnet's effective route table, compiled for look-ups.
//!
//! A table holds its own routes (the VNet's, peerings', service endpoints', gateways', UDRs') and
//! overlays the private-endpoint host routes of the VNets it sees, which are held once for the
//! whole network ([`EndpointRoutes`]). Every reader goes through [`RouteTableView::routes`],
//! [`lookup`](RouteTableView::lookup), [`best`](RouteTableView::best) or
//! [`covering`](RouteTableView::covering), which show the overlaid routes as if the table held
//! them.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;
use serde::Serialize;

use super::endpoints::{EndpointRoute, EndpointRoutes};
use super::lpm::{Lpm, TrieLpm};
use super::select::select;
use super::system;
use super::types::{EffectiveRoute, Origin, Removal, RemovedRoute, Why, SYSTEM_ROUTE};
use crate::model::{Name, Network, RouteSource, RouteState, SubnetId, VnetId};

/// The effective routes of one subnet, in the order Azure lists them (system routes, gateway
/// routes, then UDRs), with the reserved routes Azure removed, and LPM indexes over them.
#[derive(Clone, Debug)]
pub struct RouteTableView {
    /// The routes the table holds itself, `Active` or `Invalid`: all but the overlaid
    /// private-endpoint routes. Shared, so an explained look-up ([`covering`](Self::covering))
    /// holds the routes it shows without copying them.
    own: Vec<Arc<EffectiveRoute>>,
    /// Where private-endpoint routes are listed among `own` (after the VNet's and peerings'),
    /// and how many `own` holds there (those at shadowed addresses).
    endpoints_at: (usize, usize),
    /// Routes Azure removes from the table, with the reason.
    pub removed: Vec<RemovedRoute>,
    /// Every private endpoint's host route, shared by all tables.
    endpoints: Arc<EndpointRoutes>,
    /// The VNets whose endpoints the table sees (its own and its connected peers), sorted.
    sees: Vec<VnetId>,
    /// Endpoint addresses another route of the table (or a second endpoint) also has as a
    /// prefix: the table decides those endpoints' routes itself and holds them in `own`. Sorted.
    shadowed: Vec<IpAddr>,
    /// The UDRs by prefix (index into `own`), for the private-endpoint network policy.
    udrs: TrieLpm<usize>,
    /// Every route by prefix: forwarding takes the longest prefix with an Active route (several
    /// Active routes under one prefix are equal-cost paths), explaining lists them all.
    by_prefix: TrieLpm<AtPrefix>,
    /// The names of the route tables the routes come from (`System Route` first), each held
    /// once: an explained look-up names the winning route's table at every hop.
    table_names: Vec<Name>,
}

/// The routes of one prefix, as indexes into `own`: the Active ones first, then the Invalid
/// ones, each in listing order (the order a look-up explains them in).
#[derive(Clone, Debug, Default)]
struct AtPrefix {
    routes: Vec<usize>,
    /// How many of `routes` are Active.
    active: usize,
}

/// A look-up explained: the route that forwards, and every route that covers the address.
#[derive(Clone, Debug)]
pub struct Explained<'a, T> {
    /// The Active route that forwards (the first of its equal-cost paths), borrowed from the
    /// table; `None` when nothing matches.
    pub best: Option<&'a EffectiveRoute>,
    /// Every route whose prefix contains the address, in the order
    /// [`RouteTableView::covering`] lists them, as the caller showed each: `best` and its
    /// equal-cost paths are the first Active ones.
    pub covering: Vec<T>,
}

impl RouteTableView {
    /// Computes the effective routes of `subnet`.
    pub fn compile(net: &Network, subnet: SubnetId) -> Option<Self> {
        Self::compile_with(net, subnet, Arc::new(EndpointRoutes::of(net)))
    }

    /// Computes the effective routes of `subnet`, overlaying the shared endpoint routes.
    pub fn compile_with(
        net: &Network,
        subnet: SubnetId,
        endpoints: Arc<EndpointRoutes>,
    ) -> Option<Self> {
        let s = net.subnet(subnet)?;
        let vnet = net.vnet(s.vnet)?;
        let user = system::user(net, s);
        let mut gateway = system::gateway(net, s);
        gateway.extend(super::hub::spoke_routes(net, s));
        let removal = default_route_removal(
            &user,
            &gateway,
            net.assumptions.bgp_default_route_removes_reserved_routes,
        );
        let (reserved, removed) = system::reserved(net, s.vnet, removal);
        let mut sees: Vec<VnetId> = std::iter::once(s.vnet)
            .chain(net.connected_peers(s.vnet).map(|(_, r)| r))
            .chain(net.connected_group_peers(s.vnet))
            .collect();
        sees.sort();
        sees.dedup();
        let mut candidates = system::vnet_local(vnet);
        candidates.extend(system::peering(net, s.vnet));
        candidates.extend(super::connected::connected_group(net, s.vnet));
        let mut rest = system::service_endpoints(net, s);
        rest.extend(system::default_internet(vnet));
        rest.extend(reserved);
        rest.extend(gateway);
        rest.extend(user);
        let shadowed = shadowed(&endpoints, &sees, candidates.iter().chain(&rest));
        let mut held: Vec<&EndpointRoute> = shadowed
            .iter()
            .flat_map(|ip| endpoints.at(*ip))
            .filter(|e| sees.binary_search(&e.vnet).is_ok())
            .collect();
        held.sort_by_key(|e| e.id);
        let endpoints_at = (candidates.len(), held.len());
        candidates.extend(
            held.iter()
                .filter_map(|e| system::private_endpoint(net, e.id)),
        );
        candidates.extend(rest);
        let routes = select(net, s, candidates);
        Some(Self::index(
            routes,
            removed,
            endpoints_at,
            endpoints,
            sees,
            shadowed,
        ))
    }

    fn index(
        own: Vec<EffectiveRoute>,
        removed: Vec<RemovedRoute>,
        endpoints_at: (usize, usize),
        endpoints: Arc<EndpointRoutes>,
        sees: Vec<VnetId>,
        shadowed: Vec<IpAddr>,
    ) -> Self {
        let mut udrs: TrieLpm<usize> = TrieLpm::default();
        let mut grouped: std::collections::BTreeMap<IpNet, (Vec<usize>, Vec<usize>)> =
            Default::default();
        let own: Vec<Arc<EffectiveRoute>> = own.into_iter().map(Arc::new).collect();
        let mut table_names = vec![Name::from(SYSTEM_ROUTE)];
        for (i, r) in own.iter().enumerate() {
            let entry = grouped.entry(r.prefix).or_default();
            if r.state == RouteState::Active {
                entry.0.push(i);
            } else {
                entry.1.push(i);
            }
            if r.source == RouteSource::User {
                udrs.insert(r.prefix, i);
            }
            if !table_names.iter().any(|n| *n == *r.table_name()) {
                table_names.push(Name::from(r.table_name()));
            }
        }
        let mut by_prefix: TrieLpm<AtPrefix> = TrieLpm::default();
        for (prefix, (mut routes, invalid)) in grouped {
            let active = routes.len();
            routes.extend(invalid);
            by_prefix.insert(prefix, AtPrefix { routes, active });
        }
        Self {
            own,
            endpoints_at,
            removed,
            endpoints,
            sees,
            shadowed,
            udrs,
            by_prefix,
            table_names,
        }
    }

    /// Every route shown, `Active` or `Invalid`, in the order Azure lists them: the table's own
    /// and the private-endpoint routes it sees (by endpoint, after the peerings' routes).
    pub fn routes(&self) -> Vec<Cow<'_, EffectiveRoute>> {
        let (at, held) = self.endpoints_at;
        let mut endpoints: Vec<(_, Cow<'_, EffectiveRoute>)> = self
            .own
            .iter()
            .skip(at)
            .take(held)
            .filter_map(|r| match &r.origin {
                Origin::PrivateEndpoint { id, .. } => Some((*id, Cow::Borrowed(r.as_ref()))),
                _ => None,
            })
            .chain(
                self.sees
                    .iter()
                    .flat_map(|v| self.endpoints.in_vnet(*v))
                    .filter(|e| !self.is_shadowed(e.route.prefix.addr()))
                    .map(|e| (e.id, self.overlaid(e))),
            )
            .collect();
        endpoints.sort_by_key(|(id, _)| *id);
        let own = |range: std::ops::Range<usize>| {
            self.own
                .get(range)
                .unwrap_or_default()
                .iter()
                .map(|r| Cow::Borrowed(r.as_ref()))
        };
        own(0..at)
            .chain(endpoints.into_iter().map(|(_, r)| r))
            .chain(own(at + held..self.own.len()))
            .collect()
    }

    /// The routes shown and the routes removed, as one value (what serialising the table gives).
    fn listing(&self) -> Listing<'_> {
        Listing {
            routes: self.routes(),
            removed: &self.removed,
        }
    }

    /// The routes the table holds itself: every route but the private-endpoint ones it
    /// overlays, for readers that look at UDRs, gateway routes or prefixes other than endpoint
    /// addresses.
    pub fn own_routes(&self) -> &[Arc<EffectiveRoute>] {
        &self.own
    }

    /// The Active routes that forward `dst`: the longest matching prefix, with all its
    /// equal-cost paths. Empty when nothing matches (the packet is dropped).
    pub fn lookup(&self, dst: IpAddr) -> Vec<&EffectiveRoute> {
        if let Some(r) = self.active_endpoint(dst) {
            return vec![r];
        }
        self.longest_active(dst)
            .map(|at| {
                self.routes_of(at)
                    .take(at.active)
                    .map(|r| r.as_ref())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The Active route that forwards `dst` (the first of its equal-cost paths), without
    /// allocating: the hot path of forwarding.
    pub fn best(&self, dst: IpAddr) -> Option<&EffectiveRoute> {
        if let Some(r) = self.active_endpoint(dst) {
            return Some(r);
        }
        let at = self.longest_active(dst)?;
        self.routes_of(at).next().map(|r| r.as_ref())
    }

    /// The routes of the longest prefix containing `dst` that has an Active route.
    fn longest_active(&self, dst: IpAddr) -> Option<&AtPrefix> {
        self.by_prefix
            .covering_iter(dst)
            .map(|(_, at)| at)
            .find(|at| at.active > 0)
    }

    /// The routes of one prefix, Active first.
    fn routes_of<'a>(&'a self, at: &'a AtPrefix) -> impl Iterator<Item = &'a Arc<EffectiveRoute>> {
        at.routes.iter().filter_map(|i| self.own.get(*i))
    }

    /// Every route whose prefix contains `dst`, longest prefix first, Active before Invalid;
    /// shared with the table (only an endpoint route a UDR invalidates here is a new value).
    pub fn covering(&self, dst: IpAddr) -> Vec<Arc<EffectiveRoute>> {
        self.explain(dst, |r| r).covering
    }

    /// The route that forwards `dst` ([`best`](Self::best)) and every route covering it
    /// ([`covering`](Self::covering)), each passed through `show` in order, from one search.
    ///
    /// An overlaid endpoint route comes first: it is a host route, and a host route of the
    /// table's own at that address would have made the address shadowed.
    pub fn explain<T>(
        &self,
        dst: IpAddr,
        mut show: impl FnMut(Arc<EffectiveRoute>) -> T,
    ) -> Explained<'_, T> {
        let endpoint = self.seen_endpoint(dst);
        let chain = self.by_prefix.covering_iter(dst);
        let count = chain.clone().map(|(_, at)| at.routes.len()).sum::<usize>();
        let mut covering = Vec::with_capacity(count + usize::from(endpoint.is_some()));
        let mut best = None;
        if let Some(e) = endpoint {
            let shown = match self.overlaid(e) {
                Cow::Borrowed(_) => {
                    best = Some(e.route.as_ref()).filter(|r| r.state == RouteState::Active);
                    Arc::clone(&e.route)
                }
                Cow::Owned(r) => Arc::new(r),
            };
            covering.push(show(shown));
        }
        for (_, at) in chain {
            for r in self.routes_of(at) {
                if best.is_none() && r.state == RouteState::Active {
                    best = Some(r.as_ref());
                }
                covering.push(show(Arc::clone(r)));
            }
        }
        Explained { best, covering }
    }

    /// The name of the table `route` comes from ([`EffectiveRoute::table_name`]), shared.
    pub fn table_name(&self, route: &EffectiveRoute) -> Name {
        let name = route.table_name();
        self.table_names
            .iter()
            .find(|n| **n == *name)
            .cloned()
            .unwrap_or_else(|| Name::from(name))
    }

    /// The overlaid endpoint route for `dst`, if the table sees an endpoint there and does not
    /// decide that address itself.
    fn seen_endpoint(&self, dst: IpAddr) -> Option<&EndpointRoute> {
        // Most addresses hold no endpoint: search the endpoints before the shadowed addresses.
        self.endpoints
            .at(dst)
            .find(|e| self.sees.binary_search(&e.vnet).is_ok())
            .filter(|_| !self.is_shadowed(dst))
    }

    /// The overlaid endpoint route for `dst` when it is Active in this table: a host route is
    /// the longest prefix, so it forwards whenever it is there and valid.
    fn active_endpoint(&self, dst: IpAddr) -> Option<&EffectiveRoute> {
        let e = self.seen_endpoint(dst)?;
        self.invalidating_udr(e)
            .is_none()
            .then_some(e.route.as_ref())
    }

    fn is_shadowed(&self, ip: IpAddr) -> bool {
        self.shadowed.binary_search(&ip).is_ok()
    }

    /// The UDR that invalidates an overlaid endpoint route under the endpoint subnet's network
    /// policies: the most specific covering the endpoint, if it is at least as long as the
    /// endpoint VNet's prefix ([`super::select::private_endpoint_network_policy`]).
    fn policy_udr(&self, e: &EndpointRoute) -> Option<(&EffectiveRoute, Why)> {
        let (policies, vnet_prefix) = e.policy?;
        let udr = self.invalidating_udr(e)?;
        let Origin::UserRoute { table, route, .. } = &udr.origin else {
            return None;
        };
        let why = Why::PrivateEndpointNetworkPolicy {
            policies,
            table: table.clone(),
            route: route.clone(),
            route_prefix: udr.prefix,
            endpoint_vnet_prefix: vnet_prefix,
        };
        Some((udr, why))
    }

    /// The UDR of [`policy_udr`](Self::policy_udr), without naming why: whether the endpoint
    /// route is Invalid here, asked at every forwarding look-up.
    fn invalidating_udr(&self, e: &EndpointRoute) -> Option<&EffectiveRoute> {
        let (_, vnet_prefix) = e.policy?;
        let (prefix, i) = self.udrs.longest_match(e.route.prefix.addr())?;
        if prefix.prefix_len() < vnet_prefix.prefix_len() {
            return None;
        }
        let udr = self.own.get(*i)?;
        matches!(udr.origin, Origin::UserRoute { .. }).then_some(udr.as_ref())
    }

    /// An overlaid endpoint route as this table shows it.
    fn overlaid<'a>(&'a self, e: &'a EndpointRoute) -> Cow<'a, EffectiveRoute> {
        match self.policy_udr(e) {
            None => Cow::Borrowed(e.route.as_ref()),
            Some((_, why)) => Cow::Owned(EffectiveRoute {
                state: why.state(),
                why,
                ..e.route.as_ref().clone()
            }),
        }
    }
}

/// A table as it serialises: its routes in the order shown, and the routes removed.
#[derive(Serialize, schemars::JsonSchema)]
struct Listing<'a> {
    routes: Vec<Cow<'a, EffectiveRoute>>,
    removed: &'a [RemovedRoute],
}

/// The shape a table serialises to, for its schema.
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct ListingSchema {
    /// Every route shown, `Active` or `Invalid`, private-endpoint routes included.
    routes: Vec<EffectiveRoute>,
    /// Routes Azure removes from the table, with the reason.
    removed: Vec<RemovedRoute>,
}

/// A table's schema is its listing's: what serialising it writes.
impl schemars::JsonSchema for RouteTableView {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RouteTableView".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        ListingSchema::json_schema(generator)
    }
}

impl Serialize for RouteTableView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.listing().serialize(serializer)
    }
}

/// The endpoint addresses, among the VNets a table `sees`, that the table must decide itself:
/// those another of its routes has as a prefix, and those several seen endpoints hold.
fn shadowed<'a>(
    endpoints: &EndpointRoutes,
    sees: &[VnetId],
    others: impl Iterator<Item = &'a super::types::Candidate>,
) -> Vec<IpAddr> {
    let seen = |ip: IpAddr| {
        endpoints
            .at(ip)
            .filter(|e| sees.binary_search(&e.vnet).is_ok())
            .count()
    };
    let mut out: Vec<IpAddr> = others
        .filter(|c| c.prefix.prefix_len() == c.prefix.max_prefix_len())
        .map(|c| c.prefix.addr())
        .filter(|ip| seen(*ip) > 0)
        .chain(
            endpoints
                .repeated()
                .iter()
                .copied()
                .filter(|ip| seen(*ip) > 1),
        )
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A user 0.0.0.0/0 removes the reserved `None` routes (documented). A BGP 0.0.0.0/0 does so
/// only under the assumption `bgp_default_route_removes_reserved_routes`.
fn default_route_removal(
    user: &[super::types::Candidate],
    gateway: &[super::types::Candidate],
    bgp_removes: bool,
) -> Option<Removal> {
    let is_v4_default = |p: &IpNet| matches!(p, IpNet::V4(n) if n.prefix_len() == 0);
    let from_user = user
        .iter()
        .find(|c| is_v4_default(&c.prefix))
        .and_then(|c| match &c.origin {
            Origin::UserRoute { table, route, .. } => Some(Removal::UserDefaultRoute {
                table: table.clone(),
                route: route.clone(),
            }),
            _ => None,
        });
    let from_bgp = || {
        gateway
            .iter()
            .filter(|_| bgp_removes)
            .find(|c| is_v4_default(&c.prefix) && c.source == RouteSource::VirtualNetworkGateway)
            .and_then(|c| match &c.origin {
                Origin::Gateway { gateway, .. } => Some(Removal::BgpDefaultRoute {
                    gateway: gateway.clone(),
                }),
                _ => None,
            })
    };
    from_user.or_else(from_bgp)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::super::select::select;
    use super::super::system;
    use super::super::testutil::table;
    use super::super::types::EffectiveRoute;
    use super::RouteTableView;
    use crate::model::{NextHopType, RouteState};

    /// The table as it was computed before endpoint routes were overlaid: every endpoint route
    /// the subnet's VNet sees copied among its candidates, in Azure's listing order.
    fn copied(net: &crate::model::Network, subnet: crate::model::SubnetId) -> Vec<EffectiveRoute> {
        let s = net.subnet(subnet).unwrap();
        let vnet = net.vnet(s.vnet).unwrap();
        let user = system::user(net, s);
        let mut gateway = system::gateway(net, s);
        gateway.extend(super::super::hub::spoke_routes(net, s));
        let removal = super::default_route_removal(
            &user,
            &gateway,
            net.assumptions.bgp_default_route_removes_reserved_routes,
        );
        let (reserved, _) = system::reserved(net, s.vnet, removal);
        let mut c = system::vnet_local(vnet);
        c.extend(system::peering(net, s.vnet));
        c.extend(system::private_endpoints(net, s.vnet));
        c.extend(system::service_endpoints(net, s));
        c.extend(system::default_internet(vnet));
        c.extend(reserved);
        c.extend(gateway);
        c.extend(user);
        select(net, s, c)
    }

    /// Every subnet's overlaid table lists, forwards and explains exactly what the copied one
    /// does, at every endpoint address and next to it.
    fn same_as_copied(ron: &str) {
        let loaded = crate::load_str("t.ron", ron).unwrap_or_else(|e| panic!("{e}"));
        let net = &loaded.network;
        for subnet in net.subnets.ids() {
            let name = &net.subnet(subnet).unwrap().name;
            let overlaid = RouteTableView::compile(net, subnet).unwrap();
            let listed: Vec<EffectiveRoute> =
                overlaid.routes().into_iter().map(Cow::into_owned).collect();
            let rows = copied(net, subnet);
            assert_eq!(listed, rows, "{name}");
            let reference = RouteTableView::index(
                rows,
                Vec::new(),
                (0, 0),
                Default::default(),
                Vec::new(),
                Vec::new(),
            );
            for pe in &net.private_endpoints {
                let std::net::IpAddr::V4(v4) = pe.ip else {
                    continue;
                };
                let next = std::net::IpAddr::V4(std::net::Ipv4Addr::from(u32::from(v4) + 1));
                for dst in [pe.ip, next] {
                    assert_eq!(overlaid.lookup(dst), reference.lookup(dst), "{name} {dst}");
                    assert_eq!(overlaid.best(dst), reference.best(dst), "{name} {dst}");
                    let explained = overlaid.explain(dst, |r| r);
                    assert_eq!(explained.best, overlaid.best(dst), "{name} {dst}");
                    assert_eq!(explained.covering, overlaid.covering(dst), "{name} {dst}");
                    assert_eq!(
                        overlaid.covering(dst),
                        reference.covering(dst),
                        "{name} {dst}"
                    );
                }
            }
        }
    }

    /// A hub with endpoints under each policy, peered to two spokes, one with a UDR for the
    /// hub's prefix and a host UDR for one endpoint, and a spoke endpoint of its own.
    const HUB: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
                (name: "fw", prefix: "10.0.1.0/24"),
                (name: "pe", prefix: "10.0.2.0/24", private_endpoint_network_policies: RouteTableEnabled),
                (name: "open", prefix: "10.0.3.0/24")]),
            (name: "a", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24", route_table: "rt"), (name: "pe", prefix: "10.1.2.0/24")]),
            (name: "b", region: "westus", address_space: ["10.2.0.0/16"], subnets: [(name: "app", prefix: "10.2.1.0/24")]),
        ],
        peerings: [(between: ("hub", "a")), (between: ("hub", "b"))],
        route_tables: [(name: "rt", routes: [
            (name: "hub", prefix: "10.0.0.0/16", next_hop: VirtualAppliance("10.0.1.4")),
            (name: "host", prefix: "10.0.3.5/32", next_hop: VirtualAppliance("10.0.1.4"))])],
        private_endpoints: [
            (name: "pe1", subnet: "hub/pe", ip: "10.0.2.4"),
            (name: "spoke", subnet: "a/pe", ip: "10.1.2.4"),
            (name: "pe2", subnet: "hub/pe", ip: "10.0.2.5"),
            (name: "open1", subnet: "hub/open", ip: "10.0.3.4"),
            (name: "open2", subnet: "hub/open", ip: "10.0.3.5"),
        ],
    )"#;

    #[test]
    fn overlaid_endpoint_routes_list_forward_and_explain_as_copied_ones() {
        same_as_copied(HUB);
    }

    #[test]
    fn endpoint_routes_are_held_once_however_many_tables_see_them() {
        let loaded = crate::load_str("t.ron", HUB).unwrap();
        let dp = loaded.dataplane();
        assert!(dp.distinct_tables() >= 4);
        for t in dp.tables() {
            assert!(
                t.own_routes().iter().all(|r| r.next_hop.next_hop_type
                    != NextHopType::InterfaceEndpoint
                    || r.prefix == "10.0.3.5/32".parse().unwrap()),
                "only a shadowed endpoint route is held by a table"
            );
        }
        let shown = |s: &str| {
            let id = loaded.network.subnet_by_name(s).unwrap();
            dp.routes(id)
                .unwrap()
                .routes()
                .iter()
                .filter(|r| r.next_hop.next_hop_type == NextHopType::InterfaceEndpoint)
                .map(|r| (r.prefix.to_string(), r.state))
                .collect::<Vec<_>>()
        };
        use RouteState::{Active, Invalid};
        let hub = [
            ("10.0.2.4/32", Active),
            ("10.0.2.5/32", Active),
            ("10.0.3.4/32", Active),
            ("10.0.3.5/32", Active),
        ];
        assert_eq!(shown("b/app"), hub.map(|(p, s)| (p.to_string(), s)));
        assert_eq!(
            shown("a/app"),
            [
                ("10.0.2.4/32", Invalid),
                ("10.1.2.4/32", Active),
                ("10.0.2.5/32", Invalid),
                ("10.0.3.4/32", Active),
                ("10.0.3.5/32", Invalid),
            ]
            .map(|(p, s)| (p.to_string(), s))
        );
    }

    #[test]
    fn best_is_the_first_of_the_longest_active_matches() {
        let t = table(
            r#"Scenario(
                vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "GatewaySubnet", prefix: "10.0.255.0/27"), (name: "a", prefix: "10.0.1.0/24")])],
                gateways: [(name: "gw", vnet: "v", kind: Vpn, instance_ips: ["10.0.255.4", "10.0.255.5"], learned: [(prefix: "192.168.1.0/24")])])"#,
            "v/a",
        );
        for dst in ["192.168.1.9", "10.0.1.9", "8.8.8.8", "10.9.9.9"] {
            let dst = dst.parse().unwrap();
            assert_eq!(t.best(dst), t.lookup(dst).first().copied(), "{dst}");
            assert_eq!(t.explain(dst, |r| r).best, t.best(dst), "{dst}");
        }
        assert_eq!(t.lookup("192.168.1.9".parse().unwrap()).len(), 2, "ECMP");
    }
}
