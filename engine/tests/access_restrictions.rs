//! App Service access restrictions by source kind: service-endpoint rules, IP rules, service-tag
//! rules and header filters. Microsoft Learn: "Azure App Service access restrictions"
//! (<https://learn.microsoft.com/azure/app-service/overview-access-restrictions>) and "Set up
//! Azure App Service access restrictions"
//! (<https://learn.microsoft.com/azure/app-service/app-service-ip-restrictions>).

use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::trace::{trace_from, Assumption, TraceAnswer, TraceRequest, Verdict};
use azpath_engine::Loaded;

use super::support::{errors, has, load};

fn warnings(loaded: &Loaded) -> Vec<String> {
    loaded.warnings.iter().map(ToString::to_string).collect()
}

const APP_IP: &str = "20.50.1.2";

fn run(loaded: &Loaded, from: &str) -> TraceAnswer {
    let source = match from.parse() {
        Ok(ip) => TraceSource::Internet(ip),
        Err(_) => match loaded.network.nic_by_name(from) {
            Some(NicRef::Workload(w)) => TraceSource::Workload(w),
            _ => panic!("{from}"),
        },
    };
    let request = TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: APP_IP.parse().unwrap(),
        port: 443,
        source_port: 50000,
        host: Some("contoso-orders.azurewebsites.net".into()),
    };
    trace_from(&loaded.network, loaded.dataplane(), source, request).unwrap()
}

/// A spoke whose `web` and `batch` subnets have the `Microsoft.Web` service endpoint (`batch`
/// leaves to the Internet by a NAT gateway too) and whose `legacy` subnet has a NAT gateway
/// only, with an app whose rules are `RULES`.
fn estate(rules: &str, extra: &str) -> String {
    format!(
        r#"Scenario(
    service_endpoint_prefixes: [(service: "Microsoft.Web", prefixes: ["20.50.0.0/16"])],
    service_tags: [(name: "AzureFrontDoor.Backend", prefixes: ["147.243.0.0/16"]), (name: "Empty", prefixes: [])],
    vnets: [(name: "spoke", region: "westeurope", address_space: ["10.1.0.0/16"], subnets: [
        (name: "web", prefix: "10.1.1.0/24", service_endpoints: ["Microsoft.Web"]),
        (name: "batch", prefix: "10.1.2.0/24", service_endpoints: ["Microsoft.Web"], nat_gateway: "ng-batch"),
        (name: "legacy", prefix: "10.1.3.0/24", nat_gateway: "ng-legacy"),
    ])],
    nat_gateways: [(name: "ng-batch", public_ips: ["20.60.0.10"]), (name: "ng-legacy", public_ips: ["20.60.0.20"])],
    services: [(name: "orders", kind: WebApp, fqdn: "contoso-orders.azurewebsites.net", public_ip: "{APP_IP}",
        access_restrictions: ({rules}))],
    workloads: [
        (name: "vm-web", subnet: "spoke/web", ip: "10.1.1.4"),
        (name: "vm-batch", subnet: "spoke/batch", ip: "10.1.2.4"),
        (name: "vm-legacy", subnet: "spoke/legacy", ip: "10.1.3.4"),
    ],
    {extra}
)"#
    )
}

fn denied_caller(t: &TraceAnswer) -> Option<String> {
    match &t.verdict {
        Verdict::ServiceFirewallDenied { caller, .. } => Some(
            caller
                .map(|c| c.to_string())
                .unwrap_or_else(|| "unknown".into()),
        ),
        _ => None,
    }
}

fn served(t: &TraceAnswer) -> bool {
    matches!(t.verdict, Verdict::DeliveredPublicly { .. })
}

#[test]
fn a_service_endpoint_rule_admits_its_subnet_over_the_microsoft_web_service_endpoint() {
    let l = load(&estate(
        r#"rules: [(name: "web", priority: 100, action: Allow, subnet: "spoke/web")]"#,
        "",
    ));
    let t = run(&l, "vm-web");
    assert!(served(&t), "{:?}", t.verdict);
    // The app sees the subnet's private address ("the source IP is the private IP").
    assert_eq!(
        t.source_seen.and_then(|s| s.address).map(|a| a.to_string()),
        Some("10.1.1.4".to_string())
    );
    // Another subnet with the endpoint is not this rule's: unmatched, denied, seen privately.
    assert_eq!(
        denied_caller(&run(&l, "vm-batch")).as_deref(),
        Some("10.1.2.4")
    );
}

