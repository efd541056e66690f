//! Load balancers in Terraform: `azurerm_lb` with its frontends, and its pools, probes,
//! load-balancing, outbound and inbound NAT rules (resources of their own in Terraform,
//! properties of the load balancer in Azure), and the NIC associations that put an IP
//! configuration in a pool or behind a NAT rule; written as Azure's `loadBalancers` resource
//! so that the load balancer import reads them as it reads `az` output. Attribute names
//! follow the azurerm provider's documentation
//! (<https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/lb_rule>,
//! `lb`, `lb_backend_address_pool`, `lb_probe`, `lb_outbound_rule`, `lb_nat_rule`,
//! `network_interface_backend_address_pool_association`,
//! `network_interface_nat_rule_association`).

use serde_json::{json, Map, Value};

use super::blocks::{blocks, copy};
use super::{set, Convert, TfResource};

/// The first of several spellings of one attribute that is set (`floating_ip_enabled` in
/// provider 4, `enable_floating_ip` before).
fn first_set<'v>(v: &'v Value, keys: &[&str]) -> Option<&'v Value> {
    keys.iter().filter_map(|k| v.get(*k)).find(|x| !x.is_null())
}

/// The load-balancer collection a child type adds to.
fn list_of(kind: &str) -> &'static str {
    match kind {
        "azurerm_lb_backend_address_pool" => "backendAddressPools",
        "azurerm_lb_probe" => "probes",
        "azurerm_lb_rule" => "loadBalancingRules",
        "azurerm_lb_outbound_rule" => "outboundRules",
        _ => "inboundNatRules",
    }
}

impl Convert {
    /// `azurerm_lb` and its children.
    pub(super) fn load_balancer(&mut self, r: &TfResource, v: &Value) {
        if r.kind == "azurerm_lb" {
            self.lb(r, v);
            return;
        }
        let id = self.ids.get(&r.address).cloned().unwrap_or_default();
        let Some(lb) = self.id_attr(r, v, "loadbalancer_id") else {
            self.out.left_out.push((
                r.pointer.clone(),
                format!("{}: its load balancer is not known", r.address),
            ));
            return;
        };
        let frontend = |name: &Value| {
            name.as_str()
                .map(|n| json!({"id": format!("{lb}/frontendIPConfigurations/{n}")}))
        };
        let mut p = Map::new();
        match r.kind.as_str() {
            "azurerm_lb_backend_address_pool" => {}
            "azurerm_lb_probe" => {
                p = copy(
                    v,
                    &[
                        ("protocol", "protocol"),
                        ("port", "port"),
                        ("request_path", "requestPath"),
                    ],
                );
            }
            "azurerm_lb_rule" | "azurerm_lb_nat_rule" => {
                p = copy(
                    v,
                    &[
                        ("protocol", "protocol"),
                        ("frontend_port", "frontendPort"),
                        ("backend_port", "backendPort"),
                        ("load_distribution", "loadDistribution"),
                        ("disable_outbound_snat", "disableOutboundSnat"),
                        ("frontend_port_start", "frontendPortRangeStart"),
                        ("frontend_port_end", "frontendPortRangeEnd"),
                    ],
                );
                if let Some(f) = v.get("frontend_ip_configuration_name").and_then(frontend) {
                    p.insert("frontendIPConfiguration".into(), f);
                }
                if let Some(x) = first_set(v, &["floating_ip_enabled", "enable_floating_ip"]) {
                    p.insert("enableFloatingIP".into(), x.clone());
                }
                if let Some(probe) = self.id_attr(r, v, "probe_id") {
                    p.insert("probe".into(), json!({"id": probe}));
                }
                let pools: Vec<Value> = self
                    .ids_attr(r, v, "backend_address_pool_ids")
                    .into_iter()
                    .map(|id| json!({"id": id}))
                    .collect();
                if !pools.is_empty() {
                    p.insert("backendAddressPools".into(), Value::Array(pools));
                }
                if r.kind == "azurerm_lb_nat_rule" {
                    if let Some(pool) = self.id_attr(r, v, "backend_address_pool_id") {
                        p.insert("backendAddressPool".into(), json!({"id": pool}));
                    }
                }
            }
            _ => {
                p = copy(
                    v,
                    &[
                        ("protocol", "protocol"),
                        ("allocated_outbound_ports", "allocatedOutboundPorts"),
                    ],
                );
                let fronts: Vec<Value> = blocks(v, "frontend_ip_configuration")
                    .iter()
                    .filter_map(|f| f.get("name").and_then(frontend))
                    .collect();
                p.insert("frontendIPConfigurations".into(), Value::Array(fronts));
                if let Some(pool) = self.id_attr(r, v, "backend_address_pool_id") {
                    p.insert("backendAddressPool".into(), json!({"id": pool}));
                }
            }
        }
        let x = json!({"id": id, "name": v.get("name"), "properties": p});
        if !self.push_on(&lb, list_of(&r.kind), x) {
            self.out.left_out.push((
                r.pointer.clone(),
                format!("{}: its load balancer {lb} is not in the input", r.address),
            ));
        }
    }

