//! Azure Firewall takes service tags as rule destinations only ("Azure Firewall service tags",
//! <https://learn.microsoft.com/azure/firewall/service-tags>): a hand-written rule with a tag
//! as its source is refused at load, where it is written, as import refuses it.

use crate::support::{errors, has};

/// A firewall with one rule collection holding `RULE`.
const FIREWALL: &str = r#"Scenario(
    vnets: [(name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [
        (name: "AzureFirewallSubnet", prefix: "10.0.1.0/26"),
    ])],
    service_tags: [(name: "AzureCloud", prefixes: ["20.0.0.0/8"])],
    firewalls: [(name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", rule_collection_groups: [
        (name: "g", priority: 100, collections: [(name: "c", priority: 100, action: Allow, RULE)]),
    ])],
)"#;

#[test]
fn a_network_rule_with_a_service_tag_as_source_is_refused_where_it_is_written() {
    let text = FIREWALL.replace(
        "RULE",
        r#"network_rules: [(name: "from-cloud", protocol: Tcp, source: ["AzureCloud"], destination: ["10.0.0.0/16"], ports: ["443"])]"#,
    );
    let e = errors(&text);
    has(
        &e,
        "firewall rule `from-cloud` has the service tag `AzureCloud` as its source",
    );
    has(&e, "destinations only");
    // Located: the file, then the line and column of the tag.
    let line = text
        .lines()
        .position(|l| l.contains(r#"source: ["AzureCloud"]"#))
        .unwrap()
        + 1;
    has(&e, &format!("bad.ron:{line}:"));
    // One diagnostic for the value, not a second one about the tag itself.
    assert_eq!(
        e.iter().filter(|m| m.contains("AzureCloud")).count(),
        1,
        "{e:#?}"
    );
}

#[test]
fn an_application_rule_with_a_service_tag_as_source_is_refused() {
    let text = FIREWALL.replace(
        "RULE",
        r#"application_rules: [(name: "web", source: ["VirtualNetwork"], fqdns: ["*.example.com"], ports: ["443"])]"#,
    );
    has(
        &errors(&text),
        "firewall rule `web` has the service tag `VirtualNetwork` as its source",
    );
}

#[test]
fn a_service_tag_as_destination_still_loads() {
    let text = FIREWALL.replace(
        "RULE",
        r#"network_rules: [(name: "to-cloud", protocol: Tcp, source: ["10.0.0.0/16"], destination: ["AzureCloud"], ports: ["443"])]"#,
    );
    crate::support::load(&text);
}

// About Azure Firewall limits: at most 250 public IPs per firewall (each is a candidate SNAT
// source a trace weighs, so the limit also bounds a trace's work).
#[test]
fn a_firewall_holds_at_most_250_public_ips() {
    let lesson = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/firewall/several-public-ips-and-a-partner-allow-list.ron"),
    )
    .unwrap();
    let many: Vec<String> = (0..251)
        .map(|i| format!("\"20.41.{}.{}\"", i / 200, i % 200 + 1))
        .collect();
    let text = lesson.replacen(
        r#"public_ips: ["20.40.0.4", "20.40.0.5"]"#,
        &format!("public_ips: [{}]", many.join(", ")),
        1,
    );
    assert_ne!(text, lesson);
    let e = crate::support::errors(&text);
    crate::support::has(&e, "has 251 public IPs; Azure allows at most 250");
}
