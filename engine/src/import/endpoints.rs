//! Private endpoints and the services they reach. The endpoint's address comes from
//! `customDnsConfigs`, its `ipConfigurations` or its NIC, whichever the input has; the target
//! from `privateLinkServiceConnections[].properties.privateLinkServiceId`.

use super::context::{text, Context, Ns};
use super::field::{spelling, Invalid, Vocabulary};
use super::resource::{last_segment, Resource};
use super::Section;
use crate::scenario::{PrivateEndpointDoc, PublicAccessDoc, ServiceDoc, ServiceKind};

/// `privateLinkServiceConnectionState.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ConnectionStatus {
    Approved,
    Pending,
    Rejected,
    Disconnected,
}

impl Vocabulary for ConnectionStatus {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Approved", ConnectionStatus::Approved),
        ("Pending", ConnectionStatus::Pending),
        ("Rejected", ConnectionStatus::Rejected),
        ("Disconnected", ConnectionStatus::Disconnected),
    ];
}

/// A service's `publicNetworkAccess`, as the services azpath models spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PublicNetworkAccess {
    Enabled,
    Disabled,
}

impl Vocabulary for PublicNetworkAccess {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Enabled", PublicNetworkAccess::Enabled),
        ("Disabled", PublicNetworkAccess::Disabled),
    ];
}

/// `networkAcls.defaultAction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DefaultAction {
    Allow,
    Deny,
}

impl Vocabulary for DefaultAction {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Allow", DefaultAction::Allow),
        ("Deny", DefaultAction::Deny),
    ];
}

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/privateEndpoints") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Nic, &r.id, &r.name);
        match endpoint(cx, r, &name) {
            Ok(Some(doc)) => cx.doc.private_endpoints.push(doc),
            Ok(None) => cx.forget(Ns::Nic, &r.id),
            Err(e) => {
                cx.forget(Ns::Nic, &r.id);
                cx.invalid(None, format!("private endpoint {}", r.id), &e);
            }
        }
    }
}

fn endpoint(
    cx: &mut Context<'_>,
    r: &Resource,
    name: &str,
) -> Result<Option<PrivateEndpointDoc>, Invalid> {
    let props = r.props();
    let subnet_id = props.str("/subnet/id")?;
    let mut fqdns = Vec::new();
    let mut from_dns = None;
    for c in props.items("/customDnsConfigs")? {
        if let Some(f) = c.opt_str("/fqdn")? {
            fqdns.push(f.trim_end_matches('.').to_lowercase());
        }
        if from_dns.is_none() {
            from_dns = c.strings("/ipAddresses")?.into_iter().next();
        }
    }
    let mut from_configs = None;
    for c in props.items("/ipConfigurations")? {
        if from_configs.is_none() {
            from_configs = c.opt_str("/privateIPAddress")?.map(str::to_string);
        }
    }
    let mut connection = None;
    for key in [
        "/privateLinkServiceConnections",
        "/manualPrivateLinkServiceConnections",
    ] {
        for c in props.items(key)? {
            if connection.is_none() {
                let status =
                    c.opt_vocab::<ConnectionStatus>("/privateLinkServiceConnectionState/status")?;
                let service_id = c.str("/privateLinkServiceId")?;
                let group = c
                    .strings("/groupIds")?
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                connection = Some((status, service_id, group));
            }
        }
    }
    let Some(subnet) = cx.subnet_name(subnet_id) else {
        cx.skip(
            r.id.clone(),
            format!("its subnet {subnet_id} is not in an imported VNet"),
        );
        return Ok(None);
    };
    let found = from_dns
        .or(from_configs)
        .or_else(|| nic_address(cx, r))
        .filter(|ip| !ip.is_empty());
    // No address in the input: Azure allocates one on deployment.
    let Some(ip) = found.or_else(|| cx.allocate(&subnet, Section::PrivateEndpoint, name)) else {
        cx.skip(
            r.id.clone(),
            format!("no private IP in `customDnsConfigs`, `ipConfigurations` or its NIC, and subnet `{subnet}` has no free address to allocate"),
        );
        return Ok(None);
    };
    cx.comment(Section::PrivateEndpoint, name, r.id.clone());
    let mut target = None;
    if let Some((status, service_id, group)) = connection {
        match status {
            Some(ConnectionStatus::Approved) => {}
            Some(other) => cx.unmodelled(
                Section::PrivateEndpoint,
                name,
                format!(
                    "connection state `{}` of private endpoint `{name}`",
                    spelling(other)
                ),
                "not modelled: azpath programs the endpoint's route as if it were approved",
            ),
            None => cx.comment(
                Section::PrivateEndpoint,
                name,
                "connection state not in the input: taken as approved",
            ),
        }
        target = service(cx, name, service_id, &group, &fqdns);
    } else {
        cx.comment(
            Section::PrivateEndpoint,
            name,
            "no private link service connection in the input: no target",
        );
    }
    Ok(Some(PrivateEndpointDoc {
        name: text(name),
        subnet: text(subnet),
        ip: text(ip),
        target: target.map(text),
    }))
}

