//! Virtual Network Manager security admin rules over NSGs, each test named after the documented
//! behaviour (Learn, "Security admin rules in Azure Virtual Network Manager",
//! <https://learn.microsoft.com/azure/virtual-network-manager/concept-security-admins>).

use azpath_engine::filter::admin::AdminDecision;
use azpath_engine::model::{Access, Direction, FlowProtocol, NicRef, RemoteEnd};
use azpath_engine::query::flow_verify;
use azpath_engine::trace::{trace, TraceAnswer, TraceRequest, Verdict};
use azpath_engine::Loaded;

use super::support::{errors, has, load};

/// `web` has an NSG allowing SSH from anywhere and denying the rest inbound; ADMIN is replaced
/// by the admin rules of one collection applied to `spoke`.
const BASE: &str = r#"Scenario(
    vnets: [
        (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [
            (name: "web", prefix: "10.1.1.0/24", nsg: "nsg-web"),
            (name: "AzureBastionSubnet", prefix: "10.1.2.0/26"),
        ]),
        (name: "ops", region: "eastus", address_space: ["10.9.0.0/16"], subnets: [
            (name: "monitor", prefix: "10.9.0.0/24"),
        ]),
    ],
    peerings: [(between: ("spoke", "ops"))],
    nsgs: [(name: "nsg-web", rules: [
        (name: "allow-ssh", priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
         source: ["*"], destination: ["*"], destination_ports: ["22"]),
        (name: "deny-rest", priority: 200, direction: Inbound, access: Deny),
    ])],
    security_admin_rules: [(name: "baseline", applies_to: APPLIES, rules: [ADMIN])],
    workloads: [
        (name: "vm-web", subnet: "spoke/web", ip: "10.1.1.4"),
        (name: "vm-jump", subnet: "spoke/AzureBastionSubnet", ip: "10.1.2.4"),
        (name: "vm-monitor", subnet: "ops/monitor", ip: "10.9.0.4"),
    ],
)"#;

fn rule(name: &str, priority: u32, access: &str, port: u16) -> String {
    format!(
        r#"(name: "{name}", priority: {priority}, direction: Inbound, access: {access}, protocol: Tcp,
            source: ["*"], source_ports: ["*"], destination: ["*"], destination_ports: ["{port}"])"#
    )
}

