//! Azure Virtual Network Manager security admin rules as written
//! (<https://learn.microsoft.com/azure/virtual-network-manager/concept-security-admins>).

use serde::{Deserialize, Serialize};

use super::security::{Direction, Protocol};
use super::span::{Spanned, Text};

/// A security admin rule collection of a deployed security admin configuration, applied to
/// every subnet of the VNets it targets (its network groups' members, listed here by VNet).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminRuleCollectionDoc {
    /// Unique name.
    pub name: Text,
    /// The VNets the collection applies to (the network groups' members).
    pub applies_to: Vec<Text>,
    /// Its rules.
    pub rules: Vec<AdminRuleDoc>,
    /// `applyOnNetworkIntentPolicyBasedServices` of the security admin configuration holding
    /// the collection: `None` (Azure's default) leaves VNets with SQL Managed Instance or Azure
    /// Databricks out; `AllowRulesOnly` applies only its allow rules there.
    #[serde(default, skip_serializing_if = "is_default")]
    pub apply_on_network_intent_policy_based_services: IntentPolicyServices,
}

fn is_default(v: &IntentPolicyServices) -> bool {
    *v == IntentPolicyServices::default()
}

/// `applyOnNetworkIntentPolicyBasedServices`: how security admin rules treat VNets holding
/// services that manage their network with network intent policies (SQL Managed Instance, Azure
/// Databricks) (<https://learn.microsoft.com/azure/virtual-network-manager/concept-security-admins>).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum IntentPolicyServices {
    /// Azure's default: the configuration's rules are not applied in those VNets.
    #[default]
    None,
    /// Only the allow rules (`Allow`, `AlwaysAllow`) are applied in those VNets.
    AllowRulesOnly,
}

/// One security admin rule.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminRuleDoc {
    /// Rule name, unique in its collection.
    pub name: Text,
    /// 1 (first) to 4096 (last); unique per direction across the collections of one VNet.
    pub priority: Spanned<u32>,
    /// `Inbound` or `Outbound`.
    pub direction: Direction,
    /// `Allow`, `AlwaysAllow` or `Deny`.
    pub access: AdminAccess,
    /// `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `Any`.
    pub protocol: Protocol,
    /// Sources: `*`, an address, a prefix or a service tag.
    pub source: Vec<Text>,
    /// Source ports: `*`, `443` or `1000-2000`.
    pub source_ports: Vec<Text>,
    /// Destinations, as for sources.
    pub destination: Vec<Text>,
    /// Destination ports, as for source ports.
    pub destination_ports: Vec<Text>,
}

/// What a matching security admin rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema)]
pub enum AdminAccess {
    /// Hand the flow to the NSGs, which decide.
    Allow,
    /// Let the flow through whatever the NSGs say.
    AlwaysAllow,
    /// Drop the flow whatever the NSGs say.
    Deny,
}
