//! Tracer cases named after the behaviour they pin down.

use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::trace::{
    trace, trace_name, Assumption, OneWay, PeeringRefusal, Probe, ReplyFault, Symptom, TraceAnswer,
    TraceRequest, Verdict,
};
use azpath_engine::{load_str, query};

fn run(ron: &str, from: &str, to: &str, port: u16) -> TraceAnswer {
    let loaded = load_str("case.ron", ron).unwrap_or_else(|e| panic!("{e}"));
    let Some(NicRef::Workload(w)) = loaded.network.nic_by_name(from) else {
        panic!("{from}")
    };
    let request = TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: to.parse().unwrap(),
        port,
        source_port: 50000,
        host: None,
    };
    trace(&loaded.network, loaded.dataplane(), w, request).unwrap()
}

/// Spoke -> hub appliance -> private endpoint in a VNet peered with the hub only.
const VIA_HUB: &str = r#"Scenario(
    vnets: [
        (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "nva", prefix: "10.0.1.0/24")]),
        (name: "spoke", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24", route_table: "rt")]),
        (name: "data", region: "r", address_space: ["10.2.0.0/16"], subnets: [(name: "pe", prefix: "10.2.1.0/24")]),
    ],
    peerings: [(between: ("hub", "spoke"), allow_forwarded_traffic: FWD), (between: ("hub", "data"), allow_forwarded_traffic: true)],
    route_tables: [(name: "rt", routes: [(name: "data", prefix: "10.2.0.0/16", next_hop: VirtualAppliance("10.0.1.4"))])],
    private_endpoints: [(name: "pe", subnet: "data/pe", ip: "10.2.1.4")],
    workloads: [(name: "nva", kind: Nva, subnet: "hub/nva", ip: "10.0.1.4"), (name: "vm", subnet: "spoke/app", ip: "10.1.1.4")],
)"#;

#[test]
fn a_flow_symmetric_private_endpoint_reply_still_needs_forwarded_traffic_allowed() {
    let ok = run(&VIA_HUB.replace("FWD", "true"), "vm", "10.2.1.4", 443);
    assert_eq!(ok.verdict, Verdict::Delivered);
    let blocked = run(&VIA_HUB.replace("FWD", "false"), "vm", "10.2.1.4", 443);
    // Replayed from the appliance in the hub, the endpoint's address is a forwarded source on
    // the hub -> spoke peering.
    let Verdict::ReplyDropped {
        reason: ReplyFault::Ended { verdict },
    } = &blocked.verdict
    else {
        panic!("{:?}", blocked.verdict)
    };
    assert!(
        matches!(
            verdict.as_ref(),
            Verdict::PeeringBlocked {
                from,
                to,
                reason: PeeringRefusal::ForwardedTrafficNotAllowed { .. },
            } if from == "hub" && to == "spoke"
        ),
        "{verdict:?}"
    );
}

#[test]
fn a_reply_that_reaches_another_machine_with_the_source_address_is_dropped() {
    // Two spokes share 10.1.0.0/16 behind different hubs; the server's reply follows the route
    // to the other spoke.
    let ron = r#"Scenario(
        vnets: [
            (name: "srv", region: "r", address_space: ["10.9.0.0/16"], subnets: [(name: "s", prefix: "10.9.1.0/24", route_table: "rt")]),
            (name: "a", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "s", prefix: "10.1.1.0/24")]),
            (name: "hub2", region: "r", address_space: ["10.5.0.0/16"], subnets: [(name: "nva", prefix: "10.5.1.0/24")]),
            (name: "b", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "s", prefix: "10.1.1.0/24")]),
        ],
        peerings: [(between: ("srv", "a")), (between: ("srv", "hub2"), allow_forwarded_traffic: true), (between: ("hub2", "b"), allow_forwarded_traffic: true)],
        route_tables: [(name: "rt", routes: [(name: "to-b", prefix: "10.1.1.0/24", next_hop: VirtualAppliance("10.5.1.4"))])],
        workloads: [
            (name: "x", subnet: "a/s", ip: "10.1.1.4"), (name: "y", subnet: "b/s", ip: "10.1.1.4"),
            (name: "server", subnet: "srv/s", ip: "10.9.1.4"), (name: "nva", kind: Nva, subnet: "hub2/nva", ip: "10.5.1.4", stateful: false),
        ],
    )"#;
    let t = run(ron, "x", "10.9.1.4", 443);
    assert_eq!(
        t.verdict,
        Verdict::ReplyDropped {
            reason: ReplyFault::ReachedOther { nic: "y".into() }
        }
    );
}

