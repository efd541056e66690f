//! Azure Virtual Network Manager security admin rules: evaluated before the NSGs, on every
//! subnet of the VNets they apply to
//! (<https://learn.microsoft.com/azure/virtual-network-manager/concept-security-admins>,
//! <https://learn.microsoft.com/azure/virtual-network-manager/concept-enforcement>).

use serde::{Deserialize, Serialize};

use super::nsg::{address_matches, ports_match, protocol_matches};
use super::{Flow, TagScope};
use crate::model::{AdminAccess, AdminRule, Direction, IntentPolicyServices, Network, Subnet};

/// The subnets security admin rules do not apply to, named as Azure requires them: Azure
/// Firewall, VPN and ExpressRoute gateways, Azure Bastion and Route Server
/// (<https://learn.microsoft.com/azure/virtual-network-manager/concept-security-admins>,
/// "Nonapplication of security admin rules").
pub const EXEMPT_SUBNETS: [&str; 5] = [
    "AzureFirewallSubnet",
    "AzureFirewallManagementSubnet",
    "GatewaySubnet",
    "AzureBastionSubnet",
    "RouteServerSubnet",
];

/// The security admin rule that decided a flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AdminRuleMatch {
    /// Its collection.
    pub collection: String,
    /// The rule.
    pub rule: String,
    /// Its priority.
    pub priority: u16,
    /// Allow, AlwaysAllow or Deny.
    pub access: AdminAccess,
}

/// What the security admin rules decided before the NSGs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "decision")]
pub enum AdminDecision {
    /// A rule matched: `Deny` drops the flow and `AlwaysAllow` lets it through, the NSGs not
    /// consulted; `Allow` hands it to the NSGs.
    Matched(AdminRuleMatch),
    /// Admin rules apply to this VNet but none matched: the NSGs decide.
    NoMatch,
    /// The subnet is one Azure leaves out of security admin rules.
    NotApplied {
        /// The subnet's name.
        subnet: String,
    },
    /// The subnet's VNet holds SQL Managed Instance or Azure Databricks, and no configuration
    /// applies its allow rules there (`applyOnNetworkIntentPolicyBasedServices`).
    NotAppliedToIntentPolicyService {
        /// The subnet's name.
        subnet: String,
        /// The delegation that marks the service.
        service: String,
    },
}

impl AdminDecision {
    /// Whether the NSGs are consulted after this decision.
    pub fn consults_nsgs(&self) -> bool {
        !matches!(
            self,
            AdminDecision::Matched(AdminRuleMatch {
                access: AdminAccess::Deny | AdminAccess::AlwaysAllow,
                ..
            })
        )
    }
}

/// The admin decision at `subnet` for `flow` in `direction`; `None` when no admin rule applies
/// to the subnet's VNet (the NSGs alone decide, as without Virtual Network Manager).
pub fn admin_decision(
    net: &Network,
    subnet: &Subnet,
    direction: Direction,
    flow: &Flow,
    scope: &TagScope,
) -> Option<AdminDecision> {
    let mut rules = net
        .security_admin_rules
        .iter()
        .filter(|r| r.applies_to.contains(&subnet.vnet))
        .peekable();
    rules.peek()?;
    let own_name = subnet
        .name
        .rsplit('/')
        .next()
        .unwrap_or(subnet.name.as_str());
    if EXEMPT_SUBNETS.contains(&own_name) || application_gateway_left_out(subnet) {
        return Some(AdminDecision::NotApplied {
            subnet: subnet.name.clone(),
        });
    }
    if let Some(service) = intent_policy_service(net, subnet) {
        // In a VNet with SQL Managed Instance or Databricks only the rules of configurations
        // set to `AllowRulesOnly` apply, and of those only the allow rules.
        let mut kept = rules
            .filter(|r| {
                r.intent_services == IntentPolicyServices::AllowRulesOnly
                    && r.access != AdminAccess::Deny
            })
            .peekable();
        if kept.peek().is_none() {
            return Some(AdminDecision::NotAppliedToIntentPolicyService {
                subnet: subnet.name.clone(),
                service: service.to_string(),
            });
        }
        return Some(first_match(kept, direction, flow, scope));
    }
    Some(first_match(rules, direction, flow, scope))
}

/// The delegations of services that manage their subnets with network intent policies: SQL
/// Managed Instance and Azure Databricks. Security admin rules are not applied in a VNet holding
/// one unless the configuration says `AllowRulesOnly`
/// (<https://learn.microsoft.com/azure/virtual-network-manager/concept-security-admins>).
pub const INTENT_POLICY_DELEGATIONS: [&str; 2] = [
    "Microsoft.Sql/managedInstances",
    "Microsoft.Databricks/workspaces",
];

