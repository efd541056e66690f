//! Terraform's view of an estate: the JSON of `terraform show -json` for a state or a plan
//! (<https://developer.hashicorp.com/terraform/internals/json-format>), its `azurerm` network
//! resources turned into the resources Azure would hold, so that the rest of import reads them
//! like `az` output. A plan has two sides: the prior state and the planned values; a value
//! known only after apply is filled as Azure fills it (an id from its resource group and name,
//! a dynamic address) and said so.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// Which estate of a plan to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Side {
    /// The planned values: the estate after apply (a state file has only this one).
    #[default]
    Planned,
    /// The prior state: the estate before apply.
    Prior,
}

/// Whether a JSON document is `terraform show -json` output.
pub(crate) fn is_terraform(json: &Value) -> bool {
    json.get("format_version").is_some()
        && (json.get("values").is_some()
            || json.get("planned_values").is_some()
            || json.get("prior_state").is_some())
}

/// The subscription of ids Terraform does not know yet.
const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// The resources of one side, `(JSON pointer, resource as Azure holds it)`, what was left out
/// `(pointer, why)`, and the assumptions made.
#[derive(Default)]
pub(crate) struct Read {
    pub resources: Vec<(String, Value)>,
    pub left_out: Vec<(String, String)>,
    pub assumptions: Vec<String>,
}

/// One Terraform resource as found: its address, type, values and where it is.
struct TfResource {
    address: String,
    kind: String,
    values: Value,
    pointer: String,
}

fn walk_module(module: &Value, at: &str, out: &mut Vec<TfResource>) {
    for (i, r) in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if r.get("mode").and_then(Value::as_str) == Some("data") {
            continue;
        }
        out.push(TfResource {
            address: str_of(r, "address").to_string(),
            kind: str_of(r, "type").to_string(),
            values: r.get("values").cloned().unwrap_or(Value::Null),
            pointer: format!("{at}/resources/{i}"),
        });
    }
    for (i, m) in module
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        walk_module(m, &format!("{at}/child_modules/{i}"), out);
    }
}

fn str_of<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn strings(v: &Value, key: &str) -> Vec<Value> {
    match v.get(key) {
        Some(Value::Array(a)) => a.iter().filter(|x| x.is_string()).cloned().collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![Value::String(s.clone())],
        _ => Vec::new(),
    }
}

/// Reads one side of a state or plan.
pub(crate) fn read(json: &Value, side: Side) -> Read {
    let (root, at) = match (json.get("planned_values"), side) {
        (Some(_), Side::Prior) => (
            json.pointer("/prior_state/values/root_module"),
            "/prior_state/values/root_module",
        ),
        (Some(p), Side::Planned) => (p.get("root_module"), "/planned_values/root_module"),
        (None, _) => (json.pointer("/values/root_module"), "/values/root_module"),
    };
    let mut found = Vec::new();
    if let Some(root) = root {
        walk_module(root, at, &mut found);
    }
    let mut cx = Convert {
        ids: BTreeMap::new(),
        refs: references(json),
        unknown: unknowns(json, side),
        out: Read::default(),
    };
    for r in &found {
        let id = cx.id_of(r);
        cx.ids.insert(r.address.clone(), id);
    }
    cx.adopt_known_parents();
    for r in &found {
        if r.values.get("id").is_none() {
            let id = cx.ids.get(&r.address).cloned().unwrap_or_default();
            let when = if cx.is_unknown(r, "id") {
                "known after apply"
            } else {
                "not in the input"
            };
            cx.out.assumptions.push(format!(
                "{}.id is {when}: taken as {id}, from its resource group and name",
                r.address
            ));
        }
    }
    for r in &found {
        cx.convert(r);
    }
    cx.out
}

/// For each resource address, each attribute's references in the configuration
/// (`azurerm_subnet.app.id`), to resolve ids a plan does not know yet.
fn references(json: &Value) -> BTreeMap<(String, String), Vec<String>> {
    let mut out = BTreeMap::new();
    let resources = json
        .pointer("/configuration/root_module/resources")
        .and_then(Value::as_array);
    for r in resources.into_iter().flatten() {
        let address = str_of(r, "address");
        for (attr, e) in r
            .get("expressions")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let refs: Vec<String> = e
                .get("references")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            if !refs.is_empty() {
                out.insert((address.to_string(), attr.clone()), refs);
            }
            // Nested blocks: `ip_configuration[].subnet_id` as `ip_configuration.subnet_id`.
            for block in e.as_array().into_iter().flatten() {
                for (inner, x) in block.as_object().into_iter().flatten() {
                    let refs: Vec<String> = x
                        .get("references")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect();
                    if !refs.is_empty() {
                        out.insert((address.to_string(), format!("{attr}.{inner}")), refs);
                    }
                }
            }
        }
    }
    out
}

