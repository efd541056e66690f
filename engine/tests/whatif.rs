//! Variants, what-if, diagnosis and verified fix suggestions, on the library's gotcha lessons.

use std::path::{Path, PathBuf};

use azpath_engine::analysis::diagnose::{diagnose, CheckStep};
use azpath_engine::analysis::flow::{self, FlowSpec};
use azpath_engine::analysis::suggest::udr::Table;
use azpath_engine::analysis::suggest::{suggest, Fix};
use azpath_engine::analysis::whatif::what_if;
use azpath_engine::dns::DnsOutcome;
use azpath_engine::model::{NextHopType, ServiceKind};
use azpath_engine::trace::Verdict;
use azpath_engine::{expect, load_document, load_file, report, LoadError};

fn lesson(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(rel)
}

fn flow(from: &str, to: &str) -> FlowSpec {
    FlowSpec {
        from: from.into(),
        to: to.into(),
        port: 443,
        host: None,
    }
}

/// A scratch directory with the given files.
fn files(name: &str, list: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("azpath-variants-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in list {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

const BASE: &str = r#"Scenario(
    title: "base",
    vnets: [(name: "hub", region: "eastus", address_space: ["10.0.0.0/16"],
             subnets: [(name: "pe", prefix: "10.0.2.0/24"), (name: "app", prefix: "10.0.1.0/24")])],
    private_endpoints: [(name: "pe-a", subnet: "hub/pe", ip: "10.0.2.4")],
    workloads: [(name: "vm", subnet: "hub/app", ip: "10.0.1.4")],
    questions: [NextHop(from: "vm", to: "10.0.2.4", expect: (next_hop: InterfaceEndpoint))],
)"#;

#[test]
fn a_variant_replaces_adds_and_removes_by_name() {
    let dir = files(
        "merge",
        &[
            ("base.ron", BASE),
            (
                "v.ron",
                r#"Scenario(extends: "base.ron", remove: ["pe-a"],
                    workloads: [(name: "vm", subnet: "hub/app", ip: "10.0.1.5"), (name: "vm2", subnet: "hub/pe", ip: "10.0.2.9")])"#,
            ),
        ],
    );
    let v = load_file(&dir.join("v.ron")).unwrap();
    let net = &v.network;
    assert!(net.private_endpoints.is_empty());
    let ips: Vec<String> = net
        .workloads
        .iter()
        .map(|w| format!("{}={}", w.name, w.ip))
        .collect();
    assert_eq!(ips, ["vm=10.0.1.5", "vm2=10.0.2.9"]);
    // The base's title and questions carry over when the variant gives none.
    assert_eq!(net.title, "base");
    assert_eq!(net.questions.len(), 1);
}

