//! Virtual WAN in Terraform: `azurerm_virtual_wan`, `azurerm_virtual_hub`, its route tables,
//! VNet connections (with their routing) and routing intent, written as Azure's
//! `virtualWans`, `virtualHubs` and the hub's child resources, so that the virtual WAN import
//! reads them as it reads `az` output. Attribute names follow the azurerm provider's
//! documentation (<https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/virtual_hub_connection>,
//! `virtual_hub`, `virtual_hub_route_table`, `virtual_hub_routing_intent`).

use serde_json::{json, Map, Value};

use super::blocks::{attr, blocks};
use super::{set, strings, Convert, TfResource};

/// Copies a set attribute under its Azure name.
fn copy_to(p: &mut Value, from: &Value, tf: &str, az: &str) {
    if let Some(x) = attr(from, tf) {
        set(p, az, x.clone());
    }
}

impl Convert {
    /// The virtual WAN resources.
    pub(super) fn virtual_wan(&mut self, r: &TfResource, v: &Value) {
        match r.kind.as_str() {
            "azurerm_virtual_wan" => {
                let mut p = json!({});
                copy_to(&mut p, v, "type", "type");
                copy_to(
                    &mut p,
                    v,
                    "allow_branch_to_branch_traffic",
                    "allowBranchToBranchTraffic",
                );
                self.push(r, "virtualWans", p);
            }
            "azurerm_virtual_hub" => self.virtual_hub(r, v),
            "azurerm_virtual_hub_connection" => self.hub_connection(r, v),
            "azurerm_virtual_hub_route_table" => {
                let all = blocks(v, "route");
                let mut routes = Vec::new();
                for (i, route) in all.iter().enumerate() {
                    let Some(next) = self.block_id(r, all.len(), i, route, "route.next_hop") else {
                        continue;
                    };
                    routes.push(json!({
                        "name": route.get("name"),
                        "destinationType": route.get("destinations_type"),
                        "destinations": strings(route, "destinations"),
                        "nextHopType": route.get("next_hop_type"),
                        "nextHop": next,
                    }));
                }
                self.push(
                    r,
                    "virtualHubs/hubRouteTables",
                    json!({"routes": routes, "labels": strings(v, "labels")}),
                );
            }
            _ => {
                let all = blocks(v, "routing_policy");
                let mut policies = Vec::new();
                for (i, p) in all.iter().enumerate() {
                    let Some(next) = self.block_id(r, all.len(), i, p, "routing_policy.next_hop")
                    else {
                        continue;
                    };
                    policies.push(json!({
                        "name": p.get("name"),
                        "destinations": strings(p, "destinations"),
                        "nextHop": next,
                    }));
                }
                self.push(
                    r,
                    "virtualHubs/routingIntent",
                    json!({"routingPolicies": policies}),
                );
            }
        }
    }

    /// The id-valued attribute `attr` (`block.attribute`) of block `i` of `count`: its value,
    /// else (known after apply) the one resource the configuration names when the block is
    /// the only one (the configuration's references are per attribute, not per block);
    /// `None`, listed, otherwise; `None` for a known null or empty string (not set).
    pub(super) fn block_id(
        &mut self,
        r: &TfResource,
        count: usize,
        i: usize,
        block: &Value,
        attr: &str,
    ) -> Option<String> {
        let own = attr.rsplit('.').next().unwrap_or(attr);
        let given = block
            .get(own)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        // A known null or empty string: not set.
        if matches!(block.get(own), Some(Value::Null)) || block.get(own) == Some(&json!("")) {
            return None;
        }
        let found = match given {
            Some(id) => Some(id.to_string()),
            None if count == 1 => self.id_attr(r, block, attr),
            None => None,
        };
        if found.is_none() {
            self.out.left_out.push((
                r.pointer.clone(),
                format!(
                    "{}: block {i} of `{}`: its {own} is not known offline (known after apply, and not one resource the configuration names)",
                    r.address,
                    attr.split('.').next().unwrap_or(attr)
                ),
            ));
        }
        found
    }

