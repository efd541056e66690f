//! Terraform's view of an estate: the JSON of `terraform show -json` for a state or a plan
//! (<https://developer.hashicorp.com/terraform/internals/json-format>), its `azurerm` network
//! resources turned into the resources Azure would hold, so that the rest of import reads them
//! like `az` output. A plan has two sides: the prior state and the planned values; a value
//! known only after apply is filled as Azure fills it (an id from its resource group and name,
//! a dynamic address) and said so.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

mod balance;
mod blocks;
mod config;
mod egress;
mod firewall;
mod storage;
mod vwan;
mod web_apps;

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

/// The Terraform types read into Azure resources, with the Azure type each becomes (`None`:
/// it sets a property of another resource).
const READ: &[(&str, Option<&str>)] = &[
    ("azurerm_virtual_network", Some("virtualNetworks")),
    ("azurerm_subnet", Some("virtualNetworks/subnets")),
    ("azurerm_route_table", Some("routeTables")),
    ("azurerm_route", Some("routeTables/routes")),
    (
        "azurerm_network_security_group",
        Some("networkSecurityGroups"),
    ),
    (
        "azurerm_network_security_rule",
        Some("networkSecurityGroups/securityRules"),
    ),
    (
        "azurerm_virtual_network_peering",
        Some("virtualNetworks/virtualNetworkPeerings"),
    ),
    ("azurerm_network_interface", Some("networkInterfaces")),
    ("azurerm_firewall", Some("azureFirewalls")),
    ("azurerm_public_ip", Some("publicIPAddresses")),
    ("azurerm_private_endpoint", Some("privateEndpoints")),
    ("azurerm_private_dns_zone", Some("privateDnsZones")),
    (
        "azurerm_private_dns_zone_virtual_network_link",
        Some("privateDnsZones/virtualNetworkLinks"),
    ),
    ("azurerm_private_dns_a_record", Some("privateDnsZones/A")),
    ("azurerm_subnet_route_table_association", None),
    ("azurerm_subnet_network_security_group_association", None),
    ("azurerm_network_interface_security_group_association", None),
    ("azurerm_firewall_policy", Some("firewallPolicies")),
    (
        "azurerm_firewall_policy_rule_collection_group",
        Some("firewallPolicies/ruleCollectionGroups"),
    ),
    ("azurerm_firewall_network_rule_collection", None),
    ("azurerm_firewall_application_rule_collection", None),
    ("azurerm_firewall_nat_rule_collection", None),
    ("azurerm_ip_group", Some("ipGroups")),
    ("azurerm_ip_group_cidr", None),
    ("azurerm_nat_gateway", Some("natGateways")),
    ("azurerm_nat_gateway_public_ip_association", None),
    ("azurerm_nat_gateway_public_ip_prefix_association", None),
    ("azurerm_subnet_nat_gateway_association", None),
    ("azurerm_virtual_wan", Some("virtualWans")),
    ("azurerm_virtual_hub", Some("virtualHubs")),
    (
        "azurerm_virtual_hub_connection",
        Some("virtualHubs/hubVirtualNetworkConnections"),
    ),
    (
        "azurerm_virtual_hub_route_table",
        Some("virtualHubs/hubRouteTables"),
    ),
    (
        "azurerm_virtual_hub_routing_intent",
        Some("virtualHubs/routingIntent"),
    ),
    ("azurerm_lb", Some("loadBalancers")),
    ("azurerm_lb_backend_address_pool", None),
    ("azurerm_lb_probe", None),
    ("azurerm_lb_rule", None),
    ("azurerm_lb_outbound_rule", None),
    ("azurerm_lb_nat_rule", None),
    (
        "azurerm_network_interface_backend_address_pool_association",
        None,
    ),
    ("azurerm_network_interface_nat_rule_association", None),
];

