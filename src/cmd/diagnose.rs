//! `azpath diagnose FILE --from WORKLOAD --to FQDN[:PORT] [--emit-variant DIR]`

use std::path::{Path, PathBuf};

use azpath_engine::analysis::flow::FlowSpec;
use azpath_engine::analysis::suggest::suggest;
use azpath_engine::{report, scenario};

use crate::{Exit, Format};

/// Arguments of `azpath diagnose`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file.
    file: PathBuf,
    /// The client workload (or App Service app).
    #[arg(long)]
    from: String,
    /// The name (or address) the client calls, with an optional `:PORT` (default 443).
    #[arg(long)]
    to: String,
    /// The name the client asks for (TLS SNI), when it differs from `--to`.
    #[arg(long)]
    host: Option<String>,
    /// Write each verified fix as a variant scenario into this directory.
    #[arg(long)]
    emit_variant: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Splits `name:port`; an address or name without a port keeps 443.
fn target(to: &str) -> (String, u16) {
    match to.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => match port.parse() {
            Ok(p) => (name.to_string(), p),
            Err(_) => (to.to_string(), 443),
        },
        _ => (to.to_string(), 443),
    }
}

/// Runs the command: exit 0 when the flow works, 1 when the checklist finds a problem.
pub fn run(args: Args) -> Exit {
    let loaded = match super::load(&args.file) {
        Ok(l) => l,
        Err(e) => return e,
    };
    if let Err(e) = super::nic(&loaded.network, &args.from, "--from") {
        return e;
    }
    let (to, port) = target(&args.to);
    let flow = FlowSpec {
        from: args.from.clone(),
        to,
        port,
        host: args.host.clone(),
    };
    let Some(found) = suggest(&loaded, &flow) else {
        eprintln!("error: --from: `{}` does not start connections (hint: name a workload or App Service app)", args.from);
        return Exit::BadInput;
    };
    if let Some(dir) = &args.emit_variant {
        if let Err(e) = write_variants(dir, &args.file, &loaded.document, &found.kept) {
            eprintln!("error: --emit-variant: {e}");
            return Exit::BadInput;
        }
    }
    let shown = match args.format {
        Format::Text => super::emit(Ok::<_, String>(report::diagnosis::suggestions(&found))),
        Format::Json => super::emit(report::json::render(&found)),
        Format::Dot => super::unavailable("dot", "diagnose", "text or json"),
        Format::AzJson => super::unavailable("az-json", "diagnose", "text or json"),
    };
    match (shown, found.diagnosis.needs_fix()) {
        (Exit::Ok, true) => Exit::Failed,
        (other, _) => other,
    }
}

/// Writes `fix-1.ron`, `fix-2.ron`, … into `dir`, each extending the scenario.
fn write_variants(
    dir: &Path,
    file: &Path,
    original: &scenario::Document,
    kept: &[azpath_engine::analysis::suggest::Suggestion],
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string().to_lowercase())?;
    let base = std::fs::canonicalize(file).map_err(|e| e.to_string().to_lowercase())?;
    for (i, s) in kept.iter().enumerate() {
        let text = report::diagnosis::variant_file(&base.display().to_string(), original, s)
            .map_err(|e| e.to_string())?;
        let path = dir.join(format!("fix-{}.ron", i + 1));
        std::fs::write(&path, text).map_err(|e| e.to_string().to_lowercase())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
