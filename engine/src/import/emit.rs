//! The imported scenario as RON text with comments: every object is preceded by the resource
//! ids it came from and any remark, and the header lists what was read and left out.
//!
//! Each object is serialised by serde (the same `ron` dialect as [`crate::scenario::to_ron`]);
//! only the list framing and the comments are written here, since serde has no comments. The
//! text parses back to the same [`crate::scenario::Document`] (tested).

use std::fmt::Write as _;

use ron::extensions::Extensions;
use serde::Serialize;

use super::{Imported, Notes, Section, SkipKind};
use crate::scenario::AssumptionsDoc;

/// The scenario as commented RON text.
pub fn to_ron(imported: &Imported) -> Result<String, ron::Error> {
    let doc = &imported.document;
    let notes = &imported.notes;
    let mut w = Writer {
        out: String::new(),
        notes,
    };
    w.header();
    w.out.push_str("Scenario(\n");
    w.value(1, "title", &doc.title)?;
    if let Some(story) = &doc.story {
        w.value(1, "story", story)?;
    }
    if doc.assumptions != AssumptionsDoc::default() {
        w.value(1, "assumptions", &doc.assumptions)?;
    }
    w.list(1, "vnets", &doc.vnets, |v| {
        Some((Section::Vnet, v.name.value.clone()))
    })?;
    w.list(1, "peerings", &doc.peerings, |p| {
        Some((
            Section::Peering,
            format!("{}/{}", p.between.0.value, p.between.1.value),
        ))
    })?;
    w.list(1, "route_tables", &doc.route_tables, |t| {
        Some((Section::RouteTable, t.name.value.clone()))
    })?;
    w.list(1, "gateways", &doc.gateways, |g| {
        Some((Section::Gateway, g.name.value.clone()))
    })?;
    w.list(
        1,
        "service_endpoint_prefixes",
        &doc.service_endpoint_prefixes,
        |_| None,
    )?;
    w.list(1, "private_endpoints", &doc.private_endpoints, |p| {
        Some((Section::PrivateEndpoint, p.name.value.clone()))
    })?;
    w.list(1, "workloads", &doc.workloads, |x| {
        Some((Section::Workload, x.name.value.clone()))
    })?;
    w.list(1, "nsgs", &doc.nsgs, |n| {
        Some((Section::Nsg, n.name.value.clone()))
    })?;
    w.list(1, "service_tags", &doc.service_tags, |t| {
        Some((Section::ServiceTag, t.name.value.clone()))
    })?;
    w.list(
        1,
        "application_security_groups",
        &doc.application_security_groups,
        |_| None,
    )?;
    w.list(1, "ip_groups", &doc.ip_groups, |_| None)?;
    w.list(1, "security_admin_rules", &doc.security_admin_rules, |_| {
        None
    })?;
    w.list(1, "firewalls", &doc.firewalls, |f| {
        Some((Section::Firewall, f.name.value.clone()))
    })?;
    w.list(1, "load_balancers", &doc.load_balancers, |b| {
        Some((Section::LoadBalancer, b.name.value.clone()))
    })?;
    w.list(1, "nat_gateways", &doc.nat_gateways, |g| {
        Some((Section::NatGateway, g.name.value.clone()))
    })?;
    w.list(1, "virtual_hubs", &doc.virtual_hubs, |h| {
        Some((Section::VirtualHub, h.name.value.clone()))
    })?;
    w.list(1, "services", &doc.services, |s| {
        Some((Section::Service, s.name.value.clone()))
    })?;
    let dns = &doc.dns;
    w.out.push_str("    dns: (\n");
    w.list(2, "zones", &dns.zones, |z| {
        Some((
            Section::Zone,
            crate::scenario::zone_label(
                z.resource_group.as_ref().map(|t| t.value.as_str()),
                &z.name.value,
            ),
        ))
    })?;
    w.list(2, "forwarders", &dns.forwarders, |_| None)?;
    w.list(2, "inbound_endpoints", &dns.inbound_endpoints, |_| None)?;
    w.list(2, "rulesets", &dns.rulesets, |_| None)?;
    w.list(2, "public_records", &dns.public_records, |_| None)?;
    w.out.push_str("    ),\n");
    w.list(1, "app_services", &doc.app_services, |a| {
        Some((Section::AppService, a.name.value.clone()))
    })?;
    w.list(1, "api_managements", &doc.api_managements, |_| None)?;
    w.list(1, "questions", &doc.questions, |_| None)?;
    w.out.push_str(")\n");
    Ok(w.out)
}

/// The two lists of what was left out, invalid input first.
const HEADINGS: [(SkipKind, &str, &str); 2] = [
    (
        SkipKind::Invalid,
        "Refused: values Azure does not accept, so the object holding each is left out",
        "refused: values Azure does not accept, so the object holding each is left out",
    ),
    (SkipKind::Unsupported, "Not imported", "not imported"),
];

struct Writer<'a> {
    out: String,
    notes: &'a Notes,
}

/// One value in the scenario dialect, without struct names.
fn ron_text<T: Serialize>(value: &T) -> Result<String, ron::Error> {
    let pretty = ron::ser::PrettyConfig::default().struct_names(false);
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .to_string_pretty(value, pretty)
}

