//! Importing a web app's inbound access settings: `publicNetworkAccess`, the main site's
//! `ipSecurityRestrictions` (IP, service-tag, service-endpoint and `AnyVnets` rules, header
//! filters) and `ipSecurityRestrictionsDefaultAction`, from `siteConfig` or the `web` config
//! child, as "Set up Azure App Service access restrictions"
//! (<https://learn.microsoft.com/azure/app-service/app-service-ip-restrictions>) writes them;
//! the advanced tools (scm) site's `scmIpSecurityRestrictions`,
//! `scmIpSecurityRestrictionsDefaultAction` and `scmIpSecurityRestrictionsUseMain`; unknown
//! fields listed as left out.

use std::path::Path;

use azpath_engine::import::{import_files, to_ron, Imported};
use azpath_engine::scenario::{Access, AccessRestrictionsDoc, PublicAccessDoc, ServiceKind};

fn imported() -> Imported {
    let name = "app-service/template.json";
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(name);
    let text = std::fs::read_to_string(p).unwrap();
    import_files(&[(name.to_string(), text)]).unwrap()
}

fn restrictions<'a>(i: &'a Imported, service: &str) -> &'a AccessRestrictionsDoc {
    let s = i
        .document
        .services
        .iter()
        .find(|s| s.name.value == service)
        .unwrap_or_else(|| panic!("no service {service}: {:#?}", i.document.services));
    assert_eq!(s.kind, ServiceKind::WebApp);
    s.access_restrictions.as_ref().unwrap()
}

fn skipped(i: &Imported) -> Vec<String> {
    i.notes
        .skipped
        .iter()
        .map(|s| format!("{} — {}", s.what, s.reason))
        .collect()
}

fn has(list: &[String], needle: &str) {
    assert!(
        list.iter().any(|l| l.contains(needle)),
        "no `{needle}` in {list:#?}"
    );
}

#[test]
fn site_config_ip_security_restrictions_become_the_apps_access_restrictions() {
    let i = imported();
    let r = restrictions(&i, "contoso-orders");
    assert_eq!(r.unmatched_action, Some(Access::Deny));
    let by_name = |n: &str| r.rules.iter().find(|x| x.name.value == n).unwrap();
    let ip = by_name("IP example rule");
    assert_eq!(
        (
            ip.priority.value,
            ip.action,
            ip.ip.as_ref().map(|t| t.value.as_str())
        ),
        (100, Access::Allow, Some("122.133.144.0/24"))
    );
    let fd = by_name("Azure Front Door example");
    assert_eq!(
        fd.service_tag.as_ref().map(|t| t.value.as_str()),
        Some("AzureFrontDoor.Backend")
    );
    assert_eq!(fd.headers.len(), 1);
    assert_eq!(fd.headers[0].name.value, "x-azure-fdid");
    let se = by_name("web subnet");
    assert_eq!(
        se.subnet.as_ref().map(|t| t.value.as_str()),
        Some("vnet-spoke/snet-web")
    );
    // The legacy `subnetMask` is the prefix length.
    let legacy = by_name("legacy mask");
    assert_eq!(
        legacy.ip.as_ref().map(|t| t.value.as_str()),
        Some("203.0.113.9/32")
    );
    let s = i
        .document
        .services
        .iter()
        .find(|s| s.name.value == "contoso-orders")
        .unwrap();
    assert_eq!(s.public_network_access, Some(PublicAccessDoc::Enabled));
    assert_eq!(s.fqdn.value, "contoso-orders.azurewebsites.net");
}

#[test]
fn the_service_tag_of_a_tag_rule_is_declared_and_its_missing_prefixes_listed() {
    let i = imported();
    assert!(i
        .document
        .service_tags
        .iter()
        .any(|t| t.name.value == "AzureFrontDoor.Backend"));
    has(
        &skipped(&i),
        "prefixes of service tag `AzureFrontDoor.Backend`",
    );
}

#[test]
fn unknown_rule_fields_and_xff_proxy_rules_are_listed_with_their_json_paths() {
    let i = imported();
    let s = skipped(&i);
    has(&s, "ipSecurityRestrictions/4/enabled");
    has(
        &s,
        "ipSecurityRestrictions/5` of web app `contoso-orders` — an `XffProxy` rule",
    );
    // Known fields that change no answer are not listed, nor are the scm settings, which
    // are imported.
    assert!(!s.iter().any(|l| l.contains("vnetTrafficTag")), "{s:#?}");
    // (A site whose input holds no scm settings at all is listed as such.)
    assert!(
        !s.iter()
            .any(|l| l.contains("scmIpSecurity") && !l.contains("holds neither")),
        "{s:#?}"
    );
}

