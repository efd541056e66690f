//! Importing services that answer on several names: an AI Foundry / AI services account's
//! private endpoint lists one FQDN per zone (`cognitiveservices.azure.com`, `openai.azure.com`,
//! `services.ai.azure.com`) and its zone group one zone each
//! (<https://learn.microsoft.com/azure/private-link/private-endpoint-dns>,
//! <https://learn.microsoft.com/azure/ai-foundry/agents/how-to/virtual-networks>); a storage
//! account's `file` sub-resource is its own endpoint and zone
//! (<https://learn.microsoft.com/azure/storage/common/storage-private-endpoints>).

use std::path::Path;

use azpath_engine::dns::{resolve, DnsOutcome, Resolver};
use azpath_engine::import::{import_files, to_ron};
use azpath_engine::scenario::ServiceKind;
use azpath_engine::{load_str, Loaded};

fn imported() -> (azpath_engine::import::Imported, Loaded) {
    let name = "service-names/foundry.json";
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(name);
    let text = std::fs::read_to_string(p).unwrap();
    let imported = import_files(&[(name.to_string(), text)]).unwrap();
    let ron = to_ron(&imported).unwrap();
    let loaded = load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"));
    (imported, loaded)
}

fn addresses(loaded: &Loaded, name: &str) -> Vec<String> {
    let v = loaded
        .network
        .vnets
        .position(|x| x.name == "vnet-ai")
        .unwrap();
    match resolve(&loaded.network, Resolver::Vnet(v), name).outcome {
        DnsOutcome::Resolved { addresses } => addresses.iter().map(ToString::to_string).collect(),
        other => vec![format!("{other:?}")],
    }
}

#[test]
fn an_imported_ai_services_account_is_one_service_answering_on_its_three_names() {
    let (imported, loaded) = imported();
    let s = imported
        .document
        .services
        .iter()
        .find(|s| s.name.value == "contoso-ai")
        .unwrap();
    assert_eq!(s.kind, ServiceKind::AiServices);
    for name in [
        "contoso-ai.cognitiveservices.azure.com",
        "contoso-ai.openai.azure.com",
        "contoso-ai.services.ai.azure.com",
    ] {
        assert_eq!(addresses(&loaded, name), ["10.20.2.4"], "{name}");
    }
}

#[test]
fn the_zone_group_of_an_ai_services_endpoint_writes_its_record_in_each_zone() {
    let (imported, _) = imported();
    for zone in [
        "privatelink.cognitiveservices.azure.com",
        "privatelink.openai.azure.com",
        "privatelink.services.ai.azure.com",
    ] {
        let z = imported
            .document
            .dns
            .zones
            .iter()
            .find(|z| z.name.value == zone)
            .unwrap_or_else(|| panic!("{zone}"));
        assert_eq!(z.records.len(), 1, "{zone}");
        assert_eq!(z.records[0].name.value, "contoso-ai", "{zone}");
        assert_eq!(z.records[0].a[0].value, "10.20.2.4", "{zone}");
    }
}

#[test]
fn an_imported_storage_file_endpoint_resolves_through_the_file_zone() {
    let (imported, loaded) = imported();
    let s = imported
        .document
        .services
        .iter()
        .find(|s| s.name.value == "contosofiles")
        .unwrap();
    assert_eq!(s.kind, ServiceKind::StorageFile);
    assert_eq!(
        addresses(&loaded, "contosofiles.file.core.windows.net"),
        ["10.20.2.5"]
    );
}

fn imported_file(name: &str) -> (azpath_engine::import::Imported, Loaded) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(name);
    let text = std::fs::read_to_string(p).unwrap();
    let imported = import_files(&[(name.to_string(), text)]).unwrap();
    let ron = to_ron(&imported).unwrap();
    let loaded = load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"));
    (imported, loaded)
}

