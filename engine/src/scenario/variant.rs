//! Variants: a scenario that `extends` another and states only what differs.
//!
//! A what-if ("the same estate, but the zone linked to the spoke") is easiest to read when the
//! file holds the change and nothing else. Merging happens on documents, before names are
//! resolved, so the merged document is validated exactly like a hand-written one:
//!
//! 1. the base's objects are taken over;
//! 2. every name in the variant's `remove` list leaves the base (an error if nothing has it);
//! 3. every object the variant declares replaces the base's object of the same name, or is
//!    added. VNets merge their subnets by name (a re-declared VNet keeps the base's other
//!    subnets); peerings are named by their pair; the variant's questions, when it has any,
//!    replace the base's; its title, story and takeaway replace the base's when given;
//! 4. `assumptions` merge switch by switch: a switch the variant states (`true` or `false`)
//!    wins, one it does not mention keeps the base's value.
//!
//! A name the variant declares twice stays twice in the merged document, so it is reported as
//! a duplicate, located in the variant, exactly as in a plain file. Merging is linear in the
//! sizes of the two documents.

use std::collections::{BTreeSet, HashMap};

use super::{Document, PeeringDoc, Text, VnetDoc};
use crate::diag::{unknown_name_hint, Diagnostic};

/// How an object is named in a `remove` list and matched for replacement.
trait Keyed {
    fn key(&self) -> String;
}

macro_rules! keyed_by {
    ($field:ident: $($t:ty),+) => {
        $(impl Keyed for $t {
            fn key(&self) -> String {
                self.$field.value.clone()
            }
        })+
    };
}

keyed_by!(name: VnetDoc, super::SubnetDoc, super::RouteTableDoc, super::GatewayDoc,
    super::PrivateEndpointDoc, super::WorkloadDoc, super::NsgDoc, super::ServiceTagDoc,
    super::FirewallDoc, super::LoadBalancerDoc, super::VirtualHubDoc, super::ServiceDoc,
    super::InboundEndpointDoc, super::RulesetDoc, super::RecordDoc,
    super::AppServiceDoc, super::ApiManagementDoc, super::OnPremSiteDoc, super::NatGatewayDoc);
keyed_by!(service: super::ServicePrefixesDoc);
keyed_by!(name: super::ApplicationSecurityGroupDoc, super::IpGroupDoc);
keyed_by!(workload: super::ForwarderDoc);
keyed_by!(name: super::ConnectivityConfigurationDoc);
keyed_by!(name: super::AdminRuleCollectionDoc);

impl Keyed for super::ZoneDoc {
    /// `resource-group/zone-name` for a zone with a resource group (the same zone name may be in
    /// several), else the zone name.
    fn key(&self) -> String {
        super::zone_label(
            self.resource_group.as_ref().map(|t| t.value.as_str()),
            &self.name.value,
        )
    }
}

impl Keyed for PeeringDoc {
    /// `a<->b` with the two names in order, so either way of writing the pair matches.
    fn key(&self) -> String {
        peering_key(&self.between.0.value, &self.between.1.value)
    }
}

fn peering_key(a: &str, b: &str) -> String {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    format!("{a}<->{b}")
}

/// Normalises a name from a `remove` list (a peering may be written either way round).
fn normalise(name: &str) -> String {
    match name.split_once("<->") {
        Some((a, b)) => peering_key(a.trim(), b.trim()),
        None => name.to_string(),
    }
}

/// Replaces same-named objects of `base` with `over`'s, appending the new ones, in order, in
/// time linear in the two lists. Only a base object is replaced: a name `over` gives twice
/// keeps both objects, so the merged document reports the duplicate where `over` wrote it, as
/// a plain file does.
fn overlay<T: Keyed>(base: &mut Vec<T>, over: Vec<T>) {
    overlay_with(base, over, |slot, item| *slot = item);
}

/// [`overlay`] with `replace` deciding how a base object takes the variant's.
fn overlay_with<T: Keyed>(base: &mut Vec<T>, over: Vec<T>, replace: impl Fn(&mut T, T)) {
    if over.is_empty() {
        return;
    }
    let mut index: HashMap<String, usize> = HashMap::with_capacity(base.len());
    for (i, item) in base.iter().enumerate() {
        index.entry(item.key()).or_insert(i);
    }
    for item in over {
        // Removed once replaced, so a second object of the same name is appended.
        match index.remove(&item.key()).and_then(|i| base.get_mut(i)) {
            Some(slot) => replace(slot, item),
            None => base.push(item),
        }
    }
}

/// Drops the objects whose key is in `gone`, noting which keys matched.
fn drop_named<T: Keyed>(list: &mut Vec<T>, gone: &BTreeSet<String>, hit: &mut BTreeSet<String>) {
    list.retain(|item| {
        let key = item.key();
        let drop = gone.contains(&key);
        if drop {
            hit.insert(key);
        }
        !drop
    });
}

