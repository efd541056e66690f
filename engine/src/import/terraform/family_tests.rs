//! Plans of the firewall, NAT gateway and virtual WAN families: references known only after
//! apply, and what azpath does not model, listed with the resource's address.

use super::*;

const NET: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";

fn found<'r>(read: &'r Read, kind: &str) -> &'r Value {
    read.resources
        .iter()
        .find(|(_, r)| r["type"] == format!("Microsoft.Network/{kind}"))
        .map(|(_, r)| r)
        .unwrap_or_else(|| panic!("no {kind} in {:#?}", read.resources))
}

fn listed(read: &Read, needle: &str) -> bool {
    read.left_out.iter().any(|(_, why)| why.contains(needle))
}

#[test]
fn a_rule_collection_group_whose_policy_is_created_in_the_same_plan_joins_the_policy_the_configuration_names(
) {
    let plan = json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_firewall_policy.p", "mode": "managed", "type": "azurerm_firewall_policy",
             "values": {"name": "fwp", "resource_group_name": "rg", "location": "westeurope", "dns": [], "private_ip_ranges": null}},
            {"address": "azurerm_firewall_policy_rule_collection_group.g", "mode": "managed",
             "type": "azurerm_firewall_policy_rule_collection_group",
             "values": {"name": "rcg", "priority": 100, "network_rule_collection": [], "application_rule_collection": [], "nat_rule_collection": []}}
        ]}},
        "resource_changes": [
            {"address": "azurerm_firewall_policy.p", "change": {"after_unknown": {"id": true}}},
            {"address": "azurerm_firewall_policy_rule_collection_group.g", "change": {"after_unknown": {"id": true, "firewall_policy_id": true}}}
        ],
        "configuration": {"root_module": {"resources": [
            {"address": "azurerm_firewall_policy_rule_collection_group.g",
             "expressions": {"firewall_policy_id": {"references": ["azurerm_firewall_policy.p.id", "azurerm_firewall_policy.p"]}}}
        ]}}
    });
    let planned = read(&plan, Side::Planned);
    let policy = found(&planned, "firewallPolicies");
    let group = found(&planned, "firewallPolicies/ruleCollectionGroups");
    assert_eq!(
        group["id"],
        format!(
            "{}/ruleCollectionGroups/rcg",
            policy["id"].as_str().unwrap()
        )
    );
}

#[test]
fn a_rule_whose_ip_groups_are_known_after_apply_is_listed_not_guessed() {
    let plan = json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_firewall_policy_rule_collection_group.g", "mode": "managed",
             "type": "azurerm_firewall_policy_rule_collection_group",
             "values": {"name": "rcg", "priority": 100, "firewall_policy_id": format!("{NET}/firewallPolicies/fwp"),
                        "network_rule_collection": [{"name": "c", "priority": 100, "action": "Allow", "rule": [
                            {"name": "known", "protocols": ["TCP"], "source_addresses": ["10.0.0.0/8"], "destination_addresses": ["*"], "destination_ports": ["443"]},
                            {"name": "from-group", "protocols": ["TCP"], "destination_addresses": ["*"], "destination_ports": ["443"]}
                        ]}]}}
        ]}},
        "resource_changes": [
            {"address": "azurerm_firewall_policy_rule_collection_group.g", "change": {"after_unknown": {
                "network_rule_collection": [{"rule": [{}, {"source_ip_groups": true}]}]}}}
        ]
    });
    let planned = read(&plan, Side::Planned);
    assert!(
        listed(
            &planned,
            "azurerm_firewall_policy_rule_collection_group.g: rule `c/from-group`: its source_ip_groups are known after apply"
        ),
        "{:?}",
        planned.left_out
    );
    let group = found(&planned, "firewallPolicies/ruleCollectionGroups");
    let rules = &group["properties"]["ruleCollections"][0]["rules"];
    assert_eq!(rules.as_array().map(Vec::len), Some(1));
    assert_eq!(rules[0]["name"], "known");
    assert_eq!(rules[0]["ruleType"], "NetworkRule");
}

#[test]
fn a_policy_nat_rule_names_its_one_destination_address_as_azures_list() {
    let plan = json!({
        "format_version": "1.2",
        "values": {"root_module": {"resources": [
            {"address": "azurerm_firewall_policy_rule_collection_group.g", "mode": "managed",
             "type": "azurerm_firewall_policy_rule_collection_group",
             "values": {"name": "rcg", "priority": 100, "firewall_policy_id": format!("{NET}/firewallPolicies/fwp"),
                        "nat_rule_collection": [{"name": "in", "priority": 100, "action": "Dnat", "rule": [
                            {"name": "ssh", "protocols": ["TCP"], "source_addresses": ["*"], "destination_address": "203.0.113.4",
                             "destination_ports": ["22"], "translated_address": "10.0.1.4", "translated_port": 22}]}]}}
        ]}}
    });
    let state = read(&plan, Side::Planned);
    let group = found(&state, "firewallPolicies/ruleCollectionGroups");
    let c = &group["properties"]["ruleCollections"][0];
    assert_eq!(c["ruleCollectionType"], "FirewallPolicyNatRuleCollection");
    assert_eq!(
        c["rules"][0]["destinationAddresses"],
        json!(["203.0.113.4"])
    );
    assert_eq!(c["rules"][0]["ipProtocols"], json!(["TCP"]));
}

