//! Private DNS zones, their A/AAAA/CNAME record sets and their VNet links.

use serde_json::Value;

use super::context::{items, text, Context, Ns};
use super::resource::{segment_after, Resource};
use super::Section;
use crate::scenario::{RecordDoc, ZoneDoc};

const ZONES: &str = "Microsoft.Network/privateDnsZones";

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind(ZONES) {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = r.name.trim_end_matches('.').to_lowercase();
        if zone_index(cx, &name).is_some() {
            cx.skip(
                r.id.clone(),
                format!("a zone `{name}` was imported already (zones of one name in several resource groups)"),
            );
            continue;
        }
        cx.comment(Section::Zone, &name, r.id.clone());
        cx.doc.dns.zones.push(ZoneDoc {
            name: text(name),
            links: Vec::new(),
            nx_domain_redirect: Vec::new(),
            records: Vec::new(),
        });
    }
    for i in cx.of_kind("Microsoft.Network/privateDnsZones/virtualNetworkLinks") {
        cx.take(i);
        link(cx, i);
    }
    for i in 0..cx.resources.len() {
        let Some(r) = cx.res(i) else { continue };
        let Some(kind) = r
            .kind
            .to_lowercase()
            .strip_prefix("microsoft.network/privatednszones/")
            .map(str::to_string)
        else {
            continue;
        };
        match kind.as_str() {
            "a" | "aaaa" | "cname" => {
                cx.take(i);
                record(cx, r, &kind);
            }
            // An SOA record never changes an answer: read, counted, and taken quietly.
            "soa" => cx.take(i),
            "virtualnetworklinks" => {}
            other => {
                cx.take(i);
                cx.skip(
                    r.id.clone(),
                    format!("{} records do not change where a client connects; only A, AAAA and CNAME are imported", other.to_uppercase()),
                );
            }
        }
    }
}

/// The index of zone `name` among the imported zones.
fn zone_index(cx: &Context<'_>, name: &str) -> Option<usize> {
    cx.doc.dns.zones.iter().position(|z| z.name.value == name)
}

/// The zone a child resource belongs to, created when the zone itself is not in the input.
fn zone_of(cx: &mut Context<'_>, r: &Resource) -> Option<usize> {
    let zone = segment_after(&r.id, "privateDnsZones")?
        .trim_end_matches('.')
        .to_lowercase();
    if let Some(z) = zone_index(cx, &zone) {
        return Some(z);
    }
    cx.comment(
        Section::Zone,
        &zone,
        "the zone resource is not in the input; its records and links are",
    );
    cx.doc.dns.zones.push(ZoneDoc {
        name: text(zone),
        links: Vec::new(),
        nx_domain_redirect: Vec::new(),
        records: Vec::new(),
    });
    Some(cx.doc.dns.zones.len() - 1)
}

fn link(cx: &mut Context<'_>, i: usize) {
    let Some(r) = cx.res(i) else { return };
    let vnet_id = r.prop_str("/virtualNetwork/id").unwrap_or_default();
    let Some(vnet) = cx.name_of(Ns::Vnet, vnet_id) else {
        cx.skip(
            r.id.clone(),
            format!("its VNet {vnet_id} is not in the input"),
        );
        return;
    };
    let Some(z) = zone_of(cx, r) else { return };
    let zone_name = cx
        .doc
        .dns
        .zones
        .get(z)
        .map(|z| z.name.value.clone())
        .unwrap_or_default();
    cx.comment(Section::Zone, &zone_name, r.id.clone());
    if r.prop_bool("/registrationEnabled") == Some(true) {
        cx.comment(
            Section::Zone,
            &zone_name,
            format!("link to `{vnet}` has auto-registration on, which azpath does not model"),
        );
    }
    let redirect = r
        .prop_str("/resolutionPolicy")
        .is_some_and(|p| p.eq_ignore_ascii_case("nxdomainredirect"));
    if let Some(zone) = cx.doc.dns.zones.get_mut(z) {
        if !zone.links.iter().any(|l| l.value == vnet) {
            zone.links.push(text(vnet.clone()));
        }
        if redirect {
            zone.nx_domain_redirect.push(text(vnet));
        }
    }
}

fn record(cx: &mut Context<'_>, r: &Resource, kind: &str) {
    let Some(z) = zone_of(cx, r) else { return };
    let (a, cname): (Vec<String>, Option<String>) = match kind {
        "a" => (field(r, "/aRecords", "ipv4Address"), None),
        "aaaa" => (field(r, "/aaaaRecords", "ipv6Address"), None),
        _ => (
            Vec::new(),
            r.prop_str("/cnameRecord/cname")
                .map(|c| c.trim_end_matches('.').to_string()),
        ),
    };
    let Some(zone) = cx.doc.dns.zones.get_mut(z) else {
        return;
    };
    match zone.records.iter_mut().find(|d| d.name.value == r.name) {
        Some(existing) => {
            existing.a.extend(a.into_iter().map(text));
            if existing.cname.is_none() {
                existing.cname = cname.map(text);
            }
        }
        None => zone.records.push(RecordDoc {
            name: text(r.name.clone()),
            a: a.into_iter().map(text).collect(),
            cname: cname.map(text),
        }),
    }
}

/// One field of each element of a record list.
fn field(r: &Resource, list: &str, key: &str) -> Vec<String> {
    items(r.prop(list))
        .iter()
        .filter_map(|v| v.get(key).and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}
