//! A flow that reaches a service is served only on the ports the service listens on
//! (`model::service_ports`), at its private endpoints and at its public endpoint alike.

use azpath_engine::load_str;
use azpath_engine::model::{FlowProtocol, NicRef, ServiceKind};
use azpath_engine::trace::{trace, Assumption, Symptom, TraceAnswer, TraceRequest, Verdict};

fn run(ron: &str, protocol: FlowProtocol, to: &str, port: u16) -> TraceAnswer {
    let loaded = load_str("case.ron", ron).unwrap_or_else(|e| panic!("{e}"));
    let Some(NicRef::Workload(w)) = loaded.network.nic_by_name("vm") else {
        panic!("vm")
    };
    let request = TraceRequest {
        protocol,
        destination: to.parse().unwrap(),
        port,
        source_port: 50000,
        // The client asks for the service's own name, so the certificate check passes.
        host: loaded
            .network
            .services
            .iter()
            .next()
            .map(|s| s.fqdn.clone()),
    };
    trace(&loaded.network, loaded.dataplane(), w, request).unwrap()
}

/// A VM, a private endpoint for a service of kind `KIND`, and the service's public address.
const ESTATE: &str = r#"Scenario(
    SWITCHES
    vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [
        (name: "app", prefix: "10.0.1.0/24"),
        (name: "pe", prefix: "10.0.2.0/24"),
    ])],
    services: [(name: "svc", kind: KIND, fqdn: "FQDN", public_ip: "20.50.0.10")],
    private_endpoints: [(name: "pe-svc", subnet: "v/pe", ip: "10.0.2.4", target: "svc")],
    workloads: [(name: "vm", subnet: "v/app", ip: "10.0.1.4")],
)"#;

fn estate(kind: &str, fqdn: &str, switches: &str) -> String {
    ESTATE
        .replace("SWITCHES", switches)
        .replace("KIND", kind)
        .replace("FQDN", fqdn)
}

fn key_vault(switches: &str) -> String {
    estate("KeyVault", "contoso.vault.azure.net", switches)
}

#[test]
fn a_key_vault_private_endpoint_on_1433_is_not_served_and_times_out() {
    let served = run(&key_vault(""), FlowProtocol::Tcp, "10.0.2.4", 443);
    assert_eq!(served.verdict, Verdict::Delivered);
    let t = run(&key_vault(""), FlowProtocol::Tcp, "10.0.2.4", 1433);
    let Verdict::PortNotServed {
        service,
        kind,
        port,
        listens,
        refused,
        ..
    } = &t.verdict
    else {
        panic!("{:?}", t.verdict)
    };
    assert_eq!(
        (service.as_str(), *kind, *port),
        ("svc", ServiceKind::KeyVault, 1433)
    );
    assert_eq!(listens.len(), 1);
    assert_eq!((listens[0].first, listens[0].last), (443, 443));
    assert!(!refused);
    assert_eq!(t.verdict.symptom(), Symptom::ConnectTimeout);
    assert!(t.assumptions.iter().any(|a| a.assumption
        == Assumption::UnservedPortAnswer { refused: false }
        && a.unconfirmed));
}

#[test]
fn an_unserved_port_is_refused_when_the_switch_says_so() {
    let ron = key_vault("assumptions: (unserved_port_refused: true),");
    let t = run(&ron, FlowProtocol::Tcp, "10.0.2.4", 1433);
    assert!(
        matches!(t.verdict, Verdict::PortNotServed { refused: true, .. }),
        "{:?}",
        t.verdict
    );
    assert_eq!(t.verdict.symptom(), Symptom::ConnectionRefused);
}

#[test]
fn a_service_serves_no_udp() {
    let t = run(&key_vault(""), FlowProtocol::Udp, "10.0.2.4", 443);
    assert!(
        matches!(
            t.verdict,
            Verdict::PortNotServed {
                protocol: FlowProtocol::Udp,
                ..
            }
        ),
        "{:?}",
        t.verdict
    );
}

#[test]
fn a_key_vault_public_endpoint_on_1433_is_not_served() {
    let t = run(&key_vault(""), FlowProtocol::Tcp, "20.50.0.10", 1433);
    assert!(
        matches!(t.verdict, Verdict::PortNotServed { port: 1433, .. }),
        "{:?}",
        t.verdict
    );
    let t = run(&key_vault(""), FlowProtocol::Tcp, "20.50.0.10", 443);
    assert!(
        matches!(t.verdict, Verdict::DeliveredPublicly { .. }),
        "{:?}",
        t.verdict
    );
}

#[test]
fn the_sql_gateway_serves_1433_and_its_private_endpoint_the_redirect_range() {
    let ron = estate("Sql", "contoso.database.windows.net", "");
    let public = run(&ron, FlowProtocol::Tcp, "20.50.0.10", 11000);
    assert!(
        matches!(public.verdict, Verdict::PortNotServed { .. }),
        "{:?}",
        public.verdict
    );
    let private = run(&ron, FlowProtocol::Tcp, "10.0.2.4", 11000);
    assert_eq!(private.verdict, Verdict::Delivered);
    let below = run(&ron, FlowProtocol::Tcp, "10.0.2.4", 443);
    assert!(
        matches!(below.verdict, Verdict::PortNotServed { .. }),
        "{:?}",
        below.verdict
    );
}

