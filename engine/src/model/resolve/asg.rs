//! Application security groups: names declared before the NSG rules that use them, members
//! resolved once the workloads are, and the rules Azure puts on where members may live
//! (<https://learn.microsoft.com/azure/virtual-network/application-security-groups>).

use std::collections::BTreeMap;

use super::Resolver;
use crate::diag::unknown_name_hint;
use crate::model::*;
use crate::scenario::{self as doc, Text};

impl Resolver {
    /// Registers the groups' names, so NSG rules can name them.
    pub(super) fn asg_names(&mut self, asgs: &[doc::ApplicationSecurityGroupDoc]) {
        let mut seen = BTreeMap::new();
        for a in asgs {
            if !self.unique(&mut seen, &a.name, "application security group") {
                continue;
            }
            self.asg_ids.insert(
                a.name.value.clone(),
                self.net.application_security_groups.len(),
            );
            self.net
                .application_security_groups
                .push(ApplicationSecurityGroup {
                    name: a.name.value.clone(),
                    members: Vec::new(),
                    span: a.name.span,
                });
        }
    }

    /// A rule's side naming groups: each name resolved, with did-you-mean.
    pub(super) fn asg_side(&mut self, names: &[Text]) -> Option<Vec<AddressMatch>> {
        let parsed: Vec<Option<AddressMatch>> = names
            .iter()
            .map(|n| match self.asg_ids.get(n.value.as_str()) {
                Some(i) => Some(AddressMatch::Asg(*i)),
                None => {
                    let known = self
                        .net
                        .application_security_groups
                        .iter()
                        .map(|a| a.name.as_str());
                    let hint = unknown_name_hint(&n.value, known, "application security group");
                    self.error(
                        n.span,
                        format!("unknown application security group `{}`", n.value),
                        Some(format!(
                            "{hint} Declare it in `application_security_groups`"
                        )),
                    );
                    None
                }
            })
            .collect();
        parsed.into_iter().collect()
    }

    /// Resolves each group's members. Azure requires every NIC of a group to be in the VNet of
    /// its first member, and a rule naming groups on both sides to name groups of one VNet.
    pub(super) fn asg_members(&mut self, asgs: &[doc::ApplicationSecurityGroupDoc]) {
        for a in asgs {
            let Some(&index) = self.asg_ids.get(a.name.value.as_str()) else {
                continue;
            };
            let mut vnet = None;
            let mut members = Vec::new();
            for m in &a.members {
                let Some(NicRef::Workload(w)) = self.net.nic_by_name(&m.value) else {
                    let names: Vec<&str> =
                        self.net.workloads.iter().map(|w| w.name.as_str()).collect();
                    let hint = unknown_name_hint(&m.value, names, "workload");
                    self.error(
                        m.span,
                        format!("unknown workload `{}`", m.value),
                        Some(hint),
                    );
                    continue;
                };
                let here = self.workload_vnet(w);
                if vnet.is_some() && here != vnet {
                    self.error(
                        m.span,
                        format!(
                            "member `{}` of application security group `{}` is in another vnet",
                            m.value, a.name.value
                        ),
                        Some("all NICs of an application security group must be in the vnet of its first member".into()),
                    );
                    continue;
                }
                vnet = here;
                members.push(w);
            }
            if let Some(g) = self.net.application_security_groups.get_mut(index) {
                g.members = members;
            }
        }
        self.asg_pairs_in_one_vnet();
    }

    fn workload_vnet(&self, w: WorkloadId) -> Option<VnetId> {
        self.net
            .workloads
            .get(w)
            .and_then(|w| self.net.subnet(w.subnet))
            .map(|s| s.vnet)
    }

    /// The VNet of a group: that of its members (none while it has none).
    fn asg_vnet(&self, index: usize) -> Option<VnetId> {
        self.net
            .application_security_groups
            .get(index)
            .and_then(|g| g.members.first())
            .and_then(|w| self.workload_vnet(*w))
    }

    /// A rule with groups as source and destination needs all of them in one VNet.
    fn asg_pairs_in_one_vnet(&mut self) {
        let mut problems = Vec::new();
        for nsg in self.net.nsgs.iter() {
            for r in nsg.rules.iter().filter(|r| !r.default_rule) {
                let vnets: Vec<(usize, Option<VnetId>)> = r
                    .source
                    .iter()
                    .chain(&r.destination)
                    .filter_map(|m| match m {
                        AddressMatch::Asg(i) => Some((*i, self.asg_vnet(*i))),
                        _ => None,
                    })
                    .collect();
                let both_sides = r.source.iter().any(|m| matches!(m, AddressMatch::Asg(_)))
                    && r.destination
                        .iter()
                        .any(|m| matches!(m, AddressMatch::Asg(_)));
                let mut known = vnets.iter().filter_map(|(_, v)| *v);
                let first = known.next();
                if both_sides && known.any(|v| Some(v) != first) {
                    problems.push((nsg.span, nsg.name.clone(), r.name.clone()));
                }
            }
        }
        for (span, nsg, rule) in problems {
            self.error(
                span,
                format!("rule `{rule}` of nsg `{nsg}` names application security groups of different vnets"),
                Some("a rule with application security groups as source and destination needs them in one vnet".into()),
            );
        }
    }
}
