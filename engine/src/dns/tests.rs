//! Resolution rules, each test naming the behaviour Microsoft documents.

use super::*;

mod firewall;

/// A hub and a spoke (peered), an OpenAI service with a private endpoint in the hub, a DNS
/// server VM in the hub; `extra` goes at the end of the scenario, `dns` inside `dns: (…)`,
/// `spoke_dns` on the spoke.
fn net(dns: &str, spoke_dns: &str, extra: &str) -> crate::Loaded {
    let ron = format!(
        r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
                (name: "pe", prefix: "10.0.2.0/24"), (name: "dns", prefix: "10.0.5.0/24"),
                (name: "inbound", prefix: "10.0.6.0/28")]),
            (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], dns_servers: [{spoke_dns}],
             subnets: [(name: "app", prefix: "10.1.1.0/24")]),
        ],
        peerings: [(between: ("hub", "spoke"))],
        services: [
            (name: "aoai", kind: OpenAI, fqdn: "aoai.openai.azure.com", public_ip: "20.1.1.1"),
            (name: "other", kind: OpenAI, fqdn: "other.openai.azure.com", public_ip: "20.1.1.2", private_endpoints_elsewhere: true),
            (name: "plain", kind: OpenAI, fqdn: "plain.openai.azure.com", public_ip: "20.1.1.3"),
        ],
        private_endpoints: [(name: "pe-aoai", subnet: "hub/pe", ip: "10.0.2.4", target: "aoai")],
        workloads: [(name: "vm", subnet: "spoke/app", ip: "10.1.1.4"), (name: "vm-dns", subnet: "hub/dns", ip: "10.0.5.4"),
                    (name: "vm-dns2", subnet: "hub/dns", ip: "10.0.5.5")],
        dns: ({dns}),
        {extra}
    )"#
    );
    crate::load_str("dns.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"))
}

const ZONE_HUB: &str = r#"zones: [(name: "privatelink.openai.azure.com", links: ["hub"], records: [(name: "aoai", a: ["10.0.2.4"])])],"#;
const ZONE_BOTH: &str = r#"zones: [(name: "privatelink.openai.azure.com", links: ["hub", "spoke"], records: [(name: "aoai", a: ["10.0.2.4"])])],"#;

fn ask(l: &crate::Loaded, vnet: &str, name: &str) -> Resolution {
    let v = l
        .network
        .vnets
        .position(|x| x.name == vnet)
        .unwrap_or_else(|| panic!("{vnet}"));
    resolve(&l.network, Resolver::Vnet(v), name)
}

fn addresses(r: &Resolution) -> Vec<String> {
    match &r.outcome {
        DnsOutcome::Resolved { addresses } => addresses.iter().map(ToString::to_string).collect(),
        other => vec![format!("{other:?}")],
    }
}

#[test]
fn a_linked_privatelink_zone_answers_the_cname_chain_privately() {
    let l = net(ZONE_BOTH, "", "");
    let r = ask(&l, "spoke", "aoai.openai.azure.com");
    assert_eq!(addresses(&r), ["10.0.2.4"]);
    assert!(r.steps.iter().any(
        |s| matches!(s, DnsStep::Alias { to, .. } if to == "aoai.privatelink.openai.azure.com")
    ));
}

#[test]
fn zone_links_do_not_follow_peering() {
    let l = net(ZONE_HUB, "", "");
    assert_eq!(
        addresses(&ask(&l, "hub", "aoai.openai.azure.com")),
        ["10.0.2.4"]
    );
    assert_eq!(
        addresses(&ask(&l, "spoke", "aoai.openai.azure.com")),
        ["20.1.1.1"]
    );
}

#[test]
fn a_service_without_private_endpoints_is_not_a_privatelink_cname() {
    let l = net(ZONE_BOTH, "", "");
    let r = ask(&l, "spoke", "plain.openai.azure.com");
    assert_eq!(addresses(&r), ["20.1.1.3"]);
    assert!(!r.steps.iter().any(|s| matches!(s, DnsStep::Alias { .. })));
}

#[test]
fn a_linked_zone_without_the_record_is_nxdomain_unless_the_link_falls_back() {
    let l = net(ZONE_BOTH, "", "");
    assert_eq!(
        ask(&l, "spoke", "other.openai.azure.com").outcome,
        DnsOutcome::NxDomain
    );
    let fallback = r#"zones: [(name: "privatelink.openai.azure.com", links: ["hub", "spoke"], nx_domain_redirect: ["spoke"],
        records: [(name: "aoai", a: ["10.0.2.4"])])],"#;
    let l = net(fallback, "", "");
    let r = ask(&l, "spoke", "other.openai.azure.com");
    assert_eq!(addresses(&r), ["20.1.1.2"]);
    assert!(r
        .steps
        .iter()
        .any(|s| matches!(s, DnsStep::FallbackToInternet { .. })));
    assert_eq!(
        ask(&l, "hub", "other.openai.azure.com").outcome,
        DnsOutcome::NxDomain
    );
}

