//! "What are the effective routes of this subnet?"

use serde::{Deserialize, Serialize};

use crate::dataplane::DataPlane;
use crate::model::{Network, SubnetId};
use crate::route::{EffectiveRoute, RemovedRoute};

/// A subnet's effective route table, as `az network nic show-effective-route-table` shows it for
/// any NIC in the subnet, plus the removed routes and every route's reason.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct RoutesAnswer {
    /// The subnet, `vnet/subnet`.
    pub subnet: String,
    /// Its route table, if any.
    pub route_table: Option<String>,
    /// Every route shown, with state and reason.
    pub routes: Vec<EffectiveRoute>,
    /// Reserved routes Azure removed, with the reason.
    pub removed: Vec<RemovedRoute>,
}

/// The effective routes of `subnet`; `None` if the id is not in the network.
pub fn routes(net: &Network, dp: &DataPlane, subnet: SubnetId) -> Option<RoutesAnswer> {
    let s = net.subnet(subnet)?;
    let view = dp.routes(subnet)?;
    Some(RoutesAnswer {
        subnet: s.name.clone(),
        route_table: s
            .route_table
            .and_then(|t| net.route_table(t))
            .map(|t| t.name.clone()),
        routes: view
            .routes()
            .into_iter()
            .map(std::borrow::Cow::into_owned)
            .collect(),
        removed: view.removed.clone(),
    })
}
