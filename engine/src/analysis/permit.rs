//! Routing only: a flow's path as if every NSG and Azure Firewall allowed it, with every rule
//! along that path that would have blocked it, so one trace shows every filter change a flow
//! needs and whether routing alone delivers it.
//!
//! Each blocking filter is lifted where it blocks and nowhere else: an NSG gets an allow-all rule
//! ahead of its rules in the blocking direction only (NSGs are evaluated per direction, first
//! match wins: <https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works>),
//! a firewall an allow-all network rule ahead of its rules (network rules are processed before
//! application rules: <https://learn.microsoft.com/azure/firewall/rule-processing>). The flow is
//! then traced again, until no NSG or firewall blocks it. A network rule does not SNAT traffic to
//! the firewall's private ranges where an application rule would, so a path lifted at a firewall
//! is the path a network-rule fix would give. Traffic to a firewall's public IP with no DNAT rule
//! cannot be lifted (there is no address to translate to): the trace ends there, blocked.

use serde::Serialize;

use crate::dataplane::DataPlane;
use crate::model::{
    Access, AddressMatch, Direction, Network, NetworkRule, NsgPriority, NsgRule, PortRange,
    Protocol, RulePlace,
};
use crate::trace::{FirewallRule, Step, TraceAnswer, Verdict};

use super::flow::{self, FlowSpec};

/// The name of the rule that lifts a filter (shown in the lifted path's hops).
pub const PERMIT_RULE: &str = "azpath-permit-all";

/// A rule that would have blocked the flow on its path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "filter")]
pub enum Blocker {
    /// An NSG rule denies the flow at a NIC.
    Nsg {
        /// The NSG.
        nsg: String,
        /// Its denying rule (a default rule such as `DenyAllInBound` included).
        rule: String,
        /// The direction the rule is evaluated in.
        direction: Direction,
        /// The NIC where it applies.
        nic: String,
    },
    /// An Azure Firewall denies the flow.
    Firewall {
        /// The firewall.
        firewall: String,
        /// The deny rule, or `None` for the firewall's default deny.
        rule: Option<FirewallRule>,
    },
}

/// The answer of `trace --permit-all`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PermitAll {
    /// Every rule that blocked the flow, in path order.
    pub blockers: Vec<Blocker>,
    /// The trace with every blocker lifted.
    pub trace: TraceAnswer,
    /// Whether routing alone delivers the flow once every blocker is lifted.
    pub routing_delivers: bool,
}

/// Traces `flow` with every NSG and firewall that blocks it lifted; `None` when its client is
/// not in `net`.
pub fn permit_all(net: &Network, dp: &DataPlane, flow: &FlowSpec) -> Option<PermitAll> {
    permit_all_with(net, dp, |n, d| flow::trace(n, d, flow))
}

/// [`permit_all`] for any way of tracing one flow.
pub fn permit_all_with(
    net: &Network,
    dp: &DataPlane,
    trace: impl Fn(&Network, &DataPlane) -> Option<TraceAnswer>,
) -> Option<PermitAll> {
    let mut answer = trace(net, dp)?;
    let mut blockers = Vec::new();
    let mut lifted: Option<Network> = None;
    // Each round lifts one filter in one direction, so the number of rounds is bounded.
    let rounds = net.nsgs.len() * 2 + net.firewalls.len() + 1;
    for _ in 0..rounds {
        let Some(blocker) = blocker_of(&answer) else {
            break;
        };
        if blockers.contains(&blocker) {
            // Lifting did not help (traffic to a firewall's public IP): it stays blocked.
            break;
        }
        let mut next = lifted.take().unwrap_or_else(|| net.clone());
        if !lift(&mut next, &blocker) {
            blockers.push(blocker);
            break;
        }
        blockers.push(blocker);
        let next_dp = DataPlane::compile(&next);
        answer = trace(&next, &next_dp)?;
        lifted = Some(next);
    }
    let routing_delivers = answer.verdict.is_success();
    Some(PermitAll {
        blockers,
        trace: answer,
        routing_delivers,
    })
}

/// The filter rule a trace ends at, if it is an NSG or firewall deny.
fn blocker_of(t: &TraceAnswer) -> Option<Blocker> {
    match &t.verdict {
        Verdict::DroppedByNsg { nsg, rule, nic } => Some(Blocker::Nsg {
            nsg: nsg.clone(),
            rule: rule.clone(),
            direction: last_nsg_direction(t)?,
            nic: nic.clone(),
        }),
        Verdict::DroppedByFirewall { firewall, rule, .. } => Some(Blocker::Firewall {
            firewall: firewall.clone(),
            rule: rule.clone(),
        }),
        _ => None,
    }
}

/// The direction of the last NSG evaluation on the forward path: the one that denied.
fn last_nsg_direction(t: &TraceAnswer) -> Option<Direction> {
    t.forward
        .iter()
        .rev()
        .flat_map(|h| h.steps.iter().rev())
        .find_map(|s| match s {
            Step::InboundNsgs(_) => Some(Direction::Inbound),
            Step::OutboundNsgs(_) => Some(Direction::Outbound),
            _ => None,
        })
}