/// The private IP of the NIC Azure created for the endpoint, when the input has the NIC.
fn nic_address(cx: &mut Context<'_>, r: &Resource) -> Option<String> {
    let nic = r
        .props()
        .items("/networkInterfaces")
        .ok()?
        .iter()
        .filter_map(|n| n.value.get("id").and_then(|v| v.as_str()))
        .find_map(|id| cx.find(id))?;
    cx.take(nic);
    let nic = cx.res(nic)?;
    nic.props()
        .items("/ipConfigurations")
        .ok()?
        .iter()
        .find_map(|c| c.opt_str("/privateIPAddress").ok().flatten())
        .map(str::to_string)
}

/// The provider namespace and type of a resource id, lower case
/// (`…/providers/Microsoft.KeyVault/vaults/kv` → `("microsoft.keyvault", "vaults")`): the type
/// is the segment before the name, so a nested type (`sites/x/slots/y`) reads as `slots`.
fn provider_type(id: &str) -> (String, String) {
    let segments: Vec<&str> = id.trim_end_matches('/').split('/').collect();
    let namespace = segments
        .iter()
        .position(|s| s.eq_ignore_ascii_case("providers"))
        .and_then(|i| segments.get(i + 1))
        .map_or_else(String::new, |s| s.to_lowercase());
    let kind = segments
        .iter()
        .rev()
        .nth(1)
        .map_or_else(String::new, |s| s.to_lowercase());
    (namespace, kind)
}

/// The service kind of a private link sub-resource (`groupIds`) of a resource type, as
/// Microsoft's table lists them ("Azure Private Endpoint private DNS zone values",
/// <https://learn.microsoft.com/azure/private-link/private-endpoint-dns>). `None`: a
/// sub-resource azpath does not model (a storage account's `blob_secondary`, a Key Vault
/// managed HSM, a Recovery Services vault, a web app's slot, Cosmos DB for PostgreSQL …),
/// which the caller lists; an account of Microsoft.CognitiveServices is told apart by
/// [`cognitive_services_kind`].
fn sub_resource_kind(namespace: &str, resource_type: &str, group: &str) -> Option<ServiceKind> {
    let group = group.to_lowercase();
    Some(match (namespace, resource_type, group.as_str()) {
        ("microsoft.storage", "storageaccounts", "blob") => ServiceKind::StorageBlob,
        ("microsoft.storage", "storageaccounts", "file") => ServiceKind::StorageFile,
        ("microsoft.storage", "storageaccounts", "queue") => ServiceKind::StorageQueue,
        ("microsoft.storage", "storageaccounts", "table") => ServiceKind::StorageTable,
        ("microsoft.storage", "storageaccounts", "web") => ServiceKind::StorageWeb,
        ("microsoft.storage", "storageaccounts", "dfs") => ServiceKind::StorageDfs,
        ("microsoft.keyvault", "vaults", "vault") => ServiceKind::KeyVault,
        ("microsoft.sql", "servers", "sqlserver") => ServiceKind::Sql,
        ("microsoft.search", "searchservices", "searchservice") => ServiceKind::AiSearch,
        ("microsoft.documentdb", "databaseaccounts", "sql") => ServiceKind::CosmosDb,
        ("microsoft.documentdb", "databaseaccounts", "mongodb") => ServiceKind::CosmosDbMongo,
        ("microsoft.documentdb", "databaseaccounts", "cassandra") => ServiceKind::CosmosDbCassandra,
        ("microsoft.documentdb", "databaseaccounts", "gremlin") => ServiceKind::CosmosDbGremlin,
        ("microsoft.documentdb", "databaseaccounts", "table") => ServiceKind::CosmosDbTable,
        ("microsoft.documentdb", "databaseaccounts", "analytical") => {
            ServiceKind::CosmosDbAnalytical
        }
        ("microsoft.web", "sites", "sites") => ServiceKind::WebApp,
        ("microsoft.apimanagement", "service", "gateway") => ServiceKind::ApiManagement,
        // Told apart by the account's kind.
        ("microsoft.cognitiveservices", "accounts", "account") => ServiceKind::CognitiveServices,
        _ => return None,
    })
}

