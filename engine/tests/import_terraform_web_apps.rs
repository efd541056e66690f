//! Terraform's App Service apps (`azurerm_linux_web_app`, `azurerm_windows_web_app` and the
//! function app equivalents) imported onto the model the ARM import builds: `site_config`'s
//! `ip_restriction` / `scm_ip_restriction` and their default actions,
//! `scm_use_main_ip_restriction`, `public_network_access_enabled` and
//! `virtual_network_subnet_id`
//! (<https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/linux_web_app>),
//! read as "Set up Azure App Service access restrictions"
//! (<https://learn.microsoft.com/azure/app-service/app-service-ip-restrictions>) describes them.

use azpath_engine::import::{import_files, to_ron, Imported};
use azpath_engine::model::{FlowProtocol, TraceSource};
use azpath_engine::scenario::{Access, PublicAccessDoc, ServiceDoc};
use azpath_engine::trace::{trace_from, TraceRequest, Verdict};

const RG: &str = "/subscriptions/s/resourceGroups/rg";

fn plan() -> serde_json::Value {
    let vnet = format!("{RG}/providers/Microsoft.Network/virtualNetworks/vnet");
    let subnet = |n: &str| format!("{vnet}/subnets/{n}");
    let zone =
        format!("{RG}/providers/Microsoft.Network/privateDnsZones/privatelink.azurewebsites.net");
    let app = format!("{RG}/providers/Microsoft.Web/sites/contoso-shop");
    let sub = |address: &str, name: &str, prefix: &str, endpoints: &[&str]| {
        serde_json::json!({"address": address, "mode": "managed", "type": "azurerm_subnet",
            "values": {"id": subnet(name), "name": name, "resource_group_name": "rg", "virtual_network_name": "vnet",
                       "address_prefixes": [prefix], "service_endpoints": endpoints}})
    };
    let shop = serde_json::json!(
            {"address": "azurerm_linux_web_app.shop", "mode": "managed", "type": "azurerm_linux_web_app",
             "values": {"id": app, "name": "contoso-shop", "resource_group_name": "rg", "location": "westeurope",
                        "default_hostname": "contoso-shop.azurewebsites.net",
                        "outbound_ip_addresses": "20.1.2.3,20.1.2.4",
                        "public_network_access_enabled": true,
                        "virtual_network_subnet_id": subnet("integration"),
                        "site_config": [{
                            "vnet_route_all_enabled": true,
                            "ip_restriction": [
                                {"name": "office", "priority": 100, "action": "Allow", "ip_address": "203.0.113.0/24",
                                 "service_tag": null, "virtual_network_subnet_id": null, "headers": [], "description": ""},
                                {"name": "front-door", "priority": 200, "action": "Allow", "ip_address": null,
                                 "service_tag": "AzureFrontDoor.Backend", "virtual_network_subnet_id": null,
                                 "headers": [{"x_azure_fdid": ["9e8b1a52-5f35-4c4a-9f0e-3c1d2b7a6e41"], "x_fd_health_probe": [],
                                              "x_forwarded_for": [], "x_forwarded_host": []}]},
                                {"name": "web", "priority": 300, "action": "Allow", "ip_address": null, "service_tag": null,
                                 "virtual_network_subnet_id": subnet("web"), "headers": []}
                            ],
                            "ip_restriction_default_action": "Deny",
                            "scm_ip_restriction": [
                                {"name": "build", "priority": 100, "action": "Allow", "ip_address": "198.51.100.0/24",
                                 "service_tag": null, "virtual_network_subnet_id": null, "headers": []}
                            ],
                            "scm_ip_restriction_default_action": "Deny",
                            "scm_use_main_ip_restriction": false
                        }]}}
    );
    let jobs = serde_json::json!(
            {"address": "azurerm_windows_function_app.jobs", "mode": "managed", "type": "azurerm_windows_function_app",
             "values": {"name": "contoso-jobs", "resource_group_name": "rg", "location": "westeurope",
                        "public_network_access_enabled": false,
                        "site_config": [{
                            "ip_restriction": [{"name": "later", "priority": 100, "action": "Allow", "headers": []}],
                            "scm_ip_restriction": [],
                            "scm_use_main_ip_restriction": true
                        }]}}
    );
    serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_virtual_network.vnet", "mode": "managed", "type": "azurerm_virtual_network",
             "values": {"id": vnet, "name": "vnet", "resource_group_name": "rg", "location": "westeurope", "address_space": ["10.0.0.0/16"]}},
            sub("azurerm_subnet.web", "web", "10.0.1.0/24", &["Microsoft.Web"]),
            sub("azurerm_subnet.pe", "pe", "10.0.2.0/24", &[]),
            sub("azurerm_subnet.integration", "integration", "10.0.3.0/24", &[]),
            shop,
            jobs,
            {"address": "azurerm_private_dns_zone.web", "mode": "managed", "type": "azurerm_private_dns_zone",
             "values": {"id": zone, "name": "privatelink.azurewebsites.net", "resource_group_name": "rg"}},
            {"address": "azurerm_private_dns_zone_virtual_network_link.web", "mode": "managed",
             "type": "azurerm_private_dns_zone_virtual_network_link",
             "values": {"id": format!("{zone}/virtualNetworkLinks/vnet"), "name": "vnet", "resource_group_name": "rg",
                        "private_dns_zone_name": "privatelink.azurewebsites.net", "virtual_network_id": vnet,
                        "registration_enabled": false}},
            {"address": "azurerm_private_endpoint.shop", "mode": "managed", "type": "azurerm_private_endpoint",
             "values": {"id": format!("{RG}/providers/Microsoft.Network/privateEndpoints/pe-shop"), "name": "pe-shop",
                        "resource_group_name": "rg", "location": "westeurope", "subnet_id": subnet("pe"),
                        "private_service_connection": [{"name": "shop", "private_connection_resource_id": app,
                                                        "subresource_names": ["sites"], "is_manual_connection": false}],
                        "ip_configuration": [{"name": "ip", "private_ip_address": "10.0.2.4"}],
                        "private_dns_zone_group": [{"name": "default", "private_dns_zone_ids": [zone]}]}}
        ]}},
        "resource_changes": [
            {"address": "azurerm_windows_function_app.jobs",
             "change": {"after_unknown": {"id": true, "site_config": [{"ip_restriction": [{"virtual_network_subnet_id": true}]}]}}}
        ]
    })
}

