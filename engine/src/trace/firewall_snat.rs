//! The source address an Azure Firewall gives a flow it SNATs. Microsoft Learn, "Azure Firewall
//! SNAT private IP address ranges" (<https://learn.microsoft.com/azure/firewall/snat-private-range>):
//! traffic to a public range used privately (say, a peered VNet's `52.10.0.0/16`) is SNATed to
//! one of the firewall's private addresses in `AzureFirewallSubnet`; "Azure Firewall forced
//! tunneling" (<https://learn.microsoft.com/azure/firewall/forced-tunneling>): with forced
//! tunnelling, Internet-bound traffic is SNATed to a private address too. Only traffic the
//! firewall sends to the Internet itself leaves with one of its public IPs, unless a NAT gateway
//! is on `AzureFirewallSubnet`: "Scale SNAT ports with Azure NAT Gateway"
//! (<https://learn.microsoft.com/azure/firewall/integrate-with-nat-gateway>): "all outbound
//! Internet traffic automatically uses the public IP address of the NAT gateway"; "There's no
//! double NAT with this architecture. Azure Firewall instances send the traffic to NAT gateway
//! using their private IP address rather than Azure Firewall public IP address."

use std::net::IpAddr;

use super::walk::{Nic, Tracer};
use crate::model::{FirewallId, NextHopType};

/// Which address an SNAT by the firewall uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FirewallSnat {
    /// One of its public IPs: the firewall's route to the destination is the Internet.
    Public(IpAddr),
    /// An address in `AzureFirewallSubnet` (azpath shows the firewall's private IP; Azure may
    /// use an instance's address).
    Private(IpAddr),
}

impl FirewallSnat {
    /// The address.
    pub(super) fn address(self) -> IpAddr {
        match self {
            FirewallSnat::Public(ip) | FirewallSnat::Private(ip) => ip,
        }
    }
}

impl Tracer<'_> {
    /// The address firewall `f` (at `nic`) SNATs a flow to `dst` to: a public IP when its own
    /// route to `dst` leaves for the Internet, else its private address (a public range used
    /// privately, an on-premises range, forced tunnelling). A firewall in a virtual hub is
    /// routed by the hub: there the public IP serves every destination outside private space.
    /// With a NAT gateway on its subnet, Internet traffic goes to the NAT gateway from the
    /// private address ([`nat_gateway_takes_internet_traffic`]).
    pub(super) fn firewall_snat(&self, nic: &Nic, f: FirewallId, dst: IpAddr) -> FirewallSnat {
        let in_hub = self.net.vnet(nic.vnet).is_some_and(|v| v.hub.is_some());
        let to_internet = if in_hub {
            !crate::model::is_private(dst)
        } else {
            self.dp
                .routes(nic.subnet)
                .and_then(|v| v.best(dst))
                .is_some_and(|r| r.next_hop.next_hop_type == NextHopType::Internet)
        };
        if !to_internet || nat_gateway_takes_internet_traffic(self.net, nic) {
            return FirewallSnat::Private(nic.ip);
        }
        // Azure picks among several public IPs per connection ([`super::snat_pool`]).
        let public = self
            .net
            .firewalls
            .get(f)
            .and_then(|fw| self.pick_snat(&fw.name, &fw.public_ips));
        match public {
            Some(ip) => FirewallSnat::Public(ip),
            None => FirewallSnat::Private(nic.ip),
        }
    }
}

/// Whether a NAT gateway on the firewall's subnet takes its Internet traffic: the firewall then
/// hands it over from its private address and the NAT gateway's public IP is the source
/// (Learn, "Scale SNAT ports with Azure NAT Gateway").
fn nat_gateway_takes_internet_traffic(net: &crate::model::Network, nic: &Nic) -> bool {
    net.egress.nat_gateway.contains_key(&nic.subnet)
}