/// The attributes known only after apply, by resource address (plans only).
fn unknowns(json: &Value, side: Side) -> BTreeMap<String, Value> {
    if side == Side::Prior {
        return BTreeMap::new();
    }
    json.get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some((
                str_of(c, "address").to_string(),
                c.pointer("/change/after_unknown")?.clone(),
            ))
        })
        .collect()
}

struct Convert {
    ids: BTreeMap<String, String>,
    refs: BTreeMap<(String, String), Vec<String>>,
    unknown: BTreeMap<String, Value>,
    out: Read,
}

const NET: &str = "Microsoft.Network";

impl Convert {
    /// A child id made up here (its subscription unknown) takes the subscription of its
    /// parent when the parent's id is known: `…/vnet-hub/virtualNetworkPeerings/p` under the
    /// VNet's real id, so that both meet.
    fn adopt_known_parents(&mut self) {
        let made_up = format!("/subscriptions/{SUBSCRIPTION}/");
        let known: Vec<String> = self
            .ids
            .values()
            .filter(|id| !id.starts_with(&made_up))
            .cloned()
            .collect();
        let rg_tail = |id: &str| {
            id.to_lowercase()
                .find("/resourcegroups/")
                .and_then(|at| id.get(at..))
                .map(str::to_lowercase)
        };
        for id in self.ids.values_mut() {
            if !id.starts_with(&made_up) {
                continue;
            }
            let Some(tail) = rg_tail(id) else { continue };
            let parent = known
                .iter()
                .find(|k| rg_tail(k).is_some_and(|kt| tail.starts_with(&format!("{kt}/"))));
            if let Some(k) = parent {
                let cut = k.to_lowercase().find("/resourcegroups/").unwrap_or(0);
                let at = id.to_lowercase().find("/resourcegroups/").unwrap_or(0);
                *id = format!(
                    "{}{}",
                    k.get(..cut).unwrap_or_default(),
                    id.get(at..).unwrap_or_default()
                );
            }
        }
    }

    /// The id of a resource: Terraform's when known, else the one Azure will give it.
    fn id_of(&self, r: &TfResource) -> String {
        if let Some(id) = r.values.get("id").and_then(Value::as_str) {
            return id.to_string();
        }
        let v = &r.values;
        let rg = str_of(v, "resource_group_name");
        let name = str_of(v, "name");
        let path = match r.kind.as_str() {
            "azurerm_virtual_network" => format!("virtualNetworks/{name}"),
            "azurerm_subnet" => format!(
                "virtualNetworks/{}/subnets/{name}",
                str_of(v, "virtual_network_name")
            ),
            "azurerm_route_table" => format!("routeTables/{name}"),
            "azurerm_route" => format!(
                "routeTables/{}/routes/{name}",
                str_of(v, "route_table_name")
            ),
            "azurerm_network_security_group" => format!("networkSecurityGroups/{name}"),
            "azurerm_network_security_rule" => format!(
                "networkSecurityGroups/{}/securityRules/{name}",
                str_of(v, "network_security_group_name")
            ),
            "azurerm_virtual_network_peering" => format!(
                "virtualNetworks/{}/virtualNetworkPeerings/{name}",
                str_of(v, "virtual_network_name")
            ),
            "azurerm_network_interface" => format!("networkInterfaces/{name}"),
            "azurerm_firewall" => format!("azureFirewalls/{name}"),
            "azurerm_public_ip" => format!("publicIPAddresses/{name}"),
            _ => format!("{}/{name}", r.kind),
        };
        format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/{NET}/{path}")
    }

    /// An id-valued attribute: its value, else (unknown until apply) the id of the resource
    /// the configuration refers to.
    fn id_attr(&mut self, r: &TfResource, v: &Value, attr: &str) -> Option<String> {
        let own = attr.rsplit('.').next().unwrap_or(attr);
        if let Some(s) = v.get(own).and_then(Value::as_str).filter(|s| !s.is_empty()) {
            return Some(s.to_string());
        }
        let refs = self.refs.get(&(r.address.clone(), attr.to_string()))?;
        let id = refs.iter().find_map(|a| {
            let a = a.strip_suffix(".id").unwrap_or(a);
            self.ids.get(a).cloned()
        })?;
        self.out.assumptions.push(format!(
            "{}.{attr} is known after apply: taken as the id of the resource the configuration names, {id}",
            r.address
        ));
        Some(id)
    }

    fn push(&mut self, r: &TfResource, kind: &str, properties: Value) {
        let id = self.ids.get(&r.address).cloned().unwrap_or_default();
        let v = &r.values;
        let mut obj = Map::new();
        obj.insert("id".into(), Value::String(id));
        obj.insert("type".into(), Value::String(format!("{NET}/{kind}")));
        obj.insert("name".into(), v.get("name").cloned().unwrap_or(Value::Null));
        if let Some(l) = v.get("location") {
            obj.insert("location".into(), l.clone());
        }
        obj.insert("properties".into(), properties);
        obj.insert("terraformAddress".into(), Value::String(r.address.clone()));
        self.out
            .resources
            .push((r.pointer.clone(), Value::Object(obj)));
    }