#[test]
fn an_appliance_that_sees_only_the_reply_makes_the_connection_time_out() {
    let ron = r#"Scenario(
        vnets: [
            (name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [
                (name: "a", prefix: "10.0.1.0/24"), (name: "b", prefix: "10.0.2.0/24", route_table: "rt"), (name: "nva", prefix: "10.0.3.0/24")]),
        ],
        route_tables: [(name: "rt", routes: [(name: "a-via-nva", prefix: "10.0.1.0/24", next_hop: VirtualAppliance("10.0.3.4"))])],
        workloads: [(name: "va", subnet: "v/a", ip: "10.0.1.4"), (name: "vb", subnet: "v/b", ip: "10.0.2.4"), (name: "nva", kind: Nva, subnet: "v/nva", ip: "10.0.3.4")],
    )"#;
    let t = run(ron, "va", "10.0.2.4", 443);
    assert!(
        matches!(
            t.verdict,
            Verdict::AsymmetricReturnDropped {
                saw: OneWay::ReplyOnly,
                ..
            }
        ),
        "{:?}",
        t.verdict
    );
    assert_eq!(t.symptom, Symptom::ReplyOnlyTimeout);
    let other_way = run(ron, "vb", "10.0.1.4", 443);
    assert!(
        matches!(
            other_way.verdict,
            Verdict::AsymmetricReturnDropped {
                saw: OneWay::RequestOnly,
                ..
            }
        ),
        "{:?}",
        other_way.verdict
    );
    assert_eq!(other_way.symptom, Symptom::HandshakeStalls);
}