/// Children whose parent Terraform names by id (`firewall_policy_id`), not by name: the
/// id-valued attribute and the segment of Azure's child id.
const CHILDREN_BY_ID: &[(&str, &str, &str)] = &[
    (
        "azurerm_firewall_policy_rule_collection_group",
        "firewall_policy_id",
        "ruleCollectionGroups",
    ),
    (
        "azurerm_virtual_hub_connection",
        "virtual_hub_id",
        "hubVirtualNetworkConnections",
    ),
    (
        "azurerm_virtual_hub_route_table",
        "virtual_hub_id",
        "hubRouteTables",
    ),
    (
        "azurerm_virtual_hub_routing_intent",
        "virtual_hub_id",
        "routingIntent",
    ),
    (
        "azurerm_lb_backend_address_pool",
        "loadbalancer_id",
        "backendAddressPools",
    ),
    ("azurerm_lb_probe", "loadbalancer_id", "probes"),
    ("azurerm_lb_rule", "loadbalancer_id", "loadBalancingRules"),
    (
        "azurerm_lb_outbound_rule",
        "loadbalancer_id",
        "outboundRules",
    ),
    ("azurerm_lb_nat_rule", "loadbalancer_id", "inboundNatRules"),
];

/// Whether a type read becomes a resource of its own (whose name and id matter), not a
/// property of another.
fn becomes_resource(kind: &str) -> bool {
    READ.iter().any(|(k, azure)| *k == kind && azure.is_some())
        || web_apps::is_web_app(kind)
        || kind == storage::KIND
}

/// Associations set a property of a resource read before them.
fn is_association(kind: &str) -> bool {
    kind.ends_with("_association")
}

/// Resources read after every other one because they add to a resource Azure holds as one:
/// associations, classic rule collections (properties of their firewall), IP group CIDRs.
fn is_late(kind: &str) -> bool {
    is_association(kind)
        || matches!(
            kind,
            "azurerm_firewall_network_rule_collection"
                | "azurerm_firewall_application_rule_collection"
                | "azurerm_firewall_nat_rule_collection"
                | "azurerm_ip_group_cidr"
                | "azurerm_lb_backend_address_pool"
                | "azurerm_lb_probe"
                | "azurerm_lb_rule"
                | "azurerm_lb_outbound_rule"
                | "azurerm_lb_nat_rule"
        )
}

/// Virtual machines: their addresses are their network interfaces'.
fn is_virtual_machine(kind: &str) -> bool {
    matches!(
        kind,
        "azurerm_linux_virtual_machine"
            | "azurerm_windows_virtual_machine"
            | "azurerm_virtual_machine"
    )
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
        names: BTreeMap::new(),
        kinds: BTreeMap::new(),
        instances: BTreeMap::new(),
        refs: config::references(json),
        unknown: unknowns(json, side),
        out: Read::default(),
    };
    for r in &found {
        cx.kinds.insert(r.address.clone(), r.kind.clone());
        let instances = cx
            .instances
            .entry(config::config_address(&r.address))
            .or_default();
        if !instances.contains(&r.address) {
            instances.push(r.address.clone());
        }
    }
    // Names first (an unknown one gets a stand-in), then ids, which are made of names.
    for r in &found {
        let name = cx.own_name(r);
        cx.names.insert(r.address.clone(), name);
    }
    for r in &found {
        let (id, unknown) = cx.id_of(r);
        // A child whose parent's name nothing tells: its id names a parent no input holds,
        // so it is listed as a child without its parent, never attached to a guessed one.
        for attr in unknown {
            cx.out.assumptions.push(format!(
                "{}.{attr} is neither given nor named by one resource of the configuration: its id takes `{attr}-unknown` in its place",
                r.address
            ));
        }
        cx.ids.insert(r.address.clone(), id);
    }
    cx.ids_under_parents(&found);
    cx.adopt_known_parents();
    for r in found.iter().filter(|r| becomes_resource(&r.kind)) {
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
    for r in found.iter().filter(|r| !is_late(&r.kind)) {
        cx.convert(r);
    }
    // Parts of a resource before the associations that name them (a NAT rule's NIC).
    for r in found
        .iter()
        .filter(|r| is_late(&r.kind) && !is_association(&r.kind))
    {
        cx.convert(r);
    }
    for r in found.iter().filter(|r| is_association(&r.kind)) {
        cx.convert(r);
    }
    cx.out
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
    /// Each resource's name: its own, or a stand-in when Terraform knows it only after apply.
    names: BTreeMap<String, String>,
    kinds: BTreeMap<String, String>,
    /// The instance addresses of each configuration address.
    instances: BTreeMap<String, Vec<String>>,
    refs: BTreeMap<(String, String), Vec<String>>,
    unknown: BTreeMap<String, Value>,
    out: Read,
}

