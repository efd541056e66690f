//! Private DNS zones identified by resource group and name, tested end to end: a zone name in
//! several resource groups (one copy per region), what a VNet may link, `via` naming a copy,
//! the blast radius of a record changed in one copy, and the fixes proposed around copies.
//! Azure: "Azure Private Endpoint DNS integration"
//! (<https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration>) and
//! "Private Link FAQ" (<https://learn.microsoft.com/azure/private-link/private-link-faq>).

use super::suggest::testing::{flow, lesson, load};
use super::whatif::what_if;
use crate::dns::{resolve, DnsOutcome, Resolver};

const LESSON: &str = "dns/zone-copy-per-region.ron";

fn addresses(l: &crate::Loaded, vnet: &str, name: &str) -> Vec<String> {
    let v = l
        .network
        .vnets
        .iter_ids()
        .find(|(_, x)| x.name == vnet)
        .map(|(i, _)| i)
        .unwrap();
    match resolve(&l.network, Resolver::Vnet(v), name).outcome {
        DnsOutcome::Resolved { addresses } => addresses.iter().map(ToString::to_string).collect(),
        other => vec![format!("{other:?}")],
    }
}

/// Two VNets, each linked to its own copy of the OpenAI privatelink zone; `zones` replaces the
/// zones.
fn two_copies(zones: &str) -> Result<crate::Loaded, crate::LoadError> {
    crate::load_str(
        "t.ron",
        &format!(
            r#"Scenario(
        vnets: [
            (name: "west", region: "westus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
            (name: "east", region: "eastus", address_space: ["10.2.0.0/16"], subnets: [(name: "app", prefix: "10.2.1.0/24")]),
        ],
        dns: (zones: [{zones}]),
    )"#
        ),
    )
}

fn error_text(r: Result<crate::Loaded, crate::LoadError>) -> String {
    match r {
        Ok(_) => panic!("loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_zone_name_in_two_resource_groups_is_two_zones_each_answering_its_own_vnets() {
    let l = lesson(LESSON);
    assert_eq!(l.network.dns.zones.len(), 2);
    assert_eq!(
        addresses(&l, "vnet-west", "contoso-aoai.openai.azure.com"),
        ["10.1.2.4"]
    );
    assert_eq!(
        addresses(&l, "vnet-east", "contoso-aoai.openai.azure.com"),
        ["10.2.2.4"]
    );
}

#[test]
fn two_zones_of_one_name_need_a_resource_group_each() {
    let e = error_text(two_copies(
        r#"(name: "privatelink.openai.azure.com", links: ["west"]), (name: "privatelink.openai.azure.com", links: ["east"])"#,
    ));
    assert!(e.contains("without a resource group"), "{e}");
}

#[test]
fn one_resource_group_and_name_given_twice_is_one_zone_declared_twice() {
    let e = error_text(two_copies(
        r#"(name: "privatelink.openai.azure.com", resource_group: "rg-a", links: ["west"]), (name: "Privatelink.OpenAI.azure.com", resource_group: "RG-A", links: ["east"])"#,
    ));
    assert!(e.contains("declared twice"), "{e}");
}

#[test]
fn a_vnet_cannot_be_linked_to_two_zones_of_the_same_name() {
    let e = error_text(two_copies(
        r#"(name: "privatelink.openai.azure.com", resource_group: "rg-a", links: ["west"]), (name: "privatelink.openai.azure.com", resource_group: "rg-b", links: ["west", "east"])"#,
    ));
    assert!(
        e.contains("vnet `west` is linked to zone `rg-a/privatelink.openai.azure.com` already"),
        "{e}"
    );
}

#[test]
fn a_resource_group_name_azure_refuses_is_refused() {
    let e = error_text(two_copies(
        r#"(name: "privatelink.openai.azure.com", resource_group: "rg.", links: ["west"])"#,
    ));
    assert!(e.contains("resource group name `rg.`"), "{e}");
}

#[test]
fn via_names_a_copy_by_resource_group_and_refuses_a_name_two_copies_share() {
    // The lesson's questions name each copy by `resource-group/name` and pass.
    let l = lesson(LESSON);
    let report = crate::expect::check(&l.network, l.dataplane());
    assert_eq!(report.passed(), 4, "{report:?}");
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios")
            .join(LESSON),
    )
    .unwrap()
    .replace(
        r#"via: ["rg-dns-westus/privatelink.openai.azure.com"]"#,
        r#"via: ["privatelink.openai.azure.com"]"#,
    );
    let e = error_text(crate::load_str("t.ron", &text));
    assert!(e.contains("names 2 zones, one per resource group"), "{e}");
}

#[test]
fn a_record_repointed_in_one_copy_moves_only_that_copys_clients() {
    let base = lesson(LESSON);
    let mut doc = base.document.clone();
    // The East copy's record re-pointed at the West endpoint (a failover done in one copy).
    let east = doc
        .dns
        .zones
        .iter_mut()
        .find(|z| {
            z.resource_group
                .as_ref()
                .is_some_and(|r| r.value == "rg-dns-eastus")
        })
        .unwrap();
    east.records[0].a[0].value = "10.1.2.4".into();
    let variant = crate::load_document(base.source.clone(), doc).unwrap();
    let answer = what_if(&base, &variant, &[]);
    assert!(!answer.resolutions.is_empty());
    assert!(
        answer
            .resolutions
            .iter()
            .all(|r| r.from == "vm-east" || r.from == "vnet-east"),
        "{:?}",
        answer.resolutions
    );
    // The East client now crosses into West US; the West client's path is unchanged.
    assert!(answer.flows.iter().any(|f| f.flow.from == "vm-east"));
    assert!(
        answer.flows.iter().all(|f| f.flow.from != "vm-west"),
        "{:?}",
        answer.flows
    );
}

#[test]
fn a_zone_copy_is_never_proposed_for_a_vnet_already_linked_to_one_of_its_name() {
    let l = lesson(LESSON);
    let f = flow("vm-west", "contoso-aoai.openai.azure.com");
    let d = super::suggest::testing::diagnosis(&l, &f);
    let scope = super::suggest::Scope::of(&l, &f, &d);
    assert!(super::suggest::link_zone::candidates(&scope).is_empty());
}

#[test]
fn a_fix_names_the_zone_copy_by_its_resource_group_in_az_commands() {
    let l = load(
        r#"Scenario(
        vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "a", prefix: "10.0.1.0/24")])],
        dns: (zones: [(name: "privatelink.blob.core.windows.net", resource_group: "rg-dns", records: [(name: "acct", a: ["10.0.1.9"])])]),
    )"#,
    );
    let found = super::suggest::record::holding(&l.network, "10.0.1.9".parse().unwrap());
    assert_eq!(
        found[0].zone.name,
        "rg-dns/privatelink.blob.core.windows.net"
    );
}
