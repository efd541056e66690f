//! `azurerm_storage_account`, turned into the `Microsoft.Storage/storageAccounts` resource Azure
//! holds, so that the ARM reader of a private endpoint's target (its public network access and
//! "secure transfer required") reads it
//! (<https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/storage_account>):
//!
//! | Terraform | Azure |
//! | --- | --- |
//! | `https_traffic_only_enabled` (provider 3.x: `enable_https_traffic_only`) | `supportsHttpsTrafficOnly` |
//! | `public_network_access_enabled` | `publicNetworkAccess` (`Enabled` / `Disabled`) |
//! | `network_rules.default_action`, `network_rules.ip_rules` | `networkAcls.defaultAction`, `networkAcls.ipRules[].value` |
//! | `network_rules.virtual_network_subnet_ids` | `networkAcls.virtualNetworkRules[].id` (listed as left out) |
//!
//! An attribute the plan does not give is left out, so the ARM reader applies Azure's default
//! or states what it takes.

use serde_json::{json, Map, Value};

use super::{set, Convert, TfResource, SUBSCRIPTION};

/// The Terraform type of a storage account.
pub(super) const KIND: &str = "azurerm_storage_account";

/// The id Azure gives a storage account in resource group `rg`.
pub(super) fn account_id(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}"
    )
}

impl Convert {
    /// `azurerm_storage_account`: the account with the settings a private endpoint's target
    /// is read for.
    pub(super) fn storage_account(&mut self, r: &TfResource, v: &Value) {
        let mut p = json!({});
        if let Some(b) = ["https_traffic_only_enabled", "enable_https_traffic_only"]
            .iter()
            .find_map(|a| v.get(*a).filter(|x| x.is_boolean()))
        {
            set(&mut p, "supportsHttpsTrafficOnly", b.clone());
        }
        if let Some(b) = v
            .get("public_network_access_enabled")
            .and_then(Value::as_bool)
        {
            let access = if b { "Enabled" } else { "Disabled" };
            set(&mut p, "publicNetworkAccess", json!(access));
        }
        if let Some(rules) = v
            .get("network_rules")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            let mut acls = Map::new();
            if let Some(action) = rules.get("default_action").filter(|x| x.is_string()) {
                acls.insert("defaultAction".into(), action.clone());
            }
            let ips: Vec<Value> = rules
                .get("ip_rules")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|ip| json!({"value": ip})).collect())
                .unwrap_or_default();
            acls.insert("ipRules".into(), Value::Array(ips));
            // Subnets admitted over a service endpoint: the ARM reader lists them as left out.
            let subnets: Vec<Value> = rules
                .get("virtual_network_subnet_ids")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|id| json!({"id": id})).collect())
                .unwrap_or_default();
            if !subnets.is_empty() {
                acls.insert("virtualNetworkRules".into(), Value::Array(subnets));
            }
            set(&mut p, "networkAcls", Value::Object(acls));
        }
        let id = self.ids.get(&r.address).cloned().unwrap_or_default();
        self.push_typed(r, id, "Microsoft.Storage/storageAccounts".into(), p);
    }
}
