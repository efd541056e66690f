//! Azure Virtual Network Manager connectivity configurations as written
//! (<https://learn.microsoft.com/azure/virtual-network-manager/concept-connectivity-configuration>).

use serde::{Deserialize, Serialize};

use super::span::Text;

/// A deployed connectivity configuration: a mesh, or a hub with spoke network groups.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectivityConfigurationDoc {
    /// Unique name.
    pub name: Text,
    /// `Mesh(...)` or `HubAndSpoke(...)`.
    pub topology: TopologyDoc,
    /// `connectivityCapabilities.connectedGroupAddressOverlap`: `Allowed` (Azure's default:
    /// overlapping address space is taken out of the connected group) or `Disallowed` (Azure
    /// refuses a member that overlaps another).
    #[serde(default)]
    pub address_overlap: AddressOverlap,
}

/// The topology of a connectivity configuration.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
pub enum TopologyDoc {
    /// Every member VNet connected to every other through one connected group.
    Mesh {
        /// The VNets of the configuration's network groups.
        members: Vec<Text>,
        /// "Global mesh": members in different regions connect too; otherwise only members
        /// in the same region do.
        #[serde(default)]
        global: bool,
    },
    /// A hub VNet peered with every VNet of the spoke network groups.
    HubAndSpoke {
        /// The hub VNet.
        hub: Text,
        /// The spoke network groups.
        spoke_groups: Vec<SpokeGroupDoc>,
    },
}

/// A spoke network group of a hub-and-spoke configuration.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpokeGroupDoc {
    /// The network group's name, unique in the configuration.
    pub name: Text,
    /// Its member VNets.
    pub members: Vec<Text>,
    /// "Direct connectivity" (`groupConnectivity: DirectlyConnected`): a connected group among
    /// this group's spokes.
    #[serde(default)]
    pub direct_connectivity: bool,
    /// "Global mesh" for the direct connectivity: spokes in different regions connect too.
    #[serde(default)]
    pub global: bool,
    /// "Use hub as a gateway" (`useHubGateway`): the spokes use the hub's VPN or ExpressRoute
    /// gateway through gateway transit.
    #[serde(default)]
    pub use_hub_as_gateway: bool,
}

/// `connectedGroupAddressOverlap`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum AddressOverlap {
    /// Overlapping members are accepted; traffic to the overlapping addresses is dropped.
    #[default]
    Allowed,
    /// A member whose address space overlaps another member's is refused.
    Disallowed,
}
