//! "Would the NSGs at this NIC let this flow through, and which rule decides?" — Network
//! Watcher's IP flow verify, with every NSG on the way.

use serde::{Deserialize, Serialize};

use crate::dataplane::DataPlane;
use crate::filter::admin::{admin_decision, AdminDecision};
use crate::filter::nsg::{first_match, rule_match};
use crate::filter::platform::{platform_rule, platform_service, PlatformService};
use crate::filter::{Flow, RuleMatch, TagScope};
use crate::model::{
    Access, AdminAccess, Direction, Name, Network, NicRef, Nsg, NsgId, NsgRule,
    PrivateEndpointNetworkPolicies, RemoteEnd, Subnet, SubnetId,
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
        nsg: Name,
    },
    /// The subnet NSG does not apply to a private endpoint whose subnet's network policies leave
    /// NSGs out.
    IgnoredForPrivateEndpoint {
        /// The NSG that does not apply.
        nsg: Name,
        /// The subnet's `privateEndpointNetworkPolicies`.
        policies: PrivateEndpointNetworkPolicies,
    },
    /// The flow goes to a platform service (Azure DNS, IMDS, WireServer), which the NSG does
    /// not filter: no rule names the service's tag.
    PlatformExempt {
        /// The NSG that does not apply.
        nsg: Name,
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
    /// The NIC's name (shared with the compiled data plane).
    pub nic: Name,
    /// Its subnet.
    pub subnet: Name,
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
    let d = decide(net, dp, nic, direction, &flow)?;
    // The names the compiled data plane holds: the answer counts references.
    let names = dp.names();
    let name = names.nic(nic).cloned().unwrap_or_else(|| Name::from(d.nic));
    let subnet = names
        .subnet(d.subnet_id)
        .cloned()
        .unwrap_or_else(|| Name::from(d.subnet.name.as_str()));
    let Some(stages) = d.stages else {
        // A security admin rule decided: the NSGs are not evaluated.
        let decided = d.admin.as_ref()?;
        return Some(admin_decided(
            name, subnet, direction, flow, decided, d.levels, net,
        ));
    };
    let mut named = Vec::with_capacity(stages.len());
    let mut denied_by: Option<RuleMatch> = None;
    let mut last_rule: Option<RuleMatch> = None;
    for (level, stage) in stages {
        let decision = stage.named(&flow, d.scope);
        if let StageDecision::Matched(m) = &decision {
            if m.access == Access::Deny && denied_by.is_none() {
                denied_by = Some(m.clone());
            }
            last_rule = Some(m.clone());
        }
        named.push(NsgStage { level, decision });
    }
    Some(FlowVerifyAnswer {
        nic: name,
        subnet,
        direction,
        flow,
        access: d.access,
        rule: denied_by.or(last_rule),
        stages: named,
        admin: d.admin,
    })
}

