//! Importing the files people have: ARM templates as written and as the portal exports them
//! (comments, child resources beside their parents, expressions), parameter files, and real
//! public templates.

use std::path::Path;

use azpath_engine::import::{
    import_files, import_files_with, read_parameter_file, to_ron, ArmOptions, Imported,
};
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

/// One case of the real corpus: its template (and parameter file) imported.
struct Case {
    source: String,
    name: String,
    /// The scenario loads and no expression is left as text.
    usable: bool,
    /// VNets' subnets, NSGs, route tables, firewalls and hubs imported.
    objects: usize,
    why: String,
}

fn import_case(dir: &Path) -> Case {
    let source = dir
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let text = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    let mut options = ArmOptions::default();
    if let Some(p) = text("parameters.json") {
        options.parameters = read_parameter_file("parameters.json", &p).unwrap();
    }
    // A Terraform plan (`plan.json`) is read on both sides, as `what-if --terraform-plan`
    // reads it; the planned values are the case's scenario.
    let plan = text("plan.json");
    let template = plan.clone().or_else(|| text("template.json")).unwrap();
    let file_name = if plan.is_some() {
        "plan.json"
    } else {
        "template.json"
    };
    let fail = |why: String| Case {
        source: source.clone(),
        name: name.clone(),
        usable: false,
        objects: 0,
        why,
    };
    if plan.is_some() {
        let prior = ArmOptions {
            terraform_side: azpath_engine::import::terraform::Side::Prior,
            ..ArmOptions::default()
        };
        let before = import_files_with(&[(file_name.into(), template.clone())], &prior)
            .map_err(|e| e.to_string())
            .and_then(|i| to_ron(&i).map_err(|e| e.to_string()))
            .and_then(|ron| {
                load_str("prior.ron", &ron)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = before {
            return fail(format!("the prior state: {e}"));
        }
    }
    let imported = match import_files_with(&[(file_name.into(), template)], &options) {
        Ok(i) => i,
        Err(e) => return fail(e.to_string()),
    };
    let ron = to_ron(&imported).unwrap();
    let Ok(loaded) = load_str("imported.ron", &ron) else {
        return fail("does not load".into());
    };
    // The scenario answers: every subnet has its effective routes.
    let net = &loaded.network;
    let mut objects = 0;
    for v in &imported.document.vnets {
        for s in &v.subnets {
            let id = net
                .subnet_by_name(&format!("{}/{}", v.name.value, s.name.value))
                .unwrap();
            assert!(query::routes(net, loaded.dataplane(), id).is_some());
            objects += 1;
        }
    }
    let d = &imported.document;
    objects += d.nsgs.len() + d.route_tables.len() + d.firewalls.len() + d.virtual_hubs.len();
    if ron.contains("\"[") {
        return fail("an expression is left as text".into());
    }
    Case {
        source,
        name,
        usable: true,
        objects,
        why: String::new(),
    }
}

/// The template files PROVENANCE lists, as `<source>/<case>`.
fn provenance_cases(provenance: &str) -> Vec<String> {
    provenance
        .lines()
        .flat_map(|l| l.split("; "))
        .filter_map(|entry| {
            entry
                .split_once("/template.json: ")
                .or_else(|| entry.split_once("/plan.json: "))
        })
        .map(|(case, _)| case.to_string())
        .collect()
}

#[test]
#[ignore = "reads the public-template corpus, which is not in the repository: set AZPATH_REAL_CORPUS to the folder laid out as tests/import/real/PROVENANCE lists"]
fn real_public_templates_import_into_scenarios_that_load_and_answer() {
    let Some(root) = std::env::var_os("AZPATH_REAL_CORPUS") else {
        panic!("AZPATH_REAL_CORPUS is not set: it names the folder holding the corpus (see tests/import/real/README.md)");
    };
    let root = std::path::PathBuf::from(root);
    assert!(
        root.is_dir(),
        "AZPATH_REAL_CORPUS={} is not a folder",
        root.display()
    );
    let provenance = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/real/PROVENANCE"),
    )
    .unwrap();
    let listed = provenance_cases(&provenance);
    let missing: Vec<_> = listed
        .iter()
        .filter(|c| {
            !root.join(c).join("template.json").is_file()
                && !root.join(c).join("plan.json").is_file()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{} of the {} cases PROVENANCE lists are not in {}: {missing:?}",
        missing.len(),
        listed.len(),
        root.display()
    );
    let mut cases = Vec::new();
    let mut sources: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    sources.sort();
    for source in sources {
        let mut dirs: Vec<_> = std::fs::read_dir(&source)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("template.json").is_file() || p.join("plan.json").is_file())
            .collect();
        dirs.sort();
        for dir in dirs {
            let rel = dir
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            assert!(
                provenance.contains(&format!("{rel}/template.json: "))
                    || provenance.contains(&format!("{rel}/plan.json: ")),
                "{rel} has no PROVENANCE entry"
            );
            cases.push(import_case(&dir));
        }
    }
    assert!(!cases.is_empty(), "no case in {}", root.display());
    let mut by_source: std::collections::BTreeMap<&str, (usize, usize, usize)> = Default::default();
    for c in &cases {
        let e = by_source.entry(c.source.as_str()).or_default();
        e.2 += 1;
        if c.usable {
            e.0 += 1;
            if c.objects > 0 {
                e.1 += 1;
            }
        } else {
            eprintln!("{}/{}: {}", c.source, c.name, c.why);
        }
    }
    for (source, (ok, with_objects, all)) in &by_source {
        eprintln!(
            "{source}: {ok}/{all} import into scenarios that load with no expression left as text ({with_objects} with network objects)"
        );
    }
    let ok = cases.iter().filter(|c| c.usable).count();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    assert!(ok * 10 >= cases.len() * 8, "{ok}/{} usable", cases.len());
    // Each source on its own: quickstarts, Verified Modules, landing zones, Learn labs,
    // portal exports, Terraform plans.
    assert!(by_source.len() >= 6, "{by_source:?}");
    for (source, (ok, _, all)) in &by_source {
        assert!(ok * 10 >= all * 8, "{source}: {ok}/{all} usable");
    }
}

#[test]
fn deploy_time_addresses_are_allocated_as_azure_does_and_stated_as_assumptions() {
    let imported = import_files(&[file("deploy-time.json")]).unwrap();
    let doc = &imported.document;
    let ip = |name: &str| {
        doc.workloads
            .iter()
            .find(|w| w.name.value == name)
            .map(|w| w.ip.value.clone())
            .unwrap_or_else(|| panic!("no workload {name}"))
    };
    // Learn: dynamic addresses are the next free ones, from the fifth of the subnet; the
    // static 10.0.2.5 is taken first.
    assert_eq!(ip("nic-static"), "10.0.2.5");
    assert_eq!(ip("nic-0"), "10.0.2.4");
    assert_eq!(ip("nic-1"), "10.0.2.6");
    assert_eq!(doc.private_endpoints[0].ip.value, "10.0.2.7");
    assert_eq!(doc.firewalls[0].private_ip.value, "10.0.1.4");
    // The zone group's A record holds the endpoint's address.
    let zone = &doc.dns.zones[0];
    assert_eq!(zone.records[0].name.value, "stdata");
    assert_eq!(zone.records[0].a[0].value, "10.0.2.7");
    let assumed = &imported.notes.assumptions;
    for needle in [
        "nic-0: private IP `10.0.2.4` assumed",
        "fw-hub: private IP `10.0.1.4`",
        "record `stdata.privatelink.blob.core.windows.net`",
    ] {
        assert!(
            assumed.iter().any(|a| a.contains(needle)),
            "{needle}: {assumed:#?}"
        );
    }
    let ron = to_ron(&imported).unwrap();
    assert!(ron.contains("// Assumed ("), "{ron}");
    load(&imported);
}

#[test]
fn a_load_error_names_the_source_file_and_json_pointer_not_the_generated_scenario() {
    let text = r#"[{"type": "Microsoft.Network/virtualNetworks", "name": "v", "location": "eastus",
        "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
          "subnets": [{"name": "a", "properties": {"addressPrefix": "10.1.0.0/24"}}]}}]"#;
    let imported = import_files(&[("vnets.json".into(), text.into())]).unwrap();
    let ron = to_ron(&imported).unwrap();
    let e = load_str("imported.ron", &ron).unwrap_err().to_string();
    let relocated = azpath_engine::import::relocate(&imported, "imported.ron", &ron, &e);
    assert!(relocated.contains("vnets.json#/0 (/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v):"), "{relocated}");
    assert!(!relocated.contains("imported.ron:"), "{relocated}");
}

