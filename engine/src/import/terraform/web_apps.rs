//! `azurerm_linux_web_app`, `azurerm_windows_web_app` and their function app equivalents,
//! which share one `site_config` shape, turned into the `Microsoft.Web/sites` resource Azure
//! holds, so that the ARM reader of App Service apps (VNet integration, `publicNetworkAccess`,
//! access restrictions of the main and the advanced tools site) reads them
//! (<https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/linux_web_app>):
//!
//! | Terraform | Azure |
//! | --- | --- |
//! | `public_network_access_enabled` | `publicNetworkAccess` (`Enabled` / `Disabled`: the provider always sends one) |
//! | `virtual_network_subnet_id` | `virtualNetworkSubnetId` |
//! | `site_config.vnet_route_all_enabled` | `vnetRouteAllEnabled` |
//! | `site_config.ip_restriction` / `scm_ip_restriction` | `ipSecurityRestrictions` / `scmIpSecurityRestrictions` |
//! | `site_config.ip_restriction_default_action` / `scm_ip_restriction_default_action` | `ipSecurityRestrictionsDefaultAction` / `scmIpSecurityRestrictionsDefaultAction` |
//! | `site_config.scm_use_main_ip_restriction` | `scmIpSecurityRestrictionsUseMain` |
//!
//! A rule's `ip_address`, `service_tag` or `virtual_network_subnet_id` becomes `ipAddress`
//! (tag `Default`), `ipAddress` with tag `ServiceTag`, or `vnetSubnetResourceId`; its `headers`
//! block the four header filters. A rule whose source is known only after apply is listed as
//! left out, never guessed.

use serde_json::{json, Map, Value};

use super::{set, Convert, TfResource, SUBSCRIPTION};

/// The Terraform types of App Service apps.
const KINDS: [&str; 4] = [
    "azurerm_linux_web_app",
    "azurerm_windows_web_app",
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
];

/// Whether `kind` is an App Service app's Terraform type.
pub(super) fn is_web_app(kind: &str) -> bool {
    KINDS.contains(&kind)
}

/// The id Azure gives a site in resource group `rg`.
pub(super) fn site_id(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Web/sites/{name}"
    )
}

/// A `headers` block's attributes and the headers Azure filters on.
const HEADERS: [(&str, &str); 4] = [
    ("x_azure_fdid", "X-Azure-FDID"),
    ("x_fd_health_probe", "X-FD-HealthProbe"),
    ("x_forwarded_for", "X-Forwarded-For"),
    ("x_forwarded_host", "X-Forwarded-Host"),
];

/// Each site's Terraform block and the Azure properties of its rules and unmatched-rule
/// action: the main site, then the advanced tools (scm) site.
const SITES: [(&str, &str, &str); 2] = [
    (
        "ip_restriction",
        "ipSecurityRestrictions",
        "ipSecurityRestrictionsDefaultAction",
    ),
    (
        "scm_ip_restriction",
        "scmIpSecurityRestrictions",
        "scmIpSecurityRestrictionsDefaultAction",
    ),
];

/// A non-empty string attribute.
fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The header filters of a rule's `headers` block (a list of at most one): header to values.
fn headers(rule: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for block in rule
        .get("headers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for (tf, azure) in HEADERS {
            let values = super::strings(block, tf);
            if !values.is_empty() {
                out.insert(azure.to_string(), Value::Array(values));
            }
        }
    }
    out
}