const FW: &str = r#"Scenario(
    vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [
        (name: "AzureFirewallSubnet", prefix: "10.0.1.0/26"), (name: "app", prefix: "10.0.2.0/24", route_table: "rt")])],
    route_tables: [(name: "rt", routes: [(name: "out", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4"))])],
    firewalls: [(name: "fw", subnet: "v/AzureFirewallSubnet", private_ip: "10.0.1.4", application_rules: [(name: "web", fqdns: [FQDNS])])],
    workloads: [(name: "vm", subnet: "v/app", ip: "10.0.2.4")],
)"#;

#[test]
fn an_any_fqdn_application_rule_allows_traffic_that_names_no_host() {
    let any = run(&FW.replace("FQDNS", r#""*""#), "vm", "93.184.216.34", 443);
    assert_eq!(any.verdict, Verdict::SentToInternet, "{:?}", any.verdict);
    let named = run(
        &FW.replace("FQDNS", r#""*.example.com""#),
        "vm",
        "93.184.216.34",
        443,
    );
    assert_eq!(named.verdict.name(), "DroppedByFirewall");
}

#[test]
fn plain_http_is_matched_on_the_host_header_which_is_the_address_when_no_name_is_given() {
    let t = run(
        &FW.replace("FQDNS", r#""93.184.216.34""#),
        "vm",
        "93.184.216.34",
        80,
    );
    assert_eq!(t.verdict, Verdict::SentToInternet, "{:?}", t.verdict);
}

#[test]
fn a_private_endpoint_subnet_nsg_ignores_source_ports_and_outbound_rules() {
    let ron = r#"Scenario(
        vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [
            (name: "pe", prefix: "10.0.1.0/24", nsg: "n", private_endpoint_network_policies: Enabled), (name: "app", prefix: "10.0.2.0/24")])],
        nsgs: [(name: "n", rules: [
            (name: "allow-from-1000", priority: 100, direction: Inbound, access: Allow, source_ports: ["1000"], destination_ports: ["443"]),
            (name: "deny-rest", priority: 200, direction: Inbound, access: Deny),
            (name: "deny-out", priority: 100, direction: Outbound, access: Deny)])],
        private_endpoints: [(name: "pe", subnet: "v/pe", ip: "10.0.1.4")],
        workloads: [(name: "vm", subnet: "v/app", ip: "10.0.2.4")],
    )"#;
    let loaded = load_str("pe.ron", ron).unwrap();
    let pe = loaded.network.nic_by_name("pe").unwrap();
    let remote = azpath_engine::model::RemoteEnd {
        protocol: FlowProtocol::Tcp,
        address: "10.0.2.4".parse().unwrap(),
        port: 443,
        source_port: 50000,
    };
    use azpath_engine::model::{Access, Direction};
    let inbound = query::flow_verify(
        &loaded.network,
        loaded.dataplane(),
        pe,
        Direction::Inbound,
        remote,
    )
    .unwrap();
    assert_eq!(
        inbound.access,
        Access::Allow,
        "source port 50000 must match a rule written for 1000"
    );
    let outbound = query::flow_verify(
        &loaded.network,
        loaded.dataplane(),
        pe,
        Direction::Outbound,
        remote,
    )
    .unwrap();
    assert_eq!(
        outbound.access,
        Access::Allow,
        "outbound rules do not apply to a private endpoint"
    );
}

#[test]
fn answers_that_rely_on_udr_widened_virtual_network_say_so() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/nsg/virtualnetwork-tag-and-udrs.ron");
    let loaded = azpath_engine::load_file(&path).unwrap();
    let nic = loaded.network.nic_by_name("vm-forced").unwrap();
    let remote = azpath_engine::model::RemoteEnd {
        protocol: FlowProtocol::Tcp,
        address: "198.51.100.20".parse().unwrap(),
        port: 22,
        source_port: 50000,
    };
    let a = query::flow_verify(
        &loaded.network,
        loaded.dataplane(),
        nic,
        azpath_engine::model::Direction::Inbound,
        remote,
    )
    .unwrap();
    assert_eq!(
        a.rule.as_ref().and_then(|r| r.note.clone()),
        Some(
            azpath_engine::filter::MatchNote::VirtualNetworkTagWidenedByUdr {
                address: "198.51.100.20".parse().unwrap()
            }
        ),
        "{a:?}"
    );
    let plain = loaded.network.nic_by_name("vm-plain").unwrap();
    let remote = azpath_engine::model::RemoteEnd {
        address: "10.30.1.4".parse().unwrap(),
        ..remote
    };
    let b = query::flow_verify(
        &loaded.network,
        loaded.dataplane(),
        plain,
        azpath_engine::model::Direction::Inbound,
        remote,
    )
    .unwrap();
    assert!(b.rule.as_ref().is_some_and(|r| r.note.is_none()), "{b:?}");
}

#[test]
fn a_name_that_does_not_resolve_is_traced_to_no_address() {
    let ron = r#"Scenario(
        vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "a", prefix: "10.0.1.0/24")])],
        workloads: [(name: "vm", subnet: "v/a", ip: "10.0.1.4")],
    )"#;
    let loaded = load_str("case.ron", ron).unwrap_or_else(|e| panic!("{e}"));
    let Some(NicRef::Workload(w)) = loaded.network.nic_by_name("vm") else {
        panic!("vm")
    };
    let probe = Probe {
        protocol: FlowProtocol::Tcp,
        port: 443,
        source_port: 50000,
        host: None,
    };
    let from = TraceSource::Workload(w);
    let t = trace_name(
        &loaded.network,
        loaded.dataplane(),
        from,
        "nowhere.internal",
        probe,
    )
    .unwrap();
    assert_eq!(t.destination, None);
    assert_eq!(t.verdict.name(), "NameNotResolved");
    assert_eq!(t.symptom, Symptom::NxDomain);
    assert!(t.forward.is_empty() && t.reply.is_empty());
    assert_eq!(t.request.host.as_deref(), Some("nowhere.internal"));
}

