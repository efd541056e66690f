//! Azure Firewall in Terraform: the firewall, its policy, the policy's rule collection groups,
//! classic rule collections and IP groups, written as the resources Azure holds, so that the
//! firewall import reads their rules exactly as it reads `az` output.
//!
//! Attribute names follow the azurerm provider's documentation (`azurerm_firewall`,
//! `azurerm_firewall_policy`, `azurerm_firewall_policy_rule_collection_group`,
//! `azurerm_firewall_{network,application,nat}_rule_collection`, `azurerm_ip_group`,
//! <https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs>). What azpath does
//! not model is listed with the resource's address, never dropped in silence.

use serde_json::{json, Map, Value};

use super::blocks::{blocks, copy};
use super::{set, strings, Convert, TfResource};

/// `(Terraform attribute, Azure property)` of a network rule, policy or classic; the
/// protocols are `ipProtocols` in a policy and `protocols` on a classic firewall.
const NETWORK_RULE: &[(&str, &str)] = &[
    ("name", "name"),
    ("source_addresses", "sourceAddresses"),
    ("source_ip_groups", "sourceIpGroups"),
    ("destination_addresses", "destinationAddresses"),
    ("destination_ip_groups", "destinationIpGroups"),
    ("destination_fqdns", "destinationFqdns"),
    ("destination_ports", "destinationPorts"),
];

/// A policy application rule (its protocols apart).
const POLICY_APP_RULE: &[(&str, &str)] = &[
    ("name", "name"),
    ("source_addresses", "sourceAddresses"),
    ("source_ip_groups", "sourceIpGroups"),
    ("destination_addresses", "destinationAddresses"),
    ("destination_fqdns", "targetFqdns"),
    ("destination_fqdn_tags", "fqdnTags"),
    ("destination_urls", "targetUrls"),
    ("web_categories", "webCategories"),
];

/// A classic application rule (its protocols apart).
const CLASSIC_APP_RULE: &[(&str, &str)] = &[
    ("name", "name"),
    ("source_addresses", "sourceAddresses"),
    ("source_ip_groups", "sourceIpGroups"),
    ("target_fqdns", "targetFqdns"),
    ("fqdn_tags", "fqdnTags"),
];

/// A policy NAT rule: one `destination_address` (Azure holds a list).
const POLICY_NAT_RULE: &[(&str, &str)] = &[
    ("name", "name"),
    ("protocols", "ipProtocols"),
    ("source_addresses", "sourceAddresses"),
    ("source_ip_groups", "sourceIpGroups"),
    ("destination_ports", "destinationPorts"),
    ("translated_address", "translatedAddress"),
    ("translated_fqdn", "translatedFqdn"),
    ("translated_port", "translatedPort"),
];

/// A classic NAT rule.
const CLASSIC_NAT_RULE: &[(&str, &str)] = &[
    ("name", "name"),
    ("protocols", "protocols"),
    ("source_addresses", "sourceAddresses"),
    ("source_ip_groups", "sourceIpGroups"),
    ("destination_addresses", "destinationAddresses"),
    ("destination_ports", "destinationPorts"),
    ("translated_address", "translatedAddress"),
    ("translated_port", "translatedPort"),
];

/// The attributes of a rule that hold resource ids.
const ID_LISTS: &[&str] = &["source_ip_groups", "destination_ip_groups"];

/// Whether a value of `after_unknown` marks anything unknown.
fn any_unknown(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Array(a) => a.iter().any(any_unknown),
        Value::Object(o) => o.values().any(any_unknown),
        _ => false,
    }
}

/// A classic rule collection's Azure list on its firewall.
fn classic_list(kind: &str) -> &'static str {
    match kind {
        "azurerm_firewall_network_rule_collection" => "networkRuleCollections",
        "azurerm_firewall_application_rule_collection" => "applicationRuleCollections",
        _ => "natRuleCollections",
    }
}

/// The id of the resource that holds the child `id`: `…/azureFirewalls/fw/natRuleCollections/c`
/// → `…/azureFirewalls/fw`.
fn holder_of(id: &str) -> Option<&str> {
    let cut = id.trim_end_matches('/').rfind('/')?;
    let cut = id.get(..cut)?.rfind('/')?;
    id.get(..cut)
}

impl Convert {
    /// Whether the attribute at `pointer` (into the resource's values) is known only after
    /// apply (plans only).
    pub(super) fn unknown_at(&self, r: &TfResource, pointer: &str) -> bool {
        self.unknown
            .get(&r.address)
            .and_then(|u| u.pointer(pointer))
            .is_some_and(any_unknown)
    }

    /// Lists what a resource sets that azpath does not model.
    fn not_modelled(&mut self, r: &TfResource, attr: &str, why: &str) {
        self.out
            .left_out
            .push((r.pointer.clone(), format!("{}.{attr}: {why}", r.address)));
    }

