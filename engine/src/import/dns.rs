//! Private DNS zones, their A/AAAA/CNAME record sets and their VNet links.

use std::collections::BTreeMap;

use super::context::{text, Context, Ns};
use super::field::{parse_text, spelling, Invalid, Vocabulary};
use super::resource::{segment_after, Resource};
use super::Section;
use crate::scenario::{RecordDoc, ZoneDoc};

const ZONES: &str = "Microsoft.Network/privateDnsZones";

/// The record set types of a private DNS zone (`RecordType`), as resource type segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RecordType {
    A,
    Aaaa,
    Cname,
    Mx,
    Ptr,
    Soa,
    Srv,
    Txt,
}

impl Vocabulary for RecordType {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("A", RecordType::A),
        ("AAAA", RecordType::Aaaa),
        ("CNAME", RecordType::Cname),
        ("MX", RecordType::Mx),
        ("PTR", RecordType::Ptr),
        ("SOA", RecordType::Soa),
        ("SRV", RecordType::Srv),
        ("TXT", RecordType::Txt),
    ];
}

/// A virtual network link's `resolutionPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResolutionPolicy {
    Default,
    NxDomainRedirect,
}

impl Vocabulary for ResolutionPolicy {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Default", ResolutionPolicy::Default),
        ("NxDomainRedirect", ResolutionPolicy::NxDomainRedirect),
    ];
}

/// Imported zones by name (index into the document's zones), and each zone's records by name.
#[derive(Default)]
struct Zones {
    by_name: BTreeMap<String, usize>,
    records: BTreeMap<(usize, String), usize>,
}

pub(super) fn import(cx: &mut Context<'_>) {
    let mut zones = Zones::default();
    for i in cx.of_kind(ZONES) {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = r.name.trim_end_matches('.').to_lowercase();
        if zones.by_name.contains_key(&name) {
            cx.skip(
                r.id.clone(),
                format!("a zone `{name}` was imported already (zones of one name in several resource groups)"),
            );
            continue;
        }
        cx.comment(Section::Zone, &name, r.id.clone());
        zones.by_name.insert(name.clone(), cx.doc.dns.zones.len());
        cx.doc.dns.zones.push(ZoneDoc {
            name: text(name),
            links: Vec::new(),
            nx_domain_redirect: Vec::new(),
            records: Vec::new(),
        });
    }
    for i in cx.of_kind("Microsoft.Network/privateDnsZones/virtualNetworkLinks") {
        cx.take(i);
        let Some(r) = cx.res(i) else { continue };
        if let Err(e) = link(cx, &mut zones, r) {
            cx.invalid(None, format!("virtual network link {}", r.id), &e);
        }
    }
    for i in 0..cx.resources.len() {
        let Some(r) = cx.res(i) else { continue };
        let Some(kind) = r
            .kind
            .get(..ZONES.len() + 1)
            .filter(|p| p.eq_ignore_ascii_case(&format!("{ZONES}/")))
            .and_then(|_| r.kind.get(ZONES.len() + 1..))
        else {
            continue;
        };
        if kind.eq_ignore_ascii_case("virtualNetworkLinks") {
            continue;
        }
        cx.take(i);
        let kind = parse_text::<RecordType>(kind, format!("{}/type", r.node().path));
        let result = kind.and_then(|kind| match kind {
            RecordType::A | RecordType::Aaaa | RecordType::Cname => record(cx, &mut zones, r, kind),
            // An SOA record never changes an answer: read, counted, and taken quietly.
            RecordType::Soa => Ok(()),
            other => {
                cx.skip(
                    r.id.clone(),
                    format!(
                        "{} records do not change where a client connects; only A, AAAA and CNAME are imported",
                        spelling(other)
                    ),
                );
                Ok(())
            }
        });
        if let Err(e) = result {
            cx.invalid(None, format!("record set {}", r.id), &e);
        }
    }
}

