//! Load balancers, instance public IPs and NAT gateways: what decides where a flow to a
//! frontend goes and which address an Internet-bound flow leaves from (Microsoft Learn, "Azure
//! Load Balancer concepts", "High availability ports overview", "Health probes", "Outbound
//! rules", "What is Azure NAT Gateway?", "Default outbound access").

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::{FlowProtocol, LoadBalancerId, NatGatewayId, SubnetId, WorkloadId};
use crate::scenario::{ProbeProtocol, Span};

/// A Standard load balancer: public (frontend a public IP) or internal (frontend a private IP
/// in a subnet).
#[derive(Clone, Debug)]
pub struct LoadBalancer {
    /// Its name.
    pub name: String,
    /// Its frontend IP.
    pub frontend_ip: IpAddr,
    /// For an internal load balancer, the subnet its frontend is in.
    pub frontend_subnet: Option<SubnetId>,
    /// Its load-balancing rules.
    pub rules: Vec<LoadBalancerRule>,
    /// Its backend pool, in declaration order (the order the backend choice indexes).
    pub backends: Vec<WorkloadId>,
    /// Its health probes.
    pub probes: Vec<HealthProbe>,
    /// Backends declared down (their probe fails in the guest).
    pub unhealthy: Vec<WorkloadId>,
    /// Its inbound NAT rules (public only).
    pub inbound_nat_rules: Vec<InboundNatRule>,
    /// Its outbound rules (public only).
    pub outbound_rules: Vec<OutboundRule>,
    /// Whether it is a Gateway Load Balancer.
    pub gateway: bool,
    /// The Gateway Load Balancer its frontend is chained to (public only).
    pub chain: Option<LoadBalancerId>,
    /// Where it was declared.
    pub span: Span,
}

impl LoadBalancer {
    /// Whether its frontend is private, in a subnet.
    pub fn is_internal(&self) -> bool {
        self.frontend_subnet.is_some()
    }
}

/// A load-balancing rule.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct LoadBalancerRule {
    /// Its name.
    pub name: String,
    /// TCP or UDP (an HA-ports rule carries both).
    pub protocol: FlowProtocol,
    /// Frontend port (0 on an HA-ports rule).
    pub frontend_port: u16,
    /// Backend port (0 on an HA-ports rule).
    pub backend_port: u16,
    /// HA ports: every TCP and UDP flow.
    pub ha_ports: bool,
    /// Floating IP: the backend receives the frontend IP as destination.
    pub floating_ip: bool,
    /// Its health probe (an index into [`LoadBalancer::probes`]).
    pub probe: Option<usize>,
    /// `disableOutboundSnat`.
    pub disable_outbound_snat: bool,
}

impl LoadBalancerRule {
    /// Whether the rule carries a flow of `protocol` to frontend port `port`. LB rules carry
    /// TCP and UDP only; ICMP gets no answer (Learn, "Azure Load Balancer concepts").
    pub fn carries(&self, protocol: FlowProtocol, port: u16) -> bool {
        match protocol {
            FlowProtocol::Icmp => false,
            _ if self.ha_ports => true,
            _ => self.protocol == protocol && self.frontend_port == port,
        }
    }
}

/// A health probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthProbe {
    /// Its name.
    pub name: String,
    /// TCP, HTTP or HTTPS.
    pub protocol: ProbeProtocol,
    /// The backend port probed.
    pub port: u16,
}

/// An inbound NAT rule: one frontend port to one backend's port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundNatRule {
    /// Its name.
    pub name: String,
    /// TCP or UDP.
    pub protocol: FlowProtocol,
    /// The frontend port.
    pub frontend_port: u16,
    /// The backend.
    pub backend: WorkloadId,
    /// The backend port.
    pub backend_port: u16,
}

/// An outbound rule: the frontend addresses its backends leave from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboundRule {
    /// Its name.
    pub name: String,
    /// Its public frontend addresses.
    pub frontend_ips: Vec<IpAddr>,
}

/// A NAT gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatGateway {
    /// Its name.
    pub name: String,
    /// Its public IPs.
    pub public_ips: Vec<IpAddr>,
}

/// How subnets and NICs reach the Internet: NAT gateways, private subnets and instance public
/// IPs, held apart from the subnets and workloads they belong to.
#[derive(Clone, Debug, Default)]
pub struct Egress {
    /// The NAT gateway of each subnet that has one.
    pub nat_gateway: BTreeMap<SubnetId, NatGatewayId>,
    /// Subnets with `defaultOutboundAccess` off.
    pub private_subnets: BTreeSet<SubnetId>,
    /// The instance-level public IP of each workload that has one.
    pub public_ips: BTreeMap<WorkloadId, IpAddr>,
}

impl super::Network {
    /// The load balancer with id `id`.
    pub fn load_balancer(&self, id: LoadBalancerId) -> Option<&LoadBalancer> {
        self.load_balancers.get(id)
    }

    /// The NAT gateway with id `id`.
    pub fn nat_gateway(&self, id: NatGatewayId) -> Option<&NatGateway> {
        self.nat_gateways.get(id)
    }

    /// The workload whose instance public IP is `ip`.
    pub fn workload_with_public_ip(&self, ip: IpAddr) -> Option<WorkloadId> {
        self.egress
            .public_ips
            .iter()
            .find(|(_, a)| **a == ip)
            .map(|(w, _)| *w)
    }
}