#[test]
fn variants_extend_variants_and_cycles_are_refused() {
    let dir = files(
        "chain",
        &[
            ("base.ron", BASE),
            ("a.ron", r#"Scenario(extends: "base.ron", title: "a")"#),
            (
                "b.ron",
                r#"Scenario(extends: "a.ron", remove: ["hub/pe", "pe-a"])"#,
            ),
            ("x.ron", r#"Scenario(extends: "y.ron")"#),
            ("y.ron", r#"Scenario(extends: "x.ron")"#),
        ],
    );
    let b = load_file(&dir.join("b.ron")).unwrap();
    assert_eq!(b.network.title, "a");
    assert_eq!(b.network.subnets.len(), 1);
    let Err(LoadError::Invalid(d)) = load_file(&dir.join("x.ron")) else {
        panic!("a cycle loaded")
    };
    assert!(d[0].message.contains("cycle"), "{}", d[0]);
}

#[test]
fn errors_name_the_file_and_line_they_were_written_in() {
    let dir = files(
        "errors",
        &[
            ("base.ron", BASE),
            ("badbase.ron", "Scenario(\n  vnets: [],\n  workloads: [(name: \"w\", subnet: \"nope/x\", ip: \"10.0.0.4\")],\n)"),
            ("v.ron", "Scenario(\n  extends: \"base.ron\",\n\n  workloads: [(name: \"w2\", subnet: \"hub/nope\", ip: \"10.0.1.9\")],\n)"),
            ("w.ron", "Scenario(\n  extends: \"badbase.ron\",\n)"),
            ("r.ron", "Scenario(extends: \"base.ron\",\n  remove: [\"hub/ap\"])"),
        ],
    );
    let Err(LoadError::Invalid(d)) = load_file(&dir.join("v.ron")) else {
        panic!("loaded")
    };
    assert!(d[0].file.ends_with("v.ron") && d[0].line == 4, "{}", d[0]);
    let Err(LoadError::Invalid(d)) = load_file(&dir.join("w.ron")) else {
        panic!("loaded")
    };
    assert!(
        d[0].file.ends_with("badbase.ron") && d[0].line == 3,
        "{}",
        d[0]
    );
    let Err(LoadError::Invalid(d)) = load_file(&dir.join("r.ron")) else {
        panic!("loaded")
    };
    assert!(d[0].file.ends_with("r.ron") && d[0].line == 2, "{}", d[0]);
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `hub/app`?"));
}

#[test]
fn what_if_co_locating_the_endpoint_takes_the_hubs_and_the_region_crossing_off_the_path() {
    let base = load_file(&lesson("virtual-wan/cross-region-private-endpoint.ron")).unwrap();
    let fixed = load_file(&lesson("virtual-wan/fixes/co-located-private-endpoint.ron")).unwrap();
    let answer = what_if(
        &base,
        &fixed,
        &[flow("app-dev", "aoai-dev.openai.azure.com")],
    );
    let [change] = answer.flows.as_slice() else {
        panic!("{answer:?}")
    };
    let (before, after) = (
        change.before.as_ref().unwrap(),
        change.after.as_ref().unwrap(),
    );
    assert_eq!(before.regions, ["westus", "eastus"]);
    assert_eq!(after.regions, ["westus"]);
    assert_eq!(before.stateful_devices, ["fw-wus", "fw-eus"]);
    assert!(after.stateful_devices.is_empty() && after.hubs.is_empty());
    for gone in ["fw-wus", "fw-eus", "pe-aoai-dev"] {
        assert!(
            change.hops_gone.iter().any(|h| h == gone),
            "{gone}: {change:?}"
        );
    }
    assert_eq!(change.hops_added, ["pe-aoai-dev-wus"]);
    assert!(!change.verdict_changed);
    // The question-driven comparison sees the same change, and the new /32 in the app's subnet.
    let all = what_if(&base, &fixed, &[]);
    assert!(all
        .flows
        .iter()
        .any(|f| f.flow.to == "aoai-dev.openai.azure.com"));
    let routes = all
        .routes
        .iter()
        .find(|r| r.subnet == "spoke-dev-wus/integration")
        .unwrap();
    assert!(
        routes
            .added
            .iter()
            .any(|r| r.route.prefix.to_string() == "10.1.2.4/32"
                && r.route.next_hop.next_hop_type == NextHopType::InterfaceEndpoint),
        "{routes:?}"
    );
}

#[test]
fn what_if_shows_a_verdict_change_and_nothing_for_a_client_side_fix() {
    let base = load_file(&lesson("dns/zone-linked-to-the-hub-only.ron")).unwrap();
    let fixed = load_file(&lesson("dns/fixes/zone-linked-to-the-spoke.ron")).unwrap();
    let a = what_if(&base, &fixed, &[]);
    let f = a.flows.iter().find(|f| f.flow.from == "vm-app").unwrap();
    assert!(f.verdict_changed);
    assert_eq!(f.after.as_ref().unwrap().verdict, Verdict::Delivered);
    assert!(a.routes.is_empty(), "a zone link changes no route");
    let private = DnsOutcome::Resolved {
        addresses: vec!["10.0.2.4".parse().unwrap()],
    };
    assert!(a
        .resolutions
        .iter()
        .any(|r| r.from == "spoke-app" && r.after.as_ref() == Some(&private)));

    let base = load_file(&lesson("private-endpoint/client-uses-the-wrong-name.ron")).unwrap();
    let fixed = load_file(&lesson("private-endpoint/fixes/client-uses-the-fqdn.ron")).unwrap();
    assert!(what_if(&base, &fixed, &[]).is_empty());
}

/// The gotcha lessons: the flow that fails, the checklist step that should be named, and the
/// fix the field applies first.
type Gotcha = (&'static str, FlowSpec, CheckStep, fn(&Fix) -> bool);

fn gotchas() -> Vec<Gotcha> {
    vec![
        (
            "dns/zone-linked-to-the-hub-only.ron",
            flow("vm-app", "contoso-aoai.openai.azure.com"),
            CheckStep::NameResolution,
            |f| matches!(f, Fix::LinkZone(l) if l.zone.name == "privatelink.openai.azure.com" && l.vnet.name == "spoke-app"),
        ),
        (
            "app-service/route-all-off.ron",
            flow("web-default", "contoso-kv.vault.azure.net"),
            CheckStep::EntersVnet,
            |f| matches!(f, Fix::RouteAll(r) if r.app.name == "web-default"),
        ),
        (
            // Turning the policies off would also fix it, but breaks the lesson's own question
            // that the app subnet's rule is what lets clients in: the NSG rule comes first.
            "private-endpoint/nsg-on-endpoint-subnet.ron",
            flow("vm-other", "10.0.3.4"),
            CheckStep::Nsgs,
            |f| matches!(f, Fix::AllowInNsg(a) if a.nsg.name == "nsg-pe"),
        ),
        (
            "private-endpoint/client-uses-the-wrong-name.ron",
            flow("vm-app", "10.0.2.4"),
            CheckStep::Certificate,
            |f| matches!(f, Fix::UseFqdn(u) if u.fqdn == "contoso-aoai.openai.azure.com"),
        ),
        (
            "virtual-wan/cross-region-private-endpoint.ron",
            flow("app-dev", "aoai-dev.openai.azure.com"),
            CheckStep::PathQuality,
            |f| matches!(f, Fix::ColocateEndpoint(c) if c.subnet.name.starts_with("spoke-dev-wus/") && c.service == Some(ServiceKind::OpenAI)),
        ),
        (
            "dns/custom-dns-without-forwarding.ron",
            flow("vm-old", "contoso-aoai.openai.azure.com"),
            CheckStep::NameResolution,
            |f| matches!(f, Fix::ForwardZone(z) if z.server.name == "dns-old" && z.domain == "openai.azure.com"),
        ),
        (
            // Turning the endpoint subnet's policies off would deliver too, but breaks the
            // lesson's other clients; SNAT at the firewall is the remedy Microsoft gives.
            "firewall/pe-network-rule-vs-application-rule.ron",
            flow("vm-app", "10.0.2.4"),
            CheckStep::ReturnPath,
            |f| matches!(f, Fix::AlwaysSnat(a) if a.firewall.name == "fw-hub"),
        ),
    ]
}

#[test]
fn a_missing_udr_is_suggested_and_proven() {
    // Spoke B already sends spoke A's range to the hub appliance; spoke A does not, so its
    // traffic to B falls into the reserved 10.0.0.0/8 drop route.
    let ron = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "nva", prefix: "10.0.1.0/24")]),
            (name: "a", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
            (name: "b", region: "eastus", address_space: ["10.2.0.0/16"], subnets: [(name: "app", prefix: "10.2.1.0/24", route_table: "rt-b")]),
        ],
        peerings: [(between: ("hub", "a"), allow_forwarded_traffic: true), (between: ("hub", "b"), allow_forwarded_traffic: true)],
        route_tables: [(name: "rt-b", routes: [(name: "a-via-nva", prefix: "10.1.0.0/16", next_hop: VirtualAppliance("10.0.1.4"))])],
        workloads: [
            (name: "nva", kind: Nva, subnet: "hub/nva", ip: "10.0.1.4"),
            (name: "vm-a", subnet: "a/app", ip: "10.1.1.4"),
            (name: "vm-b", subnet: "b/app", ip: "10.2.1.4"),
        ],
    )"#;
    let loaded = azpath_engine::load_str("udr.ron", ron).unwrap();
    let s = suggest(&loaded, &flow("vm-a", "10.2.1.4")).unwrap();
    assert_eq!(
        s.diagnosis.root_cause.as_ref().map(|f| f.step),
        Some(CheckStep::Path)
    );
    let first = s.kept.first().expect("a fix");
    assert!(
        matches!(&first.fix, Fix::AddUdr(u)
            if u.subnet.name == "a/app" && matches!(u.table, Table::New { .. }) && u.prefix.to_string() == "10.2.0.0/16" && u.appliance.to_string() == "10.0.1.4"),
        "{:?}",
        first.fix
    );
    let again = load_document(loaded.source.clone(), first.document.clone()).unwrap();
    let answer = flow::trace(&again.network, again.dataplane(), &first.flow).unwrap();
    assert_eq!(answer.verdict, Verdict::Delivered);
    let json = serde_json::to_value(first).unwrap();
    assert_eq!(json["fix"]["table"]["table"], "New", "{json}");
    assert_eq!(json["fix"]["subnet"]["name"], "a/app", "{json}");
    assert!(report::fix::az(&first.fix)
        .iter()
        .any(|c| c.starts_with("az network route-table create")));
}

