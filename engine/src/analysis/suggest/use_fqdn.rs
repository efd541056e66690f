//! Call the service by its own FQDN: a client that connects to a private endpoint's address or
//! to a `privatelink` name asks for a name the service's certificate does not cover (the
//! private link FQDN is for DNS only; "Azure Private Endpoint DNS configuration").

use serde::Serialize;

use super::Scope;
use crate::analysis::flow::FlowSpec;

/// Call the service by its own FQDN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct UseFqdn {
    /// The name to use.
    pub fqdn: String,
}

/// The FQDN of the service behind the endpoint the request reached (or of the service whose
/// public address was called, or the first host name of an API Management instance that does
/// not serve the name used), when the client used another name.
pub fn candidates(s: &Scope<'_>) -> Vec<UseFqdn> {
    let net = s.net;
    if let crate::trace::Verdict::HostNotServed { service, .. } = &s.diagnosis.trace.verdict {
        return net
            .api_managements
            .iter()
            .find(|a| a.name == *service)
            .and_then(|a| a.hostnames.first())
            .filter(|h| **h != s.flow.to)
            .map(|h| UseFqdn { fqdn: h.clone() })
            .into_iter()
            .collect();
    }
    let fqdn = s
        .reached
        .and_then(|(_, pe)| {
            pe.service
                .and_then(|x| net.services.get(x))
                .map(|x| x.fqdn.clone())
                .or_else(|| pe.target.clone().filter(|t| t.contains('.')))
        })
        .or_else(|| {
            net.services
                .iter()
                .find(|x| Some(x.public_ip) == s.diagnosis.trace.destination)
                .map(|x| x.fqdn.clone())
        });
    fqdn.filter(|f| *f != s.flow.to)
        .map(|fqdn| UseFqdn { fqdn })
        .into_iter()
        .collect()
}

impl UseFqdn {
    /// The flow, called by the name (no separate TLS host).
    pub fn apply(&self, flow: &mut FlowSpec) {
        flow.to = self.fqdn.clone();
        flow.host = None;
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, load};
    use super::super::Scope;
    use super::*;

    const PE: &str = r#"Scenario(
        vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "a", prefix: "10.0.1.0/24"), (name: "pe", prefix: "10.0.2.0/24")])],
        services: [(name: "aoai", kind: OpenAI, fqdn: "contoso.openai.azure.com")],
        private_endpoints: [(name: "pe-aoai", subnet: "v/pe", ip: "10.0.2.4", target: "aoai")],
        workloads: [(name: "vm", subnet: "v/a", ip: "10.0.1.4")],
    )"#;

    #[test]
    fn a_client_calling_the_endpoints_address_is_told_the_services_fqdn() {
        let loaded = load(PE);
        let f = flow("vm", "10.0.2.4");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        assert_eq!(
            found,
            [UseFqdn {
                fqdn: "contoso.openai.azure.com".into()
            }]
        );
        let mut f2 = f.clone();
        found[0].apply(&mut f2);
        assert_eq!(f2.to, "contoso.openai.azure.com");
    }

    #[test]
    fn a_client_calling_api_managements_address_is_told_its_host_name_and_it_is_verified() {
        let loaded = super::super::testing::lesson("apim/internal-mode-nsg-rules.ron");
        let s = super::super::suggest(&loaded, &flow("vm-app", "10.0.7.4")).unwrap();
        let first = s.kept.first().expect("a verified fix");
        assert_eq!(
            first.fix,
            super::super::Fix::UseFqdn(UseFqdn {
                fqdn: "contoso-apim.azure-api.net".into()
            })
        );
        assert_eq!(first.verdict, crate::trace::Verdict::Delivered);
    }

    #[test]
    fn a_client_already_using_the_fqdn_is_not() {
        let loaded = load(PE);
        let f = flow("vm", "contoso.openai.azure.com");
        let d = diagnosis(&loaded, &f);
        assert!(candidates(&Scope::of(&loaded, &f, &d)).is_empty());
    }
}
