//! API Management's required inbound rules: in VNet mode its subnet's NSG must allow the
//! `ApiManagement` service tag to TCP 3443 (the management endpoint) and `AzureLoadBalancer` to
//! TCP 6390 (the infrastructure load balancer); allowing VirtualNetwork to VirtualNetwork is not
//! enough ("Virtual network configuration reference: API Management",
//! <https://learn.microsoft.com/azure/api-management/virtual-network-reference>).
//!
//! The fix adds both rules to the NSG that cut the instance off, at the lowest free priorities, so
//! they are evaluated before the rule that denies; it keeps every other rule of the NSG (nothing
//! the security team wrote is weakened).

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Named, Scope};
use crate::model::NsgId;
use crate::scenario::{Access, Direction, Document, NsgRuleDoc, Protocol, Spanned};
use crate::trace::{ApimRequirement, Verdict};

/// One required rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RequiredRule {
    /// The rule's name.
    pub rule: String,
    /// Its priority.
    pub priority: u32,
    /// The traffic it allows.
    pub requirement: ApimRequirement,
}

/// Add API Management's required inbound rules to its subnet's NSG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ApimRules {
    /// The API Management instance.
    pub service: String,
    /// The NSG.
    pub nsg: Named<NsgId>,
    /// The rules added.
    pub rules: Vec<RequiredRule>,
}

/// The rules for an instance cut off by its NSG (verdict `ServiceUnhealthy`): the NSG that
/// denied, or its subnet's NSG when the deny was a default rule.
pub fn candidates(s: &Scope<'_>) -> Vec<ApimRules> {
    let Verdict::ServiceUnhealthy { service, reason } = &s.diagnosis.trace.verdict else {
        return Vec::new();
    };
    let net = s.net;
    let by_rule = reason
        .rule
        .as_ref()
        .and_then(|r| net.nsgs.position(|n| n.name == r.nsg));
    let by_subnet = || {
        let apim = net.api_managements.iter().find(|a| a.name == *service)?;
        let w = net.workloads.get(apim.workload)?;
        net.subnet(w.subnet)?.nsg
    };
    let Some(id) = by_rule.or_else(by_subnet) else {
        return Vec::new();
    };
    let Some(nsg) = net.nsgs.get(id) else {
        return Vec::new();
    };
    let used: BTreeSet<u32> = s
        .doc
        .nsgs
        .iter()
        .filter(|n| n.name.value == nsg.name)
        .flat_map(|n| n.rules.iter().map(|r| r.priority.value))
        .collect();
    let mut free = (100..=4096u32).filter(|p| !used.contains(p));
    let mut rules = Vec::new();
    for requirement in ApimRequirement::ALL {
        let Some(priority) = free.next() else {
            return Vec::new();
        };
        rules.push(RequiredRule {
            rule: rule_name(requirement).to_string(),
            priority,
            requirement,
        });
    }
    vec![ApimRules {
        service: service.clone(),
        nsg: Named::new(id, nsg.name.clone()),
        rules,
    }]
}

/// The rule's name, as Microsoft's reference names the requirement.
pub fn rule_name(r: ApimRequirement) -> &'static str {
    match r {
        ApimRequirement::Management => "allow-apim-management-3443",
        ApimRequirement::LoadBalancer => "allow-azure-load-balancer-6390",
    }
}

impl ApimRules {
    /// Adds the rules (source the service tag, destination `VirtualNetwork`, TCP).
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        let text = super::text;
        let n = doc
            .nsgs
            .iter_mut()
            .find(|n| n.name.value == self.nsg.name)?;
        for r in &self.rules {
            n.rules.push(NsgRuleDoc {
                name: text(&r.rule),
                priority: Spanned::new(r.priority),
                direction: Direction::Inbound,
                access: Access::Allow,
                protocol: Protocol::Tcp,
                source: vec![text(r.requirement.tag())],
                source_ports: vec![text("*")],
                destination: vec![text("VirtualNetwork")],
                destination_ports: vec![text(&r.requirement.port().to_string())],
                source_asgs: Vec::new(),
                destination_asgs: Vec::new(),
            });
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{flow, lesson};
    use super::super::{suggest, Fix};
    use super::*;
    use crate::trace::Verdict;

    #[test]
    fn an_apim_cut_off_by_its_nsg_gets_apimanagement_3443_and_azureloadbalancer_6390() {
        let loaded = lesson("apim/internal-mode-nsg-rules.ron");
        let s = suggest(&loaded, &flow("vm-app", "contoso-apim-old.azure-api.net")).unwrap();
        let first = s.kept.first().expect("a verified fix");
        let Fix::ApimRules(f) = &first.fix else {
            panic!("{:?}", first.fix)
        };
        assert_eq!(f.nsg.name, "nsg-locked");
        let got: Vec<(ApimRequirement, u32)> = f
            .rules
            .iter()
            .map(|r| (r.requirement, r.priority))
            .collect();
        assert_eq!(
            got,
            [
                (ApimRequirement::Management, 101),
                (ApimRequirement::LoadBalancer, 102)
            ],
            "100 is taken by https-from-vnet"
        );
        assert_eq!(first.verdict, Verdict::Delivered);
    }
}
