//! What a flow is, once for every command: what the client sends ([`Connection`]: protocol,
//! ports, the name it asks for; when it connects by address and does not say, the name is
//! [`crate::trace::host_asked`]'s), and a flow as people name it ([`FlowSpec`]: a client, a destination name
//! or address, a port). `trace`, `reach`, what-if, diagnosis and fix suggestions all build their
//! traces from these, so they answer the same pair the same way; what-if and diagnosis speak of
//! flows by names because the networks they compare have different ids for the same names.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::dataplane::DataPlane;
use crate::model::{FlowProtocol, Network, TraceSource, TraceTarget};
use crate::scenario::DEFAULT_SOURCE_PORT;
use crate::trace::{trace_to, trace_verdict, Probe, TraceAnswer, Verdict};

/// What a client sends and asks for, wherever it sends it: one definition of a flow for
/// `trace`, `reach` and `diagnose`. The name it asks for, when it does not say, is
/// [`crate::trace::host_asked`]'s.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Connection {
    /// Protocol.
    pub protocol: FlowProtocol,
    /// Destination port.
    pub port: u16,
    /// Source port.
    pub source_port: u16,
    /// The name the client asks for (TLS SNI or HTTP host), when it says.
    pub host: Option<String>,
}

impl Connection {
    /// A TCP connection to `port` from the default source port, asking for no name of its own.
    pub fn tcp(port: u16) -> Self {
        Connection {
            protocol: FlowProtocol::Tcp,
            port,
            source_port: DEFAULT_SOURCE_PORT,
            host: None,
        }
    }

    /// The probe the tracer sends for this connection.
    pub fn probe(&self) -> Probe {
        Probe {
            protocol: self.protocol,
            port: self.port,
            source_port: self.source_port,
            host: self.host.clone(),
        }
    }
}

/// Traces `connection` from `from` to `to` (an address, or a name resolved as the client
/// resolves it): what `azpath trace` answers.
pub fn trace_connection(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    to: &TraceTarget,
    connection: &Connection,
) -> Option<TraceAnswer> {
    trace_to(net, dp, from, to, connection.probe())
}

/// The verdict of [`trace_connection`] to an address, decided the same way without keeping the
/// evidence: what the reachability matrix answers for a pair.
pub fn verdict_to(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    destination: IpAddr,
    connection: &Connection,
) -> Option<Verdict> {
    trace_verdict(net, dp, from, connection.probe().to(destination))
}

/// One flow by names: from a workload (or a public address), to a name or an address.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
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

/// Traces `flow` in `net` (TCP, source port [`DEFAULT_SOURCE_PORT`]); `None` when its client is not in `net`.
pub fn trace(net: &Network, dp: &DataPlane, flow: &FlowSpec) -> Option<TraceAnswer> {
    let from = source(net, &flow.from)?;
    let connection = Connection {
        host: flow.host.clone(),
        ..Connection::tcp(flow.port)
    };
    trace_connection(net, dp, from, &TraceTarget::parse(&flow.to), &connection)
}