fn web_app<'a>(i: &'a Imported, name: &str) -> &'a azpath_engine::scenario::ServiceDoc {
    i.document
        .services
        .iter()
        .find(|s| s.name.value == name)
        .unwrap_or_else(|| panic!("no service {name}: {:#?}", i.document.services))
}

/// Learn: "A setting allows you to use the rules configured for the main site" for the
/// advanced tools site (`scmIpSecurityRestrictionsUseMain`).
#[test]
fn scm_ip_security_restrictions_use_main_gives_the_advanced_tools_site_the_main_sites_rules() {
    let i = imported();
    let s = web_app(&i, "contoso-orders");
    assert_eq!(
        s.scm_use_main_restrictions.as_ref().map(|b| b.value),
        Some(true)
    );
    assert_eq!(s.scm_access_restrictions, None);
}

/// Learn: "You can also configure the unmatched rule for this site"
/// (`scmIpSecurityRestrictionsDefaultAction`).
#[test]
fn the_scm_default_action_is_the_advanced_tools_sites_unmatched_action() {
    let i = imported();
    let s = web_app(&i, "contoso-admin");
    assert_eq!(s.scm_use_main_restrictions, None);
    let scm = s.scm_access_restrictions.as_ref().unwrap();
    assert!(scm.rules.is_empty(), "{scm:#?}");
    assert_eq!(scm.unmatched_action, Some(Access::Deny));
}

#[test]
fn scm_ip_security_restrictions_are_read_like_the_main_sites() {
    let i = estate(
        r#"{"siteConfig": {"ipSecurityRestrictions": [],
            "scmIpSecurityRestrictions": [
              {"ipAddress": "198.51.100.0/24", "action": "Allow", "priority": 100, "name": "build agents"},
              {"ipAddress": "Any", "action": "Deny", "priority": 2147483647, "name": "Deny all"}]}}"#,
        false,
    );
    let s = service(&i, ServiceKind::WebApp);
    assert_eq!(s.access_restrictions, None);
    let scm = s.scm_access_restrictions.as_ref().unwrap();
    assert_eq!(scm.rules.len(), 1);
    assert_eq!(scm.rules[0].name.value, "build agents");
    assert_eq!(
        scm.rules[0].ip.as_ref().map(|t| t.value.as_str()),
        Some("198.51.100.0/24")
    );
    // Azure's "Deny all" pseudo-rule is the unmatched action.
    assert_eq!(scm.unmatched_action, Some(Access::Deny));
    // The imported scenario loads and the scm site denies what the main site lets in.
    let ron = to_ron(&i).unwrap();
    azpath_engine::load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"));
    assert!(ron.contains("scm_access_restrictions"), "{ron}");
}

#[test]
fn with_use_main_the_sites_own_scm_rules_are_listed_as_not_evaluated() {
    let i = estate(
        r#"{"siteConfig": {"ipSecurityRestrictions": [],
            "scmIpSecurityRestrictionsUseMain": true,
            "scmIpSecurityRestrictions": [
              {"ipAddress": "198.51.100.0/24", "action": "Allow", "priority": 100, "name": "build agents"}]}}"#,
        false,
    );
    let s = service(&i, ServiceKind::WebApp);
    assert_eq!(s.scm_access_restrictions, None);
    assert_eq!(
        s.scm_use_main_restrictions.as_ref().map(|b| b.value),
        Some(true)
    );
    has(
        &skipped(&i),
        "scmIpSecurityRestrictions/0` of web app `app` — not evaluated",
    );
}

#[test]
fn the_web_config_child_and_any_vnets_are_read() {
    let i = imported();
    let r = restrictions(&i, "contoso-admin");
    assert_eq!(r.rules.len(), 1);
    assert_eq!(
        r.rules[0].ip.as_ref().map(|t| t.value.as_str()),
        Some("AnyVnets")
    );
    // The config child is taken, not listed as an unknown resource.
    assert!(
        !skipped(&i).iter().any(|l| l.contains("config/web —")),
        "{:#?}",
        skipped(&i)
    );
}

#[test]
fn azures_allow_all_pseudo_rule_is_the_unmatched_action_not_a_rule() {
    let i = imported();
    // `contoso-plain` lists only "Allow all" at 2147483647: no restrictions at all, and no
    // service is invented for it.
    assert!(!i
        .document
        .services
        .iter()
        .any(|s| s.name.value == "contoso-plain"));
}

#[test]
fn the_imported_restrictions_load_once_the_tag_prefixes_are_declared() {
    let i = imported();
    let ron = to_ron(&i).unwrap();
    // As imported, the tag has no prefixes and the rule naming it is refused, located.
    let e = azpath_engine::load_str("imported.ron", &ron).unwrap_err();
    assert!(
        e.to_string().contains("declared with no prefixes"),
        "{e}\n{ron}"
    );
    let filled = ron.replacen(
        "name: \"AzureFrontDoor.Backend\",\n            prefixes: [],",
        "name: \"AzureFrontDoor.Backend\",\n            prefixes: [\"147.243.0.0/16\"],",
        1,
    );
    assert_ne!(filled, ron, "{ron}");
    azpath_engine::load_str("imported.ron", &filled).unwrap_or_else(|e| panic!("{e}\n{filled}"));
}

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg";

