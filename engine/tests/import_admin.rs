//! Importing Azure Virtual Network Manager security admin rules from Azure's JSON (REST
//! "Admin Rules - Get", "Network Groups - Get", "Static Members - Get"): the fixture under
//! `tests/import/avnm/` is a hub and a spoke, with a network group holding the spoke and a
//! security admin configuration whose rules apply to it (Microsoft Learn, "Security admin rules
//! in Azure Virtual Network Manager").

use std::path::Path;

use azpath_engine::import::{import_files, to_ron, Imported};
use azpath_engine::model::flow_addr::parse_source;
use azpath_engine::model::FlowProtocol;
use azpath_engine::scenario::{AdminAccess, IntentPolicyServices};
use azpath_engine::trace::{trace_from, Probe, Verdict};
use azpath_engine::{load_str, Loaded};

fn fixture(replace: Option<(&str, &str)>) -> Imported {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/avnm");
    let files: Vec<(String, String)> = ["network.json", "network-manager.json"]
        .iter()
        .map(|f| {
            let mut text = std::fs::read_to_string(root.join(f)).unwrap();
            if let Some((from, to)) = replace {
                text = text.replace(from, to);
            }
            (f.to_string(), text)
        })
        .collect();
    import_files(&files).unwrap()
}

fn load(imported: &Imported) -> Loaded {
    let ron = to_ron(imported).unwrap();
    load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"))
}

fn verdict(l: &Loaded, from: &str, to: &str, port: u16) -> Verdict {
    let source = parse_source(&l.network, from).unwrap();
    let probe = Probe {
        protocol: FlowProtocol::Tcp,
        port,
        source_port: 50000,
        host: None,
    };
    trace_from(
        &l.network,
        l.dataplane(),
        source,
        probe.to(to.parse().unwrap()),
    )
    .unwrap()
    .verdict
}

#[test]
fn a_rule_collection_applies_to_the_vnets_of_its_network_groups() {
    let i = fixture(None);
    let [c] = i.document.security_admin_rules.as_slice() else {
        panic!("{:#?}", i.document.security_admin_rules)
    };
    assert_eq!(c.name.value, "rc-baseline");
    let vnets: Vec<&str> = c.applies_to.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(vnets, ["spoke"]);
    assert_eq!(
        c.apply_on_network_intent_policy_based_services,
        IntentPolicyServices::None
    );
    let rules: Vec<(&str, AdminAccess)> = c
        .rules
        .iter()
        .map(|r| (r.name.value.as_str(), r.access))
        .collect();
    assert_eq!(
        rules,
        [
            ("deny-ssh", AdminAccess::Deny),
            ("always-https-from-hub", AdminAccess::AlwaysAllow),
            ("deny-rdp-from-internet", AdminAccess::Deny),
        ]
    );
    // The rule naming a network group's addresses and the Microsoft default rule are listed.
    let skipped = format!("{:#?}", i.notes.skipped);
    assert!(skipped.contains("rules/from-group"), "{skipped}");
    assert!(skipped.contains("rules/default-1"), "{skipped}");
    // Nothing of the network manager is listed as an unread resource type.
    assert!(!skipped.contains("resource type not imported"), "{skipped}");
    // What the input cannot say is stated.
    let assumed = i.notes.assumptions.join("\n");
    assert!(
        assumed.contains("`sac-baseline` is taken as deployed"),
        "{assumed}"
    );
    assert!(
        assumed.contains("`ng-spokes` holds its static members only"),
        "{assumed}"
    );
}

// About security admin rules: evaluated before NSGs; `Deny` drops whatever the NSGs say,
// `AlwaysAllow` lets the flow through whatever the NSGs say.
#[test]
fn imported_admin_rules_decide_before_the_nsgs_of_the_vnets_they_apply_to() {
    let l = load(&fixture(None));
    assert!(matches!(
        verdict(&l, "vm-jump", "10.1.1.4", 22),
        Verdict::DroppedBySecurityAdminRule { ref rule, .. } if rule == "deny-ssh"
    ));
    // nsg-app denies 443 from the hub; the admin rule always allows it.
    assert_eq!(verdict(&l, "vm-jump", "10.1.1.4", 443), Verdict::Delivered);
    // The hub is not in the network group: its VM is reached on 22.
    assert_eq!(verdict(&l, "vm-app", "10.0.1.4", 22), Verdict::Delivered);
}

#[test]
fn a_configuration_applying_all_rules_to_intent_policy_services_is_listed_not_guessed() {
    let i = fixture(Some((r#""None""#, r#""All""#)));
    assert!(i.document.security_admin_rules.is_empty());
    let skipped = format!("{:#?}", i.notes.skipped);
    assert!(
        skipped.contains("applyOnNetworkIntentPolicyBasedServices: All"),
        "{skipped}"
    );
    let i = fixture(Some((r#""None""#, r#""AllowRulesOnly""#)));
    assert_eq!(
        i.document.security_admin_rules[0].apply_on_network_intent_policy_based_services,
        IntentPolicyServices::AllowRulesOnly
    );
}

#[test]
fn an_admin_rule_with_a_value_azure_refuses_is_left_out_with_its_json_pointer() {
    let i = fixture(Some((
        r#""access": "AlwaysAllow""#,
        r#""access": "AlwaysAlow""#,
    )));
    let skipped = format!("{:#?}", i.notes.skipped);
    assert!(skipped.contains("network-manager.json#"), "{skipped}");
    assert!(skipped.contains("did you mean `AlwaysAllow`"), "{skipped}");
    assert_eq!(i.document.security_admin_rules[0].rules.len(), 2);
}
