//! Platform traffic under NSGs, and application security groups: each test named after the
//! documented behaviour (Learn, "Network security groups", Azure platform considerations;
//! "What is IP address 168.63.129.16?"; "Application security groups").

use azpath_engine::filter::platform::PlatformService;
use azpath_engine::model::{Direction, FlowProtocol, NicRef, RemoteEnd};
use azpath_engine::query::{flow_verify, StageDecision};
use azpath_engine::trace::{trace, TraceAnswer, TraceRequest, Verdict};
use azpath_engine::Loaded;

use super::support::{errors, has, load};

const DENY_ALL_OUT: &str = r#"Scenario(
    vnets: [(name: "core", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
        (name: "app", prefix: "10.0.1.0/24", nsg: "locked"),
    ])],
    nsgs: [(name: "locked", rules: [
        (name: "deny-all-out", priority: 100, direction: Outbound, access: Deny),
        EXTRA
    ])],
    workloads: [(name: "vm", subnet: "core/app", ip: "10.0.1.4")],
)"#;

fn run(loaded: &Loaded, from: &str, to: &str, protocol: FlowProtocol, port: u16) -> TraceAnswer {
    let Some(NicRef::Workload(w)) = loaded.network.nic_by_name(from) else {
        panic!("{from}")
    };
    let request = TraceRequest {
        protocol,
        destination: to.parse().unwrap(),
        port,
        source_port: 50000,
        host: None,
    };
    trace(&loaded.network, loaded.dataplane(), w, request).unwrap()
}

#[test]
fn a_deny_all_outbound_nsg_does_not_block_azure_dns_or_imds() {
    let loaded = load(&DENY_ALL_OUT.replace("EXTRA", ""));
    let dns = run(&loaded, "vm", "168.63.129.16", FlowProtocol::Udp, 53);
    assert_eq!(
        dns.verdict,
        Verdict::AnsweredByPlatform {
            service: PlatformService::AzureDns
        }
    );
    let imds = run(&loaded, "vm", "169.254.169.254", FlowProtocol::Tcp, 80);
    assert_eq!(
        imds.verdict,
        Verdict::AnsweredByPlatform {
            service: PlatformService::Imds
        }
    );
    // Everything else stays denied.
    let web = run(&loaded, "vm", "203.0.113.7", FlowProtocol::Tcp, 443);
    assert!(
        matches!(web.verdict, Verdict::DroppedByNsg { .. }),
        "{:?}",
        web.verdict
    );
}

#[test]
fn flow_verify_shows_the_nsg_as_exempt_for_platform_dns() {
    let loaded = load(&DENY_ALL_OUT.replace("EXTRA", ""));
    let Some(nic) = loaded.network.nic_by_name("vm") else {
        panic!()
    };
    let remote = RemoteEnd {
        address: "168.63.129.16".parse().unwrap(),
        port: 53,
        source_port: 50000,
        protocol: FlowProtocol::Udp,
    };
    let a = flow_verify(
        &loaded.network,
        loaded.dataplane(),
        nic,
        Direction::Outbound,
        remote,
    )
    .unwrap();
    assert_eq!(a.access, azpath_engine::model::Access::Allow);
    assert!(a.stages.iter().any(|s| matches!(
        &s.decision,
        StageDecision::PlatformExempt { nsg, service: PlatformService::AzureDns } if nsg == "locked"
    )));
}

#[test]
fn an_outbound_rule_denying_the_azure_platform_dns_tag_blocks_azure_dns() {
    let rule = r#"(name: "no-dns", priority: 200, direction: Outbound, access: Deny, destination: ["AzurePlatformDNS"]),"#;
    let loaded = load(&DENY_ALL_OUT.replace("EXTRA", rule));
    let dns = run(&loaded, "vm", "168.63.129.16", FlowProtocol::Udp, 53);
    assert_eq!(
        dns.verdict,
        Verdict::DroppedByNsg {
            nsg: "locked".into(),
            rule: "no-dns".into(),
            nic: "vm".into()
        }
    );
    // The DNS tag says nothing about IMDS.
    let imds = run(&loaded, "vm", "169.254.169.254", FlowProtocol::Tcp, 80);
    assert!(matches!(imds.verdict, Verdict::AnsweredByPlatform { .. }));
}