    fn is_unknown(&self, r: &TfResource, attr: &str) -> bool {
        self.unknown
            .get(&r.address)
            .and_then(|u| u.get(attr))
            .is_some_and(|x| x == &Value::Bool(true))
    }

    fn convert(&mut self, r: &TfResource) {
        let v = r.values.clone();
        match r.kind.as_str() {
            "azurerm_virtual_network" => {
                let subnets: Vec<Value> = v
                    .get("subnet")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|s| {
                        let mut p = json!({"addressPrefixes": strings(s, "address_prefixes")});
                        if let Some(nsg) = s
                            .get("security_group")
                            .and_then(Value::as_str)
                            .filter(|x| !x.is_empty())
                        {
                            set(&mut p, "networkSecurityGroup", json!({"id": nsg}));
                        }
                        if let Some(rt) = s
                            .get("route_table_id")
                            .and_then(Value::as_str)
                            .filter(|x| !x.is_empty())
                        {
                            set(&mut p, "routeTable", json!({"id": rt}));
                        }
                        json!({"name": s.get("name"), "properties": p})
                    })
                    .collect();
                let props = json!({
                    "addressSpace": {"addressPrefixes": strings(&v, "address_space")},
                    "dhcpOptions": {"dnsServers": strings(&v, "dns_servers")},
                    "subnets": subnets,
                });
                self.push(r, "virtualNetworks", props);
            }
            "azurerm_subnet" => {
                let mut p = json!({"addressPrefixes": strings(&v, "address_prefixes")});
                if v.get("default_outbound_access_enabled") == Some(&Value::Bool(false)) {
                    set(&mut p, "defaultOutboundAccess", Value::Bool(false));
                }
                let policies = v
                    .get("private_endpoint_network_policies")
                    .and_then(Value::as_str);
                if let Some(policy) = policies {
                    set(
                        &mut p,
                        "privateEndpointNetworkPolicies",
                        Value::String(policy.to_string()),
                    );
                }
                let endpoints: Vec<Value> = strings(&v, "service_endpoints")
                    .into_iter()
                    .map(|s| json!({"service": s}))
                    .collect();
                set(&mut p, "serviceEndpoints", Value::Array(endpoints));
                self.push(r, "virtualNetworks/subnets", p);
            }
            "azurerm_subnet_route_table_association"
            | "azurerm_subnet_network_security_group_association" => {
                let nsg = r.kind.contains("security_group");
                let (attr, key) = if nsg {
                    ("network_security_group_id", "networkSecurityGroup")
                } else {
                    ("route_table_id", "routeTable")
                };
                let (Some(subnet), Some(target)) =
                    (self.id_attr(r, &v, "subnet_id"), self.id_attr(r, &v, attr))
                else {
                    self.out.left_out.push((
                        r.pointer.clone(),
                        format!("{}: the subnet or its target is not known", r.address),
                    ));
                    return;
                };
                // The association is the subnet's property: it lands on the subnet resource.
                let subnet_key = subnet.to_lowercase();
                let found = self.out.resources.iter_mut().find(|(_, x)| {
                    x.get("id")
                        .and_then(Value::as_str)
                        .is_some_and(|i| i.to_lowercase() == subnet_key)
                });
                match found {
                    Some((_, x)) => {
                        if let Some(p) = x.get_mut("properties") {
                            set(p, key, json!({"id": target}));
                        }
                    }
                    None => self.out.left_out.push((
                        r.pointer.clone(),
                        format!(
                            "{}: its subnet {subnet} is not an azurerm_subnet read before it",
                            r.address
                        ),
                    )),
                }
            }
            "azurerm_route_table" => {
                let routes: Vec<Value> = v
                    .get("route")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(route)
                    .collect();
                let disabled = match (
                    v.get("bgp_route_propagation_enabled"),
                    v.get("disable_bgp_route_propagation"),
                ) {
                    (Some(Value::Bool(enabled)), _) => !enabled,
                    (_, Some(Value::Bool(d))) => *d,
                    _ => false,
                };
                self.push(
                    r,
                    "routeTables",
                    json!({"routes": routes, "disableBgpRoutePropagation": disabled}),
                );
            }
            "azurerm_route" => {
                let p = route(&v);
                self.push(
                    r,
                    "routeTables/routes",
                    p.get("properties").cloned().unwrap_or(Value::Null),
                );
            }
            "azurerm_network_security_group" => {
                let rules: Vec<Value> = v
                    .get("security_rule")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(rule)
                    .collect();
                self.push(r, "networkSecurityGroups", json!({"securityRules": rules}));
            }
            "azurerm_network_security_rule" => {
                let p = rule(&v);
                self.push(
                    r,
                    "networkSecurityGroups/securityRules",
                    p.get("properties").cloned().unwrap_or(Value::Null),
                );
            }
            "azurerm_virtual_network_peering" => {
                let p = json!({
                    "remoteVirtualNetwork": {"id": self.id_attr(r, &v, "remote_virtual_network_id")},
                    "allowVirtualNetworkAccess": v.get("allow_virtual_network_access").cloned().unwrap_or(Value::Bool(true)),
                    "allowForwardedTraffic": v.get("allow_forwarded_traffic").cloned().unwrap_or(Value::Bool(false)),
                    "allowGatewayTransit": v.get("allow_gateway_transit").cloned().unwrap_or(Value::Bool(false)),
                    "useRemoteGateways": v.get("use_remote_gateways").cloned().unwrap_or(Value::Bool(false)),
                });
                self.push(r, "virtualNetworks/virtualNetworkPeerings", p);
            }
            "azurerm_network_interface" => {
                let mut configs = Vec::new();
                for c in v
                    .get("ip_configuration")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
                {
                    let subnet = self.id_attr(r, &c, "ip_configuration.subnet_id");
                    let ip = c
                        .get("private_ip_address")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    if ip.is_empty() && self.is_unknown(r, "private_ip_address") {
                        self.out.assumptions.push(format!(
                            "{}: its private IP is known after apply",
                            r.address
                        ));
                    }
                    configs.push(json!({"name": c.get("name"), "properties": {
                        "subnet": {"id": subnet},
                        "privateIPAddress": ip,
                        "privateIPAllocationMethod": c.get("private_ip_address_allocation"),
                        "primary": c.get("primary"),
                    }}));
                }
                let forwarding = v
                    .get("ip_forwarding_enabled")
                    .or_else(|| v.get("enable_ip_forwarding"))
                    .cloned()
                    .unwrap_or(Value::Bool(false));
                self.push(
                    r,
                    "networkInterfaces",
                    json!({"ipConfigurations": configs, "enableIPForwarding": forwarding}),
                );
            }
            "azurerm_firewall" => {
                let configs: Vec<Value> = v
                    .get("ip_configuration")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .into_iter()
                    .map(|c| {
                        let subnet = self.id_attr(r, &c, "ip_configuration.subnet_id");
                        json!({"name": c.get("name"), "properties": {
                            "subnet": {"id": subnet},
                            "privateIPAddress": c.get("private_ip_address"),
                        }})
                    })
                    .collect();
                self.push(r, "azureFirewalls", json!({"ipConfigurations": configs}));
            }
            kind if kind.starts_with("azurerm_") => self.out.left_out.push((
                r.pointer.clone(),
                format!("{}: the Terraform type `{kind}` is not read", r.address),
            )),
            _ => {}
        }
    }
}

