//! The advanced tools (scm, Kudu) site of an App Service app, `<app>.scm.azurewebsites.net`.
//! Microsoft Learn, "Azure App Service access restrictions"
//! (<https://learn.microsoft.com/azure/app-service/overview-access-restrictions>): app access
//! (`publicNetworkAccess`) is evaluated first, for both sites; "For any app, you have both the
//! main site and the advanced tools site"; the advanced tools site "has an individual rules
//! collection", its own unmatched rule, and "A setting allows you to use the rules configured
//! for the main site"; access restrictions don't apply through a private endpoint. "Use private
//! endpoints for Azure App Service apps"
//! (<https://learn.microsoft.com/azure/app-service/overview-private-endpoint>): the Kudu
//! console through a private endpoint needs `mywebapp.scm.privatelink.azurewebsites.net`
//! beside `mywebapp.privatelink.azurewebsites.net`.

use azpath_engine::dns::{resolve, DnsOutcome};
use azpath_engine::model::{FlowProtocol, NicRef, Resolver, TraceSource};
use azpath_engine::trace::{trace_from, TraceAnswer, TraceRequest, Verdict};
use azpath_engine::Loaded;

use super::support::{errors, has, load};

const APP_IP: &str = "20.50.1.2";
const MAIN: &str = "contoso-orders.azurewebsites.net";
const SCM: &str = "contoso-orders.scm.azurewebsites.net";

/// A spoke with a build subnet and an endpoint subnet, and the web app `orders` with the
/// settings `app` (fields of its service entry); `extra` adds top-level fields.
fn estate(app: &str, extra: &str) -> String {
    format!(
        r#"Scenario(
    vnets: [(name: "spoke", region: "westeurope", address_space: ["10.1.0.0/16"], subnets: [
        (name: "build", prefix: "10.1.1.0/24"),
        (name: "pe", prefix: "10.1.2.0/24"),
    ])],
    services: [(name: "orders", kind: WebApp, fqdn: "{MAIN}", public_ip: "{APP_IP}", {app})],
    workloads: [(name: "vm-build", subnet: "spoke/build", ip: "10.1.1.4")],
    {extra}
)"#
    )
}

/// A request from `from` (an Internet address or a workload) to `to` for `host`.
fn run(loaded: &Loaded, from: &str, to: &str, host: &str) -> TraceAnswer {
    let source = match from.parse() {
        Ok(ip) => TraceSource::Internet(ip),
        Err(_) => match loaded.network.nic_by_name(from) {
            Some(NicRef::Workload(w)) => TraceSource::Workload(w),
            _ => panic!("{from}"),
        },
    };
    let request = TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: to.parse().unwrap(),
        port: 443,
        source_port: 50000,
        host: Some(host.into()),
    };
    trace_from(&loaded.network, loaded.dataplane(), source, request).unwrap()
}

fn served(t: &TraceAnswer) -> bool {
    matches!(t.verdict, Verdict::DeliveredPublicly { .. })
}

fn denied(t: &TraceAnswer) -> bool {
    matches!(t.verdict, Verdict::ServiceFirewallDenied { .. })
}

const OFFICE_RULE: &str =
    r#"(rules: [(name: "office", priority: 100, action: Allow, ip: "203.0.113.0/24")])"#;

#[test]
fn the_advanced_tools_site_has_its_own_rules_and_unmatched_action() {
    let l = load(&estate(
        &format!("scm_access_restrictions: {OFFICE_RULE}"),
        "",
    ));
    // The main site restricts nothing.
    assert!(served(&run(&l, "52.160.0.7", APP_IP, MAIN)));
    // The scm site allows the office, and denies the rest once a rule exists.
    assert!(served(&run(&l, "203.0.113.7", APP_IP, SCM)));
    let t = run(&l, "52.160.0.7", APP_IP, SCM);
    assert!(denied(&t), "{:?}", t.verdict);
    // Its unmatched rule can be set on its own: Deny with no rules closes it.
    let l = load(&estate(
        "scm_access_restrictions: (unmatched_action: Deny)",
        "",
    ));
    assert!(denied(&run(&l, "203.0.113.7", APP_IP, SCM)));
    assert!(served(&run(&l, "203.0.113.7", APP_IP, MAIN)));
}

#[test]
fn without_its_own_rules_the_advanced_tools_site_restricts_nothing_even_when_the_main_site_does() {
    let l = load(&estate(&format!("access_restrictions: {OFFICE_RULE}"), ""));
    assert!(denied(&run(&l, "52.160.0.7", APP_IP, MAIN)));
    assert!(served(&run(&l, "52.160.0.7", APP_IP, SCM)));
}

#[test]
fn use_main_site_rules_gives_the_advanced_tools_site_the_main_sites_rules() {
    let l = load(&estate(
        &format!("access_restrictions: {OFFICE_RULE}, scm_use_main_restrictions: true"),
        "",
    ));
    assert!(served(&run(&l, "203.0.113.7", APP_IP, SCM)));
    assert!(denied(&run(&l, "52.160.0.7", APP_IP, SCM)));
    // `false` is Azure's default: the scm site's own (here none) apply.
    let l = load(&estate(
        &format!("access_restrictions: {OFFICE_RULE}, scm_use_main_restrictions: false"),
        "",
    ));
    assert!(served(&run(&l, "52.160.0.7", APP_IP, SCM)));
}

#[test]
fn public_network_access_disabled_closes_the_advanced_tools_site_too() {
    let l = load(&estate("public_network_access: Disabled", ""));
    let t = run(&l, "203.0.113.7", APP_IP, SCM);
    assert!(
        matches!(t.verdict, Verdict::PublicAccessDisabled { .. }),
        "{:?}",
        t.verdict
    );
}

