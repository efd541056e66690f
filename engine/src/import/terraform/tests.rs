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

#[test]
fn a_name_known_after_apply_takes_a_stated_stand_in_and_children_follow_it() {
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_virtual_network.test[0]", "mode": "managed", "type": "azurerm_virtual_network",
             "values": {"resource_group_name": "rg", "location": "westeurope", "address_space": ["10.0.0.0/16"]}},
            {"address": "azurerm_subnet.test[0]", "mode": "managed", "type": "azurerm_subnet",
             "values": {"name": "app", "resource_group_name": "rg", "address_prefixes": ["10.0.1.0/24"]}}
        ]}},
        "resource_changes": [
            {"address": "azurerm_virtual_network.test[0]", "change": {"after_unknown": {"name": true, "id": true}}},
            {"address": "azurerm_subnet.test[0]", "change": {"after_unknown": {"virtual_network_name": true, "id": true}}}
        ],
        "configuration": {"root_module": {"resources": [
            {"address": "azurerm_subnet.test", "expressions": {"virtual_network_name": {"references": ["azurerm_virtual_network.test[0].name", "azurerm_virtual_network.test"]}}}
        ]}}
    });
    let planned = read(&plan, Side::Planned);
    let vnet = &planned.resources[0].1;
    assert_eq!(vnet["name"], "test-0");
    let subnet = &planned.resources[1].1;
    assert_eq!(
        subnet["id"],
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/test-0/subnets/app"
    );
    assert!(planned.assumptions.iter().any(|a| a
        .contains("azurerm_virtual_network.test[0].name is known after apply: taken as `test-0`")));
}

#[test]
fn nic_associations_public_ips_and_endpoints_become_the_properties_azure_holds() {
    let rg = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_network_interface_security_group_association.a", "mode": "managed",
             "type": "azurerm_network_interface_security_group_association",
             "values": {"network_interface_id": format!("{rg}/networkInterfaces/nic"), "network_security_group_id": format!("{rg}/networkSecurityGroups/nsg")}},
            {"address": "azurerm_network_interface.nic", "mode": "managed", "type": "azurerm_network_interface",
             "values": {"id": format!("{rg}/networkInterfaces/nic"), "name": "nic", "resource_group_name": "rg",
                        "ip_configuration": [{"name": "ip", "subnet_id": format!("{rg}/virtualNetworks/v/subnets/s"),
                                              "private_ip_address_allocation": "Dynamic", "public_ip_address_id": null}]}},
            {"address": "azurerm_private_endpoint.pe", "mode": "managed", "type": "azurerm_private_endpoint",
             "values": {"name": "pe", "resource_group_name": "rg", "subnet_id": format!("{rg}/virtualNetworks/v/subnets/s"),
                        "private_service_connection": [{"name": "c", "is_manual_connection": false,
                            "private_connection_resource_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
                            "subresource_names": ["blob"]}],
                        "private_dns_zone_group": [{"name": "default"}]}},
            {"address": "azurerm_private_dns_zone.blob", "mode": "managed", "type": "azurerm_private_dns_zone",
             "values": {"name": "privatelink.blob.core.windows.net", "resource_group_name": "rg"}}
        ]}},
        "resource_changes": [{"address": "azurerm_private_endpoint.pe", "change": {"after_unknown": {"id": true, "private_dns_zone_group": [{"private_dns_zone_ids": true}]}}}],
        "configuration": {"root_module": {"resources": [
            {"address": "azurerm_private_endpoint.pe", "expressions": {"private_dns_zone_group": [{"private_dns_zone_ids": {"references": ["azurerm_private_dns_zone.blob.id", "azurerm_private_dns_zone.blob"]}}]}}
        ]}}
    });
    let planned = read(&plan, Side::Planned);
    let find = |kind: &str| {
        planned
            .resources
            .iter()
            .find(|(_, r)| r["type"] == format!("Microsoft.Network/{kind}"))
            .map(|(_, r)| r.clone())
            .unwrap()
    };
    // The association, read before its NIC in address order, still lands on it.
    let nic = find("networkInterfaces");
    assert_eq!(
        nic["properties"]["networkSecurityGroup"]["id"],
        format!("{rg}/networkSecurityGroups/nsg")
    );
    // A known null is no public IP, not a reference to follow.
    assert!(nic["properties"]["ipConfigurations"][0]["properties"]
        .get("publicIPAddress")
        .is_none());
    let pe = find("privateEndpoints");
    assert_eq!(
        pe["properties"]["privateLinkServiceConnections"][0]["properties"]["groupIds"],
        serde_json::json!(["blob"])
    );
    let group = find("privateEndpoints/privateDnsZoneGroups");
    assert_eq!(
        group["id"],
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe/privateDnsZoneGroups/default"
    );
    assert_eq!(
        group["properties"]["privateDnsZoneConfigs"][0]["properties"]["privateDnsZoneId"],
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net"
    );
}

#[test]
fn an_id_known_after_apply_whose_expression_names_several_resources_is_left_out_not_guessed() {
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_subnet.a", "mode": "managed", "type": "azurerm_subnet",
             "values": {"name": "a", "resource_group_name": "rg", "virtual_network_name": "v", "address_prefixes": ["10.0.1.0/24"]}},
            {"address": "azurerm_subnet.b", "mode": "managed", "type": "azurerm_subnet",
             "values": {"name": "b", "resource_group_name": "rg", "virtual_network_name": "v", "address_prefixes": ["10.0.2.0/24"]}},
            {"address": "azurerm_network_interface.nic", "mode": "managed", "type": "azurerm_network_interface",
             "values": {"name": "nic", "resource_group_name": "rg", "ip_configuration": [{"name": "ip", "private_ip_address_allocation": "Dynamic"}]}}
        ]}},
        "configuration": {"root_module": {"resources": [
            {"address": "azurerm_network_interface.nic", "expressions": {"ip_configuration": [{"subnet_id": {"references": ["var.x", "azurerm_subnet.a.id", "azurerm_subnet.a", "azurerm_subnet.b.id", "azurerm_subnet.b"]}}]}}
        ]}}
    });
    let planned = read(&plan, Side::Planned);
    assert!(
        planned
            .left_out
            .iter()
            .any(|(_, why)| why.contains("names 2 resources")),
        "{:?}",
        planned.left_out
    );
    let nic = planned
        .resources
        .iter()
        .find(|(_, r)| r["name"] == "nic")
        .unwrap();
    assert!(nic.1["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"].is_null());
}
