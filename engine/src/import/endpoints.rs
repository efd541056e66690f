//! Private endpoints and the services they reach. The endpoint's address comes from
//! `customDnsConfigs`, its `ipConfigurations` or its NIC, whichever the input has; the target
//! from `privateLinkServiceConnections[].properties.privateLinkServiceId`.

use serde_json::Value;

use super::context::{inner, items, strings, text, Context, Ns};
use super::resource::{last_segment, Resource};
use super::Section;
use crate::scenario::{PrivateEndpointDoc, PublicAccessDoc, ServiceDoc, ServiceKind};

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/privateEndpoints") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Nic, &r.id, &r.name);
        let subnet_id = r.prop_str("/subnet/id").unwrap_or_default();
        let Some(subnet) = cx.subnet_name(subnet_id) else {
            cx.skip(
                r.id.clone(),
                format!("its subnet {subnet_id} is not in an imported VNet"),
            );
            continue;
        };
        let dns_configs = items(r.prop("/customDnsConfigs"));
        let fqdns: Vec<String> = dns_configs
            .iter()
            .filter_map(|c| c.get("fqdn").and_then(Value::as_str))
            .map(|f| f.trim_end_matches('.').to_lowercase())
            .collect();
        let Some(ip) = address(cx, r) else {
            cx.skip(
                r.id.clone(),
                "no private IP in `customDnsConfigs`, `ipConfigurations` or its NIC",
            );
            continue;
        };
        cx.comment(Section::PrivateEndpoint, &name, r.id.clone());
        let auto = items(r.prop("/privateLinkServiceConnections"));
        let manual = items(r.prop("/manualPrivateLinkServiceConnections"));
        let connection = auto.first().or_else(|| manual.first());
        let mut target = None;
        if let Some(c) = connection {
            let status = inner(c, "/privateLinkServiceConnectionState/status")
                .and_then(Value::as_str)
                .unwrap_or("Approved");
            if !status.eq_ignore_ascii_case("approved") {
                cx.comment(
                    Section::PrivateEndpoint,
                    &name,
                    format!("connection state `{status}`: azpath programs its route anyway"),
                );
            }
            let service_id = inner(c, "/privateLinkServiceId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let group = strings(inner(c, "/groupIds"))
                .first()
                .cloned()
                .unwrap_or_default();
            target = service(cx, &name, service_id, &group, &fqdns);
        }
        cx.doc.private_endpoints.push(PrivateEndpointDoc {
            name: text(name),
            subnet: text(subnet),
            ip: text(ip),
            target: target.map(text),
        });
    }
}

/// The endpoint's private IP, wherever the input keeps it.
fn address(cx: &mut Context<'_>, r: &Resource) -> Option<String> {
    let from_dns = items(r.prop("/customDnsConfigs"))
        .iter()
        .flat_map(|c| strings(c.get("ipAddresses")))
        .next();
    let from_configs = || {
        items(r.prop("/ipConfigurations"))
            .iter()
            .find_map(|c| inner(c, "/privateIPAddress").and_then(Value::as_str))
            .map(str::to_string)
    };
    if let Some(ip) = from_dns.or_else(from_configs) {
        return Some(ip);
    }
    // The NIC Azure created for it, when the input has the NIC.
    let nic = items(r.prop("/networkInterfaces"))
        .iter()
        .filter_map(|n| n.get("id").and_then(Value::as_str))
        .find_map(|id| cx.find(id))?;
    cx.take(nic);
    let nic = cx.res(nic)?;
    items(nic.prop("/ipConfigurations"))
        .iter()
        .find_map(|c| inner(c, "/privateIPAddress").and_then(Value::as_str))
        .map(str::to_string)
}