#[test]
fn diagnose_names_the_root_cause_of_each_gotcha_and_the_field_fix_first() {
    for (file, flow, step, first) in gotchas() {
        let loaded = load_file(&lesson(file)).unwrap();
        let d = diagnose(&loaded.network, loaded.dataplane(), &flow).unwrap();
        assert_eq!(
            d.root_cause.as_ref().map(|f| f.step),
            Some(step),
            "{file}: {d:#?}"
        );
        let s = suggest(&loaded, &flow).unwrap();
        assert!(
            s.tried >= s.kept.len() && !s.kept.is_empty(),
            "{file}: nothing kept"
        );
        // The JSON answer is the typed one: the fix's kind and its objects by id and name.
        let json = serde_json::to_value(&s).unwrap();
        assert!(json["kept"][0]["fix"]["fix"].is_string(), "{file}: {json}");
        assert!(
            json["diagnosis"]["root_cause"]["evidence"]["evidence"].is_string(),
            "{file}: {json}"
        );
        assert!(
            first(&s.kept[0].fix),
            "{file}: first fix {:?}",
            s.kept[0].fix
        );
    }
}

#[test]
fn every_kept_fix_delivers_and_keeps_the_other_questions_when_simulated_again() {
    for (file, flow, _, _) in gotchas() {
        let loaded = load_file(&lesson(file)).unwrap();
        let before = expect::check(&loaded.network, loaded.dataplane());
        let s = suggest(&loaded, &flow).unwrap();
        for k in &s.kept {
            let again = load_document(loaded.source.clone(), k.document.clone()).unwrap();
            let answer = flow::trace(&again.network, again.dataplane(), &k.flow).unwrap();
            assert!(
                matches!(
                    answer.verdict,
                    Verdict::Delivered | Verdict::DeliveredPublicly { .. }
                ),
                "{file}: {:?} -> {}",
                k.fix,
                answer.verdict.describe()
            );
            let after = expect::check(&again.network, again.dataplane());
            let newly_failing = before
                .results
                .iter()
                .zip(&after.results)
                .filter(|(b, a)| {
                    matches!(b.outcome, expect::Outcome::Pass)
                        && !matches!(a.outcome, expect::Outcome::Pass)
                })
                .count();
            assert_eq!(newly_failing, k.also_changes.len(), "{file}: {:?}", k.fix);
        }
    }
}

