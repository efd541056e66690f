//! SNAT at the Azure Firewall that saw only half of the flow: a firewall does not SNAT network-
//! rule traffic to private destinations by default, so the reply can bypass it and it drops the
//! rest of the flow; private ranges `255.255.255.255/32` make it SNAT always ("Azure Firewall
//! SNAT private IP address ranges"; Microsoft's remedy for private endpoints behind a firewall).

use serde::Serialize;

use super::{Named, Scope};
use crate::model::FirewallId;
use crate::scenario::{Document, SnatRangesDoc};
use crate::trace::{OneWay, Verdict};

/// Make an Azure Firewall SNAT what its network rules allow (private ranges
/// `255.255.255.255/32`), so replies come back to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AlwaysSnat {
    /// The firewall.
    pub firewall: Named<FirewallId>,
}

/// The firewall that dropped the flow for seeing half of it, unless it already SNATs always.
/// A reply dropped at the firewall's private IP is not one: the firewall translated the
/// request already, and the reply needs a route to its public side
/// ([`super::host_route`]).
pub fn candidates(s: &Scope<'_>) -> Vec<AlwaysSnat> {
    let Verdict::AsymmetricReturnDropped { device, saw } = &s.diagnosis.trace.verdict else {
        return Vec::new();
    };
    if *saw == OneWay::ReplyAtPrivateIp {
        return Vec::new();
    }
    s.net
        .firewalls
        .iter_ids()
        .filter(|(_, f)| f.name == *device)
        .filter(|(_, f)| !f.snat_private_ranges.iter().any(|r| r.prefix_len() == 32))
        .map(|(i, f)| AlwaysSnat {
            firewall: Named::new(i, f.name.clone()),
        })
        .take(1)
        .collect()
}

impl AlwaysSnat {
    /// Sets the firewall's private ranges to "always SNAT".
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        doc.firewalls
            .iter_mut()
            .find(|f| f.name.value == self.firewall.name)?
            .snat_private_ranges = SnatRangesDoc::Always;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow};
    use super::super::Scope;
    use super::*;

    #[test]
    fn a_firewall_that_saw_only_the_request_is_made_to_snat_always() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/firewall/pe-network-rule-vs-application-rule.ron");
        let loaded = crate::load_file(&path).unwrap();
        let f = flow("vm-app", "10.0.2.4");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.firewall.name, "fw-hub");
        let mut doc = loaded.document.clone();
        fix.apply(&mut doc).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        assert!(candidates(&Scope::of(&fixed, &f, &diagnosis(&fixed, &f))).is_empty());
    }
}