/// A Microsoft.CognitiveServices account (sub-resource `account`) is an AI Foundry / AI
/// services account (three names), Azure OpenAI, or another Cognitive Services account, by its
/// `kind` or, without the account in the input, by the FQDNs its endpoint lists.
fn cognitive_services_kind(fqdns: &[String], target: Option<&Resource>) -> ServiceKind {
    let account_kind = target
        .and_then(|t| t.json.get("kind"))
        .and_then(|k| k.as_str());
    // An AI Foundry / AI services account answers on three names, and its endpoint's
    // `customDnsConfigs` lists one FQDN per zone.
    let ai_services = account_kind.is_some_and(|k| k.eq_ignore_ascii_case("AIServices"))
        || fqdns.iter().any(|f| f.ends_with(".services.ai.azure.com"));
    let openai = fqdns.iter().any(|f| f.ends_with(".openai.azure.com"))
        || account_kind.is_some_and(|k| k.eq_ignore_ascii_case("OpenAI"));
    if ai_services {
        ServiceKind::AiServices
    } else if openai {
        ServiceKind::OpenAI
    } else {
        ServiceKind::CognitiveServices
    }
}

/// The service kind behind a private link resource and sub-resource.
fn kind(id: &str, group: &str, fqdns: &[String], target: Option<&Resource>) -> Option<ServiceKind> {
    let (namespace, resource_type) = provider_type(id);
    match sub_resource_kind(&namespace, &resource_type, group)? {
        ServiceKind::CognitiveServices => Some(cognitive_services_kind(fqdns, target)),
        other => Some(other),
    }
}