    /// `azurerm_virtual_hub`: its prefix, WAN, router addresses and routing preference; its
    /// legacy `route` blocks are listed as not read.
    fn virtual_hub(&mut self, r: &TfResource, v: &Value) {
        let mut p = json!({});
        copy_to(&mut p, v, "address_prefix", "addressPrefix");
        copy_to(&mut p, v, "sku", "sku");
        copy_to(&mut p, v, "hub_routing_preference", "hubRoutingPreference");
        let router_ips = strings(v, "virtual_router_ips");
        if !router_ips.is_empty() {
            set(&mut p, "virtualRouterIps", Value::Array(router_ips));
        }
        if let Some(wan) = self.id_attr(r, v, "virtual_wan_id") {
            set(&mut p, "virtualWan", json!({"id": wan}));
        }
        if !blocks(v, "route").is_empty() {
            self.out.left_out.push((
                r.pointer.clone(),
                format!(
                    "{}.route: the hub's legacy route table is not modelled (use azurerm_virtual_hub_route_table)",
                    r.address
                ),
            ));
        }
        self.push(r, "virtualHubs", p);
    }

    /// `azurerm_virtual_hub_connection`: the VNet, internet security and the `routing` block
    /// as Azure's `routingConfiguration`.
    fn hub_connection(&mut self, r: &TfResource, v: &Value) {
        let mut p = json!({});
        if let Some(vnet) = self.id_attr(r, v, "remote_virtual_network_id") {
            set(&mut p, "remoteVirtualNetwork", json!({"id": vnet}));
        }
        // The provider's default is `false` (Azure's own API default is what the ARM import
        // takes when the property is absent, so it is always written here).
        let internet_security = v
            .get("internet_security_enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        set(
            &mut p,
            "enableInternetSecurity",
            Value::Bool(internet_security),
        );
        if let Some(routing) = blocks(v, "routing").first() {
            let mut config = Map::new();
            if let Some(t) = self.id_attr(r, routing, "routing.associated_route_table_id") {
                config.insert("associatedRouteTable".into(), json!({"id": t}));
            }
            // A block the configuration sets but whose table ids wait for apply (tables made in
            // the same plan); a `routing` the configuration leaves out is Azure's default and
            // not in the planned values at all.
            if self.unknown_at(r, "/routing/0/propagated_route_table/0/route_table_ids") {
                self.out.left_out.push((
                    r.pointer.clone(),
                    format!(
                        "{}.routing.propagated_route_table.route_table_ids are known after apply: where the connection propagates is not known offline, so the connection is not imported",
                        r.address
                    ),
                ));
                return;
            }
            if let Some(prop) = blocks(routing, "propagated_route_table").first() {
                let ids: Vec<Value> = strings(prop, "route_table_ids")
                    .into_iter()
                    .map(|id| json!({"id": id}))
                    .collect();
                let mut propagated = json!({"ids": ids});
                if prop.get("labels").is_some_and(|l| !l.is_null()) {
                    set(
                        &mut propagated,
                        "labels",
                        Value::Array(strings(prop, "labels")),
                    );
                }
                config.insert("propagatedRouteTables".into(), propagated);
            }
            let statics: Vec<Value> = blocks(routing, "static_vnet_route")
                .iter()
                .map(|s| {
                    json!({
                        "name": s.get("name"),
                        "addressPrefixes": strings(s, "address_prefixes"),
                        "nextHopIpAddress": s.get("next_hop_ip_address"),
                    })
                })
                .collect();
            config.insert("vnetRoutes".into(), json!({"staticRoutes": statics}));
            for attr in ["inbound_route_map_id", "outbound_route_map_id"] {
                if routing
                    .get(attr)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
                {
                    self.out.left_out.push((
                        r.pointer.clone(),
                        format!(
                            "{}.routing.{attr}: route maps are not modelled: routes are taken as the connection propagates them without one",
                            r.address
                        ),
                    ));
                }
            }
            set(&mut p, "routingConfiguration", Value::Object(config));
        }
        self.push(r, "virtualHubs/hubVirtualNetworkConnections", p);
    }
}
