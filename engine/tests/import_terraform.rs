//! Terraform import of the firewall, NAT gateway and virtual WAN families: the same estate
//! written as `az` output and as `terraform show -json` imports to the same scenario, so the
//! Terraform import answers as the ARM import does.

use std::path::Path;

use azpath_engine::import::{import_files, to_ron, Imported};
use azpath_engine::load_str;

fn file(name: &str) -> (String, String) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import/terraform")
        .join(name);
    (name.to_string(), std::fs::read_to_string(p).unwrap())
}

/// The estate `stem` imported from its ARM (`stem.arm.json`) and Terraform
/// (`stem.tfstate.json`) files; both must load.
fn both(stem: &str) -> (Imported, Imported) {
    let arm = import_files(&[file(&format!("{stem}.arm.json"))]).unwrap();
    let tf = import_files(&[file(&format!("{stem}.tfstate.json"))]).unwrap();
    for i in [&arm, &tf] {
        let ron = to_ron(i).unwrap();
        load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"));
    }
    (arm, tf)
}

/// What each import lists as left out, by what and why.
fn left_out(i: &Imported) -> Vec<String> {
    i.notes
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.what, s.reason))
        .collect()
}

#[test]
fn a_terraform_firewall_policy_with_rule_collection_groups_and_ip_groups_imports_as_its_arm_equivalent(
) {
    let (arm, tf) = both("firewall-policy");
    assert_eq!(arm.document, tf.document, "{:#?}", left_out(&tf));
    let fw = &tf.document.firewalls[0];
    let groups = &fw.rule_collection_groups;
    assert_eq!(groups.len(), 1);
    let names: Vec<&str> = groups[0]
        .collections
        .iter()
        .map(|c| c.name.value.as_str())
        .collect();
    assert_eq!(names, ["east-west", "deny-smb", "web"]);
    assert_eq!(fw.dnat_rules.len(), 1, "{:#?}", left_out(&tf));
    assert_eq!(fw.dnat_rules[0].translated_port.value, 22);
    let dns = fw.dns.as_ref().unwrap();
    assert!(dns.proxy);
    assert_eq!(dns.servers[0].value, "10.60.2.4");
    assert_eq!(
        fw.management_subnet.as_ref().map(|s| s.value.as_str()),
        Some("vnet-hub/AzureFirewallManagementSubnet")
    );
    let data = tf
        .document
        .ip_groups
        .iter()
        .find(|g| g.name.value == "ipg-data")
        .unwrap();
    assert_eq!(
        data.addresses.len(),
        2,
        "the azurerm_ip_group_cidr joins its group"
    );
}

#[test]
fn terraform_classic_rule_collections_join_their_firewall_as_the_arm_import_reads_them() {
    let (arm, tf) = both("firewall-classic");
    assert_eq!(arm.document, tf.document, "{:#?}", left_out(&tf));
    let fw = &tf.document.firewalls[0];
    let classic = &fw.rule_collection_groups[0];
    assert_eq!(classic.name.value, "classic-rules");
    assert_eq!(classic.collections.len(), 2);
    assert_eq!(classic.collections[0].network_rules.len(), 2);
    assert_eq!(
        classic.collections[0].network_rules[1].source_ip_groups[0].value,
        "ipg-admins"
    );
    assert_eq!(classic.collections[1].application_rules.len(), 1);
    assert_eq!(fw.dnat_rules.len(), 1);
}

/// The provider writes `dns_servers` and `dns_proxy_enabled` into Azure's
/// `additionalProperties` (`Network.DNS.Servers`, `Network.DNS.EnableProxy`), and
/// `private_ip_ranges` into `Network.SNAT.PrivateRanges`, which is what the firewall import
/// reads for a firewall without a policy.
#[test]
fn a_terraform_firewall_without_a_policy_takes_its_dns_proxy_and_snat_ranges_from_its_own_attributes(
) {
    let (_, tf) = both("firewall-classic");
    let fw = &tf.document.firewalls[0];
    let dns = fw.dns.as_ref().unwrap();
    assert!(dns.proxy);
    assert_eq!(dns.servers[0].value, "10.70.1.53");
    let ron = to_ron(&tf).unwrap();
    assert!(ron.contains("\"198.18.0.0/15\""), "{ron}");
    assert!(
        ron.contains("\"100.64.0.0/10\""),
        "IANAPrivateRanges expands: {ron}"
    );
}

#[test]
fn a_terraform_nat_gateway_with_its_associations_is_the_subnet_egress_as_in_arm() {
    let (arm, tf) = both("firewall-classic");
    assert_eq!(arm.document.nat_gateways, tf.document.nat_gateways);
    let ng = &tf.document.nat_gateways[0];
    assert_eq!(ng.name.value, "ng-egress");
    assert_eq!(ng.public_ips[0].value, "198.51.100.30");
    let app = tf.document.vnets[0]
        .subnets
        .iter()
        .find(|s| s.name.value == "snet-app")
        .unwrap();
    assert_eq!(
        app.nat_gateway.as_ref().map(|n| n.value.as_str()),
        Some("ng-egress")
    );
    assert_eq!(app.default_outbound_access, Some(false));
}

#[test]
fn terraform_virtual_hubs_with_connections_route_tables_routing_intent_and_a_hub_firewall_import_as_in_arm(
) {
    let (arm, tf) = both("virtual-wan");
    assert_eq!(arm.document, tf.document, "{:#?}", left_out(&tf));
    let hubs = &tf.document.virtual_hubs;
    assert_eq!(hubs.len(), 2);
    let weu = &hubs[0];
    let intent = weu.routing_intent.as_ref().unwrap();
    assert!(intent.private_traffic && intent.internet_traffic);
    let neu = &hubs[1];
    let spoke2 = &neu.connections[0];
    assert_eq!(
        spoke2.associated.as_ref().map(|a| a.value.as_str()),
        Some("rt-spokes")
    );
    assert!(!spoke2.internet_security);
    assert_eq!(spoke2.static_routes[0].next_hop_ip.value, "10.102.1.4");
    assert_eq!(neu.route_tables[0].routes.len(), 1);
    let fw = &tf.document.firewalls[0];
    assert_eq!(fw.subnet.value, "hub-weu/AzureFirewallSubnet");
    assert_eq!(fw.private_ip.value, "10.100.0.132");
    assert_eq!(fw.public_ips[0].value, "20.50.0.9");
}

#[test]
fn a_terraform_load_balancer_with_its_pool_probe_rules_and_nic_associations_imports_as_in_arm() {
    let (arm, tf) = both("load-balancer");
    assert_eq!(arm.document, tf.document, "{:#?}", left_out(&tf));
    let lb = &tf.document.load_balancers[0];
    assert_eq!(lb.frontend_ip.value, "203.0.113.50");
    let backends: Vec<&str> = lb.backends.iter().map(|b| b.value.as_str()).collect();
    assert_eq!(backends, ["nic-vm1", "nic-vm2"]);
    assert_eq!(lb.rules[0].backend_port, 8080);
    assert_eq!(
        lb.rules[0].probe.as_ref().map(|p| p.value.as_str()),
        Some("probe-http")
    );
    assert_eq!(lb.inbound_nat_rules[0].backend.value, "nic-vm1");
    assert_eq!(lb.outbound_rules[0].frontend_ips[0].value, "203.0.113.50");
}