/// The zone a child resource belongs to, created when the zone itself is not in the input.
fn zone_of(cx: &mut Context<'_>, zones: &mut Zones, r: &Resource) -> Option<usize> {
    let zone = segment_after(&r.id, "privateDnsZones")?
        .trim_end_matches('.')
        .to_lowercase();
    if let Some(z) = zones.by_name.get(&zone) {
        return Some(*z);
    }
    cx.comment(
        Section::Zone,
        &zone,
        "the zone resource is not in the input; its records and links are",
    );
    let z = cx.doc.dns.zones.len();
    zones.by_name.insert(zone.clone(), z);
    cx.doc.dns.zones.push(ZoneDoc {
        name: text(zone),
        links: Vec::new(),
        nx_domain_redirect: Vec::new(),
        records: Vec::new(),
    });
    Some(z)
}

fn link(cx: &mut Context<'_>, zones: &mut Zones, r: &Resource) -> Result<(), Invalid> {
    let props = r.props();
    let vnet_id = props.str("/virtualNetwork/id")?;
    let registration = props.bool_or("/registrationEnabled", false)?;
    // Azure's default policy: a name missing from the zone is NXDOMAIN.
    let redirect = props.opt_vocab::<ResolutionPolicy>("/resolutionPolicy")?
        == Some(ResolutionPolicy::NxDomainRedirect);
    let Some(vnet) = cx.name_of(Ns::Vnet, vnet_id) else {
        cx.skip(
            r.id.clone(),
            format!("its VNet {vnet_id} is not in the input or was left out"),
        );
        return Ok(());
    };
    let Some(z) = zone_of(cx, zones, r) else {
        cx.skip(r.id.clone(), "its id names no private DNS zone");
        return Ok(());
    };
    let zone_name = cx
        .doc
        .dns
        .zones
        .get(z)
        .map(|z| z.name.value.clone())
        .unwrap_or_default();
    cx.comment(Section::Zone, &zone_name, r.id.clone());
    if registration {
        cx.unmodelled(
            Section::Zone,
            &zone_name,
            format!("auto-registration of the link of zone `{zone_name}` to `{vnet}`"),
            "not modelled: the VMs' records it would create are not in the zone",
        );
    }
    if let Some(zone) = cx.doc.dns.zones.get_mut(z) {
        if !zone.links.iter().any(|l| l.value == vnet) {
            zone.links.push(text(vnet.clone()));
        }
        if redirect {
            zone.nx_domain_redirect.push(text(vnet));
        }
    }
    Ok(())
}

fn record(
    cx: &mut Context<'_>,
    zones: &mut Zones,
    r: &Resource,
    kind: RecordType,
) -> Result<(), Invalid> {
    let props = r.props();
    let mut a = Vec::new();
    let mut cname = None;
    match kind {
        RecordType::A => {
            for v in props.items("/aRecords")? {
                a.push(v.str("/ipv4Address")?.to_string());
            }
        }
        RecordType::Aaaa => {
            let mut v6 = Vec::new();
            for v in props.items("/aaaaRecords")? {
                v6.push((
                    v.path_of("/ipv6Address"),
                    v.str("/ipv6Address")?.to_string(),
                ));
            }
            if v6.is_empty() {
                cx.skip(r.id.clone(), "an empty record set answers nothing");
            }
            cx.skip_ipv6(&v6, &format!("AAAA record set {}", r.id));
            return Ok(());
        }
        _ => {
            cname = Some(
                props
                    .str("/cnameRecord/cname")?
                    .trim_end_matches('.')
                    .to_string(),
            )
        }
    }
    if a.is_empty() && cname.is_none() {
        cx.skip(r.id.clone(), "an empty record set answers nothing");
        return Ok(());
    }
    let Some(z) = zone_of(cx, zones, r) else {
        cx.skip(r.id.clone(), "its id names no private DNS zone");
        return Ok(());
    };
    let key = (z, r.name.to_lowercase());
    let Some(zone) = cx.doc.dns.zones.get_mut(z) else {
        return Ok(());
    };
    match zones
        .records
        .get(&key)
        .and_then(|&i| zone.records.get_mut(i))
    {
        Some(existing) => {
            existing.a.extend(a.into_iter().map(text));
            if existing.cname.is_none() {
                existing.cname = cname.map(text);
            }
        }
        None => {
            zones.records.insert(key, zone.records.len());
            zone.records.push(RecordDoc {
                name: text(r.name.clone()),
                a: a.into_iter().map(text).collect(),
                cname: cname.map(text),
            });
        }
    }
    Ok(())
}
