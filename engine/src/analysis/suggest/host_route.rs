//! A host route for the public address a firewall's session is on, with next hop Internet, in
//! the subnet whose default route took the reply to the firewall's private IP. Microsoft Learn,
//! "Integrate Azure Firewall with Azure Standard Load Balancer"
//! (<https://learn.microsoft.com/azure/firewall/integrate-lb>): "To prevent asymmetric routing,
//! add a specific route for the firewall's public IP address. Packets intended for the
//! firewall's public IP address are directed through the Internet, bypassing the default route
//! to the firewall's private IP address"; with a NAT gateway on `AzureFirewallSubnet`, "You must
//! add a route for the return path to use the NAT Gateway public IP address instead of the Azure
//! Firewall public IP address with Internet as the next hop". Making the firewall SNAT always
//! is no fix there: the reply already goes to the address the firewall translated to.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use super::udr::Table;
use super::{Named, Scope};
use crate::model::{NicRef, SubnetId};
use crate::scenario::{Document, NextHopDoc, RouteDoc};
use crate::trace::{OneWay, Verdict};

/// Add a host route for a firewall's public IP (or its NAT gateway's) with next hop Internet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HostRouteToInternet {
    /// The subnet whose route took the reply to the firewall's private IP.
    pub subnet: Named<SubnetId>,
    /// Its route table (created when the subnet has none).
    pub table: Table,
    /// The route's name.
    pub route: String,
    /// The public address the reply goes to.
    pub address: IpAddr,
    /// The firewall that dropped the reply.
    pub firewall: String,
}

/// For a reply the firewall dropped at its private IP: the host route for the address it was
/// sent to, in the subnet of the NIC that routed it there.
pub fn candidates(s: &Scope<'_>) -> Vec<HostRouteToInternet> {
    let net = s.net;
    let trace = &s.diagnosis.trace;
    let Verdict::AsymmetricReturnDropped {
        device,
        saw: OneWay::ReplyAtPrivateIp,
    } = &trace.verdict
    else {
        return Vec::new();
    };
    let [.., before, at] = trace.reply.as_slice() else {
        return Vec::new();
    };
    let Some(NicRef::Workload(w)) = before.at else {
        return Vec::new();
    };
    let Some((id, subnet)) = net
        .workloads
        .get(w)
        .and_then(|w| net.subnet(w.subnet).map(|s| (w.subnet, s)))
    else {
        return Vec::new();
    };
    let address = at.packet.dst;
    vec![HostRouteToInternet {
        subnet: Named::new(id, subnet.name.clone()),
        table: Table::of(net, subnet),
        route: format!("host-{}", address.to_string().replace(['.', ':'], "-")),
        address,
        firewall: device.clone(),
    }]
}

impl HostRouteToInternet {
    /// Adds the route (and the table, associated with the subnet, when it is new).
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        let text = super::text;
        let route = RouteDoc {
            name: text(&self.route),
            prefix: text(&IpNet::from(self.address).to_string()),
            next_hop: NextHopDoc::Internet,
        };
        self.table.add_route(doc, &self.subnet.name, route)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, lesson};
    use super::super::Scope;
    use super::*;
    use crate::analysis::flow::FlowSpec;

    /// RDP from an Internet client to the firewall's public IP, which DNATs it to the load
    /// balancer.
    fn rdp() -> FlowSpec {
        FlowSpec {
            port: 3389,
            ..flow("203.0.113.7", "20.185.97.136")
        }
    }

    #[test]
    fn a_reply_dropped_at_the_firewall_private_ip_is_fixed_by_a_host_route_for_its_public_ip_to_the_internet(
    ) {
        let loaded = lesson("load-balancer/firewall-dnat-to-public-lb.ron");
        let f = rdp();
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.address, "20.185.97.136".parse::<IpAddr>().unwrap());
        assert_eq!(fix.subnet.name, "spoke/web");
        assert_eq!(fix.table.name(), "rt-web");
        let mut doc = loaded.document.clone();
        fix.apply(&mut doc).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        let after = diagnosis(&fixed, &f);
        assert_eq!(after.trace.verdict, Verdict::Delivered);
        // Always SNAT is no fix here: the firewall already translated the source.
        assert!(super::super::snat::candidates(&Scope::of(&loaded, &f, &d)).is_empty());
    }

    #[test]
    fn with_a_nat_gateway_on_the_firewall_subnet_the_host_route_names_the_nat_gateway_public_ip() {
        let loaded = lesson("load-balancer/firewall-dnat-to-public-lb-with-nat-gateway.ron");
        let f = rdp();
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.address, "198.51.100.101".parse::<IpAddr>().unwrap());
        let mut doc = loaded.document.clone();
        fix.apply(&mut doc).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        assert_eq!(diagnosis(&fixed, &f).trace.verdict, Verdict::Delivered);
    }
}