/// Lifts `b` in `net`; `false` when `net` has no such filter.
fn lift(net: &mut Network, b: &Blocker) -> bool {
    match b {
        Blocker::Nsg { nsg, direction, .. } => {
            let Some(n) = net.nsgs.iter_mut().find(|n| &n.name == nsg) else {
                return false;
            };
            let Some(priority) = NsgPriority::custom(100) else {
                return false;
            };
            n.rules.insert(
                0,
                NsgRule {
                    name: PERMIT_RULE.into(),
                    priority,
                    direction: *direction,
                    access: Access::Allow,
                    protocol: Protocol::Any,
                    source: vec![AddressMatch::Any],
                    source_ports: vec![PortRange::ANY],
                    destination: vec![AddressMatch::Any],
                    destination_ports: vec![PortRange::ANY],
                    default_rule: false,
                },
            );
            true
        }
        Blocker::Firewall { firewall, .. } => {
            let Some(f) = net.firewalls.iter_mut().find(|f| &f.name == firewall) else {
                return false;
            };
            f.network.insert(
                0,
                NetworkRule {
                    place: RulePlace {
                        group: PERMIT_RULE.into(),
                        group_priority: 0,
                        collection: PERMIT_RULE.into(),
                        collection_priority: 0,
                        rule: PERMIT_RULE.into(),
                        action: Access::Allow,
                    },
                    protocol: Protocol::Any,
                    source: vec![AddressMatch::Any],
                    destination: vec![AddressMatch::Any],
                    ports: vec![PortRange::ANY],
                    destination_fqdns: Vec::new(),
                },
            );
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::suggest::testing::{flow, load};

    /// vm-a → firewall → vm-b: an outbound NSG deny at vm-a, the firewall's default deny, and
    /// the inbound default deny of vm-b's subnet NSG; 10.1.3.0/24 is routed to `None`.
    const THREE_FILTERS: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26")]),
            (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [
                (name: "a", prefix: "10.1.1.0/24", route_table: "rt", nsg: "nsg-a"),
                (name: "b", prefix: "10.1.2.0/24", route_table: "rt", nsg: "nsg-b"),
                (name: "c", prefix: "10.1.3.0/24")]),
        ],
        peerings: [(between: ("hub", "spoke"), allow_forwarded_traffic: true)],
        route_tables: [(name: "rt", routes: [
            (name: "fw", prefix: "10.1.0.0/16", next_hop: VirtualAppliance("10.0.1.4")),
            (name: "none", prefix: "10.1.3.0/24", next_hop: None)])],
        nsgs: [
            (name: "nsg-a", rules: [(name: "deny-https-out", priority: 100, direction: Outbound, access: Deny, protocol: Tcp,
                destination: ["10.1.0.0/16"], destination_ports: ["443"])]),
            (name: "nsg-b", rules: [(name: "deny-vnet-in", priority: 4000, direction: Inbound, access: Deny,
                source: ["VirtualNetwork"], destination: ["VirtualNetwork"])]),
        ],
        firewalls: [(name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", rule_collection_groups: [])],
        workloads: [(name: "vm-a", subnet: "spoke/a", ip: "10.1.1.4"), (name: "vm-b", subnet: "spoke/b", ip: "10.1.2.4"),
                    (name: "vm-c", subnet: "spoke/c", ip: "10.1.3.4")],
    )"#;

    #[test]
    fn every_nsg_and_firewall_deny_along_the_path_is_listed_and_routing_alone_delivers() {
        let loaded = load(THREE_FILTERS);
        let p = permit_all(
            &loaded.network,
            loaded.dataplane(),
            &flow("vm-a", "10.1.2.4"),
        )
        .unwrap();
        assert_eq!(
            p.blockers,
            [
                Blocker::Nsg {
                    nsg: "nsg-a".into(),
                    rule: "deny-https-out".into(),
                    direction: Direction::Outbound,
                    nic: "vm-a".into()
                },
                Blocker::Firewall {
                    firewall: "fw".into(),
                    rule: None
                },
                Blocker::Nsg {
                    nsg: "nsg-b".into(),
                    rule: "deny-vnet-in".into(),
                    direction: Direction::Inbound,
                    nic: "vm-b".into()
                },
            ]
        );
        assert!(p.routing_delivers);
        assert_eq!(p.trace.verdict, Verdict::Delivered);
        assert!(p.trace.passes("fw"));
    }

    #[test]
    fn a_route_with_next_hop_none_still_drops_the_flow_with_every_filter_lifted() {
        let loaded = load(THREE_FILTERS);
        let p = permit_all(
            &loaded.network,
            loaded.dataplane(),
            &flow("vm-a", "10.1.3.4"),
        )
        .unwrap();
        assert_eq!(p.blockers.len(), 1, "{:?}", p.blockers);
        assert!(!p.routing_delivers);
        assert!(matches!(p.trace.verdict, Verdict::NoRoute { .. }));
    }

    #[test]
    fn a_peering_that_refuses_forwarded_traffic_is_what_remains_once_every_filter_is_lifted() {
        let ron = THREE_FILTERS.replace(", allow_forwarded_traffic: true", "");
        let loaded = load(&ron);
        let p = permit_all(
            &loaded.network,
            loaded.dataplane(),
            &flow("vm-a", "10.1.2.4"),
        )
        .unwrap();
        assert_eq!(p.blockers.len(), 2, "{:?}", p.blockers);
        assert!(!p.routing_delivers);
        assert!(matches!(p.trace.verdict, Verdict::PeeringBlocked { .. }));
    }

    #[test]
    fn the_return_direction_lists_only_the_filters_that_block_it() {
        let loaded = load(THREE_FILTERS);
        let plain = flow::trace(
            &loaded.network,
            loaded.dataplane(),
            &flow("vm-b", "10.1.1.4"),
        );
        let p = permit_all(
            &loaded.network,
            loaded.dataplane(),
            &flow("vm-b", "10.1.1.4"),
        )
        .unwrap();
        // nsg-b has no outbound deny and nsg-a lets in what AllowVnetInBound allows.
        assert_eq!(
            p.blockers,
            [Blocker::Firewall {
                firewall: "fw".into(),
                rule: None
            }]
        );
        assert_eq!(plain.unwrap().verdict.name(), "DroppedByFirewall");
    }
}
