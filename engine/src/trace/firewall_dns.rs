//! What an Azure Firewall resolves, with its own DNS, for the FQDNs of its network rules.

use crate::dns::{resolve_as_firewall, DnsOutcome};
use crate::filter::firewall::FqdnAnswers;
use crate::model::{FirewallId, Network};

/// Each FQDN of `f`'s network rules with the addresses the firewall resolves for it; a name
/// that does not resolve (NXDOMAIN, no server) has no address, so its rules match nothing.
pub(super) fn fqdn_answers(net: &Network, f: FirewallId) -> FqdnAnswers {
    let mut out = FqdnAnswers::new();
    let Some(fw) = net.firewalls.get(f) else {
        return out;
    };
    for name in fw.network.iter().flat_map(|r| r.destination_fqdns.iter()) {
        if out.contains_key(name) {
            continue;
        }
        let addresses = match resolve_as_firewall(net, f, name).map(|r| r.outcome) {
            Some(DnsOutcome::Resolved { addresses }) => addresses,
            Some(_) | None => Vec::new(),
        };
        out.insert(name.clone(), addresses);
    }
    out
}
