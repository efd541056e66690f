//! Azure Firewalls in resolved form: rules in Azure's processing order.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::{Access, AddressMatch, Name, PortRange, Protocol, SubnetId};
use crate::scenario::Span;

/// Where a firewall rule sits in the policy, which decides its order.
// The names are shared: every decision that names the rule (one at each crossing of the
// firewall) counts a reference. They serialise, and are described in the schema, as strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RulePlace {
    /// The rule collection group.
    #[schemars(with = "String")]
    pub group: super::Name,
    /// Its priority.
    pub group_priority: u32,
    /// The rule collection.
    #[schemars(with = "String")]
    pub collection: super::Name,
    /// Its priority within the group.
    pub collection_priority: u32,
    /// The rule.
    #[schemars(with = "String")]
    pub rule: super::Name,
    /// The collection's action.
    pub action: Access,
}

/// A network rule: protocol, addresses and destination ports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NetworkRule {
    /// Where it sits.
    pub place: RulePlace,
    /// Protocol.
    pub protocol: Protocol,
    /// Sources.
    pub source: Vec<AddressMatch>,
    /// Destinations.
    pub destination: Vec<AddressMatch>,
    /// Destination ports.
    pub ports: Vec<PortRange>,
    /// Destination FQDNs (`destinationFqdns`), lower case: the rule matches the addresses the
    /// firewall resolves for them with its own DNS
    /// (<https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules>).
    pub destination_fqdns: Vec<String>,
}

/// An application rule: sources, FQDNs (TLS SNI or HTTP host) and ports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApplicationRule {
    /// Where it sits.
    pub place: RulePlace,
    /// Sources.
    pub source: Vec<AddressMatch>,
    /// Target FQDNs, lower case; `*.x` matches names under `x`, `*` any name.
    pub fqdns: Vec<String>,
    /// Destination ports.
    pub ports: Vec<PortRange>,
}

/// A DNAT rule: a public IP and port of the firewall translated to a private address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DnatRule {
    /// Where it sits.
    pub place: RulePlace,
    /// Protocol.
    pub protocol: Protocol,
    /// Sources.
    pub source: Vec<AddressMatch>,
    /// The firewall public IP.
    pub destination: IpAddr,
    /// Destination ports.
    pub ports: Vec<PortRange>,
    /// The translated address.
    pub translated_address: IpAddr,
    /// The translated port.
    pub translated_port: u16,
}

/// An Azure Firewall.
#[derive(Clone, Debug)]
pub struct Firewall {
    /// Its name.
    pub name: Name,
    /// Its subnet (`AzureFirewallSubnet`).
    pub subnet: SubnetId,
    /// Its private IP.
    pub ip: IpAddr,
    /// Its public IPs.
    pub public_ips: Vec<IpAddr>,
    /// Its Management NIC's subnet (`AzureFirewallManagementSubnet`): forced tunnelling mode.
    pub management_subnet: Option<SubnetId>,
    /// DNAT rules in processing order.
    pub dnat: Vec<DnatRule>,
    /// Destinations network rules do not SNAT to.
    pub snat_private_ranges: Vec<IpNet>,
    /// Network rules in processing order (group priority, collection priority, position).
    pub network: Vec<NetworkRule>,
    /// Application rules in processing order.
    pub application: Vec<ApplicationRule>,
    /// Its policy's DNS settings.
    pub dns: FirewallDns,
    /// Where it was declared.
    pub span: Span,
}

/// An Azure Firewall policy's DNS settings (<https://learn.microsoft.com/azure/firewall/dns-settings>).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FirewallDns {
    /// `enableProxy`: the firewall answers DNS queries sent to its private IP (port 53) by
    /// forwarding them to its servers. Off by default.
    pub proxy: bool,
    /// The servers the firewall resolves with (the proxy forwards to the first); empty: Azure
    /// DNS (168.63.129.16) in the context of the firewall's VNet.
    pub servers: Vec<IpAddr>,
}
