//! NSGs and service tags: priorities in range and unique per direction, addresses, ports and
//! tags parsed, unknown tags named with a did-you-mean.

use std::collections::BTreeMap;

use super::Resolver;
use crate::diag::unknown_name_hint;
use crate::model::*;
use crate::scenario::{self as doc, Text, BUILT_IN_TAGS};

impl Resolver {
    pub(super) fn service_tags(&mut self, tags: &[doc::ServiceTagDoc]) {
        let mut seen = BTreeMap::new();
        for t in tags {
            if !self.unique(&mut seen, &t.name, "service tag") {
                continue;
            }
            if BUILT_IN_TAGS.contains(&t.name.value.as_str()) {
                self.error(
                    t.name.span,
                    format!(
                        "service tag `{}` is built in and cannot be redeclared",
                        t.name.value
                    ),
                    Some("azpath derives it from the network; remove this entry".into()),
                );
                continue;
            }
            let prefixes = t
                .prefixes
                .iter()
                .filter_map(|p| self.prefix(p, "service tag prefix"))
                .collect();
            self.tag_ids
                .insert(t.name.value.clone(), self.net.service_tags.len());
            self.net.service_tags.push((t.name.value.clone(), prefixes));
        }
    }

    pub(super) fn nsgs(&mut self, nsgs: &[doc::NsgDoc]) {
        let mut seen = BTreeMap::new();
        for n in nsgs {
            if !self.unique(&mut seen, &n.name, "nsg") {
                continue;
            }
            let mut names = BTreeMap::new();
            let mut priorities: BTreeMap<(Direction, u32), String> = BTreeMap::new();
            let mut rules = Vec::new();
            for r in &n.rules {
                let name_ok = self.unique(&mut names, &r.name, "security rule");
                let priority = NsgPriority::custom(r.priority.value);
                if priority.is_none() {
                    self.error(
                        r.priority.span,
                        format!(
                            "priority `{}` of rule `{}` is outside 100–4096",
                            r.priority.value, r.name.value
                        ),
                        Some("custom rules take priorities 100 (first) to 4096 (last)".into()),
                    );
                }
                if let Some(other) =
                    priorities.insert((r.direction, r.priority.value), r.name.value.clone())
                {
                    self.error(
                        r.priority.span,
                        format!(
                            "rules `{other}` and `{}` in nsg `{}` share {} priority {}",
                            r.name.value, n.name.value, r.direction, r.priority.value
                        ),
                        Some("two rules of one direction cannot share a priority".into()),
                    );
                }
                let at = |field: &'static str| (field, &r.name);
                let source = self.side(&r.source, &r.source_asgs, at("source"));
                let destination = self.side(&r.destination, &r.destination_asgs, at("destination"));
                self.platform_tags_outbound_only(r, [&source, &destination]);
                let source_ports = self.ports(&r.source_ports, at("source_ports"));
                let destination_ports = self.ports(&r.destination_ports, at("destination_ports"));
                if let (
                    true,
                    Some(priority),
                    Some(source),
                    Some(destination),
                    Some(source_ports),
                    Some(destination_ports),
                ) = (
                    name_ok,
                    priority,
                    source,
                    destination,
                    source_ports,
                    destination_ports,
                ) {
                    rules.push(NsgRule {
                        name: r.name.value.as_str().into(),
                        priority,
                        direction: r.direction,
                        access: r.access,
                        protocol: r.protocol,
                        source,
                        source_ports,
                        destination,
                        destination_ports,
                        default_rule: false,
                    });
                }
            }
            self.nsg_ids
                .insert(n.name.value.clone(), NsgId(self.net.nsgs.len()));
            self.net
                .nsgs
                .push(Nsg::new(n.name.value.clone(), rules, n.name.span));
        }
    }

    /// Sources or destinations: `*`/`Any`, an address, a prefix or a service tag. An empty list
    /// is refused: Azure requires a value (`*` for any); `field` names the list and its rule.
    pub(super) fn addresses(
        &mut self,
        texts: &[Text],
        field: (&str, &Text),
    ) -> Option<Vec<AddressMatch>> {
        if !self.listed(texts, field) {
            return None;
        }
        let parsed: Vec<Option<AddressMatch>> = texts.iter().map(|t| self.address(t)).collect();
        parsed.into_iter().collect()
    }

    /// One side of a rule: addresses and tags, or application security groups. Azure takes one
    /// or the other on a side; with groups, the address list is left out (`*`).
    fn side(
        &mut self,
        texts: &[Text],
        asgs: &[Text],
        field: (&str, &Text),
    ) -> Option<Vec<AddressMatch>> {
        if asgs.is_empty() {
            return self.addresses(texts, field);
        }
        let (name, rule) = field;
        let only_any = matches!(texts, [t] if t.value.trim() == "*");
        if !only_any {
            self.error(
                rule.span,
                format!("rule `{}` names both `{name}` addresses and `{name}_asgs`", rule.value),
                Some(format!(
                    "a rule side takes addresses or application security groups, not both; leave `{name}` out"
                )),
            );
            return None;
        }
        self.asg_side(asgs)
    }

