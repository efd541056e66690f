//! Load balancers in a trace: a frontend takes a flow, its rules decide whether it carries it,
//! its health probes decide which backends take new flows, and a hash of the flow picks one
//! (Microsoft Learn: "Azure Load Balancer concepts",
//! <https://learn.microsoft.com/azure/load-balancer/concepts>; "High availability ports",
//! <https://learn.microsoft.com/azure/load-balancer/load-balancer-ha-ports-overview>; "Health
//! probes", <https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview>;
//! "Deploy highly available NVAs",
//! <https://learn.microsoft.com/azure/architecture/networking/guide/network-virtual-appliance-high-availability>).
//!
//! **The backend choice is a model.** Azure spreads flows by a 5-tuple hash it does not publish.
//! azpath picks backend `h mod n` among the `n` healthy backends in declaration order, where `h`
//! is the 64-bit FNV-1a hash of the load balancer's name, the protocol and the flow's two
//! endpoints (address, port) taken in ascending order, mixed by MurmurHash3's 64-bit finaliser
//! (FNV-1a alone keeps the parity of its input bytes in its low bit). That keeps what Azure documents: a flow
//! always reaches the same backend; both directions of a flow through the **same** load
//! balancer reach the same backend (the NVA HA guide's symmetry); two load balancers decide
//! independently (so public-in / internal-out NVA pairs without SNAT may split a flow); and a
//! backend marked down takes no new flows.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::backend_pick::choose;
use super::walk::{Arrival, FlowRecords, Leg, Nic, Tracer};
use super::{Hop, Packet, Step, Verdict};
use crate::filter::nsg::AZURE_HOST_IP;
use crate::filter::Flow;
use crate::model::{
    Access, Direction, FlowProtocol, LoadBalancer, LoadBalancerId, LoadBalancerRule, NicRef,
    WorkloadId,
};
use crate::query::nsgs_at;

/// Why a backend takes no new flows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "reason")]
pub enum BackendDown {
    /// The scenario declares its probe failing in the guest (stopped, nothing listening).
    Declared,
    /// An NSG denies the probe from `168.63.129.16` (the `AzureLoadBalancer` tag).
    ProbeDeniedByNsg {
        /// The NSG.
        nsg: String,
        /// Its rule.
        rule: String,
    },
}

/// A backend out of rotation, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DownBackend {
    /// The backend.
    pub backend: String,
    /// Why.
    pub reason: BackendDown,
}

/// The 64-bit FNV-1a hash of `bytes`: the published, stable hash azpath's backend choice uses
/// (see the module comment; Azure's own hash is not published).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn endpoint_bytes(ip: IpAddr, port: u16) -> Vec<u8> {
    let mut v = match ip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    v.extend_from_slice(&port.to_be_bytes());
    v
}

/// MurmurHash3's 64-bit finaliser: spreads every input bit over the low bits `mod n` reads.
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The flow's hash at load balancer `name`: the same for both directions of a flow.
pub(super) fn flow_hash(name: &str, protocol: FlowProtocol, packet: Packet) -> u64 {
    let a = endpoint_bytes(packet.src, packet.src_port);
    let b = endpoint_bytes(packet.dst, packet.dst_port);
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut bytes = name.as_bytes().to_vec();
    bytes.push(0);
    bytes.push(match protocol {
        FlowProtocol::Tcp => 6,
        FlowProtocol::Udp => 17,
        FlowProtocol::Icmp => 1,
    });
    bytes.extend(lo);
    bytes.extend(hi);
    fmix64(fnv1a(&bytes))
}

/// The rule that carries a flow of `protocol` to frontend port `port`, if any.
pub(super) fn rule_for(
    lb: &LoadBalancer,
    protocol: FlowProtocol,
    port: u16,
) -> Option<&LoadBalancerRule> {
    lb.rules.iter().find(|r| r.carries(protocol, port))
}