#[test]
fn a_terraform_plan_imports_its_planned_values_with_routes_peerings_and_workloads() {
    let imported = import_files(&[file("terraform/plan.json")]).unwrap();
    let loaded = load(&imported);
    assert_eq!(
        user_routes(&loaded, "vnet-spoke/snet-app"),
        [("0.0.0.0/0".to_string(), "10.0.1.4".to_string())]
    );
    let doc = &imported.document;
    assert_eq!(doc.peerings.len(), 1, "the two links are one peering");
    assert_eq!(doc.workloads[0].ip.value, "10.1.1.4");
}

#[test]
fn a_nat_gateway_whose_public_ip_azure_allocates_keeps_the_subnet_egress_with_a_stated_stand_in() {
    let imported = import_files(&[file("arm-cases/nat-gateway-allocated-ip.json")]).unwrap();
    let doc = &imported.document;
    assert_eq!(doc.nat_gateways.len(), 1);
    assert_eq!(doc.nat_gateways[0].public_ips[0].value, "203.0.113.1");
    let subnet = &doc.vnets[0].subnets[0];
    assert_eq!(
        subnet.nat_gateway.as_ref().map(|n| n.value.as_str()),
        Some("nat-egress")
    );
    assert!(imported
        .notes
        .assumptions
        .iter()
        .any(|a| a.starts_with("nat-egress: public IP `203.0.113.1` assumed for /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-imported/providers/Microsoft.Network/publicIPAddresses/pip-nat")));
    let ron = to_ron(&imported).unwrap();
    assert!(
        ron.contains("// nat-egress: public IP `203.0.113.1` assumed"),
        "{ron}"
    );
    load(&imported);
}

