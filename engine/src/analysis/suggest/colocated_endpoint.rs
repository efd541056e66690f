//! Put a private endpoint for the same service in the client's own VNet and point the zone's
//! records at it: a service may have several private endpoints, and a client that reaches one
//! across regions and firewalls gets a shorter path from one next to it.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use super::record::{self, RecordRef};
use super::{Named, Scope};
use crate::analysis::flow::FlowSpec;
use crate::model::subnet_use::refuses_endpoint;
use crate::model::{PrivateEndpointId, ServiceKind, SubnetId};
use crate::scenario::{Document, PrivateEndpointDoc, PrivateEndpointNetworkPolicies, SubnetDoc};

/// The first addresses of a subnet Azure reserves after the network address (gateway and DNS).
const RESERVED_AFTER_NETWORK: usize = 3;

/// Create a private endpoint for the same service in the client's VNet (and point the DNS
/// records at it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ColocateEndpoint {
    /// The new endpoint's name.
    pub endpoint: String,
    /// Its subnet (`id` `None`: a new subnet, created by the fix at `new_prefix`).
    pub subnet: Named<Option<SubnetId>>,
    /// The new dedicated subnet's prefix, when no subnet of the VNet can hold the endpoint.
    #[schemars(with = "Option<String>")]
    pub new_prefix: Option<IpNet>,
    /// Its address.
    pub ip: IpAddr,
    /// The endpoint it copies.
    pub copies: Named<PrivateEndpointId>,
    /// That endpoint's address, which the records held.
    pub replaces: IpAddr,
    /// The service's kind, when the endpoint's target names (or is the FQDN of) a service of
    /// the scenario: it decides the endpoint's sub-resource, `--group-id`.
    pub service: Option<ServiceKind>,
    /// Zone records re-pointed to it.
    pub records: Vec<RecordRef>,
}

/// The private endpoint the request reached, re-created in the client's VNet when it is in
/// another: in a subnet that already holds private endpoints, else in any subnet that can hold
/// one (not delegated — an App Service integration subnet is — and not a subnet Azure keeps for a
/// gateway, firewall or route server), else in a new dedicated subnet from the VNet's free
/// address space.
pub fn candidates(s: &Scope<'_>) -> Vec<ColocateEndpoint> {
    let net = s.net;
    let (Some((pe_id, pe)), Some((_, v)), Some((_, cs))) = (
        s.reached.filter(|(_, p)| p.target.is_some()),
        s.client_vnet,
        s.client_subnet,
    ) else {
        return Vec::new();
    };
    if net.subnet(pe.subnet).map(|x| x.vnet) == Some(cs.vnet) {
        return Vec::new();
    }
    let integration: BTreeSet<SubnetId> = net
        .app_services
        .iter()
        .filter_map(|a| net.workloads.get(a.workload))
        .map(|w| w.subnet)
        .collect();
    let fits = |id: &SubnetId| {
        net.subnet(*id)
            .is_some_and(|x| refuses_endpoint(x, integration.contains(id)).is_none())
    };
    let existing = v
        .subnets
        .iter()
        .filter(|x| fits(x))
        .find(|x| net.private_endpoints.iter().any(|p| p.subnet == **x))
        .or_else(|| v.subnets.iter().find(|x| fits(x)))
        .and_then(|id| net.subnet(*id).map(|x| (*id, x)));
    let taken: BTreeSet<IpAddr> = net
        .workloads
        .iter()
        .map(|w| w.ip)
        .chain(net.private_endpoints.iter().map(|p| p.ip))
        .collect();
    let (subnet, prefix, new_prefix) = match existing {
        Some((id, x)) => (Named::new(Some(id), x.name.clone()), x.prefix, None),
        None => {
            let used: Vec<IpNet> = v
                .subnets
                .iter()
                .filter_map(|id| net.subnet(*id).map(|x| x.prefix))
                .collect();
            let Some(prefix) = free_prefix(&v.address_space, &used) else {
                return Vec::new();
            };
            let taken_names: BTreeSet<&str> = v
                .subnets
                .iter()
                .filter_map(|id| net.subnet(*id))
                .filter_map(|x| x.name.rsplit('/').next())
                .collect();
            let name = (0..)
                .map(|i| match i {
                    0 => "snet-private-endpoints".to_string(),
                    n => format!("snet-private-endpoints-{n}"),
                })
                .find(|n| !taken_names.contains(n.as_str()))
                .unwrap_or_default();
            (
                Named::new(None, format!("{}/{name}", v.name)),
                prefix,
                Some(prefix),
            )
        }
    };
    let Some(ip) = prefix
        .hosts()
        .skip(RESERVED_AFTER_NETWORK)
        .find(|a| !taken.contains(a))
    else {
        return Vec::new();
    };
    vec![ColocateEndpoint {
        endpoint: format!("{}-{}", pe.name, v.name),
        subnet,
        new_prefix,
        ip,
        copies: Named::new(pe_id, pe.name.clone()),
        replaces: pe.ip,
        service: pe
            .service
            .and_then(|id| net.services.get(id))
            .or_else(|| {
                // A target written as the service's FQDN names the same service.
                let target = pe.target.as_deref()?;
                net.services.iter().find(|x| x.answers(target))
            })
            .map(|x| x.kind),
        records: record::holding(net, pe.ip),
    }]
}

