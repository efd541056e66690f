//! Where Azure does not apply security admin rules: VNets holding SQL Managed Instance or Azure
//! Databricks (unless the configuration sets `applyOnNetworkIntentPolicyBasedServices` to
//! `AllowRulesOnly`, which applies only the allow rules) and subnets holding an Application
//! Gateway that is not network-isolated (Learn, "Security admin rules in Azure Virtual Network
//! Manager", <https://learn.microsoft.com/azure/virtual-network-manager/concept-security-admins>).

use azpath_engine::model::{FlowProtocol, NicRef};
use azpath_engine::trace::{trace, TraceRequest, Verdict};
use azpath_engine::{load_str, Loaded};

/// `SUBNET` is the `app` subnet's extra fields, `DELEGATION` the `special` subnet's, `SETTING`
/// the collection's. The admin rules deny SSH and always allow WinRM; the NSG allows SSH only.
const BASE: &str = r#"Scenario(
    vnets: [
        (name: "data", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [
            (name: "app", prefix: "10.1.1.0/24", nsg: "nsg-open" SUBNET),
            (name: "special", prefix: "10.1.2.0/24" DELEGATION),
        ]),
        (name: "ops", region: "eastus", address_space: ["10.9.0.0/16"], subnets: [(name: "jump", prefix: "10.9.0.0/24")]),
    ],
    peerings: [(between: ("data", "ops"))],
    nsgs: [(name: "nsg-open", rules: [
        (name: "allow-ssh", priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
         source: ["*"], destination: ["*"], destination_ports: ["22"]),
        (name: "deny-rest", priority: 200, direction: Inbound, access: Deny),
    ])],
    security_admin_rules: [(name: "baseline", applies_to: ["data"] SETTING, rules: [
        (name: "deny-ssh", priority: 10, direction: Inbound, access: Deny, protocol: Tcp,
         source: ["*"], source_ports: ["*"], destination: ["*"], destination_ports: ["22"]),
        (name: "always-monitor", priority: 20, direction: Inbound, access: AlwaysAllow, protocol: Tcp,
         source: ["*"], source_ports: ["*"], destination: ["*"], destination_ports: ["5986"]),
    ])],
    workloads: [
        (name: "vm-app", subnet: "data/app", ip: "10.1.1.4"),
        (name: "vm-jump", subnet: "ops/jump", ip: "10.9.0.4"),
    ],
)"#;

fn load(subnet: &str, delegation: &str, setting: &str) -> Loaded {
    let text = BASE
        .replace(" SUBNET", subnet)
        .replace(" DELEGATION", delegation)
        .replace(" SETTING", setting);
    load_str("case.ron", &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn ssh(loaded: &Loaded, port: u16) -> Verdict {
    let Some(NicRef::Workload(w)) = loaded.network.nic_by_name("vm-jump") else {
        panic!("vm-jump")
    };
    let request = TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: "10.1.1.4".parse().unwrap(),
        port,
        source_port: 50000,
        host: None,
    };
    trace(&loaded.network, loaded.dataplane(), w, request)
        .unwrap()
        .verdict
}

const SQL_MI: &str = r#", delegations: ["Microsoft.Sql/managedInstances"]"#;
const DATABRICKS: &str = r#", delegations: ["Microsoft.Databricks/workspaces"]"#;
const ALLOW_ONLY: &str = ", apply_on_network_intent_policy_based_services: AllowRulesOnly";

#[test]
fn the_admin_deny_applies_in_an_ordinary_vnet() {
    assert!(matches!(
        ssh(&load("", "", ""), 22),
        Verdict::DroppedBySecurityAdminRule { .. }
    ));
}

#[test]
fn admin_rules_are_not_applied_in_a_vnet_holding_sql_managed_instance() {
    assert_eq!(ssh(&load("", SQL_MI, ""), 22), Verdict::Delivered);
}

#[test]
fn admin_rules_are_not_applied_in_a_vnet_holding_azure_databricks() {
    assert_eq!(ssh(&load("", DATABRICKS, ""), 22), Verdict::Delivered);
}

#[test]
fn allow_rules_only_applies_the_allow_rules_and_skips_the_denies_in_such_a_vnet() {
    let loaded = load("", SQL_MI, ALLOW_ONLY);
    // The deny is skipped: the NSG allows SSH.
    assert_eq!(ssh(&loaded, 22), Verdict::Delivered);
    // The AlwaysAllow applies: WinRM gets through although the NSG only allows SSH.
    assert_eq!(ssh(&loaded, 5986), Verdict::Delivered);
    // Without the setting the AlwaysAllow is not applied either, and the NSG denies WinRM.
    let v = ssh(&load("", SQL_MI, ""), 5986);
    assert!(matches!(v, Verdict::DroppedByNsg { .. }), "{v:?}");
}

#[test]
fn admin_rules_are_not_applied_in_an_application_gateway_subnet() {
    let loaded = load(", application_gateway: true", "", "");
    assert_eq!(ssh(&loaded, 22), Verdict::Delivered);
}

#[test]
fn admin_rules_apply_to_a_network_isolated_application_gateway_subnet() {
    let loaded = load(
        r#", application_gateway: true, delegations: ["Microsoft.Network/applicationGateways"]"#,
        "",
        "",
    );
    assert!(matches!(
        ssh(&loaded, 22),
        Verdict::DroppedBySecurityAdminRule { .. }
    ));
}