#[test]
fn a_trace_answer_in_json_carries_the_reasons_as_enums() {
    let t = run(&VIA_HUB.replace("FWD", "false"), "vm", "10.2.1.4", 443);
    let json = serde_json::to_value(&t).unwrap();
    let verdict = &json["verdict"];
    assert_eq!(verdict["verdict"], "ReplyDropped", "{verdict}");
    assert_eq!(verdict["reason"]["fault"], "Ended", "{verdict}");
    let peering = &verdict["reason"]["verdict"];
    assert_eq!(peering["verdict"], "PeeringBlocked", "{peering}");
    assert_eq!(peering["reason"]["refusal"], "ForwardedTrafficNotAllowed");
    assert_eq!(peering["reason"]["source"], "10.2.1.4");
    assert_eq!(json["symptom"]["symptom"], "ConnectTimeout");
    assert_eq!(json["source"]["name"], "vm");
    let assumptions = json["assumptions"].as_array().unwrap();
    assert!(
        assumptions
            .iter()
            .any(|a| a["assumption"] == "EndpointRepliesAlongRequestPath"
                && a["unconfirmed"] == true),
        "{assumptions:?}"
    );
}

/// A network built in code (not loaded, so not validated) whose service's public DNS answers
/// with a loopback address: the trace stops before the first packet, as `NoDestination`.
#[test]
fn a_name_resolving_to_an_address_no_host_holds_is_not_traced() {
    let ron = r#"Scenario(
        vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "app", prefix: "10.0.1.0/24")])],
        services: [(name: "blob", kind: StorageBlob, fqdn: "contosodata.blob.core.windows.net", public_ip: "20.60.1.10")],
        workloads: [(name: "vm", subnet: "v/app", ip: "10.0.1.4")],
    )"#;
    let loaded = load_str("case.ron", ron).unwrap_or_else(|e| panic!("{e}"));
    let Some(NicRef::Workload(w)) = loaded.network.nic_by_name("vm") else {
        panic!("vm")
    };
    for address in ["127.0.0.1", "224.0.0.9", "255.255.255.255", "0.0.0.0"] {
        let mut net = loaded.network.clone();
        for service in net.services.iter_mut() {
            service.public_ip = address.parse().unwrap();
        }
        let probe = Probe {
            protocol: FlowProtocol::Tcp,
            port: 443,
            source_port: 50000,
            host: None,
        };
        let t = trace_name(
            &net,
            loaded.dataplane(),
            TraceSource::Workload(w),
            "contosodata.blob.core.windows.net",
            probe,
        )
        .unwrap();
        assert_eq!(
            t.verdict,
            Verdict::NoDestination {
                address: address.parse().unwrap()
            },
            "{address}"
        );
        assert!(t.forward.is_empty() && t.reply.is_empty(), "{address}");
        assert!(t.resolution.is_some(), "{address}");
    }
}

