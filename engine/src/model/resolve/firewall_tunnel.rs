//! Azure Firewall forced tunnelling: the Management NIC in `AzureFirewallManagementSubnet`
//! that it requires, and the routes Azure accepts around it. Microsoft Learn, "Azure Firewall
//! forced tunneling" (<https://learn.microsoft.com/azure/firewall/forced-tunneling>) and "Azure
//! Firewall Management NIC" (<https://learn.microsoft.com/azure/firewall/management-nic>).

use ipnet::IpNet;

use super::{find, Resolver};
use crate::model::*;
use crate::scenario as doc;

/// The smallest management subnet Azure accepts: a /26.
const MANAGEMENT_SUBNET_LONGEST_PREFIX: u8 = 26;

impl Resolver {
    /// The firewall's management subnet, checked: named `AzureFirewallManagementSubnet`, in the
    /// firewall's VNet, at least a /26, its route table holding no route but `0.0.0.0/0` to the
    /// Internet. Without one, `AzureFirewallSubnet` may not route `0.0.0.0/0` elsewhere than
    /// the Internet: the firewall needs direct Internet access unless it is in forced
    /// tunnelling mode.
    pub(super) fn forced_tunnelling(
        &mut self,
        f: &doc::FirewallDoc,
        data_subnet: Option<SubnetId>,
    ) -> Option<SubnetId> {
        let Some(text) = &f.management_subnet else {
            self.default_route_needs_management_nic(f, data_subnet);
            return None;
        };
        let id = self.found(find(&self.subnet_ids, text, "subnet"))?;
        let subnet = self.net.subnet(id)?.clone();
        if !text.value.ends_with("/AzureFirewallManagementSubnet") {
            self.error(
                text.span,
                format!("management subnet `{}` of firewall `{}` is not an `AzureFirewallManagementSubnet`", text.value, f.name.value),
                Some("the Management NIC lives in a subnet named `AzureFirewallManagementSubnet`".into()),
            );
        }
        let data_vnet = data_subnet.and_then(|s| self.net.subnet(s)).map(|s| s.vnet);
        if data_vnet.is_some_and(|v| v != subnet.vnet) {
            self.error(
                text.span,
                format!(
                    "management subnet `{}` is not in the vnet of firewall `{}`",
                    text.value, f.name.value
                ),
                Some("`AzureFirewallManagementSubnet` must be in the firewall's vnet".into()),
            );
        }
        if subnet.prefix.prefix_len() > MANAGEMENT_SUBNET_LONGEST_PREFIX {
            self.error(
                text.span,
                format!(
                    "management subnet `{}` is a /{}",
                    text.value,
                    subnet.prefix.prefix_len()
                ),
                Some("`AzureFirewallManagementSubnet` must be at least a /26".into()),
            );
        }
        self.management_routes(text, &subnet);
        Some(id)
    }

    /// The management subnet's route table may hold only a default route to the Internet, and
    /// must not take gateway routes.
    fn management_routes(&mut self, text: &crate::scenario::Text, subnet: &Subnet) {
        let Some(table) = subnet
            .route_table
            .and_then(|t| self.net.route_tables.get(t))
        else {
            return;
        };
        let table = table.clone();
        let default = IpNet::V4(ipnet::Ipv4Net::default());
        for r in &table.routes {
            let to_internet = r.next_hop.next_hop_type == NextHopType::Internet;
            if r.prefix != default || !to_internet {
                self.error(
                    r.span,
                    format!(
                        "route `{}` of `{}` is on the firewall management subnet `{}`",
                        r.name, table.name, text.value
                    ),
                    Some("the management subnet's route table may hold only `0.0.0.0/0` with next hop Internet".into()),
                );
            }
        }
        if table.propagate_gateway_routes {
            self.error(
                table.span,
                format!(
                    "route table `{}` of the firewall management subnet propagates gateway routes",
                    table.name
                ),
                Some("set `propagate_gateway_routes: false`: the Management NIC needs its own way to the Internet".into()),
            );
        }
    }

    /// Without a Management NIC the firewall must reach the Internet directly: a UDR
    /// `0.0.0.0/0` on `AzureFirewallSubnet` to anything but the Internet is warned about (the
    /// firewall's own management traffic would follow it; the trace still follows the route).
    fn default_route_needs_management_nic(
        &mut self,
        f: &doc::FirewallDoc,
        data_subnet: Option<SubnetId>,
    ) {
        let Some(table) = data_subnet
            .and_then(|s| self.net.subnet(s))
            .and_then(|s| s.route_table)
            .and_then(|t| self.net.route_tables.get(t))
        else {
            return;
        };
        let default = IpNet::V4(ipnet::Ipv4Net::default());
        let bad: Vec<(Span, String)> = table
            .routes
            .iter()
            .filter(|r| r.prefix == default && r.next_hop.next_hop_type != NextHopType::Internet)
            .map(|r| (r.span, r.name.clone()))
            .collect();
        for (span, route) in bad {
            self.warn(
                span,
                format!(
                    "route `{route}` sends `0.0.0.0/0` from the subnet of firewall `{}` elsewhere than the Internet",
                    f.name.value
                ),
                Some("forced tunnelling needs the Management NIC: give the firewall `management_subnet: \"<vnet>/AzureFirewallManagementSubnet\"`".into()),
            );
        }
    }
}