impl ColocateEndpoint {
    /// Adds the endpoint, re-points the records, and, when the client called the old endpoint
    /// by address, calls the new one.
    pub fn apply(&self, doc: &mut Document, flow: &mut FlowSpec) -> Option<()> {
        let old = doc
            .private_endpoints
            .iter()
            .find(|p| p.name.value == self.copies.name)?
            .clone();
        let old_ip = self.replaces;
        if let (Some(prefix), Some((v, name))) =
            (self.new_prefix, super::split_subnet(&self.subnet.name))
        {
            let vnet = doc.vnets.iter_mut().find(|x| x.name.value == v)?;
            vnet.subnets.push(SubnetDoc {
                name: super::text(name),
                prefix: super::text(&prefix.to_string()),
                route_table: None,
                private_endpoint_network_policies: PrivateEndpointNetworkPolicies::Disabled,
                service_endpoints: Vec::new(),
                nsg: None,
                delegations: Vec::new(),
                application_gateway: false,
                nat_gateway: None,
                default_outbound_access: None,
            });
        }
        doc.private_endpoints.push(PrivateEndpointDoc {
            name: super::text(&self.endpoint),
            subnet: super::text(&self.subnet.name),
            ip: super::text(&self.ip.to_string()),
            target: old.target,
        });
        record::repoint(doc, &self.records, old_ip, self.ip)?;
        if flow.to.parse::<IpAddr>().ok() == Some(old_ip) {
            flow.to = self.ip.to_string();
        }
        Some(())
    }
}

/// The first free /27 (else /28) of the VNet's address space that overlaps no subnet: Azure's
/// smallest subnets are /29, and a dedicated private-endpoint subnet of /27 leaves room for more.
pub fn free_prefix(space: &[IpNet], used: &[IpNet]) -> Option<IpNet> {
    for len in [27u8, 28] {
        for block in space {
            let Ok(subnets) = block.subnets(len.max(block.prefix_len())) else {
                continue;
            };
            if let Some(free) = subnets
                .into_iter()
                .find(|c| !used.iter().any(|u| u.contains(c) || c.contains(u)))
            {
                return Some(free);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, load};
    use super::super::{apply, Fix, Scope};
    use super::*;

    const FAR: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24")]),
            (name: "spoke", region: "westus", address_space: ["10.1.0.0/16"], subnets: [(name: "int", prefix: "10.1.1.0/24"), (name: "app", prefix: "10.1.2.0/24")]),
        ],
        peerings: [(between: ("hub", "spoke"))],
        services: [(name: "st", kind: StorageBlob, fqdn: "acct.blob.core.windows.net", public_network_access: Disabled)],
        private_endpoints: [(name: "pe-st", subnet: "hub/pe", ip: "10.0.2.4", target: "st")],
        dns: (zones: [(name: "privatelink.blob.core.windows.net", links: ["hub", "spoke"], records: [(name: "acct", a: ["10.0.2.4"])])]),
        app_services: [(name: "web", integration_subnet: "spoke/int", route_all: true)],
        workloads: [(name: "vm", subnet: "spoke/app", ip: "10.1.2.4")],
    )"#;

    #[test]
    fn the_copy_goes_to_a_subnet_that_is_not_an_integration_subnet_with_the_service_kind() {
        let loaded = load(FAR);
        let f = flow("web", "acct.blob.core.windows.net");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.subnet.name, "spoke/app");
        assert_eq!(fix.copies.name, "pe-st");
        assert_eq!(fix.service, Some(ServiceKind::StorageBlob));
        assert_eq!(fix.ip.to_string(), "10.1.2.5", "x.4 is the VM's");
        assert_eq!(fix.records.len(), 1);
        let (doc, f2) = apply(&loaded.document, &f, &Fix::ColocateEndpoint(fix.clone())).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        let t = crate::analysis::flow::trace(&fixed.network, fixed.dataplane(), &f2).unwrap();
        assert!(t.passes(&fix.endpoint), "{t:?}");
    }

    #[test]
    fn an_endpoint_in_the_clients_own_vnet_is_not_copied() {
        let loaded = load(FAR);
        let f = flow("vm", "10.0.2.4");
        let d = diagnosis(&loaded, &f);
        assert_eq!(candidates(&Scope::of(&loaded, &f, &d)).len(), 1);
        let ron = FAR.replace(
            r#"subnet: "hub/pe", ip: "10.0.2.4""#,
            r#"subnet: "spoke/app", ip: "10.1.2.9""#,
        );
        let loaded = load(&ron.replace(r#"a: ["10.0.2.4"]"#, r#"a: ["10.1.2.9"]"#));
        let f = flow("vm", "10.1.2.9");
        let d = diagnosis(&loaded, &f);
        assert!(candidates(&Scope::of(&loaded, &f, &d)).is_empty());
    }
}