    /// `azurerm_lb`: its SKU (Azure holds it beside the properties) and frontends.
    fn lb(&mut self, r: &TfResource, v: &Value) {
        let lb = self.ids.get(&r.address).cloned().unwrap_or_default();
        let all = blocks(v, "frontend_ip_configuration");
        let mut fronts = Vec::new();
        for (i, f) in all.iter().enumerate() {
            let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
            let id = f
                .get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map_or_else(
                    || format!("{lb}/frontendIPConfigurations/{name}"),
                    str::to_string,
                );
            let mut p = copy(
                f,
                &[
                    ("private_ip_address", "privateIPAddress"),
                    ("private_ip_address_allocation", "privateIPAllocationMethod"),
                ],
            );
            for (attr, key) in [
                ("frontend_ip_configuration.subnet_id", "subnet"),
                (
                    "frontend_ip_configuration.public_ip_address_id",
                    "publicIPAddress",
                ),
                (
                    "frontend_ip_configuration.gateway_load_balancer_frontend_ip_configuration_id",
                    "gatewayLoadBalancer",
                ),
            ] {
                if let Some(target) = self.block_id(r, all.len(), i, f, attr) {
                    p.insert(key.into(), json!({"id": target}));
                }
            }
            fronts.push(json!({"id": id, "name": name, "properties": p}));
        }
        self.push(
            r,
            "loadBalancers",
            json!({"frontendIPConfigurations": fronts}),
        );
        if let Some(sku) = v.get("sku").and_then(Value::as_str) {
            if let Some((_, last)) = self.out.resources.last_mut() {
                set(last, "sku", json!({"name": sku}));
            }
        }
    }

    /// A NIC IP configuration put in a backend pool, or behind an inbound NAT rule.
    pub(super) fn nic_balancer_association(&mut self, r: &TfResource, v: &Value) {
        let pool = r.kind == "azurerm_network_interface_backend_address_pool_association";
        let target_attr = if pool {
            "backend_address_pool_id"
        } else {
            "nat_rule_id"
        };
        let nic = self.id_attr(r, v, "network_interface_id");
        let target = self.id_attr(r, v, target_attr);
        let config = v
            .get("ip_configuration_name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let (Some(nic), Some(target), Some(config)) = (nic, target, config) else {
            self.out.left_out.push((
                r.pointer.clone(),
                format!(
                    "{}: its network interface, IP configuration or {} is not known",
                    r.address,
                    target_attr.trim_end_matches("_id")
                ),
            ));
            return;
        };
        let done = if pool {
            self.on_nic_config(&nic, config, &target)
        } else {
            self.on_nat_rule(&target, &format!("{nic}/ipConfigurations/{config}"))
        };
        if !done {
            self.out.left_out.push((
                r.pointer.clone(),
                format!(
                    "{}: {nic} (IP configuration `{config}`) or {target} is not in the input",
                    r.address
                ),
            ));
        }
    }

    /// Adds `pool` to the `loadBalancerBackendAddressPools` of IP configuration `config` of
    /// NIC `nic`; false when either is not read.
    fn on_nic_config(&mut self, nic: &str, config: &str, pool: &str) -> bool {
        let want = nic.to_lowercase();
        let configs = self
            .out
            .resources
            .iter_mut()
            .find(|(_, r)| {
                r.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|i| i.to_lowercase() == want)
            })
            .and_then(|(_, r)| r.pointer_mut("/properties/ipConfigurations"))
            .and_then(Value::as_array_mut);
        let Some(c) = configs.and_then(|cs| {
            cs.iter_mut()
                .find(|c| c.get("name").and_then(Value::as_str) == Some(config))
        }) else {
            return false;
        };
        let Some(p) = c.get_mut("properties").and_then(Value::as_object_mut) else {
            return false;
        };
        match p
            .entry("loadBalancerBackendAddressPools")
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(list) => {
                list.push(json!({"id": pool}));
                true
            }
            _ => false,
        }
    }

    /// Sets the `backendIPConfiguration` of the inbound NAT rule `rule` (read onto its load
    /// balancer); false when it is not read.
    fn on_nat_rule(&mut self, rule: &str, config: &str) -> bool {
        let want = rule.to_lowercase();
        for (_, r) in &mut self.out.resources {
            let Some(rules) = r
                .pointer_mut("/properties/inboundNatRules")
                .and_then(Value::as_array_mut)
            else {
                continue;
            };
            let found = rules.iter_mut().find(|n| {
                n.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|i| i.to_lowercase() == want)
            });
            if let Some(p) = found.and_then(|n| n.get_mut("properties")) {
                set(p, "backendIPConfiguration", json!({"id": config}));
                return true;
            }
        }
        false
    }
}
