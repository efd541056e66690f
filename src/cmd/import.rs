//! `azpath import DIR_OR_FILES… > estate.ron`: exit 0 with a scenario, 1 when nothing was
//! imported, 2 when the input is unreadable or holds values Azure does not accept.

use std::path::PathBuf;

use azpath_engine::{import, input, load_str};

use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON files as `az … list/show`, Resource Graph or an ARM template export give them, or
    /// folders searched for `*.json` files; `-` reads standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// An ARM parameter file (`{"parameters": {"name": {"value": …}}}`) for the templates.
    #[arg(long = "parameters", value_name = "FILE")]
    parameter_files: Vec<PathBuf>,
    /// A template parameter value, `name=value` (after the parameter files; text is read as
    /// the parameter's declared type).
    #[arg(short = 'p', long = "parameter", value_name = "NAME=VALUE")]
    parameter: Vec<String>,
    /// The subscription id templates deploy to (`subscription()`).
    #[arg(long)]
    subscription: Option<String>,
    /// The resource group templates deploy to (`resourceGroup().name`).
    #[arg(long)]
    resource_group: Option<String>,
    /// The resource group's region (`resourceGroup().location`).
    #[arg(long)]
    location: Option<String>,
    /// Where one template deploys, over `--subscription` and `--resource-group`: a portal
    /// export of each resource group deployed to its own, so that their ids meet.
    #[arg(long, value_name = "FILE=/subscriptions/S/resourceGroups/RG")]
    scope: Vec<String>,
    /// Fail (exit 2) when any object holds a value Azure does not accept; by default such
    /// objects are left out, listed with their file and JSON pointer, and the rest imports.
    #[arg(long)]
    strict: bool,
    /// Microsoft's weekly "Service Tags – Public" JSON download, or the output of
    /// `az network list-service-tags`: fills the IPv4 prefixes of the service tags the estate
    /// names, dated by the file's `changeNumber` (stated in the scenario).
    #[arg(long = "service-tags", value_name = "FILE")]
    service_tags: Option<PathBuf>,
}

/// The template deployment options from the command line.
fn arm_options(args: &Args) -> Result<import::ArmOptions, CliError> {
    let mut options = import::ArmOptions {
        subscription: args.subscription.clone(),
        resource_group: args.resource_group.clone(),
        location: args.location.clone(),
        ..import::ArmOptions::default()
    };
    for given in &args.scope {
        let parsed = given
            .split_once('=')
            .and_then(|(file, id)| Some((file, import::DeployScope::parse(id)?)));
        let Some((file, scope)) = parsed else {
            return Err(CliError::bad(format!(
                "--scope `{given}`: expected FILE=/subscriptions/SUBSCRIPTION/resourceGroups/GROUP"
            )));
        };
        options.scopes.insert(file.to_string(), scope);
    }
    if !args.parameter_files.is_empty() {
        let files = match input::read_all_text(&args.parameter_files, input::IMPORT_LIMIT) {
            Ok(files) => files,
            Err(e) => {
                out::note(&e.to_string())?;
                return Err(CliError::AlreadyReported);
            }
        };
        for (name, text) in &files {
            let values = import::read_parameter_file(name, text)
                .map_err(|e| CliError::bad(format!("{name}: {e}")))?;
            options.parameters.extend(values);
        }
    }
    for p in &args.parameter {
        let Some((name, value)) = p.split_once('=') else {
            return Err(CliError::bad(format!(
                "`-p {p}` is not `name=value` (hint: `-p vnetName=vnet-hub`)"
            )));
        };
        options.parameters.insert(
            name.trim().to_string(),
            serde_json::Value::String(value.to_string()),
        );
    }
    Ok(options)
}

/// Runs the command: the scenario on standard output, the summary on standard error; exit 1
/// when the input holds nothing to import.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let mut paths = Vec::new();
    let mut piped = None;
    for p in &args.paths {
        if crate::stdin::is(p) {
            piped = Some(crate::stdin::text(input::IMPORT_LIMIT)?);
        } else {
            super::files_with_extension(p, "json", &mut paths)?;
        }
    }
    let files = match input::read_all_text(
        &paths,
        input::Limit {
            bytes: super::max_input_bytes(),
            ..input::IMPORT_LIMIT
        },
    ) {
        Ok(mut files) => {
            files.extend(piped.map(|text| (crate::stdin::NAME.to_string(), text)));
            files
        }
        Err(e) => {
            out::note(&e.to_string())?;
            return Err(CliError::AlreadyReported);
        }
    };
    let options = arm_options(&args)?;
    let mut imported = match import::import_files_with(&files, &options) {
        Ok(i) => i,
        Err(e) => {
            out::note(&format!(
                "{e} (hint: give the JSON that `az … list` or `az … show` prints)"
            ))?;
            return Err(CliError::AlreadyReported);
        }
    };
    if let Some(path) = &args.service_tags {
        let filled = input::read_text(path, input::IMPORT_LIMIT)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                import::fill_service_tags(&mut imported, &path.display().to_string(), &text)
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = filled {
            out::note(&e)?;
            return Err(CliError::AlreadyReported);
        }
    }
    let ron = match import::to_ron(&imported) {
        Ok(r) => r,
        Err(e) => {
            return Err(CliError::bad(format!("cannot write the scenario: {e}")));
        }
    };
    out::data(&ron)?;
    out::note(&import::summary(&imported))?;
    let read = resources(&imported.document);
    // The scenario must load as it stands; say so when the estate breaks a rule azpath checks.
    let invalid = imported.notes.invalid();
    match load_str("imported.ron", &ron) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                out::note(&w.to_string())?;
            }
            if invalid > 0 && args.strict {
                return Err(CliError::bad(format!("{invalid} object(s) hold values Azure does not accept and are left out of the scenario (hint: fix them at the JSON paths listed above, or import without --strict)")));
            }
            if imported.notes.read.is_empty() {
                let first = files.first().map_or_else(
                    || {
                        args.paths
                            .first()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default()
                    },
                    |(n, _)| n.clone(),
                );
                return Err(CliError::bad(format!(
                    "{first}:1:1: no resources were read (hint: the files above are not resources; each says what it looks like)"
                )));
            }
            if read == 0 {
                out::note("nothing imported: the input holds no resource azpath reads (hint: give the JSON of VNets, route tables, NSGs, NICs, private endpoints or firewalls)")?;
            }
            Ok(Outcome::held_if(read > 0))
        }
        Err(e) => {
            out::note(&import::relocate(
                &imported,
                "imported.ron",
                &ron,
                &e.to_string(),
            ))?;
            Err(CliError::bad("the imported scenario does not load (hint: the input lacks resources it refers to, or breaks a rule above)"))
        }
    }
}

/// How many resources the scenario holds: 0 when nothing was imported.
fn resources(doc: &azpath_engine::scenario::Document) -> usize {
    [
        doc.vnets.len(),
        doc.peerings.len(),
        doc.route_tables.len(),
        doc.gateways.len(),
        doc.private_endpoints.len(),
        doc.workloads.len(),
        doc.nsgs.len(),
        doc.firewalls.len(),
        doc.load_balancers.len(),
        doc.virtual_hubs.len(),
        doc.services.len(),
        doc.dns.zones.len(),
        doc.app_services.len(),
        doc.api_managements.len(),
    ]
    .iter()
    .sum()
}
