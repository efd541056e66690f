//! One module per subcommand.
//!
//! A new subcommand follows the command line's conventions through one helper each:
//! - exit codes (the table in [`crate::out`]): return `Outcome::held_if(ok)`, or
//!   `Outcome::of_verdict(&verdict)` for a flow; refuse input with `CliError::bad` (exit 2);
//! - `-` for standard input: read a scenario with [`load`] (or [`load_at`]), any other file with
//!   `crate::stdin::text` when `crate::stdin::is(path)`, and name it in messages with [`shown`];
//! - `-o FILE` is global: write only through `out::text`, `out::data`, `out::stream`;
//! - colour: text with verdict words goes through `out::painted` (or `out::stream_painted`);
//! - JSON: `report::json::render` adds `schema_version`; add the answer's type to
//!   `azpath_engine::report::schema::Kind` so `azpath schema` prints it and the tests check it;
//! - help: `#[command(after_help = help::NAME)]` on the variant in `main.rs`, with an
//!   `Examples:` section (a test checks every subcommand has one).

pub mod check;
pub mod compare;
pub mod compare_routes;
pub mod conventions;
pub mod diagnose;
pub mod explain;
pub mod flow_verify;
pub mod generate;
pub mod import;
pub mod next_hop;
pub mod reach;
pub mod resolve;
pub mod routes;
pub mod serve;
pub mod terraform_plan;
pub mod trace;
pub mod what_if;

use std::path::Path;

use std::net::IpAddr;

use azpath_engine::model::flow_addr::{parse_destination, unroutable};
use azpath_engine::model::{Network, NicRef, SubnetId, TraceTarget};
use azpath_engine::scenario::DEFAULT_PORT;
use azpath_engine::{diag, load_file_within, Loaded};
use clap::ValueEnum;

use crate::out::{self, CliError};

/// Every regular file ending in `.ext` under `path` (or `path` itself when it is a file),
/// sorted for a stable order; symbolic links to folders and what is not a regular file are left
/// out with a note on standard error (see [`azpath_engine::input::scan`]).
pub fn files_with_extension(
    path: &Path,
    ext: &str,
    files: &mut Vec<std::path::PathBuf>,
) -> Result<(), CliError> {
    let found = azpath_engine::input::scan(path, ext);
    for s in &found.skipped {
        out::note(&format!(
            "note: skipped `{}`: {}",
            s.path.display(),
            s.reason
        ))?;
    }
    files.extend(found.files);
    Ok(())
}

/// The `--format` of commands that answer as text or JSON only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    /// Tables and sentences for people.
    #[default]
    Text,
    /// The answer as JSON, for scripts.
    Json,
}

/// The default of `--max-input-bytes`: the engine's bound on a scenario.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = azpath_engine::scenario::MAX_FILE_BYTES as u64;

/// `--max-input-bytes`, set once from the command line before any command runs.
static MAX_INPUT_BYTES: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// Records `--max-input-bytes` (the first call wins).
pub fn set_max_input_bytes(bytes: u64) {
    let _ = MAX_INPUT_BYTES.set(bytes);
}

/// The most bytes a scenario, an import's input or a generated estate may have.
pub fn max_input_bytes() -> u64 {
    MAX_INPUT_BYTES
        .get()
        .copied()
        .unwrap_or(DEFAULT_MAX_INPUT_BYTES)
}

/// Loads a scenario (`-`: from standard input), writing its warnings to standard error; on
/// failure, its diagnostics.
pub fn load(path: &Path) -> Result<Loaded, CliError> {
    let loaded = if crate::stdin::is(path) {
        let limit = azpath_engine::input::Limit {
            bytes: max_input_bytes(),
            what: "a scenario",
            hint: "split the estate into several scenarios, or raise --max-input-bytes",
        };
        azpath_engine::load_bytes(crate::stdin::NAME, crate::stdin::bytes(limit)?)
    } else {
        load_file_within(path, max_input_bytes())
    };
    match loaded {
        Ok(loaded) => {
            for w in &loaded.warnings {
                out::note(&w.to_string())?;
            }
            Ok(loaded)
        }
        Err(e) => Err(CliError::BadInput(e.to_string())),
    }
}

