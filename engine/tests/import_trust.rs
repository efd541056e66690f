//! What import does when the input does not say exactly: references matched by the end of
//! their id are stated, ambiguous ones are not guessed, and the count of resources imported
//! counts only those converted.

use azpath_engine::import::{import_files, Imported};

const SUB1: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";
const SUB2: &str = "/subscriptions/00000000-0000-0000-0000-000000000002";

/// A VNet whose subnet names route table `rt_ref`, with the route tables at `tables`.
fn estate(rt_ref: &str, tables: &[&str]) -> Imported {
    let mut resources = vec![serde_json::json!({
        "id": format!("{SUB1}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/vnet"),
        "name": "vnet", "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "app", "properties": {"addressPrefix": "10.0.1.0/24", "routeTable": {"id": rt_ref}}}]}
    })];
    for t in tables {
        resources.push(serde_json::json!({
            "id": t, "name": "rt", "type": "Microsoft.Network/routeTables", "location": "westeurope",
            "properties": {"routes": []}
        }));
    }
    import_files(&[(
        "estate.json".to_string(),
        serde_json::Value::Array(resources).to_string(),
    )])
    .unwrap()
}

fn route_table(imported: &Imported) -> Option<String> {
    imported.document.vnets[0].subnets[0]
        .route_table
        .as_ref()
        .map(|t| t.value.clone())
}

#[test]
fn a_reference_matched_by_the_end_of_its_id_alone_is_a_stated_assumption() {
    let reference =
        format!("{SUB2}/resourceGroups/rg-b/providers/Microsoft.Network/routeTables/rt");
    let held = format!("{SUB1}/resourceGroups/rg-a/providers/Microsoft.Network/routeTables/rt");
    let imported = estate(&reference, &[&held]);
    assert_eq!(route_table(&imported).as_deref(), Some("rt"));
    assert!(
        imported.notes.assumptions.iter().any(|a| a.starts_with(&format!(
            "`{reference}` is taken to mean the imported `rt`, the only resource whose id ends the same way"
        )) && a.contains("subscription or resource group is not the one in the input")),
        "{:#?}",
        imported.notes.assumptions
    );
    // An exact match states nothing.
    let exact = estate(&held, &[&held]);
    assert_eq!(route_table(&exact).as_deref(), Some("rt"));
    assert!(
        !exact
            .notes
            .assumptions
            .iter()
            .any(|a| a.contains("is taken to mean")),
        "{:#?}",
        exact.notes.assumptions
    );
}

#[test]
fn a_reference_whose_id_ends_like_two_resources_is_not_guessed() {
    let reference =
        format!("{SUB2}/resourceGroups/rg-c/providers/Microsoft.Network/routeTables/rt");
    let a = format!("{SUB1}/resourceGroups/rg-a/providers/Microsoft.Network/routeTables/rt");
    let b = format!("{SUB1}/resourceGroups/rg-b/providers/Microsoft.Network/routeTables/rt");
    let imported = estate(&reference, &[&a, &b]);
    assert_eq!(route_table(&imported), None, "{:#?}", imported.notes);
}

#[test]
fn the_summary_counts_only_the_resources_converted_not_those_read() {
    let watcher = serde_json::json!([{
        "id": format!("{SUB1}/resourceGroups/rg-a/providers/Microsoft.Network/networkWatchers/nw"),
        "name": "nw", "type": "Microsoft.Network/networkWatchers", "location": "westeurope",
        "properties": {}
    }]);
    let imported = import_files(&[("nw.json".to_string(), watcher.to_string())]).unwrap();
    let summary = azpath_engine::import::summary(&imported);
    assert!(
        summary.starts_with("imported 0 of 1 resource(s) read:"),
        "{summary}"
    );
    let held = format!("{SUB1}/resourceGroups/rg-a/providers/Microsoft.Network/routeTables/rt");
    let two = estate(&held, &[&held]);
    assert!(
        azpath_engine::import::summary(&two).starts_with("imported 2 of 2 resource(s) read:"),
        "{}",
        azpath_engine::import::summary(&two)
    );
}

#[test]
fn a_terraform_child_whose_parent_name_is_unknown_is_listed_not_attached_to_a_guessed_parent() {
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_route_table.rt", "mode": "managed", "type": "azurerm_route_table",
             "values": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt", "name": "rt",
                        "resource_group_name": "rg", "location": "westeurope", "route": []}},
            {"address": "azurerm_route.r", "mode": "managed", "type": "azurerm_route",
             "values": {"name": "r", "resource_group_name": "rg",
                        "address_prefix": "0.0.0.0/0", "next_hop_type": "Internet"}}
        ]}},
        "resource_changes": [{"address": "azurerm_route.r", "change": {"after_unknown": {"id": true, "route_table_name": true}}}]
    });
    let imported = import_files(&[("plan.json".to_string(), plan.to_string())]).unwrap();
    assert!(imported.document.route_tables[0].routes.is_empty());
    assert!(
        imported.notes.assumptions.iter().any(|a| a.starts_with(
            "azurerm_route.r.route_table_name is neither given nor named by one resource"
        )),
        "{:#?}",
        imported.notes.assumptions
    );
    assert!(
        imported
            .notes
            .skipped
            .iter()
            .any(|s| s.what.contains("route_table_name-unknown/routes/r")
                && s.reason.contains("is not in the input")),
        "{:#?}",
        imported.notes.skipped
    );
}
