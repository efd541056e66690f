//! Allow the flow in the NSG that denied it: a rule for the client's subnet prefix (every
//! instance of the client — an App Service app's instances, a scale set — sends from it, so one
//! instance's /32 would fix one instance) to the address the packet had when it was dropped, on the flow's port, at the lowest free priority (custom
//! rules take 100–4096; the lowest number is evaluated first, "Network security groups: security
//! rules").

use std::collections::BTreeSet;

use ipnet::IpNet;
use serde::Serialize;

use super::{Named, Scope};
use crate::model::NsgId;
use crate::scenario::{Access, Direction, Document, NsgRuleDoc, Protocol, Spanned};
use crate::trace::Verdict;

/// The priorities Azure accepts for custom rules.
const CUSTOM_PRIORITIES: std::ops::RangeInclusive<u32> = 100..=4096;

/// Add an NSG rule allowing the flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AllowInNsg {
    /// The NSG.
    pub nsg: Named<NsgId>,
    /// The new rule's name.
    pub rule: String,
    /// Its priority.
    pub priority: u32,
    /// Inbound or outbound.
    pub direction: Direction,
    /// The client's subnet prefix.
    #[schemars(with = "String")]
    pub source: IpNet,
    /// The destination's address.
    #[schemars(with = "String")]
    pub destination: IpNet,
    /// The TCP port.
    pub port: u16,
}

/// An allow rule in the NSG that dropped the flow: outbound when it dropped it at the client,
/// inbound anywhere else.
pub fn candidates(s: &Scope<'_>) -> Vec<AllowInNsg> {
    let d = s.diagnosis;
    let (Verdict::DroppedByNsg { nsg, nic, .. }, Some((_, c)), Some((_, subnet))) =
        (&d.trace.verdict, s.client, s.client_subnet)
    else {
        return Vec::new();
    };
    let Some(id) = s.net.nsgs.position(|n| n.name == *nsg) else {
        return Vec::new();
    };
    let direction = if *nic == c.name {
        Direction::Outbound
    } else {
        Direction::Inbound
    };
    let used: BTreeSet<u32> = s
        .doc
        .nsgs
        .iter()
        .filter(|n| n.name.value == *nsg)
        .flat_map(|n| n.rules.iter().map(|r| r.priority.value))
        .collect();
    let Some(priority) = CUSTOM_PRIORITIES.clone().find(|p| !used.contains(p)) else {
        return Vec::new();
    };
    let Some(hop) = d
        .trace
        .forward
        .last()
        .map(|h| h.packet.dst)
        .or(d.trace.destination)
    else {
        return Vec::new();
    };
    vec![AllowInNsg {
        nsg: Named::new(id, nsg.clone()),
        rule: format!("allow-{}-{}", c.name, s.flow.port),
        priority,
        direction,
        source: subnet.prefix,
        destination: IpNet::from(hop),
        port: s.flow.port,
    }]
}

impl AllowInNsg {
    /// Adds the rule.
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        let text = super::text;
        let n = doc
            .nsgs
            .iter_mut()
            .find(|n| n.name.value == self.nsg.name)?;
        n.rules.push(NsgRuleDoc {
            name: text(&self.rule),
            priority: Spanned::new(self.priority),
            direction: self.direction,
            access: Access::Allow,
            protocol: Protocol::Tcp,
            source: vec![text(&self.source.to_string())],
            source_ports: vec![text("*")],
            destination: vec![text(&self.destination.to_string())],
            destination_ports: vec![text(&self.port.to_string())],
            source_asgs: Vec::new(),
            destination_asgs: Vec::new(),
        });
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, load};
    use super::super::Scope;
    use super::*;

    fn scenario(direction: &str, taken: &str) -> String {
        format!(
            r#"Scenario(
            vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
                (name: "a", prefix: "10.0.1.0/24", nsg: "nsg"), (name: "b", prefix: "10.0.2.0/24", nsg: "nsg")])],
            nsgs: [(name: "nsg", rules: [
                (name: "deny", priority: 101, direction: {direction}, access: Deny, protocol: Any, source: ["*"], destination: ["*"], destination_ports: ["*"]),
                {taken}
            ])],
            workloads: [(name: "vm-a", subnet: "v/a", ip: "10.0.1.4"), (name: "vm-b", subnet: "v/b", ip: "10.0.2.4")],
        )"#
        )
    }

    #[test]
    fn an_inbound_deny_gets_an_inbound_allow_at_the_lowest_free_priority() {
        let taken = r#"(name: "x", priority: 100, direction: Outbound, access: Allow, protocol: Any, source: ["*"], destination: ["*"], destination_ports: ["*"])"#;
        let loaded = load(&scenario("Inbound", taken));
        let f = flow("vm-a", "10.0.2.4");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.direction, Direction::Inbound);
        assert_eq!(fix.priority, 102, "100 and 101 are taken");
        assert_eq!(fix.source.to_string(), "10.0.1.0/24", "the client's subnet");
        assert_eq!(fix.destination.to_string(), "10.0.2.4/32");
        assert_eq!(fix.nsg.name, "nsg");
    }

    #[test]
    fn an_outbound_deny_at_the_client_gets_an_outbound_allow() {
        let loaded = load(&scenario("Outbound", ""));
        let f = flow("vm-a", "10.0.2.4");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].direction, Direction::Outbound);
        assert_eq!(found[0].priority, 100);
    }
}
