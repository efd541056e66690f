use super::*;

fn deploy(tpl: Value, options: &ArmOptions) -> Expanded {
    expand("t.json", &tpl, options)
}

fn only(e: &Expanded) -> &Value {
    assert_eq!(e.resources.len(), 1, "{:#?}", e.resources);
    &e.resources[0].1
}

#[test]
fn a_parameter_takes_its_default_value_unless_given() {
    let tpl = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": {"name": {"type": "string", "defaultValue": "vnet-hub"},
                       "prefix": {"type": "string", "defaultValue": "[concat(parameters('base'), '/16')]"},
                       "base": {"type": "string", "defaultValue": "10.0.0.0"}},
        "resources": [{"type": "Microsoft.Network/virtualNetworks", "name": "[parameters('name')]",
            "location": "[resourceGroup().location]",
            "properties": {"addressSpace": {"addressPrefixes": ["[parameters('prefix')]"]}}}]
    });
    let e = deploy(tpl.clone(), &ArmOptions::default());
    let r = only(&e);
    assert_eq!(r["name"], "vnet-hub");
    assert_eq!(r["location"], LOCATION);
    assert_eq!(
        r["properties"]["addressSpace"]["addressPrefixes"][0],
        "10.0.0.0/16"
    );
    assert_eq!(
        r["id"],
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-imported/providers/Microsoft.Network/virtualNetworks/vnet-hub"
    );
    assert!(
        e.assumptions.iter().any(|a| a.contains("--location")),
        "{:?}",
        e.assumptions
    );
    let mut given = ArmOptions {
        location: Some("eastus".into()),
        resource_group: Some("rg-net".into()),
        ..ArmOptions::default()
    };
    given
        .parameters
        .insert("name".into(), Value::String("vnet-spoke".into()));
    let e = deploy(tpl, &given);
    assert_eq!(only(&e)["name"], "vnet-spoke");
    assert_eq!(only(&e)["location"], "eastus");
    assert!(e.assumptions.is_empty(), "{:?}", e.assumptions);
}

#[test]
fn variables_format_resource_id_and_if_evaluate_as_arm_does() {
    let tpl = serde_json::json!({
        "contentVersion": "1.0.0.0",
        "parameters": {"env": {"type": "string", "defaultValue": "prod"}},
        "variables": {"rt": "[format('rt-{0}-{1:D2}', parameters('env'), 3)]",
                      "rtId": "[resourceId('Microsoft.Network/routeTables', variables('rt'))]",
                      "hop": "[if(equals(parameters('env'), 'prod'), '10.0.1.4', '10.0.2.4')]"},
        "resources": [{"type": "Microsoft.Network/virtualNetworks/subnets", "name": "vnet/app",
            "properties": {"addressPrefix": "[cidrSubnet('10.0.0.0/16', 24, 2)]",
                           "routeTable": {"id": "[variables('rtId')]"},
                           "next": "[variables('hop')]",
                           "host": "[cidrHost('10.0.2.0/24', 3)]",
                           "mask": "[parseCidr('10.144.0.0/20').netmask]"}}]
    });
    let e = deploy(tpl, &ArmOptions::default());
    let p = &only(&e)["properties"];
    assert_eq!(p["addressPrefix"], "10.0.2.0/24");
    assert!(p["routeTable"]["id"]
        .as_str()
        .unwrap()
        .ends_with("/providers/Microsoft.Network/routeTables/rt-prod-03"));
    assert_eq!(p["next"], "10.0.1.4");
    // Learn: cidrHost counts from the first usable address (network + 1).
    assert_eq!(p["host"], "10.0.2.4");
    assert_eq!(p["mask"], "255.255.240.0");
}

#[test]
fn copy_loops_condition_and_property_copy_expand_as_deployed() {
    let tpl = serde_json::json!({
        "contentVersion": "1.0.0.0",
        "parameters": {"count": {"type": "int", "defaultValue": 3}},
        "resources": [
            {"type": "Microsoft.Network/virtualNetworks", "name": "[concat('vnet-', copyIndex(1))]",
             "copy": {"name": "vnets", "count": "[parameters('count')]"},
             "condition": "[not(equals(copyIndex(), 1))]",
             "properties": {"copy": [{"name": "subnets", "count": 2, "input": {
                "name": "[concat('s', copyIndex('subnets'))]",
                "properties": {"addressPrefix": "[concat('10.', copyIndex('vnets'), '.', copyIndex('subnets'), '.0/24')]"}}}]}}
        ]
    });
    let e = deploy(tpl, &ArmOptions::default());
    let names: Vec<&str> = e
        .resources
        .iter()
        .map(|(_, r)| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["vnet-1", "vnet-3"]);
    assert_eq!(
        e.resources[1].1["properties"]["subnets"][1]["properties"]["addressPrefix"],
        "10.2.1.0/24"
    );
    assert_eq!(e.resources[1].0, "/resources/0");
}