fn imported() -> Imported {
    import_files(&[("plan.json".to_string(), plan().to_string())])
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn service<'a>(i: &'a Imported, fqdn: &str) -> &'a ServiceDoc {
    i.document
        .services
        .iter()
        .find(|s| s.fqdn.value == fqdn)
        .unwrap_or_else(|| panic!("no {fqdn}: {:#?}", i.document.services))
}

fn left_out(i: &Imported) -> Vec<String> {
    i.notes
        .skipped
        .iter()
        .map(|s| format!("{} — {}", s.what, s.reason))
        .collect()
}

#[test]
fn a_web_apps_ip_restrictions_become_its_access_restrictions() {
    let i = imported();
    let s = service(&i, "contoso-shop.azurewebsites.net");
    let r = s.access_restrictions.as_ref().unwrap();
    assert_eq!(r.unmatched_action, Some(Access::Deny));
    let rules: Vec<_> = r
        .rules
        .iter()
        .map(|x| {
            (
                x.name.value.as_str(),
                x.priority.value,
                x.ip.as_ref().map(|t| t.value.as_str()),
                x.service_tag.as_ref().map(|t| t.value.as_str()),
                x.subnet.as_ref().map(|t| t.value.as_str()),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("office", 100, Some("203.0.113.0/24"), None, None),
            (
                "front-door",
                200,
                None,
                Some("AzureFrontDoor.Backend"),
                None
            ),
            ("web", 300, None, None, Some("vnet/web")),
        ]
    );
    let fd = &r.rules[1];
    assert_eq!(fd.headers.len(), 1);
    assert_eq!(fd.headers[0].name.value, "X-Azure-FDID");
    assert_eq!(s.public_network_access, Some(PublicAccessDoc::Enabled));
}

#[test]
fn a_web_apps_scm_ip_restrictions_become_its_advanced_tools_sites() {
    let i = imported();
    let s = service(&i, "contoso-shop.azurewebsites.net");
    assert_eq!(s.scm_use_main_restrictions, None);
    let scm = s.scm_access_restrictions.as_ref().unwrap();
    assert_eq!(scm.unmatched_action, Some(Access::Deny));
    assert_eq!(scm.rules.len(), 1);
    assert_eq!(
        scm.rules[0].ip.as_ref().map(|t| t.value.as_str()),
        Some("198.51.100.0/24")
    );
}

#[test]
fn a_function_app_with_scm_use_main_and_public_access_off_is_read_the_same_way() {
    let i = imported();
    let s = service(&i, "contoso-jobs.azurewebsites.net");
    assert_eq!(s.public_network_access, Some(PublicAccessDoc::Disabled));
    assert_eq!(
        s.scm_use_main_restrictions.as_ref().map(|b| b.value),
        Some(true)
    );
}

#[test]
fn a_rule_whose_source_is_known_only_after_apply_is_left_out_and_unmatched_requests_stay_denied() {
    let i = imported();
    let s = service(&i, "contoso-jobs.azurewebsites.net");
    let r = s.access_restrictions.as_ref().unwrap();
    assert!(r.rules.is_empty(), "{r:#?}");
    assert_eq!(r.unmatched_action, Some(Access::Deny));
    let l = left_out(&i);
    assert!(
        l.iter()
            .any(|x| x.contains("azurerm_windows_function_app.jobs: site_config.ip_restriction[0] has its source known only after apply")),
        "{l:#?}"
    );
}

#[test]
fn a_web_apps_regional_vnet_integration_is_read() {
    let i = imported();
    let a = i
        .document
        .app_services
        .iter()
        .find(|a| a.name.value == "contoso-shop")
        .unwrap_or_else(|| panic!("{:#?}", i.document.app_services));
    assert_eq!(
        a.integration_subnet.as_ref().map(|t| t.value.as_str()),
        Some("vnet/integration")
    );
    assert!(a.route_all);
    assert_eq!(
        a.outbound_ip.as_ref().map(|t| t.value.as_str()),
        Some("20.1.2.3")
    );
}

#[test]
fn a_private_endpoint_to_a_web_app_registers_the_app_and_scm_records_and_traces() {
    let i = imported();
    let zone = i
        .document
        .dns
        .zones
        .iter()
        .find(|z| z.name.value == "privatelink.azurewebsites.net")
        .unwrap();
    let mut names: Vec<&str> = zone.records.iter().map(|r| r.name.value.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["contoso-shop", "contoso-shop.scm"]);
    // The scenario loads once the Front Door tag's prefixes are filled in.
    let ron = to_ron(&i).unwrap();
    let filled = ron.replacen(
        "name: \"AzureFrontDoor.Backend\",\n            prefixes: [],",
        "name: \"AzureFrontDoor.Backend\",\n            prefixes: [\"147.243.0.0/16\"],",
        1,
    );
    assert_ne!(filled, ron, "{ron}");
    let l = azpath_engine::load_str("imported.ron", &filled)
        .unwrap_or_else(|e| panic!("{e}\n{filled}"));
    let s = l
        .network
        .services
        .iter()
        .find(|s| s.fqdn == "contoso-shop.azurewebsites.net")
        .unwrap();
    let trace = |from: &str, host: &str| {
        let request = TraceRequest {
            protocol: FlowProtocol::Tcp,
            destination: s.public_ip,
            port: 443,
            source_port: 50000,
            host: Some(host.into()),
        };
        trace_from(
            &l.network,
            l.dataplane(),
            TraceSource::Internet(from.parse().unwrap()),
            request,
        )
        .unwrap()
        .verdict
    };
    // The build agents reach Kudu and not the shop; the office the shop and not Kudu.
    let scm = "contoso-shop.scm.azurewebsites.net";
    assert!(matches!(
        trace("198.51.100.7", scm),
        Verdict::DeliveredPublicly { .. }
    ));
    assert!(matches!(
        trace("203.0.113.7", scm),
        Verdict::ServiceFirewallDenied { .. }
    ));
    assert!(matches!(
        trace("203.0.113.7", "contoso-shop.azurewebsites.net"),
        Verdict::DeliveredPublicly { .. }
    ));
    assert!(matches!(
        trace("198.51.100.7", "contoso-shop.azurewebsites.net"),
        Verdict::ServiceFirewallDenied { .. }
    ));
}