#[test]
fn a_firewall_policy_rule_naming_ip_groups_and_no_addresses_matches_the_groups_alone() {
    let imported = import_files(&[file("arm-cases/firewall-policy-ip-groups.json")]).unwrap();
    let fw = &imported.document.firewalls[0];
    let rules: Vec<_> = fw
        .rule_collection_groups
        .iter()
        .flat_map(|g| g.collections.iter())
        .flat_map(|c| c.network_rules.iter())
        .collect();
    assert_eq!(rules.len(), 1, "{:#?}", imported.notes.skipped);
    assert_eq!(rules[0].source_ip_groups.len(), 1);
    assert_eq!(rules[0].destination_ip_groups.len(), 1);
    // Learn: a rule takes addresses or IP groups; with groups alone, the groups decide.
    let values = |v: &[azpath_engine::scenario::Text]| -> Vec<String> {
        v.iter().map(|t| t.value.clone()).collect()
    };
    assert_eq!(values(&rules[0].source), ["*"]);
    assert_eq!(values(&rules[0].destination), ["*"]);
    assert_eq!(values(&rules[0].source_ip_groups), ["ipg-apps"]);
    assert_eq!(values(&rules[0].destination_ip_groups), ["ipg-data"]);
    load(&imported);
}

#[test]
fn a_child_resource_added_to_a_vnet_not_in_the_input_says_its_parent_is_missing() {
    let imported = import_files(&[file("arm-cases/subnet-for-existing-vnet.json")]).unwrap();
    assert!(imported.document.vnets.is_empty());
    assert!(
        imported.notes.skipped.iter().any(|s| s.what.ends_with("/virtualNetworks/vnet-shared/subnets/snet-batch")
            && s.reason.contains("virtualNetworks/vnet-shared is not in the input (the template changes a resource that exists already)")),
        "{:#?}",
        imported.notes.skipped
    );
}