#[test]
fn a_deploy_time_value_is_listed_with_its_path_and_never_written_as_text() {
    let tpl = serde_json::json!({
        "contentVersion": "1.0.0.0",
        "resources": [{"type": "Microsoft.Network/networkInterfaces", "name": "nic",
            "properties": {"ipConfigurations": [{"name": "c", "properties": {
                "privateIPAddress": "[reference(resourceId('Microsoft.Network/networkInterfaces', 'other')).ipConfigurations[0].properties.privateIPAddress]",
                "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]"}}}]}}]
    });
    let e = deploy(tpl, &ArmOptions::default());
    let c = &only(&e)["properties"]["ipConfigurations"][0]["properties"];
    assert!(c["privateIPAddress"].is_null());
    assert!(c["subnet"]["id"]
        .as_str()
        .unwrap()
        .ends_with("/virtualNetworks/v/subnets/s"));
    assert_eq!(e.left_out.len(), 1);
    assert_eq!(
        e.left_out[0].at,
        "t.json#/resources/0/properties/ipConfigurations/0/properties/privateIPAddress"
    );
    assert!(matches!(e.left_out[0].failure, Failure::DeployTime(_)));
}

#[test]
fn symbolic_resources_and_nested_deployments_deploy_in_their_own_scope() {
    let tpl = serde_json::json!({
        "languageVersion": "2.0",
        "contentVersion": "1.0.0.0",
        "parameters": {"hubName": {"type": "string", "defaultValue": "hub"}},
        "resources": {
            "existingVnet": {"existing": true, "type": "Microsoft.Network/virtualNetworks", "name": "elsewhere"},
            "spokeDeployment": {"type": "Microsoft.Resources/deployments", "name": "spoke",
                "resourceGroup": "rg-spoke",
                "properties": {"expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {"name": {"value": "[concat(parameters('hubName'), '-spoke')]"}},
                    "template": {"contentVersion": "1.0.0.0",
                        "parameters": {"name": {"type": "string"}},
                        "resources": [{"type": "Microsoft.Network/routeTables", "name": "[parameters('name')]",
                            "location": "[resourceGroup().location]", "properties": {}}]}}},
            "hub": {"type": "Microsoft.Network/virtualNetworks", "name": "[parameters('hubName')]", "properties": {}}
        }
    });
    let e = deploy(tpl, &ArmOptions::default());
    let ids: Vec<&str> = e
        .resources
        .iter()
        .map(|(_, r)| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-imported/providers/Microsoft.Network/virtualNetworks/hub"));
    assert!(ids.contains(&"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-spoke/providers/Microsoft.Network/routeTables/hub-spoke"));
    let nested = e
        .resources
        .iter()
        .find(|(_, r)| r["name"] == "hub-spoke")
        .unwrap();
    assert_eq!(
        nested.0,
        "/resources/spokeDeployment/properties/template/resources/0"
    );
}

#[test]
fn a_parameter_with_no_value_is_listed_with_a_hint_not_guessed() {
    let tpl = serde_json::json!({
        "contentVersion": "1.0.0.0",
        "parameters": {"prefix": {"type": "string"}},
        "resources": [{"type": "Microsoft.Network/virtualNetworks", "name": "v",
            "properties": {"addressSpace": {"addressPrefixes": ["[parameters('prefix')]"]}}}]
    });
    let e = deploy(tpl, &ArmOptions::default());
    assert!(only(&e)["properties"]["addressSpace"]["addressPrefixes"][0].is_null());
    assert!(
        e.left_out[0]
            .failure
            .to_string()
            .contains("-p prefix=VALUE"),
        "{:?}",
        e.left_out
    );
}

#[test]
fn unique_string_is_deterministic_and_said_to_be_azpaths_own() {
    let tpl = serde_json::json!({
        "contentVersion": "1.0.0.0",
        "resources": [{"type": "Microsoft.Network/virtualNetworks", "name": "[concat('v', uniqueString(resourceGroup().id))]", "properties": {}}]
    });
    let a = deploy(tpl.clone(), &ArmOptions::default());
    let b = deploy(tpl, &ArmOptions::default());
    assert_eq!(only(&a)["name"], only(&b)["name"]);
    assert_eq!(only(&a)["name"].as_str().unwrap().len(), 14);
    assert!(a
        .assumptions
        .iter()
        .any(|s| s.starts_with("uniqueString()")));
}

#[test]
fn lambdas_map_and_filter_as_bicep_compiles_them() {
    let tpl = serde_json::json!({
        "contentVersion": "1.0.0.0",
        "parameters": {"subnets": {"type": "array", "defaultValue": [{"name": "a", "p": "10.0.0.0/24"}, {"name": "b", "p": "10.0.1.0/24"}]}},
        "resources": [{"type": "Microsoft.Network/virtualNetworks", "name": "v", "properties": {
            "subnets": "[map(filter(parameters('subnets'), lambda('s', not(equals(lambdaVariables('s').name, 'b')))), lambda('s', createObject('name', lambdaVariables('s').name, 'properties', createObject('addressPrefix', lambdaVariables('s').p))))]"}}]
    });
    let e = deploy(tpl, &ArmOptions::default());
    assert_eq!(
        only(&e)["properties"]["subnets"],
        serde_json::json!([{"name": "a", "properties": {"addressPrefix": "10.0.0.0/24"}}])
    );
}

#[test]
fn an_escaped_expression_in_an_outer_scope_template_is_evaluated_by_the_inner_deployment() {
    let inner = serde_json::json!({"type": "Microsoft.Resources/deployments", "name": "inner",
        "properties": {"expressionEvaluationOptions": {"scope": "inner"},
            "parameters": {"hub": {"value": "[[parameters('outerHub')]"}},
            "template": {"contentVersion": "1.0.0.0", "parameters": {"hub": {"type": "string"}},
                "resources": [{"type": "Microsoft.Network/routeTables",
                    "name": "[[concat(parameters('hub'), '-rt')]", "properties": {}}]}}});
    let tpl = serde_json::json!({
        "contentVersion": "1.0.0.0",
        "parameters": {"outerHub": {"type": "string", "defaultValue": "hub"}},
        "resources": [{"type": "Microsoft.Resources/deployments", "name": "outer",
            "properties": {"template": {"contentVersion": "1.0.0.0", "resources": [inner]}}}]
    });
    let e = deploy(tpl, &ArmOptions::default());
    assert_eq!(only(&e)["name"], "hub-rt", "{:?}", e.left_out);
}

#[test]
fn a_nullable_parameter_without_a_value_is_null_so_the_optional_parts_it_feeds_are_not_deployed() {
    // Bicep's `param lock lockType?` compiles to `"nullable": true`: no value is null, not missing.
    let tpl = serde_json::json!({
        "languageVersion": "2.0",
        "parameters": {"name": {"type": "string"},
                       "tags": {"type": "object", "nullable": true},
                       "lock": {"type": "object", "nullable": true},
                       "prefixes": {"type": "array", "nullable": true},
                       "required": {"type": "string"}},
        "resources": {
            "vnet": {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-01-01",
                "name": "[parameters('name')]", "tags": "[parameters('tags')]",
                "properties": {"addressSpace": {"addressPrefixes": "[coalesce(parameters('prefixes'), createArray('10.0.0.0/16'))]"}}},
            "vnet_lock": {"condition": "[and(not(empty(coalesce(parameters('lock'), createObject()))), not(equals(tryGet(parameters('lock'), 'kind'), 'None')))]",
                "type": "Microsoft.Authorization/locks", "apiVersion": "2020-05-01", "name": "lock",
                "properties": {"level": "[tryGet(parameters('lock'), 'kind')]"}}
        }
    });
    let mut options = ArmOptions::default();
    options
        .parameters
        .insert("name".into(), Value::String("vnet-a".into()));
    let e = deploy(tpl, &options);
    let r = only(&e);
    assert_eq!(r["name"], "vnet-a");
    assert_eq!(
        r["properties"]["addressSpace"]["addressPrefixes"][0],
        "10.0.0.0/16"
    );
    assert_eq!(e.not_deployed.len(), 1, "{:?}", e.not_deployed);
    // Only a parameter that is not nullable and has no value is reported as missing, and only
    // where it is used.
    assert!(e.left_out.is_empty(), "{} left out", e.left_out.len());
}

#[test]
fn a_resource_type_written_with_a_closing_slash_names_the_same_type_as_arm_reads_it() {
    let tpl = serde_json::json!({
        "resources": [{"type": "Microsoft.Network/routeTables", "name": "rt",
            "properties": {"note": "[resourceId('Microsoft.Network/publicIPAddresses/', 'pip')]"}}]
    });
    let e = deploy(tpl, &ArmOptions::default());
    assert_eq!(
        only(&e)["properties"]["note"],
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-imported/providers/Microsoft.Network/publicIPAddresses/pip"
    );
}