/// The intent-policy service (by delegation) some subnet of `subnet`'s VNet is delegated to.
pub fn intent_policy_service<'n>(net: &'n Network, subnet: &Subnet) -> Option<&'n str> {
    // The VNet's own subnet list: this runs at every hop once admin rules apply.
    net.vnets
        .get(subnet.vnet)?
        .subnets
        .iter()
        .filter_map(|&s| net.subnets.get(s))
        .flat_map(|s| s.delegations.iter())
        .find(|d| {
            INTENT_POLICY_DELEGATIONS
                .iter()
                .any(|x| x.eq_ignore_ascii_case(d))
        })
        .map(String::as_str)
}

/// Security admin rules leave out a subnet holding an Application Gateway, unless the gateway is
/// network-isolated (its subnet delegated to `Microsoft.Network/applicationGateways`).
pub fn application_gateway_left_out(subnet: &Subnet) -> bool {
    subnet.application_gateway
        && !subnet
            .delegations
            .iter()
            .any(|d| d.eq_ignore_ascii_case("Microsoft.Network/applicationGateways"))
}

/// Among the rules of `direction`, the lowest priority number that matches wins.
fn first_match<'a>(
    rules: impl Iterator<Item = &'a AdminRule>,
    direction: Direction,
    flow: &Flow,
    scope: &TagScope,
) -> AdminDecision {
    let mut hits: Vec<&AdminRule> = rules
        .filter(|r| r.direction == direction && admin_rule_matches(r, flow, scope))
        .collect();
    hits.sort_by_key(|r| r.priority);
    match hits.first() {
        Some(r) => AdminDecision::Matched(AdminRuleMatch {
            collection: r.collection.clone(),
            rule: r.name.clone(),
            priority: r.priority,
            access: r.access,
        }),
        None => AdminDecision::NoMatch,
    }
}

/// Whether `r` matches `flow`: protocol, both addresses and both ports, as for NSG rules.
fn admin_rule_matches(r: &AdminRule, flow: &Flow, scope: &TagScope) -> bool {
    protocol_matches(r.protocol, flow.protocol)
        && r.source.iter().any(|m| address_matches(m, flow.src, scope))
        && r.destination
            .iter()
            .any(|m| address_matches(m, flow.dst, scope))
        && ports_match(&r.source_ports, flow.src_port, flow.protocol)
        && ports_match(&r.destination_ports, flow.dst_port, flow.protocol)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AddressMatch, FlowProtocol, PortRange, Protocol, VnetId};

    fn rule(name: &str, priority: u16, access: AdminAccess, port: u16) -> AdminRule {
        AdminRule {
            collection: "c".into(),
            name: name.into(),
            priority,
            direction: Direction::Inbound,
            access,
            protocol: Protocol::Tcp,
            source: vec![AddressMatch::Any],
            source_ports: vec![PortRange::ANY],
            destination: vec![AddressMatch::Any],
            destination_ports: vec![PortRange {
                first: port,
                last: port,
            }],
            applies_to: vec![VnetId::for_test(0)],
            intent_services: IntentPolicyServices::None,
        }
    }

    fn flow(port: u16) -> Flow {
        Flow {
            protocol: FlowProtocol::Tcp,
            src: "10.1.0.4".parse().unwrap(),
            src_port: 50000,
            dst: "10.0.1.4".parse().unwrap(),
            dst_port: port,
        }
    }

    fn decide(rules: &[AdminRule], port: u16) -> AdminDecision {
        first_match(
            rules.iter(),
            Direction::Inbound,
            &flow(port),
            &TagScope::default(),
        )
    }

    #[test]
    fn among_admin_rules_the_lower_priority_number_wins() {
        let rules = [
            rule("deny-late", 20, AdminAccess::Deny, 22),
            rule("allow-early", 10, AdminAccess::Allow, 22),
        ];
        let AdminDecision::Matched(m) = decide(&rules, 22) else {
            panic!("a rule matches");
        };
        assert_eq!(m.rule, "allow-early");
    }

    #[test]
    fn admin_deny_and_always_allow_skip_the_nsgs_and_allow_hands_over_to_them() {
        let at = |access| decide(&[rule("r", 1, access, 22)], 22);
        assert!(!at(AdminAccess::Deny).consults_nsgs());
        assert!(!at(AdminAccess::AlwaysAllow).consults_nsgs());
        assert!(at(AdminAccess::Allow).consults_nsgs());
        assert!(decide(&[rule("r", 1, AdminAccess::Deny, 22)], 443).consults_nsgs());
        assert_eq!(
            decide(&[rule("r", 1, AdminAccess::Deny, 22)], 443),
            AdminDecision::NoMatch
        );
    }

    #[test]
    fn admin_rules_of_the_other_direction_are_ignored() {
        let mut r = rule("out", 1, AdminAccess::Deny, 22);
        r.direction = Direction::Outbound;
        assert_eq!(decide(&[r], 22), AdminDecision::NoMatch);
    }

    #[test]
    fn admin_rules_do_not_apply_in_firewall_gateway_bastion_and_route_server_subnets() {
        for s in [
            "AzureFirewallSubnet",
            "GatewaySubnet",
            "AzureBastionSubnet",
            "RouteServerSubnet",
        ] {
            assert!(EXEMPT_SUBNETS.contains(&s), "{s}");
        }
    }
}
