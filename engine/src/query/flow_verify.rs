//! "Would the NSGs at this NIC let this flow through, and which rule decides?" — Network
//! Watcher's IP flow verify, with every NSG on the way.

use serde::{Deserialize, Serialize};

use crate::dataplane::DataPlane;
use crate::filter::admin::{admin_decision, AdminDecision};
use crate::filter::nsg::evaluate_with;
use crate::filter::platform::{
    platform_decision, platform_service, PlatformDecision, PlatformService,
};
use crate::filter::{Flow, RuleMatch, TagScope};
use crate::model::{
    Access, AdminAccess, Direction, Network, NicRef, NsgId, PrivateEndpointNetworkPolicies,
    RemoteEnd, SubnetId,
};

/// Where an NSG sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum NsgLevel {
    /// On the NIC.
    Nic,
    /// On the NIC's subnet.
    Subnet,
}

/// What one level decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "decision")]
pub enum StageDecision {
    /// No NSG at this level: allowed here.
    NoNsg,
    /// A rule of the NSG decided.
    Matched(RuleMatch),
    /// Not reached: an earlier level denied the flow.
    NotEvaluated {
        /// The NSG that was not evaluated.
        nsg: String,
    },
    /// The subnet NSG does not apply to a private endpoint whose subnet's network policies leave
    /// NSGs out.
    IgnoredForPrivateEndpoint {
        /// The NSG that does not apply.
        nsg: String,
        /// The subnet's `privateEndpointNetworkPolicies`.
        policies: PrivateEndpointNetworkPolicies,
    },
    /// The flow goes to a platform service (Azure DNS, IMDS, WireServer), which the NSG does
    /// not filter: no rule names the service's tag.
    PlatformExempt {
        /// The NSG that does not apply.
        nsg: String,
        /// The service.
        service: PlatformService,
    },
}

/// One level's NSG and its decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NsgStage {
    /// NIC or subnet.
    pub level: NsgLevel,
    /// The decision.
    pub decision: StageDecision,
}

/// The answer: allowed or denied, and each NSG's part in it.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct FlowVerifyAnswer {
    /// The NIC's name.
    pub nic: String,
    /// Its subnet.
    pub subnet: String,
    /// The direction checked.
    pub direction: Direction,
    /// The flow as the NSGs see it.
    pub flow: Flow,
    /// The outcome.
    pub access: Access,
    /// The deciding rule, if any NSG applied.
    pub rule: Option<RuleMatch>,
    /// Every level in evaluation order: outbound NIC then subnet, inbound subnet then NIC.
    pub stages: Vec<NsgStage>,
    /// The Virtual Network Manager security admin rules' decision, taken before the NSGs; absent
    /// when none applies to the VNet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<AdminDecision>,
}

/// Checks the NSGs of `nic` for a flow in `direction`. Outbound: the NIC's NSG, then the
/// subnet's; inbound: the subnet's, then the NIC's; both must allow, and a deny at the first
/// level means the second is never evaluated. A private endpoint has no NIC NSG, and its subnet's
/// NSG applies (inbound) only when the subnet's endpoint network policies include NSGs.
pub fn flow_verify(
    net: &Network,
    dp: &DataPlane,
    nic: NicRef,
    direction: Direction,
    remote: RemoteEnd,
) -> Option<FlowVerifyAnswer> {
    let local = match nic {
        NicRef::Workload(w) => net.workloads.get(w)?.ip,
        NicRef::PrivateEndpoint(p) => net.private_endpoints.get(p)?.ip,
        NicRef::Firewall(f) => net.firewalls.get(f)?.ip,
        NicRef::HubRouter(h) => *net.hub(h)?.router_ips.first()?,
        NicRef::Gateway(g) => *net.gateways.get(g)?.instance_ips.first()?,
        NicRef::LoadBalancer(l) => net.load_balancer(l)?.frontend_ip,
    };
    let flow = match direction {
        Direction::Outbound => Flow {
            protocol: remote.protocol,
            src: local,
            src_port: remote.source_port,
            dst: remote.address,
            dst_port: remote.port,
        },
        Direction::Inbound => Flow {
            protocol: remote.protocol,
            src: remote.address,
            src_port: remote.source_port,
            dst: local,
            dst_port: remote.port,
        },
    };
    nsgs_at(net, dp, nic, direction, flow)
}