/// A VNet with an endpoint subnet, a web app with `site` as its properties, and, when
/// `endpoint`, a private endpoint to the app's `sites` sub-resource.
fn estate(site: &str, endpoint: bool) -> Imported {
    let pe = format!(
        r#",{{"id": "{SUB}/providers/Microsoft.Network/privateEndpoints/pe-app", "name": "pe-app",
            "type": "Microsoft.Network/privateEndpoints", "location": "westeurope",
            "properties": {{"subnet": {{"id": "{SUB}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe"}},
              "privateLinkServiceConnections": [{{"name": "c", "properties": {{
                "privateLinkServiceId": "{SUB}/providers/Microsoft.Web/sites/app", "groupIds": ["sites"]}}}}],
              "customDnsConfigs": [{{"fqdn": "app.azurewebsites.net", "ipAddresses": ["10.0.1.4"]}}]}}}}"#
    );
    let text = format!(
        r#"[{{"id": "{SUB}/providers/Microsoft.Network/virtualNetworks/vnet", "name": "vnet",
            "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
            "properties": {{"addressSpace": {{"addressPrefixes": ["10.0.0.0/16"]}},
              "subnets": [{{"name": "pe", "id": "{SUB}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe",
                "properties": {{"addressPrefix": "10.0.1.0/24"}}}}]}}}},
           {{"id": "{SUB}/providers/Microsoft.Web/sites/app", "name": "app", "type": "Microsoft.Web/sites",
            "location": "westeurope", "properties": {site}}}{}]"#,
        if endpoint { pe.as_str() } else { "" }
    );
    import_files(&[("estate.json".to_string(), text)]).unwrap_or_else(|e| panic!("{e:?}"))
}

fn service(i: &Imported, kind: ServiceKind) -> &azpath_engine::scenario::ServiceDoc {
    i.document
        .services
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} service: {:#?}", i.document.services))
}

/// Learn: "If you don't set it ... public access is enabled unless a private endpoint exists"
/// (<https://learn.microsoft.com/azure/app-service/overview-access-restrictions>): a site with
/// a private endpoint and no `publicNetworkAccess` keeps it unset, so that loading closes it.
#[test]
fn a_site_with_a_private_endpoint_and_no_public_network_access_keeps_it_unset() {
    let i = estate(r#"{"defaultHostName": "app.azurewebsites.net"}"#, true);
    assert_eq!(service(&i, ServiceKind::WebApp).public_network_access, None);
    let i = estate(
        r#"{"defaultHostName": "app.azurewebsites.net", "siteConfig": {"publicNetworkAccess": "Disabled"}}"#,
        true,
    );
    assert_eq!(
        service(&i, ServiceKind::WebApp).public_network_access,
        Some(PublicAccessDoc::Disabled)
    );
}

/// Learn: once a rule exists, requests no rule matches are denied ("Deny" is the unmatched
/// action as soon as one rule is added). A site whose every rule is left out (here IPv6) keeps
/// that Deny instead of turning open.
#[test]
fn a_site_whose_rules_are_all_left_out_still_denies_unmatched_requests() {
    let i = estate(
        r#"{"siteConfig": {"ipSecurityRestrictions": [
            {"ipAddress": "2001:db8::/48", "action": "Allow", "priority": 100, "name": "v6"}]}}"#,
        false,
    );
    let r = service(&i, ServiceKind::WebApp)
        .access_restrictions
        .as_ref()
        .unwrap_or_else(|| panic!("no restrictions: {:#?}", i.document.services));
    assert!(r.rules.is_empty(), "{r:#?}");
    assert_eq!(r.unmatched_action, Some(Access::Deny));
}

/// A site read back from Azure shows `siteConfig.ipSecurityRestrictions` as null; the list is
/// in its `config/web` child. Without either, import says it took the site as unrestricted.
#[test]
fn a_site_without_its_restriction_list_in_the_input_is_listed() {
    for site in [
        r#"{"publicNetworkAccess": "Enabled"}"#,
        r#"{"publicNetworkAccess": "Enabled", "siteConfig": {"ipSecurityRestrictions": null}}"#,
    ] {
        let i = estate(site, false);
        has(&skipped(&i), "access restrictions of web app `app`");
        // Nor are the scm site's: it is not taken as open without saying so.
        has(
            &skipped(&i),
            "restrictions of the advanced tools (scm) site of web app `app`",
        );
    }
    let i = estate(
        r#"{"publicNetworkAccess": "Enabled", "siteConfig": {"ipSecurityRestrictions": []}}"#,
        false,
    );
    assert!(
        !skipped(&i)
            .iter()
            .any(|l| l.contains("access restrictions of web app")),
        "{:#?}",
        skipped(&i)
    );
}

