//! Load balancers' parts, public IPs and NAT gateways as written (Microsoft Learn, "Azure Load
//! Balancer concepts", "Health probes", "Inbound NAT rules", "Outbound rules", "What is Azure
//! NAT Gateway?").

use serde::{Deserialize, Serialize};

use super::security::FlowProtocol;
use super::span::Text;

/// A health probe of a load balancer. Probes come from `168.63.129.16` (the
/// `AzureLoadBalancer` tag); an NSG that denies them marks the backend down
/// (<https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview>).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeDoc {
    /// Its name, which rules refer to.
    pub name: Text,
    /// `Tcp`, `Http` or `Https`.
    pub protocol: ProbeProtocol,
    /// The backend port probed.
    pub port: u16,
}

/// A health probe's protocol (Standard load balancer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema)]
pub enum ProbeProtocol {
    /// A TCP handshake.
    Tcp,
    /// An HTTP GET answered with 200.
    Http,
    /// An HTTPS GET answered with 200.
    Https,
}

/// An inbound NAT rule: one frontend port to one backend workload's port
/// (<https://learn.microsoft.com/azure/load-balancer/inbound-nat-rules>).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundNatRuleDoc {
    /// Its name.
    pub name: Text,
    /// `Tcp` (default) or `Udp`.
    #[serde(default)]
    pub protocol: FlowProtocol,
    /// The frontend port.
    pub frontend_port: u16,
    /// The workload it forwards to.
    pub backend: Text,
    /// The backend port.
    pub backend_port: u16,
}

/// An outbound rule of a public Standard load balancer: its backends without an instance
/// public IP leave for the Internet from these frontend addresses
/// (<https://learn.microsoft.com/azure/load-balancer/outbound-rules>).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboundRuleDoc {
    /// Its name.
    pub name: Text,
    /// The public frontend addresses it SNATs to (the first is shown as the source).
    pub frontend_ips: Vec<Text>,
}

/// A NAT gateway: subnets that name it leave for the Internet from its public addresses
/// (<https://learn.microsoft.com/azure/nat-gateway/nat-overview>).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatGatewayDoc {
    /// Unique name, which subnets refer to.
    pub name: Text,
    /// Its public IPs (up to 16); azpath shows the first as the source of a flow (Azure picks
    /// one per flow and does not document which).
    pub public_ips: Vec<Text>,
}