const NET: &str = "Microsoft.Network";

/// The Terraform type an id-valued attribute names (`None`: any).
fn target_kind(attr: &str) -> Option<&'static str> {
    let own = attr.rsplit('.').next().unwrap_or(attr);
    Some(match own {
        "subnet_id" | "virtual_network_subnet_id" => "azurerm_subnet",
        "route_table_id" => "azurerm_route_table",
        "network_security_group_id" => "azurerm_network_security_group",
        "remote_virtual_network_id" | "virtual_network_id" => "azurerm_virtual_network",
        "public_ip_address_id" => "azurerm_public_ip",
        "network_interface_id" => "azurerm_network_interface",
        "private_dns_zone_ids" => "azurerm_private_dns_zone",
        "virtual_network_name" => "azurerm_virtual_network",
        "route_table_name" => "azurerm_route_table",
        "network_security_group_name" => "azurerm_network_security_group",
        "resource_group_name" => "azurerm_resource_group",
        "zone_name" | "private_dns_zone_name" => "azurerm_private_dns_zone",
        "firewall_policy_id" | "base_policy_id" => "azurerm_firewall_policy",
        "azure_firewall_name" => "azurerm_firewall",
        "ip_group_id" => "azurerm_ip_group",
        "nat_gateway_id" => "azurerm_nat_gateway",
        "public_ip_prefix_id" => "azurerm_public_ip_prefix",
        "virtual_hub_id" => "azurerm_virtual_hub",
        "virtual_wan_id" => "azurerm_virtual_wan",
        "route_table_ids" | "associated_route_table_id" => "azurerm_virtual_hub_route_table",
        "loadbalancer_id" => "azurerm_lb",
        "backend_address_pool_id" | "backend_address_pool_ids" => "azurerm_lb_backend_address_pool",
        "probe_id" => "azurerm_lb_probe",
        "nat_rule_id" => "azurerm_lb_nat_rule",
        _ => return None,
    })
}

impl Convert {
    /// The ids of children whose parent Terraform names by id ([`CHILDREN_BY_ID`]) and whose
    /// own id the input lacks: the parent's id (given, or the one resource the configuration
    /// names) and the child's segment and name.
    fn ids_under_parents(&mut self, found: &[TfResource]) {
        for r in found {
            let Some((_, attr, segment)) = CHILDREN_BY_ID.iter().find(|(k, _, _)| *k == r.kind)
            else {
                continue;
            };
            if r.values.get("id").and_then(Value::as_str).is_some() {
                continue;
            }
            let given = r
                .values
                .get(*attr)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            let parent = given.or_else(|| match self.targets(r, attr).as_slice() {
                [one] => self.ids.get(one).cloned(),
                _ => None,
            });
            let name = self.names.get(&r.address).cloned().unwrap_or_default();
            let parent = parent.unwrap_or_else(|| {
                self.out.assumptions.push(format!(
                    "{}.{attr} is neither given nor named by one resource of the configuration: its id takes `{attr}-unknown` in its place",
                    r.address
                ));
                format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/resource-group-known-after-apply/providers/{NET}/{attr}-unknown")
            });
            self.ids
                .insert(r.address.clone(), format!("{parent}/{segment}/{name}"));
        }
    }

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

    /// The resources an attribute's expression names, as instance addresses: a resource in
    /// the same module instance, else the one instance of the named resource. Only resources
    /// of the type the attribute names count.
    fn targets(&self, r: &TfResource, attr: &str) -> Vec<String> {
        let key = (config::config_address(&r.address), attr.to_string());
        let Some(refs) = self.refs.get(&key) else {
            return Vec::new();
        };
        let prefix = config::module_prefix(&r.address);
        let config_prefix = config::config_address(prefix.trim_end_matches('.'));
        let config_prefix = if config_prefix.is_empty() {
            String::new()
        } else {
            format!("{config_prefix}.")
        };
        let want = target_kind(attr);
        let mut out: Vec<String> = Vec::new();
        for t in refs {
            let same_instance = t
                .strip_prefix(&config_prefix)
                .map(|rest| format!("{prefix}{rest}"))
                .filter(|a| self.ids.contains_key(a));
            let found = same_instance.or_else(|| match self.instances.get(t) {
                Some(one) if one.len() == 1 => one.first().cloned(),
                _ => None,
            });
            let Some(a) = found else { continue };
            let kind_fits = want.is_none_or(|w| self.kinds.get(&a).is_some_and(|k| k == w));
            if kind_fits && !out.contains(&a) {
                out.push(a);
            }
        }
        out
    }

