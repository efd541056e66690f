//! Network security groups and service tags as written.

use serde::{Deserialize, Serialize};

use super::span::Text;

/// A network security group: custom rules; Azure's default rules are added by the model.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NsgDoc {
    /// Unique name.
    pub name: Text,
    /// Custom security rules.
    #[serde(default)]
    pub rules: Vec<NsgRuleDoc>,
}

/// A custom security rule.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NsgRuleDoc {
    /// Rule name, unique in its NSG.
    pub name: Text,
    /// 100 (first) to 4096 (last); unique per direction in an NSG.
    pub priority: Spanned<u32>,
    /// `Inbound` or `Outbound`.
    pub direction: Direction,
    /// `Allow` or `Deny`.
    pub access: Access,
    /// `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `Any` (default).
    #[serde(default)]
    pub protocol: Protocol,
    /// Sources: `*`, an address, a prefix or a service tag (default `*`).
    #[serde(default = "any")]
    pub source: Vec<Text>,
    /// Source ports: `*`, `443` or `1000-2000` (default `*`).
    #[serde(default = "any")]
    pub source_ports: Vec<Text>,
    /// Destinations, as for sources (default `*`).
    #[serde(default = "any")]
    pub destination: Vec<Text>,
    /// Destination ports, as for source ports (default `*`).
    #[serde(default = "any")]
    pub destination_ports: Vec<Text>,
    /// Application security groups as sources (`sourceApplicationSecurityGroups`): the rule
    /// matches packets from their members only; `source` is then left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_asgs: Vec<Text>,
    /// Application security groups as destinations (`destinationApplicationSecurityGroups`);
    /// `destination` is then left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_asgs: Vec<Text>,
}

/// An application security group: a named set of NICs that NSG rules can name instead of
/// addresses (<https://learn.microsoft.com/azure/virtual-network/application-security-groups>).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationSecurityGroupDoc {
    /// Unique name.
    pub name: Text,
    /// The workloads whose NICs are members; all must be in one VNet.
    #[serde(default)]
    pub members: Vec<Text>,
}

fn any() -> Vec<Text> {
    vec![Text::new("*".into())]
}

use super::span::Spanned;

/// Traffic direction as seen by the NIC or subnet.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
pub enum Direction {
    /// Towards the NIC.
    Inbound,
    /// Away from the NIC.
    Outbound,
}

/// What a matching rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema)]
pub enum Access {
    /// Let the flow through.
    Allow,
    /// Drop it silently.
    Deny,
}

/// IP protocols an NSG rule can name.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum Protocol {
    /// TCP, UDP and ICMP (and the rest).
    #[default]
    Any,
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP.
    Icmp,
    /// IPsec ESP.
    Esp,
    /// IPsec AH.
    Ah,
}

/// The protocol of a flow.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum FlowProtocol {
    /// TCP.
    #[default]
    Tcp,
    /// UDP.
    Udp,
    /// ICMP (ports are ignored).
    Icmp,
}

/// The service tags azpath knows by itself (their members follow from the scenario or from
/// Azure's fixed platform addresses); any other tag must be declared in `service_tags`.
pub const BUILT_IN_TAGS: [&str; 6] = [
    "VirtualNetwork",
    "Internet",
    "AzureLoadBalancer",
    "AzurePlatformDNS",
    "AzurePlatformIMDS",
    "AzurePlatformLKM",
];

/// The prefixes behind a service tag that azpath cannot know by itself (`AzureCloud`,
/// `ApiManagement`, `Storage`, regional variants…).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceTagDoc {
    /// The tag as Azure names it, e.g. `ApiManagement` or `Storage.WestEurope`.
    pub name: Text,
    /// Its prefixes.
    pub prefixes: Vec<Text>,
}
