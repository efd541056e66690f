//! `azpath serve [PATH…] [--port N] [--listen ADDR]`: the scenario library in a browser.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folders (or files) of scenarios to serve [default: scenarios].
    paths: Vec<PathBuf>,
    /// The port to listen on (0: any free port).
    #[arg(long, default_value_t = 7878)]
    port: u16,
    /// The address to listen on. Only 127.0.0.1 (or ::1) keeps the server to this machine;
    /// another address lets anyone who can reach it read the served scenarios and save over
    /// them from the editor, and prints a warning.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    listen: IpAddr,
}

/// Runs the server until the process is stopped.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.paths
    };
    if !args.listen.is_loopback() {
        out::note(&format!(
            "warning: listening on {}: anyone who can reach this address can read the served scenarios and save over them from the editor",
            args.listen
        ))?;
    }
    let config = azpath_serve::Config {
        paths,
        addr: SocketAddr::new(args.listen, args.port),
    };
    let mut announced = Ok(());
    let served = azpath_serve::run(config, |addr| {
        announced = out::note(&format!(
            "azpath: serving the scenario library on http://{addr}/ (Ctrl-C to stop)"
        ));
    });
    announced?;
    served.map_err(CliError::bad)?;
    Ok(Outcome::Held)
}
