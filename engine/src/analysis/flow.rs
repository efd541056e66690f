//! A flow as people name it — a client, a destination name or address, a port — and how it is
//! traced. What-if, diagnosis and fix suggestions all speak of flows this way, because the
//! networks they compare have different ids for the same names.

use serde::{Deserialize, Serialize};

use crate::dataplane::DataPlane;
use crate::model::{FlowProtocol, Network, TraceSource, TraceTarget};
use crate::trace::{trace_to, Probe, TraceAnswer};

/// One flow by names: from a workload (or a public address), to a name or an address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FlowSpec {
    /// The client workload, or a public address (an Internet client).
    pub from: String,
    /// The destination: a name (resolved as the client resolves it) or an address.
    pub to: String,
    /// The TCP destination port.
    pub port: u16,
    /// The name the client asks for (TLS SNI), when it differs from `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl std::fmt::Display for FlowSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} -> {}:{}", self.from, self.to, self.port)?;
        if let Some(h) = &self.host {
            write!(f, " (host `{h}`)")?;
        }
        Ok(())
    }
}

/// Where a flow starts in `net`: a workload by name, or a public address; `None` when `net` has
/// no such workload (see [`crate::model::flow_addr::parse_source`], which says why).
pub fn source(net: &Network, from: &str) -> Option<TraceSource> {
    crate::model::flow_addr::parse_source(net, from).ok()
}

/// Traces `flow` in `net` (TCP, source port 50000); `None` when its client is not in `net`.
pub fn trace(net: &Network, dp: &DataPlane, flow: &FlowSpec) -> Option<TraceAnswer> {
    let from = source(net, &flow.from)?;
    let request = Probe {
        protocol: FlowProtocol::Tcp,
        port: flow.port,
        source_port: 50000,
        host: flow.host.clone(),
    };
    trace_to(net, dp, from, &TraceTarget::parse(&flow.to), request)
}