/// Every name a `remove` list can use in `doc`, for did-you-mean hints and the README.
pub fn object_keys(doc: &Document) -> Vec<String> {
    fn keys<T: Keyed>(list: &[T]) -> impl Iterator<Item = String> + '_ {
        list.iter().map(Keyed::key)
    }
    let subnets = doc.vnets.iter().flat_map(|v| {
        v.subnets
            .iter()
            .map(move |s| format!("{}/{}", v.name.value, s.name.value))
    });
    let dns = &doc.dns;
    keys(&doc.vnets)
        .chain(subnets)
        .chain(keys(&doc.peerings))
        .chain(keys(&doc.route_tables))
        .chain(keys(&doc.gateways))
        .chain(keys(&doc.service_endpoint_prefixes))
        .chain(keys(&doc.private_endpoints))
        .chain(keys(&doc.workloads))
        .chain(keys(&doc.nsgs))
        .chain(keys(&doc.service_tags))
        .chain(keys(&doc.security_admin_rules))
        .chain(keys(&doc.application_security_groups))
        .chain(keys(&doc.ip_groups))
        .chain(keys(&doc.firewalls))
        .chain(keys(&doc.load_balancers))
        .chain(keys(&doc.nat_gateways))
        .chain(keys(&doc.virtual_hubs))
        .chain(keys(&doc.services))
        .chain(keys(&dns.zones))
        .chain(keys(&dns.forwarders))
        .chain(keys(&dns.inbound_endpoints))
        .chain(keys(&dns.rulesets))
        .chain(keys(&dns.public_records))
        .chain(keys(&doc.app_services))
        .chain(keys(&doc.api_managements))
        .chain(keys(&doc.sites))
        .chain(keys(&doc.connectivity_configurations))
        .collect()
}

/// Applies `variant` to `base` (see the module documentation). Errors point into the variant:
/// a `remove` entry that names nothing in the base.
pub fn merge(mut base: Document, variant: Document) -> Result<Document, Vec<Diagnostic>> {
    let known = object_keys(&base);
    let gone: BTreeSet<String> = variant.remove.iter().map(|n| normalise(&n.value)).collect();
    let mut hit = BTreeSet::new();
    remove(&mut base, &gone, &mut hit);
    let errors: Vec<Diagnostic> = variant
        .remove
        .iter()
        .filter(|n| !hit.contains(&normalise(&n.value)))
        .map(|n| unknown(n, &known))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }

    // Taken apart field by field (no `..`), so a section added to the document cannot be left
    // out of the merge without the compiler saying so.
    let Document {
        extends,
        remove: _,
        title,
        story,
        takeaway,
        assumptions,
        vnets,
        peerings,
        route_tables,
        gateways,
        service_endpoint_prefixes,
        private_endpoints,
        workloads,
        nsgs,
        service_tags,
        security_admin_rules,
        application_security_groups,
        ip_groups,
        firewalls,
        load_balancers,
        virtual_hubs,
        services,
        dns:
            super::DnsDoc {
                zones,
                forwarders,
                inbound_endpoints,
                rulesets,
                public_records,
            },
        app_services,
        api_managements,
        questions,
        sites,
        nat_gateways,
        virtual_wan,
        connectivity_configurations,
    } = variant;
    overlay_with(&mut base.vnets, vnets, |slot, vnet| {
        let mut subnets = std::mem::take(&mut slot.subnets);
        let VnetDoc {
            name,
            region,
            address_space,
            subnets: new_subnets,
            dns_servers,
        } = vnet;
        overlay(&mut subnets, new_subnets);
        *slot = VnetDoc {
            name,
            region,
            address_space,
            subnets,
            dns_servers,
        };
    });
    overlay(&mut base.peerings, peerings);
    overlay(&mut base.route_tables, route_tables);
    overlay(&mut base.gateways, gateways);
    overlay(
        &mut base.service_endpoint_prefixes,
        service_endpoint_prefixes,
    );
    overlay(&mut base.private_endpoints, private_endpoints);
    overlay(&mut base.workloads, workloads);
    overlay(&mut base.nsgs, nsgs);
    overlay(&mut base.service_tags, service_tags);
    overlay(&mut base.security_admin_rules, security_admin_rules);
    overlay(
        &mut base.application_security_groups,
        application_security_groups,
    );
    overlay(&mut base.ip_groups, ip_groups);
    overlay(&mut base.firewalls, firewalls);
    overlay(&mut base.load_balancers, load_balancers);
    overlay(&mut base.nat_gateways, nat_gateways);
    overlay(&mut base.virtual_hubs, virtual_hubs);
    overlay(&mut base.services, services);
    overlay(&mut base.dns.zones, zones);
    overlay(&mut base.dns.forwarders, forwarders);
    overlay(&mut base.dns.inbound_endpoints, inbound_endpoints);
    overlay(&mut base.dns.rulesets, rulesets);
    overlay(&mut base.dns.public_records, public_records);
    overlay(&mut base.app_services, app_services);
    overlay(&mut base.api_managements, api_managements);
    overlay(&mut base.sites, sites);
    if virtual_wan.is_some() {
        base.virtual_wan = virtual_wan;
    }
    overlay(
        &mut base.connectivity_configurations,
        connectivity_configurations,
    );
    if !questions.is_empty() {
        base.questions = questions;
    }
    if !title.is_empty() {
        base.title = title;
    }
    if story.is_some() {
        base.story = story;
    }
    if takeaway.is_some() {
        base.takeaway = takeaway;
    }
    base.assumptions.overlay(&assumptions);
    base.extends = extends;
    base.remove = Vec::new();
    Ok(base)
}

