//! Subnets that cannot hold a private endpoint: a subnet delegated to a service holds only that
//! service's resources ("Add or remove a subnet delegation",
//! <https://learn.microsoft.com/azure/virtual-network/manage-subnet-delegation>), an App Service
//! integration subnet is delegated to `Microsoft.Web/serverFarms` whether or not the scenario
//! says so ("Integrate your app with an Azure virtual network",
//! <https://learn.microsoft.com/azure/app-service/overview-vnet-integration>), and
//! `GatewaySubnet`, `AzureFirewallSubnet` and `RouteServerSubnet` are kept for their gateway,
//! firewall and route server.

use super::Resolver;
use crate::model::subnet_use::refuses_endpoint;
use crate::scenario as doc;

impl Resolver {
    /// Refuses a private endpoint in a subnet that cannot hold one.
    pub(super) fn endpoints_outside_dedicated_subnets(&mut self, apps: &[doc::AppServiceDoc]) {
        let integration: Vec<&str> = apps
            .iter()
            .filter_map(|a| a.integration_subnet.as_ref().map(|t| t.value.as_str()))
            .collect();
        let mut errors = Vec::new();
        for pe in self.net.private_endpoints.iter() {
            let Some(subnet) = self.net.subnet(pe.subnet) else {
                continue;
            };
            if let Some(why) = refuses_endpoint(subnet, integration.contains(&subnet.name.as_str()))
            {
                errors.push((
                    pe.span,
                    format!(
                        "private endpoint `{}` cannot be placed in `{}`: {why}",
                        pe.name, subnet.name
                    ),
                ));
            }
        }
        for (span, message) in errors {
            self.error(
                span,
                message,
                Some("put private endpoints in a subnet of their own (no delegation)".into()),
            );
        }
    }
}