/// The NSG decision at `nic` for any flow in `direction`, such as a forwarded packet whose
/// addresses are not the NIC's own. Used by [`flow_verify`] and by the tracer at every NIC.
pub fn nsgs_at(
    net: &Network,
    dp: &DataPlane,
    nic: NicRef,
    direction: Direction,
    flow: Flow,
) -> Option<FlowVerifyAnswer> {
    let (name, subnet_id, nic_nsg, pe) = match nic {
        NicRef::Workload(w) => {
            let w = net.workloads.get(w)?;
            (w.name.clone(), w.subnet, w.nsg, false)
        }
        NicRef::PrivateEndpoint(p) => {
            let p = net.private_endpoints.get(p)?;
            (p.name.clone(), p.subnet, None, true)
        }
        // Azure allows no NSG on AzureFirewallSubnet (validation refuses one).
        NicRef::Firewall(f) => {
            let f = net.firewalls.get(f)?;
            (f.name.clone(), f.subnet, None, false)
        }
        // A hub router has no NSG, nor has GatewaySubnet (validation refuses one), nor has a
        // load balancer's frontend.
        NicRef::HubRouter(_) | NicRef::Gateway(_) | NicRef::LoadBalancer(_) => return None,
    };
    let subnet = net.subnet(subnet_id)?;
    let fallback = TagScope::default();
    let scope = dp.tag_scope(subnet_id).unwrap_or(&fallback);
    let levels = match direction {
        Direction::Outbound => [(NsgLevel::Nic, nic_nsg), (NsgLevel::Subnet, subnet.nsg)],
        Direction::Inbound => [(NsgLevel::Subnet, subnet.nsg), (NsgLevel::Nic, nic_nsg)],
    };
    let at = At {
        net,
        subnet: subnet_id,
        private_endpoint: pe,
        direction,
        flow: &flow,
        scope,
    };
    let admin = admin_decision(net, subnet, direction, &flow, scope);
    if let Some(decided) = admin.as_ref().filter(|a| !a.consults_nsgs()) {
        return Some(admin_decided(
            name,
            subnet.name.clone(),
            direction,
            flow,
            decided,
            levels,
            net,
        ));
    }
    let mut stages = Vec::new();
    let mut denied_by: Option<RuleMatch> = None;
    let mut last_rule: Option<RuleMatch> = None;
    for (level, nsg) in levels {
        let decision = at.stage(nsg, level, denied_by.is_some());
        if let StageDecision::Matched(m) = &decision {
            if m.access == Access::Deny && denied_by.is_none() {
                denied_by = Some(m.clone());
            }
            last_rule = Some(m.clone());
        }
        stages.push(NsgStage { level, decision });
    }
    Some(FlowVerifyAnswer {
        nic: name,
        subnet: subnet.name.clone(),
        direction,
        flow,
        access: if denied_by.is_some() {
            Access::Deny
        } else {
            Access::Allow
        },
        rule: denied_by.or(last_rule),
        stages,
        admin,
    })
}

/// The answer when a security admin rule `Deny` or `AlwaysAllow` decided: the NSGs are not
/// evaluated (<https://learn.microsoft.com/azure/virtual-network-manager/concept-security-admins>).
fn admin_decided(
    nic: String,
    subnet: String,
    direction: Direction,
    flow: Flow,
    decided: &AdminDecision,
    levels: [(NsgLevel, Option<NsgId>); 2],
    net: &Network,
) -> FlowVerifyAnswer {
    let denied = matches!(
        decided,
        AdminDecision::Matched(m) if m.access == AdminAccess::Deny
    );
    let stages = levels
        .into_iter()
        .map(|(level, nsg)| NsgStage {
            level,
            decision: match nsg.and_then(|n| net.nsg(n)) {
                Some(n) => StageDecision::NotEvaluated {
                    nsg: n.name.clone(),
                },
                None => StageDecision::NoNsg,
            },
        })
        .collect();
    FlowVerifyAnswer {
        nic,
        subnet,
        direction,
        flow,
        access: if denied { Access::Deny } else { Access::Allow },
        rule: None,
        stages,
        admin: Some(decided.clone()),
    }
}

/// Where and what is being checked.
struct At<'a> {
    net: &'a Network,
    subnet: SubnetId,
    private_endpoint: bool,
    direction: Direction,
    flow: &'a Flow,
    scope: &'a TagScope,
}

impl At<'_> {
    /// One level's decision.
    fn stage(&self, nsg: Option<NsgId>, level: NsgLevel, already_denied: bool) -> StageDecision {
        let Some(nsg) = nsg.and_then(|n| self.net.nsg(n)) else {
            return StageDecision::NoNsg;
        };
        if self.private_endpoint && self.direction == Direction::Outbound {
            // A private endpoint never starts a flow: outbound rules have nothing to filter.
            let policies = self
                .net
                .subnet(self.subnet)
                .map(|s| s.private_endpoint_network_policies)
                .unwrap_or_default();
            return StageDecision::IgnoredForPrivateEndpoint {
                nsg: nsg.name.clone(),
                policies,
            };
        }
        if self.private_endpoint && level == NsgLevel::Subnet {
            let policies = self
                .net
                .subnet(self.subnet)
                .map(|s| s.private_endpoint_network_policies)
                .unwrap_or_default();
            if !policies.nsgs_apply() {
                return StageDecision::IgnoredForPrivateEndpoint {
                    nsg: nsg.name.clone(),
                    policies,
                };
            }
        }
        if already_denied {
            return StageDecision::NotEvaluated {
                nsg: nsg.name.clone(),
            };
        }
        if let Some(service) = platform_service(self.flow) {
            return match platform_decision(nsg, self.direction, self.flow, self.scope, service) {
                PlatformDecision::Exempt => StageDecision::PlatformExempt {
                    nsg: nsg.name.clone(),
                    service,
                },
                PlatformDecision::Filtered(m) => StageDecision::Matched(m),
            };
        }
        // Azure treats source-port filters as `*` for traffic to private endpoints.
        StageDecision::Matched(evaluate_with(
            nsg,
            self.direction,
            self.flow,
            self.scope,
            self.private_endpoint,
        ))
    }
}