#[test]
fn a_classic_rule_collection_whose_firewall_is_not_in_the_input_is_listed() {
    let plan = json!({
        "format_version": "1.0",
        "values": {"root_module": {"resources": [
            {"address": "azurerm_firewall_network_rule_collection.n", "mode": "managed",
             "type": "azurerm_firewall_network_rule_collection",
             "values": {"name": "n", "azure_firewall_name": "fw-elsewhere", "resource_group_name": "rg", "priority": 100, "action": "Allow", "rule": []}}
        ]}}
    });
    let state = read(&plan, Side::Planned);
    assert!(
        listed(
            &state,
            "azurerm_firewall_network_rule_collection.n: its firewall /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/azureFirewalls/fw-elsewhere is not in the input"
        ),
        "{:?}",
        state.left_out
    );
}

#[test]
fn tls_inspection_headers_threat_intel_deny_and_the_explicit_proxy_are_listed_with_their_address() {
    let plan = json!({
        "format_version": "1.0",
        "values": {"root_module": {"resources": [
            {"address": "azurerm_firewall.fw", "mode": "managed", "type": "azurerm_firewall",
             "values": {"id": format!("{NET}/azureFirewalls/fw"), "name": "fw", "resource_group_name": "rg",
                        "threat_intel_mode": "Deny", "firewall_policy_id": null, "ip_configuration": []}},
            {"address": "azurerm_firewall_policy.p", "mode": "managed", "type": "azurerm_firewall_policy",
             "values": {"id": format!("{NET}/firewallPolicies/p"), "name": "p", "resource_group_name": "rg",
                        "explicit_proxy": [{"enabled": true}], "auto_learn_private_ranges_enabled": true,
                        "tls_certificate": [{"name": "ca", "key_vault_secret_id": "https://kv/secrets/ca"}]}},
            {"address": "azurerm_firewall_policy_rule_collection_group.g", "mode": "managed",
             "type": "azurerm_firewall_policy_rule_collection_group",
             "values": {"id": format!("{NET}/firewallPolicies/p/ruleCollectionGroups/g"), "name": "g", "priority": 100,
                        "firewall_policy_id": format!("{NET}/firewallPolicies/p"),
                        "application_rule_collection": [{"name": "web", "priority": 100, "action": "Allow", "rule": [
                            {"name": "inspect", "protocols": [{"type": "Https", "port": 443}], "source_addresses": ["*"],
                             "destination_fqdns": ["example.com"], "terminate_tls": true,
                             "http_headers": [{"name": "X-A", "value": "1"}], "destination_addresses": ["203.0.113.9"]}]}]}}
        ]}}
    });
    let state = read(&plan, Side::Planned);
    for needle in [
        "azurerm_firewall.fw.threat_intel_mode: `Deny`",
        "azurerm_firewall_policy.p.explicit_proxy",
        "azurerm_firewall_policy.p.auto_learn_private_ranges_enabled",
        "azurerm_firewall_policy_rule_collection_group.g.application_rule_collection/0/rule/0.terminate_tls: rule `web/inspect`: TLS inspection is not modelled",
        "application_rule_collection/0/rule/0.http_headers",
        "application_rule_collection/0/rule/0.destination_addresses",
    ] {
        assert!(listed(&state, needle), "no `{needle}` in {:#?}", state.left_out);
    }
    // TLS inspection of the policy is passed on as Azure holds it: the firewall import lists it.
    let policy = found(&state, "firewallPolicies");
    assert_eq!(
        policy["properties"]["transportSecurity"]["certificateAuthority"]["name"],
        "ca"
    );
}