    /// The resource's name: its own, or (known only after apply) a stand-in made of its
    /// Terraform name and instance key, said so.
    fn own_name(&mut self, r: &TfResource) -> String {
        if let Some(n) = r
            .values
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            return n.to_string();
        }
        let segments = config::segments(&r.address);
        let base = segments
            .last()
            .map(|s| s.split('[').next().unwrap_or(s))
            .unwrap_or_default();
        let stand_in = format!("{base}{}", config::key_suffix(&r.address));
        if becomes_resource(&r.kind) {
            let when = if self.is_unknown(r, "name") {
                "known after apply"
            } else {
                "not in the input"
            };
            self.out.assumptions.push(format!(
                "{}.name is {when}: taken as `{stand_in}`, its Terraform name",
                r.address
            ));
        }
        stand_in
    }

    /// A name-valued attribute (`virtual_network_name`): its value, else the name of the
    /// resource the configuration names; `None` when neither tells it.
    fn name_attr(&self, r: &TfResource, attr: &str) -> Option<String> {
        if let Some(n) = r
            .values
            .get(attr)
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            return Some(n.to_string());
        }
        match self.targets(r, attr).as_slice() {
            [one] => self.names.get(one).cloned(),
            _ => None,
        }
    }

    /// The id of a resource: Terraform's when known, else the one Azure will give it, with
    /// the name-valued attributes it needed and could not tell (a stand-in took their place).
    fn id_of(&self, r: &TfResource) -> (String, Vec<&'static str>) {
        if let Some(id) = r.values.get("id").and_then(Value::as_str) {
            return (id.to_string(), Vec::new());
        }
        let unknown = std::cell::RefCell::new(Vec::new());
        let name = self.names.get(&r.address).cloned().unwrap_or_default();
        let rg = self
            .name_attr(r, "resource_group_name")
            .unwrap_or_else(|| "resource-group-known-after-apply".to_string());
        let parent = |attr: &'static str| {
            self.name_attr(r, attr).unwrap_or_else(|| {
                unknown.borrow_mut().push(attr);
                format!("{attr}-unknown")
            })
        };
        let path = match r.kind.as_str() {
            "azurerm_resource_group" => {
                return (
                    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}"),
                    Vec::new(),
                )
            }
            "azurerm_subnet" => format!(
                "virtualNetworks/{}/subnets/{name}",
                parent("virtual_network_name")
            ),
            "azurerm_route" => format!("routeTables/{}/routes/{name}", parent("route_table_name")),
            "azurerm_network_security_rule" => format!(
                "networkSecurityGroups/{}/securityRules/{name}",
                parent("network_security_group_name")
            ),
            "azurerm_virtual_network_peering" => format!(
                "virtualNetworks/{}/virtualNetworkPeerings/{name}",
                parent("virtual_network_name")
            ),
            "azurerm_private_dns_zone_virtual_network_link" => format!(
                "privateDnsZones/{}/virtualNetworkLinks/{name}",
                parent("private_dns_zone_name")
            ),
            "azurerm_private_dns_a_record" => {
                format!("privateDnsZones/{}/A/{name}", parent("zone_name"))
            }
            "azurerm_firewall_network_rule_collection" => format!(
                "azureFirewalls/{}/networkRuleCollections/{name}",
                parent("azure_firewall_name")
            ),
            "azurerm_firewall_application_rule_collection" => format!(
                "azureFirewalls/{}/applicationRuleCollections/{name}",
                parent("azure_firewall_name")
            ),
            "azurerm_firewall_nat_rule_collection" => format!(
                "azureFirewalls/{}/natRuleCollections/{name}",
                parent("azure_firewall_name")
            ),
            kind if web_apps::is_web_app(kind) => {
                return (web_apps::site_id(&rg, &name), Vec::new())
            }
            storage::KIND => return (storage::account_id(&rg, &name), Vec::new()),
            kind => match READ.iter().find(|(k, _)| *k == kind) {
                Some((_, Some(azure))) => format!("{azure}/{name}"),
                _ => format!("{kind}/{name}"),
            },
        };
        let id =
            format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/{NET}/{path}");
        (id, unknown.into_inner())
    }

    /// An id-valued attribute of `v` (the resource's values or one of its blocks): its value,
    /// else (unknown until apply) the id of the one resource the configuration names.
    fn id_attr(&mut self, r: &TfResource, v: &Value, attr: &str) -> Option<String> {
        let own = attr.rsplit('.').next().unwrap_or(attr);
        if let Some(s) = v.get(own).and_then(Value::as_str).filter(|s| !s.is_empty()) {
            return Some(s.to_string());
        }
        // A known null: the attribute is not set.
        if v.get(own) == Some(&Value::Null) {
            return None;
        }
        let targets = self.targets(r, attr);
        let [one] = targets.as_slice() else {
            if targets.len() > 1 {
                self.out.left_out.push((
                    r.pointer.clone(),
                    format!(
                        "{}.{attr} is known after apply and its expression names {} resources ({}): which one it will be is not known offline",
                        r.address,
                        targets.len(),
                        targets.join(", ")
                    ),
                ));
            }
            return None;
        };
        let id = self.ids.get(one).cloned()?;
        self.out.assumptions.push(format!(
            "{}.{attr} is known after apply: taken as the id of the resource the configuration names, {id}",
            r.address
        ));
        Some(id)
    }

    /// The ids of a list-valued id attribute (`private_dns_zone_ids`): its values, else the
    /// ids of every resource the configuration names.
    fn ids_attr(&mut self, r: &TfResource, v: &Value, attr: &str) -> Vec<String> {
        let own = attr.rsplit('.').next().unwrap_or(attr);
        let given: Vec<String> = strings(v, own)
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        if !given.is_empty() || v.get(own).is_some_and(|x| !x.is_null()) {
            return given;
        }
        let ids: Vec<String> = self
            .targets(r, attr)
            .iter()
            .filter_map(|a| self.ids.get(a).cloned())
            .collect();
        for id in &ids {
            self.out.assumptions.push(format!(
                "{}.{attr} is known after apply: taken to hold the id the configuration names, {id}",
                r.address
            ));
        }
        ids
    }

    fn push(&mut self, r: &TfResource, kind: &str, properties: Value) {
        let id = self.ids.get(&r.address).cloned().unwrap_or_default();
        self.push_as(r, id, kind, properties);
    }

    fn push_as(&mut self, r: &TfResource, id: String, kind: &str, properties: Value) {
        self.push_typed(r, id, format!("{NET}/{kind}"), properties);
    }

    /// Writes `r` as the ARM resource of type `full_type` (provider included) that Azure holds,
    /// with its Terraform address.
    fn push_typed(&mut self, r: &TfResource, id: String, full_type: String, properties: Value) {
        let v = &r.values;
        let name = id.rsplit('/').next().unwrap_or_default().to_string();
        let mut obj = Map::new();
        obj.insert("id".into(), Value::String(id));
        obj.insert("type".into(), Value::String(full_type));
        obj.insert("name".into(), Value::String(name));
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

    /// Appends to the list `properties.<key>` of the resource read with id `id`; false when
    /// none was read.
    fn push_on(&mut self, id: &str, key: &str, x: Value) -> bool {
        let want = id.to_lowercase();
        let found = self.out.resources.iter_mut().find(|(_, r)| {
            r.get("id")
                .and_then(Value::as_str)
                .is_some_and(|i| i.to_lowercase() == want)
        });
        let Some(p) = found.and_then(|(_, r)| r.get_mut("properties")) else {
            return false;
        };
        let Some(o) = p.as_object_mut() else {
            return false;
        };
        match o
            .entry(key.to_string())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(list) => {
                list.push(x);
                true
            }
            _ => false,
        }
    }

    /// Sets `properties.<key>` of the resource read with id `id`; false when none was read.
    fn set_on(&mut self, id: &str, key: &str, x: Value) -> bool {
        let want = id.to_lowercase();
        let found = self.out.resources.iter_mut().find(|(_, r)| {
            r.get("id")
                .and_then(Value::as_str)
                .is_some_and(|i| i.to_lowercase() == want)
        });
        match found.and_then(|(_, r)| r.get_mut("properties")) {
            Some(p) => {
                set(p, key, x);
                true
            }
            None => false,
        }
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
                        // Provider 4's inline subnets carry it too.
                        if s.get("default_outbound_access_enabled") == Some(&Value::Bool(false)) {
                            set(&mut p, "defaultOutboundAccess", Value::Bool(false));
                        }
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
            | "azurerm_subnet_network_security_group_association"
            | "azurerm_subnet_nat_gateway_association"
            | "azurerm_network_interface_security_group_association" => {
                let (holder, attr, key) = match r.kind.as_str() {
                    "azurerm_subnet_route_table_association" => {
                        ("subnet_id", "route_table_id", "routeTable")
                    }
                    "azurerm_subnet_nat_gateway_association" => {
                        ("subnet_id", "nat_gateway_id", "natGateway")
                    }
                    "azurerm_subnet_network_security_group_association" => (
                        "subnet_id",
                        "network_security_group_id",
                        "networkSecurityGroup",
                    ),
                    _ => (
                        "network_interface_id",
                        "network_security_group_id",
                        "networkSecurityGroup",
                    ),
                };
                let (Some(on), Some(target)) =
                    (self.id_attr(r, &v, holder), self.id_attr(r, &v, attr))
                else {
                    self.out.left_out.push((
                        r.pointer.clone(),
                        format!(
                            "{}: its {} or its {} is not known",
                            r.address,
                            holder.trim_end_matches("_id"),
                            attr.trim_end_matches("_id")
                        ),
                    ));
                    return;
                };
                // The association is a property of the subnet or NIC it names.
                if !self.set_on(&on, key, json!({"id": target})) {
                    self.out.left_out.push((
                        r.pointer.clone(),
                        format!("{}: {on} is not in the input", r.address),
                    ));
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
                    let mut p = json!({
                        "subnet": {"id": subnet},
                        "privateIPAddress": ip,
                        "privateIPAllocationMethod": c.get("private_ip_address_allocation"),
                        "primary": c.get("primary"),
                    });
                    if let Some(pip) = self.id_attr(r, &c, "ip_configuration.public_ip_address_id")
                    {
                        set(&mut p, "publicIPAddress", json!({"id": pip}));
                    }
                    configs.push(json!({"name": c.get("name"), "properties": p}));
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
            "azurerm_public_ip" => {
                let mut p = json!({"publicIPAllocationMethod": v.get("allocation_method")});
                if let Some(ip) = v
                    .get("ip_address")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                {
                    set(&mut p, "ipAddress", Value::String(ip.to_string()));
                }
                self.push(r, "publicIPAddresses", p);
            }
            "azurerm_firewall" => self.firewall(r, &v),
            "azurerm_firewall_policy" => self.firewall_policy(r, &v),
            "azurerm_firewall_policy_rule_collection_group" => self.rule_collection_group(r, &v),
            "azurerm_firewall_network_rule_collection"
            | "azurerm_firewall_application_rule_collection"
            | "azurerm_firewall_nat_rule_collection" => self.classic_collection(r, &v),
            "azurerm_ip_group" => self.ip_group(r, &v),
            "azurerm_ip_group_cidr" => self.ip_group_cidr(r, &v),
            "azurerm_nat_gateway"
            | "azurerm_nat_gateway_public_ip_association"
            | "azurerm_nat_gateway_public_ip_prefix_association" => self.nat_gateway(r, &v),
            "azurerm_virtual_wan"
            | "azurerm_virtual_hub"
            | "azurerm_virtual_hub_connection"
            | "azurerm_virtual_hub_route_table"
            | "azurerm_virtual_hub_routing_intent" => self.virtual_wan(r, &v),
            "azurerm_lb"
            | "azurerm_lb_backend_address_pool"
            | "azurerm_lb_probe"
            | "azurerm_lb_rule"
            | "azurerm_lb_outbound_rule"
            | "azurerm_lb_nat_rule" => self.load_balancer(r, &v),
            "azurerm_network_interface_backend_address_pool_association"
            | "azurerm_network_interface_nat_rule_association" => {
                self.nic_balancer_association(r, &v)
            }
            "azurerm_private_endpoint" => self.private_endpoint(r, &v),
            "azurerm_private_dns_zone" => self.push(r, "privateDnsZones", json!({})),
            "azurerm_private_dns_zone_virtual_network_link" => {
                let vnet = self.id_attr(r, &v, "virtual_network_id");
                let registration = v
                    .get("registration_enabled")
                    .cloned()
                    .unwrap_or(Value::Bool(false));
                self.push(
                    r,
                    "privateDnsZones/virtualNetworkLinks",
                    json!({"virtualNetwork": {"id": vnet}, "registrationEnabled": registration}),
                );
            }
            "azurerm_private_dns_a_record" => {
                let records: Vec<Value> = strings(&v, "records")
                    .into_iter()
                    .map(|ip| json!({"ipv4Address": ip}))
                    .collect();
                if records.is_empty() && self.is_unknown(r, "records") {
                    self.out.left_out.push((
                        r.pointer.clone(),
                        format!(
                            "{}: its records are known after apply and cannot be read offline",
                            r.address
                        ),
                    ));
                    return;
                }
                self.push(
                    r,
                    "privateDnsZones/A",
                    json!({"ttl": v.get("ttl"), "aRecords": records}),
                );
            }
            kind if web_apps::is_web_app(kind) => self.web_app(r, &v),
            storage::KIND => self.storage_account(r, &v),
            kind if is_virtual_machine(kind) => self.out.left_out.push((
                r.pointer.clone(),
                format!(
                    "{}: virtual machines are read through their network interfaces",
                    r.address
                ),
            )),
            kind if kind.starts_with("azurerm_") => self.out.left_out.push((
                r.pointer.clone(),
                format!("{}: the Terraform type `{kind}` is not read", r.address),
            )),
            _ => {}
        }
    }

    /// `azurerm_private_endpoint`: the endpoint, its connection and its DNS zone group (a
    /// resource of its own in Azure).
    fn private_endpoint(&mut self, r: &TfResource, v: &Value) {
        let subnet = self.id_attr(r, v, "subnet_id");
        let mut auto = Vec::new();
        let mut manual = Vec::new();
        for c in v
            .get("private_service_connection")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
        {
            let target = self.id_attr(
                r,
                &c,
                "private_service_connection.private_connection_resource_id",
            );
            let connection = json!({"name": c.get("name"), "properties": {
                "privateLinkServiceId": target,
                "groupIds": strings(&c, "subresource_names"),
            }});
            if c.get("is_manual_connection") == Some(&Value::Bool(true)) {
                manual.push(connection);
            } else {
                auto.push(connection);
            }
        }
        let addresses: Vec<Value> = v
            .get("ip_configuration")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let ip = c.get("private_ip_address")?.as_str()?;
                Some(json!({"name": c.get("name"), "properties": {"privateIPAddress": ip}}))
            })
            .collect();
        let mut p = json!({
            "subnet": {"id": subnet},
            "privateLinkServiceConnections": auto,
            "manualPrivateLinkServiceConnections": manual,
        });
        if !addresses.is_empty() {
            set(&mut p, "ipConfigurations", Value::Array(addresses));
        }
        self.push(r, "privateEndpoints", p);
        let endpoint = self.ids.get(&r.address).cloned().unwrap_or_default();
        for g in v
            .get("private_dns_zone_group")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
        {
            let zones = self.ids_attr(r, &g, "private_dns_zone_group.private_dns_zone_ids");
            let configs: Vec<Value> = zones
                .iter()
                .map(|z| {
                    json!({"name": z.rsplit('/').next(), "properties": {"privateDnsZoneId": z}})
                })
                .collect();
            let name = str_of(&g, "name");
            self.push_as(
                r,
                format!("{endpoint}/privateDnsZoneGroups/{name}"),
                "privateEndpoints/privateDnsZoneGroups",
                json!({"privateDnsZoneConfigs": configs}),
            );
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

#[cfg(test)]
mod family_tests;
