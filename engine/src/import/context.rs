//! What every resource module shares: the resources by id, the names given to them, the
//! scenario being built and the notes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::resource::{id_tail, last_segment, Resource};
use super::{Imported, Notes, Section};
use crate::scenario::{Document, Text};

/// Namespaces of scenario names: objects of one namespace need distinct names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Ns {
    /// VNets and virtual hubs.
    Vnet,
    /// Route tables.
    RouteTable,
    /// NSGs.
    Nsg,
    /// Workloads, private endpoints, firewalls and App Service apps (the NICs a trace names).
    Nic,
    /// Virtual network gateways.
    Gateway,
}

/// The state of one import.
pub(super) struct Context<'a> {
    pub resources: &'a [Resource],
    by_id: BTreeMap<String, usize>,
    by_tail: BTreeMap<String, Vec<usize>>,
    taken: Vec<bool>,
    names: BTreeMap<(Ns, String), String>,
    used: BTreeSet<(Ns, String)>,
    /// Subnets imported, as `vnet/subnet`.
    pub subnets: BTreeSet<String>,
    /// Service tags met in rules, declared at the end.
    pub service_tags: BTreeSet<String>,
    pub doc: Document,
    pub notes: Notes,
}

/// A scenario string without a position.
pub(super) fn text(s: impl Into<String>) -> Text {
    Text::new(s.into())
}

/// Strings of a JSON array (missing or not an array: none).
pub(super) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The elements of a JSON array (missing or not an array: none).
pub(super) fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A property of an embedded object that may or may not wrap it in `properties`, as embedded
/// sub-resources do in REST output (`subnets[].properties.addressPrefix`).
pub(super) fn inner<'v>(v: &'v Value, pointer: &str) -> Option<&'v Value> {
    v.get("properties")
        .and_then(|p| p.pointer(pointer))
        .or_else(|| v.pointer(pointer))
}

impl<'a> Context<'a> {
    pub fn new(resources: &'a [Resource]) -> Self {
        let mut by_id = BTreeMap::new();
        let mut by_tail: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut notes = Notes::default();
        for (i, r) in resources.iter().enumerate() {
            *notes.read.entry(r.kind.clone()).or_default() += 1;
            by_id.entry(r.id.to_lowercase()).or_insert(i);
            by_tail.entry(id_tail(&r.id)).or_default().push(i);
        }
        Self {
            resources,
            by_id,
            by_tail,
            taken: vec![false; resources.len()],
            names: BTreeMap::new(),
            used: BTreeSet::new(),
            subnets: BTreeSet::new(),
            service_tags: BTreeSet::new(),
            doc: Document {
                title: "Imported estate".into(),
                ..Document::default()
            },
            notes,
        }
    }

    /// Indexes of the resources of one type, in input order.
    pub fn of_kind(&self, kind: &str) -> Vec<usize> {
        (0..self.resources.len())
            .filter(|&i| self.resources.get(i).is_some_and(|r| r.is(kind)))
            .collect()
    }

    /// The resource an id refers to: by the full id, else by its `/providers/…` tail when only
    /// one resource has it (references inside ARM templates carry no subscription).
    pub fn find(&self, id: &str) -> Option<usize> {
        if let Some(i) = self.by_id.get(&id.to_lowercase()) {
            return Some(*i);
        }
        match self.by_tail.get(&id_tail(id)).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// The resource at `i`.
    pub fn res(&self, i: usize) -> Option<&'a Resource> {
        self.resources.get(i)
    }

    /// Marks a resource as carried into the scenario (or consumed by one that is).
    pub fn take(&mut self, i: usize) {
        if let Some(t) = self.taken.get_mut(i) {
            *t = true;
        }
    }

    /// Gives the resource `id` a name in `ns`: `preferred` unless another resource has it,
    /// then `preferred-2`, `-3`… (with a note).
    pub fn name(&mut self, ns: Ns, id: &str, preferred: &str) -> String {
        let key = (ns, id.to_lowercase());
        if let Some(n) = self.names.get(&key) {
            return n.clone();
        }
        let mut name = preferred.to_string();
        let mut k = 2;
        while self.used.contains(&(ns, name.clone())) {
            name = format!("{preferred}-{k}");
            k += 1;
        }
        if name != preferred {
            self.notes.skip(
                id,
                format!("renamed to `{name}`: another resource is already called `{preferred}`"),
            );
        }
        self.used.insert((ns, name.clone()));
        self.names.insert(key, name.clone());
        self.names
            .entry((ns, format!("tail:{}", id_tail(id))))
            .or_insert_with(|| name.clone());
        name
    }