#[test]
fn a_working_flow_needs_no_fix() {
    let loaded = load_file(&lesson("dns/zone-linked-to-the-hub-only.ron")).unwrap();
    let s = suggest(&loaded, &flow("vm-fixed", "contoso-aoai.openai.azure.com")).unwrap();
    assert!(s.diagnosis.root_cause.is_none() && s.tried == 0);
}

/// A hub-only zone link with the spoke VNet named `spoke`: the spoke's VM resolves publicly.
fn hub_only_zone(name: &str) -> String {
    let spoke = ron::to_string(name).unwrap();
    let app = ron::to_string(&format!("{name}/app")).unwrap();
    format!(
        r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24")]),
            (name: {spoke}, region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
        ],
        peerings: [(between: ("hub", {spoke}))],
        services: [(name: "aoai", kind: OpenAI, fqdn: "contoso.openai.azure.com", public_ip: "20.42.0.10", public_network_access: Disabled)],
        private_endpoints: [(name: "pe-aoai", subnet: "hub/pe", ip: "10.0.2.4", target: "aoai")],
        dns: (zones: [(name: "privatelink.openai.azure.com", links: ["hub"], records: [(name: "contoso", a: ["10.0.2.4"])])]),
        workloads: [(name: "vm", subnet: {app}, ip: "10.1.1.4")],
    )"#
    )
}