fn remove(doc: &mut Document, gone: &BTreeSet<String>, hit: &mut BTreeSet<String>) {
    if gone.is_empty() {
        return;
    }
    for vnet in &mut doc.vnets {
        let prefix = format!("{}/", vnet.name.value);
        vnet.subnets.retain(|s| {
            let key = format!("{prefix}{}", s.name.value);
            let drop = gone.contains(&key);
            if drop {
                hit.insert(key);
            }
            !drop
        });
    }
    drop_named(&mut doc.vnets, gone, hit);
    drop_named(&mut doc.peerings, gone, hit);
    drop_named(&mut doc.route_tables, gone, hit);
    drop_named(&mut doc.gateways, gone, hit);
    drop_named(&mut doc.service_endpoint_prefixes, gone, hit);
    drop_named(&mut doc.private_endpoints, gone, hit);
    drop_named(&mut doc.workloads, gone, hit);
    drop_named(&mut doc.nsgs, gone, hit);
    drop_named(&mut doc.service_tags, gone, hit);
    drop_named(&mut doc.security_admin_rules, gone, hit);
    drop_named(&mut doc.application_security_groups, gone, hit);
    drop_named(&mut doc.ip_groups, gone, hit);
    drop_named(&mut doc.firewalls, gone, hit);
    drop_named(&mut doc.load_balancers, gone, hit);
    drop_named(&mut doc.nat_gateways, gone, hit);
    drop_named(&mut doc.virtual_hubs, gone, hit);
    drop_named(&mut doc.services, gone, hit);
    drop_named(&mut doc.dns.zones, gone, hit);
    drop_named(&mut doc.dns.forwarders, gone, hit);
    drop_named(&mut doc.dns.inbound_endpoints, gone, hit);
    drop_named(&mut doc.dns.rulesets, gone, hit);
    drop_named(&mut doc.dns.public_records, gone, hit);
    drop_named(&mut doc.app_services, gone, hit);
    drop_named(&mut doc.api_managements, gone, hit);
    drop_named(&mut doc.sites, gone, hit);
    drop_named(&mut doc.connectivity_configurations, gone, hit);
}

