//! Azure's routing words as a scenario writes them, shared by declarations (UDRs) and by the
//! questions that expect them.

use serde::{Deserialize, Serialize};

use super::span::Text;

/// A next hop as written in a UDR or an expectation.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
pub enum NextHopDoc {
    /// An NVA or firewall private IP (or an internal load balancer frontend).
    VirtualAppliance(Text),
    /// The VNet's VPN gateway.
    VirtualNetworkGateway,
    /// Inside the VNet.
    VnetLocal,
    /// Out to the Internet.
    Internet,
    /// Drop.
    None,
    /// A peered VNet in the same region (system routes only).
    VNetPeering,
    /// A peered VNet in another region (system routes only).
    VNetGlobalPeering,
    /// A service endpoint (system routes only).
    VirtualNetworkServiceEndpoint,
    /// A private endpoint (system routes only).
    InterfaceEndpoint,
    /// A VNet of an Azure Virtual Network Manager connected group (system routes only).
    ConnectedGroup,
}
