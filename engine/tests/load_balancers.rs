//! Load balancers, public IPs and the way out of Azure, named after the documented behaviour
//! (Learn: "Azure Load Balancer concepts", "High availability ports", "Health probes", "Deploy
//! highly available NVAs", "What is Azure NAT Gateway?", "Default outbound access").

use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::trace::egress::{EgressMethod, Translation};
use azpath_engine::trace::{trace_from, Step, TraceAnswer, TraceRequest, Verdict};
use azpath_engine::{load_str, Loaded};

fn load(ron: &str) -> Loaded {
    load_str("case.ron", ron).unwrap_or_else(|e| panic!("{e}"))
}

fn go(
    loaded: &Loaded,
    from: &str,
    to: &str,
    port: u16,
    sport: u16,
    p: FlowProtocol,
) -> TraceAnswer {
    let source = match from.parse() {
        Ok(ip) => TraceSource::Internet(ip),
        Err(_) => match loaded.network.nic_by_name(from) {
            Some(NicRef::Workload(w)) => TraceSource::Workload(w),
            _ => panic!("{from}"),
        },
    };
    let request = TraceRequest {
        protocol: p,
        destination: to.parse().unwrap(),
        port,
        source_port: sport,
        host: None,
    };
    trace_from(&loaded.network, loaded.dataplane(), source, request).unwrap()
}

fn tcp(loaded: &Loaded, from: &str, to: &str, port: u16) -> TraceAnswer {
    go(loaded, from, to, port, 50000, FlowProtocol::Tcp)
}

fn nics(hops: &[azpath_engine::trace::Hop]) -> Vec<String> {
    hops.iter().map(|h| h.nic.to_string()).collect()
}

/// Two spokes whose traffic to each other goes through an NVA pair behind one internal load
/// balancer with an HA-ports rule (the NVA HA guide's design).
const NVA_PAIR: &str = r#"Scenario(
    vnets: [
        (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "nva", prefix: "10.0.1.0/24", nsg: "nsg-nva")]),
        (name: "spoke1", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24", route_table: "rt1")]),
        (name: "spoke2", region: "r", address_space: ["10.2.0.0/16"], subnets: [(name: "app", prefix: "10.2.1.0/24", route_table: "rt2")]),
    ],
    peerings: [(between: ("hub", "spoke1"), allow_forwarded_traffic: true), (between: ("hub", "spoke2"), allow_forwarded_traffic: true)],
    route_tables: [
        (name: "rt1", routes: [(name: "to-2", prefix: "10.2.0.0/16", next_hop: VirtualAppliance("10.0.1.100"))]),
        (name: "rt2", routes: [(name: "to-1", prefix: "10.1.0.0/16", next_hop: VirtualAppliance(RETURN))]),
    ],
    nsgs: [(name: "nsg-nva", rules: [PROBE_RULE])],
    load_balancers: [
        (name: "ilb-nva", frontend_ip: "10.0.1.100", subnet: "hub/nva", rules: [(name: "ha", ha_ports: true, probe: "ssh")],
         probes: [(name: "ssh", protocol: Tcp, port: 22)], backends: ["nva1", "nva2"], unhealthy: [DOWN]),
        (name: "ilb-nva-b", frontend_ip: "10.0.1.101", subnet: "hub/nva", rules: [(name: "ha", ha_ports: true)], backends: ["nva1", "nva2"]),
    ],
    workloads: [
        (name: "nva1", kind: Nva, subnet: "hub/nva", ip: "10.0.1.4", SNAT),
        (name: "nva2", kind: Nva, subnet: "hub/nva", ip: "10.0.1.5", SNAT),
        (name: "vm1", subnet: "spoke1/app", ip: "10.1.1.4"),
        (name: "vm2", subnet: "spoke2/app", ip: "10.2.1.4"),
    ],
)"#;

fn nva_pair(ret: &str, probe_rule: &str, down: &str, snat: bool) -> Loaded {
    load(
        &NVA_PAIR
            .replace("RETURN", &format!("\"{ret}\""))
            .replace("PROBE_RULE", probe_rule)
            .replace("DOWN", down)
            .replace("SNAT", if snat { "snat: true" } else { "snat: false" }),
    )
}