    /// `azurerm_firewall`: its IP configurations, public IPs, policy, Management NIC (forced
    /// tunnelling), virtual hub, and the DNS and SNAT settings Azure keeps in
    /// `additionalProperties`.
    pub(super) fn firewall(&mut self, r: &TfResource, v: &Value) {
        let mut configs = Vec::new();
        let all = blocks(v, "ip_configuration");
        for (i, c) in all.iter().enumerate() {
            let mut p = Map::new();
            if let Some(subnet) = self.block_id(r, all.len(), i, c, "ip_configuration.subnet_id") {
                p.insert("subnet".into(), json!({"id": subnet}));
            }
            if let Some(ip) = c.get("private_ip_address").filter(|x| !x.is_null()) {
                p.insert("privateIPAddress".into(), ip.clone());
            }
            if let Some(pip) =
                self.block_id(r, all.len(), i, c, "ip_configuration.public_ip_address_id")
            {
                p.insert("publicIPAddress".into(), json!({"id": pip}));
            }
            configs.push(json!({"name": c.get("name"), "properties": p}));
        }
        let mut props = json!({"ipConfigurations": configs});
        if let Some(m) = blocks(v, "management_ip_configuration").first() {
            let subnet = self.id_attr(r, m, "management_ip_configuration.subnet_id");
            let pip = self.id_attr(r, m, "management_ip_configuration.public_ip_address_id");
            set(
                &mut props,
                "managementIpConfiguration",
                json!({"name": m.get("name"), "properties": {
                    "subnet": {"id": subnet},
                    "publicIPAddress": {"id": pip},
                }}),
            );
        }
        if let Some(policy) = self.id_attr(r, v, "firewall_policy_id") {
            set(&mut props, "firewallPolicy", json!({"id": policy}));
        }
        if let Some(hub) = blocks(v, "virtual_hub").first() {
            if let Some(id) = self.id_attr(r, hub, "virtual_hub.virtual_hub_id") {
                set(&mut props, "virtualHub", json!({"id": id}));
            }
            let addresses: Vec<Value> = strings(hub, "public_ip_addresses")
                .into_iter()
                .map(|a| json!({"address": a}))
                .collect();
            let mut hub_ips = json!({"publicIPs": {
                "addresses": addresses,
                "count": hub.get("public_ip_count"),
            }});
            if let Some(ip) = hub
                .get("private_ip_address")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                set(&mut hub_ips, "privateIPAddress", Value::String(ip.into()));
            }
            set(&mut props, "hubIPAddresses", hub_ips);
        }
        if let Some(extra) = additional_properties(v) {
            set(&mut props, "additionalProperties", extra);
        }
        if let Some(mode) = v.get("threat_intel_mode").and_then(Value::as_str) {
            set(&mut props, "threatIntelMode", Value::String(mode.into()));
            if mode.eq_ignore_ascii_case("Deny")
                && v.get("firewall_policy_id").is_none_or(|p| p.is_null())
            {
                self.not_modelled(
                    r,
                    "threat_intel_mode",
                    "`Deny` (threat intelligence) is not modelled: flows to known malicious addresses are answered as the rules alone answer them",
                );
            }
        }
        self.push(r, "azureFirewalls", props);
    }

    /// `azurerm_firewall_policy`: SNAT ranges, DNS settings, and the settings the firewall
    /// import lists as not modelled (parent policy, TLS inspection, IDPS, threat intelligence).
    pub(super) fn firewall_policy(&mut self, r: &TfResource, v: &Value) {
        let mut p = Map::new();
        let ranges = strings(v, "private_ip_ranges");
        if !ranges.is_empty() {
            p.insert("snat".into(), json!({"privateRanges": ranges}));
        }
        if let Some(dns) = blocks(v, "dns").first() {
            p.insert(
                "dnsSettings".into(),
                json!({
                    "enableProxy": dns.get("proxy_enabled").cloned().unwrap_or(Value::Bool(false)),
                    "servers": strings(dns, "servers"),
                }),
            );
        }
        if let Some(base) = self.id_attr(r, v, "base_policy_id") {
            p.insert("basePolicy".into(), json!({"id": base}));
        }
        if let Some(mode) = v.get("threat_intelligence_mode").and_then(Value::as_str) {
            p.insert("threatIntelMode".into(), Value::String(mode.into()));
        }
        if let Some(idps) = blocks(v, "intrusion_detection").first() {
            p.insert(
                "intrusionDetection".into(),
                json!({"mode": idps.get("mode")}),
            );
        }
        if let Some(tls) = blocks(v, "tls_certificate").first() {
            p.insert(
                "transportSecurity".into(),
                json!({"certificateAuthority": {
                    "name": tls.get("name"),
                    "keyVaultSecretId": tls.get("key_vault_secret_id"),
                }}),
            );
        }
        if let Some(sku) = v.get("sku").and_then(Value::as_str) {
            p.insert("sku".into(), json!({"tier": sku}));
        }
        if v.get("auto_learn_private_ranges_enabled") == Some(&Value::Bool(true)) {
            self.not_modelled(
                r,
                "auto_learn_private_ranges_enabled",
                "ranges Azure learns at run time are not modelled: SNAT follows `private_ip_ranges` alone",
            );
        }
        if blocks(v, "explicit_proxy")
            .first()
            .is_some_and(|e| e.get("enabled") == Some(&Value::Bool(true)))
        {
            self.not_modelled(r, "explicit_proxy", "the explicit proxy is not modelled");
        }
        self.push(r, "firewallPolicies", Value::Object(p));
    }

    /// `azurerm_firewall_policy_rule_collection_group`: its network, application and NAT
    /// collections as Azure's `ruleCollections`.
    pub(super) fn rule_collection_group(&mut self, r: &TfResource, v: &Value) {
        let mut collections = Vec::new();
        for (block, kind) in [
            ("network_rule_collection", "NetworkRule"),
            ("application_rule_collection", "ApplicationRule"),
            ("nat_rule_collection", "NatRule"),
        ] {
            for (ci, c) in blocks(v, block).iter().enumerate() {
                let at = format!("/{block}/{ci}");
                let mut rules = Vec::new();
                for (ri, rule) in blocks(c, "rule").iter().enumerate() {
                    let where_ = format!("{at}/rule/{ri}");
                    if let Some(x) = self.policy_rule(r, &where_, c, rule, kind) {
                        rules.push(x);
                    }
                }
                let collection_type = if kind == "NatRule" {
                    "FirewallPolicyNatRuleCollection"
                } else {
                    "FirewallPolicyFilterRuleCollection"
                };
                collections.push(json!({
                    "ruleCollectionType": collection_type,
                    "name": c.get("name"),
                    "priority": c.get("priority"),
                    "action": {"type": c.get("action")},
                    "rules": rules,
                }));
            }
        }
        self.push(
            r,
            "firewallPolicies/ruleCollectionGroups",
            json!({"priority": v.get("priority"), "ruleCollections": collections}),
        );
    }

    /// One rule of a policy collection as Azure holds it; `None` (listed) when an IP group it
    /// names is known only after apply.
    fn policy_rule(
        &mut self,
        r: &TfResource,
        at: &str,
        collection: &Value,
        rule: &Value,
        kind: &str,
    ) -> Option<Value> {
        if !self.ip_groups_known(r, at, collection, rule) {
            return None;
        }
        let mut x = match kind {
            "NetworkRule" => {
                let mut x = copy(rule, NETWORK_RULE);
                if let Some(p) = rule.get("protocols").filter(|p| !p.is_null()) {
                    x.insert("ipProtocols".into(), p.clone());
                }
                x
            }
            "ApplicationRule" => {
                let mut x = copy(rule, POLICY_APP_RULE);
                x.insert("protocols".into(), app_protocols(rule, "protocols"));
                self.app_rule_extras(r, at, collection, rule);
                x
            }
            _ => {
                let mut x = copy(rule, POLICY_NAT_RULE);
                if let Some(d) = rule
                    .get("destination_address")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                {
                    x.insert("destinationAddresses".into(), json!([d]));
                }
                x
            }
        };
        x.insert("ruleType".into(), Value::String(kind.into()));
        Some(Value::Object(x))
    }

    /// Whether the IP groups a rule names are known; when not, the rule is listed as left
    /// out: which groups Terraform will write there is not known offline.
    fn ip_groups_known(
        &mut self,
        r: &TfResource,
        at: &str,
        collection: &Value,
        rule: &Value,
    ) -> bool {
        for attr in ID_LISTS {
            if self.unknown_at(r, &format!("{at}/{attr}")) {
                self.out.left_out.push((
                    r.pointer.clone(),
                    format!(
                        "{}: rule `{}/{}`: its {attr} are known after apply, so which IP groups it names is not known offline",
                        r.address,
                        collection.get("name").and_then(Value::as_str).unwrap_or_default(),
                        rule.get("name").and_then(Value::as_str).unwrap_or_default(),
                    ),
                ));
                return false;
            }
        }
        true
    }

    /// What an application rule sets that the firewall import does not read, listed.
    fn app_rule_extras(&mut self, r: &TfResource, at: &str, collection: &Value, rule: &Value) {
        let name = format!(
            "{}/{}",
            collection
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default(),
            rule.get("name").and_then(Value::as_str).unwrap_or_default()
        );
        if rule.get("terminate_tls") == Some(&Value::Bool(true)) {
            self.not_modelled(
                r,
                &format!("{}.terminate_tls", at.trim_start_matches('/')),
                &format!("rule `{name}`: TLS inspection is not modelled"),
            );
        }
        if !blocks(rule, "http_headers").is_empty() {
            self.not_modelled(
                r,
                &format!("{}.http_headers", at.trim_start_matches('/')),
                &format!("rule `{name}`: inserted HTTP headers are not modelled"),
            );
        }
        if !strings(rule, "destination_addresses").is_empty() {
            self.not_modelled(
                r,
                &format!("{}.destination_addresses", at.trim_start_matches('/')),
                &format!("rule `{name}`: the destination addresses of an application rule are not modelled: it matches on its FQDNs alone"),
            );
        }
    }

    /// A classic rule collection: added to its firewall's `networkRuleCollections`,
    /// `applicationRuleCollections` or `natRuleCollections`.
    pub(super) fn classic_collection(&mut self, r: &TfResource, v: &Value) {
        let mut rules = Vec::new();
        for (ri, rule) in blocks(v, "rule").iter().enumerate() {
            if !self.ip_groups_known(r, &format!("/rule/{ri}"), v, rule) {
                continue;
            }
            let x = match r.kind.as_str() {
                "azurerm_firewall_network_rule_collection" => {
                    let mut x = copy(rule, NETWORK_RULE);
                    if let Some(p) = rule.get("protocols").filter(|p| !p.is_null()) {
                        x.insert("protocols".into(), p.clone());
                    }
                    x
                }
                "azurerm_firewall_application_rule_collection" => {
                    let mut x = copy(rule, CLASSIC_APP_RULE);
                    x.insert("protocols".into(), app_protocols(rule, "protocol"));
                    x
                }
                _ => copy(rule, CLASSIC_NAT_RULE),
            };
            rules.push(Value::Object(x));
        }
        let id = self.ids.get(&r.address).cloned().unwrap_or_default();
        let collection = json!({"name": r.values.get("name"), "id": id, "properties": {
            "priority": v.get("priority"),
            "action": {"type": v.get("action")},
            "rules": rules,
        }});
        let firewall = holder_of(&id).unwrap_or_default().to_string();
        if !self.push_on(&firewall, classic_list(&r.kind), collection) {
            self.out.left_out.push((
                r.pointer.clone(),
                format!("{}: its firewall {firewall} is not in the input", r.address),
            ));
        }
    }

    /// `azurerm_ip_group`: its CIDRs.
    pub(super) fn ip_group(&mut self, r: &TfResource, v: &Value) {
        self.push(r, "ipGroups", json!({"ipAddresses": strings(v, "cidrs")}));
    }

    /// `azurerm_ip_group_cidr`: one CIDR added to its IP group.
    pub(super) fn ip_group_cidr(&mut self, r: &TfResource, v: &Value) {
        let group = self.id_attr(r, v, "ip_group_id");
        let cidr = v
            .get("cidr")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let added = match (&group, cidr) {
            (Some(g), Some(c)) => self.push_on(g, "ipAddresses", Value::String(c.into())),
            _ => false,
        };
        if !added {
            self.out.left_out.push((
                r.pointer.clone(),
                format!(
                    "{}: its IP group ({}) or its CIDR is not known or not in the input",
                    r.address,
                    group.as_deref().unwrap_or("unknown")
                ),
            ));
        }
    }
}

