//! Importing a real estate: Azure's JSON (what `az … list/show` prints, Resource Graph rows, ARM
//! template `resources`) into a scenario [`Document`], so a design session starts from the
//! network people already run.
//!
//! Each resource kind has its own module; they share a `context::Context` that maps resource
//! ids to scenario names (the resource's name, `vnet/subnet` for subnets). Whatever azpath does
//! not model is never dropped silently: it is recorded in [`Notes`], which the RON output carries
//! as comments and the command line prints as a summary.

mod admin;
mod allocate;
mod apps;
mod arm;
mod asg;
mod balance;
mod context;
mod dedupe;
mod dns;
mod egress;
mod emit;
mod endpoints;
mod field;
mod firewall;
mod gateways;
mod jsonc;
mod network;
mod nics;
mod resource;
mod routes;
mod security;
mod service_tags;
mod shape;
mod site_access;
pub mod terraform;
mod vwan;
mod zone_groups;

use std::collections::BTreeMap;

pub use arm::{ArmOptions, DeployScope};
pub use emit::{summary, to_ron};
pub use resource::{read, ReadError, Resource};
pub use service_tags::{fill_service_tags, Filled};

use crate::scenario::Document;

/// The sections of a scenario an imported object lands in, for its comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// `vnets`.
    Vnet,
    /// `peerings` (named `a/b`).
    Peering,
    /// `route_tables`.
    RouteTable,
    /// `gateways`.
    Gateway,
    /// `private_endpoints`.
    PrivateEndpoint,
    /// `workloads`.
    Workload,
    /// `nsgs`.
    Nsg,
    /// `service_tags`.
    ServiceTag,
    /// `firewalls`.
    Firewall,
    /// `virtual_hubs`.
    VirtualHub,
    /// `services`.
    Service,
    /// `dns.zones`.
    Zone,
    /// `app_services`.
    AppService,
    /// `load_balancers`.
    LoadBalancer,
    /// `nat_gateways`.
    NatGateway,
}

/// Why something was left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipKind {
    /// A value in it is not one Azure accepts (a typo, a wrong type, a required field
    /// missing): the input is not what Azure holds, so the object is left out rather than
    /// guessed at.
    Invalid,
    /// azpath does not model it (or what it refers to is not in the input).
    Unsupported,
}

/// Something in the input that the scenario does not carry, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// Invalid input or a part azpath does not model.
    pub kind: SkipKind,
    /// The resource id, or the resource and the part of it left out.
    pub what: String,
    /// Why, on one line: for an invalid value, its `file#/json/pointer`, the value and the
    /// values Azure accepts.
    pub reason: String,
}

/// What the import read, where each object came from, and what it left out.
#[derive(Clone, Debug, Default)]
pub struct Notes {
    /// Comment lines for each object of the scenario: its resource ids first, then remarks.
    pub comments: BTreeMap<(Section, String), Vec<String>>,
    /// Resources and parts of resources not imported.
    pub skipped: Vec<Skipped>,
    /// Resources read, by type.
    pub read: BTreeMap<String, usize>,
    /// NSG default rules skipped because azpath builds Azure's defaults in.
    pub default_rules: usize,
    /// The input files.
    pub files: Vec<String>,
    /// Where each resource came from, `file#/json/pointer`, by lower-case resource id.
    pub origins: BTreeMap<String, String>,
    /// Values azpath chose where Azure decides at deployment (template defaults, addresses
    /// Azure allocates), each stated in the output.
    pub assumptions: Vec<String>,
    /// Resources carried into the scenario (or consumed by one that is); the rest of
    /// [`Notes::read`] is listed as left out.
    pub converted: usize,
}

impl Notes {
    /// Attaches a comment line to an object.
    pub fn comment(&mut self, section: Section, name: &str, line: impl Into<String>) {
        self.comments
            .entry((section, name.to_string()))
            .or_default()
            .push(line.into());
    }

    /// Records something left out because azpath does not model it.
    pub fn skip(&mut self, what: impl Into<String>, reason: impl Into<String>) {
        self.add(SkipKind::Unsupported, what, reason);
    }

    /// Records something left out.
    pub fn add(&mut self, kind: SkipKind, what: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            kind,
            what: what.into(),
            reason: reason.into(),
        });
    }

    /// How many objects were left out because of invalid values.
    pub fn invalid(&self) -> usize {
        self.skipped
            .iter()
            .filter(|s| s.kind == SkipKind::Invalid)
            .count()
    }
}

/// The result of an import: the scenario and the notes that go with it.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The scenario.
    pub document: Document,
    /// Origins, remarks and what was left out.
    pub notes: Notes,
}

