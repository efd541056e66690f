//! Private DNS zones are Azure resources identified by resource group and name, so one zone
//! name may exist in several resource groups: the multi-region ("split-brain") design keeps a
//! copy of a privatelink zone per region, each linked to its own region's VNets and holding
//! its own region's endpoint records ("Azure Private Endpoint DNS integration": several zones
//! of one name for different VNets need their records kept by hand,
//! <https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration>). A VNet
//! links at most one zone of a name: Azure refuses a second link with "A virtual network
//! cannot be linked to multiple zones with overlapping namespaces" ("Private Link FAQ",
//! <https://learn.microsoft.com/azure/private-link/private-link-faq>).
//!
//! A zone without a resource group is identified by its name alone, so two zones of one name
//! need a resource group each; two with the same resource group and name are one zone given
//! twice.

use std::collections::{BTreeMap, BTreeSet};

use super::naming::Seen;
use super::Resolver;
use crate::model::{zone_label, VnetId};
use crate::scenario::{self as doc, Text};

/// A zone name as the model keys it: trimmed, no trailing dot, lower case.
pub(super) fn canonical(name: &str) -> String {
    name.trim().trim_end_matches('.').to_lowercase()
}

/// Whether `name` is a resource group name Azure accepts: 1 to 90 characters, letters, digits,
/// `_`, `-`, `.`, `(` and `)`, not ending in `.` ("Naming rules and restrictions for Azure
/// resources", Microsoft.Resources/resourcegroups,
/// <https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftresources>).
pub(super) fn resource_group_name_is_valid(name: &str) -> bool {
    let n = name.chars().count();
    (1..=90).contains(&n)
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '(' | ')'))
}

/// The zone names declared by more than one zone.
pub(super) fn shared_names(zones: &[doc::ZoneDoc]) -> BTreeSet<String> {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for z in zones {
        *count.entry(canonical(&z.name.value)).or_default() += 1;
    }
    count
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(name, _)| name)
        .collect()
}

impl Resolver {
    /// Declares zone `z`: its resource group (if any) well formed, and its (resource group,
    /// name) new. A name several zones share needs each zone's resource group. `Some(rg)` when
    /// the zone is new, `None` (with an error) when it is refused.
    pub(super) fn zone_identity(
        &mut self,
        seen: &mut Seen,
        z: &doc::ZoneDoc,
        shared: &BTreeSet<String>,
    ) -> Option<Option<String>> {
        if !self.well_formed_name(&z.name, "private DNS zone") {
            return None;
        }
        let name = canonical(&z.name.value);
        let rg = match &z.resource_group {
            Some(t) if !resource_group_name_is_valid(&t.value) => {
                self.error(
                    t.span,
                    format!("resource group name `{}` is not one Azure accepts", t.value),
                    Some(
                        "1 to 90 letters, digits, `_`, `-`, `.`, `(` or `)`, not ending in `.`"
                            .into(),
                    ),
                );
                return None;
            }
            Some(t) => Some(t.value.clone()),
            None => None,
        };
        if rg.is_none() && shared.contains(&name) {
            self.error(
                z.name.span,
                format!("private DNS zone `{name}` is declared more than once without a resource group"),
                Some("a zone is identified by its resource group and name: give each zone of this name its `resource_group` (one copy per region, each linked to its own VNets), or merge them into one zone".into()),
            );
            return None;
        }
        let mut key = Text::new(zone_label(rg.as_deref(), &name));
        key.span = z.name.span;
        if !self.unique_label(seen, &key) {
            return None;
        }
        Some(rg)
    }

    /// Declares a zone's label in `seen` (the label may hold the `/` between resource group
    /// and name, which [`Resolver::unique`] refuses in a plain name).
    fn unique_label(&mut self, seen: &mut Seen, key: &Text) -> bool {
        let (rg, name) = crate::model::split_zone_label(&key.value);
        let folded = zone_label(rg.map(str::to_lowercase).as_deref(), name);
        if seen.contains_key(&folded) {
            self.error(
                key.span,
                format!("private DNS zone `{}` is declared twice", key.value),
                Some("a zone is identified by its resource group and name; merge the two into one zone".into()),
            );
            return false;
        }
        Self::reserve(seen, &folded, "private DNS zone");
        true
    }

    /// Whether `vnet` (written `t`) may link zone `label` of `name`: a VNet links at most one
    /// zone of a name. `linked` holds, per VNet and zone name, the label of the zone linked
    /// first.
    pub(super) fn one_zone_of_a_name_per_vnet(
        &mut self,
        linked: &mut BTreeMap<(VnetId, String), String>,
        t: &Text,
        vnet: VnetId,
        name: &str,
        label: &str,
    ) -> bool {
        match linked.get(&(vnet, name.to_string())) {
            Some(first) if first != label => {
                self.error(
                    t.span,
                    format!(
                        "vnet `{}` is linked to zone `{first}` already, so it cannot link `{label}` of the same name",
                        t.value
                    ),
                    Some("Azure refuses it (\"A virtual network cannot be linked to multiple zones with overlapping namespaces\"): link each VNet to one copy of the zone, and put the records its clients need in that copy".into()),
                );
                false
            }
            Some(_) => true,
            None => {
                linked.insert((vnet, name.to_string()), label.to_string());
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_group_names_follow_azure_naming_rules() {
        assert!(resource_group_name_is_valid("rg-net_(west).1"));
        assert!(!resource_group_name_is_valid(""));
        assert!(!resource_group_name_is_valid("rg."));
        assert!(!resource_group_name_is_valid("rg/west"));
        assert!(!resource_group_name_is_valid(&"r".repeat(91)));
        assert!(resource_group_name_is_valid(&"r".repeat(90)));
    }
}
