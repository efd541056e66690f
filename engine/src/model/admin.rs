//! Azure Virtual Network Manager security admin rules in resolved form
//! (<https://learn.microsoft.com/azure/virtual-network-manager/concept-security-admins>).

use serde::{Deserialize, Serialize};

pub use crate::scenario::AdminAccess;
pub use crate::scenario::IntentPolicyServices;

use super::{AddressMatch, Direction, PortRange, Protocol, VnetId};

/// A security admin rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AdminRule {
    /// Its collection.
    pub collection: String,
    /// Its name.
    pub name: String,
    /// Its priority, 1..=4096 (lower first).
    pub priority: u16,
    /// Inbound or outbound.
    pub direction: Direction,
    /// Allow, AlwaysAllow or Deny.
    pub access: AdminAccess,
    /// Protocol matched.
    pub protocol: Protocol,
    /// Sources (any one matches).
    pub source: Vec<AddressMatch>,
    /// Source ports (any one matches).
    pub source_ports: Vec<PortRange>,
    /// Destinations (any one matches).
    pub destination: Vec<AddressMatch>,
    /// Destination ports (any one matches).
    pub destination_ports: Vec<PortRange>,
    /// The VNets it applies to.
    pub applies_to: Vec<VnetId>,
    /// Its configuration's `applyOnNetworkIntentPolicyBasedServices`.
    pub intent_services: IntentPolicyServices,
}

/// The priorities Azure accepts for security admin rules.
pub const ADMIN_PRIORITIES: std::ops::RangeInclusive<u32> = 1..=4096;