/// Sets a member of a JSON object (nothing for another value).
fn set(v: &mut Value, key: &str, x: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_string(), x);
    }
}

fn route(r: &Value) -> Value {
    let mut p = json!({
        "addressPrefix": r.get("address_prefix"),
        "nextHopType": r.get("next_hop_type"),
    });
    if let Some(ip) = r
        .get("next_hop_in_ip_address")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        set(&mut p, "nextHopIpAddress", Value::String(ip.to_string()));
    }
    json!({"name": r.get("name"), "properties": p})
}

fn rule(r: &Value) -> Value {
    let mut p = Map::new();
    for (tf, az) in [
        ("priority", "priority"),
        ("direction", "direction"),
        ("access", "access"),
        ("protocol", "protocol"),
    ] {
        if let Some(x) = r.get(tf) {
            p.insert(az.into(), x.clone());
        }
    }
    for (single, plural) in [
        ("source_port_range", "source_port_ranges"),
        ("destination_port_range", "destination_port_ranges"),
        ("source_address_prefix", "source_address_prefixes"),
        ("destination_address_prefix", "destination_address_prefixes"),
    ] {
        let camel = |s: &str| {
            let mut out = String::new();
            let mut up = false;
            for c in s.chars() {
                if c == '_' {
                    up = true;
                } else if up {
                    out.extend(c.to_uppercase());
                    up = false;
                } else {
                    out.push(c);
                }
            }
            out
        };
        if let Some(s) = r
            .get(single)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            p.insert(camel(single), Value::String(s.to_string()));
        }
        let many = strings(r, plural);
        if !many.is_empty() {
            p.insert(camel(plural), Value::Array(many));
        }
    }
    json!({"name": r.get("name"), "properties": p})
}

#[cfg(test)]
mod tests;