fn resolve_in(loaded: &Loaded, vnet: &str, name: &str) -> Vec<String> {
    let v = loaded.network.vnets.position(|x| x.name == vnet).unwrap();
    match resolve(&loaded.network, Resolver::Vnet(v), name).outcome {
        DnsOutcome::Resolved { addresses } => addresses.iter().map(ToString::to_string).collect(),
        other => vec![format!("{other:?}")],
    }
}

fn service_kind(imported: &azpath_engine::import::Imported, name: &str) -> Option<ServiceKind> {
    imported
        .document
        .services
        .iter()
        .find(|s| s.name.value == name)
        .map(|s| s.kind)
}

/// "Azure Private Endpoint private DNS zone values": a Cosmos DB account's `Sql` sub-resource
/// uses `privatelink.documents.azure.com`, its `MongoDB` sub-resource
/// `privatelink.mongo.cosmos.azure.com`; two endpoints to one account are two services.
#[test]
fn each_cosmos_db_sub_resource_of_one_account_is_its_own_service_and_zone() {
    let (imported, loaded) = imported_file("service-names/cosmos-keyvault.json");
    assert_eq!(
        service_kind(&imported, "contoso-cosmos"),
        Some(ServiceKind::CosmosDb)
    );
    assert_eq!(
        service_kind(&imported, "contoso-cosmos-mongodb"),
        Some(ServiceKind::CosmosDbMongo)
    );
    let targets: Vec<(&str, &str)> = imported
        .document
        .private_endpoints
        .iter()
        .map(|p| {
            (
                p.name.value.as_str(),
                p.target.as_ref().map_or("", |t| t.value.as_str()),
            )
        })
        .collect();
    assert!(
        targets.contains(&("pe-cosmos-sql", "contoso-cosmos")),
        "{targets:?}"
    );
    assert!(
        targets.contains(&("pe-cosmos-mongo", "contoso-cosmos-mongodb")),
        "{targets:?}"
    );
    assert_eq!(
        resolve_in(&loaded, "vnet-data", "contoso-cosmos.documents.azure.com"),
        ["10.40.2.4"]
    );
    assert_eq!(
        resolve_in(
            &loaded,
            "vnet-data",
            "contoso-cosmos.mongo.cosmos.azure.com"
        ),
        ["10.40.2.5"]
    );
}

/// Key Vault (`vault`) uses `privatelink.vaultcore.azure.net` for `<name>.vault.azure.net`;
/// Azure SQL Database (`sqlServer`) `privatelink.database.windows.net`.
#[test]
fn key_vault_and_sql_endpoints_resolve_through_vaultcore_and_database_zones() {
    let (imported, loaded) = imported_file("service-names/cosmos-keyvault.json");
    assert_eq!(
        service_kind(&imported, "contoso-kv"),
        Some(ServiceKind::KeyVault)
    );
    assert_eq!(
        service_kind(&imported, "contoso-sql"),
        Some(ServiceKind::Sql)
    );
    assert_eq!(
        resolve_in(&loaded, "vnet-data", "contoso-kv.vault.azure.net"),
        ["10.40.2.6"]
    );
    assert_eq!(
        resolve_in(&loaded, "vnet-data", "contoso-sql.database.windows.net"),
        ["10.40.2.7"]
    );
}

/// A sub-resource azpath has no zones for (a Recovery Services vault's `AzureBackup`, also a
/// `vaults` resource) is listed as left out, never taken for a Key Vault.
#[test]
fn a_sub_resource_azpath_does_not_model_is_listed_not_defaulted() {
    let (imported, _) = imported_file("service-names/cosmos-keyvault.json");
    assert_eq!(service_kind(&imported, "contoso-rsv"), None);
    let listed =
        imported.notes.skipped.iter().any(|s| {
            s.reason.contains("sub-resource `AzureBackup`") && s.what.contains("pe-backup")
        });
    assert!(listed, "{:#?}", imported.notes.skipped);
}