const ENDPOINT: &str = r#"private_endpoints: [(name: "pe-orders", subnet: "spoke/pe", ip: "10.1.2.4", target: "orders")],"#;

fn zone(records: &str) -> String {
    format!(
        r#"{ENDPOINT}
    dns: (zones: [(name: "privatelink.azurewebsites.net", links: ["spoke"], records: [{records}])]),"#
    )
}

#[test]
fn access_restrictions_do_not_apply_to_the_advanced_tools_site_through_a_private_endpoint() {
    let l = load(&estate(
        "public_network_access: Enabled, scm_access_restrictions: (unmatched_action: Deny)",
        &zone(r#"(name: "contoso-orders.scm", a: ["10.1.2.4"])"#),
    ));
    // Publicly the scm site denies; through the endpoint it answers, and the default
    // certificate covers the scm name.
    assert!(denied(&run(&l, "52.160.0.7", APP_IP, SCM)));
    let t = run(&l, "vm-build", "10.1.2.4", SCM);
    assert!(matches!(t.verdict, Verdict::Delivered), "{:?}", t.verdict);
}

#[test]
fn the_scm_name_resolves_through_its_own_record_beside_the_apps_in_the_privatelink_zone() {
    let l = load(&estate(
        "",
        &zone(
            r#"(name: "contoso-orders", a: ["10.1.2.4"]), (name: "contoso-orders.scm", a: ["10.1.2.4"])"#,
        ),
    ));
    let net = &l.network;
    let spoke = net
        .vnets
        .iter_ids()
        .find(|(_, v)| v.name == "spoke")
        .map(|(id, _)| id)
        .unwrap();
    let r = resolve(net, Resolver::Vnet(spoke), SCM);
    assert_eq!(
        r.outcome,
        DnsOutcome::Resolved {
            addresses: vec!["10.1.2.4".parse().unwrap()]
        },
        "{r:#?}"
    );
    // Public DNS: a CNAME to the scm privatelink name, which answers the public address.
    let r = resolve(net, Resolver::Internet, SCM);
    assert_eq!(
        r.outcome,
        DnsOutcome::Resolved {
            addresses: vec![APP_IP.parse().unwrap()]
        },
        "{r:#?}"
    );
    assert!(
        format!("{r:?}").contains("contoso-orders.scm.privatelink.azurewebsites.net"),
        "{r:#?}"
    );
    // With only the app's record, the scm name finds none in the zone.
    let l = load(&estate(
        "",
        &zone(r#"(name: "contoso-orders", a: ["10.1.2.4"])"#),
    ));
    let r = resolve(&l.network, Resolver::Vnet(spoke), SCM);
    assert_eq!(r.outcome, DnsOutcome::NxDomain, "{r:#?}");
}

#[test]
fn scm_settings_on_a_service_that_is_not_a_web_app_are_refused() {
    let text = r#"Scenario(
    services: [(name: "blob", kind: StorageBlob, fqdn: "acct.blob.core.windows.net", scm_use_main_restrictions: true)],
)"#;
    let e = errors(text);
    has(
        &e,
        "only App Service web apps have an advanced tools (scm) site",
    );
    has(&e, "bad.ron:2:");
}

#[test]
fn use_main_site_rules_beside_the_sites_own_rules_is_refused_where_it_is_set() {
    let e = errors(&estate(
        &format!(
            "access_restrictions: {OFFICE_RULE},\n scm_use_main_restrictions: true, scm_access_restrictions: {OFFICE_RULE}"
        ),
        "",
    ));
    has(
        &e,
        "sets `scm_use_main_restrictions: true` and its own `scm_access_restrictions`",
    );
    // The flag's own line (the service entry's second line).
    has(&e, "bad.ron:7:");
}

#[test]
fn the_advanced_tools_sites_rules_are_checked_like_the_main_sites() {
    let e = errors(&estate(
        r#"scm_access_restrictions: (rules: [(name: "h", priority: 0, action: Allow, ip: "203.0.113.0/24", headers: [(name: "X-Azure-FDI", values: ["x"])])])"#,
        "",
    ));
    has(&e, "has priority 0");
    has(&e, "which App Service does not support");
}

#[test]
fn a_service_endpoint_rule_on_the_advanced_tools_site_of_an_app_with_a_private_endpoint_is_warned()
{
    let l = load(&estate(
        r#"public_network_access: Enabled, scm_access_restrictions: (rules: [(name: "any", priority: 100, action: Allow, ip: "AnyVnets")])"#,
        ENDPOINT,
    ));
    let w: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
    has(&w, "which App Service does not support");
}

#[test]
fn a_service_endpoint_rule_of_the_advanced_tools_site_admits_its_subnet_over_the_service_endpoint()
{
    let text = estate(
        r#"scm_access_restrictions: (rules: [(name: "build", priority: 100, action: Allow, subnet: "spoke/build")])"#,
        r#"service_endpoint_prefixes: [(service: "Microsoft.Web", prefixes: ["20.50.0.0/16"])],"#,
    )
    .replace(
        r#"(name: "build", prefix: "10.1.1.0/24")"#,
        r#"(name: "build", prefix: "10.1.1.0/24", service_endpoints: ["Microsoft.Web"])"#,
    );
    let l = load(&text);
    let t = run(&l, "vm-build", APP_IP, SCM);
    assert!(served(&t), "{:?}", t.verdict);
    // Any public caller: no rule matches, and the scm site denies once a rule exists.
    assert!(denied(&run(&l, "52.160.0.7", APP_IP, SCM)));
}
