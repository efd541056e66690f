//! Service tags in imported estates: a UDR whose `addressPrefix` is a service tag is kept naming
//! the tag ("Virtual network traffic routing", section "Service tags for user-defined routes",
//! <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#service-tags-for-user-defined-routes>),
//! every tag met is declared, and the tags' ranges the input lacks are listed as left out.

use std::path::Path;

use azpath_engine::import::{fill_service_tags, import_files, to_ron, Imported};
use azpath_engine::model::{NextHopType, RouteState};
use azpath_engine::query;
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

/// The estate of `service-tags/estate.json` with the tags of the fixture download filled.
fn filled() -> Imported {
    let mut imported = import_files(&[file("service-tags/estate.json")]).unwrap();
    let (name, text) = file("service-tags-download.json");
    let filled = fill_service_tags(&mut imported, &name, &text).unwrap();
    assert_eq!(filled.filled, 3);
    assert_eq!(filled.missing, ["PartnerOnly"]);
    imported
}

#[test]
fn a_service_tags_download_fills_the_declared_tags_with_their_ipv4_prefixes() {
    let imported = filled();
    let prefixes = |tag: &str| -> Vec<String> {
        imported
            .document
            .service_tags
            .iter()
            .find(|t| t.name.value == tag)
            .unwrap()
            .prefixes
            .iter()
            .map(|p| p.value.clone())
            .collect()
    };
    assert_eq!(prefixes("Storage"), ["198.51.100.0/24", "203.0.113.0/25"]);
    assert_eq!(prefixes("Storage.WestEurope"), ["203.0.113.0/25"]);
    assert_eq!(
        prefixes("AzureCloud"),
        ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"]
    );
    // Only declared tags are taken from the file (it also holds `Sql`).
    assert_eq!(imported.document.service_tags.len(), 4);
    // Filled tags are no longer listed; their IPv6 prefixes are, with the count.
    assert!(!listed(&imported, "prefixes of service tag `Storage`"));
    let v6 = imported
        .notes
        .skipped
        .iter()
        .find(|s| s.what == "IPv6 prefixes of service tag `Storage`")
        .unwrap();
    assert!(v6.reason.starts_with("2 IPv6 prefix(es)"), "{}", v6.reason);
    // A tag the file does not hold stays listed, saying so.
    let partner = imported
        .notes
        .skipped
        .iter()
        .find(|s| s.what == "prefixes of service tag `PartnerOnly`")
        .unwrap();
    assert!(
        partner
            .reason
            .contains("nor in service-tags-download.json (changeNumber 321"),
        "{}",
        partner.reason
    );
    // The ranges are dated: the file's change number and cloud are stated.
    let ron = to_ron(&imported).unwrap();
    assert!(
        ron.contains("service tag prefixes are those of service-tags-download.json (changeNumber 321, cloud `Public`)"),
        "{ron}"
    );
    assert!(
        ron.contains(
            "// IPv4 prefixes from service-tags-download.json (changeNumber 321, cloud `Public`)"
        ),
        "{ron}"
    );
}

#[test]
fn imported_service_tag_routes_follow_azures_tie_breaks_once_their_ranges_are_filled() {
    // Learn: for one prefix, a regional tag beats its top-level tag and AzureCloud comes last.
    let loaded = load(&filled());
    let net = &loaded.network;
    let subnet = net.subnet_by_name("vnet-app/snet-app").unwrap();
    let answer = query::routes(net, loaded.dataplane(), subnet).unwrap();
    let active = |prefix: &str| {
        let rows: Vec<_> = answer
            .routes
            .iter()
            .filter(|r| r.prefix.to_string() == prefix && r.state == RouteState::Active)
            .collect();
        assert_eq!(rows.len(), 1, "{prefix}: {rows:#?}");
        (
            rows[0].route_name().map(str::to_string),
            rows[0].next_hop.next_hop_type,
        )
    };
    assert_eq!(
        active("203.0.113.0/25"),
        (
            Some("storage-regional".into()),
            NextHopType::VirtualAppliance
        )
    );
    assert_eq!(
        active("198.51.100.0/24"),
        (Some("storage".into()), NextHopType::Internet)
    );
    assert_eq!(
        active("192.0.2.0/24"),
        (Some("cloud".into()), NextHopType::None)
    );
}

#[test]
fn az_network_list_service_tags_output_with_a_text_change_number_fills_tags_too() {
    let mut imported = import_files(&[file("service-tags/estate.json")]).unwrap();
    let text = r#"{"changeNumber": "77", "cloud": "Public", "id": "/subscriptions/s/providers/Microsoft.Network/serviceTags/Public",
        "name": "Public", "type": "Microsoft.Network/serviceTags",
        "values": [{"id": "Storage", "name": "Storage", "serviceTagChangeNumber": "5",
                    "properties": {"addressPrefixes": ["198.51.100.0/24"], "changeNumber": "5", "region": "", "state": "GA", "systemService": "AzureStorage"}}]}"#;
    let filled = fill_service_tags(&mut imported, "tags.json", text).unwrap();
    assert_eq!(filled.filled, 1);
    assert!(imported
        .notes
        .assumptions
        .iter()
        .any(|a| a.contains("tags.json (changeNumber 77, cloud `Public`)")));
}

#[test]
fn a_service_tags_file_that_is_not_one_is_refused_where_it_goes_wrong() {
    let refuse = |text: &str| {
        let mut imported = import_files(&[file("service-tags/estate.json")]).unwrap();
        fill_service_tags(&mut imported, "tags.json", text)
            .unwrap_err()
            .to_string()
    };
    let e = refuse("{\"changeNumber\": 1,\n  \"values\": [\n");
    assert!(
        e.starts_with("tags.json:3:1: error: not a Service Tags file"),
        "{e}"
    );
    let e = refuse("{\"changeNumber\": 1, \"cloud\": \"Public\",\n \"values\": [{\"name\": \"Storage\", \"properties\": {}}]}");
    assert!(e.starts_with("tags.json:2:"), "{e}");
    assert!(e.contains("addressPrefixes"), "{e}");
    let e = refuse("{\"changeNumber\": 1, \"cloud\": \"Public\",\n \"values\": [{\"name\": \"Storage\", \"properties\": {\"addressPrefixes\": [\"198.51.100.7/24\"]}}]}");
    assert!(
        e.starts_with(
            "tags.json:2:68: error: `/values/0/properties/addressPrefixes/0` is `198.51.100.7/24`"
        ),
        "{e}"
    );
}