const NO_RULE: &str = "";
const DENY_PROBE_TO_NVA2: &str = r#"(name: "deny-probe", priority: 100, direction: Inbound, access: Deny, protocol: Tcp, source: ["AzureLoadBalancer"], destination: ["10.0.1.5"], destination_ports: ["22"])"#;

#[test]
fn both_directions_through_one_internal_load_balancer_reach_the_same_nva() {
    let l = nva_pair("10.0.1.100", NO_RULE, "", false);
    for sport in 50000..50016 {
        let a = go(&l, "vm1", "10.2.1.4", 443, sport, FlowProtocol::Tcp);
        assert_eq!(a.verdict, Verdict::Delivered, "{sport}: {:?}", a.verdict);
        let there = nics(&a.forward);
        let back = nics(&a.reply);
        assert!(there.contains(&"ilb-nva".to_string()) && back.contains(&"ilb-nva".to_string()));
        let nva = |hops: &[String]| hops.iter().find(|n| n.starts_with("nva")).cloned();
        assert_eq!(nva(&there), nva(&back), "{sport}");
    }
}

#[test]
fn the_backend_choice_spreads_flows_over_the_pool() {
    let l = nva_pair("10.0.1.100", NO_RULE, "", false);
    let chosen: std::collections::BTreeSet<String> = (50000..50032)
        .map(|sport| go(&l, "vm1", "10.2.1.4", 443, sport, FlowProtocol::Tcp))
        .filter_map(|a| nics(&a.forward).into_iter().find(|n| n.starts_with("nva")))
        .collect();
    assert_eq!(chosen.len(), 2, "{chosen:?}");
}

#[test]
fn two_load_balancers_decide_independently_so_a_stateful_nva_pair_without_snat_splits_flows() {
    let l = nva_pair("10.0.1.101", NO_RULE, "", false);
    let verdicts: Vec<Verdict> = (50000..50032)
        .map(|sport| go(&l, "vm1", "10.2.1.4", 443, sport, FlowProtocol::Tcp).verdict)
        .collect();
    assert!(verdicts.contains(&Verdict::Delivered));
    assert!(verdicts
        .iter()
        .any(|v| matches!(v, Verdict::AsymmetricReturnDropped { .. })));
}

#[test]
fn nvas_that_snat_keep_flows_symmetric_across_two_load_balancers() {
    let l = nva_pair("10.0.1.101", NO_RULE, "", true);
    for sport in 50000..50016 {
        let a = go(&l, "vm1", "10.2.1.4", 443, sport, FlowProtocol::Tcp);
        assert_eq!(a.verdict, Verdict::Delivered, "{sport}");
    }
}

#[test]
fn a_backend_whose_nsg_denies_the_health_probe_takes_no_new_flows() {
    let l = nva_pair("10.0.1.100", DENY_PROBE_TO_NVA2, "", false);
    for sport in 50000..50016 {
        let a = go(&l, "vm1", "10.2.1.4", 443, sport, FlowProtocol::Tcp);
        assert_eq!(a.verdict, Verdict::Delivered);
        assert!(!a.passes("nva2"), "{sport}");
        assert!(a
            .forward
            .iter()
            .flat_map(|h| &h.steps)
            .any(|s| matches!(s, Step::BackendsDown { .. })));
    }
}