#[test]
fn an_outbound_rule_denying_the_azure_platform_imds_tag_blocks_the_metadata_service() {
    let rule = r#"(name: "no-imds", priority: 200, direction: Outbound, access: Deny, destination: ["AzurePlatformIMDS"]),"#;
    let loaded = load(&DENY_ALL_OUT.replace("EXTRA", rule));
    let imds = run(&loaded, "vm", "169.254.169.254", FlowProtocol::Tcp, 80);
    assert!(matches!(imds.verdict, Verdict::DroppedByNsg { ref rule, .. } if rule == "no-imds"));
}

#[test]
fn platform_traffic_to_168_63_129_16_is_not_subject_to_udrs() {
    let text = r#"Scenario(
    vnets: [(name: "core", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
        (name: "app", prefix: "10.0.1.0/24", route_table: "rt"),
    ])],
    route_tables: [(name: "rt", routes: [(name: "all", prefix: "0.0.0.0/0", next_hop: None)])],
    workloads: [(name: "vm", subnet: "core/app", ip: "10.0.1.4")],
)"#;
    let loaded = load(text);
    let dns = run(&loaded, "vm", "168.63.129.16", FlowProtocol::Udp, 53);
    assert!(
        matches!(dns.verdict, Verdict::AnsweredByPlatform { .. }),
        "{:?}",
        dns.verdict
    );
}

#[test]
fn the_platform_tags_are_outbound_only() {
    let rule = r#"(name: "in-dns", priority: 200, direction: Inbound, access: Deny, source: ["AzurePlatformDNS"]),"#;
    let e = errors(&DENY_ALL_OUT.replace("EXTRA", rule));
    has(
        &e,
        "inbound rule `in-dns` names an outbound-only platform tag",
    );
}

const ASG: &str = r#"Scenario(
    vnets: [
        (name: "core", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
            (name: "app", prefix: "10.0.1.0/24", nsg: "nsg-app"),
            (name: "clients", prefix: "10.0.2.0/24"),
        ]),
        (name: "other", region: "eastus", address_space: ["10.9.0.0/16"], subnets: [(name: "x", prefix: "10.9.1.0/24")]),
    ],
    application_security_groups: [
        (name: "asg-web", members: [WEB]),
        (name: "asg-clients", members: ["client"]),
    ],
    nsgs: [(name: "nsg-app", rules: [
        (name: "web-from-clients", priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
         source_asgs: ["asg-clients"], destination_asgs: [DST], destination_ports: ["443"]),
        (name: "deny-rest", priority: 200, direction: Inbound, access: Deny),
    ])],
    workloads: [
        (name: "web", subnet: "core/app", ip: "10.0.1.4"),
        (name: "db", subnet: "core/app", ip: "10.0.1.5"),
        (name: "client", subnet: "core/clients", ip: "10.0.2.4"),
        (name: "stranger", subnet: "core/clients", ip: "10.0.2.5"),
        (name: "far", subnet: "other/x", ip: "10.9.1.4"),
    ],
)"#;

fn asg(web: &str, dst: &str) -> String {
    ASG.replace("WEB", web).replace("DST", dst)
}