#[test]
fn az_json_next_hop_names_an_imported_route_table_by_its_resource_id_as_azure_does() {
    let imported = import_files(&[file("arm-cases/forced-route-to-firewall.json")]).unwrap();
    let loaded = load(&imported);
    let net = &loaded.network;
    let subnet = net.subnet_by_name("vnet-core/snet-servers").unwrap();
    let answer = query::next_hop(net, loaded.dataplane(), subnet, "8.8.8.8".parse().unwrap());
    let az = azpath_engine::report::az::next_hop(net, &answer);
    assert_eq!(
        az.route_table_id,
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-imported/providers/Microsoft.Network/routeTables/rt-via-firewall"
    );
    assert_eq!(az.next_hop_ip_address.as_deref(), Some("10.30.0.4"));
    // A written scenario has no ids: the table's name stands in, as before.
    let ron = to_ron(&imported).unwrap();
    let without_ids: String = ron
        .lines()
        .filter(|l| !l.trim_start().starts_with("id: "))
        .collect::<Vec<_>>()
        .join("\n");
    let loaded = load_str("written.ron", &without_ids).unwrap();
    let net = &loaded.network;
    let subnet = net.subnet_by_name("vnet-core/snet-servers").unwrap();
    let answer = query::next_hop(net, loaded.dataplane(), subnet, "8.8.8.8".parse().unwrap());
    assert_eq!(
        azpath_engine::report::az::next_hop(net, &answer).route_table_id,
        "rt-via-firewall"
    );
}

#[test]
fn a_private_dns_zone_of_one_label_is_left_out_and_the_rest_imports() {
    let imported = import_files(&[file("arm-cases/single-label-zone.json")]).unwrap();
    assert!(imported.document.dns.zones.is_empty());
    assert_eq!(imported.document.vnets.len(), 1);
    let skipped = format!("{:?}", imported.notes);
    assert!(skipped.contains("at least two labels"), "{skipped}");
    assert!(
        skipped.contains("its private DNS zone is not imported"),
        "{skipped}"
    );
    load(&imported);
}

#[test]
fn portal_exports_deployed_each_to_its_own_scope_keep_the_ids_azure_holds_and_peer() {
    let files = [
        file("arm-cases/export-hub.json"),
        file("arm-cases/export-spoke.json"),
    ];
    let hub_id = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub";
    // Without a scope, `resourceId()` names the placeholder resource group.
    let apart = to_ron(&import_files(&files).unwrap()).unwrap();
    // (The reference to it may still be stated as matched by the end of its id.)
    let names_hub = |ron: &str| ron.lines().any(|l| l.trim() == format!("// {hub_id}"));
    assert!(!names_hub(&apart), "{apart}");
    let mut options = ArmOptions::default();
    for (f, rg) in [
        ("arm-cases/export-hub.json", "rg-hub"),
        ("arm-cases/export-spoke.json", "rg-spoke"),
    ] {
        options.scopes.insert(
            f.to_string(),
            azpath_engine::import::DeployScope::parse(&format!(
                "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/{rg}"
            ))
            .unwrap(),
        );
    }
    let together = import_files_with(&files, &options).unwrap();
    let ron = to_ron(&together).unwrap();
    assert!(names_hub(&ron), "{ron}");
    assert_eq!(
        together.document.peerings.len(),
        1,
        "the two links are one peering"
    );
    let loaded = load(&together);
    let subnet = loaded.network.subnet_by_name("vnet-spoke/shared").unwrap();
    let routes = query::routes(&loaded.network, loaded.dataplane(), subnet).unwrap();
    assert!(format!("{routes:?}").contains("10.0.0.0/24"), "{routes:?}");
}

#[test]
fn a_deploy_scope_is_a_resource_group_id() {
    use azpath_engine::import::DeployScope;
    let s = DeployScope::parse("/subscriptions/s1/resourceGroups/rg-a").unwrap();
    assert_eq!(
        (s.subscription.as_str(), s.resource_group.as_str()),
        ("s1", "rg-a")
    );
    assert!(DeployScope::parse("/subscriptions/s1").is_none());
    assert!(DeployScope::parse("rg-a").is_none());
}
