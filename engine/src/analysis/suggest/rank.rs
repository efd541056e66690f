//! What a fix weakens, which ranks it: a fix that keeps every protection comes before one that
//! widens a rule or takes the flow past an inspecting device, and both before one that removes a
//! protection (an endpoint subnet's NSG or route table that stops applying). Within a rank, the
//! fixes of the root cause come first.

use serde::Serialize;

use super::Fix;
use crate::model::Network;
use crate::scenario::PrivateEndpointNetworkPolicies as Policies;

/// What a fix weakens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "weakens")]
pub enum Weakening {
    /// Nothing: every NSG, firewall and policy stays as strict as it was.
    Nothing,
    /// An NSG rule now allows more: a whole subnet's prefix, or a service tag.
    WidensNsg {
        /// The NSG.
        nsg: String,
        /// The sources it now allows.
        source: String,
    },
    /// The flow no longer passes these stateful devices (their rules and logs no longer see it).
    LeavesInspection {
        /// The devices.
        devices: Vec<String>,
    },
    /// A protection stops applying to the subnet's private endpoints.
    RemovesProtection {
        /// The subnet.
        subnet: String,
        /// Its NSG stops applying to them.
        nsg: bool,
        /// Its route table stops applying to them.
        route_table: bool,
    },
}

impl Weakening {
    /// The rank: lower is better.
    pub fn rank(&self) -> u8 {
        match self {
            Weakening::Nothing => 0,
            Weakening::WidensNsg { .. } | Weakening::LeavesInspection { .. } => 1,
            Weakening::RemovesProtection { .. } => 2,
        }
    }
}

fn applies_nsg(p: Policies) -> bool {
    matches!(p, Policies::Enabled | Policies::NetworkSecurityGroupEnabled)
}

fn applies_routes(p: Policies) -> bool {
    matches!(p, Policies::Enabled | Policies::RouteTableEnabled)
}

/// What `fix` weakens in `net`; `left` are the stateful devices the flow no longer passes.
pub fn weakening(net: &Network, fix: &Fix, left: Vec<String>) -> Weakening {
    match fix {
        Fix::EndpointPolicies(f) => {
            let Some(subnet) = net.subnet(f.subnet.id) else {
                return Weakening::Nothing;
            };
            let was = subnet.private_endpoint_network_policies;
            let nsg = applies_nsg(was) && !applies_nsg(f.policies) && subnet.nsg.is_some();
            let route_table =
                applies_routes(was) && !applies_routes(f.policies) && subnet.route_table.is_some();
            if nsg || route_table {
                return Weakening::RemovesProtection {
                    subnet: subnet.name.clone(),
                    nsg,
                    route_table,
                };
            }
            Weakening::Nothing
        }
        Fix::AllowInNsg(f) => Weakening::WidensNsg {
            nsg: f.nsg.name.clone(),
            source: f.source.to_string(),
        },
        // The rules Azure requires API Management to have: the NSG is as strict as a working
        // instance's can be, so the fix weakens only what the path change (if any) leaves.
        Fix::ApimRules(_)
        | Fix::LinkZone(_)
        | Fix::RouteAll(_)
        | Fix::ColocateEndpoint(_)
        | Fix::ForwardZone(_)
        | Fix::AddUdr(_)
        | Fix::AlwaysSnat(_)
        | Fix::HostRoute(_)
        | Fix::UseFqdn(_)
        | Fix::CreateZone(_)
        | Fix::RelinkZone(_)
        | Fix::AddRecord(_) => {
            if left.is_empty() {
                Weakening::Nothing
            } else {
                Weakening::LeavesInspection { devices: left }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{flow, load};
    use super::super::{suggest, Fix};
    use super::*;

    const GUARDED: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24", nsg: "nsg-pe", private_endpoint_network_policies: NetworkSecurityGroupEnabled)]),
            (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
        ],
        peerings: [(between: ("hub", "spoke"))],
        nsgs: [(name: "nsg-pe", rules: [(name: "deny-in", priority: 4000, direction: Inbound, access: Deny, protocol: Any, source: ["*"], destination: ["*"], destination_ports: ["*"])])],
        private_endpoints: [(name: "pe-x", subnet: "hub/pe", ip: "10.0.2.4")],
        workloads: [(name: "vm", subnet: "spoke/app", ip: "10.1.1.4")],
    )"#;

    #[test]
    fn a_fix_that_keeps_the_endpoint_subnets_nsg_ranks_above_one_that_turns_it_off() {
        let loaded = load(GUARDED);
        let s = suggest(&loaded, &flow("vm", "10.0.2.4")).unwrap();
        let ranks: Vec<(&'static str, u8)> = s
            .kept
            .iter()
            .map(|k| {
                let kind = match &k.fix {
                    Fix::AllowInNsg(_) => "allow",
                    Fix::EndpointPolicies(_) => "policies",
                    _ => "other",
                };
                (kind, k.weakens.rank())
            })
            .collect();
        assert_eq!(ranks.first(), Some(&("allow", 1)), "{ranks:?}");
        assert!(
            ranks.contains(&("policies", 2)),
            "turning the NSG off is kept, ranked last: {ranks:?}"
        );
        assert!(ranks.windows(2).all(|w| w[0].1 <= w[1].1), "{ranks:?}");
        let last = s.kept.last().unwrap();
        assert!(matches!(
            last.weakens,
            Weakening::RemovesProtection { nsg: true, .. }
        ));
    }
}
