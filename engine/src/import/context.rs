//! What every resource module shares: the resources by id, the names given to them, the
//! scenario being built and the notes.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use super::field::Invalid;
use super::resource::{id_tail, last_segment, Resource};
use super::{Imported, Notes, Section, SkipKind};
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
    /// Application security groups.
    Asg,
    /// IP groups.
    IpGroup,
    /// NAT gateways.
    NatGateway,
    /// Load balancers.
    LoadBalancer,
}

/// The state of one import.
pub(super) struct Context<'a> {
    pub resources: &'a [Resource],
    by_id: BTreeMap<String, usize>,
    by_tail: BTreeMap<String, Vec<usize>>,
    /// Resources by lower-case type, in input order.
    by_kind: BTreeMap<String, Vec<usize>>,
    /// Child resources by (lower-case parent id, lower-case child type), in input order.
    children: BTreeMap<(String, String), Vec<usize>>,
    taken: Vec<bool>,
    names: BTreeMap<(Ns, String), String>,
    used: BTreeSet<(Ns, String)>,
    /// For each (namespace, preferred name) renamed before, the next suffix to try, so that
    /// n resources of one name are renamed in O(n log n), not O(n²).
    next_suffix: BTreeMap<(Ns, String), usize>,
    /// Subnets imported, as `vnet/subnet`.
    pub subnets: BTreeSet<String>,
    /// Services declared, by name.
    services: BTreeSet<String>,
    /// Service tags met in rules, declared at the end.
    pub service_tags: BTreeSet<String>,
    /// The service declared for each private link resource and sub-resource (both lower case).
    pub service_by_sub_resource: BTreeMap<(String, String), String>,
    pub doc: Document,
    pub notes: Notes,
    /// Private addresses taken, for those Azure allocates on deployment.
    pub allocator: super::allocate::Allocator,
    /// References resolved by the end of their id alone (another subscription or resource
    /// group, or none), as (reference, what it was taken to mean): stated at the end.
    tail_matches: RefCell<BTreeSet<(String, String)>>,
}

/// Whether an address-list word is one the scenario knows by itself (`*` or a built-in tag),
/// never declared as a service tag.
fn built_in(word: &str) -> bool {
    word == "*" || crate::scenario::BUILT_IN_TAGS.contains(&word)
}

/// A scenario string without a position.
pub(super) fn text(s: impl Into<String>) -> Text {
    Text::new(s.into())
}

impl<'a> Context<'a> {
    pub fn new(resources: &'a [Resource]) -> Self {
        let mut by_id = BTreeMap::new();
        let mut by_tail: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_kind: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut children: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        let mut notes = Notes::default();
        for (i, r) in resources.iter().enumerate() {
            *notes.read.entry(r.kind.clone()).or_default() += 1;
            let id = r.id.to_lowercase();
            by_kind.entry(r.kind.to_lowercase()).or_default().push(i);
            if let Some(parent) = parent_id(&id) {
                children
                    .entry((parent.to_string(), r.kind.to_lowercase()))
                    .or_default()
                    .push(i);
            }
            by_tail.entry(id_tail(&r.id)).or_default().push(i);
            by_id.entry(id).or_insert(i);
        }
        Self {
            resources,
            by_id,
            by_tail,
            by_kind,
            children,
            taken: vec![false; resources.len()],
            names: BTreeMap::new(),
            used: BTreeSet::new(),
            next_suffix: BTreeMap::new(),
            subnets: BTreeSet::new(),
            services: BTreeSet::new(),
            service_tags: BTreeSet::new(),
            service_by_sub_resource: BTreeMap::new(),
            doc: Document {
                title: "Imported estate".into(),
                ..Document::default()
            },
            notes,
            allocator: super::allocate::Allocator::default(),
            tail_matches: RefCell::new(BTreeSet::new()),
        }
    }

    /// Indexes of the resources of one type, in input order.
    pub fn of_kind(&self, kind: &str) -> Vec<usize> {
        self.by_kind
            .get(&kind.to_lowercase())
            .cloned()
            .unwrap_or_default()
    }

    /// Indexes of the child resources of type `kind` (the full type,
    /// `Microsoft.Network/routeTables/routes`) whose id is `parent`'s id plus one segment pair,
    /// in input order.
    pub fn children_of(&self, parent: &str, kind: &str) -> Vec<usize> {
        self.children
            .get(&(parent.to_lowercase(), kind.to_lowercase()))
            .cloned()
            .unwrap_or_default()
    }

    /// The resource an id refers to: by the full id, else by its `/providers/…` tail when only
    /// one resource has it (references inside ARM templates carry no subscription).
    pub fn find(&self, id: &str) -> Option<usize> {
        if let Some(i) = self.by_id.get(&id.to_lowercase()) {
            return Some(*i);
        }
        match self.by_tail.get(&id_tail(id)).map(Vec::as_slice) {
            Some([one]) => {
                if let Some(r) = self.resources.get(*one) {
                    self.assume_tail_match(id, format!("`{}`", r.id));
                }
                Some(*one)
            }
            _ => None,
        }
    }

