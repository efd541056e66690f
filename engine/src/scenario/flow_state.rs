//! Whether a traced flow is new or already established, as a question says (`flow:`).
//!
//! Azure decides a few things differently for a flow that already exists: a Standard load
//! balancer stops sending **new** flows to a backend whose health probe is down, while
//! established TCP flows to it continue (Microsoft Learn, "Azure Load Balancer health probes",
//! probe down behavior,
//! <https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview#probe-down-behavior>).
//! A trace is of a new flow unless the question says otherwise.

use serde::{Deserialize, Serialize};

/// Whether a traced flow is new or was set up before the network reached its present state.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum FlowState {
    /// A new flow: the first packet of a connection (the default).
    #[default]
    New,
    /// A flow set up earlier, while every backend of each load balancer on its path was
    /// healthy, and still open: it stays on the backend it was set up on as far as Azure keeps
    /// it there.
    Established,
}

impl FlowState {
    /// Whether this is a new flow (the default, left out when written).
    pub fn is_new(&self) -> bool {
        *self == FlowState::New
    }
}
