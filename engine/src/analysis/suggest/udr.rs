//! A UDR in the client's subnet sending the destination's range to an appliance the client's
//! VNet reaches directly (its own VNet or a connected peer): peering is not transitive, so a
//! spoke reaches another spoke only through an appliance it is routed to ("Virtual network
//! peering: service chaining").

use ipnet::IpNet;
use serde::Serialize;

use super::{Named, Scope};
use crate::model::{Network, RouteTableId, Subnet, SubnetId, VnetId};
use crate::scenario::{Document, NextHopDoc, RouteDoc, RouteTableDoc};
use crate::trace::Verdict;

/// The route table a UDR goes into.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "table")]
pub enum Table {
    /// The subnet's route table.
    Existing(Named<RouteTableId>),
    /// A new table, associated with the subnet.
    New {
        /// Its name.
        name: String,
    },
}

impl Table {
    /// The table's name.
    pub fn name(&self) -> &str {
        match self {
            Table::Existing(t) => &t.name,
            Table::New { name } => name,
        }
    }

    /// The table a route added to `subnet` goes into: the subnet's own, else a new one named
    /// after the subnet.
    pub(super) fn of(net: &Network, subnet: &Subnet) -> Table {
        match subnet
            .route_table
            .and_then(|t| net.route_table(t).map(|x| (t, x)))
        {
            Some((id, t)) => Table::Existing(Named::new(id, t.name.clone())),
            None => Table::New {
                name: format!("rt-{}", subnet.name.replace('/', "-")),
            },
        }
    }

    /// Adds `route` to the table in `doc`, first creating the table and associating it with
    /// `subnet` when it is new.
    pub(super) fn add_route(
        &self,
        doc: &mut Document,
        subnet: &str,
        route: RouteDoc,
    ) -> Option<()> {
        if let Table::New { name } = self {
            doc.route_tables.push(RouteTableDoc {
                name: super::text(name),
                propagate_gateway_routes: true,
                routes: Vec::new(),
                id: None,
            });
            super::doc_subnet(doc, subnet)?.route_table = Some(super::text(name));
        }
        doc.route_tables
            .iter_mut()
            .find(|t| t.name.value == self.name())?
            .routes
            .push(route);
        Some(())
    }
}

/// Add a UDR in the client's subnet sending the destination's range to an appliance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AddUdr {
    /// The client's subnet.
    pub subnet: Named<SubnetId>,
    /// Its route table (created when the subnet has none).
    pub table: Table,
    /// The route's name.
    pub route: String,
    /// The destination range.
    #[schemars(with = "String")]
    pub prefix: IpNet,
    /// The appliance's address.
    pub appliance: std::net::IpAddr,
}

/// For a flow with no route (or a dropping one), one UDR per appliance the client's VNet
/// reaches, for the address space holding the destination (else the destination alone).
pub fn candidates(s: &Scope<'_>) -> Vec<AddUdr> {
    let net = s.net;
    let d = s.diagnosis;
    let (Verdict::NoRoute { .. }, Some((cs_id, cs)), Some((_, c))) =
        (&d.trace.verdict, s.client_subnet, s.client)
    else {
        return Vec::new();
    };
    let Some(dst) = d.trace.destination else {
        return Vec::new();
    };
    let prefix = net
        .vnets
        .iter()
        .flat_map(|v| v.address_space.iter())
        .find(|p| p.contains(&dst))
        .copied()
        .unwrap_or_else(|| IpNet::from(dst));
    let reachable =
        |vnet: VnetId| vnet == cs.vnet || net.connected_peers(cs.vnet).any(|(_, r)| r == vnet);
    let table = Table::of(net, cs);
    let route = format!("to-{}", prefix.to_string().replace(['/', '.', ':'], "-"));
    net.workloads
        .iter()
        .filter(|w| w.forwarding.is_some())
        .map(|w| (w.subnet, w.ip))
        .chain(net.firewalls.iter().map(|f| (f.subnet, f.ip)))
        .filter(|(x, _)| net.subnet(*x).is_some_and(|x| reachable(x.vnet)))
        .filter(|(_, ip)| *ip != c.ip)
        .map(|(_, appliance)| AddUdr {
            subnet: Named::new(cs_id, cs.name.clone()),
            table: table.clone(),
            route: route.clone(),
            prefix,
            appliance,
        })
        .collect()
}

impl AddUdr {
    /// Adds the route (and the table, associated with the subnet, when it is new).
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        let text = super::text;
        let route = RouteDoc {
            name: text(&self.route),
            prefix: text(&self.prefix.to_string()),
            next_hop: NextHopDoc::VirtualAppliance(text(&self.appliance.to_string())),
        };
        self.table.add_route(doc, &self.subnet.name, route)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, load};
    use super::super::Scope;
    use super::*;

    const SPOKES: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "nva", prefix: "10.0.1.0/24")]),
            (name: "a", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
            (name: "b", region: "eastus", address_space: ["10.2.0.0/16"], subnets: [(name: "app", prefix: "10.2.1.0/24", route_table: "rt-b")]),
        ],
        peerings: [(between: ("hub", "a"), allow_forwarded_traffic: true), (between: ("hub", "b"), allow_forwarded_traffic: true)],
        route_tables: [(name: "rt-b", routes: [(name: "a-via-nva", prefix: "10.1.0.0/16", next_hop: VirtualAppliance("10.0.1.4"))])],
        workloads: [
            (name: "nva", kind: Nva, subnet: "hub/nva", ip: "10.0.1.4"),
            (name: "vm-a", subnet: "a/app", ip: "10.1.1.4"),
            (name: "vm-b", subnet: "b/app", ip: "10.2.1.4"),
        ],
    )"#;

    #[test]
    fn peering_is_not_transitive_so_a_spoke_is_routed_to_the_hub_appliance() {
        let loaded = load(SPOKES);
        let f = flow("vm-a", "10.2.1.4");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.subnet.name, "a/app");
        assert_eq!(
            fix.table,
            Table::New {
                name: "rt-a-app".into()
            }
        );
        assert_eq!(fix.prefix.to_string(), "10.2.0.0/16");
        assert_eq!(fix.appliance.to_string(), "10.0.1.4");
        assert_eq!(fix.route, "to-10-2-0-0-16");
    }

    #[test]
    fn a_subnet_with_a_table_gets_the_route_in_it() {
        let loaded = load(SPOKES);
        // Not in any VNet: the reserved 10.0.0.0/8 route drops it.
        let f = flow("vm-b", "10.9.0.4");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        assert_eq!(found.len(), 1, "{found:?}");
        for fix in found {
            assert_eq!(fix.prefix.to_string(), "10.9.0.4/32");
            assert!(
                matches!(&fix.table, Table::Existing(t) if t.name == "rt-b"),
                "{fix:?}"
            );
            let mut doc = loaded.document.clone();
            fix.apply(&mut doc).unwrap();
            assert_eq!(doc.route_tables.len(), 1);
            assert_eq!(doc.route_tables[0].routes.len(), 2);
        }
    }
}