#[test]
fn nat_gateway_public_ip_and_prefix_associations_become_the_gateways_lists() {
    let plan = json!({
        "format_version": "1.0",
        "values": {"root_module": {"resources": [
            {"address": "azurerm_nat_gateway_public_ip_prefix_association.p", "mode": "managed",
             "type": "azurerm_nat_gateway_public_ip_prefix_association",
             "values": {"nat_gateway_id": format!("{NET}/natGateways/ng"), "public_ip_prefix_id": format!("{NET}/publicIPPrefixes/pre")}},
            {"address": "azurerm_nat_gateway.ng", "mode": "managed", "type": "azurerm_nat_gateway",
             "values": {"id": format!("{NET}/natGateways/ng"), "name": "ng", "resource_group_name": "rg"}},
            {"address": "azurerm_nat_gateway_public_ip_association.a", "mode": "managed",
             "type": "azurerm_nat_gateway_public_ip_association",
             "values": {"nat_gateway_id": format!("{NET}/natGateways/ng"), "public_ip_address_id": format!("{NET}/publicIPAddresses/pip")}},
            {"address": "azurerm_nat_gateway_public_ip_association.other", "mode": "managed",
             "type": "azurerm_nat_gateway_public_ip_association",
             "values": {"nat_gateway_id": format!("{NET}/natGateways/elsewhere"), "public_ip_address_id": format!("{NET}/publicIPAddresses/pip")}}
        ]}}
    });
    let state = read(&plan, Side::Planned);
    let ng = found(&state, "natGateways");
    assert_eq!(
        ng["properties"]["publicIpAddresses"],
        json!([{"id": format!("{NET}/publicIPAddresses/pip")}])
    );
    assert_eq!(
        ng["properties"]["publicIpPrefixes"],
        json!([{"id": format!("{NET}/publicIPPrefixes/pre")}])
    );
    assert!(listed(
        &state,
        "azurerm_nat_gateway_public_ip_association.other: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/natGateways/elsewhere is not in the input"
    ));
}

#[test]
fn a_hub_connection_without_internet_security_takes_the_providers_default_false_and_route_maps_are_listed(
) {
    let plan = json!({
        "format_version": "1.0",
        "values": {"root_module": {"resources": [
            {"address": "azurerm_virtual_hub_connection.c", "mode": "managed", "type": "azurerm_virtual_hub_connection",
             "values": {"name": "c", "virtual_hub_id": format!("{NET}/virtualHubs/hub"),
                        "remote_virtual_network_id": format!("{NET}/virtualNetworks/v"),
                        "routing": [{"inbound_route_map_id": format!("{NET}/virtualHubs/hub/routeMaps/m"), "static_vnet_route": []}]}},
            {"address": "azurerm_virtual_hub.hub", "mode": "managed", "type": "azurerm_virtual_hub",
             "values": {"id": format!("{NET}/virtualHubs/hub"), "name": "hub", "resource_group_name": "rg", "location": "westeurope",
                        "address_prefix": "10.100.0.0/23", "route": [{"address_prefixes": ["10.9.0.0/16"], "next_hop_ip_address": "10.100.0.4"}]}}
        ]}}
    });
    let state = read(&plan, Side::Planned);
    let c = found(&state, "virtualHubs/hubVirtualNetworkConnections");
    assert_eq!(
        c["id"],
        format!("{NET}/virtualHubs/hub/hubVirtualNetworkConnections/c")
    );
    assert_eq!(c["properties"]["enableInternetSecurity"], false);
    assert!(listed(
        &state,
        "azurerm_virtual_hub_connection.c.routing.inbound_route_map_id"
    ));
    assert!(listed(
        &state,
        "azurerm_virtual_hub.hub.route: the hub's legacy route table is not modelled"
    ));
}

#[test]
fn hub_route_next_hops_known_after_apply_resolve_from_the_configuration_only_for_a_single_block() {
    let hub = format!("{NET}/virtualHubs/hub");
    let plan = json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_virtual_hub_routing_intent.i", "mode": "managed", "type": "azurerm_virtual_hub_routing_intent",
             "values": {"name": "i", "virtual_hub_id": hub, "routing_policy": [{"name": "Private", "destinations": ["PrivateTraffic"]}]}},
            {"address": "azurerm_virtual_hub_route_table.t", "mode": "managed", "type": "azurerm_virtual_hub_route_table",
             "values": {"name": "t", "virtual_hub_id": hub, "labels": ["x"], "route": [
                {"name": "a", "destinations_type": "CIDR", "destinations": ["10.1.0.0/16"], "next_hop_type": "ResourceId"},
                {"name": "b", "destinations_type": "CIDR", "destinations": ["10.2.0.0/16"], "next_hop_type": "ResourceId"}]}},
            {"address": "azurerm_firewall.fw", "mode": "managed", "type": "azurerm_firewall",
             "values": {"name": "fw", "resource_group_name": "rg", "ip_configuration": []}}
        ]}},
        "resource_changes": [
            {"address": "azurerm_virtual_hub_routing_intent.i", "change": {"after_unknown": {"id": true, "routing_policy": [{"next_hop": true}]}}},
            {"address": "azurerm_virtual_hub_route_table.t", "change": {"after_unknown": {"id": true, "route": [{"next_hop": true}, {"next_hop": true}]}}},
            {"address": "azurerm_firewall.fw", "change": {"after_unknown": {"id": true}}}
        ],
        "configuration": {"root_module": {"resources": [
            {"address": "azurerm_virtual_hub_routing_intent.i",
             "expressions": {"routing_policy": [{"next_hop": {"references": ["azurerm_firewall.fw.id", "azurerm_firewall.fw"]}}]}},
            {"address": "azurerm_virtual_hub_route_table.t",
             "expressions": {"route": [{"next_hop": {"references": ["azurerm_firewall.fw.id", "azurerm_firewall.fw"]}}]}}
        ]}}
    });
    let planned = read(&plan, Side::Planned);
    let intent = found(&planned, "virtualHubs/routingIntent");
    assert_eq!(intent["id"], format!("{hub}/routingIntent/i"));
    assert_eq!(
        intent["properties"]["routingPolicies"][0]["nextHop"],
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/azureFirewalls/fw"
    );
    let table = found(&planned, "virtualHubs/hubRouteTables");
    assert_eq!(table["properties"]["routes"], json!([]));
    assert!(listed(
        &planned,
        "azurerm_virtual_hub_route_table.t: block 0 of `route`: its next_hop is not known offline"
    ));
    assert!(listed(
        &planned,
        "azurerm_virtual_hub_route_table.t: block 1 of `route`"
    ));
}

