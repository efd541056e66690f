//! Change `privateEndpointNetworkPolicies` of the subnet of a private endpoint on the path:
//! with `Disabled` (Azure's default) the subnet's NSG and route table do not apply to the
//! endpoint; `NetworkSecurityGroupEnabled`, `RouteTableEnabled` and `Enabled` turn on either or
//! both ("Manage network policies for private endpoints").

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Named, Scope};
use crate::model::{NicRef, SubnetId};
use crate::scenario::{Document, PrivateEndpointNetworkPolicies};

/// Set a subnet's `privateEndpointNetworkPolicies`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EndpointPolicies {
    /// The subnet.
    pub subnet: Named<SubnetId>,
    /// The new value.
    pub policies: PrivateEndpointNetworkPolicies,
}

/// Every other value, for the subnet of each private endpoint the request passed.
pub fn candidates(s: &Scope<'_>) -> Vec<EndpointPolicies> {
    let net = s.net;
    // The subnets of the endpoints the request passed, by name, as the checklist lists them.
    let subnets: BTreeMap<&str, SubnetId> = s
        .diagnosis
        .trace
        .forward
        .iter()
        .filter_map(|h| match h.at {
            Some(NicRef::PrivateEndpoint(p)) => net.private_endpoints.get(p),
            _ => None,
        })
        .filter_map(|p| net.subnet(p.subnet).map(|x| (x.name.as_str(), p.subnet)))
        .collect();
    let mut out = Vec::new();
    for (name, id) in subnets {
        let current = net.subnet(id).map(|x| x.private_endpoint_network_policies);
        for p in [
            PrivateEndpointNetworkPolicies::Disabled,
            PrivateEndpointNetworkPolicies::RouteTableEnabled,
            PrivateEndpointNetworkPolicies::NetworkSecurityGroupEnabled,
            PrivateEndpointNetworkPolicies::Enabled,
        ] {
            if Some(p) != current {
                out.push(EndpointPolicies {
                    subnet: Named::new(id, name),
                    policies: p,
                });
            }
        }
    }
    out
}

impl EndpointPolicies {
    /// Sets the subnet's value.
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        super::doc_subnet(doc, &self.subnet.name)?.private_endpoint_network_policies =
            self.policies;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, load};
    use super::super::Scope;
    use super::*;

    const NSG_ON_PE: &str = r#"Scenario(
        vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
            (name: "pe", prefix: "10.0.2.0/24", nsg: "nsg-pe", private_endpoint_network_policies: NetworkSecurityGroupEnabled),
            (name: "app", prefix: "10.0.1.0/24"),
        ])],
        nsgs: [(name: "nsg-pe", rules: [(name: "deny-all", priority: 4000, direction: Inbound, access: Deny, protocol: Any, source: ["*"], destination: ["*"], destination_ports: ["*"])])],
        private_endpoints: [(name: "pe-a", subnet: "v/pe", ip: "10.0.2.4")],
        workloads: [(name: "vm", subnet: "v/app", ip: "10.0.1.4")],
    )"#;

    #[test]
    fn every_other_policy_value_is_tried_for_the_endpoints_subnet() {
        let loaded = load(NSG_ON_PE);
        let f = flow("vm", "10.0.2.4");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let values: Vec<_> = found.iter().map(|c| c.policies).collect();
        assert_eq!(
            values,
            [
                PrivateEndpointNetworkPolicies::Disabled,
                PrivateEndpointNetworkPolicies::RouteTableEnabled,
                PrivateEndpointNetworkPolicies::Enabled,
            ]
        );
        assert!(found.iter().all(|c| c.subnet.name == "v/pe"));
        let mut doc = loaded.document.clone();
        found[0].apply(&mut doc).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        let id = fixed.network.subnet_by_name("v/pe").unwrap();
        assert_eq!(
            fixed
                .network
                .subnet(id)
                .unwrap()
                .private_endpoint_network_policies,
            PrivateEndpointNetworkPolicies::Disabled
        );
    }
}
