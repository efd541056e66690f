//! Private DNS zones, their A/AAAA/CNAME record sets and their VNet links.

use std::collections::{BTreeMap, BTreeSet};

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

/// Imported zones by identity (index into the document's zones), and each zone's records by
/// name.
#[derive(Default)]
struct Zones {
    by_id: BTreeMap<ZoneKey, usize>,
    records: BTreeMap<(usize, String), usize>,
    /// Zone names found in more than one resource group: their zones keep their resource group.
    shared: BTreeSet<String>,
}

/// A zone's identity in its resource id: its resource group (lower case, `None` when the id
/// has none) and its name (lower case, no trailing dot). A private DNS zone is identified by
/// both, so one name may be in several resource groups.
type ZoneKey = (Option<String>, String);

/// The zone an id names (the zone's own id or a child's), with its resource group as written.
fn zone_in(id: &str) -> Option<(Option<&str>, String)> {
    let name = segment_after(id, "privateDnsZones")?
        .trim_end_matches('.')
        .to_lowercase();
    Some((segment_after(id, "resourceGroups"), name))
}

fn key_of(rg: Option<&str>, name: &str) -> ZoneKey {
    (rg.map(str::to_lowercase), name.to_string())
}

/// The names of the zones the input holds in more than one resource group.
fn shared_names(cx: &Context<'_>) -> BTreeSet<String> {
    let mut groups: BTreeMap<String, BTreeSet<Option<String>>> = BTreeMap::new();
    for r in cx.resources {
        if let Some((rg, name)) = zone_in(&r.id) {
            groups
                .entry(name)
                .or_default()
                .insert(rg.map(str::to_lowercase));
        }
    }
    groups
        .into_iter()
        .filter(|(_, g)| g.len() > 1)
        .map(|(name, _)| name)
        .collect()
}

/// Adds the zone `name` of resource group `rg` to the document (its resource group kept when
/// the name is in several); returns its index and its label.
fn add_zone(cx: &mut Context<'_>, zones: &mut Zones, rg: Option<&str>, name: &str) -> usize {
    let z = cx.doc.dns.zones.len();
    zones.by_id.insert(key_of(rg, name), z);
    let resource_group = rg.filter(|_| zones.shared.contains(name)).map(text);
    cx.doc.dns.zones.push(ZoneDoc {
        name: text(name.to_string()),
        resource_group,
        links: Vec::new(),
        nx_domain_redirect: Vec::new(),
        records: Vec::new(),
    });
    z
}

/// How the document names zone `z`: `resource-group/name` when it keeps its resource group.
fn label_of(cx: &Context<'_>, z: usize) -> String {
    cx.doc
        .dns
        .zones
        .get(z)
        .map(|z| {
            crate::scenario::zone_label(
                z.resource_group.as_ref().map(|t| t.value.as_str()),
                &z.name.value,
            )
        })
        .unwrap_or_default()
}

pub(super) fn import(cx: &mut Context<'_>) {
    let mut zones = Zones {
        shared: shared_names(cx),
        ..Zones::default()
    };
    for i in cx.of_kind(ZONES) {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = r.name.trim_end_matches('.').to_lowercase();
        let rg = zone_in(&r.id).and_then(|(rg, _)| rg);
        if is_single_label(&name) {
            cx.skip(r.id.clone(), SINGLE_LABEL);
            continue;
        }
        if zones.by_id.contains_key(&key_of(rg, &name)) {
            cx.skip(
                r.id.clone(),
                format!("a zone `{name}` of this resource group was imported already"),
            );
            continue;
        }
        let z = add_zone(cx, &mut zones, rg, &name);
        let label = label_of(cx, z);
        cx.comment(Section::Zone, &label, r.id.clone());
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

/// Why a zone name of one label is refused.
const SINGLE_LABEL: &str = "a private DNS zone name has at least two labels (`privatelink.blob.core.windows.net`): Azure refuses one label";

/// Learn: a private DNS zone name needs at least two labels
/// (<https://learn.microsoft.com/azure/dns/private-dns-privatednszone#restrictions>).
fn is_single_label(zone: &str) -> bool {
    !zone.trim_end_matches('.').contains('.')
}

/// The zone a child resource belongs to, created when the zone itself is not in the input.
fn zone_of(cx: &mut Context<'_>, zones: &mut Zones, r: &Resource) -> Option<usize> {
    let (rg, zone) = zone_in(&r.id)?;
    if let Some(z) = zones.by_id.get(&key_of(rg, &zone)) {
        return Some(*z);
    }
    if is_single_label(&zone) {
        return None;
    }
    let z = add_zone(cx, zones, rg, &zone);
    let label = label_of(cx, z);
    cx.comment(
        Section::Zone,
        &label,
        "the zone resource is not in the input; its records and links are",
    );
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
        cx.skip(r.id.clone(), "its private DNS zone is not imported");
        return Ok(());
    };
    let zone_name = label_of(cx, z);
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
        cx.skip(r.id.clone(), "its private DNS zone is not imported");
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