fn unknown(name: &Text, known: &[String]) -> Diagnostic {
    let hint = unknown_name_hint(&name.value, known.iter().map(String::as_str), "object");
    Diagnostic::error(
        name.span,
        format!("`remove`: nothing named `{}` in the base", name.value),
    )
    .with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        crate::scenario::parse(&crate::scenario::SourceFile::new("t.ron", text)).unwrap()
    }

    const BASE: &str = r#"Scenario(title: "base",
        vnets: [(name: "hub", region: "eastus", address_space: ["10.0.0.0/16"],
                 subnets: [(name: "a", prefix: "10.0.1.0/24"), (name: "b", prefix: "10.0.2.0/24")]),
                (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"])],
        peerings: [(between: ("hub", "spoke"))],
        workloads: [(name: "vm", subnet: "hub/a", ip: "10.0.1.4")])"#;

    #[test]
    fn a_redeclared_vnet_keeps_the_base_subnets_it_does_not_mention() {
        let v = doc(
            r#"Scenario(vnets: [(name: "hub", region: "westus", address_space: ["10.0.0.0/16"],
            subnets: [(name: "b", prefix: "10.0.3.0/24"), (name: "c", prefix: "10.0.4.0/24")])])"#,
        );
        let m = merge(doc(BASE), v).unwrap();
        let hub = &m.vnets[0];
        assert_eq!(hub.region.value, "westus");
        let subnets: Vec<_> = hub
            .subnets
            .iter()
            .map(|s| (s.name.value.as_str(), s.prefix.value.as_str()))
            .collect();
        assert_eq!(
            subnets,
            [
                ("a", "10.0.1.0/24"),
                ("b", "10.0.3.0/24"),
                ("c", "10.0.4.0/24")
            ]
        );
        assert_eq!(m.title, "base");
    }

    #[test]
    fn remove_takes_subnets_peerings_either_way_round_and_objects() {
        let v = doc(r#"Scenario(remove: ["hub/b", "spoke<->hub", "vm"])"#);
        let m = merge(doc(BASE), v).unwrap();
        assert_eq!(m.vnets[0].subnets.len(), 1);
        assert!(m.peerings.is_empty() && m.workloads.is_empty());
    }

    #[test]
    fn variant_assumptions_merge_switch_by_switch_and_an_explicit_false_wins() {
        let base = doc(r#"Scenario(assumptions: (extra_reserved_prefixes: true,
            bgp_default_route_removes_reserved_routes: true))"#);
        let v = doc(
            r#"Scenario(assumptions: (bgp_default_route_removes_reserved_routes: false,
            virtual_network_tag_excludes_udr_prefixes: true))"#,
        );
        let m = merge(base, v).unwrap().assumptions.resolved();
        assert!(
            m.extra_reserved_prefixes,
            "an unmentioned switch keeps the base's value"
        );
        assert!(
            !m.bgp_default_route_removes_reserved_routes,
            "an explicit false wins"
        );
        assert!(
            m.virtual_network_tag_excludes_udr_prefixes,
            "an explicit true wins"
        );
    }

    #[test]
    fn a_variant_without_assumptions_keeps_the_base_switches() {
        let base = doc(r#"Scenario(assumptions: (extra_reserved_prefixes: true))"#);
        let m = merge(base, doc("Scenario()")).unwrap();
        assert!(m.assumptions.resolved().extra_reserved_prefixes);
    }

    #[test]
    fn a_name_given_twice_in_a_variant_stays_twice_to_be_reported() {
        let v = doc(
            r#"Scenario(workloads: [(name: "vm", subnet: "hub/a", ip: "10.0.1.5"),
            (name: "vm", subnet: "hub/a", ip: "10.0.1.6"), (name: "new", subnet: "hub/b", ip: "10.0.2.4"),
            (name: "new", subnet: "hub/b", ip: "10.0.2.5")],
            vnets: [(name: "hub", region: "eastus", address_space: ["10.0.0.0/16"],
                     subnets: [(name: "c", prefix: "10.0.5.0/24"), (name: "c", prefix: "10.0.6.0/24")])])"#,
        );
        let m = merge(doc(BASE), v).unwrap();
        let names: Vec<_> = m
            .workloads
            .iter()
            .map(|w| (w.name.value.as_str(), w.ip.value.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("vm", "10.0.1.5"),
                ("vm", "10.0.1.6"),
                ("new", "10.0.2.4"),
                ("new", "10.0.2.5")
            ]
        );
        let subnets: Vec<_> = m.vnets[0]
            .subnets
            .iter()
            .map(|s| s.name.value.as_str())
            .collect();
        assert_eq!(subnets, ["a", "b", "c", "c"]);
    }

    const ADMIN: &str = r#"security_admin_rules: [(name: "baseline", applies_to: ["spoke"], rules: [
        (name: "deny-ssh", priority: 10, direction: Inbound, access: Deny, protocol: Tcp,
         source: ["*"], source_ports: ["*"], destination: ["*"], destination_ports: ["22"])])]"#;

    #[test]
    fn a_variant_adds_security_admin_rule_collections() {
        let v = doc(&format!("Scenario({ADMIN})"));
        let m = merge(doc(BASE), v).unwrap();
        let names: Vec<_> = m
            .security_admin_rules
            .iter()
            .map(|c| c.name.value.as_str())
            .collect();
        assert_eq!(names, ["baseline"]);
    }

    #[test]
    fn a_variant_replaces_a_security_admin_rule_collection_by_name_and_can_remove_one() {
        let base = doc(&format!("Scenario({ADMIN})"));
        let v = doc(
            r#"Scenario(security_admin_rules: [(name: "baseline", applies_to: ["hub"], rules: [])])"#,
        );
        let m = merge(base.clone(), v).unwrap();
        let [only] = m.security_admin_rules.as_slice() else {
            panic!("one collection: {:?}", m.security_admin_rules);
        };
        assert_eq!(only.applies_to[0].value, "hub");
        assert!(only.rules.is_empty());
        let m = merge(base, doc(r#"Scenario(remove: ["baseline"])"#)).unwrap();
        assert!(m.security_admin_rules.is_empty());
    }

    #[test]
    fn removing_an_unknown_name_says_what_exists() {
        let v = doc(r#"Scenario(remove: ["hub/bb"])"#);
        let e = merge(doc(BASE), v).unwrap_err();
        assert!(e[0].message.contains("`hub/bb`"), "{}", e[0].message);
        assert_eq!(e[0].hint.as_deref(), Some("did you mean `hub/b`?"));
    }
}
