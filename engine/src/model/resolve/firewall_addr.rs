//! Addresses in Azure Firewall rules: what NSG rules take (addresses, prefixes, `*`, declared
//! service tags), plus inclusive ranges (`10.2.0.0-10.2.0.31`) and IP groups
//! (<https://learn.microsoft.com/azure/firewall/ip-groups>); the `AzurePlatform*` tags are refused,
//! as Azure Firewall does not take them (Learn, "Virtual network service tags").

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Subnets};

use super::Resolver;
use crate::diag::unknown_name_hint;
use crate::model::*;
use crate::scenario::{self as doc, Text};

impl Resolver {
    /// The IP groups, each expanded to prefixes.
    pub(super) fn ip_groups(&mut self, groups: &[doc::IpGroupDoc]) {
        let mut seen = BTreeMap::new();
        for g in groups {
            if !self.unique(&mut seen, &g.name, "IP group") {
                continue;
            }
            let mut prefixes = Vec::new();
            for a in &g.addresses {
                match self.fw_entry(a) {
                    Some(Entry::One(AddressMatch::Prefix(p))) => prefixes.push(p),
                    Some(Entry::Range(r)) => prefixes.extend(r),
                    Some(_) => self.error(
                        a.span,
                        format!("IP group `{}` holds `{}`", g.name.value, a.value),
                        Some("an IP group holds addresses, prefixes and ranges only".into()),
                    ),
                    None => {}
                }
            }
            self.ip_group_ids.insert(g.name.value.clone(), prefixes);
        }
    }

    /// One side of a firewall rule: its addresses and its IP groups. When groups are given and
    /// the addresses are left out (`*`), the groups alone decide.
    pub(super) fn fw_side(
        &mut self,
        texts: &[Text],
        groups: &[Text],
        field: (&str, &Text),
    ) -> Option<Vec<AddressMatch>> {
        let only_any = matches!(texts, [t] if t.value.trim() == "*");
        let mut out = if groups.is_empty() || !only_any {
            self.fw_addresses(texts, field)?
        } else {
            Vec::new()
        };
        for g in groups {
            match self.ip_group_ids.get(g.value.as_str()) {
                Some(prefixes) => out.extend(prefixes.iter().copied().map(AddressMatch::Prefix)),
                None => {
                    let hint = unknown_name_hint(
                        &g.value,
                        self.ip_group_ids.keys().map(String::as_str),
                        "IP group",
                    );
                    self.error(
                        g.span,
                        format!("unknown IP group `{}`", g.value),
                        Some(format!("{hint} Declare it in `ip_groups`")),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    /// A firewall rule's address list: as for NSG rules, plus `a-b` ranges.
    pub(super) fn fw_addresses(
        &mut self,
        texts: &[Text],
        field: (&str, &Text),
    ) -> Option<Vec<AddressMatch>> {
        if texts.is_empty() {
            return self.addresses(texts, field);
        }
        let parsed: Vec<Option<Entry>> = texts.iter().map(|t| self.fw_entry(t)).collect();
        let parsed: Vec<Entry> = parsed.into_iter().collect::<Option<_>>()?;
        Some(
            parsed
                .into_iter()
                .flat_map(|m| match m {
                    Entry::Range(r) => r.into_iter().map(AddressMatch::Prefix).collect(),
                    Entry::One(one) => vec![one],
                })
                .collect(),
        )
    }

    /// One entry: a range, or what an NSG rule takes but the platform tags.
    fn fw_entry(&mut self, text: &Text) -> Option<Entry> {
        let raw = text.value.trim();
        if let Some((a, b)) = raw.split_once('-') {
            return self.ip_range(text, a.trim(), b.trim()).map(Entry::Range);
        }
        let m = self.address(text)?;
        if matches!(
            m,
            AddressMatch::Tag(
                ServiceTag::AzurePlatformDns
                    | ServiceTag::AzurePlatformImds
                    | ServiceTag::AzurePlatformLkm
            )
        ) {
            self.error(
                text.span,
                format!("Azure Firewall rules cannot use the service tag `{raw}`"),
                Some("the AzurePlatform* tags are for NSG rules only".into()),
            );
            return None;
        }
        Some(Entry::One(m))
    }

    /// An inclusive range of IPv4 addresses, as the fewest prefixes covering exactly it.
    fn ip_range(&mut self, text: &Text, a: &str, b: &str) -> Option<Vec<IpNet>> {
        let parse = |s: &str| s.parse::<IpAddr>().ok();
        match (parse(a), parse(b)) {
            (Some(IpAddr::V4(first)), Some(IpAddr::V4(last))) if first <= last => {
                Some(v4_range(first, last))
            }
            _ => {
                self.error(
                    text.span,
                    format!("address range `{}` is not valid", text.value),
                    Some(
                        "write a range as `10.2.0.0-10.2.0.31`: two IPv4 addresses, low to high"
                            .into(),
                    ),
                );
                None
            }
        }
    }
}

/// One entry of a firewall rule's address list.
enum Entry {
    /// What an NSG rule takes too.
    One(AddressMatch),
    /// An inclusive range, as prefixes.
    Range(Vec<IpNet>),
}

/// The prefixes that cover exactly `first..=last`.
fn v4_range(first: Ipv4Addr, last: Ipv4Addr) -> Vec<IpNet> {
    Ipv4Subnets::new(first, last, 0).map(IpNet::V4).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_range_is_the_fewest_prefixes_covering_exactly_it() {
        let r = v4_range("10.2.0.0".parse().unwrap(), "10.2.0.31".parse().unwrap());
        assert_eq!(r, vec!["10.2.0.0/27".parse::<IpNet>().unwrap()]);
        let r = v4_range("10.0.0.1".parse().unwrap(), "10.0.0.4".parse().unwrap());
        let want: Vec<IpNet> = ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/32"]
            .iter()
            .map(|p| p.parse().unwrap())
            .collect();
        assert_eq!(r, want);
    }
}
