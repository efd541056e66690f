//! What a flow is, once for every command: what the client sends ([`Connection`]: protocol,
//! ports, the name it asks for), the name it asks for when it connects by address
//! ([`name_asked`]), and a flow as people name it ([`FlowSpec`]: a client, a destination name
//! or address, a port). `trace`, `reach`, what-if, diagnosis and fix suggestions all build their
//! traces from these, so they answer the same pair the same way; what-if and diagnosis speak of
//! flows by names because the networks they compare have different ids for the same names.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

use crate::dataplane::DataPlane;
use crate::model::{is_private, FlowProtocol, Network, NicRef, TraceSource, TraceTarget};
use crate::trace::{trace_to, trace_verdict, TraceAnswer, TraceRequest, Verdict};

/// What a client sends and asks for, wherever it sends it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Connection {
    /// Protocol.
    pub protocol: FlowProtocol,
    /// Destination port.
    pub port: u16,
    /// Source port.
    pub source_port: u16,
    /// The name the client asks for (TLS SNI or HTTP host), when it says; `None`: the name
    /// [`name_asked`] gives for the destination.
    pub host: Option<String>,
}

impl Connection {
    /// A TCP connection to `port` from source port 50000, asking for no name of its own.
    pub fn tcp(port: u16) -> Self {
        Connection {
            protocol: FlowProtocol::Tcp,
            port,
            source_port: 50000,
            host: None,
        }
    }

    /// The trace request for this connection to `destination`.
    pub fn request(&self, destination: IpAddr) -> TraceRequest {
        TraceRequest {
            protocol: self.protocol,
            destination,
            port: self.port,
            source_port: self.source_port,
            host: self.host.clone(),
        }
    }
}

/// The name a client asks for, and the assumption that chose it when the client did not say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAsked {
    /// The name, or `None` when the client asks for none (TLS without SNI: the certificate is
    /// checked against the address).
    pub name: Option<String>,
    /// Why azpath took this name, when the client did not give one.
    pub assumption: Option<String>,
}

/// The name a client asks for when it connects to `destination` on `port`: the name it gives
/// (`host`), else the target of the private endpoint at that address when the target is a host
/// name, else for plain HTTP (port 80) the address itself in the `Host` header, else none. A
/// client that connects by address does not know a service's name: connecting by address to a
/// private endpoint of a service is checked against the address (Azure's certificates do not
/// cover it), whoever asks, `trace` or `reach`.
pub fn name_asked(
    net: &Network,
    dp: &DataPlane,
    destination: IpAddr,
    port: u16,
    host: Option<&str>,
) -> NameAsked {
    if let Some(h) = host {
        return NameAsked {
            name: Some(h.to_string()),
            assumption: None,
        };
    }
    let target = dp
        .nics_holding(destination)
        .find_map(|(_, nic)| match nic {
            NicRef::PrivateEndpoint(p) => net.private_endpoints.get(p.0),
            _ => None,
        })
        .and_then(|p| p.target.clone())
        .filter(|t| t.contains('.'));
    match target {
        Some(target) => NameAsked {
            assumption: Some(format!(
                "the client asks for `{target}`, the target of the private endpoint it connects to"
            )),
            name: Some(target),
        },
        None if port == 80 => NameAsked {
            name: Some(destination.to_string()),
            assumption: None,
        },
        None => NameAsked {
            name: None,
            assumption: None,
        },
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
    trace_to(
        net,
        dp,
        from,
        to,
        connection.request(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
    )
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
    trace_verdict(net, dp, from, connection.request(destination))
}

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
/// no such workload.
pub fn source(net: &Network, from: &str) -> Option<TraceSource> {
    match from.parse::<IpAddr>() {
        Ok(ip) if !is_private(ip) => Some(TraceSource::Internet(ip)),
        Ok(_) => None,
        Err(_) => match net.nic_by_name(from)? {
            NicRef::Workload(w) => Some(TraceSource::Workload(w)),
            _ => None,
        },
    }
}

/// Traces `flow` in `net` (TCP, source port 50000); `None` when its client is not in `net`.
pub fn trace(net: &Network, dp: &DataPlane, flow: &FlowSpec) -> Option<TraceAnswer> {
    let from = source(net, &flow.from)?;
    let connection = Connection {
        host: flow.host.clone(),
        ..Connection::tcp(flow.port)
    };
    trace_connection(net, dp, from, &TraceTarget::parse(&flow.to), &connection)
}