#[test]
fn with_every_backend_down_an_internal_load_balancer_next_hop_drops_new_flows() {
    let l = nva_pair("10.0.1.100", NO_RULE, r#""nva1", "nva2""#, false);
    let a = tcp(&l, "vm1", "10.2.1.4", 443);
    assert_eq!(
        a.verdict,
        Verdict::NoHealthyBackend {
            load_balancer: "ilb-nva".into()
        }
    );
}

#[test]
fn a_load_balancer_carries_no_icmp() {
    let l = nva_pair("10.0.1.100", NO_RULE, "", false);
    let a = go(&l, "vm1", "10.2.1.4", 0, 0, FlowProtocol::Icmp);
    assert!(
        matches!(a.verdict, Verdict::NoLoadBalancingRule { .. }),
        "{:?}",
        a.verdict
    );
}

/// A web tier behind an internal load balancer on 443, a client in the same VNet.
const WEB: &str = r#"Scenario(
    vnets: [(name: "app", region: "r", address_space: ["10.5.0.0/16"], subnets: [
        (name: "web", prefix: "10.5.1.0/24"), (name: "client", prefix: "10.5.2.0/24"),
    ])],
    load_balancers: [(name: "ilb-web", frontend_ip: "10.5.1.100", subnet: "app/web",
        rules: [(name: "https", frontend_port: 443, backend_port: 8443 FLOAT)], backends: ["web1", "web2"])],
    workloads: [
        (name: "web1", subnet: "app/web", ip: "10.5.1.4"),
        (name: "web2", subnet: "app/web", ip: "10.5.1.5"),
        (name: "client", subnet: "app/client", ip: "10.5.2.4"),
    ],
)"#;

#[test]
fn an_internal_frontend_rewrites_the_destination_and_the_reply_comes_from_the_frontend() {
    let l = load(&WEB.replace("FLOAT", ""));
    let a = tcp(&l, "client", "10.5.1.100", 443);
    assert_eq!(a.verdict, Verdict::Delivered);
    let last = a.forward.last().unwrap();
    assert!(last.nic.starts_with("web"));
    assert_eq!(last.packet.dst_port, 8443);
    let home = a.reply.last().unwrap();
    assert_eq!(
        home.packet.src,
        "10.5.1.100".parse::<std::net::IpAddr>().unwrap()
    );
    assert_eq!(home.packet.src_port, 443);
}

#[test]
fn with_floating_ip_the_backend_receives_the_frontend_address() {
    let l = load(&WEB.replace("FLOAT", ", floating_ip: true"));
    let a = tcp(&l, "client", "10.5.1.100", 443);
    assert_eq!(a.verdict, Verdict::Delivered);
    let last = a.forward.last().unwrap();
    assert_eq!(
        last.packet.dst,
        "10.5.1.100".parse::<std::net::IpAddr>().unwrap()
    );
}

#[test]
fn a_backend_calling_its_own_frontend_fails_when_the_hash_maps_it_back_to_itself() {
    let l = load(&WEB.replace("FLOAT", ""));
    let mut hairpin = false;
    let mut other = false;
    for sport in 50000..50032 {
        let a = go(&l, "web1", "10.5.1.100", 443, sport, FlowProtocol::Tcp);
        match a.verdict {
            Verdict::LoadBalancerHairpin { backend, .. } => {
                assert_eq!(backend, "web1");
                hairpin = true;
            }
            Verdict::Delivered => {
                assert!(a.passes("web2"));
                other = true;
            }
            v => panic!("{v:?}"),
        }
    }
    assert!(hairpin && other);
}