/// The NSG decision at `nic`, with the deciding rules by reference into the network: what
/// [`nsgs_at`] decides, before any name is copied. The tracer's verdict-only walk reads it as it
/// is; [`nsgs_at`] names it for the evidence.
#[derive(Debug)]
pub struct NsgDecision<'a> {
    /// The NIC's name.
    pub nic: &'a str,
    /// Its subnet.
    pub subnet: &'a Subnet,
    /// Allow or deny.
    pub access: Access,
    /// The Virtual Network Manager security admin rules' decision, if any applies.
    pub admin: Option<AdminDecision>,
    /// Each level's decision in evaluation order; `None` when a security admin rule decided and
    /// the NSGs were not evaluated.
    pub stages: Option<[(NsgLevel, StageRef<'a>); 2]>,
    levels: [(NsgLevel, Option<NsgId>); 2],
    scope: &'a TagScope,
    subnet_id: SubnetId,
}

impl<'a> NsgDecision<'a> {
    /// The NSG and rule that denied the flow (`None` for the rule: the final deny), if an NSG
    /// did.
    pub fn denied_by(&self) -> Option<(&'a Nsg, Option<&'a NsgRule>)> {
        self.stages.as_ref()?.iter().find_map(|(_, s)| s.denies())
    }
}

/// What one level decided, the rule by reference: [`StageDecision`] before names are copied.
#[derive(Clone, Copy, Debug)]
pub enum StageRef<'a> {
    /// No NSG at this level.
    NoNsg,
    /// A rule of the NSG decided (`None`: no rule matched, the final deny).
    Matched(&'a Nsg, Option<&'a NsgRule>),
    /// Not reached: an earlier level denied the flow.
    NotEvaluated(&'a Nsg),
    /// The subnet NSG does not apply to a private endpoint.
    IgnoredForPrivateEndpoint(&'a Nsg, PrivateEndpointNetworkPolicies),
    /// The flow goes to a platform service that no rule of the NSG names.
    PlatformExempt(&'a Nsg, PlatformService),
    /// The flow goes to a platform service, and a rule naming its tag decided.
    PlatformFiltered(&'a Nsg, &'a NsgRule),
}

impl<'a> StageRef<'a> {
    /// The access of the rule that decided here, if one did.
    fn access(self) -> Option<Access> {
        match self {
            StageRef::Matched(_, Some(r)) | StageRef::PlatformFiltered(_, r) => Some(r.access),
            StageRef::Matched(_, None) => Some(Access::Deny),
            _ => None,
        }
    }

    /// The NSG and rule, when this level denied.
    fn denies(self) -> Option<(&'a Nsg, Option<&'a NsgRule>)> {
        match self {
            StageRef::Matched(n, r) if self.access() == Some(Access::Deny) => Some((n, r)),
            StageRef::PlatformFiltered(n, r) if r.access == Access::Deny => Some((n, Some(r))),
            _ => None,
        }
    }

    /// The decision with its names, as the answer shows it.
    fn named(self, flow: &Flow, scope: &TagScope) -> StageDecision {
        match self {
            StageRef::NoNsg => StageDecision::NoNsg,
            StageRef::Matched(nsg, hit) => {
                StageDecision::Matched(rule_match(nsg, hit, flow, scope))
            }
            StageRef::NotEvaluated(nsg) => StageDecision::NotEvaluated {
                nsg: nsg.name.clone(),
            },
            StageRef::IgnoredForPrivateEndpoint(nsg, policies) => {
                StageDecision::IgnoredForPrivateEndpoint {
                    nsg: nsg.name.clone(),
                    policies,
                }
            }
            StageRef::PlatformExempt(nsg, service) => StageDecision::PlatformExempt {
                nsg: nsg.name.clone(),
                service,
            },
            StageRef::PlatformFiltered(nsg, r) => {
                StageDecision::Matched(rule_match(nsg, Some(r), flow, scope))
            }
        }
    }
}

/// The NSG decision at `nic` for `flow` in `direction`, by reference ([`NsgDecision`]); `None`
/// for NICs that carry no NSG (hub routers, gateways, load balancer frontends).
pub fn decide<'a>(
    net: &'a Network,
    dp: &'a DataPlane,
    nic: NicRef,
    direction: Direction,
    flow: &Flow,
) -> Option<NsgDecision<'a>> {
    let (name, subnet_id, nic_nsg, pe) = match nic {
        NicRef::Workload(w) => {
            let w = net.workloads.get(w)?;
            (w.name.as_str(), w.subnet, w.nsg, false)
        }
        NicRef::PrivateEndpoint(p) => {
            let p = net.private_endpoints.get(p)?;
            (p.name.as_str(), p.subnet, None, true)
        }
        // Azure allows no NSG on AzureFirewallSubnet (validation refuses one).
        NicRef::Firewall(f) => {
            let f = net.firewalls.get(f)?;
            (f.name.as_str(), f.subnet, None, false)
        }
        // A hub router has no NSG, nor has GatewaySubnet (validation refuses one), nor has a
        // load balancer's frontend.
        NicRef::HubRouter(_) | NicRef::Gateway(_) | NicRef::LoadBalancer(_) => return None,
    };
    let subnet = net.subnet(subnet_id)?;
    static FALLBACK: std::sync::OnceLock<TagScope> = std::sync::OnceLock::new();
    let scope = match dp.tag_scope(subnet_id) {
        Some(s) => s,
        None => FALLBACK.get_or_init(TagScope::default),
    };
    let levels = match direction {
        Direction::Outbound => [(NsgLevel::Nic, nic_nsg), (NsgLevel::Subnet, subnet.nsg)],
        Direction::Inbound => [(NsgLevel::Subnet, subnet.nsg), (NsgLevel::Nic, nic_nsg)],
    };
    let at = At {
        net,
        subnet,
        private_endpoint: pe,
        direction,
        flow,
        scope,
    };
    let admin = admin_decision(net, subnet, direction, flow, scope);
    if let Some(decided) = admin.as_ref().filter(|a| !a.consults_nsgs()) {
        let denied = matches!(
            decided,
            AdminDecision::Matched(m) if m.access == AdminAccess::Deny
        );
        return Some(NsgDecision {
            nic: name,
            subnet,
            access: if denied { Access::Deny } else { Access::Allow },
            admin,
            stages: None,
            levels,
            scope,
            subnet_id,
        });
    }
    let [(first_level, first_nsg), (second_level, second_nsg)] = levels;
    let first = at.stage(first_nsg, first_level, false);
    let first_denied = first.denies().is_some();
    let second = at.stage(second_nsg, second_level, first_denied);
    let denied = first_denied || second.denies().is_some();
    Some(NsgDecision {
        nic: name,
        subnet,
        access: if denied { Access::Deny } else { Access::Allow },
        admin,
        stages: Some([(first_level, first), (second_level, second)]),
        levels,
        scope,
        subnet_id,
    })
}

/// The answer when a security admin rule `Deny` or `AlwaysAllow` decided: the NSGs are not
/// evaluated (<https://learn.microsoft.com/azure/virtual-network-manager/concept-security-admins>).
fn admin_decided(
    nic: Name,
    subnet: Name,
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
struct At<'a, 'f> {
    net: &'a Network,
    subnet: &'a Subnet,
    private_endpoint: bool,
    direction: Direction,
    flow: &'f Flow,
    scope: &'a TagScope,
}

impl<'a> At<'a, '_> {
    /// One level's decision.
    fn stage(&self, nsg: Option<NsgId>, level: NsgLevel, already_denied: bool) -> StageRef<'a> {
        let Some(nsg) = nsg.and_then(|n| self.net.nsg(n)) else {
            return StageRef::NoNsg;
        };
        let policies = self.subnet.private_endpoint_network_policies;
        if self.private_endpoint && self.direction == Direction::Outbound {
            // A private endpoint never starts a flow: outbound rules have nothing to filter.
            return StageRef::IgnoredForPrivateEndpoint(nsg, policies);
        }
        if self.private_endpoint && level == NsgLevel::Subnet && !policies.nsgs_apply() {
            return StageRef::IgnoredForPrivateEndpoint(nsg, policies);
        }
        if already_denied {
            return StageRef::NotEvaluated(nsg);
        }
        let platform = platform_service(self.flow).filter(|s| {
            *s != PlatformService::Kms
                || crate::filter::kms::kms_platform_rule_enabled(self.net, self.subnet)
        });
        if let Some(service) = platform {
            return match platform_rule(nsg, self.direction, self.flow, self.scope, service) {
                None => StageRef::PlatformExempt(nsg, service),
                Some(r) => StageRef::PlatformFiltered(nsg, r),
            };
        }
        // Azure treats source-port filters as `*` for traffic to private endpoints.
        let hit = first_match(
            nsg,
            self.direction,
            self.flow,
            self.scope,
            self.private_endpoint,
        );
        StageRef::Matched(nsg, hit)
    }
}
