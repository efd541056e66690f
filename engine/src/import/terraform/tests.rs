use super::*;

#[test]
fn a_plan_reads_both_sides_and_resolves_ids_known_after_apply_from_the_configuration() {
    let plan = serde_json::json!({
        "format_version": "1.2",
        "prior_state": {"values": {"root_module": {"resources": [
            {"address": "azurerm_route_table.rt", "mode": "managed", "type": "azurerm_route_table",
             "values": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt", "name": "rt",
                        "resource_group_name": "rg", "location": "westeurope", "route": []}}
        ]}}},
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_route_table.rt", "mode": "managed", "type": "azurerm_route_table",
             "values": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt", "name": "rt",
                        "resource_group_name": "rg", "location": "westeurope",
                        "route": [{"name": "default", "address_prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": "10.0.1.4"}]}},
            {"address": "azurerm_subnet.app", "mode": "managed", "type": "azurerm_subnet",
             "values": {"name": "app", "resource_group_name": "rg", "virtual_network_name": "vnet", "address_prefixes": ["10.0.2.0/24"]}},
            {"address": "azurerm_subnet_route_table_association.app", "mode": "managed", "type": "azurerm_subnet_route_table_association",
             "values": {"route_table_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt"}}
        ]}},
        "resource_changes": [{"address": "azurerm_subnet.app", "change": {"after_unknown": {"id": true}}}],
        "configuration": {"root_module": {"resources": [
            {"address": "azurerm_subnet_route_table_association.app",
             "expressions": {"subnet_id": {"references": ["azurerm_subnet.app.id", "azurerm_subnet.app"]}}}
        ]}}
    });
    let prior = read(&plan, Side::Prior);
    assert_eq!(prior.resources.len(), 1);
    assert_eq!(
        prior.resources[0].1["properties"]["routes"],
        serde_json::json!([])
    );
    let planned = read(&plan, Side::Planned);
    let subnet = planned
        .resources
        .iter()
        .find(|(_, r)| r["name"] == "app")
        .unwrap();
    assert_eq!(
        subnet.1["properties"]["routeTable"]["id"],
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt"
    );
    assert_eq!(subnet.0, "/planned_values/root_module/resources/1");
    assert!(planned
        .assumptions
        .iter()
        .any(|a| a.contains("subnet_id is known after apply")));
}