/// Reads the resources of several files (name, text) and builds one scenario from them.
pub fn import_files(files: &[(String, String)]) -> Result<Imported, ReadError> {
    import_files_with(files, &ArmOptions::default())
}

/// [`import_files`], deploying templates with the given parameters and target.
pub fn import_files_with(
    files: &[(String, String)],
    options: &ArmOptions,
) -> Result<Imported, ReadError> {
    let mut resources = Vec::new();
    let mut ignored = Vec::new();
    let mut left_out = Vec::new();
    let mut assumptions = Vec::new();
    let mut not_deployed = Vec::new();
    let mut unread = Vec::new();
    for (name, text) in files {
        let scan = resource::scan(name, text, options)?;
        resources.extend(scan.resources);
        ignored.extend(scan.ignored);
        left_out.extend(scan.left_out);
        not_deployed.extend(scan.not_deployed);
        unread.extend(scan.unread);
        for a in scan.assumptions {
            if !assumptions.contains(&a) {
                assumptions.push(a);
            }
        }
    }
    let (resources, merged) = dedupe::merge_duplicates(resources);
    let mut imported = import(&resources);
    imported.notes.origins = resources
        .iter()
        .map(|r| (r.id.to_lowercase(), format!("{}#{}", r.file, r.pointer)))
        .collect();
    for (copy, first) in merged {
        imported.notes.skip(
            format!("second copy of {copy}"),
            format!("the same resource id as {first}: merged into it"),
        );
    }
    for (what, why) in ignored {
        imported.notes.add(SkipKind::Invalid, what, why);
    }
    for l in left_out {
        let kind = match l.failure {
            arm::Failure::Invalid(_) => SkipKind::Invalid,
            _ => SkipKind::Unsupported,
        };
        imported
            .notes
            .add(kind, format!("`{}`", l.at), l.failure.to_string());
    }
    for (at, why) in unread {
        imported.notes.skip(format!("`{at}`"), why);
    }
    for at in not_deployed {
        imported.notes.skip(
            format!("`{at}`"),
            "not deployed: its `condition` is false with these parameters",
        );
    }
    imported.notes.assumptions.splice(0..0, assumptions);
    imported.notes.skipped.sort();
    imported.notes.files = files.iter().map(|(n, _)| n.clone()).collect();
    Ok(imported)
}

/// The values of an ARM parameter file (comments allowed, as ARM allows them).
pub fn read_parameter_file(
    file: &str,
    text: &str,
) -> Result<BTreeMap<String, serde_json::Value>, String> {
    let json = jsonc::parse(file, text).map_err(|e| e.to_string())?;
    arm::parameter_file(&json)
}

/// Builds a scenario from resources.
pub fn import(resources: &[Resource]) -> Imported {
    let mut cx = context::Context::new(resources);
    cx.assign_names();
    security::import(&mut cx);
    routes::import(&mut cx);
    egress::import(&mut cx);
    network::import(&mut cx);
    vwan::import(&mut cx);
    network::peerings(&mut cx);
    gateways::import(&mut cx);
    nics::reserve_static(&mut cx);
    nics::import(&mut cx);
    balance::import(&mut cx);
    asg::import(&mut cx);
    endpoints::import(&mut cx);
    dns::import(&mut cx);
    firewall::import(&mut cx);
    zone_groups::import(&mut cx);
    apps::import(&mut cx);
    admin::import(&mut cx);
    cx.finish()
}

/// The diagnostics of loading the imported scenario (`ron`, read as `name`), each line that
/// points into it (`name:LINE:COL: …`) pointed instead at the input the object came from:
/// `file#/json/pointer (resource id): …`. The scenario is generated; its lines mean nothing to
/// the person who gave the JSON.
pub fn relocate(imported: &Imported, name: &str, ron: &str, diagnostics: &str) -> String {
    let lines: Vec<&str> = ron.lines().collect();
    let origin_of = |line: usize| -> Option<String> {
        lines
            .get(..line.min(lines.len()))?
            .iter()
            .rev()
            .filter_map(|l| l.trim().strip_prefix("// "))
            .find_map(|c| {
                let origin = imported.notes.origins.get(&c.trim().to_lowercase())?;
                Some(format!("{origin} ({})", c.trim()))
            })
    };
    let mut out = Vec::new();
    for d in diagnostics.lines() {
        let relocated = d
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(':'))
            .and_then(|rest| {
                let mut parts = rest.splitn(3, ':');
                let line: usize = parts.next()?.parse().ok()?;
                parts.next()?;
                let message = parts.next()?;
                Some(format!("{}:{message}", origin_of(line)?))
            });
        out.push(relocated.unwrap_or_else(|| d.to_string()));
    }
    out.join("\n")
}