#[test]
fn a_fix_for_a_hostile_name_is_a_variant_that_loads_and_verifies() {
    // A name with a line break cannot reach a fix: the scenario is refused at load.
    let refused = files("newline", &[("base.ron", &hub_only_zone("spoke\n)\n// x"))]);
    assert!(load_file(&refused.join("base.ron")).is_err());
    // A printable name full of RON, comment and shell syntax still yields a variant that loads.
    let name = "spoke ) $(touch pwned) 'x' \"y\" *\\";
    let dir = files("hostile", &[("base.ron", &hub_only_zone(name))]);
    let loaded = load_file(&dir.join("base.ron")).unwrap();
    let s = suggest(&loaded, &flow("vm", "contoso.openai.azure.com")).unwrap();
    let first = s.kept.first().expect("a fix");
    assert!(
        matches!(&first.fix, Fix::LinkZone(l) if l.vnet.name == name),
        "{:?}",
        first.fix
    );
    let text = report::diagnosis::variant_file("base.ron", &loaded.document, first).unwrap();
    // The comment is one line: the name's newline is escaped there.
    let comment = text.lines().next().unwrap();
    assert!(comment.starts_with("// A fix azpath verified"), "{text}");
    assert!(comment.contains("spoke ) $(touch pwned)"), "{comment}");
    assert!(
        !text.lines().skip(1).any(|l| l.starts_with("// $(")),
        "{text}"
    );
    std::fs::write(dir.join("fix-1.ron"), &text).unwrap();
    let fixed = load_file(&dir.join("fix-1.ron")).unwrap();
    let report = expect::check(&fixed.network, fixed.dataplane());
    assert!(
        report
            .results
            .iter()
            .all(|r| matches!(r.outcome, expect::Outcome::Pass)),
        "{text}"
    );
    assert_eq!(
        report.results.len(),
        1,
        "the fixed flow is the variant's question"
    );
}

#[test]
fn az_commands_for_hostile_names_paste_as_those_names() {
    for name in ["$(touch pwned)", "a b", "it's", "x\"y`id`"] {
        let loaded = azpath_engine::load_str("t.ron", &hub_only_zone(name)).unwrap();
        let s = suggest(&loaded, &flow("vm", "contoso.openai.azure.com")).unwrap();
        let first = s.kept.first().expect("a fix");
        let [cmd] = report::fix::az(&first.fix).try_into().unwrap();
        let words = shlex::split(&cmd).unwrap();
        let at = words.iter().position(|w| w == "--virtual-network").unwrap();
        assert_eq!(words[at + 1], name, "{cmd}");
    }
}