/// An application rule's protocol blocks (`protocols` in a policy, `protocol` classic) as
/// Azure's `protocols`.
fn app_protocols(rule: &Value, key: &str) -> Value {
    Value::Array(
        blocks(rule, key)
            .iter()
            .map(|p| json!({"protocolType": p.get("type"), "port": p.get("port")}))
            .collect(),
    )
}

/// The DNS and SNAT settings of a firewall without a policy, as the provider writes them to
/// Azure's `additionalProperties`: DNS servers turn the proxy on, and `dns_proxy_enabled`
/// does (`expandFirewallAdditionalProperty`, terraform-provider-azurerm,
/// internal/services/firewall/firewall_resource.go); `None` when neither is set.
fn additional_properties(v: &Value) -> Option<Value> {
    let mut out = Map::new();
    let servers: Vec<String> = strings(v, "dns_servers")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if !servers.is_empty() {
        out.insert("Network.DNS.EnableProxy".into(), json!("true"));
        out.insert("Network.DNS.Servers".into(), json!(servers.join(",")));
    }
    if v.get("dns_proxy_enabled") == Some(&Value::Bool(true)) {
        out.insert("Network.DNS.EnableProxy".into(), json!("true"));
    }
    let ranges: Vec<String> = strings(v, "private_ip_ranges")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if !ranges.is_empty() {
        out.insert("Network.SNAT.PrivateRanges".into(), json!(ranges.join(",")));
    }
    (!out.is_empty()).then_some(Value::Object(out))
}
