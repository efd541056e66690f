//! AVNM security admin rules: priorities 1–4096 unique per direction on each VNet, addresses,
//! ports and tags parsed as for NSG rules, target VNets named.

use std::collections::BTreeMap;

use super::{find, Resolver};
use crate::model::*;
use crate::scenario::{self as doc};

impl Resolver {
    pub(super) fn security_admin_rules(&mut self, collections: &[doc::AdminRuleCollectionDoc]) {
        let mut seen = BTreeMap::new();
        // (vnet, direction, priority) → the rule holding it.
        let mut taken: BTreeMap<(VnetId, Direction, u32), String> = BTreeMap::new();
        let mut rules = Vec::new();
        for c in collections {
            if !self.unique(&mut seen, &c.name, "security admin rule collection") {
                continue;
            }
            let applies_to: Vec<VnetId> = c
                .applies_to
                .iter()
                .filter_map(|t| self.found(find(&self.vnet_ids, t, "vnet")))
                .collect();
            if c.applies_to.is_empty() {
                self.error(
                    c.name.span,
                    format!(
                        "security admin rule collection `{}` applies to no VNet",
                        c.name.value
                    ),
                    Some("list the VNets of its network groups in `applies_to`".into()),
                );
            }
            let mut names = BTreeMap::new();
            for r in &c.rules {
                if let Some(mut rule) = self.admin_rule(r, &c.name.value, &applies_to, &mut names) {
                    rule.intent_services = c.apply_on_network_intent_policy_based_services;
                    for v in &applies_to {
                        let key = (*v, r.direction, r.priority.value);
                        if let Some(other) = taken.insert(key, r.name.value.clone()) {
                            self.error(
                                r.priority.span,
                                format!(
                                    "security admin rules `{other}` and `{}` share {} priority {} on one VNet",
                                    r.name.value, r.direction, r.priority.value
                                ),
                                Some("give each admin rule of a direction its own priority".into()),
                            );
                        }
                    }
                    rules.push(rule);
                }
            }
        }
        rules.sort_by_key(|r: &AdminRule| (r.direction, r.priority));
        self.net.security_admin_rules = rules;
    }

    fn admin_rule(
        &mut self,
        r: &doc::AdminRuleDoc,
        collection: &str,
        applies_to: &[VnetId],
        names: &mut super::naming::Seen,
    ) -> Option<AdminRule> {
        let name_ok = self.unique(names, &r.name, "security admin rule");
        let priority = u16::try_from(r.priority.value)
            .ok()
            .filter(|p| ADMIN_PRIORITIES.contains(&u32::from(*p)));
        if priority.is_none() {
            self.error(
                r.priority.span,
                format!(
                    "priority `{}` of security admin rule `{}` is outside 1–4096",
                    r.priority.value, r.name.value
                ),
                Some("security admin rules take priorities 1 (first) to 4096 (last)".into()),
            );
        }
        let source = self.addresses(&r.source, ("source", &r.name));
        let destination = self.addresses(&r.destination, ("destination", &r.name));
        // "Security admin rules currently don't support the AzurePlatformDNS,
        // AzurePlatformIMDS, and AzurePlatformLKM service tags" (Learn, concept-security-admins).
        let platform_tag = source
            .iter()
            .chain(&destination)
            .flatten()
            .any(AddressMatch::is_platform_tag);
        if platform_tag {
            self.error(
                r.name.span,
                format!(
                    "security admin rule `{}` names an AzurePlatform* service tag",
                    r.name.value
                ),
                Some("security admin rules do not support AzurePlatformDNS, AzurePlatformIMDS or AzurePlatformLKM; use an NSG rule".into()),
            );
        }
        let source_ports = self.ports(&r.source_ports, ("source_ports", &r.name));
        let destination_ports = self.ports(&r.destination_ports, ("destination_ports", &r.name));
        Some(AdminRule {
            collection: collection.to_string(),
            name: r.name.value.clone(),
            priority: priority?,
            direction: r.direction,
            access: r.access,
            protocol: r.protocol,
            source: source?,
            source_ports: source_ports?,
            destination: destination?,
            destination_ports: destination_ports?,
            applies_to: applies_to.to_vec(),
            intent_services: IntentPolicyServices::None,
        })
        .filter(|_| name_ok && !platform_tag)
    }
}