fn indent(depth: usize) -> String {
    "    ".repeat(depth)
}

impl Writer<'_> {
    fn comment(&mut self, depth: usize, line: &str) {
        let line = line.replace(['\n', '\r'], " ");
        let _ = writeln!(self.out, "{}// {line}", indent(depth));
    }

    fn header(&mut self) {
        let n = self.notes;
        self.out
            .push_str("// A scenario imported from Azure resources by `azpath import`.\n");
        if !n.files.is_empty() {
            let files = n.files.join(", ");
            self.comment(0, &format!("From: {files}"));
        }
        let total: usize = n.read.values().sum();
        self.comment(0, &format!("Read {total} resource(s):"));
        let read: Vec<(String, usize)> = n.read.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for (kind, count) in read {
            self.comment(0, &format!("  {count} {kind}"));
        }
        if n.default_rules > 0 {
            self.comment(
                0,
                &format!(
                    "{} NSG default rule(s) left out: azpath builds Azure's default rules in.",
                    n.default_rules
                ),
            );
        }
        if !n.assumptions.is_empty() {
            self.comment(0, &format!("Assumed ({}):", n.assumptions.len()));
            for a in &n.assumptions {
                self.comment(0, &format!("  - {a}"));
            }
        }
        if n.skipped.is_empty() {
            self.comment(0, "Nothing was left out.");
        }
        for (kind, heading, _) in HEADINGS {
            let listed: Vec<String> = n
                .skipped
                .iter()
                .filter(|s| s.kind == kind)
                .map(|s| format!("  - {}: {}", s.what, s.reason))
                .collect();
            if !listed.is_empty() {
                self.comment(0, &format!("{heading} ({}):", listed.len()));
                for line in listed {
                    self.comment(0, &line);
                }
            }
        }
    }

    fn value<T: Serialize>(
        &mut self,
        depth: usize,
        field: &str,
        value: &T,
    ) -> Result<(), ron::Error> {
        let text = ron_text(value)?;
        let pad = indent(depth);
        let _ = writeln!(self.out, "{pad}{field}: {},", reindent(&text, depth));
        Ok(())
    }

    fn list<T: Serialize>(
        &mut self,
        depth: usize,
        field: &str,
        items: &[T],
        key: impl Fn(&T) -> Option<(Section, String)>,
    ) -> Result<(), ron::Error> {
        if items.is_empty() {
            return Ok(());
        }
        let pad = indent(depth);
        let _ = writeln!(self.out, "{pad}{field}: [");
        for item in items {
            let comments = key(item)
                .and_then(|k| self.notes.comments.get(&k))
                .cloned()
                .unwrap_or_default();
            for c in comments {
                self.comment(depth + 1, &c);
            }
            let text = ron_text(item)?;
            let _ = writeln!(
                self.out,
                "{}{},",
                indent(depth + 1),
                reindent(&text, depth + 1)
            );
        }
        let _ = writeln!(self.out, "{pad}],");
        Ok(())
    }
}

/// Indents every line after the first by `depth` levels, so a nested value lines up.
fn reindent(text: &str, depth: usize) -> String {
    let pad = indent(depth);
    let mut lines = text.lines();
    let mut out = lines.next().unwrap_or_default().to_string();
    for l in lines {
        out.push('\n');
        if !l.is_empty() {
            out.push_str(&pad);
        }
        out.push_str(l);
    }
    out
}

/// A short summary for people (the command line prints it on standard error): what became
/// of the input, and every item left out.
pub fn summary(imported: &Imported) -> String {
    let doc = &imported.document;
    let n = &imported.notes;
    let total: usize = n.read.values().sum();
    let mut out = format!(
        "imported {} of {total} resource(s) read: {} vnet(s), {} peering(s), {} route table(s), {} NSG(s), {} workload(s), {} private endpoint(s), {} service(s), {} private DNS zone(s), {} firewall(s), {} virtual hub(s), {} gateway(s), {} app service(s)\n",
        n.converted,
        doc.vnets.len(),
        doc.peerings.len(),
        doc.route_tables.len(),
        doc.nsgs.len(),
        doc.workloads.len(),
        doc.private_endpoints.len(),
        doc.services.len(),
        doc.dns.zones.len(),
        doc.firewalls.len(),
        doc.virtual_hubs.len(),
        doc.gateways.len(),
        doc.app_services.len(),
    );
    if n.default_rules > 0 {
        let _ = writeln!(
            out,
            "{} NSG default rule(s) left out: azpath builds them in",
            n.default_rules
        );
    }
    if !n.assumptions.is_empty() {
        let _ = writeln!(out, "assumed ({}):", n.assumptions.len());
        for a in &n.assumptions {
            let _ = writeln!(out, "  - {a}");
        }
    }
    for (kind, _, heading) in HEADINGS {
        let listed: Vec<&super::Skipped> = n.skipped.iter().filter(|s| s.kind == kind).collect();
        if !listed.is_empty() {
            let _ = writeln!(out, "{} ({}):", heading, listed.len());
            for s in listed {
                let _ = writeln!(out, "  - {}: {}", s.what, s.reason);
            }
        }
    }
    out
}
