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

/// The FQDNs of `f`'s network rules the firewall could not resolve, each with how its
/// look-up ended (NXDOMAIN, a loop, no server, a DNS proxy that is off), for the trace's
/// evidence: Azure Firewall matches such a rule against no address ("Azure Firewall DNS
/// settings", <https://learn.microsoft.com/azure/firewall/dns-settings>).
pub(super) fn fqdn_failures(net: &Network, f: FirewallId) -> Vec<(String, DnsOutcome)> {
    let mut out: Vec<(String, DnsOutcome)> = Vec::new();
    let Some(fw) = net.firewalls.get(f) else {
        return out;
    };
    for name in fw.network.iter().flat_map(|r| r.destination_fqdns.iter()) {
        if out.iter().any(|(n, _)| n == name) {
            continue;
        }
        match resolve_as_firewall(net, f, name).map(|r| r.outcome) {
            Some(DnsOutcome::Resolved { .. }) | None => {}
            Some(failed) => out.push((name.clone(), failed)),
        }
    }
    out
}
