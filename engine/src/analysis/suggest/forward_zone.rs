//! A conditional forwarder on the client's custom DNS server: the service's public zone sent to
//! Azure DNS (168.63.129.16), which answers from the private zones linked to the server's VNet
//! ("Azure Private Endpoint DNS integration: on-premises or custom DNS forwarders").

use serde::Serialize;

use super::{Named, Scope};
use crate::model::{is_private, WorkloadId, AZURE_DNS};
use crate::scenario::{Document, ForwardRuleDoc};

/// Add a conditional forwarder to the client's DNS server: the service's public zone to Azure
/// DNS, answered in the server's VNet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ForwardZone {
    /// The DNS server (its workload).
    pub server: Named<WorkloadId>,
    /// The domain.
    pub domain: String,
}

/// When the name resolved publicly (or not at all) through the client VNet's first custom DNS
/// server, and the scenario models the service, a forwarder for the service's public zone.
pub fn candidates(s: &Scope<'_>) -> Vec<ForwardZone> {
    let net = s.net;
    let (Some((_, v)), Some(res)) = (s.client_vnet, s.diagnosis.trace.resolution.as_ref()) else {
        return Vec::new();
    };
    if res.address().is_some_and(is_private) {
        return Vec::new();
    }
    let server = v
        .dns_servers
        .first()
        .and_then(|ip| net.dns.forwarders.iter().find(|f| f.ip == *ip));
    let service = net.services.iter().find(|x| x.answers(&res.name));
    let (Some(f), Some(service)) = (server, service) else {
        return Vec::new();
    };
    let domain = service
        .kind
        .zone_of(&res.name)
        .map_or(service.kind.public_zone(), |(public, _)| public);
    if f.rules.iter().any(|r| r.domain == domain) {
        return Vec::new();
    }
    vec![ForwardZone {
        server: Named::new(f.workload, f.name.clone()),
        domain: domain.to_string(),
    }]
}

impl ForwardZone {
    /// Adds the rule to the server.
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        doc.dns
            .forwarders
            .iter_mut()
            .find(|f| f.workload.value == self.server.name)?
            .rules
            .push(ForwardRuleDoc {
                domain: super::text(&self.domain),
                forward_to: vec![super::text(&AZURE_DNS.to_string())],
            });
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, load};
    use super::super::Scope;
    use super::*;

    fn scenario(rules: &str) -> String {
        format!(
            r#"Scenario(
            vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], dns_servers: ["10.0.1.10"], subnets: [(name: "a", prefix: "10.0.1.0/24"), (name: "pe", prefix: "10.0.2.0/24")])],
            services: [(name: "aoai", kind: OpenAI, fqdn: "contoso.openai.azure.com", public_ip: "20.42.0.10", public_network_access: Disabled)],
            private_endpoints: [(name: "pe-aoai", subnet: "v/pe", ip: "10.0.2.4", target: "aoai")],
            dns: (zones: [(name: "privatelink.openai.azure.com", links: ["v"], records: [(name: "contoso", a: ["10.0.2.4"])])],
                  forwarders: [(workload: "dns", rules: [{rules}])]),
            workloads: [(name: "dns", subnet: "v/a", ip: "10.0.1.10"), (name: "vm", subnet: "v/a", ip: "10.0.1.4")],
        )"#
        )
    }

    #[test]
    fn a_server_resolving_on_the_internet_gets_the_services_zone_forwarded_to_azure_dns() {
        let loaded = load(&scenario(""));
        let f = flow("vm", "contoso.openai.azure.com");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.server.name, "dns");
        assert_eq!(fix.domain, "openai.azure.com");
        let mut doc = loaded.document.clone();
        fix.apply(&mut doc).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        let d = diagnosis(&fixed, &f);
        assert_eq!(
            d.trace
                .resolution
                .unwrap()
                .address()
                .map(|a| a.to_string())
                .as_deref(),
            Some("10.0.2.4")
        );
    }

    #[test]
    fn a_server_that_already_forwards_the_zone_is_left_alone() {
        let loaded = load(&scenario(
            r#"(domain: "openai.azure.com", forward_to: ["168.63.129.16"])"#,
        ));
        let f = flow("vm", "contoso.openai.azure.com");
        let d = diagnosis(&loaded, &f);
        assert!(candidates(&Scope::of(&loaded, &f, &d)).is_empty());
    }
}
