//! Windows activation (KMS) as platform traffic, named after the documented behaviour (Learn,
//! "Network security groups", Azure platform considerations; "Virtual network service tags",
//! `AzurePlatformLKM`).

use azpath_engine::filter::platform::PlatformService;
use azpath_engine::model::{Direction, FlowProtocol, NicRef, RemoteEnd};
use azpath_engine::query::{flow_verify, StageDecision};
use azpath_engine::trace::{trace, TraceAnswer, TraceRequest, Verdict};
use azpath_engine::Loaded;

use super::support::{errors, has, load};

/// A VM whose subnet NSG denies every outbound flow, `EXTRA` rules beside it, and `ROUTES` in
/// its subnet's route table.
const LOCKED: &str = r#"Scenario(
    vnets: [(name: "core", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
        (name: "app", prefix: "10.0.1.0/24", nsg: "locked", route_table: "rt-app"),
        (name: "nva", prefix: "10.0.2.0/24"),
    ])],
    route_tables: [(name: "rt-app", routes: [ROUTES])],
    nsgs: [(name: "locked", rules: [
        (name: "deny-all-out", priority: 200, direction: Outbound, access: Deny),
        EXTRA
    ])],
    workloads: [
        (name: "vm", subnet: "core/app", ip: "10.0.1.4"),
        (name: "fw", kind: Nva, subnet: "core/nva", ip: "10.0.2.4"),
    ],
)"#;

const FORCED: &str =
    r#"(name: "default", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.2.4"))"#;

fn locked(extra: &str, routes: &str) -> Loaded {
    load(&LOCKED.replace("EXTRA", extra).replace("ROUTES", routes))
}

fn kms(l: &Loaded, to: &str) -> TraceAnswer {
    let Some(NicRef::Workload(w)) = l.network.nic_by_name("vm") else {
        panic!("vm")
    };
    let request = TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: to.parse().unwrap(),
        port: 1688,
        source_port: 50000,
        host: None,
    };
    trace(&l.network, l.dataplane(), w, request).unwrap()
}

fn outbound_stages(l: &Loaded, to: &str, port: u16) -> Vec<StageDecision> {
    let Some(nic) = l.network.nic_by_name("vm") else {
        panic!("vm")
    };
    let remote = RemoteEnd {
        address: to.parse().unwrap(),
        port,
        source_port: 50000,
        protocol: FlowProtocol::Tcp,
    };
    let a = flow_verify(&l.network, l.dataplane(), nic, Direction::Outbound, remote).unwrap();
    a.stages.into_iter().map(|s| s.decision).collect()
}

#[test]
fn windows_activation_to_azure_kms_on_port_1688_is_not_subject_to_a_deny_all_outbound_nsg() {
    let l = locked("", "");
    for host in ["20.118.99.224", "40.83.235.53", "23.102.135.246"] {
        let a = kms(&l, host);
        assert!(
            !matches!(a.verdict, Verdict::DroppedByNsg { .. }),
            "{host}: {:?}",
            a.verdict
        );
        assert!(outbound_stages(&l, host, 1688).iter().any(|d| matches!(
            d,
            StageDecision::PlatformExempt {
                service: PlatformService::Kms,
                ..
            }
        )));
    }
    // Another port of a KMS host, or port 1688 elsewhere, is ordinary traffic.
    assert!(matches!(
        kms(&l, "203.0.113.9").verdict,
        Verdict::DroppedByNsg { .. }
    ));
    assert!(outbound_stages(&l, "20.118.99.224", 443)
        .iter()
        .any(|d| matches!(d, StageDecision::Matched(_))));
}

#[test]
fn an_outbound_rule_denying_azure_platform_lkm_blocks_windows_activation() {
    let deny = r#"(name: "deny-lkm", priority: 300, direction: Outbound, access: Deny, destination: ["AzurePlatformLKM"])"#;
    let l = locked(deny, "");
    let a = kms(&l, "20.118.99.224");
    match &a.verdict {
        Verdict::DroppedByNsg { rule, .. } => assert_eq!(rule, "deny-lkm"),
        v => panic!("{v:?}"),
    }
}

#[test]
fn with_a_default_route_0_0_0_0_the_kms_platform_rule_is_disabled_and_the_nsg_filters_activation() {
    let l = locked("", FORCED);
    let a = kms(&l, "20.118.99.224");
    match &a.verdict {
        Verdict::DroppedByNsg { rule, .. } => assert_eq!(rule, "deny-all-out"),
        v => panic!("{v:?}"),
    }
    // Allowed by the NSG, it follows the default route to the appliance.
    let allow = r#"(name: "allow-kms", priority: 100, direction: Outbound, access: Allow, protocol: Tcp, destination: ["AzurePlatformLKM"], destination_ports: ["1688"])"#;
    let l = locked(allow, FORCED);
    let a = kms(&l, "20.118.99.224");
    assert!(a.passes("fw"), "{:?}", a.verdict);
}

#[test]
fn azure_platform_lkm_is_an_outbound_only_tag() {
    let inbound = r#"(name: "in-lkm", priority: 300, direction: Inbound, access: Deny, source: ["AzurePlatformLKM"])"#;
    let found = errors(&LOCKED.replace("EXTRA", inbound).replace("ROUTES", ""));
    has(&found, "outbound-only platform tag");
}

#[test]
fn security_admin_rules_do_not_support_the_azure_platform_tags() {
    let admin = r#"    security_admin_rules: [(name: "baseline", applies_to: ["core"], rules: [
        (name: "deny-kms", priority: 10, direction: Outbound, access: Deny, protocol: Tcp,
         source: ["*"], source_ports: ["*"], destination: ["AzurePlatformLKM"], destination_ports: ["1688"]),
    ])],
    workloads: ["#;
    let text = LOCKED
        .replace("EXTRA", "")
        .replace("ROUTES", "")
        .replace("    workloads: [", admin);
    let found = errors(&text);
    has(&found, "names an AzurePlatform* service tag");
}