/// Egress: one subnet per case.
const EGRESS: &str = r#"Scenario(
    vnets: [(name: "v", region: "r", address_space: ["10.7.0.0/16"], subnets: [
        (name: "nat", prefix: "10.7.1.0/24", nat_gateway: "ng", nsg: "nsg-in"),
        (name: "plain", prefix: "10.7.2.0/24", nsg: "nsg-in"),
        (name: "private", prefix: "10.7.3.0/24", default_outbound_access: false),
        (name: "forced", prefix: "10.7.4.0/24", nat_gateway: "ng", route_table: "rt"),
        (name: "nva", prefix: "10.7.5.0/24"),
        (name: "open", prefix: "10.7.6.0/24"),
    ])],
    route_tables: [(name: "rt", routes: [(name: "all", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.7.5.4"))])],
    nat_gateways: [(name: "ng", public_ips: ["20.1.1.1"])],
    nsgs: [(name: "nsg-in", rules: [(name: "ssh", priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: ["Internet"], destination: ["*"], destination_ports: ["22"])])],
    load_balancers: [(name: "lb-pub", frontend_ip: "20.3.3.3", rules: [(name: "web", frontend_port: 443, backend_port: 443)],
        backends: ["lbvm", "pipvm"], outbound_rules: [(name: "out", frontend_ips: ["20.3.3.4"])],
        inbound_nat_rules: [(name: "ssh-lbvm", frontend_port: 2201, backend: "lbvm", backend_port: 22)])],
    workloads: [
        (name: "natvm", subnet: "v/nat", ip: "10.7.1.4", public_ip: "20.2.2.2"),
        (name: "pipvm", subnet: "v/plain", ip: "10.7.2.4", public_ip: "20.2.2.3"),
        (name: "lbvm", subnet: "v/plain", ip: "10.7.2.5"),
        (name: "doavm", subnet: "v/plain", ip: "10.7.2.6"),
        (name: "lonely", subnet: "v/private", ip: "10.7.3.4"),
        (name: "forcedvm", subnet: "v/forced", ip: "10.7.4.4"),
        (name: "fw", kind: Nva, subnet: "v/nva", ip: "10.7.5.4"),
        (name: "openvm", subnet: "v/open", ip: "10.7.6.4", public_ip: "20.2.2.9"),
    ],
)"#;

fn seen(a: &TraceAnswer) -> (Option<std::net::IpAddr>, Option<EgressMethod>) {
    let s = a.source_seen.clone().unwrap();
    let m = match s.translated_by {
        Some(Translation::Egress { method }) => Some(method),
        _ => None,
    };
    (s.address, m)
}

#[test]
fn a_nat_gateway_takes_precedence_over_an_instance_public_ip() {
    let l = load(EGRESS);
    let a = tcp(&l, "natvm", "93.184.216.34", 443);
    assert_eq!(a.verdict, Verdict::SentToInternet);
    assert_eq!(
        seen(&a),
        (
            Some("20.1.1.1".parse().unwrap()),
            Some(EgressMethod::NatGateway { name: "ng".into() })
        )
    );
}

#[test]
fn an_instance_public_ip_takes_precedence_over_load_balancer_outbound_rules() {
    let l = load(EGRESS);
    let a = tcp(&l, "pipvm", "93.184.216.34", 443);
    assert_eq!(
        seen(&a),
        (
            Some("20.2.2.3".parse().unwrap()),
            Some(EgressMethod::InstancePublicIp)
        )
    );
}

#[test]
fn a_backend_without_public_ip_leaves_by_the_load_balancer_outbound_rule() {
    let l = load(EGRESS);
    let a = tcp(&l, "lbvm", "93.184.216.34", 443);
    assert_eq!(
        seen(&a),
        (
            Some("20.3.3.4".parse().unwrap()),
            Some(EgressMethod::LoadBalancerOutboundRule {
                load_balancer: "lb-pub".into(),
                rule: "out".into()
            })
        )
    );
}

#[test]
fn without_an_explicit_method_default_outbound_access_gives_an_unknown_address() {
    let l = load(EGRESS);
    let a = tcp(&l, "doavm", "93.184.216.34", 443);
    assert_eq!(a.verdict, Verdict::SentToInternet);
    assert_eq!(seen(&a), (None, Some(EgressMethod::DefaultOutboundAccess)));
}

#[test]
fn a_private_subnet_without_an_explicit_method_has_no_way_out() {
    let l = load(EGRESS);
    let a = tcp(&l, "lonely", "93.184.216.34", 443);
    assert_eq!(
        a.verdict,
        Verdict::NoOutboundAccess {
            nic: "lonely".into(),
            subnet: "v/private".into()
        }
    );
    // Inside the VNet, a private subnet still reaches its neighbours.
    let b = tcp(&l, "lonely", "10.7.2.4", 22);
    assert_eq!(b.verdict, Verdict::Delivered);
}

#[test]
fn a_default_route_to_an_appliance_takes_precedence_over_the_nat_gateway() {
    let l = load(EGRESS);
    let a = tcp(&l, "forcedvm", "93.184.216.34", 443);
    assert!(a.passes("fw"));
    let s = a.source_seen.unwrap();
    assert_ne!(
        s.translated_by,
        Some(Translation::Egress {
            method: EgressMethod::NatGateway { name: "ng".into() }
        })
    );
}

#[test]
fn the_destination_sees_the_client_address_inside_a_vnet() {
    let l = load(EGRESS);
    let a = tcp(&l, "pipvm", "10.7.2.5", 22);
    assert_eq!(seen(&a).0, Some("10.7.2.4".parse().unwrap()));
}

#[test]
fn an_instance_public_ip_takes_inbound_flows_an_nsg_allows() {
    let l = load(EGRESS);
    let a = tcp(&l, "203.0.113.7", "20.2.2.3", 22);
    assert_eq!(a.verdict, Verdict::Delivered);
    assert_eq!(seen(&a).0, Some("203.0.113.7".parse().unwrap()));
    let denied = tcp(&l, "203.0.113.7", "20.2.2.3", 3389);
    assert!(matches!(denied.verdict, Verdict::DroppedByNsg { .. }));
}

#[test]
fn a_standard_public_ip_without_any_nsg_is_closed_to_inbound() {
    let l = load(EGRESS);
    let a = tcp(&l, "203.0.113.7", "20.2.2.9", 22);
    assert!(
        matches!(a.verdict, Verdict::PublicIpClosed { .. }),
        "{:?}",
        a.verdict
    );
}

#[test]
fn an_inbound_nat_rule_forwards_one_frontend_port_to_one_backend() {
    let l = load(EGRESS);
    let a = tcp(&l, "203.0.113.7", "20.3.3.3", 2201);
    assert_eq!(a.verdict, Verdict::Delivered);
    assert_eq!(a.forward.last().unwrap().nic, "lbvm");
    assert_eq!(a.forward.last().unwrap().packet.dst_port, 22);
}

#[test]
fn a_service_firewall_meets_the_nat_gateway_address_not_the_instance_public_ip() {
    let ron = EGRESS.replace(
        "    workloads: [",
        r#"    services: [
        (name: "kv-nat", kind: KeyVault, fqdn: "kv-nat.vault.azure.net", public_ip: "20.50.0.10", public_network_access: SelectedNetworks(["20.1.1.1/32"])),
        (name: "kv-pip", kind: KeyVault, fqdn: "kv-pip.vault.azure.net", public_ip: "20.50.0.11", public_network_access: SelectedNetworks(["20.2.2.2/32"])),
    ],
    workloads: ["#,
    );
    let l = load(&ron);
    let Some(NicRef::Workload(w)) = l.network.nic_by_name("natvm") else {
        panic!("natvm")
    };
    let to = |ip: &str, host: &str| {
        let request = TraceRequest {
            protocol: FlowProtocol::Tcp,
            destination: ip.parse().unwrap(),
            port: 443,
            source_port: 50000,
            host: Some(host.into()),
        };
        trace_from(&l.network, l.dataplane(), TraceSource::Workload(w), request).unwrap()
    };
    let allowed = to("20.50.0.10", "kv-nat.vault.azure.net");
    assert!(
        matches!(allowed.verdict, Verdict::DeliveredPublicly { .. }),
        "{:?}",
        allowed.verdict
    );
    let refused = to("20.50.0.11", "kv-pip.vault.azure.net");
    assert_eq!(
        refused.verdict,
        Verdict::ServiceFirewallDenied {
            service: "kv-pip".into(),
            kind: azpath_engine::model::ServiceKind::KeyVault,
            caller: Some("20.1.1.1".parse().unwrap()),
        }
    );
}

const GWLB: &str = r#"Scenario(
    vnets: [
        (name: "app", region: "r", address_space: ["10.8.0.0/16"], subnets: [(name: "web", prefix: "10.8.1.0/24", nsg: "nsg-web")]),
        (name: "sec", region: "r", address_space: ["10.9.0.0/16"], subnets: [(name: "nva", prefix: "10.9.1.0/24")]),
    ],
    nsgs: [(name: "nsg-web", rules: [(name: "https", priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: ["Internet"], destination: ["*"], destination_ports: ["443"])])],
    load_balancers: [
        (name: "gwlb", gateway: true, frontend_ip: "10.9.1.100", subnet: "sec/nva", rules: [(name: "ha", ha_ports: true)], backends: ["nva1", "nva2"]),
        (name: "lb-web", frontend_ip: "20.8.0.10", chain: CHAIN, rules: [(name: "https", frontend_port: 443, backend_port: 443)], backends: ["web1"]),
    ],
    workloads: [
        (name: "nva1", kind: Nva, subnet: "sec/nva", ip: "10.9.1.4"),
        (name: "nva2", kind: Nva, subnet: "sec/nva", ip: "10.9.1.5"),
        (name: "web1", subnet: "app/web", ip: "10.8.1.4"),
    ],
)"#;

#[test]
fn a_public_frontend_chained_to_a_gateway_load_balancer_detours_through_one_of_its_appliances() {
    let l = load(&GWLB.replace("CHAIN", "\"gwlb\""));
    let a = tcp(&l, "203.0.113.7", "20.8.0.10", 443);
    assert_eq!(a.verdict, Verdict::Delivered);
    assert!(
        a.passes("nva1") || a.passes("nva2"),
        "{:?}",
        nics(&a.forward)
    );
    assert!(a
        .forward
        .iter()
        .flat_map(|h| &h.steps)
        .any(|s| matches!(s, Step::GatewayChain { .. })));
}

#[test]
fn a_chain_must_name_a_gateway_load_balancer() {
    let err = load_str("case.ron", &GWLB.replace("CHAIN", "\"gwbl\""))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("unknown Gateway Load Balancer `gwbl`"),
        "{err}"
    );
    assert!(err.contains("gwlb"), "{err}");
}

#[test]
fn traffic_to_and_from_a_chained_frontend_crosses_the_same_appliance_in_both_directions() {
    let l = load(&GWLB.replace("CHAIN", "\"gwlb\""));
    for sport in 50000..50016 {
        let a = go(
            &l,
            "203.0.113.7",
            "20.8.0.10",
            443,
            sport,
            FlowProtocol::Tcp,
        );
        assert_eq!(a.verdict, Verdict::Delivered, "{sport}");
        let nva = |hops: &[String]| hops.iter().find(|n| n.starts_with("nva")).cloned();
        let there = nva(&nics(&a.forward));
        assert!(there.is_some(), "{sport}");
        assert_eq!(there, nva(&nics(&a.reply)), "{sport}");
        let out = a.reply.last().unwrap();
        assert!(out
            .steps
            .iter()
            .any(|s| matches!(s, Step::GatewayChainReply { gateway } if gateway == "gwlb")));
        // The appliance sees the reply from the frontend's address, as the client does.
        assert_eq!(
            out.packet.src,
            "20.8.0.10".parse::<std::net::IpAddr>().unwrap()
        );
        assert_eq!(
            out.packet.dst,
            "203.0.113.7".parse::<std::net::IpAddr>().unwrap()
        );
    }
    // An unchained frontend's reply crosses no appliance.
    let plain = load(&GWLB.replace("CHAIN", "None").replace("chain: None, ", ""));
    let a = tcp(&plain, "203.0.113.7", "20.8.0.10", 443);
    assert!(!nics(&a.reply).iter().any(|n| n.starts_with("nva")));
}

#[test]
fn a_workload_calling_a_chained_frontend_gets_its_reply_through_the_same_appliance() {
    let l = load(&GWLB.replace("CHAIN", "\"gwlb\"").replace(
        r#"(name: "web1", subnet: "app/web", ip: "10.8.1.4"),"#,
        r#"(name: "web1", subnet: "app/web", ip: "10.8.1.4"), (name: "vmc", subnet: "app/web", ip: "10.8.1.9", public_ip: "20.8.9.9"),"#,
    ));
    let a = tcp(&l, "vmc", "20.8.0.10", 443);
    assert_eq!(a.verdict, Verdict::Delivered);
    let nva = |hops: &[String]| hops.iter().find(|n| n.starts_with("nva")).cloned();
    let back = nics(&a.reply);
    assert!(nva(&back).is_some(), "{back:?}");
    assert_eq!(nva(&nics(&a.forward)), nva(&back));
    // Between the backend and the Internet, as the reply leaves the frontend.
    assert_eq!(back.first().map(String::as_str), Some("web1"));
    assert_eq!(back.get(2).map(String::as_str), Some("Internet"));
}