    /// `AzurePlatformDNS` and `AzurePlatformIMDS` are outbound-only tags (Learn, "Virtual
    /// network service tags", available service tags table): an inbound rule naming one is
    /// refused.
    fn platform_tags_outbound_only(
        &mut self,
        rule: &doc::NsgRuleDoc,
        sides: [&Option<Vec<AddressMatch>>; 2],
    ) {
        if rule.direction != Direction::Inbound {
            return;
        }
        let platform = sides
            .iter()
            .filter_map(|s| s.as_ref())
            .flatten()
            .find(|m| m.is_platform_tag());
        if platform.is_some() {
            self.error(
                rule.name.span,
                format!(
                    "inbound rule `{}` names an outbound-only platform tag",
                    rule.name.value
                ),
                Some(
                    "`AzurePlatformDNS`, `AzurePlatformIMDS` and `AzurePlatformLKM` can be used in outbound rules only"
                        .into(),
                ),
            );
        }
    }

    /// Whether a rule's list has a value; an empty one is an error at the rule's name.
    fn listed(&mut self, texts: &[Text], (field, rule): (&str, &Text)) -> bool {
        if !texts.is_empty() {
            return true;
        }
        self.error(
            rule.span,
            format!("rule `{}` has an empty `{field}`", rule.value),
            Some(format!(
                "Azure requires a value; write `{field}: [\"*\"]` for any, or leave the field out"
            )),
        );
        false
    }

    pub(super) fn address(&mut self, text: &Text) -> Option<AddressMatch> {
        let raw = text.value.trim();
        if raw == "*" || raw.eq_ignore_ascii_case("any") {
            return Some(AddressMatch::Any);
        }
        if raw.starts_with(|c: char| c.is_ascii_digit()) || raw.contains(':') {
            if raw.parse::<std::net::IpAddr>().is_ok() {
                return self
                    .ip(text, "address")
                    .map(|ip| AddressMatch::Prefix(ip.into()));
            }
            return self
                .prefix(text, "address prefix")
                .map(AddressMatch::Prefix);
        }
        let tag = match raw {
            "VirtualNetwork" => Some(ServiceTag::VirtualNetwork),
            "Internet" => Some(ServiceTag::Internet),
            "AzureLoadBalancer" => Some(ServiceTag::AzureLoadBalancer),
            "AzurePlatformDNS" => Some(ServiceTag::AzurePlatformDns),
            "AzurePlatformIMDS" => Some(ServiceTag::AzurePlatformImds),
            "AzurePlatformLKM" => Some(ServiceTag::AzurePlatformLkm),
            _ => self.tag_ids.get(raw).copied().map(ServiceTag::Declared),
        };
        if tag.is_none() {
            let known: Vec<&str> = BUILT_IN_TAGS
                .iter()
                .copied()
                .chain(self.net.service_tags.iter().map(|(n, _)| n.as_str()))
                .collect();
            let hint = unknown_name_hint(raw, known.iter().copied(), "service tag");
            let hint = format!("{hint} Other tags need their prefixes declared in `service_tags`");
            self.error(
                text.span,
                format!("unknown service tag `{raw}`"),
                Some(hint),
            );
        }
        tag.map(AddressMatch::Tag)
    }

    /// Port lists: `*`, `443` or `1000-2000`. An empty list is refused, as for addresses.
    pub(super) fn ports(&mut self, texts: &[Text], field: (&str, &Text)) -> Option<Vec<PortRange>> {
        if !self.listed(texts, field) {
            return None;
        }
        let parsed: Vec<Option<PortRange>> = texts.iter().map(|t| self.port_range(t)).collect();
        parsed.into_iter().collect()
    }

    fn port_range(&mut self, text: &Text) -> Option<PortRange> {
        let range = port_range(&text.value);
        if range.is_none() {
            self.error(
                text.span,
                format!("port range `{}` is not valid", text.value.escape_default()),
                Some("write `*`, a port such as `443`, or a range such as `1000-2000` (0–65535, low to high, no signs, spaces or leading zeros)".into()),
            );
        }
        range
    }
}

/// A port or port range as Azure's security rules take it: `*`, `443` or `1000-2000`, each port
/// 0–65535 in plain decimal, the first not above the last. Anything else (`+443`, `0443`,
/// ` 443`, `2000-1000`, `70000`) is refused rather than read leniently.
pub(super) fn port_range(raw: &str) -> Option<PortRange> {
    if raw == "*" {
        return Some(PortRange::ANY);
    }
    let (first, last) = raw.split_once('-').unwrap_or((raw, raw));
    let (first, last) = (canonical_port(first)?, canonical_port(last)?);
    (first <= last).then_some(PortRange { first, last })
}

/// A port in plain decimal: digits only, no leading zero (but `0` itself), at most 65535.
fn canonical_port(text: &str) -> Option<u16> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = text.len() > 1 && text.starts_with('0');
    if !digits || leading_zero {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nsg_ports_are_plain_decimal_ranges_low_to_high() {
        assert_eq!(port_range("*"), Some(PortRange::ANY));
        assert_eq!(
            port_range("443"),
            Some(PortRange {
                first: 443,
                last: 443
            })
        );
        assert_eq!(port_range("0"), Some(PortRange { first: 0, last: 0 }));
        assert_eq!(
            port_range("1000-2000"),
            Some(PortRange {
                first: 1000,
                last: 2000
            })
        );
        assert_eq!(
            port_range("65535"),
            Some(PortRange {
                first: 65535,
                last: 65535
            })
        );
        for bad in [
            "+443",
            "0443",
            " 443",
            "443 ",
            "2000-1000",
            "65536",
            "1000 - 2000",
            "-443",
            "",
            "1-2-3",
            "44 3",
            "٤٤٣",
        ] {
            assert_eq!(port_range(bad), None, "{bad:?}");
        }
    }
}
