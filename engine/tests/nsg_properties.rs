//! NSG evaluation against a plain reference: among the rules of the flow's direction that match,
//! the lowest priority number decides; if none matches, Azure's default rules decide.

use std::net::{IpAddr, Ipv4Addr};

use azpath_engine::filter::{evaluate, Flow, TagScope};
use azpath_engine::model::{
    default_rules, Access, AddressMatch, Direction, FlowProtocol, Nsg, NsgPriority, NsgRule,
    PortRange, Protocol, ServiceTag,
};
use azpath_engine::scenario::Span;
use ipnet::{IpNet, Ipv4Net};
use proptest::prelude::*;

fn address() -> impl Strategy<Value = AddressMatch> {
    prop_oneof![
        Just(AddressMatch::Any),
        Just(AddressMatch::Tag(ServiceTag::VirtualNetwork)),
        Just(AddressMatch::Tag(ServiceTag::Internet)),
        Just(AddressMatch::Tag(ServiceTag::AzureLoadBalancer)),
        (0u8..4, 8u8..=32).prop_map(|(b, l)| AddressMatch::Prefix(IpNet::V4(
            Ipv4Net::new(Ipv4Addr::new(10, b, 0, 0), l).unwrap().trunc()
        ))),
        (any::<u32>(), 0u8..=32).prop_map(|(a, l)| AddressMatch::Prefix(IpNet::V4(
            Ipv4Net::new(Ipv4Addr::from(a), l).unwrap().trunc()
        ))),
    ]
}

fn ports() -> impl Strategy<Value = Vec<PortRange>> {
    prop::collection::vec(
        prop_oneof![
            Just(PortRange::ANY),
            (0u16..1000, 0u16..100).prop_map(|(a, w)| PortRange {
                first: a,
                last: a + w
            })
        ],
        1..3,
    )
}

prop_compose! {
    fn rule()(
        priority in 100u32..=4096,
        inbound in any::<bool>(),
        allow in any::<bool>(),
        protocol in prop::sample::select(vec![Protocol::Any, Protocol::Tcp, Protocol::Udp, Protocol::Icmp]),
        source in prop::collection::vec(address(), 1..3),
        destination in prop::collection::vec(address(), 1..3),
        source_ports in ports(),
        destination_ports in ports(),
    ) -> NsgRule {
        NsgRule {
            name: format!("r{priority}").into(),
            priority: NsgPriority::custom(priority).unwrap(),
            direction: if inbound { Direction::Inbound } else { Direction::Outbound },
            access: if allow { Access::Allow } else { Access::Deny },
            protocol, source, source_ports, destination, destination_ports, default_rule: false,
        }
    }
}

fn address_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        (0u8..4, any::<u16>()).prop_map(|(b, x)| IpAddr::V4(Ipv4Addr::new(
            10,
            b,
            (x >> 8) as u8,
            x as u8
        ))),
        Just(IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16))),
        any::<u32>().prop_map(|a| IpAddr::V4(Ipv4Addr::from(a))),
    ]
}

prop_compose! {
    fn flow()(
        protocol in prop::sample::select(vec![FlowProtocol::Tcp, FlowProtocol::Udp, FlowProtocol::Icmp]),
        src in address_ip(), dst in address_ip(), src_port in 0u16..1100, dst_port in 0u16..1100,
    ) -> Flow {
        Flow { protocol, src, src_port, dst, dst_port }
    }
}

/// Written plainly: does one rule match the flow?
fn reference_matches(r: &NsgRule, f: &Flow, scope: &TagScope) -> bool {
    let protocol = match r.protocol {
        Protocol::Any => true,
        Protocol::Tcp => f.protocol == FlowProtocol::Tcp,
        Protocol::Udp => f.protocol == FlowProtocol::Udp,
        Protocol::Icmp => f.protocol == FlowProtocol::Icmp,
        Protocol::Esp | Protocol::Ah => false,
    };
    let addr = |ms: &[AddressMatch], ip: IpAddr| {
        ms.iter().any(|m| match m {
            AddressMatch::Any => true,
            AddressMatch::Prefix(p) => p.contains(&ip),
            AddressMatch::Tag(t) => scope.contains(t, ip),
            AddressMatch::Asg(g) => scope.in_asg(*g, ip),
        })
    };
    let port = |rs: &[PortRange], p: u16| {
        f.protocol == FlowProtocol::Icmp || rs.iter().any(|r| r.first <= p && p <= r.last)
    };
    protocol
        && addr(&r.source, f.src)
        && addr(&r.destination, f.dst)
        && port(&r.source_ports, f.src_port)
        && port(&r.destination_ports, f.dst_port)
}

fn reference(
    rules: &[NsgRule],
    direction: Direction,
    f: &Flow,
    scope: &TagScope,
) -> (String, Access) {
    let defaults = default_rules();
    let mut best: Option<&NsgRule> = None;
    for r in rules.iter().chain(defaults.iter()) {
        if r.direction == direction
            && reference_matches(r, f, scope)
            && best.is_none_or(|b| r.priority < b.priority)
        {
            best = Some(r);
        }
    }
    best.map_or(("none".into(), Access::Deny), |r| {
        (r.name.to_string(), r.access)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn nsg_evaluation_agrees_with_the_reference(rules in prop::collection::vec(rule(), 0..12), flows in prop::collection::vec(flow(), 1..10)) {
        // Azure refuses two rules of one direction with one priority; keep the first of each.
        let mut seen = std::collections::BTreeSet::new();
        let rules: Vec<NsgRule> = rules.into_iter().filter(|r| seen.insert((r.direction, r.priority))).collect();
        let nsg = Nsg::new("n".into(), rules.clone(), Span::default());
        let vnet: Vec<IpNet> = vec!["10.0.0.0/16".parse().unwrap(), "10.1.0.0/16".parse().unwrap(), "168.63.129.16/32".parse().unwrap()];
        let scope = TagScope { virtual_network: vnet.clone(), virtual_network_without_udrs: vnet, declared: vec![], asg_members: vec![] };
        for f in &flows {
            for direction in [Direction::Inbound, Direction::Outbound] {
                let m = evaluate(&nsg, direction, f, &scope);
                prop_assert_eq!((m.rule.to_string(), m.access), reference(&rules, direction, f, &scope));
            }
        }
    }
}