fn scenario(admin: &[String]) -> String {
    BASE.replace("APPLIES", r#"["spoke"]"#)
        .replace("ADMIN", &admin.join(", "))
}

fn run(loaded: &Loaded, to: &str, port: u16) -> TraceAnswer {
    let Some(NicRef::Workload(w)) = loaded.network.nic_by_name("vm-monitor") else {
        panic!("vm-monitor")
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

#[test]
fn admin_deny_drops_the_flow_even_when_the_nsg_allows_it() {
    let loaded = load(&scenario(&[rule("deny-ssh", 10, "Deny", 22)]));
    let t = run(&loaded, "10.1.1.4", 22);
    assert_eq!(
        t.verdict,
        Verdict::DroppedBySecurityAdminRule {
            collection: "baseline".into(),
            rule: "deny-ssh".into(),
            nic: "vm-web".into(),
        }
    );
}

#[test]
fn admin_always_allow_delivers_the_flow_even_when_the_nsg_denies_it() {
    let loaded = load(&scenario(&[rule("monitoring", 10, "AlwaysAllow", 5986)]));
    assert_eq!(run(&loaded, "10.1.1.4", 5986).verdict, Verdict::Delivered);
}

#[test]
fn admin_allow_hands_the_flow_to_the_nsgs_which_decide() {
    let loaded = load(&scenario(&[
        rule("allow-https", 10, "Allow", 443),
        rule("allow-ssh", 20, "Allow", 22),
    ]));
    assert!(matches!(
        run(&loaded, "10.1.1.4", 443).verdict,
        Verdict::DroppedByNsg { .. }
    ));
    assert_eq!(run(&loaded, "10.1.1.4", 22).verdict, Verdict::Delivered);
}

#[test]
fn a_higher_priority_admin_allow_makes_an_exception_to_a_broader_admin_deny() {
    // Learn, "Virtual network enforcement": exceptions are built with a higher-priority Allow.
    let loaded = load(&scenario(&[
        rule("deny-ssh", 20, "Deny", 22),
        rule("ssh-exception", 10, "Allow", 22),
    ]));
    assert_eq!(run(&loaded, "10.1.1.4", 22).verdict, Verdict::Delivered);
}

#[test]
fn without_a_matching_admin_rule_the_nsgs_alone_decide() {
    let loaded = load(&scenario(&[rule("deny-rdp", 10, "Deny", 3389)]));
    assert_eq!(run(&loaded, "10.1.1.4", 22).verdict, Verdict::Delivered);
}

#[test]
fn admin_rules_apply_only_to_the_vnets_they_target() {
    let text = BASE
        .replace("APPLIES", r#"["ops"]"#)
        .replace("ADMIN", &rule("deny-ssh", 10, "Deny", 22));
    let loaded = load(&text);
    assert_eq!(run(&loaded, "10.1.1.4", 22).verdict, Verdict::Delivered);
}

#[test]
fn admin_rules_are_not_applied_in_the_bastion_subnet() {
    let loaded = load(&scenario(&[rule("deny-ssh", 10, "Deny", 22)]));
    assert_eq!(run(&loaded, "10.1.2.4", 22).verdict, Verdict::Delivered);
    let Some(nic) = loaded.network.nic_by_name("vm-jump") else {
        panic!("vm-jump")
    };
    let remote = RemoteEnd {
        address: "10.9.0.4".parse().unwrap(),
        port: 22,
        protocol: FlowProtocol::Tcp,
        source_port: 50000,
    };
    let a = flow_verify(
        &loaded.network,
        loaded.dataplane(),
        nic,
        Direction::Inbound,
        remote,
    )
    .unwrap();
    assert!(
        matches!(a.admin, Some(AdminDecision::NotApplied { .. })),
        "{:?}",
        a.admin
    );
}

#[test]
fn flow_verify_shows_the_admin_decision_and_skips_the_nsgs_on_deny() {
    let loaded = load(&scenario(&[rule("deny-ssh", 10, "Deny", 22)]));
    let Some(nic) = loaded.network.nic_by_name("vm-web") else {
        panic!("vm-web")
    };
    let remote = RemoteEnd {
        address: "10.9.0.4".parse().unwrap(),
        port: 22,
        protocol: FlowProtocol::Tcp,
        source_port: 50000,
    };
    let a = flow_verify(
        &loaded.network,
        loaded.dataplane(),
        nic,
        Direction::Inbound,
        remote,
    )
    .unwrap();
    assert_eq!(a.access, Access::Deny);
    assert!(a.rule.is_none(), "no NSG rule decided: {:?}", a.rule);
    assert!(matches!(a.admin, Some(AdminDecision::Matched(_))));
}

#[test]
fn admin_rule_mistakes_are_refused_at_their_place() {
    has(
        &errors(&scenario(&[rule("zero", 0, "Deny", 22)])),
        "priority `0` of security admin rule `zero` is outside 1–4096",
    );
    has(
        &errors(&scenario(&[
            rule("a", 10, "Deny", 22),
            rule("b", 10, "Allow", 443),
        ])),
        "share Inbound priority 10",
    );
    has(
        &errors(
            &BASE
                .replace("APPLIES", r#"["spokee"]"#)
                .replace("ADMIN", ""),
        ),
        "spokee",
    );
    has(
        &errors(&scenario(&[rule("x", 10, "Allowed", 22)])),
        "Allowed",
    );
    let bad_tag = scenario(&[rule("t", 10, "Deny", 22)]).replace(
        r#"source: ["*"], source_ports"#,
        r#"source: ["Storagee"], source_ports"#,
    );
    has(&errors(&bad_tag), "unknown service tag `Storagee`");
    // Located: file:line:col.
    let e = errors(&scenario(&[rule("zero", 0, "Deny", 22)]));
    assert!(e.iter().any(|e| e.contains("bad.ron:")), "{e:#?}");
}