impl Convert {
    /// The rules of `site_config.<block>` as Azure lists them; a rule whose source is known only
    /// after apply is left out, and the list says whether one was.
    fn restrictions(&mut self, r: &TfResource, config: &Value, block: &str) -> (Vec<Value>, bool) {
        let mut out = Vec::new();
        let mut left_out = false;
        let rules = config
            .get(block)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, rule) in rules.iter().enumerate() {
            let at = format!("/site_config/0/{block}/{i}");
            let mut p = Map::new();
            for (tf, azure) in [
                ("name", "name"),
                ("priority", "priority"),
                ("action", "action"),
                ("description", "description"),
            ] {
                if let Some(x) = rule.get(tf).filter(|x| !x.is_null()) {
                    p.insert(azure.into(), x.clone());
                }
            }
            let subnet = self.id_attr(
                r,
                rule,
                &format!("site_config.{block}.virtual_network_subnet_id"),
            );
            match (text(rule, "ip_address"), text(rule, "service_tag"), subnet) {
                (Some(ip), _, _) => {
                    p.insert("ipAddress".into(), json!(ip));
                    p.insert("tag".into(), json!("Default"));
                }
                (None, Some(tag), _) => {
                    p.insert("ipAddress".into(), json!(tag));
                    p.insert("tag".into(), json!("ServiceTag"));
                }
                (None, None, Some(id)) => {
                    p.insert("vnetSubnetResourceId".into(), json!(id));
                }
                (None, None, None) => {
                    let unknown = ["ip_address", "service_tag", "virtual_network_subnet_id"]
                        .iter()
                        .any(|a| self.unknown_at(r, &format!("{at}/{a}")));
                    if unknown {
                        left_out = true;
                        self.out.left_out.push((
                            format!("{}/values{at}", r.pointer),
                            format!(
                                "{}: site_config.{block}[{i}] has its source known only after apply, which cannot be read offline",
                                r.address
                            ),
                        ));
                        continue;
                    }
                }
            }
            let h = headers(rule);
            if !h.is_empty() {
                p.insert("headers".into(), Value::Object(h));
            }
            out.push(Value::Object(p));
        }
        (out, left_out)
    }

    /// One App Service app as the `Microsoft.Web/sites` resource Azure holds.
    pub(super) fn web_app(&mut self, r: &TfResource, v: &Value) {
        let config = v
            .get("site_config")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or(Value::Null);
        let mut site = Map::new();
        for (block, list, default) in SITES {
            let (rules, left_out) = self.restrictions(r, &config, block);
            let action = text(&config, &format!("{block}_default_action"));
            match action {
                Some(a) => {
                    site.insert(default.into(), json!(a));
                }
                // Rules were there, so Azure denies what none matches; the ones kept here
                // (perhaps none) must not turn the site open.
                None if left_out => {
                    site.insert(default.into(), json!("Deny"));
                    self.out.assumptions.push(format!(
                        "{}: site_config.{block}_default_action is not given and a rule was left out: taken as Deny, Azure's once a rule exists",
                        r.address
                    ));
                }
                None => {}
            }
            if config.get(block).is_some_and(Value::is_array) {
                site.insert(list.into(), Value::Array(rules));
            }
        }
        if let Some(b) = config
            .get("scm_use_main_ip_restriction")
            .filter(|x| x.is_boolean())
        {
            site.insert("scmIpSecurityRestrictionsUseMain".into(), b.clone());
        }
        let mut p = json!({"siteConfig": Value::Object(site)});
        if let Some(b) = v
            .get("public_network_access_enabled")
            .and_then(Value::as_bool)
        {
            let access = if b { "Enabled" } else { "Disabled" };
            set(&mut p, "publicNetworkAccess", json!(access));
        }
        if let Some(subnet) = self.id_attr(r, v, "virtual_network_subnet_id") {
            set(&mut p, "virtualNetworkSubnetId", json!(subnet));
        }
        if let Some(b) = config
            .get("vnet_route_all_enabled")
            .filter(|x| x.is_boolean())
        {
            set(&mut p, "vnetRouteAllEnabled", b.clone());
        }
        if let Some(host) = text(v, "default_hostname") {
            set(&mut p, "defaultHostName", json!(host));
        }
        if let Some(ips) = text(v, "outbound_ip_addresses") {
            set(&mut p, "outboundIpAddresses", json!(ips));
        }
        if let Some(dns) = v
            .get("app_settings")
            .and_then(|s| s.get("WEBSITE_DNS_SERVER"))
            .filter(|x| x.is_string())
        {
            if let Some(sc) = p.get_mut("siteConfig") {
                set(
                    sc,
                    "appSettings",
                    json!([{"name": "WEBSITE_DNS_SERVER", "value": dns}]),
                );
            }
        }
        let id = self.ids.get(&r.address).cloned().unwrap_or_default();
        self.push_typed(r, id, "Microsoft.Web/sites".into(), p);
    }
}
