//! Leaving for the Internet: which outbound method a NIC uses, in Azure's documented order, and
//! the source address the destination sees (Microsoft Learn, "What is Azure NAT Gateway?",
//! <https://learn.microsoft.com/azure/nat-gateway/nat-overview>; "Outbound rules",
//! <https://learn.microsoft.com/azure/load-balancer/outbound-rules>; "Default outbound access",
//! <https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access>).
//!
//! A UDR `0.0.0.0/0` to an appliance or gateway comes first: the route look-up sends the
//! packet there before any of these applies. Then, for a subnet's Internet-bound flows: NAT
//! gateway > instance-level public IP > load balancer outbound rules (or a load-balancing
//! rule's implicit SNAT) > default outbound access; a private subnet
//! (`defaultOutboundAccess: false`) has no default, so with none of the others its flows have
//! no way out.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::{Hop, Step};
use crate::model::{Network, NicRef, WorkloadId};

/// How a packet leaves for the Internet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "method")]
pub enum EgressMethod {
    /// The subnet's NAT gateway.
    NatGateway {
        /// The NAT gateway.
        name: String,
    },
    /// The NIC's instance-level public IP (1:1 NAT).
    InstancePublicIp,
    /// An outbound rule of a public load balancer whose pool holds the NIC.
    LoadBalancerOutboundRule {
        /// The load balancer.
        load_balancer: String,
        /// The rule.
        rule: String,
    },
    /// A load-balancing rule's implicit outbound SNAT (no `disableOutboundSnat`).
    LoadBalancerRuleSnat {
        /// The load balancer.
        load_balancer: String,
        /// The rule.
        rule: String,
    },
    /// An Azure Firewall's own public IP.
    FirewallPublicIp,
    /// Default outbound access: a Microsoft-owned address that can change.
    DefaultOutboundAccess,
}

/// Who changed the source on the way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "by")]
pub enum Translation {
    /// An appliance or firewall rewrote it (SNAT).
    Appliance {
        /// The device.
        device: String,
    },
    /// The way out of Azure rewrote it.
    Egress {
        /// The method.
        method: EgressMethod,
    },
}

/// The source address the destination sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SourceSeen {
    /// The address; `None` under default outbound access (Microsoft-owned, unknown).
    pub address: Option<IpAddr>,
    /// The last translation on the way, if any (`None`: the client's own address).
    pub translated_by: Option<Translation>,
    /// The public IPs Azure picks the source among, per connection, when a device on the way
    /// has several (a firewall's, a NAT gateway's, an outbound rule's frontends), each giving
    /// the same outcome; empty when there was no choice. Learn, "Deploy an Azure Firewall with
    /// multiple public IP addresses": the firewall "randomly selects the source public IP
    /// address to use for a connection".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<IpAddr>,
}

/// The outbound method of `nic` in Azure's order of precedence, with the address it leaves
/// from; `None` when it has no explicit method (default outbound access decides). Of a device
/// with several public IPs this names the first; a trace picks among them
/// (`explicit_method_picking`).
pub fn explicit_method(net: &Network, nic: NicRef) -> Option<(EgressMethod, Option<IpAddr>)> {
    explicit_method_picking(net, nic, &|_, pool| pool.first().copied())
}

/// [`explicit_method`], taking the source from a device's public IPs with `pick` (given the
/// device's name and its addresses): Azure picks one of a NAT gateway's, a firewall's or an
/// outbound rule's addresses per connection.
pub(super) fn explicit_method_picking(
    net: &Network,
    nic: NicRef,
    pick: &dyn Fn(&str, &[IpAddr]) -> Option<IpAddr>,
) -> Option<(EgressMethod, Option<IpAddr>)> {
    let subnet = match nic {
        NicRef::Workload(w) => net.workloads.get(w)?.subnet,
        NicRef::Firewall(f) => net.firewalls.get(f)?.subnet,
        _ => return None,
    };
    if let Some(id) = net.egress.nat_gateway.get(&subnet) {
        let g = net.nat_gateway(*id)?;
        let method = EgressMethod::NatGateway {
            name: g.name.clone(),
        };
        return Some((method, pick(&g.name, &g.public_ips)));
    }
    match nic {
        NicRef::Workload(w) => workload_method(net, w, pick),
        NicRef::Firewall(f) => {
            let fw = net.firewalls.get(f)?;
            let ip = pick(&fw.name, &fw.public_ips);
            ip.map(|ip| (EgressMethod::FirewallPublicIp, Some(ip)))
        }
        _ => None,
    }
}

/// After the NAT gateway: the instance public IP, then a public load balancer's outbound
/// rule, then a load-balancing rule's implicit SNAT (outbound rules and LB SNAT serve only
/// backends without an instance public IP).
fn workload_method(
    net: &Network,
    w: WorkloadId,
    pick: &dyn Fn(&str, &[IpAddr]) -> Option<IpAddr>,
) -> Option<(EgressMethod, Option<IpAddr>)> {
    if let Some(ip) = net.egress.public_ips.get(&w) {
        return Some((EgressMethod::InstancePublicIp, Some(*ip)));
    }
    let pools = net
        .load_balancers
        .iter()
        .filter(|lb| !lb.is_internal() && lb.backends.contains(&w));
    for lb in pools.clone() {
        if let Some(rule) = lb.outbound_rules.first() {
            let method = EgressMethod::LoadBalancerOutboundRule {
                load_balancer: lb.name.clone(),
                rule: rule.name.clone(),
            };
            return Some((method, pick(&lb.name, &rule.frontend_ips)));
        }
    }
    for lb in pools {
        if let Some(rule) = lb.rules.iter().find(|r| !r.disable_outbound_snat) {
            let method = EgressMethod::LoadBalancerRuleSnat {
                load_balancer: lb.name.clone(),
                rule: rule.name.clone(),
            };
            return Some((method, Some(lb.frontend_ip)));
        }
    }
    None
}

/// The source the destination sees: the way out's address for a flow that left for the
/// Internet, else the address the request arrived with; `None` when it got nowhere.
pub(super) fn source_seen(forward: &[Hop], arrived: bool) -> Option<SourceSeen> {
    let mut translated_by = None;
    // The address the last hop's own SNAT gave the packet: a hop records the packet as it
    // arrived, so a flow that leaves Azure at the appliance that translated it (to on-premises,
    // say) carries the translated address only in that step.
    let mut left_with = None;
    for (i, hop) in forward.iter().enumerate() {
        for step in &hop.steps {
            match step {
                Step::Snat { to, .. } => {
                    translated_by = Some(Translation::Appliance {
                        device: hop.nic.to_string(),
                    });
                    left_with = (i + 1 == forward.len()).then_some(*to);
                }
                Step::Egress { method, source } => {
                    return Some(SourceSeen {
                        address: *source,
                        translated_by: Some(Translation::Egress {
                            method: method.clone(),
                        }),
                        candidates: Vec::new(),
                    });
                }
                _ => {}
            }
        }
    }
    if !arrived {
        return None;
    }
    let last = forward.last()?;
    Some(SourceSeen {
        address: Some(left_with.unwrap_or(last.packet.src)),
        translated_by,
        candidates: Vec::new(),
    })
}
