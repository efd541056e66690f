//! Azure Firewalls as written: rules in the shorthand lists or in rule collection groups.

use serde::{Deserialize, Serialize};

use super::span::Spanned;
use super::span::Text;

/// An Azure Firewall in a VNet's `AzureFirewallSubnet`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirewallDoc {
    /// Unique name (shared with workloads and private endpoints).
    pub name: Text,
    /// Its subnet, which Azure requires to be `vnet/AzureFirewallSubnet`.
    pub subnet: Text,
    /// Its private IP, the next hop of the UDRs that send traffic to it.
    pub private_ip: Text,
    /// Its public IPs, which DNAT rules translate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_ips: Vec<Text>,
    /// Its management subnet (`vnet/AzureFirewallManagementSubnet`, the Management NIC), which
    /// forced tunnelling requires: `AzureFirewallSubnet` may then send `0.0.0.0/0` elsewhere
    /// than the Internet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_subnet: Option<Text>,
    /// Destinations network rules do not SNAT to (`snat.privateRanges`).
    #[serde(default)]
    pub snat_private_ranges: SnatRangesDoc,
    /// Shorthand: DNAT rules in `DefaultDnatRuleCollectionGroup` (priority 100).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dnat_rules: Vec<DnatRuleDoc>,
    /// Shorthand: allow network rules in `DefaultNetworkRuleCollectionGroup` (priority 200).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_rules: Vec<NetworkRuleDoc>,
    /// Shorthand: allow application rules in `DefaultApplicationRuleCollectionGroup` (300).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub application_rules: Vec<ApplicationRuleDoc>,
    /// Rule collection groups of the firewall policy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule_collection_groups: Vec<RuleCollectionGroupDoc>,
    /// The firewall policy's DNS settings (`dnsSettings`): the DNS proxy and the servers the
    /// firewall itself resolves with; absent: proxy off, Azure DNS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<FirewallDnsDoc>,
}

/// A firewall policy's DNS settings (<https://learn.microsoft.com/azure/firewall/dns-settings>).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirewallDnsDoc {
    /// `enableProxy`: the firewall listens on port 53 (UDP and TCP) of its private IP and
    /// forwards queries to its DNS servers. Off by default in Azure.
    #[serde(default)]
    pub proxy: bool,
    /// `servers`: custom DNS servers the firewall resolves with (the proxy forwards to the
    /// first); empty: Azure DNS (168.63.129.16) from the firewall's VNet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<Text>,
}

/// The firewall's SNAT private ranges setting.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
pub enum SnatRangesDoc {
    /// Azure's default `IANAPrivateRanges`: RFC 1918 and 100.64.0.0/10 are not SNATed.
    #[default]
    IanaPrivate,
    /// `255.255.255.255/32`: network rules always SNAT.
    Always,
    /// `0.0.0.0/0`: network rules never SNAT.
    Never,
    /// A custom list (include the IANA ranges yourself to keep them).
    Ranges(Vec<Text>),
}

/// A rule collection group.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleCollectionGroupDoc {
    /// Its name.
    pub name: Text,
    /// 100 (first) to 65000.
    pub priority: Spanned<u32>,
    /// Its rule collections.
    pub collections: Vec<RuleCollectionDoc>,
}

/// A rule collection: one kind of rules, one action.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleCollectionDoc {
    /// Its name.
    pub name: Text,
    /// 100 (first) to 65000 within the group.
    pub priority: Spanned<u32>,
    /// `Allow` or `Deny`.
    pub action: super::Access,
    /// Network rules (give these or application rules, not both).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_rules: Vec<NetworkRuleDoc>,
    /// Application rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub application_rules: Vec<ApplicationRuleDoc>,
}

/// A network rule: addresses, ports and protocol.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkRuleDoc {
    /// Its name.
    pub name: Text,
    /// Source addresses or prefixes (`*` for any; default any).
    #[serde(default = "any")]
    pub source: Vec<Text>,
    /// Destination addresses or prefixes.
    #[serde(default = "any")]
    pub destination: Vec<Text>,
    /// IP groups as sources (`sourceIpGroups`); with them, `source` is left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ip_groups: Vec<Text>,
    /// IP groups as destinations (`destinationIpGroups`); with them, `destination` is left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_ip_groups: Vec<Text>,
    /// FQDNs as destinations (`destinationFqdns`), matched against the addresses the firewall
    /// resolves for them with its own DNS; Azure requires the DNS proxy for them and allows no
    /// wildcards. With them, `destination` is left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_fqdns: Vec<Text>,
    /// Destination ports (`*`, `443`, `1000-2000`; default any).
    #[serde(default = "any")]
    pub ports: Vec<Text>,
    /// `Tcp`, `Udp`, `Icmp` or `Any` (default).
    #[serde(default)]
    pub protocol: super::Protocol,
}

/// A DNAT rule: traffic to a public IP and port of the firewall goes to a private address.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnatRuleDoc {
    /// Its name.
    pub name: Text,
    /// Source addresses or prefixes (default any).
    #[serde(default = "any")]
    pub source: Vec<Text>,
    /// The firewall public IP it listens on.
    pub destination: Text,
    /// Destination ports.
    pub ports: Vec<Text>,
    /// `Tcp`, `Udp` or `Any` (default).
    #[serde(default)]
    pub protocol: super::Protocol,
    /// Where the traffic goes.
    pub translated_address: Text,
    /// The port it goes to.
    pub translated_port: Spanned<u16>,
}

/// An application rule: the FQDNs a client may reach (TLS SNI or HTTP host).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRuleDoc {
    /// Its name.
    pub name: Text,
    /// Source addresses or prefixes (default any).
    #[serde(default = "any")]
    pub source: Vec<Text>,
    /// IP groups as sources (`sourceIpGroups`); with them, `source` is left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ip_groups: Vec<Text>,
    /// Target FQDNs; `*.example.com` matches any name under it, `*` any name.
    pub fqdns: Vec<Text>,
    /// Ports of the protocols (HTTP, HTTPS, MSSQL); default `80` and `443`.
    #[serde(default = "web")]
    pub ports: Vec<Text>,
}

fn any() -> Vec<Text> {
    vec![Text::new("*".into())]
}

fn web() -> Vec<Text> {
    vec![Text::new("80".into()), Text::new("443".into())]
}

/// An IP group: addresses (`10.0.0.4`), prefixes (`10.1.0.0/16`) and inclusive ranges
/// (`10.2.0.0-10.2.0.31`) that firewall rules name as a whole
/// (<https://learn.microsoft.com/azure/firewall/ip-groups>).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IpGroupDoc {
    /// Unique name.
    pub name: Text,
    /// Its addresses, prefixes and ranges; an empty group matches nothing.
    #[serde(default)]
    pub addresses: Vec<Text>,
}
