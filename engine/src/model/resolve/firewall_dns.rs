//! An Azure Firewall policy's DNS settings and the FQDNs of its network rules
//! (<https://learn.microsoft.com/azure/firewall/dns-settings>,
//! <https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules>).

use super::Resolver;
use crate::model::flow_addr::host_name_problem;
use crate::model::FirewallDns;
use crate::scenario::{self as doc, Text};

impl Resolver {
    /// The firewall's DNS settings: the proxy switch and its own servers (empty: Azure DNS).
    pub(super) fn firewall_dns(&mut self, f: &doc::FirewallDoc) -> FirewallDns {
        let Some(dns) = &f.dns else {
            return FirewallDns::default();
        };
        let servers = dns
            .servers
            .iter()
            .filter_map(|t| self.host_ip(t, "firewall DNS server"))
            .collect();
        FirewallDns {
            proxy: dns.proxy,
            servers,
        }
    }

    /// A network rule's destination FQDNs, lower case without a trailing dot. Azure requires
    /// the firewall's DNS proxy for them ([`fqdns_need_dns_proxy`]), allows no wildcard, and
    /// takes them instead of destination addresses or IP groups. `None` when refused.
    pub(super) fn network_rule_fqdns(
        &mut self,
        f: &doc::FirewallDoc,
        r: &doc::NetworkRuleDoc,
    ) -> Option<Vec<String>> {
        let Some(first) = r.destination_fqdns.first() else {
            return Some(Vec::new());
        };
        let mut ok = true;
        let addresses_too = !matches!(r.destination.as_slice(), [t] if t.value.trim() == "*");
        if addresses_too || !r.destination_ip_groups.is_empty() {
            self.error(
                first.span,
                format!(
                    "network rule `{}` has destination FQDNs and destination addresses or IP groups",
                    r.name.value
                ),
                Some("an Azure Firewall network rule has one destination type: addresses, IP groups or FQDNs; split it in two".into()),
            );
            ok = false;
        }
        if fqdns_need_dns_proxy(f.dns.as_ref().is_some_and(|d| d.proxy)) {
            self.error(
                first.span,
                format!(
                    "network rule `{}` of firewall `{}` uses FQDNs, but the firewall's DNS proxy is off",
                    r.name.value, f.name.value
                ),
                Some("Azure requires the DNS proxy for FQDNs in network rules: add `dns: (proxy: true)` to the firewall (and make it the VNets' DNS server), or use an application rule".into()),
            );
            ok = false;
        }
        let mut out = Vec::new();
        for t in &r.destination_fqdns {
            match self.network_rule_fqdn(t, &r.name) {
                Some(name) => out.push(name),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn network_rule_fqdn(&mut self, t: &Text, rule: &Text) -> Option<String> {
        let name = t.value.trim().trim_end_matches('.').to_lowercase();
        if name.contains('*') {
            self.error(
                t.span,
                format!(
                    "network rule `{}` has the wildcard FQDN `{}`",
                    rule.value, t.value
                ),
                Some("FQDN filtering in network rules does not support wildcards; name each host, or use an application rule (`*.example.com`)".into()),
            );
            return None;
        }
        if let Some(problem) = host_name_problem(&name) {
            self.error(
                t.span,
                format!(
                    "`{}` in network rule `{}` is not a host name ({problem:?})",
                    t.value, rule.value
                ),
                Some("write a fully qualified domain name such as `db.contoso.com`".into()),
            );
            return None;
        }
        Some(name)
    }
}

/// Whether a network rule's FQDNs are refused: Azure Firewall resolves them only with its DNS
/// proxy enabled ("You must enable DNS Proxy to use FQDNs in your network rules",
/// <https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules>).
pub(super) fn fqdns_need_dns_proxy(proxy: bool) -> bool {
    !proxy
}

#[cfg(test)]
mod tests {
    /// A firewall with DNS settings `dns` and one network rule with destination FQDNs `fqdns`.
    fn load(dns: &str, fqdns: &str) -> Result<crate::Loaded, String> {
        let ron = format!(
            r#"Scenario(
            vnets: [(name: "hub", region: "eastus", address_space: ["10.0.0.0/16"],
                     subnets: [(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26")])],
            firewalls: [(name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4" {dns},
                network_rules: [(name: "ntp", destination_fqdns: [{fqdns}], ports: ["123"], protocol: Udp)])],
        )"#
        );
        crate::load_str("fw.ron", &ron).map_err(|e| e.to_string())
    }

    #[test]
    fn fqdns_in_network_rules_require_the_dns_proxy() {
        let err = load("", r#""time.contoso.com""#).err().unwrap_or_default();
        assert!(err.contains("DNS proxy is off"), "{err}");
        assert!(err.contains("dns: (proxy: true)"), "{err}");
        let err = load(", dns: (proxy: false)", r#""time.contoso.com""#);
        assert!(err.is_err());
        let ok = load(", dns: (proxy: true)", r#""time.contoso.com""#);
        let rule = ok
            .as_ref()
            .ok()
            .and_then(|l| l.network.firewalls.iter().next());
        assert_eq!(
            rule.and_then(|f| f.network.first())
                .map(|r| (r.destination.len(), r.destination_fqdns.clone())),
            Some((0, vec!["time.contoso.com".to_string()])),
            "{ok:?}"
        );
    }

    #[test]
    fn fqdn_filtering_in_network_rules_does_not_support_wildcards() {
        let err = load(", dns: (proxy: true)", r#""*.contoso.com""#).err();
        let err = err.unwrap_or_default();
        assert!(err.contains("wildcard FQDN `*.contoso.com`"), "{err}");
    }
}