impl Tracer<'_> {
    /// The backends of `lb` that take new flows under `rule`, and those that do not with why:
    /// a backend declared down, or one whose NSGs deny the rule's probe from `168.63.129.16`.
    pub(super) fn healthy(
        &self,
        lb: &LoadBalancer,
        rule: &LoadBalancerRule,
    ) -> (Vec<WorkloadId>, Vec<DownBackend>) {
        let probe = rule.probe.and_then(|i| lb.probes.get(i));
        let mut up = Vec::new();
        let mut down = Vec::new();
        for w in &lb.backends {
            let Some(workload) = self.net.workloads.get(*w) else {
                continue;
            };
            let reason = if lb.unhealthy.contains(w) {
                Some(BackendDown::Declared)
            } else {
                probe.and_then(|p| {
                    let flow = Flow {
                        protocol: FlowProtocol::Tcp,
                        src: AZURE_HOST_IP,
                        src_port: crate::scenario::DEFAULT_SOURCE_PORT,
                        dst: workload.ip,
                        dst_port: p.port,
                    };
                    let nsgs = nsgs_at(
                        self.net,
                        self.dp,
                        NicRef::Workload(*w),
                        Direction::Inbound,
                        flow,
                    )?;
                    let rule = nsgs.rule.filter(|_| nsgs.access == Access::Deny)?;
                    Some(BackendDown::ProbeDeniedByNsg {
                        nsg: rule.nsg.into(),
                        rule: rule.rule.into(),
                    })
                })
            };
            match reason {
                Some(reason) => down.push(DownBackend {
                    backend: workload.name.clone(),
                    reason,
                }),
                None => up.push(*w),
            }
        }
        (up, down)
    }

    /// A load balancer's choice for `packet`: the rule, then a healthy backend by the flow's
    /// hash. Records the steps on `hop`; the verdict when nothing takes the flow.
    pub(super) fn pick(
        &self,
        lb: &LoadBalancer,
        packet: Packet,
        hop: &mut Hop,
    ) -> Result<(LoadBalancerRule, WorkloadId), Verdict> {
        let Some(rule) = rule_for(lb, self.protocol, packet.dst_port) else {
            return Err(Verdict::NoLoadBalancingRule {
                load_balancer: lb.name.clone(),
                port: packet.dst_port,
            });
        };
        let (up, down) = self.healthy(lb, rule);
        if !down.is_empty() {
            hop.steps.push(Step::BackendsDown {
                load_balancer: lb.name.clone(),
                down,
            });
        }
        let hash = flow_hash(&lb.name, self.protocol, packet);
        if self.flow == crate::scenario::FlowState::Established {
            let backend = self.pick_established(lb, &rule.name, &up, hash, hop)?;
            return Ok((rule.clone(), backend));
        }
        let Some(backend) = choose(&up, hash) else {
            return Err(Verdict::NoHealthyBackend {
                load_balancer: lb.name.clone(),
            });
        };
        let name = self
            .net
            .workloads
            .get(backend)
            .map(|w| w.name.clone())
            .unwrap_or_default();
        hop.steps.push(Step::LoadBalancer {
            load_balancer: lb.name.clone(),
            rule: rule.name.clone(),
            backend: name,
            pool: up.len(),
        });
        Ok((rule.clone(), backend))
    }

    /// The detour of a flow through a Gateway Load Balancer chained to a public frontend: the
    /// appliance its hash picks, as a hop (the packet is carried unchanged over VXLAN, and the
    /// reply takes the same appliance: GWLB guarantees symmetry without SNAT).
    pub(super) fn gateway_chain(
        &self,
        gateway: &LoadBalancer,
        packet: Packet,
    ) -> Result<Hop, Verdict> {
        let mut steps = Hop {
            nic: crate::model::Name::from(gateway.name.as_str()),
            subnet: crate::model::Name::default(),
            vnet: crate::model::Name::default(),
            region: crate::model::Name::default(),
            packet,
            steps: Vec::new(),
            at: None,
        };
        let (_, appliance) = self.pick(gateway, packet, &mut steps)?;
        let Some(nic) = self.nic(NicRef::Workload(appliance)) else {
            return Err(Verdict::NoDestination {
                address: packet.dst,
            });
        };
        let mut hop = self.hop(&nic, packet);
        hop.steps.push(Step::GatewayChain {
            gateway: gateway.name.clone(),
        });
        hop.steps.extend(steps.steps);
        Ok(hop)
    }

    /// Whether `nic` is a backend of a floating-IP rule whose frontend is `address`: the guest
    /// holds the frontend on a loopback, so a packet addressed to it has arrived.
    pub(super) fn holds_frontend(&self, nic: NicRef, address: IpAddr) -> bool {
        let NicRef::Workload(w) = nic else {
            return false;
        };
        self.net.load_balancers.iter().any(|lb| {
            lb.frontend_ip == address
                && lb.backends.contains(&w)
                && lb.rules.iter().any(|r| r.floating_ip)
        })
    }

    /// A packet reaches an internal load balancer's frontend: as its destination, or routed
    /// there as a next hop (a UDR `VirtualAppliance` to the frontend, the usual HA NVA design).
    /// The flow is handed to the chosen backend; addressed to the frontend without floating
    /// IP, its destination becomes the backend's address and port.
    pub(super) fn balance(
        &mut self,
        l: LoadBalancerId,
        at: &Nic,
        packet: &mut Packet,
        leg: Leg,
        records: &mut FlowRecords,
        hop: &mut Hop,
    ) -> Arrival {
        let Some(lb) = self.net.load_balancer(l) else {
            return Arrival::Stop(Verdict::NoDestination { address: at.ip });
        };
        let (rule, backend) = match self.pick(lb, *packet, hop) {
            Ok(choice) => choice,
            Err(verdict) => return Arrival::Stop(verdict),
        };
        let Some(backend_ip) = self.net.workloads.get(backend).map(|w| w.ip) else {
            return Arrival::Stop(Verdict::NoDestination { address: at.ip });
        };
        let to_frontend = packet.dst == lb.frontend_ip;
        // A backend's flow to its own load balancer's frontend that hashes back to itself:
        // "both legs of the flow don't match and the flow fails" (Learn, LB concepts).
        if leg == Leg::Request && to_frontend && packet.src == backend_ip {
            return Arrival::Stop(Verdict::LoadBalancerHairpin {
                load_balancer: lb.name.clone(),
                backend: self
                    .net
                    .workloads
                    .get(backend)
                    .map(|w| w.name.clone())
                    .unwrap_or_default(),
            });
        }
        if to_frontend && !rule.floating_ip {
            let port = if rule.ha_ports {
                packet.dst_port
            } else {
                rule.backend_port
            };
            hop.steps.push(Step::Dnat {
                from: packet.dst,
                to: backend_ip,
            });
            if leg == Leg::Request {
                records
                    .lb_dnat
                    .insert(NicRef::Workload(backend), (packet.dst, packet.dst_port));
            }
            packet.dst = backend_ip;
            packet.dst_port = port;
        }
        Arrival::Handoff(NicRef::Workload(backend))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::backend_pick::choose;

    fn ip(s: &str) -> IpAddr {
        s.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    fn packet(src: &str, sp: u16, dst: &str, dp: u16) -> Packet {
        Packet {
            src: ip(src),
            src_port: sp,
            dst: ip(dst),
            dst_port: dp,
        }
    }

    #[test]
    fn both_directions_of_a_flow_through_one_internal_load_balancer_hash_alike() {
        let p = packet("10.1.1.4", 50000, "10.2.1.4", 443);
        assert_eq!(
            flow_hash("ilb", FlowProtocol::Tcp, p),
            flow_hash("ilb", FlowProtocol::Tcp, p.reply())
        );
    }

    #[test]
    fn two_load_balancers_decide_independently() {
        // Over many flows, some reach different backends of two equal pools.
        let pool = [WorkloadId::for_test(0), WorkloadId::for_test(1)];
        let differ = (50000..50064).any(|port| {
            let p = packet("203.0.113.7", port, "10.2.1.4", 443);
            choose(&pool, flow_hash("lb-public", FlowProtocol::Tcp, p))
                != choose(&pool, flow_hash("ilb", FlowProtocol::Tcp, p.reply()))
        });
        assert!(differ);
    }

    #[test]
    fn no_healthy_backend_takes_no_new_flow() {
        assert_eq!(choose(&[], 7), None);
    }

    #[test]
    fn the_hash_picks_a_backend_of_the_pool() {
        let pool = [WorkloadId::for_test(3), WorkloadId::for_test(5)];
        assert_eq!(choose(&pool, 0), Some(WorkloadId::for_test(3)));
        assert_eq!(choose(&pool, 3), Some(WorkloadId::for_test(5)));
    }

    #[test]
    fn fnv1a_is_the_published_hash() {
        // FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn a_load_balancing_rule_carries_tcp_and_udp_only() {
        let rule = LoadBalancerRule {
            name: "ha".into(),
            protocol: FlowProtocol::Tcp,
            frontend_port: 0,
            backend_port: 0,
            ha_ports: true,
            floating_ip: false,
            probe: None,
            disable_outbound_snat: false,
        };
        assert!(rule.carries(FlowProtocol::Udp, 53));
        assert!(rule.carries(FlowProtocol::Tcp, 8443));
        assert!(!rule.carries(FlowProtocol::Icmp, 0));
    }
}
