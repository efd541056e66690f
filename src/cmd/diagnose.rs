//! `azpath diagnose FILE --from WORKLOAD|SITE|PUBLIC-IP --to FQDN[:PORT] [--emit-variant DIR [--force]]`,
//! and `azpath diagnose FILE --symptom WHAT-THE-CLIENT-SAW [--from WORKLOAD --to FQDN[:PORT]]`

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use azpath_engine::analysis::flow::FlowSpec;
use azpath_engine::analysis::suggest::{suggest, Suggestion};
use azpath_engine::analysis::symptom;
use azpath_engine::{report, scenario};

use super::TextOrJson;
use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath diagnose`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`-`: standard input).
    file: PathBuf,
    /// The client: a workload (or App Service app), an on-premises site (`site` or
    /// `site:address`), or a public address (a client on the Internet), as `trace --from`.
    #[arg(long, required_unless_present = "symptom", requires = "to")]
    from: Option<String>,
    /// The name (or address) the client calls, with an optional `:PORT` (default 443, the flow default); an IPv6
    /// address with a port is written `[ADDRESS]:PORT`. A URL is its host and port.
    #[arg(long, required_unless_present = "symptom", requires = "from")]
    to: Option<String>,
    /// What the client saw: `timeout`, `reset`, `tls-eof`, `api-connection-error`, `refused`,
    /// `403`, `401`, `470`, `503`, `nxdomain`, `servfail`, `certificate`, `intermittent`,
    /// `works`, a modelled symptom (`connect-timeout`, `tls-handshake-reset`, …) or the error
    /// string itself (`openai.APIConnectionError: Connection error.`). Without `--from`/`--to`,
    /// finds every flow of the scenario that produces it and ranks the causes; with them, says
    /// whether that flow produces it, and when it does not, that the model disagrees.
    #[arg(long, value_name = "SYMPTOM", conflicts_with = "emit_variant")]
    symptom: Option<String>,
    /// The name the client asks for (TLS SNI), when it differs from `--to`.
    #[arg(long)]
    host: Option<String>,
    /// Write each verified fix as a variant scenario `fix-N.ron` into this directory. Files are
    /// created new: an existing file or symbolic link is never followed or overwritten, and a
    /// directory that already holds `fix-N.ron` files is refused unless `--force` is given.
    #[arg(long)]
    emit_variant: Option<PathBuf>,
    /// With `--emit-variant`: replace the fixes of an earlier run. Each fix is written to a new
    /// temporary file and renamed into place (a symbolic link in the way is replaced, not
    /// followed), and every `fix-N.ron` this run did not write is removed, so each `fix-N.ron`
    /// left in the directory is from this run.
    #[arg(long, requires = "emit_variant")]
    force: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextOrJson,
}

/// Runs the command: exit 0 when the flow works, 1 when the checklist finds a problem.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let reported = args
        .symptom
        .as_deref()
        .map(|s| symptom::read(s).map_err(|e| CliError::bad(format!("--symptom: {e}"))))
        .transpose()?;
    let given = match (&args.from, &args.to) {
        (Some(from), Some(to)) => Some((from.clone(), super::destination(to, "--to", None)?)),
        _ => None,
    };
    let loaded = super::load(&args.file)?;
    let flow = match given {
        Some((from, (to, port))) => {
            // A workload, a site or an Internet client: what `trace --from` takes.
            super::source(&loaded.network, &from, "--from")?;
            Some(FlowSpec {
                from,
                to: super::target_text(&to),
                port,
                host: args.host.clone(),
            })
        }
        None => None,
    };
    let not_a_client = |from: &str| {
        CliError::bad(format!(
            "--from: `{from}` does not start connections (hint: name a workload or App Service app)"
        ))
    };
    if let Some(reported) = reported {
        let answer = symptom::diagnose_symptom(&loaded, reported, flow.as_ref())
            .ok_or_else(|| not_a_client(args.from.as_deref().unwrap_or_default()))?;
        match args.format {
            TextOrJson::Text => out::text(&report::symptom::symptom(&answer))?,
            TextOrJson::Json => out::data(&super::rendered(report::json::render(&answer))?)?,
        }
        return Ok(Outcome::held_if(!answer.needs_fix()));
    }
    let Some(flow) = flow else {
        return Err(CliError::bad(
            "give --from and --to, or --symptom (hint: `azpath diagnose FILE --symptom timeout`)",
        ));
    };
    let found = suggest(&loaded, &flow).ok_or_else(|| not_a_client(&flow.from))?;
    if let Some(dir) = &args.emit_variant {
        if crate::stdin::is(&args.file) {
            return Err(CliError::bad("--emit-variant: a variant extends its scenario by file name, and this one came from standard input (hint: give the scenario's file)"));
        }
        let files = variant_files(&args.file, &loaded.document, &found.kept)?;
        write_fixes(dir, &files, args.force)?;
    }
    match args.format {
        TextOrJson::Text => out::text(&report::diagnosis::suggestions(&found))?,
        TextOrJson::Json => out::data(&super::rendered(report::json::render(&found))?)?,
    }
    Ok(Outcome::held_if(!found.diagnosis.needs_fix()))
}

/// Each fix as a variant extending the scenario: `(fix-N.ron, its text)`.
fn variant_files(
    file: &Path,
    original: &scenario::Document,
    kept: &[Suggestion],
) -> Result<Vec<(String, String)>, CliError> {
    let base = fs::canonicalize(file)
        .map_err(|e| CliError::bad(format!("--emit-variant: {}", lower(&e))))?;
    let mut files = Vec::new();
    for (i, s) in kept.iter().enumerate() {
        let text = report::diagnosis::variant_file(&base.display().to_string(), original, s)
            .map_err(|e| CliError::bad(format!("--emit-variant: {e}")))?;
        files.push((format!("fix-{}.ron", i + 1), text));
    }
    Ok(files)
}

fn lower(e: &std::io::Error) -> String {
    e.to_string().to_lowercase()
}

/// Whether `name` is one of the files `--emit-variant` writes: `fix-N.ron`.
fn is_fix_file(name: &str) -> bool {
    name.strip_prefix("fix-")
        .and_then(|rest| rest.strip_suffix(".ron"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Writes `files` into `dir` safely: created new, never through a symbolic link; an earlier
/// run's fixes are refused, or with `force` replaced by rename and the rest removed.
fn write_fixes(dir: &Path, files: &[(String, String)], force: bool) -> Result<(), CliError> {
    let failed = |what: &str, path: &Path, e: &std::io::Error| {
        CliError::bad(format!(
            "--emit-variant: cannot {what} `{}`: {}",
            path.display(),
            lower(e)
        ))
    };
    fs::create_dir_all(dir).map_err(|e| failed("create", dir, &e))?;
    let mut earlier: Vec<String> = fs::read_dir(dir)
        .map_err(|e| failed("read", dir, &e))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| is_fix_file(name))
        .collect();
    earlier.sort();
    if !force {
        if let Some(first) = earlier.first() {
            return Err(CliError::bad(format!(
                "--emit-variant: `{}` already holds fixes of an earlier run (`{first}`{}) (hint: pass --force to replace them, or choose an empty directory)",
                dir.display(),
                if earlier.len() > 1 { ", …" } else { "" }
            )));
        }
    }
    for (name, text) in files {
        let path = dir.join(name);
        if force {
            let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
            create_new(&temp, text).map_err(|e| failed("write", &temp, &e))?;
            if let Err(e) = fs::rename(&temp, &path) {
                let _ = fs::remove_file(&temp);
                return Err(failed("replace", &path, &e));
            }
        } else {
            create_new(&path, text).map_err(|e| failed("write", &path, &e))?;
        }
        out::note(&format!("wrote {}", path.display()))?;
    }
    for stale in earlier
        .iter()
        .filter(|old| !files.iter().any(|(name, _)| name == *old))
    {
        let path = dir.join(stale);
        fs::remove_file(&path).map_err(|e| failed("remove the earlier", &path, &e))?;
        out::note(&format!("removed {} (from an earlier run)", path.display()))?;
    }
    Ok(())
}

/// Creates `path` and writes `text`; fails when anything (a file, a symbolic link, even a
/// dangling one) is already there, so nothing is followed or overwritten.
fn create_new(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_fix_n_ron_files_are_an_earlier_runs_fixes() {
        assert!(super::is_fix_file("fix-1.ron"));
        assert!(super::is_fix_file("fix-12.ron"));
        assert!(!super::is_fix_file("fix-.ron"));
        assert!(!super::is_fix_file("fix-1.ron.bak"));
        assert!(!super::is_fix_file("notes.ron"));
        assert!(!super::is_fix_file("fix-a.ron"));
    }
}