    /// Records that the reference `id` was taken to mean `meant` by the end of its id alone.
    fn assume_tail_match(&self, id: &str, meant: String) {
        self.tail_matches
            .borrow_mut()
            .insert((id.to_string(), meant));
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
        if self.used.contains(&(ns, name.clone())) {
            // Resume where the last renaming of this name stopped: each suffix is tried once.
            let next = self
                .next_suffix
                .entry((ns, preferred.to_string()))
                .or_insert(2);
            loop {
                name = format!("{preferred}-{next}");
                *next += 1;
                if !self.used.contains(&(ns, name.clone())) {
                    break;
                }
            }
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

    /// Withdraws the name of a resource left out after all, so that nothing refers to it (the
    /// name stays used: no other resource takes it).
    pub fn forget(&mut self, ns: Ns, id: &str) {
        if let Some(name) = self.names.remove(&(ns, id.to_lowercase())) {
            let tail = (ns, format!("tail:{}", id_tail(id)));
            if self.names.get(&tail) == Some(&name) {
                self.names.remove(&tail);
            }
        }
    }

    /// The name given to the resource `id`, if it was imported.
    pub fn name_of(&self, ns: Ns, id: &str) -> Option<String> {
        if let Some(n) = self.names.get(&(ns, id.to_lowercase())) {
            return Some(n.clone());
        }
        let tail = id_tail(id);
        // Several resources end the same way: the reference is not guessed at.
        if self.by_tail.get(&tail).is_some_and(|all| all.len() > 1) {
            return None;
        }
        let n = self.names.get(&(ns, format!("tail:{tail}")))?;
        self.assume_tail_match(id, format!("the imported `{n}`"));
        Some(n.clone())
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

    /// The prefix of an imported subnet (`vnet/subnet`).
    pub fn subnet_prefix(&self, subnet: &str) -> Option<String> {
        let (vnet, name) = subnet.split_once('/')?;
        let v = self.doc.vnets.iter().find(|v| v.name.value == vnet)?;
        let s = v.subnets.iter().find(|s| s.name.value == name)?;
        Some(s.prefix.value.clone())
    }

    /// The address Azure allocates to the next dynamic configuration in an imported subnet,
    /// stated as an assumption on the object (`section`, `name`) that gets it.
    pub fn allocate(&mut self, subnet: &str, section: Section, name: &str) -> Option<String> {
        let prefix = self.subnet_prefix(subnet)?;
        let ip = self.allocator.next(subnet, &prefix)?;
        let line = format!(
            "{name}: private IP `{ip}` assumed: the first free address from the fifth of `{subnet}` ({prefix}), as Azure allocates a dynamic address, in input order"
        );
        self.comment(section, name, line.clone());
        self.notes.assumptions.push(line);
        Some(ip)
    }

    /// A stand-in for the address of public IP `pip` that Azure allocates on deployment, stated
    /// as an assumption on the object (`section`, `name`) that uses it.
    pub fn stand_in_public_ip(
        &mut self,
        pip: &str,
        section: Section,
        name: &str,
    ) -> Option<String> {
        let ip = self.allocator.next_public()?;
        let line = format!(
            "{name}: public IP `{ip}` assumed for {pip}: Azure allocates its address on deployment; a documentation address (RFC 5737) stands in for it"
        );
        self.comment(section, name, line.clone());
        self.notes.assumptions.push(line);
        Some(ip)
    }

    /// Whether a service of that name is declared.
    pub fn is_service(&self, name: &str) -> bool {
        self.services.contains(name)
    }

    /// Records that a service of that name is declared.
    pub fn add_service(&mut self, name: &str) {
        self.services.insert(name.to_string());
    }

    /// Attaches a comment to an object.
    pub fn comment(&mut self, section: Section, name: &str, line: impl Into<String>) {
        self.notes.comment(section, name, line);
    }

    /// Records something left out.
    pub fn skip(&mut self, what: impl Into<String>, reason: impl Into<String>) {
        self.notes.skip(what, reason);
    }

    /// Lists each IPv6 value (`(JSON path, value)`) of `of` as left out: azpath models IPv4 only.
    pub fn skip_ipv6(&mut self, v6: &[(String, String)], of: &str) {
        for (path, value) in v6 {
            self.skip(
                format!("`{value}` of {of} at `{path}`"),
                "IPv6, which azpath does not model (IPv4 only)",
            );
        }
    }

    /// Says on an object, and in the list of what is left out, that a part of it that changes
    /// answers is not modelled.
    pub fn unmodelled(
        &mut self,
        section: Section,
        name: &str,
        what: impl Into<String>,
        reason: &str,
    ) {
        let what = what.into();
        self.comment(section, name, format!("{what}: {reason}"));
        self.skip(what, reason);
    }

    /// Records an object left out because a value in it is invalid, and says so on the object
    /// it belongs to (`on`), if that one is imported.
    pub fn invalid(&mut self, on: Option<(Section, &str)>, what: impl Into<String>, e: &Invalid) {
        let what = what.into();
        if let Some((section, name)) = on {
            self.comment(section, name, format!("left out {what}: {e}"));
        }
        self.notes.add(SkipKind::Invalid, what, e.to_string());
    }

    /// Records an address list entry that is a service tag, so that it gets declared.
    pub fn address(&mut self, a: &str) -> String {
        let a = a.trim();
        let is_tag = !a.starts_with(|c: char| c.is_ascii_digit()) && !a.contains(':');
        if a.eq_ignore_ascii_case("any") {
            return "*".into();
        }
        if is_tag && !built_in(a) {
            self.service_tags.insert(a.to_string());
        }
        a.to_string()
    }

    /// Records a service tag a route's prefix names, so that it gets declared.
    pub fn route_tag(&mut self, tag: &str) {
        let tag = tag.trim();
        if !built_in(tag) {
            self.service_tags.insert(tag.to_string());
        }
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
            (Ns::Asg, "Microsoft.Network/applicationSecurityGroups"),
            (Ns::IpGroup, "Microsoft.Network/ipGroups"),
            (Ns::NatGateway, "Microsoft.Network/natGateways"),
            (Ns::LoadBalancer, "Microsoft.Network/loadBalancers"),
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
        for (id, meant) in std::mem::take(&mut *self.tail_matches.borrow_mut()) {
            let why = if id.to_lowercase().starts_with("/providers/") {
                "the reference names no subscription or resource group"
            } else {
                "the reference's subscription or resource group is not the one in the input"
            };
            self.notes.assumptions.push(format!(
                "`{id}` is taken to mean {meant}, the only resource whose id ends the same way (`/providers/…`): {why}"
            ));
        }
        for tag in std::mem::take(&mut self.service_tags) {
            self.unmodelled(
                Section::ServiceTag,
                &tag,
                format!("prefixes of service tag `{tag}`"),
                "not in the input, so rules naming the tag match nothing and routes naming it cover no address: fill them with `azpath import --service-tags FILE` (the Service Tags download or `az network list-service-tags` output)",
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
            let id = r.id.to_lowercase();
            let orphan = parent_id(&id).filter(|p| !self.by_id.contains_key(*p));
            let reason = match orphan {
                // A template that adds a subnet, peering or route to a VNet, table or NSG that
                // already exists: the child means nothing without its parent.
                Some(parent) => format!(
                    "its parent {} is not in the input (the template changes a resource that exists already): give its JSON too, e.g. from `az resource show --ids`",
                    r.id.get(..parent.len()).unwrap_or(parent)
                ),
                None => unsupported(&r.kind).to_string(),
            };
            self.notes
                .skip(r.id.clone(), format!("{} ({})", reason, r.kind));
        }
        self.notes.converted = self.taken.iter().filter(|t| **t).count();
        self.notes.skipped.sort();
        self.notes.skipped.dedup();
        Imported {
            document: self.doc,
            notes: self.notes,
        }
    }
}

/// The id of the resource a child id belongs to: the id without its last type/name pair
/// (`…/routeTables/rt/routes/r` → `…/routeTables/rt`); `None` for a top-level resource.
fn parent_id(id: &str) -> Option<&str> {
    let at = id.rfind("/providers/")?;
    let tail = id.get(at + "/providers/".len()..)?;
    // namespace/type/name is a top-level resource; each further type/name pair is a child.
    if tail.trim_end_matches('/').split('/').count() < 5 {
        return None;
    }
    let cut = id.trim_end_matches('/').rfind('/')?;
    let cut = id.get(..cut)?.rfind('/')?;
    id.get(..cut)
}

/// Why a resource nobody took is left out.
fn unsupported(kind: &str) -> &'static str {
    let kind = kind.to_lowercase();
    match kind.as_str() {
        "microsoft.network/publicipaddresses" => {
            "not used by an imported firewall, NAT gateway, NIC or load balancer"
        },
        "microsoft.network/privateendpoints/privatednszonegroups" => {
            "zone groups create the record sets, which are imported themselves"
        }
        "microsoft.network/vpnsites" | "microsoft.network/vpngateways" => {
            "virtual WAN branches are not imported: declare them as hub `sites`"
        }
        "microsoft.network/expressroutegateways" | "microsoft.network/expressroutecircuits" => {
            "ExpressRoute circuits are not imported: declare hub `sites` or gateway `learned` routes"
        }
        "microsoft.network/networkwatchers" => "not part of the data plane",
        _ if kind.starts_with("microsoft.compute/") => {
            "virtual machines are imported through their network interfaces"
        }
        _ => "resource type not imported",
    }
}