// "Azure Firewall DNS settings" (https://learn.microsoft.com/azure/firewall/dns-settings): the
// firewall resolves a network rule's FQDN with its own DNS; a name it cannot resolve gives the
// rule no address to match, and the trace says why the look-up failed.
#[test]
fn a_network_rule_fqdn_the_firewall_cannot_resolve_matches_nothing_and_the_trace_says_why() {
    let ron = r#"Scenario(
    vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [
        (name: "AzureFirewallSubnet", prefix: "10.0.1.0/26"), (name: "app", prefix: "10.0.2.0/24", route_table: "rt")])],
    route_tables: [(name: "rt", routes: [(name: "out", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4"))])],
    firewalls: [(name: "fw", subnet: "v/AzureFirewallSubnet", private_ip: "10.0.1.4", dns: (proxy: true),
        network_rules: [(name: "db", destination_fqdns: ["db.nowhere.example"], ports: ["443"], protocol: Tcp)])],
    workloads: [(name: "vm", subnet: "v/app", ip: "10.0.2.4")],
)"#;
    let t = run(ron, "vm", "93.184.216.34", 443);
    assert_eq!(t.verdict.name(), "DroppedByFirewall", "{:?}", t.verdict);
    let why: Vec<_> = t
        .forward
        .iter()
        .flat_map(|h| &h.steps)
        .filter_map(|s| match s {
            azpath_engine::trace::Step::FirewallFqdnUnresolved {
                firewall,
                fqdn,
                outcome,
            } => Some((firewall.as_str(), fqdn.as_str(), outcome.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        why,
        [(
            "fw",
            "db.nowhere.example",
            azpath_engine::dns::DnsOutcome::NxDomain
        )]
    );
    let text = azpath_engine::report::narrative::trace(&t);
    assert!(
        text.contains("firewall `fw` could not resolve `db.nowhere.example` (NXDOMAIN)"),
        "{text}"
    );
    let json = serde_json::to_string(&t).unwrap_or_else(|e| panic!("{e}"));
    assert!(json.contains("FirewallFqdnUnresolved"), "{json}");
}

/// One private endpoint to an Azure SQL server and one to a Key Vault, both in the client's VNet.
const SQL_AND_VAULT: &str = r#"Scenario(
    vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "app", prefix: "10.0.1.0/24"), (name: "pe", prefix: "10.0.2.0/24")])],
    services: [
        (name: "sql", kind: Sql, fqdn: "contoso.database.windows.net", public_network_access: Disabled),
        (name: "kv", kind: KeyVault, fqdn: "contoso.vault.azure.net", public_network_access: Disabled),
    ],
    private_endpoints: [
        (name: "pe-sql", subnet: "v/pe", ip: "10.0.2.4", target: "sql"),
        (name: "pe-kv", subnet: "v/pe", ip: "10.0.2.5", target: "kv"),
    ],
    workloads: [(name: "vm", subnet: "v/app", ip: "10.0.1.4")],
)"#;

/// "Any login attempts made directly to the IP address or using the private link FQDN shall
/// fail" (Azure Private Link for Azure SQL Database): the SQL gateway behind the endpoint needs
/// the server's FQDN on the TDS connection (1433), not only on HTTPS.
#[test]
fn sql_login_by_the_endpoint_address_fails_on_1433() {
    let answer = run(SQL_AND_VAULT, "vm", "10.0.2.4", 1433);
    let Verdict::TlsNameMismatch { name, certificate } = &answer.verdict else {
        panic!("{:?}", answer.verdict)
    };
    assert_eq!(name, "10.0.2.4");
    assert_eq!(certificate, &["*.database.windows.net".to_string()]);
}

/// The name check belongs to the connections that carry a name: HTTPS for every kind, the TDS
/// login on 1433 for SQL only (Key Vault answers HTTPS only), and never UDP.
#[test]
fn only_sql_checks_the_name_on_1433() {
    use azpath_engine::model::ServiceKind;
    assert!(ServiceKind::Sql.checks_name_on(FlowProtocol::Tcp, 1433));
    assert!(ServiceKind::Sql.checks_name_on(FlowProtocol::Tcp, 443));
    assert!(!ServiceKind::KeyVault.checks_name_on(FlowProtocol::Tcp, 1433));
    assert!(ServiceKind::KeyVault.checks_name_on(FlowProtocol::Tcp, 443));
    assert!(!ServiceKind::Sql.checks_name_on(FlowProtocol::Udp, 1433));
    assert!(matches!(
        run(SQL_AND_VAULT, "vm", "10.0.2.5", 443).verdict,
        Verdict::TlsNameMismatch { .. }
    ));
}

