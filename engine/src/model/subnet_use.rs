//! What a subnet can hold: a private endpoint cannot go into a delegated subnet, an App Service
//! integration subnet (delegated to `Microsoft.Web/serverFarms`), or a subnet Azure keeps for one
//! kind of resource ("Add or remove a subnet delegation",
//! <https://learn.microsoft.com/azure/virtual-network/manage-subnet-delegation>; "Integrate your
//! app with an Azure virtual network",
//! <https://learn.microsoft.com/azure/app-service/overview-vnet-integration>).

use super::Subnet;

/// The names of subnets Azure keeps for one kind of resource.
pub const DEDICATED_SUBNETS: [&str; 3] =
    ["GatewaySubnet", "AzureFirewallSubnet", "RouteServerSubnet"];

/// Why `subnet` cannot hold a private endpoint (`None`: it can). `integration` says whether an
/// App Service app integrates with it.
pub fn refuses_endpoint(subnet: &Subnet, integration: bool) -> Option<String> {
    let short = subnet.name.rsplit('/').next().unwrap_or(&subnet.name);
    if let Some(d) = DEDICATED_SUBNETS.iter().find(|d| **d == short) {
        return Some(format!("Azure keeps `{d}` for its own resource"));
    }
    if let Some(service) = subnet.delegations.first() {
        return Some(format!("the subnet is delegated to `{service}`"));
    }
    if integration {
        return Some(
            "it is an App Service integration subnet, delegated to `Microsoft.Web/serverFarms`"
                .into(),
        );
    }
    None
}
