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