#[test]
fn an_ip_rule_for_the_subnets_public_egress_address_does_not_match_service_endpoint_traffic() {
    let l = load(&estate(
        r#"rules: [(name: "batch-nat", priority: 100, action: Allow, ip: "20.60.0.10/32")]"#,
        "",
    ));
    assert_eq!(
        denied_caller(&run(&l, "vm-batch")).as_deref(),
        Some("10.1.2.4")
    );
    // Nor does an IP rule for the subnet's private range in the multitenant service.
    let l = load(&estate(
        r#"rules: [(name: "batch-range", priority: 100, action: Allow, ip: "10.1.2.0/24")]"#,
        "",
    ));
    assert_eq!(
        denied_caller(&run(&l, "vm-batch")).as_deref(),
        Some("10.1.2.4")
    );
}

#[test]
fn a_service_endpoint_rule_does_not_match_a_subnet_without_the_microsoft_web_service_endpoint() {
    let l = load(&estate(
        r#"rules: [(name: "legacy", priority: 100, action: Allow, subnet: "spoke/legacy")]"#,
        "",
    ));
    has(&warnings(&l), "no `Microsoft.Web` service endpoint");
    // Its requests leave by the NAT gateway and arrive from that public address.
    assert_eq!(
        denied_caller(&run(&l, "vm-legacy")).as_deref(),
        Some("20.60.0.20")
    );
    // Which an IP rule does match.
    let l = load(&estate(
        r#"rules: [(name: "legacy-nat", priority: 100, action: Allow, ip: "20.60.0.20/32")]"#,
        "",
    ));
    assert!(served(&run(&l, "vm-legacy")));
}

#[test]
fn any_vnets_admits_every_subnet_with_the_service_endpoint_and_no_public_caller() {
    let l = load(&estate(
        r#"rules: [(name: "any", priority: 100, action: Allow, ip: "AnyVnets")]"#,
        "",
    ));
    assert!(served(&run(&l, "vm-web")));
    assert!(served(&run(&l, "vm-batch")));
    assert!(denied_caller(&run(&l, "vm-legacy")).is_some());
    assert!(denied_caller(&run(&l, "52.160.0.7")).is_some());
}

const FRONT_DOOR: &str = r#"(name: "front-door", priority: 100, action: Allow, service_tag: "AzureFrontDoor.Backend",
    headers: [(name: "x-azure-fdid", values: ["9e8b1a52-5f35-4c4a-9f0e-3c1d2b7a6e41"])])"#;

#[test]
fn a_service_tag_rule_matches_the_tags_declared_prefixes_and_states_the_header_assumption() {
    let l = load(&estate(&format!("rules: [{FRONT_DOOR}]"), ""));
    let t = run(&l, "147.243.10.20");
    assert!(served(&t), "{:?}", t.verdict);
    assert!(
        t.assumptions.iter().any(|a| matches!(
            &a.assumption,
            Assumption::AccessRestrictionHeaders { rule, present: true } if rule == "front-door"
        )),
        "{:?}",
        t.assumptions
    );
    let t = run(&l, "52.160.0.7");
    assert_eq!(denied_caller(&t).as_deref(), Some("52.160.0.7"));
    assert!(t.assumptions.is_empty(), "{:?}", t.assumptions);
}

#[test]
fn a_rule_with_header_filters_does_not_apply_when_the_request_lacks_the_headers() {
    let l = load(&estate(
        &format!("rules: [{FRONT_DOOR}], headers_present: false"),
        "",
    ));
    let t = run(&l, "147.243.10.20");
    assert_eq!(denied_caller(&t).as_deref(), Some("147.243.10.20"));
    assert!(t.assumptions.iter().any(|a| matches!(
        &a.assumption,
        Assumption::AccessRestrictionHeaders { present: false, .. }
    )));
}

#[test]
fn a_service_tag_rule_is_refused_when_the_tag_has_no_declared_prefixes() {
    let e = errors(&estate(
        r#"rules: [(name: "fd", priority: 100, action: Allow, service_tag: "AzureFrontDoor.Frontend")]"#,
        "",
    ));
    has(&e, "whose prefixes this scenario does not declare");
    has(&e, "bad.ron:");
}

#[test]
fn a_service_tag_declared_with_no_prefixes_is_refused_in_a_rule() {
    let e = errors(&estate(
        r#"rules: [(name: "empty", priority: 100, action: Allow, service_tag: "Empty")]"#,
        "",
    ));
    has(&e, "declared with no prefixes");
}

