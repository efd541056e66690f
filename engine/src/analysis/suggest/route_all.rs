//! Turn on App Service route-all (`vnetRouteAllEnabled`): without it, an integrated app sends
//! only RFC 1918 traffic into the VNet, and a public address (a name that resolved publicly)
//! leaves from the app's own outbound address, past the VNet's routes, NSGs and firewall.

use serde::Serialize;

use super::{Named, Scope};
use crate::model::WorkloadId;
use crate::scenario::Document;

/// Turn on `vnetRouteAllEnabled` for an App Service app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RouteAll {
    /// The app (the workload standing for its instance).
    pub app: Named<WorkloadId>,
}

/// Route-all for an App Service client that has it off.
pub fn candidates(s: &Scope<'_>) -> Vec<RouteAll> {
    let Some((id, _)) = s.client else {
        return Vec::new();
    };
    s.net
        .app_services
        .iter()
        .filter(|a| a.workload == id && !a.route_all)
        .map(|a| RouteAll {
            app: Named::new(a.workload, a.name.clone()),
        })
        .collect()
}

impl RouteAll {
    /// Sets `route_all` on the app.
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        doc.app_services
            .iter_mut()
            .find(|a| a.name.value == self.app.name)?
            .route_all = true;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, load};
    use super::super::Scope;
    use super::*;

    const APP: &str = r#"Scenario(
        vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "int", prefix: "10.0.1.0/24"), (name: "pe", prefix: "10.0.2.0/24")])],
        services: [(name: "kv", kind: KeyVault, fqdn: "contoso.vault.azure.net", public_ip: "20.1.1.1", public_network_access: Disabled)],
        app_services: [(name: "web", integration_subnet: "v/int"), (name: "web-on", integration_subnet: "v/int", instance_ip: "10.0.1.9", route_all: true)],
        workloads: [(name: "vm", subnet: "v/pe", ip: "10.0.2.9")],
    )"#;

    #[test]
    fn an_app_with_route_all_off_is_offered_route_all() {
        let loaded = load(APP);
        let f = flow("web", "contoso.vault.azure.net");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].app.name, "web");
        let mut doc = loaded.document.clone();
        found[0].apply(&mut doc).unwrap();
        assert!(
            doc.app_services
                .iter()
                .find(|a| a.name.value == "web")
                .unwrap()
                .route_all
        );
    }

    #[test]
    fn an_app_with_route_all_on_or_a_vm_client_is_not() {
        let loaded = load(APP);
        for from in ["web-on", "vm"] {
            let f = flow(from, "contoso.vault.azure.net");
            let d = diagnosis(&loaded, &f);
            assert!(candidates(&Scope::of(&loaded, &f, &d)).is_empty(), "{from}");
        }
    }
}
