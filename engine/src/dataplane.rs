//! Stage 4: the compiled data plane of a network: one effective route table per subnet.

use crate::model::{Network, SubnetId};
use crate::route::RouteTableView;

/// Every subnet's compiled route table, indexed by [`SubnetId`]. Compile once, query many.
#[derive(Clone, Debug, Default)]
pub struct DataPlane {
    tables: Vec<RouteTableView>,
}

impl DataPlane {
    /// Compiles every subnet of `net`.
    pub fn compile(net: &Network) -> Self {
        let tables = (0..net.subnets.len())
            .filter_map(|i| RouteTableView::compile(net, SubnetId(i)))
            .collect();
        Self { tables }
    }

    /// The effective routes of `subnet`.
    pub fn routes(&self, subnet: SubnetId) -> Option<&RouteTableView> {
        self.tables.get(subnet.0)
    }
}