    /// The name given to the resource `id`, if it was imported.
    pub fn name_of(&self, ns: Ns, id: &str) -> Option<String> {
        self.names
            .get(&(ns, id.to_lowercase()))
            .or_else(|| self.names.get(&(ns, format!("tail:{}", id_tail(id)))))
            .cloned()
    }

    /// The name of the imported VNet a subnet id belongs to.
    pub fn vnet_of_subnet(&self, id: &str) -> Option<String> {
        let at = id.to_lowercase().find("/subnets/")?;
        self.name_of(Ns::Vnet, id.get(..at)?)
    }

    /// `vnet/subnet` for a subnet id, if its VNet and the subnet were imported.
    pub fn subnet_name(&self, id: &str) -> Option<String> {
        let name = format!("{}/{}", self.vnet_of_subnet(id)?, last_segment(id));
        self.subnets.contains(&name).then_some(name)
    }

    /// Attaches a comment to an object.
    pub fn comment(&mut self, section: Section, name: &str, line: impl Into<String>) {
        self.notes.comment(section, name, line);
    }

    /// Records something left out.
    pub fn skip(&mut self, what: impl Into<String>, reason: impl Into<String>) {
        self.notes.skip(what, reason);
    }

    /// Records an address list entry that is a service tag, so that it gets declared.
    pub fn address(&mut self, a: &str) -> String {
        let a = a.trim();
        let builtin = ["*", "VirtualNetwork", "Internet", "AzureLoadBalancer"];
        let is_tag = !a.starts_with(|c: char| c.is_ascii_digit()) && !a.contains(':');
        if a.eq_ignore_ascii_case("any") {
            return "*".into();
        }
        if is_tag && !builtin.contains(&a) {
            self.service_tags.insert(a.to_string());
        }
        a.to_string()
    }

    /// Gives names to every resource that other resources refer to, before any is converted.
    pub fn assign_names(&mut self) {
        let kinds = [
            (Ns::Vnet, "Microsoft.Network/virtualNetworks"),
            (Ns::Vnet, "Microsoft.Network/virtualHubs"),
            (Ns::RouteTable, "Microsoft.Network/routeTables"),
            (Ns::Nsg, "Microsoft.Network/networkSecurityGroups"),
            (Ns::Gateway, "Microsoft.Network/virtualNetworkGateways"),
            (Ns::Nic, "Microsoft.Network/azureFirewalls"),
            (Ns::Nic, "Microsoft.Network/privateEndpoints"),
        ];
        for (ns, kind) in kinds {
            for i in self.of_kind(kind) {
                if let Some(r) = self.res(i) {
                    self.name(ns, &r.id, &r.name);
                }
            }
        }
    }

    /// Declares the service tags met, lists what nobody took, and hands the result over.
    pub fn finish(mut self) -> Imported {
        for tag in std::mem::take(&mut self.service_tags) {
            self.comment(
                Section::ServiceTag,
                &tag,
                "prefixes not imported: add them from `az network list-service-tags`",
            );
            self.doc.service_tags.push(crate::scenario::ServiceTagDoc {
                name: text(tag),
                prefixes: Vec::new(),
            });
        }
        for (i, r) in self.resources.iter().enumerate() {
            if self.taken.get(i).copied().unwrap_or(true) {
                continue;
            }
            let reason = unsupported(&r.kind);
            self.notes
                .skip(r.id.clone(), format!("{} ({})", reason, r.kind));
        }
        self.notes.skipped.sort();
        self.notes.skipped.dedup();
        Imported {
            document: self.doc,
            notes: self.notes,
        }
    }
}

/// Why a resource nobody took is left out.
fn unsupported(kind: &str) -> &'static str {
    let kind = kind.to_lowercase();
    match kind.as_str() {
        "microsoft.network/publicipaddresses" => "not used by an imported firewall",
        "microsoft.network/privateendpoints/privatednszonegroups" => {
            "zone groups create the record sets, which are imported themselves"
        }
        "microsoft.network/vpnsites" | "microsoft.network/vpngateways" => {
            "virtual WAN branches are not imported: declare them as hub `sites`"
        }
        "microsoft.network/expressroutegateways" | "microsoft.network/expressroutecircuits" => {
            "ExpressRoute circuits are not imported: declare hub `sites` or gateway `learned` routes"
        }
        "microsoft.network/applicationsecuritygroups" => {
            "application security groups are not modelled"
        }
        "microsoft.network/loadbalancers" => "load balancers are not imported",
        "microsoft.network/networkwatchers" => "not part of the data plane",
        _ if kind.starts_with("microsoft.compute/") => {
            "virtual machines are imported through their network interfaces"
        }
        _ => "resource type not imported",
    }
}