#[test]
fn a_custom_dns_server_without_a_forwarder_resolves_publicly() {
    let dns = format!(r#"{ZONE_HUB} forwarders: [(workload: "vm-dns")],"#);
    let l = net(&dns, r#""10.0.5.4""#, "");
    assert_eq!(
        addresses(&ask(&l, "spoke", "aoai.openai.azure.com")),
        ["20.1.1.1"]
    );
}

#[test]
fn a_conditional_forwarder_to_azure_dns_answers_from_the_servers_vnet() {
    let dns = format!(
        r#"{ZONE_HUB} forwarders: [(workload: "vm-dns", rules: [(domain: "openai.azure.com", forward_to: ["168.63.129.16"])])],"#
    );
    let l = net(&dns, r#""10.0.5.4""#, "");
    let r = ask(&l, "spoke", "aoai.openai.azure.com");
    assert_eq!(addresses(&r), ["10.0.2.4"]);
    assert!(r
        .steps
        .iter()
        .any(|s| matches!(s, DnsStep::PrivateZone { vnet, .. } if vnet == "hub")));
}

#[test]
fn the_longest_forwarding_rule_wins() {
    let dns = format!(
        r#"{ZONE_HUB} forwarders: [(workload: "vm-dns", rules: [
            (domain: ".", forward_to: ["10.9.9.9"]),
            (domain: "azure.com", forward_to: ["10.9.9.8"]),
            (domain: "openai.azure.com.", forward_to: ["168.63.129.16"])])],"#
    );
    let l = net(&dns, r#""10.0.5.4""#, "");
    assert_eq!(
        addresses(&ask(&l, "spoke", "aoai.openai.azure.com")),
        ["10.0.2.4"]
    );
    // A rule to a server nobody runs: the lookup has nowhere to go.
    assert_eq!(
        ask(&l, "spoke", "x.azure.com").outcome,
        DnsOutcome::NoServer {
            server: "10.9.9.8".parse().unwrap_or(AZURE_DNS)
        }
    );
}

#[test]
fn a_ruleset_linked_to_the_vnet_forwards_to_an_inbound_endpoint_in_the_hub() {
    let dns = format!(
        r#"{ZONE_HUB}
        inbound_endpoints: [(name: "in", subnet: "hub/inbound", ip: "10.0.6.4")],
        rulesets: [(name: "rs", links: ["spoke"], rules: [(domain: "privatelink.openai.azure.com", forward_to: ["10.0.6.4"])])],"#
    );
    let l = net(&dns, "", "");
    let r = ask(&l, "spoke", "aoai.openai.azure.com");
    assert_eq!(addresses(&r), ["10.0.2.4"]);
    assert!(r
        .steps
        .iter()
        .any(|s| matches!(s, DnsStep::Forward { by, .. } if by == "ruleset `rs`")));
}

#[test]
fn forwarders_that_point_at_each_other_are_a_loop() {
    let dns = r#"forwarders: [
        (workload: "vm-dns", otherwise: Forward(["10.0.5.5"])),
        (workload: "vm-dns2", otherwise: Forward(["10.0.5.4"]))],"#;
    let l = net(dns, r#""10.0.5.4""#, "");
    assert_eq!(
        ask(&l, "spoke", "aoai.openai.azure.com").outcome,
        DnsOutcome::Loop
    );
}

#[test]
fn a_cname_loop_in_a_private_zone_is_a_loop() {
    let dns = r#"zones: [(name: "corp.internal", links: ["spoke"], records: [
        (name: "a", cname: "b.corp.internal"), (name: "b", cname: "a.corp.internal")])],"#;
    let l = net(dns, "", "");
    assert_eq!(
        ask(&l, "spoke", "a.corp.internal").outcome,
        DnsOutcome::Loop
    );
}

#[test]
fn an_app_service_uses_its_own_dns_servers_before_the_vnets() {
    let dns = format!(r#"{ZONE_BOTH} forwarders: [(workload: "vm-dns")],"#);
    let extra = r#"app_services: [(name: "app", integration_subnet: "spoke/app", instance_ip: "10.1.1.9", dns_servers: ["10.0.5.4"])],"#;
    let l = net(&dns, "", extra);
    let Some(crate::model::NicRef::Workload(w)) = l.network.nic_by_name("app") else {
        panic!("no app")
    };
    let r = resolve(&l.network, Resolver::Workload(w), "aoai.openai.azure.com");
    assert_eq!(addresses(&r), ["20.1.1.1"], "{r:#?}");
    assert_eq!(
        addresses(&ask(&l, "spoke", "aoai.openai.azure.com")),
        ["10.0.2.4"]
    );
}

mod service_names;
