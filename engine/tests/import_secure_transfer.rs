//! Importing a storage account's "secure transfer required" (`supportsHttpsTrafficOnly`,
//! <https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer>): a
//! private endpoint's target account gives it to each of its sub-resources; an account that
//! does not say keeps the field unset, so traces state what they take.

use azpath_engine::import::{import_files, Imported};

/// A VNet, and a blob private endpoint to each account `(name, properties)`.
fn estate(accounts: &[(&str, serde_json::Value)]) -> Imported {
    let mut resources = vec![serde_json::json!({
        "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet",
        "name": "vnet",
        "type": "Microsoft.Network/virtualNetworks",
        "location": "westeurope",
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                       "subnets": [{"name": "pe", "properties": {"addressPrefix": "10.0.2.0/24"}}]}
    })];
    for (i, (name, properties)) in accounts.iter().enumerate() {
        let account = format!(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/{name}"
        );
        resources.push(serde_json::json!({
            "id": account,
            "name": name,
            "type": "Microsoft.Storage/storageAccounts",
            "location": "westeurope",
            "properties": properties,
        }));
        resources.push(serde_json::json!({
            "id": format!("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe-{name}"),
            "name": format!("pe-{name}"),
            "type": "Microsoft.Network/privateEndpoints",
            "location": "westeurope",
            "properties": {
                "subnet": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe"},
                "privateLinkServiceConnections": [{"name": "c", "properties": {"privateLinkServiceId": account, "groupIds": ["blob"]}}],
                "customDnsConfigs": [{"fqdn": format!("{name}.blob.core.windows.net"), "ipAddresses": [format!("10.0.2.{}", i + 4)]}]
            }
        }));
    }
    let text = serde_json::Value::Array(resources).to_string();
    import_files(&[("estate.json".to_string(), text)]).unwrap()
}

fn secure_transfer(imported: &Imported, service: &str) -> Option<bool> {
    imported
        .document
        .services
        .iter()
        .find(|s| s.name.value == service)
        .unwrap_or_else(|| panic!("{service}: {:#?}", imported.document.services))
        .secure_transfer_required
        .as_ref()
        .map(|s| s.value)
}

#[test]
fn a_storage_accounts_supports_https_traffic_only_becomes_secure_transfer_required() {
    let i = estate(&[
        (
            "stsecure",
            serde_json::json!({"supportsHttpsTrafficOnly": true}),
        ),
        (
            "stlegacy",
            serde_json::json!({"supportsHttpsTrafficOnly": false}),
        ),
        ("stunsaid", serde_json::json!({})),
    ]);
    assert_eq!(secure_transfer(&i, "stsecure"), Some(true));
    assert_eq!(secure_transfer(&i, "stlegacy"), Some(false));
    assert_eq!(secure_transfer(&i, "stunsaid"), None);
    // The scenario written reads back with the setting.
    let ron = azpath_engine::import::to_ron(&i).unwrap();
    assert!(ron.contains("secure_transfer_required: true"), "{ron}");
    azpath_engine::load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"));
}

#[test]
fn supports_https_traffic_only_that_is_no_boolean_is_refused() {
    let i = estate(&[(
        "stbad",
        serde_json::json!({"supportsHttpsTrafficOnly": "yes"}),
    )]);
    assert!(i.document.services.is_empty(), "{:#?}", i.document.services);
    assert!(
        i.notes
            .skipped
            .iter()
            .any(|s| format!("{s:?}").contains("/supportsHttpsTrafficOnly")),
        "{:#?}",
        i.notes.skipped
    );
}