#[test]
fn a_rule_naming_an_asg_applies_only_to_member_nics_even_in_a_subnet_nsg() {
    let loaded = load(&asg(r#""web""#, r#""asg-web""#));
    let to_web = run(&loaded, "client", "10.0.1.4", FlowProtocol::Tcp, 443);
    assert_eq!(to_web.verdict, Verdict::Delivered);
    // `db` shares the subnet and its NSG but is not a member: the rule skips it.
    let to_db = run(&loaded, "client", "10.0.1.5", FlowProtocol::Tcp, 443);
    assert!(
        matches!(to_db.verdict, Verdict::DroppedByNsg { ref rule, .. } if rule == "deny-rest"),
        "{:?}",
        to_db.verdict
    );
    // A non-member source in the same subnet as a member does not match either.
    let stranger = run(&loaded, "stranger", "10.0.1.4", FlowProtocol::Tcp, 443);
    assert!(matches!(stranger.verdict, Verdict::DroppedByNsg { .. }));
}

#[test]
fn all_nics_of_an_asg_must_be_in_the_vnet_of_its_first_member() {
    let e = errors(&asg(r#""web", "far""#, r#""asg-web""#));
    has(
        &e,
        "member `far` of application security group `asg-web` is in another vnet",
    );
}

#[test]
fn a_rule_side_takes_addresses_or_asgs_not_both() {
    let text = asg(r#""web""#, r#""asg-web""#).replace(
        r#"destination_asgs: ["asg-web"]"#,
        r#"destination: ["10.0.1.0/24"], destination_asgs: ["asg-web"]"#,
    );
    let e = errors(&text);
    has(
        &e,
        "names both `destination` addresses and `destination_asgs`",
    );
}

#[test]
fn an_unknown_asg_is_refused_with_did_you_mean() {
    let e = errors(&asg(r#""web""#, r#""asg-wbe""#));
    has(&e, "unknown application security group `asg-wbe`");
    has(&e, "asg-web");
}

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network";

/// A VNet, two NICs (one in `asg-web`), an NSG whose rule names the group, as `az` prints them.
fn asg_estate() -> String {
    r#"[
  {"id": "SUB/virtualNetworks/vnet", "name": "vnet", "type": "Microsoft.Network/virtualNetworks", "location": "eastus",
   "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
     {"id": "SUB/virtualNetworks/vnet/subnets/app", "name": "app", "properties": {"addressPrefix": "10.0.1.0/24",
      "networkSecurityGroup": {"id": "SUB/networkSecurityGroups/nsg-app"}}}]}},
  {"id": "SUB/applicationSecurityGroups/asg-web", "name": "asg-web", "type": "Microsoft.Network/applicationSecurityGroups", "location": "eastus", "properties": {}},
  {"id": "SUB/networkInterfaces/web-nic", "name": "web-nic", "type": "Microsoft.Network/networkInterfaces", "location": "eastus",
   "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.1.4", "primary": true,
     "subnet": {"id": "SUB/virtualNetworks/vnet/subnets/app"},
     "applicationSecurityGroups": [{"id": "SUB/applicationSecurityGroups/asg-web"}]}}]}},
  {"id": "SUB/networkInterfaces/db-nic", "name": "db-nic", "type": "Microsoft.Network/networkInterfaces", "location": "eastus",
   "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.1.5", "primary": true,
     "subnet": {"id": "SUB/virtualNetworks/vnet/subnets/app"}}}]}},
  {"id": "SUB/networkSecurityGroups/nsg-app", "name": "nsg-app", "type": "Microsoft.Network/networkSecurityGroups", "location": "eastus",
   "properties": {"securityRules": [
     {"name": "web-only", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
       "sourcePortRange": "*", "destinationPortRange": "443", "sourceAddressPrefix": "VirtualNetwork",
       "destinationApplicationSecurityGroups": [{"id": "SUB/applicationSecurityGroups/asg-web"}]}},
     {"name": "deny-rest", "properties": {"priority": 200, "direction": "Inbound", "access": "Deny", "protocol": "*",
       "sourcePortRange": "*", "destinationPortRange": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*"}}
   ], "defaultSecurityRules": []}}
]"#
    .replace("SUB", SUB)
}

