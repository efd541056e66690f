//! Service tags in imported estates: a UDR whose `addressPrefix` is a service tag is kept naming
//! the tag ("Virtual network traffic routing", section "Service tags for user-defined routes",
//! <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#service-tags-for-user-defined-routes>),
//! every tag met is declared, and the tags' ranges the input lacks are listed as left out.

use std::path::Path;

use azpath_engine::import::{import_files, to_ron, Imported};
use azpath_engine::scenario::RouteTableDoc;
use azpath_engine::{load_str, Loaded};

fn file(name: &str) -> (String, String) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(name);
    (name.to_string(), std::fs::read_to_string(p).unwrap())
}

fn load(imported: &Imported) -> Loaded {
    let ron = to_ron(imported).unwrap();
    load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"))
}

/// `(route name, prefix)` of each route of a table.
fn routes(t: &RouteTableDoc) -> Vec<(&str, &str)> {
    t.routes
        .iter()
        .map(|r| (r.name.value.as_str(), r.prefix.value.as_str()))
        .collect()
}

fn tags(imported: &Imported) -> Vec<(&str, usize)> {
    imported
        .document
        .service_tags
        .iter()
        .map(|t| (t.name.value.as_str(), t.prefixes.len()))
        .collect()
}

fn listed(imported: &Imported, what: &str) -> bool {
    imported.notes.skipped.iter().any(|s| s.what == what)
}

#[test]
fn a_udr_whose_address_prefix_is_a_service_tag_is_imported_naming_the_tag() {
    let imported = import_files(&[file("service-tags/estate.json")]).unwrap();
    let table = &imported.document.route_tables[0];
    assert_eq!(
        routes(table),
        [
            ("storage-regional", "Storage.WestEurope"),
            ("storage", "Storage"),
            ("cloud", "AzureCloud"),
            ("partner", "PartnerOnly"),
        ]
    );
    // Regional and top-level tags are declared alike, with the ranges the input lacks listed.
    assert_eq!(
        tags(&imported),
        [
            ("AzureCloud", 0),
            ("PartnerOnly", 0),
            ("Storage", 0),
            ("Storage.WestEurope", 0)
        ]
    );
    for tag in ["Storage.WestEurope", "Storage", "AzureCloud", "PartnerOnly"] {
        assert!(
            listed(&imported, &format!("prefixes of service tag `{tag}`")),
            "{tag}: {:#?}",
            imported.notes.skipped
        );
    }
    assert!(
        !imported
            .notes
            .skipped
            .iter()
            .any(|s| s.what.contains("route `")),
        "no route is left out: {:#?}",
        imported.notes.skipped
    );
    // The scenario loads; each route naming a tag without ranges says it covers nothing.
    let loaded = load(&imported);
    let warned: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warned
            .iter()
            .filter(|w| w.contains("declared with no prefixes"))
            .count(),
        4,
        "{warned:#?}"
    );
}

#[test]
fn a_terraform_route_whose_address_prefix_is_a_service_tag_is_imported_naming_the_tag() {
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_route_table.rt", "mode": "managed", "type": "azurerm_route_table",
             "values": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt", "name": "rt",
                        "resource_group_name": "rg", "location": "westeurope",
                        "route": [{"name": "storage", "address_prefix": "Storage.WestEurope", "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": "10.0.9.4"}]}},
            {"address": "azurerm_route.cloud", "mode": "managed", "type": "azurerm_route",
             "values": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt/routes/cloud", "name": "cloud",
                        "resource_group_name": "rg", "route_table_name": "rt",
                        "address_prefix": "AzureCloud", "next_hop_type": "None"}}
        ]}}
    });
    let imported = import_files(&[("plan.json".to_string(), plan.to_string())]).unwrap();
    let table = &imported.document.route_tables[0];
    assert_eq!(
        routes(table),
        [("storage", "Storage.WestEurope"), ("cloud", "AzureCloud")]
    );
    assert_eq!(
        tags(&imported),
        [("AzureCloud", 0), ("Storage.WestEurope", 0)]
    );
    assert!(listed(
        &imported,
        "prefixes of service tag `Storage.WestEurope`"
    ));
    load(&imported);
}

/// The network rules of a firewall, as `(name, source, destination)`.
fn network_rules(imported: &Imported, fw: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
    let values = |v: &[azpath_engine::scenario::Text]| -> Vec<String> {
        v.iter().map(|t| t.value.clone()).collect()
    };
    let f = imported
        .document
        .firewalls
        .iter()
        .find(|f| f.name.value == fw)
        .unwrap_or_else(|| panic!("no firewall {fw}"));
    f.rule_collection_groups
        .iter()
        .flat_map(|g| g.collections.iter())
        .flat_map(|c| c.network_rules.iter())
        .chain(f.network_rules.iter())
        .map(|r| {
            (
                r.name.value.clone(),
                values(&r.source),
                values(&r.destination),
            )
        })
        .collect()
}

#[test]
fn a_firewall_network_rule_takes_a_service_tag_as_its_destination_in_policies_and_classic_collections(
) {
    let imported = import_files(&[file("service-tags-firewalls.json")]).unwrap();
    assert_eq!(
        network_rules(&imported, "fw-hub"),
        [(
            "to-storage".to_string(),
            vec!["10.50.1.0/24".to_string()],
            vec!["Storage.WestEurope".to_string()]
        )]
    );
    assert_eq!(
        network_rules(&imported, "fw-classic"),
        [(
            "to-sql".to_string(),
            vec!["10.60.0.0/16".to_string()],
            vec!["Sql".to_string()]
        )]
    );
    assert_eq!(tags(&imported), [("Sql", 0), ("Storage.WestEurope", 0)]);
    assert!(listed(&imported, "prefixes of service tag `Sql`"));
    load(&imported);
}

#[test]
fn a_firewall_rule_naming_a_service_tag_as_its_source_is_refused_as_azure_takes_tags_as_destinations_only(
) {
    let imported = import_files(&[file("service-tags-firewalls.json")]).unwrap();
    for (rule, pointer) in [
        (
            "rule `rcg-paas/paas/from-cloud` of firewall `fw-hub`",
            "/sourceAddresses/0",
        ),
        (
            "rule `classic/data/from-sql` of firewall `fw-classic`",
            "/sourceAddresses/0",
        ),
    ] {
        let refused = imported
            .notes
            .skipped
            .iter()
            .find(|s| s.what == rule)
            .unwrap_or_else(|| panic!("{rule} not refused: {:#?}", imported.notes.skipped));
        assert_eq!(refused.kind, azpath_engine::import::SkipKind::Invalid);
        assert!(refused.reason.contains(pointer), "{}", refused.reason);
        assert!(
            refused.reason.contains("destinations only"),
            "{}",
            refused.reason
        );
    }
    // A refused rule declares nothing.
    assert!(!tags(&imported).iter().any(|(t, _)| *t == "AzureCloud"));
}