/// Declares (once) the service a private endpoint targets and returns the endpoint's `target`:
/// the service's name, or the endpoint's FQDN for a kind or a service azpath cannot model.
fn service(
    cx: &mut Context<'_>,
    endpoint: &str,
    id: &str,
    group: &str,
    fqdns: &[String],
) -> Option<String> {
    let target = cx.find(id);
    let target_res = target.and_then(|t| cx.res(t));
    let fallback = |cx: &mut Context<'_>, reason: String| {
        cx.comment(
            Section::PrivateEndpoint,
            endpoint,
            format!("target {id}: {reason}"),
        );
        cx.skip(
            format!("target of private endpoint `{endpoint}`: {id}"),
            reason,
        );
        fqdns.first().cloned()
    };
    let Some(kind) = kind(id, group, fqdns, target_res) else {
        let (namespace, resource_type) = provider_type(id);
        let reason = if group.is_empty() {
            format!(
                "no sub-resource (`groupIds`) on its connection to `{namespace}/{resource_type}`"
            )
        } else {
            format!("sub-resource `{group}` of `{namespace}/{resource_type}` is not one azpath models (its zones and names are unknown)")
        };
        return fallback(cx, reason);
    };
    // One service per resource and sub-resource: a Cosmos DB account's `Sql` and `MongoDB`
    // endpoints, or a storage account's `blob` and `file`, are two services with their own
    // names and zones.
    let key = (id.to_lowercase(), group.to_lowercase());
    if let Some(name) = cx.service_by_sub_resource.get(&key) {
        return Some(name.clone());
    }
    let mut name = last_segment(id).to_string();
    if cx.is_service(&name) {
        name = format!("{name}-{}", group.to_lowercase());
    }
    cx.service_by_sub_resource.insert(key, name.clone());
    let mut secure_transfer_required = None;
    let public_network_access = match target_res {
        Some(t) => match public_access(t)
            .and_then(|a| Ok((a, secure_transfer(t, kind)?, firewall_rules_left_out(t)?)))
        {
            Ok((access, secure, left_out)) => {
                if let Some(t) = target {
                    cx.take(t);
                }
                for path in left_out {
                    cx.skip(
                        format!("`{path}` of {id}"),
                        "service firewall rules by virtual network (service endpoint) or by resource instance are not modelled: callers they admit are answered as the IP rules decide",
                    );
                }
                secure_transfer_required = secure;
                access
            }
            Err(e) => {
                if let Some(t) = target {
                    cx.take(t);
                }
                cx.invalid(
                    Some((Section::PrivateEndpoint, endpoint)),
                    format!("service {id}"),
                    &e,
                );
                return fqdns.first().cloned();
            }
        },
        None => {
            cx.comment(
                Section::Service,
                &name,
                "the service's own resource is not in the input: public network access `Enabled` assumed",
            );
            PublicAccessDoc::Enabled
        }
    };
    let zone = kind.public_zone();
    // The first of the endpoint's FQDNs in one of the kind's zones; the service answers on the
    // kind's other zones too, so none of the others is lost.
    let fqdn = fqdns
        .iter()
        .find(|f| kind.zone_of(f).is_some())
        .cloned()
        .unwrap_or_else(|| format!("{}.{zone}", name.to_lowercase()));
    cx.comment(Section::Service, &name, id.to_string());
    cx.add_service(&name);
    cx.doc.services.push(ServiceDoc {
        name: text(name.clone()),
        kind,
        fqdn: text(fqdn),
        public_ip: None,
        public_network_access: Some(public_network_access),
        access_restrictions: None,
        scm_access_restrictions: None,
        scm_use_main_restrictions: None,
        secure_transfer_required: secure_transfer_required.map(crate::scenario::Spanned::new),
        certificate_names: Vec::new(),
        private_endpoints_elsewhere: false,
    });
    Some(name)
}

/// A storage account's `supportsHttpsTrafficOnly` ("secure transfer required"), for every
/// storage sub-resource; `None` when it is not in the input (the trace then states what it
/// takes) or the service is no storage account's.
fn secure_transfer(t: &Resource, kind: ServiceKind) -> Result<Option<bool>, Invalid> {
    if !kind.is_storage() {
        return Ok(None);
    }
    t.props().opt_bool("/supportsHttpsTrafficOnly")
}

/// Where the service firewall holds rules azpath does not model: virtual network rules
/// (callers from subnets with a service endpoint) and resource instance rules. Each admits
/// callers the IP rules alone would refuse, so each is listed rather than dropped.
fn firewall_rules_left_out(t: &Resource) -> Result<Vec<String>, Invalid> {
    let props = t.props();
    let mut out = Vec::new();
    for pointer in [
        "/networkAcls/virtualNetworkRules",
        "/networkAcls/resourceAccessRules",
    ] {
        out.extend(props.items(pointer)?.into_iter().map(|n| n.path));
    }
    Ok(out)
}

/// `publicNetworkAccess`, and the IP rules of a `Deny` network ACL (Azure's defaults when
/// unset: access enabled, ACL allowing).
fn public_access(t: &Resource) -> Result<PublicAccessDoc, Invalid> {
    let props = t.props();
    let access = props.opt_vocab::<PublicNetworkAccess>("/publicNetworkAccess")?;
    let default_action = props.opt_vocab::<DefaultAction>("/networkAcls/defaultAction")?;
    let mut allowed = Vec::new();
    for r in props.items("/networkAcls/ipRules")? {
        let v = r.str("/value")?;
        allowed.push(if v.contains('/') {
            text(v)
        } else {
            text(format!("{v}/32"))
        });
    }
    Ok(match (access, default_action) {
        (Some(PublicNetworkAccess::Disabled), _) => PublicAccessDoc::Disabled,
        (_, Some(DefaultAction::Deny)) => PublicAccessDoc::SelectedNetworks(allowed),
        _ => PublicAccessDoc::Enabled,
    })
}