#[test]
fn a_hub_connection_whose_propagated_tables_wait_for_apply_is_listed_not_given_azures_default() {
    let plan = json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_virtual_hub_connection.c", "mode": "managed", "type": "azurerm_virtual_hub_connection",
             "values": {"name": "c", "virtual_hub_id": format!("{NET}/virtualHubs/hub"),
                        "remote_virtual_network_id": format!("{NET}/virtualNetworks/v"), "internet_security_enabled": true,
                        "routing": [{"propagated_route_table": [{"labels": ["x"]}], "static_vnet_route": []}]}}
        ]}},
        "resource_changes": [
            {"address": "azurerm_virtual_hub_connection.c", "change": {"after_unknown": {"id": true,
                "routing": [{"propagated_route_table": [{"route_table_ids": true}]}]}}}
        ]
    });
    let planned = read(&plan, Side::Planned);
    assert!(planned
        .resources
        .iter()
        .all(|(_, r)| r["type"] != "Microsoft.Network/virtualHubs/hubVirtualNetworkConnections"));
    assert!(listed(
        &planned,
        "azurerm_virtual_hub_connection.c.routing.propagated_route_table.route_table_ids are known after apply"
    ));
}

#[test]
fn a_nic_nat_rule_association_whose_rule_is_not_in_the_input_is_listed() {
    let plan = json!({
        "format_version": "1.0",
        "values": {"root_module": {"resources": [
            {"address": "azurerm_network_interface_nat_rule_association.a", "mode": "managed",
             "type": "azurerm_network_interface_nat_rule_association",
             "values": {"network_interface_id": format!("{NET}/networkInterfaces/nic"), "ip_configuration_name": "ipconfig1",
                        "nat_rule_id": format!("{NET}/loadBalancers/lb/inboundNatRules/ssh")}},
            {"address": "azurerm_lb_probe.p", "mode": "managed", "type": "azurerm_lb_probe",
             "values": {"name": "p", "loadbalancer_id": format!("{NET}/loadBalancers/elsewhere"), "protocol": "Tcp", "port": 22}}
        ]}}
    });
    let state = read(&plan, Side::Planned);
    assert!(listed(&state, "azurerm_network_interface_nat_rule_association.a: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic (IP configuration `ipconfig1`)"));
    assert!(listed(&state, "azurerm_lb_probe.p: its load balancer /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/elsewhere is not in the input"));
}

#[test]
fn an_inline_subnet_without_default_outbound_access_is_a_private_subnet_as_a_separate_one_is() {
    let plan = json!({
        "format_version": "1.0",
        "values": {"root_module": {"resources": [
            {"address": "azurerm_virtual_network.v", "mode": "managed", "type": "azurerm_virtual_network",
             "values": {"id": format!("{NET}/virtualNetworks/v"), "name": "v", "resource_group_name": "rg",
                        "address_space": ["10.0.0.0/16"], "subnet": [
                            {"name": "private", "address_prefixes": ["10.0.1.0/24"], "default_outbound_access_enabled": false},
                            {"name": "open", "address_prefixes": ["10.0.2.0/24"], "default_outbound_access_enabled": true}]}}
        ]}}
    });
    let state = read(&plan, Side::Planned);
    let v = found(&state, "virtualNetworks");
    assert_eq!(
        v["properties"]["subnets"][0]["properties"]["defaultOutboundAccess"],
        false
    );
    assert!(v["properties"]["subnets"][1]["properties"]
        .get("defaultOutboundAccess")
        .is_none());
}