#[test]
fn a_rule_names_exactly_one_kind_of_source() {
    let e = errors(&estate(
        r#"rules: [(name: "both", priority: 100, action: Allow, ip: "203.0.113.0/24", subnet: "spoke/web")]"#,
        "",
    ));
    has(&e, "exactly one of `ip`, `service_tag` and `subnet`");
    let e = errors(&estate(
        r#"rules: [(name: "none", priority: 100, action: Allow)]"#,
        "",
    ));
    has(&e, "exactly one of");
}

#[test]
fn a_multi_source_rule_holds_at_most_eight_ranges() {
    let nine: Vec<String> = (1..=9).map(|i| format!("203.0.113.{i}/32")).collect();
    let e = errors(&estate(
        &format!(
            r#"rules: [(name: "many", priority: 100, action: Allow, ip: "{}")]"#,
            nine.join(",")
        ),
        "",
    ));
    has(&e, "combines 9 sources");
    // Eight are fine, and each one matches.
    let l = load(&estate(
        &format!(
            r#"rules: [(name: "many", priority: 100, action: Allow, ip: "{}")]"#,
            nine.get(..8).unwrap().join(", ")
        ),
        "",
    ));
    assert!(served(&run(&l, "203.0.113.8")));
    assert!(denied_caller(&run(&l, "203.0.113.9")).is_some());
}

#[test]
fn only_the_four_documented_headers_can_be_filtered() {
    let e = errors(&estate(
        r#"rules: [(name: "h", priority: 100, action: Allow, ip: "203.0.113.0/24", headers: [(name: "X-Azure-FDI", values: ["x"])])]"#,
        "",
    ));
    has(&e, "which App Service does not support");
    has(&e, "X-Azure-FDID");
}

#[test]
fn a_service_endpoint_rule_on_an_app_with_a_private_endpoint_is_warned_as_unsupported() {
    let text = estate(
        r#"rules: [(name: "web", priority: 100, action: Allow, subnet: "spoke/web")]"#,
        r#"private_endpoints: [(name: "pe-orders", subnet: "spoke/web", ip: "10.1.1.10", target: "orders")],"#,
    )
    .replace(
        "access_restrictions:",
        "public_network_access: Enabled, access_restrictions:",
    );
    let l = load(&text);
    has(&warnings(&l), "which App Service does not support");
}

#[test]
fn an_unknown_subnet_in_a_service_endpoint_rule_is_refused() {
    let e = errors(&estate(
        r#"rules: [(name: "w", priority: 100, action: Allow, subnet: "spoke/webb")]"#,
        "",
    ));
    has(&e, "unknown subnet `spoke/webb`");
}

#[test]
fn an_integrated_app_calls_another_app_over_its_integration_subnets_service_endpoint() {
    // Without route-all, an integrated app still sends its integration subnet's service-endpoint
    // destinations into the VNet ("Integrate your app with an Azure virtual network"), so the
    // called app sees the integration subnet; with its rule allowing that subnet, it answers.
    let text = estate(
        r#"rules: [(name: "caller", priority: 100, action: Allow, subnet: "spoke/integration")]"#,
        r#"app_services: [(name: "caller-app", integration_subnet: "spoke/integration", route_all: false, outbound_ip: "20.70.0.1")],"#,
    )
    .replace(
        r#"(name: "legacy", prefix: "10.1.3.0/24", nat_gateway: "ng-legacy"),"#,
        r#"(name: "legacy", prefix: "10.1.3.0/24", nat_gateway: "ng-legacy"),
        (name: "integration", prefix: "10.1.5.0/26", delegations: ["Microsoft.Web/serverFarms"], service_endpoints: ["Microsoft.Web"]),"#,
    );
    let l = load(&text);
    let t = run(&l, "caller-app");
    assert!(served(&t), "{:?}", t.verdict);
    // Without the endpoint it leaves from its own outbound address, which the subnet rule
    // does not match.
    let l = load(&text.replace(
        r#"delegations: ["Microsoft.Web/serverFarms"], service_endpoints: ["Microsoft.Web"]"#,
        r#"delegations: ["Microsoft.Web/serverFarms"]"#,
    ));
    assert_eq!(
        denied_caller(&run(&l, "caller-app")).as_deref(),
        Some("20.70.0.1")
    );
}
