//! Services answering on several names, each with its own privatelink zone ("Azure Private
//! Endpoint private DNS zone values",
//! <https://learn.microsoft.com/azure/private-link/private-endpoint-dns>; "Set up private
//! networking for Foundry Agent Service",
//! <https://learn.microsoft.com/azure/ai-foundry/agents/how-to/virtual-networks>; "Use private
//! endpoints for Azure Storage",
//! <https://learn.microsoft.com/azure/storage/common/storage-private-endpoints>).

use super::super::*;

/// One VNet with an AI services account and a storage account's blob and file endpoints, each
/// behind a private endpoint; `zones` inside `dns: (zones: [...])`.
fn net(zones: &str) -> crate::Loaded {
    let ron = format!(
        r#"Scenario(
        vnets: [(name: "ai", region: "swedencentral", address_space: ["10.20.0.0/16"], subnets: [
            (name: "pe", prefix: "10.20.2.0/24"), (name: "app", prefix: "10.20.1.0/24")])],
        services: [
            (name: "foundry", kind: AiServices, fqdn: "contoso-ai.services.ai.azure.com", public_ip: "20.91.0.10", public_network_access: Disabled),
            (name: "st-blob", kind: StorageBlob, fqdn: "contosost.blob.core.windows.net", public_ip: "20.91.0.20"),
            (name: "st-file", kind: StorageFile, fqdn: "contosost.file.core.windows.net", public_ip: "20.91.0.21"),
        ],
        private_endpoints: [
            (name: "pe-foundry", subnet: "ai/pe", ip: "10.20.2.4", target: "foundry"),
            (name: "pe-blob", subnet: "ai/pe", ip: "10.20.2.5", target: "st-blob"),
            (name: "pe-file", subnet: "ai/pe", ip: "10.20.2.6", target: "st-file"),
        ],
        workloads: [(name: "vm", subnet: "ai/app", ip: "10.20.1.4")],
        dns: (zones: [{zones}]),
    )"#
    );
    crate::load_str("names.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"))
}

const ALL_ZONES: &str = r#"
    (name: "privatelink.cognitiveservices.azure.com", links: ["ai"], records: [(name: "contoso-ai", a: ["10.20.2.4"])]),
    (name: "privatelink.openai.azure.com", links: ["ai"], records: [(name: "contoso-ai", a: ["10.20.2.4"])]),
    (name: "privatelink.services.ai.azure.com", links: ["ai"], records: [(name: "contoso-ai", a: ["10.20.2.4"])]),
    (name: "privatelink.blob.core.windows.net", links: ["ai"], records: [(name: "contosost", a: ["10.20.2.5"])]),
    (name: "privatelink.file.core.windows.net", links: ["ai"], records: [(name: "contosost", a: ["10.20.2.6"])]),
"#;

fn ask(l: &crate::Loaded, name: &str) -> Resolution {
    let v = l
        .network
        .vnets
        .position(|x| x.name == "ai")
        .unwrap_or_else(|| panic!("ai"));
    resolve(&l.network, Resolver::Vnet(v), name)
}

fn outside(l: &crate::Loaded, name: &str) -> Resolution {
    resolve(&l.network, Resolver::Internet, name)
}

fn addresses(r: &Resolution) -> Vec<String> {
    match &r.outcome {
        DnsOutcome::Resolved { addresses } => addresses.iter().map(ToString::to_string).collect(),
        other => vec![format!("{other:?}")],
    }
}

