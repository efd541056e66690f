//! Importing the files people have: ARM templates as written and as the portal exports them
//! (comments, child resources beside their parents, expressions), parameter files, and real
//! public templates.

use std::path::Path;

use azpath_engine::import::{import_files, to_ron, Imported};
use azpath_engine::model::RouteSource;
use azpath_engine::query;
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

/// The user routes of a subnet, as `(prefix, next hop ip)`.
fn user_routes(loaded: &Loaded, subnet: &str) -> Vec<(String, String)> {
    let net = &loaded.network;
    let s = net
        .subnet_by_name(subnet)
        .unwrap_or_else(|| panic!("no subnet {subnet}"));
    let answer = query::routes(net, loaded.dataplane(), s).unwrap();
    answer
        .routes
        .iter()
        .filter(|r| r.source == RouteSource::User)
        .map(|r| {
            (
                r.prefix.to_string(),
                r.next_hop.ip.map(|i| i.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_top_level_child_subnet_joins_its_vnet_and_answers_routes_at_vnet_slash_subnet() {
    let imported = import_files(&[file("template.json")]).unwrap();
    let loaded = load(&imported);
    assert_eq!(
        user_routes(&loaded, "vnet-lab/app"),
        [("0.0.0.0/0".to_string(), "10.70.0.4".to_string())]
    );
    assert!(loaded
        .network
        .subnet_by_name("vnet-lab/vnet-lab/app")
        .is_none());
}

#[test]
fn a_portal_export_with_comments_and_embedded_copies_imports_each_object_once() {
    let imported = import_files(&[file("portal-export.json")]).unwrap();
    let doc = &imported.document;
    assert_eq!(doc.vnets.len(), 1, "the duplicate VNet is merged");
    let subnets: Vec<&str> = doc.vnets[0]
        .subnets
        .iter()
        .map(|s| s.name.value.as_str())
        .collect();
    assert_eq!(subnets, ["app", "nva"]);
    assert_eq!(doc.route_tables[0].routes.len(), 1);
    assert_eq!(doc.nsgs[0].rules.len(), 1);
    assert!(imported
        .notes
        .skipped
        .iter()
        .any(|s| s.what.starts_with("second copy of")
            && s.reason.contains("portal-export.json#/resources/4")));
    let loaded = load(&imported);
    assert_eq!(
        user_routes(&loaded, "vnet-lab/app"),
        [("0.0.0.0/0".to_string(), "10.80.0.4".to_string())]
    );
}