/// A file as messages name it: its path, or `<stdin>` for `-`.
pub fn shown(path: &Path) -> String {
    if crate::stdin::is(path) {
        crate::stdin::NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// Resolves a command-line place name (subnet `vnet/subnet` or workload) to its subnet.
pub fn place(net: &Network, name: &str, flag: &str) -> Result<SubnetId, CliError> {
    net.place_by_name(name)
        .and_then(|p| net.subnet_of(p))
        .ok_or_else(|| {
            let hint = diag::unknown_name_hint(name, net.place_names(), "subnet or workload");
            CliError::bad(format!(
                "{flag}: unknown subnet or workload `{name}` (hint: {hint})"
            ))
        })
}

/// Resolves a command-line NIC name (workload, private endpoint or firewall).
pub fn nic(net: &Network, name: &str, flag: &str) -> Result<NicRef, CliError> {
    net.nic_by_name(name).ok_or_else(|| {
        let kind = "workload, private endpoint or firewall";
        let hint = diag::unknown_name_hint(name, net.nic_names(), kind);
        CliError::bad(format!("{flag}: unknown {kind} `{name}` (hint: {hint})"))
    })
}

/// Where a flow starts, as typed after `flag`: a workload, an on-premises site or virtual WAN
/// branch (`site` or `site:address`), or a public address (an Internet client).
pub fn source(
    net: &Network,
    text: &str,
    flag: &str,
) -> Result<azpath_engine::model::TraceSource, CliError> {
    use azpath_engine::model::flow_addr::{parse_source, SourceError};
    parse_source(net, text).map_err(|e| match e {
        SourceError::Unknown(ref name) => {
            let workloads = net.workloads.iter().map(|w| w.name.as_str());
            let branches = net.virtual_hubs.iter().flat_map(|h| &h.sites);
            let sites = (net.sites.iter().map(|s| s.name.as_str()))
                .chain(branches.map(|s| s.name.as_str()));
            let hint = diag::unknown_name_hint(name, workloads.chain(sites), "workload or site");
            CliError::bad(format!("{flag}: {e} (hint: {hint})"))
        }
        e => CliError::bad(format!("{flag}: {e}")),
    })
}

/// Loads a scenario and resolves the place a command starts from.
pub fn load_at(path: &Path, name: &str, flag: &str) -> Result<(Loaded, SubnetId), CliError> {
    let loaded = load(path)?;
    let subnet = place(&loaded.network, name, flag)?;
    Ok((loaded, subnet))
}

/// A rendered JSON answer, or the serialisation error as bad output (exit 2).
pub fn rendered<E: std::fmt::Display>(answer: Result<String, E>) -> Result<String, CliError> {
    answer.map_err(|e| CliError::bad(format!("cannot render the answer: {e}")))
}

/// A destination as typed after `flag` (`ADDRESS`, `[IPV6]:PORT`, `NAME` or `NAME:PORT`) and
/// its port: the one written after it, else `port` (`--port`), else [`DEFAULT_PORT`]. A port written both
/// ways must agree.
pub fn destination(
    text: &str,
    flag: &str,
    port: Option<u16>,
) -> Result<(TraceTarget, u16), CliError> {
    // A URL is its host and port; its path is part of the request, not of the flow.
    let from_url = match azpath_engine::model::target_url::parse_url_target(text) {
        Some(Ok(u)) => {
            if let Some(path) = &u.path {
                crate::out::note(&format!(
                    "note: {flag}: the path `{path}` is part of the request, not of the network flow; tracing {}",
                    u.destination()
                ))?;
            }
            Some(u.destination())
        }
        Some(Err(e)) => return Err(CliError::bad(format!("{flag}: {e}"))),
        None => None,
    };
    let text = from_url.as_deref().unwrap_or(text);
    let parsed = parse_destination(text).map_err(|e| CliError::bad(format!("{flag}: {e}")))?;
    let port = match (parsed.port, port) {
        (Some(a), Some(b)) if a != b => {
            return Err(CliError::bad(format!(
                "{flag} names port {a} and --port {b} (hint: give the port once)"
            )))
        }
        (Some(p), _) | (None, Some(p)) => p,
        (None, None) => DEFAULT_PORT,
    };
    Ok((parsed.target, port))
}

/// A destination as the engine's flow specs carry it: the address or the name.
pub fn target_text(target: &TraceTarget) -> String {
    match target {
        TraceTarget::Address(ip) => ip.to_string(),
        TraceTarget::Name(name) => name.clone(),
    }
}

/// Refuses an address no Azure flow can have at either end.
pub fn routable(address: IpAddr, flag: &str) -> Result<IpAddr, CliError> {
    match unroutable(address) {
        None => Ok(address),
        Some(why) => Err(CliError::bad(format!(
            "{flag}: `{address}` is {why}: no Azure flow has it at either end (hint: give a unicast address)"
        ))),
    }
}

/// Parses a flow port given on the command line: 1 to 65535. Port 0 is reserved (IANA) and no
/// TCP or UDP flow uses it, so it is refused rather than traced.
pub fn flow_port() -> clap::builder::RangedI64ValueParser<u16> {
    clap::value_parser!(u16).range(1..)
}

/// Protocol of a flow.
#[derive(Clone, Copy, Debug, Default, clap::ValueEnum)]
pub enum Proto {
    /// TCP.
    #[default]
    Tcp,
    /// UDP.
    Udp,
    /// ICMP.
    Icmp,
}

/// The port and protocol options shared by `trace`, `flow-verify` and `reach`.
#[derive(Debug, clap::Args)]
pub struct FlowArgs {
    /// The service (destination) port, 1 to 65535 [default: 443, the flow default].
    #[arg(long, value_parser = flow_port())]
    pub port: Option<u16>,
    /// The client's (source) port, 1 to 65535.
    #[arg(long, default_value_t = azpath_engine::scenario::DEFAULT_SOURCE_PORT, value_parser = flow_port())]
    pub source_port: u16,
    /// Protocol.
    #[arg(long, value_enum, default_value_t)]
    pub protocol: Proto,
}

impl FlowArgs {
    /// The engine's protocol.
    pub fn protocol(&self) -> azpath_engine::model::FlowProtocol {
        use azpath_engine::model::FlowProtocol;
        match self.protocol {
            Proto::Tcp => FlowProtocol::Tcp,
            Proto::Udp => FlowProtocol::Udp,
            Proto::Icmp => FlowProtocol::Icmp,
        }
    }

    /// The destination port: `--port`, else [`DEFAULT_PORT`].
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(DEFAULT_PORT)
    }
}
