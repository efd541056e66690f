//! Private DNS record sets as fixes name them: the zone's id and the record's name relative to
//! it (`@` for the apex), so a record name with dots (`a.b` in `privatelink.x.net`) stays one
//! name, never split at its first dot.

use std::net::IpAddr;

use serde::Serialize;

use super::Named;
use crate::model::{Network, RecordData, ZoneId};
use crate::scenario::{Document, ZoneDoc};

/// A record set of a private DNS zone.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct RecordRef {
    /// The zone.
    pub zone: Named<ZoneId>,
    /// The record set's name relative to the zone (`@` for the apex), lower case.
    pub name: String,
}

/// A DNS name as the model keys it: lower case, no trailing dot.
fn canonical(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// `full`'s name relative to `zone` (`@` for the apex); `None` when it is not in the zone.
fn relative(full: &str, zone: &str) -> Option<String> {
    if full == zone {
        return Some("@".into());
    }
    let head = full.strip_suffix(zone)?.strip_suffix('.')?;
    (!head.is_empty()).then(|| head.to_string())
}

/// Every A record set of every private zone that holds `ip`.
pub fn holding(net: &Network, ip: IpAddr) -> Vec<RecordRef> {
    net.dns
        .zones
        .iter_ids()
        .flat_map(|(i, z)| {
            z.records
                .iter()
                .filter(move |r| matches!(&r.data, RecordData::A(a) if a.contains(&ip)))
                .filter_map(move |r| {
                    Some(RecordRef {
                        zone: Named::new(i, z.label()),
                        name: relative(&r.name, &z.name)?,
                    })
                })
        })
        .collect()
}

/// The zone labelled `label` (`resource-group/name`, or the name of a zone without a resource
/// group) as the scenario writes it (any case, with or without the final dot).
pub(super) fn doc_zone<'d>(doc: &'d mut Document, label: &str) -> Option<&'d mut ZoneDoc> {
    let label = canonical(label);
    doc.dns
        .zones
        .iter_mut()
        .find(|z| canonical(&doc_label(z)) == label)
}

/// The label of a zone as the scenario writes it.
pub(super) fn doc_label(z: &ZoneDoc) -> String {
    crate::model::zone_label(
        z.resource_group.as_ref().map(|t| t.value.as_str()),
        &canonical(&z.name.value),
    )
}

/// Replaces `old` by `new` among the addresses of each of `records`; `None` when one of them is
/// not in the scenario.
pub(super) fn repoint(
    doc: &mut Document,
    records: &[RecordRef],
    old: IpAddr,
    new: IpAddr,
) -> Option<()> {
    for r in records {
        let zone = doc_zone(doc, &r.zone.name)?;
        let record = zone
            .records
            .iter_mut()
            .find(|x| canonical(&x.name.value) == r.name)?;
        for a in &mut record.a {
            if a.value.parse::<IpAddr>().ok() == Some(old) {
                a.value = new.to_string();
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::load;
    use super::*;

    const DOTTED: &str = r#"Scenario(
        vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24")])],
        dns: (zones: [
            (name: "privatelink.blob.core.windows.net", links: ["v"], records: [(name: "acct.dev", a: ["10.0.2.4"]), (name: "@", a: ["10.0.2.4"]), (name: "other", a: ["10.0.2.5"])]),
        ]),
    )"#;

    #[test]
    fn a_record_name_with_dots_stays_one_name_relative_to_its_zone() {
        let loaded = load(DOTTED);
        let ip: IpAddr = "10.0.2.4".parse().unwrap();
        let found = holding(&loaded.network, ip);
        let names: Vec<&str> = found.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["acct.dev", "@"]);
        assert!(found
            .iter()
            .all(|r| r.zone.name == "privatelink.blob.core.windows.net"));
        let mut doc = loaded.document.clone();
        let new: IpAddr = "10.0.2.9".parse().unwrap();
        repoint(&mut doc, &found, ip, new).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        assert_eq!(holding(&fixed.network, new).len(), 2);
        assert!(holding(&fixed.network, ip).is_empty());
    }

    #[test]
    fn relative_names_need_a_label_boundary() {
        assert_eq!(relative("a.b.zone.net", "zone.net").as_deref(), Some("a.b"));
        assert_eq!(relative("zone.net", "zone.net").as_deref(), Some("@"));
        assert_eq!(relative("xzone.net", "zone.net"), None);
    }
}