/// The service kind behind a private link resource type and group id.
fn kind(
    resource_type: &str,
    group: &str,
    fqdns: &[String],
    target: Option<&Resource>,
) -> Option<ServiceKind> {
    let group = group.to_lowercase();
    Some(match (resource_type, group.as_str()) {
        ("storageaccounts", "blob") => ServiceKind::StorageBlob,
        ("vaults", _) => ServiceKind::KeyVault,
        ("servers", "sqlserver") => ServiceKind::Sql,
        ("searchservices", _) => ServiceKind::AiSearch,
        ("databaseaccounts", "sql") => ServiceKind::CosmosDb,
        ("sites", _) => ServiceKind::WebApp,
        ("service", "gateway") => ServiceKind::ApiManagement,
        ("accounts", _) => {
            let openai = fqdns.iter().any(|f| f.ends_with(".openai.azure.com"))
                || target
                    .and_then(|t| t.json.get("kind"))
                    .and_then(Value::as_str)
                    == Some("OpenAI");
            if openai {
                ServiceKind::OpenAI
            } else {
                ServiceKind::CognitiveServices
            }
        }
        _ => return None,
    })
}

/// Declares (once) the service a private endpoint targets and returns the endpoint's `target`:
/// the service's name, or the endpoint's FQDN for a kind azpath does not model.
fn service(
    cx: &mut Context<'_>,
    endpoint: &str,
    id: &str,
    group: &str,
    fqdns: &[String],
) -> Option<String> {
    let resource_type = id
        .split('/')
        .rev()
        .nth(1)
        .unwrap_or_default()
        .to_lowercase();
    let target = cx.find(id);
    let target_res = target.and_then(|t| cx.res(t));
    let Some(kind) = kind(&resource_type, group, fqdns, target_res) else {
        let fallback = fqdns.first().cloned();
        cx.comment(
            Section::PrivateEndpoint,
            endpoint,
            format!("target {id} (group `{group}`) is not a service kind azpath models"),
        );
        return fallback;
    };
    let name = last_segment(id).to_string();
    if cx.doc.services.iter().any(|s| s.name.value == name) {
        return Some(name);
    }
    let zone = kind.public_zone();
    let fqdn = fqdns
        .iter()
        .find(|f| f.ends_with(&format!(".{zone}")))
        .cloned()
        .unwrap_or_else(|| format!("{}.{zone}", name.to_lowercase()));
    cx.comment(Section::Service, &name, id.to_string());
    let public_network_access = match target {
        Some(t) => {
            cx.take(t);
            public_access(target_res)
        }
        None => {
            cx.comment(
                Section::Service,
                &name,
                "the service's own resource is not in the input: public network access `Enabled` assumed",
            );
            PublicAccessDoc::Enabled
        }
    };
    cx.doc.services.push(ServiceDoc {
        name: text(name.clone()),
        kind,
        fqdn: text(fqdn),
        public_ip: None,
        public_network_access,
        certificate_names: Vec::new(),
        private_endpoints_elsewhere: false,
    });
    Some(name)
}

/// `publicNetworkAccess`, and the IP rules of a `Deny` network ACL.
fn public_access(target: Option<&Resource>) -> PublicAccessDoc {
    let Some(t) = target else {
        return PublicAccessDoc::Enabled;
    };
    if t.prop_str("/publicNetworkAccess")
        .is_some_and(|p| p.eq_ignore_ascii_case("disabled"))
    {
        return PublicAccessDoc::Disabled;
    }
    let denies = t
        .prop_str("/networkAcls/defaultAction")
        .is_some_and(|a| a.eq_ignore_ascii_case("deny"));
    if denies {
        let allowed = items(t.prop("/networkAcls/ipRules"))
            .iter()
            .filter_map(|r| r.get("value").and_then(Value::as_str))
            .map(|v| {
                if v.contains('/') {
                    text(v)
                } else {
                    text(format!("{v}/32"))
                }
            })
            .collect();
        return PublicAccessDoc::SelectedNetworks(allowed);
    }
    PublicAccessDoc::Enabled
}
