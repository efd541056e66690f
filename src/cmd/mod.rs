//! One module per subcommand.

pub mod check;
pub mod compare_routes;
pub mod diagnose;
pub mod explain;
pub mod flow_verify;
pub mod generate;
pub mod import;
pub mod next_hop;
pub mod reach;
pub mod resolve;
pub mod routes;
pub mod trace;
pub mod what_if;

use std::path::Path;

use azpath_engine::model::{Network, NicRef, SubnetId};
use azpath_engine::{diag, load_file, Loaded};

use crate::Exit;

/// Every file ending in `.ext` under `path` (or `path` itself when it is a file), sorted for a
/// stable order.
pub fn files_with_extension(path: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(path)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        entries.sort();
        for e in entries {
            if e.is_dir() || e.extension().is_some_and(|x| x == ext) {
                files_with_extension(&e, ext, out);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

/// Loads a scenario, printing warnings; on failure prints the diagnostics and gives the exit code.
pub fn load(path: &Path) -> Result<Loaded, Exit> {
    match load_file(path) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                eprintln!("{w}");
            }
            Ok(loaded)
        }
        Err(e) => {
            eprintln!("{e}");
            Err(Exit::BadInput)
        }
    }
}

/// Resolves a command-line place name (subnet `vnet/subnet` or workload) to its subnet.
pub fn place(net: &Network, name: &str, flag: &str) -> Result<SubnetId, Exit> {
    match net.place_by_name(name).and_then(|p| net.subnet_of(p)) {
        Some(s) => Ok(s),
        None => {
            let hint = diag::unknown_name_hint(name, net.place_names(), "subnet or workload");
            eprintln!("error: {flag}: unknown subnet or workload `{name}` (hint: {hint})");
            Err(Exit::BadInput)
        }
    }
}

/// Resolves a command-line NIC name (workload, private endpoint or firewall).
pub fn nic(net: &Network, name: &str, flag: &str) -> Result<NicRef, Exit> {
    net.nic_by_name(name).ok_or_else(|| {
        let kind = "workload, private endpoint or firewall";
        let hint = diag::unknown_name_hint(name, net.nic_names(), kind);
        eprintln!("error: {flag}: unknown {kind} `{name}` (hint: {hint})");
        Exit::BadInput
    })
}

/// Loads a scenario and resolves the place a command starts from.
pub fn load_at(path: &Path, name: &str, flag: &str) -> Result<(Loaded, SubnetId), Exit> {
    let loaded = load(path)?;
    let subnet = place(&loaded.network, name, flag)?;
    Ok((loaded, subnet))
}

/// Refuses a `--format` the command does not have.
pub fn unavailable(format: &str, command: &str, choices: &str) -> Exit {
    eprintln!("error: `--format {format}` is not available for `{command}` (hint: use {choices})");
    Exit::BadInput
}

/// Prints a rendered answer, or the serialisation error.
pub fn emit(rendered: Result<String, impl std::fmt::Display>) -> Exit {
    match rendered {
        Ok(s) => {
            print!("{s}");
            if !s.ends_with('\n') {
                println!();
            }
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: cannot render the answer: {e}");
            Exit::BadInput
        }
    }
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

/// The port and protocol options shared by `trace` and `flow-verify`.
#[derive(Debug, clap::Args)]
pub struct FlowArgs {
    /// The service (destination) port.
    #[arg(long, default_value_t = azpath_engine::scenario::DEFAULT_PORT)]
    pub port: u16,
    /// The client's (source) port.
    #[arg(long, default_value_t = azpath_engine::scenario::DEFAULT_SOURCE_PORT)]
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
}