#[test]
fn storage_plain_http_is_served_only_without_secure_transfer_and_says_so() {
    let ron = estate("StorageBlob", "contoso.blob.core.windows.net", "");
    let t = run(&ron, FlowProtocol::Tcp, "10.0.2.4", 80);
    assert_eq!(t.verdict, Verdict::Delivered);
    assert!(t.assumptions.iter().any(|a| a.assumption
        == Assumption::SecureTransferAssumedOff {
            service: "svc".into()
        }));
    let https = run(&ron, FlowProtocol::Tcp, "10.0.2.4", 443);
    assert!(!https
        .assumptions
        .iter()
        .any(|a| matches!(a.assumption, Assumption::SecureTransferAssumedOff { .. })));
}

/// A storage account (blob) whose "secure transfer required" is `setting`.
fn storage_with_secure_transfer(setting: bool) -> String {
    estate("StorageBlob", "contoso.blob.core.windows.net", "").replace(
        r#"public_ip: "20.50.0.10")"#,
        &format!(r#"public_ip: "20.50.0.10", secure_transfer_required: {setting})"#),
    )
}

fn states_secure_transfer_assumed(t: &TraceAnswer) -> bool {
    t.assumptions
        .iter()
        .any(|a| matches!(a.assumption, Assumption::SecureTransferAssumedOff { .. }))
}

/// "Require secure transfer to ensure secure connections": when it is required, "any request
/// made over HTTP is rejected" (HTTP 400), at a private endpoint and at the public endpoint.
#[test]
fn storage_rejects_plain_http_when_secure_transfer_is_required() {
    let ron = storage_with_secure_transfer(true);
    for to in ["10.0.2.4", "20.50.0.10"] {
        let t = run(&ron, FlowProtocol::Tcp, to, 80);
        assert_eq!(
            t.verdict,
            Verdict::SecureTransferRequired {
                service: "svc".into(),
                kind: ServiceKind::StorageBlob,
            },
            "to {to}"
        );
        assert_eq!(t.verdict.symptom(), Symptom::SecureTransferRequired);
        assert!(!t.verdict.is_success());
        assert!(!states_secure_transfer_assumed(&t));
    }
    let https = run(&ron, FlowProtocol::Tcp, "10.0.2.4", 443);
    assert_eq!(https.verdict, Verdict::Delivered);
}

#[test]
fn storage_serves_plain_http_without_assuming_when_secure_transfer_is_not_required() {
    let t = run(
        &storage_with_secure_transfer(false),
        FlowProtocol::Tcp,
        "10.0.2.4",
        80,
    );
    assert_eq!(t.verdict, Verdict::Delivered);
    assert!(!states_secure_transfer_assumed(&t));
}

/// A port a storage account does not serve at all stays `PortNotServed`, whatever its secure
/// transfer setting.
#[test]
fn secure_transfer_decides_only_plain_http() {
    let t = run(
        &storage_with_secure_transfer(true),
        FlowProtocol::Tcp,
        "10.0.2.4",
        1433,
    );
    assert!(
        matches!(t.verdict, Verdict::PortNotServed { .. }),
        "{:?}",
        t.verdict
    );
}

#[test]
fn secure_transfer_on_a_service_that_is_no_storage_account_is_refused_where_it_is_set() {
    let text = key_vault("").replace(
        r#"public_ip: "20.50.0.10")"#,
        "public_ip: \"20.50.0.10\",\n        secure_transfer_required: true)",
    );
    let e = super::support::errors(&text);
    super::support::has(
        &e,
        "only a storage account has \"secure transfer required\"",
    );
    // The setting's own line (the service entry's second line).
    super::support::has(&e, "bad.ron:8:");
}

#[test]
fn a_kind_without_a_documented_port_table_is_not_answered_confidently() {
    let ron = estate(
        "CosmosDbAnalytical",
        "contoso.analytics.cosmos.azure.com",
        "",
    );
    let t = run(&ron, FlowProtocol::Tcp, "10.0.2.4", 443);
    assert_eq!(t.verdict, Verdict::Delivered);
    assert!(t.assumptions.iter().any(|a| a.assumption
        == Assumption::ServicePortsUnknown {
            service: "svc".into(),
            port: 443
        }));
}

#[test]
fn a_vnet_injected_api_management_gateway_serves_http_and_https_only() {
    let ron = r#"Scenario(
        vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [
            (name: "app", prefix: "10.0.1.0/24"),
            (name: "apim", prefix: "10.0.7.0/27"),
        ])],
        api_managements: [(name: "contoso-apim", mode: Internal, subnet: "v/apim", private_ip: "10.0.7.4")],
        workloads: [(name: "vm", subnet: "v/app", ip: "10.0.1.4")],
    )"#;
    let t = run(ron, FlowProtocol::Tcp, "10.0.7.4", 8080);
    assert!(
        matches!(
            &t.verdict,
            Verdict::PortNotServed { service, kind: ServiceKind::ApiManagement, port: 8080, .. }
                if service == "contoso-apim"
        ),
        "{:?}",
        t.verdict
    );
    // On 443 the gateway answers, and its host-name check decides (an address is no host it
    // serves).
    let t = run(ron, FlowProtocol::Tcp, "10.0.7.4", 443);
    assert!(
        matches!(t.verdict, Verdict::HostNotServed { .. }),
        "{:?}",
        t.verdict
    );
}