/// Two web apps on one multitenant App Service scale unit share its inbound address (Learn,
/// "Inbound and outbound IP addresses in Azure App Service",
/// <https://learn.microsoft.com/azure/app-service/overview-inbound-outbound-ips>), and its front
/// end routes a request by the host name asked for. The public endpoint that answers is
/// the named app's, whichever app is declared first.
#[test]
fn apps_sharing_an_inbound_address_answer_by_the_host_name_asked_for() {
    for order in [["open", "closed"], ["closed", "open"]] {
        let app = |name: &str| match name {
            "open" => {
                r#"(name: "open", kind: WebApp, fqdn: "contoso-open.azurewebsites.net", public_ip: "20.40.0.9")"#
            }
            _ => {
                r#"(name: "closed", kind: WebApp, fqdn: "contoso-closed.azurewebsites.net", public_ip: "20.40.0.9", public_network_access: Disabled)"#
            }
        };
        let ron = format!(
            r#"Scenario(
    vnets: [(name: "spoke", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24", nat_gateway: "ng")])],
    nat_gateways: [(name: "ng", public_ips: ["20.60.0.10"])],
    services: [{}, {}],
    workloads: [(name: "vm", subnet: "spoke/app", ip: "10.1.1.4")],
)"#,
            app(order[0]),
            app(order[1])
        );
        let loaded = load_str("case.ron", &ron).unwrap_or_else(|e| panic!("{e}"));
        let Some(NicRef::Workload(w)) = loaded.network.nic_by_name("vm") else {
            panic!("vm")
        };
        let to = |host: &str| {
            let request = TraceRequest {
                protocol: FlowProtocol::Tcp,
                destination: "20.40.0.9".parse().unwrap(),
                port: 443,
                source_port: 50000,
                host: Some(host.into()),
            };
            trace(&loaded.network, loaded.dataplane(), w, request)
                .unwrap()
                .verdict
        };
        assert_eq!(
            to("contoso-open.azurewebsites.net"),
            Verdict::DeliveredPublicly {
                service: "open".into()
            },
            "{order:?}"
        );
        assert!(
            matches!(
                to("Contoso-Closed.azurewebsites.net."),
                Verdict::PublicAccessDisabled { ref service, .. } if service == "closed"
            ),
            "{order:?}"
        );
        // By address, no name picks one: the app taken is said to be a stand-in.
        let by_address = run(&ron, "vm", "20.40.0.9", 443);
        assert!(
            by_address.assumptions.iter().any(|a| matches!(
                &a.assumption,
                Assumption::SharedAddressFirstService { service, .. } if service == order[0]
            )),
            "{order:?}: {:?}",
            by_address.assumptions
        );
    }
}

/// One service at an address is the one that answers there: no stand-in is stated.
#[test]
fn a_service_alone_at_its_address_answers_without_a_stated_stand_in() {
    let ron = r#"Scenario(
    vnets: [(name: "spoke", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24", nat_gateway: "ng")])],
    nat_gateways: [(name: "ng", public_ips: ["20.60.0.10"])],
    services: [(name: "open", kind: WebApp, fqdn: "contoso-open.azurewebsites.net", public_ip: "20.40.0.9")],
    workloads: [(name: "vm", subnet: "spoke/app", ip: "10.1.1.4")],
)"#;
    let t = run(ron, "vm", "20.40.0.9", 443);
    assert!(
        !t.assumptions
            .iter()
            .any(|a| matches!(a.assumption, Assumption::SharedAddressFirstService { .. })),
        "{:?}",
        t.assumptions
    );
}