#[test]
fn import_keeps_application_security_groups_their_members_and_the_rules_naming_them() {
    use azpath_engine::import::{import_files, to_ron};
    let imported = import_files(&[("asg.json".into(), asg_estate())]).unwrap();
    let doc = &imported.document;
    assert_eq!(doc.application_security_groups.len(), 1);
    let g = &doc.application_security_groups[0];
    assert_eq!(g.name.value, "asg-web");
    let members: Vec<&str> = g.members.iter().map(|m| m.value.as_str()).collect();
    assert_eq!(members, ["web-nic"]);
    let rule = &doc.nsgs[0].rules[0];
    assert_eq!(rule.destination_asgs[0].value, "asg-web");
    let ron = to_ron(&imported).unwrap();
    let loaded = load(&ron);
    let web = run(&loaded, "db-nic", "10.0.1.4", FlowProtocol::Tcp, 443);
    assert_eq!(web.verdict, Verdict::Delivered);
    let db = run(&loaded, "web-nic", "10.0.1.5", FlowProtocol::Tcp, 443);
    assert!(matches!(db.verdict, Verdict::DroppedByNsg { ref rule, .. } if rule == "deny-rest"));
}

#[test]
fn a_private_dns_zone_cannot_be_linked_to_a_virtual_wan_hub() {
    let text = r#"Scenario(
    vnets: [(name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")])],
    virtual_hubs: [(name: "vhub", region: "eastus", address_prefix: "10.100.0.0/23", connections: [(vnet: "spoke")])],
    dns: (zones: [(name: "privatelink.openai.azure.com", links: ["vhub"], records: [(name: "aoai", a: ["10.1.1.9"])])]),
)"#;
    let e = errors(text);
    has(
        &e,
        "private DNS zone `privatelink.openai.azure.com` cannot be linked to virtual hub `vhub`",
    );
    // Linked to the spoke instead, it loads.
    load(&text.replace(r#"links: ["vhub"]"#, r#"links: ["spoke"]"#));
}

#[test]
fn an_internet_client_calling_a_service_with_public_access_disabled_gets_403_from_the_service() {
    use azpath_engine::model::TraceSource;
    use azpath_engine::trace::{trace_name, Probe, Symptom};
    let text = r#"Scenario(
    vnets: [(name: "core", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24")])],
    services: [
        (name: "aoai", kind: OpenAI, fqdn: "contoso-aoai.openai.azure.com", public_ip: "20.42.0.10", public_network_access: Disabled),
        (name: "kv", kind: KeyVault, fqdn: "contoso-kv.vault.azure.net", public_ip: "20.42.0.11"),
    ],
    private_endpoints: [(name: "pe-aoai", subnet: "core/pe", ip: "10.0.2.4", target: "aoai")],
    dns: (zones: [(name: "privatelink.openai.azure.com", links: ["core"], records: [(name: "contoso-aoai", a: ["10.0.2.4"])])]),
)"#;
    let loaded = load(text);
    let client = TraceSource::Internet("198.51.100.77".parse().unwrap());
    let probe = || Probe {
        protocol: FlowProtocol::Tcp,
        port: 443,
        source_port: 50000,
        host: None,
    };
    let t = trace_name(
        &loaded.network,
        loaded.dataplane(),
        client,
        "contoso-aoai.openai.azure.com",
        probe(),
    )
    .unwrap();
    assert!(
        matches!(t.verdict, Verdict::PublicAccessDisabled { ref service, .. } if service == "aoai"),
        "{:?}",
        t.verdict
    );
    assert!(matches!(t.symptom, Symptom::PublicAccessDisabled { .. }));
    // With public access on, the Internet client is served publicly.
    let kv = trace_name(
        &loaded.network,
        loaded.dataplane(),
        client,
        "contoso-kv.vault.azure.net",
        probe(),
    )
    .unwrap();
    assert!(
        matches!(kv.verdict, Verdict::DeliveredPublicly { .. }),
        "{:?}",
        kv.verdict
    );
}
