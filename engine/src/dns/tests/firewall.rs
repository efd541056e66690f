//! Azure Firewall as the VNets' DNS server: "Azure Firewall DNS settings"
//! (<https://learn.microsoft.com/azure/firewall/dns-settings>) and "Azure Firewall DNS proxy
//! details" (<https://learn.microsoft.com/azure/firewall/dns-details>).

use super::super::*;

/// A hub with Azure Firewall 10.0.1.4 (policy DNS settings `fw_dns`), a DNS server VM and an
/// OpenAI private endpoint whose zone is linked to the hub only; a spoke whose DNS server is
/// the firewall.
fn net(fw_dns: &str) -> crate::Loaded {
    let ron = format!(
        r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
                (name: "AzureFirewallSubnet", prefix: "10.0.1.0/26"), (name: "pe", prefix: "10.0.2.0/24"),
                (name: "dns", prefix: "10.0.5.0/24")]),
            (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], dns_servers: ["10.0.1.4"],
             subnets: [(name: "app", prefix: "10.1.1.0/24")]),
        ],
        peerings: [(between: ("hub", "spoke"))],
        firewalls: [(name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", public_ips: ["20.9.0.4"] {fw_dns})],
        services: [(name: "aoai", kind: OpenAI, fqdn: "aoai.openai.azure.com", public_ip: "20.1.1.1")],
        private_endpoints: [(name: "pe-aoai", subnet: "hub/pe", ip: "10.0.2.4", target: "aoai")],
        workloads: [(name: "vm", subnet: "spoke/app", ip: "10.1.1.4"), (name: "vm-dns", subnet: "hub/dns", ip: "10.0.5.4")],
        dns: (
            zones: [(name: "privatelink.openai.azure.com", links: ["hub"], records: [(name: "aoai", a: ["10.0.2.4"])])],
            forwarders: [(workload: "vm-dns")],
        ),
    )"#
    );
    crate::load_str("fwdns.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"))
}

fn spoke(l: &crate::Loaded) -> Resolver {
    let v = l.network.vnets.position(|v| v.name == "spoke");
    Resolver::Vnet(v.unwrap_or_else(|| panic!("no spoke")))
}

#[test]
fn with_dns_proxy_the_firewall_answers_as_azure_dns_in_its_own_vnet() {
    // Clients use the firewall's private IP as DNS server; the proxy forwards to Azure DNS,
    // which answers with the zones linked to the firewall's VNet (the hub), not the client's.
    let l = net(", dns: (proxy: true)");
    let r = resolve(&l.network, spoke(&l), "aoai.openai.azure.com");
    assert_eq!(r.address(), "10.0.2.4".parse().ok(), "{r:?}");
    let fw = l.network.firewalls.position(|f| f.name == "fw");
    assert!(fw.is_some_and(|f| r.passed.contains(&DnsPoint::Firewall(f))));
    assert!(r
        .steps
        .iter()
        .any(|s| matches!(s, DnsStep::PrivateZone { vnet, .. } if vnet == "hub")));
}

#[test]
fn dns_proxy_is_disabled_by_default_so_the_firewall_does_not_answer_on_port_53() {
    for settings in [
        "",
        ", dns: (proxy: false)",
        r#", dns: (servers: ["10.0.5.4"])"#,
    ] {
        let l = net(settings);
        let r = resolve(&l.network, spoke(&l), "aoai.openai.azure.com");
        assert_eq!(
            r.outcome,
            DnsOutcome::DnsProxyDisabled {
                firewall: "fw".into(),
                server: "10.0.1.4".parse().unwrap_or(AZURE_DNS),
            },
            "{settings}"
        );
    }
}

#[test]
fn the_dns_proxy_forwards_to_the_firewalls_custom_dns_servers() {
    // The firewall's own servers decide: a custom server with no forwarder for the
    // privatelink zone resolves publicly, even though the hub links the zone.
    let l = net(r#", dns: (proxy: true, servers: ["10.0.5.4"])"#);
    let r = resolve(&l.network, spoke(&l), "aoai.openai.azure.com");
    assert_eq!(r.address(), "20.1.1.1".parse().ok(), "{r:?}");
    assert!(r
        .steps
        .iter()
        .any(|s| matches!(s, DnsStep::Forward { to, .. } if to.to_string() == "10.0.5.4")));
}

#[test]
fn by_default_the_firewall_resolves_with_azure_dns_not_its_vnets_dns_servers() {
    // The firewall's own resolution (for its rules) uses its policy's servers, else Azure DNS
    // from its VNet, whatever the VNet's DNS servers setting says.
    let l = net("");
    let fw = l.network.firewalls.position(|f| f.name == "fw");
    let r = fw.and_then(|f| resolve_as_firewall(&l.network, f, "aoai.openai.azure.com"));
    assert_eq!(r.and_then(|r| r.address()), "10.0.2.4".parse().ok());
}