/// Learn ("Use private endpoints for Azure App Service apps",
/// <https://learn.microsoft.com/azure/app-service/overview-private-endpoint>): the Kudu
/// console through a private endpoint needs `mywebapp.scm.privatelink.azurewebsites.net`
/// beside the app's record; a zone group registers both.
#[test]
fn a_zone_group_of_a_web_apps_private_endpoint_registers_the_scm_record_beside_the_apps() {
    let zone =
        format!("{SUB}/providers/Microsoft.Network/privateDnsZones/privatelink.azurewebsites.net");
    let text = format!(
        r#"[{{"id": "{SUB}/providers/Microsoft.Network/virtualNetworks/vnet", "name": "vnet",
            "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
            "properties": {{"addressSpace": {{"addressPrefixes": ["10.0.0.0/16"]}},
              "subnets": [{{"name": "pe", "id": "{SUB}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe",
                "properties": {{"addressPrefix": "10.0.1.0/24"}}}}]}}}},
           {{"id": "{SUB}/providers/Microsoft.Web/sites/app", "name": "app", "type": "Microsoft.Web/sites",
            "location": "westeurope", "properties": {{"defaultHostName": "app.azurewebsites.net"}}}},
           {{"id": "{zone}", "name": "privatelink.azurewebsites.net", "type": "Microsoft.Network/privateDnsZones",
            "location": "global", "properties": {{}}}},
           {{"id": "{SUB}/providers/Microsoft.Network/privateEndpoints/pe-app", "name": "pe-app",
            "type": "Microsoft.Network/privateEndpoints", "location": "westeurope",
            "properties": {{"subnet": {{"id": "{SUB}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe"}},
              "privateLinkServiceConnections": [{{"name": "c", "properties": {{
                "privateLinkServiceId": "{SUB}/providers/Microsoft.Web/sites/app", "groupIds": ["sites"]}}}}],
              "customDnsConfigs": [{{"fqdn": "app.azurewebsites.net", "ipAddresses": ["10.0.1.4"]}}]}}}},
           {{"id": "{SUB}/providers/Microsoft.Network/privateEndpoints/pe-app/privateDnsZoneGroups/default",
            "name": "pe-app/default", "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            "properties": {{"privateDnsZoneConfigs": [{{"name": "c", "properties": {{"privateDnsZoneId": "{zone}"}}}}]}}}}]"#
    );
    let i = import_files(&[("estate.json".to_string(), text)]).unwrap_or_else(|e| panic!("{e:?}"));
    let z = i
        .document
        .dns
        .zones
        .iter()
        .find(|z| z.name.value == "privatelink.azurewebsites.net")
        .unwrap_or_else(|| panic!("{:#?}", i.document.dns));
    let mut names: Vec<&str> = z.records.iter().map(|r| r.name.value.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["app", "app.scm"], "{:#?}", z.records);
}

/// Apps on regional VNet integration each take an address of the integration subnet; two apps
/// in one subnet (several App Service plans delegated to it) must not be given the same one.
#[test]
fn apps_integrated_with_one_subnet_get_addresses_of_their_own() {
    let rg = "/subscriptions/00000000-0000-0000-0000-000000000007/resourceGroups/rg";
    let subnet = format!("{rg}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/apps");
    let site = |name: &str| {
        format!(
            r#"{{"id": "{rg}/providers/Microsoft.Web/sites/{name}", "name": "{name}", "type": "Microsoft.Web/sites", "location": "westeurope", "properties": {{"virtualNetworkSubnetId": "{subnet}"}}}}"#
        )
    };
    let json = format!(
        r#"[{{"id": "{rg}/providers/Microsoft.Network/virtualNetworks/vnet", "name": "vnet", "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
            "properties": {{"addressSpace": {{"addressPrefixes": ["10.9.0.0/16"]}},
            "subnets": [{{"id": "{subnet}", "name": "apps", "properties": {{"addressPrefix": "10.9.1.0/24"}}}}]}}}},
           {}, {}]"#,
        site("app-a"),
        site("app-b")
    );
    let i = import_files(&[("sites.json".to_string(), json)]).unwrap();
    let ips: Vec<Option<&str>> = i
        .document
        .app_services
        .iter()
        .map(|a| a.instance_ip.as_ref().map(|t| t.value.as_str()))
        .collect();
    assert_eq!(ips, [Some("10.9.1.4"), Some("10.9.1.5")]);
    let ron = to_ron(&i).unwrap();
    azpath_engine::load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"));
}