fn aliases(r: &Resolution) -> Vec<(String, String)> {
    r.steps
        .iter()
        .filter_map(|s| match s {
            DnsStep::Alias { from, to, .. } => Some((from.clone(), to.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn an_ai_services_account_answers_privately_on_each_of_its_three_names() {
    let l = net(ALL_ZONES);
    for (name, privatelink) in [
        (
            "contoso-ai.cognitiveservices.azure.com",
            "contoso-ai.privatelink.cognitiveservices.azure.com",
        ),
        (
            "contoso-ai.openai.azure.com",
            "contoso-ai.privatelink.openai.azure.com",
        ),
        (
            "contoso-ai.services.ai.azure.com",
            "contoso-ai.privatelink.services.ai.azure.com",
        ),
    ] {
        let r = ask(&l, name);
        assert_eq!(addresses(&r), ["10.20.2.4"], "{name}");
        assert_eq!(
            aliases(&r),
            [(name.to_string(), privatelink.to_string())],
            "{name}"
        );
    }
}

#[test]
fn each_name_of_an_ai_services_account_needs_its_own_zone_linked() {
    // Only the openai zone: the two other names are still CNAMEs into their own privatelink
    // zones, which this VNet does not hold, so they answer the public endpoint.
    let l = net(
        r#"(name: "privatelink.openai.azure.com", links: ["ai"], records: [(name: "contoso-ai", a: ["10.20.2.4"])])"#,
    );
    assert_eq!(
        addresses(&ask(&l, "contoso-ai.openai.azure.com")),
        ["10.20.2.4"]
    );
    assert_eq!(
        addresses(&ask(&l, "contoso-ai.cognitiveservices.azure.com")),
        ["20.91.0.10"]
    );
    let r = ask(&l, "contoso-ai.services.ai.azure.com");
    assert_eq!(addresses(&r), ["20.91.0.10"]);
    assert_eq!(
        aliases(&r),
        [(
            "contoso-ai.services.ai.azure.com".to_string(),
            "contoso-ai.privatelink.services.ai.azure.com".to_string()
        )]
    );
}

#[test]
fn outside_the_vnet_every_name_of_an_ai_services_account_is_the_privatelink_cname_then_the_public_address(
) {
    let l = net(ALL_ZONES);
    for name in [
        "contoso-ai.cognitiveservices.azure.com",
        "contoso-ai.openai.azure.com",
        "contoso-ai.services.ai.azure.com",
    ] {
        let r = outside(&l, name);
        assert_eq!(addresses(&r), ["20.91.0.10"], "{name}");
        assert_eq!(aliases(&r).len(), 1, "{name}");
    }
}

#[test]
fn storage_blob_and_file_endpoints_each_resolve_through_their_own_zone() {
    let l = net(ALL_ZONES);
    let r = ask(&l, "contosost.blob.core.windows.net");
    assert_eq!(addresses(&r), ["10.20.2.5"]);
    let r = ask(&l, "contosost.file.core.windows.net");
    assert_eq!(addresses(&r), ["10.20.2.6"]);
    assert_eq!(
        aliases(&r),
        [(
            "contosost.file.core.windows.net".to_string(),
            "contosost.privatelink.file.core.windows.net".to_string()
        )]
    );
}

#[test]
fn a_name_the_service_kind_does_not_answer_on_is_not_invented() {
    // A storage account's blob service does not answer on the queue endpoint unless the queue
    // is declared; an account name under an AI zone the kind lacks is no service name.
    let l = net(ALL_ZONES);
    assert_eq!(
        addresses(&outside(&l, "contosost.queue.core.windows.net")),
        ["NxDomain"]
    );
    assert_eq!(
        addresses(&outside(&l, "contoso-ai.search.windows.net")),
        ["NxDomain"]
    );
}

#[test]
fn the_certificate_of_an_ai_services_account_covers_each_of_its_names() {
    let l = net(ALL_ZONES);
    let s = l
        .network
        .services
        .iter()
        .find(|s| s.name == "foundry")
        .unwrap_or_else(|| panic!("foundry"));
    for name in [
        "contoso-ai.cognitiveservices.azure.com",
        "contoso-ai.openai.azure.com",
        "contoso-ai.services.ai.azure.com",
    ] {
        assert!(s.certificate_covers(name), "{name}");
    }
    assert_eq!(s.fqdn, "contoso-ai.services.ai.azure.com");
    assert_eq!(s.fqdns.len(), 3);
}

/// TLS compares host names without case and a wildcard covers exactly one label
/// (<https://learn.microsoft.com/azure/app-service/configure-ssl-certificate>: a wildcard
/// certificate "secures all subdomains one level below"; RFC 6125 §6.4.3).
#[test]
fn a_certificate_covers_a_host_in_any_case_and_a_wildcard_covers_one_label() {
    let l = net(ALL_ZONES);
    let s = l
        .network
        .services
        .iter()
        .find(|s| s.name == "foundry")
        .unwrap_or_else(|| panic!("foundry"));
    assert!(s.certificate_covers("Contoso-AI.OpenAI.Azure.COM."));
    assert!(s.certificate_covers("CONTOSO-AI.cognitiveservices.azure.com"));
    assert!(!s.certificate_covers("a.contoso-ai.openai.azure.com"));
    assert!(!s.certificate_covers("contoso-ai.openai.azure.co"));
    // A name outside ASCII is lowered in full before the comparison.
    assert!(s.certificate_covers("Contoso-AÏ.OpenAI.azure.com"));
    assert!(!s.certificate_covers("x.Contoso-AÏ.OpenAI.azure.com"));
}

#[test]
fn a_service_fqdn_outside_every_zone_of_its_kind_is_refused_with_the_zones_it_may_use() {
    let ron = r#"Scenario(
        vnets: [(name: "ai", region: "swedencentral", address_space: ["10.20.0.0/16"], subnets: [(name: "pe", prefix: "10.20.2.0/24")])],
        services: [(name: "foundry", kind: AiServices, fqdn: "contoso-ai.search.windows.net")],
    )"#;
    let e = match crate::load_str("bad.ron", ron) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("bad.ron:3:"), "{e}");
    assert!(e.contains("services.ai.azure.com"), "{e}");
    assert!(e.contains("openai.azure.com"), "{e}");
}

/// A storage static website answers on `<account>.z<N>.web.core.windows.net`; azpath assumes
/// (README, assumptions) that its public name is a CNAME to
/// `<account>.privatelink.web.core.windows.net`, the zone label dropped, so the record in
/// `privatelink.web.core.windows.net` is the account name.
#[test]
fn a_static_website_name_is_assumed_to_drop_its_zone_label_under_privatelink() {
    let ron = r#"Scenario(
        vnets: [(name: "ai", region: "swedencentral", address_space: ["10.20.0.0/16"], subnets: [
            (name: "pe", prefix: "10.20.2.0/24"), (name: "app", prefix: "10.20.1.0/24")])],
        services: [(name: "st-web", kind: StorageWeb, fqdn: "contosost.z6.web.core.windows.net", public_ip: "20.91.0.22")],
        private_endpoints: [(name: "pe-web", subnet: "ai/pe", ip: "10.20.2.7", target: "st-web")],
        dns: (zones: [(name: "privatelink.web.core.windows.net", links: ["ai"], records: [(name: "contosost", a: ["10.20.2.7"])])]),
    )"#;
    let l = crate::load_str("web.ron", ron).unwrap_or_else(|e| panic!("{e}"));
    let r = ask(&l, "contosost.z6.web.core.windows.net");
    assert_eq!(addresses(&r), ["10.20.2.7"]);
    assert_eq!(
        aliases(&r),
        [(
            "contosost.z6.web.core.windows.net".to_string(),
            "contosost.privatelink.web.core.windows.net".to_string()
        )]
    );
    assert_eq!(
        addresses(&outside(&l, "contosost.z6.web.core.windows.net")),
        ["20.91.0.22"]
    );
}
