//! A secured virtual hub's Azure Firewall always has public IPs. Microsoft Learn, "Configure
//! Azure Firewall in a Virtual WAN hub"
//! (<https://learn.microsoft.com/azure/virtual-wan/howto-firewall>) and
//! `New-AzFirewallHubPublicIpAddress` (<https://learn.microsoft.com/powershell/module/az.network/new-azfirewallhubpublicipaddress>):
//! the hub firewall is created with a public IP count (at least one), and Azure allocates the
//! addresses; "Manage a public IP address by using Azure Firewall"
//! (<https://learn.microsoft.com/azure/virtual-network/ip-services/configure-public-ip-firewall>):
//! "Azure Firewall requires at least one public static IP address to be configured". A hub
//! firewall declared without one would SNAT Internet traffic to its private address, which
//! Azure never does: it is refused.

use super::Resolver;
use crate::model::FirewallId;

impl Resolver {
    /// Refuses the firewall `f` of hub `hub` when it has no public IP.
    pub(super) fn hub_firewall_public_ips(&mut self, f: FirewallId, hub: &str) {
        let Some(fw) = self.net.firewalls.get(f) else {
            return;
        };
        if !fw.public_ips.is_empty() {
            return;
        }
        let (span, name) = (fw.span, fw.name.clone());
        self.error(
            span,
            format!("firewall `{name}` of secured hub `{hub}` has no public IP"),
            Some(
                "a hub firewall has at least one public IP (its public IP count); list the addresses Azure allocated in `public_ips`"
                    .into(),
            ),
        );
    }
}
