//! The command line, end to end: output, formats and exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn azpath(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_azpath"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const SHOWCASE: &str = "scenarios/private-endpoint/zero-default-udr-vs-pe.ron";
const COUNTERPART: &str = "scenarios/private-endpoint/route-table-policy-forces-firewall.ron";

/// The table row for `prefix` from `source`, split into columns.
fn row(table: &str, source: &str, prefix: &str) -> Vec<String> {
    table
        .lines()
        .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
        .find(|cols| cols.len() > 3 && cols[0] == source && cols[2] == prefix)
        .unwrap_or_else(|| panic!("no {source} {prefix} row in\n{table}"))
}

#[test]
fn routes_shows_the_pe_host_route_active_beside_the_zero_default_udr() {
    let o = azpath(&["routes", SHOWCASE, "--at", "spoke/app"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        row(&out, "Default", "10.0.2.4/32")[1..4],
        ["Active", "10.0.2.4/32", "InterfaceEndpoint"]
    );
    assert_eq!(
        row(&out, "User", "0.0.0.0/0")[1..6],
        [
            "Active",
            "0.0.0.0/0",
            "VirtualAppliance",
            "10.0.1.4",
            "default-via-fw"
        ]
    );
    assert_eq!(row(&out, "Default", "0.0.0.0/0")[1], "Invalid");
}

#[test]
fn routes_shows_the_pe_host_route_invalid_with_the_reason_in_the_counterpart() {
    let o = azpath(&["routes", COUNTERPART, "--at", "vm-app"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let pe = row(&out, "Default", "10.0.2.4/32");
    assert_eq!(pe[1], "Invalid");
    let line = out.lines().find(|l| l.contains("10.0.2.4/32")).unwrap();
    assert!(
        line.contains("RouteTableEnabled") && line.contains("rt-spoke/hub-via-fw"),
        "{line}"
    );
}

#[test]
fn next_hop_explains_every_competing_route() {
    let direct = stdout(&azpath(&[
        "next-hop", SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4",
    ]));
    assert!(
        direct.starts_with("Next hop from `spoke/app` to 10.0.2.4: InterfaceEndpoint"),
        "{direct}"
    );
    assert!(
        direct.contains("lost") && direct.contains("/0 loses to the longer 10.0.2.4/32"),
        "{direct}"
    );
    assert!(
        direct.contains("invalid") && direct.contains("a User route with the same prefix wins"),
        "{direct}"
    );

    let inspected = stdout(&azpath(&[
        "next-hop",
        COUNTERPART,
        "--from",
        "vm-app",
        "--to",
        "10.0.2.4",
    ]));
    assert!(
        inspected.starts_with("Next hop from `spoke/app` to 10.0.2.4: VirtualAppliance 10.0.1.4"),
        "{inspected}"
    );
    assert!(
        inspected.contains("by route 10.0.0.0/16 (User, rt-spoke)"),
        "{inspected}"
    );
    assert!(
        inspected.contains(
            "RouteTableEnabled on the endpoint subnet, and UDR `rt-spoke/hub-via-fw` (10.0.0.0/16)"
        ),
        "{inspected}"
    );
}

#[test]
fn next_hop_json_and_dot_are_machine_readable() {
    let o = azpath(&[
        "next-hop", SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["next_hop"]["type"], "InterfaceEndpoint");
    assert_eq!(v["candidates"][0]["verdict"]["verdict"], "Selected");
    assert_eq!(v["candidates"].as_array().unwrap().len(), 4);
    let dot = stdout(&azpath(&[
        "next-hop", SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4", "--format", "dot",
    ]));
    assert!(
        dot.starts_with("digraph next_hop {") && dot.contains("style=bold"),
        "{dot}"
    );
    let routes = azpath(&["routes", SHOWCASE, "--at", "spoke/app", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&routes)).unwrap();
    assert_eq!(v["removed"].as_array().unwrap().len(), 4);
}

#[test]
fn test_runs_the_whole_library_by_default_and_closes_with_the_summary() {
    let o = azpath(&["test"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    let summary = out.lines().last().unwrap();
    assert!(summary.ends_with(" passed, 0 failed"), "{summary}");
    let passed: usize = summary.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 200, "{summary}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("pass  ")).count(),
        passed
    );
}

#[test]
fn a_lesson_with_a_wrong_expectation_fails_with_a_clear_difference() {
    let path = temp_copy("wrong-verdict.ron", |t| {
        t.replacen("verdict: Delivered", "verdict: DroppedByFirewall", 1)
    });
    let o = azpath(&["test", path.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("FAIL  "), "{out}");
    assert!(
        out.contains("verdict: expected DroppedByFirewall, got Delivered"),
        "{out}"
    );
    assert!(
        out.lines().last().unwrap().ends_with(" passed, 1 failed"),
        "{out}"
    );
}

#[test]
fn explain_prints_the_story_each_question_and_its_narrative() {
    let o = azpath(&["explain", "scenarios/dns/zone-linked-to-the-hub-only.ron"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.contains("Takeaway: Private DNS zone links do not follow peering"));
    assert!(out.contains("Question 4 (line"), "{out}");
    assert!(out.contains("Name resolution:"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour codes");
}

fn temp_copy(name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("azpath-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(root().join(SHOWCASE)).unwrap();
    let edited = edit(text.clone());
    assert_ne!(text, edited);
    let path = dir.join(name);
    std::fs::write(&path, edited).unwrap();
    path
}

#[test]
fn check_exits_1_on_a_wrong_expectation_and_shows_the_evidence() {
    let path = temp_copy("wrong.ron", |t| {
        t.replacen(
            "expect: (next_hop: InterfaceEndpoint, prefix",
            "expect: (next_hop: VirtualAppliance(\"10.0.1.4\"), prefix",
            1,
        )
    });
    let o = azpath(&["check", path.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("FAIL")
            && out.contains("next_hop: expected VirtualAppliance 10.0.1.4, got InterfaceEndpoint"),
        "{out}"
    );
    assert!(out.contains("1 failed"), "{out}");
}

#[test]
fn check_exits_2_on_a_malformed_file_with_file_line_column_and_hint() {
    let path = temp_copy("bad.ron", |t| {
        t.replacen("route_table: \"rt-spoke\"", "route_table: \"rt-spokes\"", 1)
    });
    let o = azpath(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let name = path.display().to_string();
    let text = std::fs::read_to_string(&path).unwrap();
    let line = 1 + text
        .lines()
        .position(|l| l.contains("\"rt-spokes\""))
        .unwrap();
    assert!(err.contains(&format!("{name}:{line}:67:")), "{err}");
    assert!(
        err.contains("error: unknown route table `rt-spokes` (hint: did you mean `rt-spoke`?)"),
        "{err}"
    );
}

#[test]
fn unknown_names_on_the_command_line_exit_2_with_a_hint() {
    let o = azpath(&["next-hop", SHOWCASE, "--from", "vm-ap", "--to", "10.0.2.4"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown subnet or workload `vm-ap` (hint: did you mean `vm-app`?)"),
        "{}",
        stderr(&o)
    );
    let missing = azpath(&["routes", "no/such/file.ron", "--at", "x"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no/such/file.ron: error: cannot read the file"));
    assert!(Path::new(SHOWCASE).is_relative());
}

#[test]
fn flow_verify_names_the_deciding_nsg_and_rule_at_each_level() {
    let o = azpath(&[
        "flow-verify",
        "scenarios/nsg/subnet-and-nic-order.ron",
        "--at",
        "vm-web",
        "--direction",
        "inbound",
        "--remote",
        "203.0.113.7",
        "--port",
        "443",
    ]);
    // A deny is an answered failure: exit 1.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(
            "Inbound Tcp 203.0.113.7:50000 -> 10.10.1.4:443 at `vm-web` (app/web): Deny"
        ),
        "{out}"
    );
    assert!(
        out.contains("1. subnet NSG `nsg-web-subnet`: rule `allow-https-in` priority 100: Allow"),
        "{out}"
    );
    assert!(
        out.contains(
            "2. NIC NSG `nsg-web-nic`: rule `DenyAllInBound` priority 65500 (default rule): Deny"
        ),
        "{out}"
    );
    let json = azpath(&[
        "flow-verify",
        "scenarios/private-endpoint/nsg-on-endpoint-subnet.ron",
        "--at",
        "pe-open",
        "--direction",
        "inbound",
        "--remote",
        "10.1.2.4",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v["access"], "Allow");
    assert_eq!(
        v["stages"][0]["decision"]["decision"],
        "IgnoredForPrivateEndpoint"
    );
}

#[test]
fn the_readme_grammar_example_is_a_valid_scenario_whose_answers_hold() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```ron\n").unwrap() + "```ron\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let path = std::env::temp_dir().join(format!("azpath-readme-{}.ron", std::process::id()));
    std::fs::write(&path, &readme[start..end]).unwrap();
    let o = azpath(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains(" passed, 0 failed"));
}

#[test]
fn the_readme_tour_shows_what_azpath_prints_today() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut checked = 0;
    for block in readme.split("```text\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        let Some(command) = block
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("$ azpath "))
        else {
            continue;
        };
        let expected: String = block.lines().skip(1).map(|l| format!("{l}\n")).collect();
        let args: Vec<&str> = command.split_whitespace().collect();
        let out = stdout(&azpath(&args));
        assert_eq!(
            out.trim_end(),
            expected.trim_end(),
            "README output of `azpath {command}` is stale"
        );
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} tour blocks found");
}

#[test]
fn trace_exits_0_when_delivered_and_1_otherwise_with_json_and_dot() {
    let file = "scenarios/firewall/spoke-to-spoke-via-hub-nva.ron";
    let ok = azpath(&["trace", file, "--from", "vm-a", "--to", "10.2.1.4"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).starts_with("Trace Tcp from `vm-a` to 10.2.1.4 port 443: Delivered"));
    let bad = azpath(&[
        "trace", file, "--from", "vm-c", "--to", "10.1.1.4", "--format", "json",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&bad)).unwrap();
    assert_eq!(v["verdict"]["verdict"], "AsymmetricReturnDropped");
    assert_eq!(v["verdict"]["device"], "fw");
    let dot = stdout(&azpath(&[
        "trace", file, "--from", "vm-a", "--to", "10.2.1.4", "--format", "dot",
    ]));
    assert!(
        dot.starts_with("digraph {")
            && dot.contains("style=dashed")
            && dot.contains("label=\"peering\""),
        "{dot}"
    );
    let pe = azpath(&[
        "trace",
        "scenarios/private-endpoint/nsg-on-endpoint-subnet.ron",
        "--from",
        "pe-open",
        "--to",
        "10.1.1.4",
    ]);
    assert_eq!(pe.status.code(), Some(2));
    assert!(stderr(&pe).contains("private endpoint or firewall, which never starts a connection"));
}

#[test]
fn dot_output_renders_with_graphviz() {
    let has_dot = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_dot {
        // CI installs graphviz, so there the renderer must be present.
        assert!(
            std::env::var_os("CI").is_none(),
            "graphviz `dot` is missing in CI"
        );
        return;
    }
    let cases: [&[&str]; 3] = [
        &[
            "trace",
            "scenarios/firewall/spoke-to-spoke-via-hub-nva.ron",
            "--from",
            "vm-c",
            "--to",
            "10.1.1.4",
            "--format",
            "dot",
        ],
        &[
            "trace",
            "scenarios/private-endpoint/route-table-policy-forces-firewall.ron",
            "--from",
            "vm-secure",
            "--to",
            "10.0.2.4",
            "--format",
            "dot",
        ],
        &[
            "next-hop", SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4", "--format", "dot",
        ],
    ];
    for args in cases {
        let graph = azpath(args).stdout;
        let mut dot = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(dot.stdin.as_mut().unwrap(), &graph).unwrap();
        let out = dot.wait_with_output().unwrap();
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("<svg"),
            "{args:?}"
        );
    }
}

#[test]
fn generate_writes_a_valid_estate_and_refuses_impossible_sizes() {
    let o = azpath(&[
        "generate",
        "--regions",
        "2",
        "--spokes-per-region",
        "3",
        "--private-endpoints",
        "6",
        "--seed",
        "9",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = std::env::temp_dir().join(format!("azpath-estate-{}.ron", std::process::id()));
    std::fs::write(&path, &o.stdout).unwrap();
    let check = azpath(&["check", path.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(stderr(&check).is_empty(), "warnings: {}", stderr(&check));
    let bad = azpath(&["generate", "--spokes-per-region", "300"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("outside 1–256"));
}

#[test]
fn reach_prints_the_matrix_as_text_csv_and_json() {
    let file = "scenarios/nsg/subnet-and-nic-order.ron";
    // The matrix has drops: an answered failure, exit 1.
    let text = azpath(&["reach", file]);
    assert_eq!(text.status.code(), Some(1), "{}", stderr(&text));
    let out = stdout(&text);
    assert!(out.contains("12 pairs;"), "{out}");
    assert!(
        out.contains("DroppedByNsg (rule `deny-vnet-in` of `nsg-db-subnet` at `vm-db2`)"),
        "{out}"
    );
    let csv = azpath(&["reach", file, "--format", "csv", "--port", "22"]);
    assert_eq!(csv.status.code(), Some(1), "{}", stderr(&csv));
    let out = stdout(&csv);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("source,destination,destination_ip,verdict,detail")
    );
    assert_eq!(lines.count(), 12);
    let endpoints = "scenarios/private-endpoint/nsg-on-endpoint-subnet.ron";
    let json = azpath(&[
        "reach",
        endpoints,
        "--format",
        "json",
        "--to-private-endpoints",
    ]);
    assert_eq!(json.status.code(), Some(1), "{}", stderr(&json));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["request"]["destinations"], "PrivateEndpoints");
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert_eq!(v["summary"]["pairs"], rows.len());
    assert!(rows
        .iter()
        .all(|r| r["destination"].as_str().unwrap().starts_with("pe-")));
    let bad = azpath(&["reach", file, "--format", "dot"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn import_fills_service_tag_prefixes_from_a_service_tags_download_and_dates_them() {
    let o = azpath(&[
        "import",
        "--service-tags",
        "engine/tests/import/service-tags-download.json",
        "engine/tests/import/service-tags",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ron = stdout(&o);
    assert!(ron.contains("\"203.0.113.0/25\""), "{ron}");
    assert!(ron.contains("changeNumber 321, cloud `Public`"), "{ron}");
    let err = stderr(&o);
    assert!(
        err.contains("IPv6 prefixes of service tag `Storage`"),
        "{err}"
    );
    assert!(
        err.contains("prefixes of service tag `PartnerOnly`"),
        "{err}"
    );
    // A file that is not JSON is refused where it goes wrong, exit 2.
    let bad = azpath(&[
        "import",
        "--service-tags",
        "engine/tests/import/service-tags/estate.json",
        "engine/tests/import/service-tags",
    ]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("engine/tests/import/service-tags/estate.json:1:1: error: not a Service Tags file: it is not a JSON object"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn import_writes_a_scenario_that_check_accepts_and_lists_what_it_left_out() {
    let o = azpath(&["import", "engine/tests/import/hub-spoke"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("not imported (9):"), "{err}");
    assert!(err.contains("natGateways/nat-spoke"), "{err}");
    let path = std::env::temp_dir().join(format!("azpath-import-{}.ron", std::process::id()));
    std::fs::write(&path, stdout(&o)).unwrap();
    let checked = azpath(&["check", path.to_str().unwrap()]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    // Values Azure does not accept: the rest is written, each refusal listed; exit 0, and 2
    // with --strict.
    let lenient = azpath(&["import", "engine/tests/import/invalid"]);
    assert_eq!(lenient.status.code(), Some(0), "{}", stderr(&lenient));
    assert!(stderr(&lenient).contains("nsgs.json#/0/properties/securityRules/0/properties/access"));
    let invalid = azpath(&["import", "--strict", "engine/tests/import/invalid"]);
    assert_eq!(invalid.status.code(), Some(2), "{}", stderr(&invalid));
    assert!(stdout(&invalid).contains("Scenario("));
    assert!(
        stderr(&invalid).contains("hold values Azure does not accept"),
        "{}",
        stderr(&invalid)
    );
    assert!(
        stderr(&invalid)
            .contains("nsgs.json#/0/properties/securityRules/0/properties/access` is `Alow`"),
        "{}",
        stderr(&invalid)
    );
    let not_json = azpath(&["import", "README.md"]);
    assert_eq!(not_json.status.code(), Some(2));
    assert!(
        stderr(&not_json).contains("not JSON"),
        "{}",
        stderr(&not_json)
    );
}

#[test]
fn az_json_is_the_shape_azure_prints_and_compare_routes_agrees_with_it() {
    let o = azpath(&[
        "routes",
        SHOWCASE,
        "--at",
        "spoke/app",
        "--format",
        "az-json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let first = &json["value"][0];
    for field in [
        "addressPrefix",
        "nextHopIpAddress",
        "nextHopType",
        "source",
        "state",
        "name",
        "disableBgpRoutePropagation",
    ] {
        assert!(first.get(field).is_some(), "{field} missing in {first}");
    }
    let path = std::env::temp_dir().join(format!("azpath-az-{}.json", std::process::id()));
    std::fs::write(&path, stdout(&o)).unwrap();
    let same = azpath(&[
        "compare-routes",
        SHOWCASE,
        "--at",
        "spoke/app",
        "--actual",
        path.to_str().unwrap(),
    ]);
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
    assert!(stdout(&same).contains("0 difference(s)"));
    let other = azpath(&[
        "compare-routes",
        COUNTERPART,
        "--at",
        "spoke/app",
        "--actual",
        path.to_str().unwrap(),
    ]);
    assert_eq!(other.status.code(), Some(1), "{}", stdout(&other));
    assert!(stdout(&other).contains("10.0.2.4/32"), "{}", stdout(&other));

    let hop = azpath(&[
        "next-hop", SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4", "--format", "az-json",
    ]);
    let hop: serde_json::Value = serde_json::from_str(&stdout(&hop)).unwrap();
    assert_eq!(hop["nextHopType"], "InterfaceEndpoint");
    assert_eq!(hop["routeTableId"], "System Route");
    assert!(hop["nextHopIpAddress"].is_null());

    let refused = azpath(&[
        "flow-verify",
        SHOWCASE,
        "--at",
        "vm-app",
        "--direction",
        "inbound",
        "--remote",
        "10.0.0.4",
        "--format",
        "az-json",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("invalid value 'az-json' for '--format"),
        "{}",
        stderr(&refused)
    );
}

const CROSS_REGION: &str = "scenarios/virtual-wan/cross-region-private-endpoint.ron";
const CO_LOCATED: &str = "scenarios/virtual-wan/fixes/co-located-private-endpoint.ron";

#[test]
fn what_if_prints_the_hops_and_regions_a_variant_takes_off_the_path() {
    let o = azpath(&[
        "what-if",
        CROSS_REGION,
        CO_LOCATED,
        "--from",
        "app-dev",
        "--to",
        "aoai-dev.openai.azure.com",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("regions: westus, eastus -> westus"), "{out}");
    assert!(
        out.contains("stateful devices: fw-wus, fw-eus -> none"),
        "{out}"
    );
    assert!(out.contains("hops gone: fw-wus"), "{out}");
    let o = azpath(&["what-if", CROSS_REGION, CO_LOCATED, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!json["flows"].as_array().unwrap().is_empty());
    let o = azpath(&["what-if", CROSS_REGION, CO_LOCATED, "--format", "dot"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn diagnose_names_the_root_cause_and_writes_verified_fixes_as_variants() {
    let dir = std::env::temp_dir().join(format!("azpath-cli-fixes-{}", std::process::id()));
    let dir_arg = dir.display().to_string();
    let o = azpath(&[
        "diagnose",
        "scenarios/dns/zone-linked-to-the-hub-only.ron",
        "--from",
        "vm-app",
        "--to",
        "contoso-aoai.openai.azure.com:443",
        "--emit-variant",
        &dir_arg,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Root cause (name resolution)"), "{out}");
    assert!(
        out.contains("$ az network private-dns link vnet create"),
        "{out}"
    );
    // The written variant loads, extends the lesson, and its question (the fixed flow) holds.
    let fix = dir.join("fix-1.ron");
    let o = azpath(&["check", fix.to_str().unwrap()]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // A working flow: exit 0, nothing to fix.
    let o = azpath(&[
        "diagnose",
        "scenarios/dns/zone-linked-to-the-hub-only.ron",
        "--from",
        "vm-fixed",
        "--to",
        "contoso-aoai.openai.azure.com",
    ]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn compare_routes_refuses_an_invalid_prefix_in_the_az_json_as_bad_input() {
    let o = azpath(&[
        "routes",
        SHOWCASE,
        "--at",
        "spoke/app",
        "--format",
        "az-json",
    ]);
    let mut json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    json["value"][1]["addressPrefix"][0] = serde_json::json!("10.0.0.0/33");
    let broken = serde_json::to_string_pretty(&json).unwrap();
    let (line, text) = broken
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("10.0.0.0/33"))
        .unwrap();
    let at = format!("{}:{}", line + 1, text.find('"').unwrap() + 1);
    let path = scratch("compare-prefix").join("az.json");
    std::fs::write(&path, &broken).unwrap();
    let o = azpath(&[
        "compare-routes",
        SHOWCASE,
        "--at",
        "spoke/app",
        "--actual",
        path.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let located = format!("{}:{at}:", path.display());
    assert!(err.starts_with(&located), "{err}");
    assert!(
        err.contains("`addressPrefix`: `10.0.0.0/33` is not an IP prefix"),
        "{err}"
    );
    assert!(stdout(&o).is_empty(), "no comparison is shown");
}

#[test]
fn compare_routes_names_the_field_of_a_type_error_without_serde_jargon() {
    let path = scratch("compare-type").join("az.json");
    std::fs::write(&path, "{\"value\": [{\"addressPrefix\": \"10.0.0.0/16\"}]}").unwrap();
    let o = azpath(&[
        "compare-routes",
        SHOWCASE,
        "--at",
        "spoke/app",
        "--actual",
        path.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(":1:"), "{err}");
    assert!(
        err.contains("expected `addressPrefix` to be a list of IP prefixes"),
        "{err}"
    );
    assert!(
        !err.contains("untagged") && !err.contains("Either"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn endless_input_is_refused_as_too_large_by_import_compare_routes_and_test() {
    let started = std::time::Instant::now();
    for args in [
        vec!["import", "/dev/zero"],
        vec![
            "compare-routes",
            SHOWCASE,
            "--at",
            "spoke/app",
            "--actual",
            "/dev/zero",
        ],
        vec!["test", "/dev/zero"],
    ] {
        let o = azpath(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("/dev/zero:1:1: error: the file is larger than"),
            "{args:?}: {err}"
        );
    }
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

#[test]
fn import_refuses_text_that_is_not_utf8_at_its_position() {
    let path = scratch("import-latin1").join("nics.json");
    std::fs::write(&path, b"[\n  {\"name\": \"caf\xe9\"}\n]").unwrap();
    let o = azpath(&["import", path.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{}:2:16: error: byte 0xE9", path.display())),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_folder_scan_skips_symlinked_folders_fifos_and_devices_with_a_note() {
    let dir = scratch("scan");
    std::fs::copy(root().join(SHOWCASE), dir.join("lesson.ron")).unwrap();
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.ron")).unwrap();
    let fifo = dir.join("pipe.ron");
    let fifo_made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let o = azpath(&["test", dir.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}\n{}", stdout(&o));
    assert!(
        err.contains("sub/loop`: a symbolic link to a folder"),
        "{err}"
    );
    assert!(err.contains("zero.ron`: not a regular file"), "{err}");
    if fifo_made {
        assert!(err.contains("pipe.ron`: not a regular file"), "{err}");
    }
}

// ---- Output: closed pipes, full disks, long cells, hostile names --------------------------

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("azpath-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A scenario of one subnet (route table `rt`, one route `route`) and workloads `vm-a`
/// (10.0.1.4) and `vm-b` (10.0.1.5), written into `dir`.
fn small_scenario(dir: &Path, rt: &str, route: &str, vm_a: &str) -> PathBuf {
    let ron = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    };
    let text = format!(
        r#"Scenario(
    vnets: [(name: "hub", region: "eastus", address_space: ["10.0.0.0/16"],
             subnets: [(name: "app", prefix: "10.0.1.0/24", route_table: "{rt}")])],
    route_tables: [(name: "{rt}", routes: [(name: "{route}", prefix: "192.168.0.0/16", next_hop: Internet)])],
    workloads: [
        (name: "{vm_a}", kind: Vm, subnet: "hub/app", ip: "10.0.1.4"),
        (name: "vm-b", kind: Vm, subnet: "hub/app", ip: "10.0.1.5"),
    ],
)
"#,
        rt = ron(rt),
        route = ron(route),
        vm_a = ron(vm_a),
    );
    let path = dir.join("scenario.ron");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs azpath with its standard output already closed by the reader.
fn with_closed_stdout(args: &[&str]) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_azpath"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_reader_that_closes_the_pipe_ends_every_writer_quietly_with_exit_0() {
    for args in [
        &["test", "scenarios"][..],
        &["test", "scenarios", "--format", "json"],
        &["reach", SHOWCASE, "--format", "csv"],
        &["reach", SHOWCASE],
        &["routes", SHOWCASE, "--at", "vm-app"],
        &["generate", "--regions", "2"],
        &["--help"],
    ] {
        let o = with_closed_stdout(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("error"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_full_disk_under_standard_output_is_exit_2_with_one_line_on_standard_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system
    };
    for args in [
        &["routes", SHOWCASE, "--at", "vm-app"][..],
        &["reach", SHOWCASE, "--format", "csv"],
        &["generate"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_azpath"))
            .args(args)
            .current_dir(root())
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: cannot write to standard output"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_table_cell_of_seventy_thousand_characters_is_printed_not_a_panic() {
    let dir = scratch("long-cell");
    let long = "r".repeat(70_000);
    let file = small_scenario(&dir, "rt", &long, "vm-a");
    let o = azpath(&["routes", file.to_str().unwrap(), "--at", "hub/app"]);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    // A validation may refuse so long a name (exit 2, located); if it loads, the row shows it.
    match o.status.code() {
        Some(0) => assert!(stdout(&o).lines().any(|l| l.contains(&long))),
        Some(2) => assert!(stderr(&o).contains("scenario.ron:"), "{}", stderr(&o)),
        other => panic!("exit {other:?}: {}", stderr(&o)),
    }
}

/// Characters that would rewrite a terminal: a right-to-left override, an escape sequence that
/// clears the screen, a zero-width space and a bell.
const HOSTILE: &str = "evil\u{202e}exe\u{1b}[2J\u{200b}\u{7}";

fn assert_no_raw_controls(text: &str) {
    for c in ['\u{202e}', '\u{1b}', '\u{200b}', '\u{7}'] {
        assert!(!text.contains(c), "raw {c:?} in\n{text}");
    }
}

#[test]
fn names_with_control_zero_width_and_bidi_characters_are_escaped_in_text_output() {
    let dir = scratch("hostile-names");
    let file = small_scenario(
        &dir,
        &format!("rt-{HOSTILE}"),
        "r",
        &format!("vm-{HOSTILE}"),
    );
    let file = file.to_str().unwrap();
    let o = azpath(&["routes", file, "--at", "hub/app"]);
    assert_no_raw_controls(&stdout(&o));
    assert_no_raw_controls(&stderr(&o));
    if o.status.success() {
        assert!(
            stdout(&o).contains("rt-evil\\u{202e}exe\\u{1b}[2J\\u{200b}\\u{7}"),
            "{}",
            stdout(&o)
        );
    } else {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    }
    // The streamed matrix and the narrative of a trace are escaped as well.
    let from = format!("vm-{HOSTILE}");
    for args in [
        &["reach", file][..],
        &["trace", file, "--from", &from, "--to", "10.0.1.5"],
    ] {
        let o = azpath(args);
        assert_no_raw_controls(&stdout(&o));
        assert_no_raw_controls(&stderr(&o));
        if o.status.code() != Some(2) {
            assert!(stdout(&o).contains("vm-evil\\u{202e}exe"), "{}", stdout(&o));
        }
    }
    // Error messages echo what was typed, escaped the same way.
    let name = format!("vm-{HOSTILE}");
    let o = azpath(&["routes", SHOWCASE, "--at", &name]);
    assert_eq!(o.status.code(), Some(2));
    assert_no_raw_controls(&stderr(&o));
    assert!(stderr(&o).contains("vm-evil\\u{202e}exe"), "{}", stderr(&o));
}

#[test]
fn dot_output_with_quotes_backslashes_and_line_breaks_in_names_is_read_by_graphviz() {
    use std::io::Write as _;
    use std::process::Stdio;
    if Command::new("dot").arg("-V").output().is_err() {
        return; // Graphviz is not installed here; CI installs it.
    }
    let dir = scratch("dot-names");
    let odd = "q\"b\\n\\\ne\\";
    let file = small_scenario(&dir, &format!("rt-{odd}"), "r", &format!("vm-{odd}"));
    let file = file.to_str().unwrap();
    let from = format!("vm-{odd}");
    let runs = [
        azpath(&[
            "next-hop",
            file,
            "--from",
            "hub/app",
            "--to",
            "192.168.1.1",
            "--format",
            "dot",
        ]),
        azpath(&[
            "trace", file, "--from", &from, "--to", "10.0.1.5", "--format", "dot",
        ]),
    ];
    for o in runs {
        if o.status.code() == Some(2) {
            // Refused at load, located: nothing to draw.
            assert!(stderr(&o).contains("scenario.ron:"), "{}", stderr(&o));
            continue;
        }
        let mut dot = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        dot.stdin.take().unwrap().write_all(&o.stdout).unwrap();
        let svg = dot.wait_with_output().unwrap();
        assert!(
            svg.status.success(),
            "{}\n{}",
            stdout(&o),
            String::from_utf8_lossy(&svg.stderr)
        );
        assert!(String::from_utf8_lossy(&svg.stdout).contains("q&quot;b\\n\\"));
    }
}

// ---- Formats: each command offers only what it can print ---------------------------------

#[test]
fn a_format_a_command_cannot_print_is_refused_while_parsing() {
    for (command, format) in [
        (
            &["resolve", SHOWCASE, "--from", "vm-app", "--name", "a.b"][..],
            "dot",
        ),
        (
            &["diagnose", SHOWCASE, "--from", "vm-app", "--to", "a.b"],
            "dot",
        ),
        (
            &["diagnose", SHOWCASE, "--from", "vm-app", "--to", "a.b"],
            "az-json",
        ),
        (&["routes", SHOWCASE, "--at", "vm-app"], "dot"),
        (
            &["trace", SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4"],
            "az-json",
        ),
        (&["test", "scenarios"], "dot"),
        (&["what-if", SHOWCASE, SHOWCASE], "az-json"),
    ] {
        let mut args = command.to_vec();
        args.extend(["--format", format]);
        let o = azpath(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).contains(&format!("invalid value '{format}' for '--format")),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn help_lists_only_the_formats_a_command_prints() {
    let help = stdout(&azpath(&["diagnose", "--help"]));
    assert!(help.contains("text") && help.contains("json"), "{help}");
    assert!(!help.contains("dot") && !help.contains("az-json"), "{help}");
    let help = stdout(&azpath(&["next-hop", "--help"]));
    assert!(help.contains("dot") && help.contains("az-json"), "{help}");
}

// ---- Destinations and sources as typed ----------------------------------------------------

const DNS_LESSON: &str = "scenarios/dns/zone-linked-to-the-hub-only.ron";

#[test]
fn a_port_past_65535_after_a_name_is_a_port_error_not_a_host_name() {
    let o = azpath(&[
        "diagnose",
        DNS_LESSON,
        "--from",
        "vm-app",
        "--to",
        "contoso-aoai.openai.azure.com:99999",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("`99999` is not a port"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("NXDOMAIN"), "{}", stdout(&o));
}

#[test]
fn a_bracketed_ipv6_loopback_parses_and_is_refused_as_no_azure_flow_has_it() {
    for command in ["diagnose", "trace"] {
        let o = azpath(&[command, DNS_LESSON, "--from", "vm-app", "--to", "[::1]:443"]);
        assert_eq!(o.status.code(), Some(2), "{command}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.contains("`::1` is a loopback address"),
            "{command}: {err}"
        );
    }
}

#[test]
fn an_empty_destination_name_is_bad_input() {
    for to in ["", ":443", "  "] {
        let o = azpath(&["diagnose", DNS_LESSON, "--from", "vm-app", "--to", to]);
        assert_eq!(o.status.code(), Some(2), "{to:?}: {}", stdout(&o));
        assert!(stderr(&o).contains("the name is empty"), "{}", stderr(&o));
    }
    let o = azpath(&["resolve", DNS_LESSON, "--from", "vm-app", "--name", ""]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}

#[test]
fn addresses_no_azure_flow_can_have_are_refused_with_a_hint() {
    for to in [
        "127.0.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "[ff02::1]:443",
    ] {
        let o = azpath(&["trace", SHOWCASE, "--from", "vm-app", "--to", to]);
        assert_eq!(o.status.code(), Some(2), "{to}: {}", stdout(&o));
        assert!(stderr(&o).contains("hint:"), "{to}: {}", stderr(&o));
    }
    let o = azpath(&["trace", SHOWCASE, "--from", "0.0.0.0", "--to", "10.0.2.4"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("no Azure flow can come from it"),
        "{}",
        stderr(&o)
    );
    let o = azpath(&[
        "next-hop",
        SHOWCASE,
        "--from",
        "vm-app",
        "--to",
        "127.0.0.1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}

#[test]
fn a_destination_carries_its_port_and_must_agree_with_port() {
    // The port after the address is the flow's port: the same answer as --port.
    let with = azpath(&[
        "trace",
        SHOWCASE,
        "--from",
        "vm-app",
        "--to",
        "10.0.2.4:443",
        "--format",
        "json",
    ]);
    let flag = azpath(&[
        "trace", SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4", "--port", "443", "--format",
        "json",
    ]);
    assert_eq!(with.status.code(), flag.status.code(), "{}", stderr(&with));
    assert_eq!(stdout(&with), stdout(&flag));
    let o = azpath(&[
        "trace",
        SHOWCASE,
        "--from",
        "vm-app",
        "--to",
        "10.0.2.4:443",
        "--port",
        "80",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("give the port once"), "{}", stderr(&o));
}

// ---- diagnose --emit-variant: safe writes -------------------------------------------------

fn emit(dir: &Path, force: bool) -> Output {
    let dir = dir.to_str().unwrap();
    let mut args = vec![
        "diagnose",
        DNS_LESSON,
        "--from",
        "vm-app",
        "--to",
        "contoso-aoai.openai.azure.com",
        "--emit-variant",
        dir,
    ];
    if force {
        args.push("--force");
    }
    azpath(&args)
}

#[test]
fn emit_variant_refuses_to_overwrite_an_earlier_run_without_force() {
    let dir = scratch("emit-again");
    let first = emit(&dir, false);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let written = std::fs::read_to_string(dir.join("fix-1.ron")).unwrap();
    std::fs::write(dir.join("fix-1.ron"), "// edited by hand\n").unwrap();
    let again = emit(&dir, false);
    assert_eq!(again.status.code(), Some(2), "{}", stdout(&again));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(dir.join("fix-1.ron")).unwrap(),
        "// edited by hand\n"
    );
    let forced = emit(&dir, true);
    assert_eq!(forced.status.code(), Some(1), "{}", stderr(&forced));
    assert_eq!(
        std::fs::read_to_string(dir.join("fix-1.ron")).unwrap(),
        written
    );
}

#[cfg(unix)]
#[test]
fn emit_variant_never_writes_through_a_symbolic_link() {
    let dir = scratch("emit-symlink");
    let target = dir.join("precious.txt");
    std::fs::write(&target, "keep me\n").unwrap();
    let out = dir.join("fixes");
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&target, out.join("fix-1.ron")).unwrap();
    let o = emit(&out, false);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me\n");
    // With --force the link itself is replaced by the fix; what it pointed to is untouched.
    let o = emit(&out, true);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me\n");
    let meta = std::fs::symlink_metadata(out.join("fix-1.ron")).unwrap();
    assert!(meta.file_type().is_file());
    // A dangling link is not followed either.
    let dangling = scratch("emit-dangling");
    let nowhere = dangling.join("created-through-link");
    std::os::unix::fs::symlink(&nowhere, dangling.join("fix-1.ron")).unwrap();
    let o = emit(&dangling, false);
    assert_eq!(o.status.code(), Some(2));
    assert!(!nowhere.exists());
}

#[test]
fn emit_variant_with_force_leaves_no_stale_fix_from_an_earlier_run() {
    let dir = scratch("emit-stale");
    std::fs::write(dir.join("fix-7.ron"), "// an earlier run's fix\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "mine\n").unwrap();
    let o = emit(&dir, true);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(dir.join("fix-1.ron").exists());
    assert!(
        !dir.join("fix-7.ron").exists(),
        "a stale fix would look current"
    );
    assert!(dir.join("notes.txt").exists(), "other files are left alone");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn force_without_emit_variant_is_a_usage_error() {
    let o = azpath(&[
        "diagnose",
        DNS_LESSON,
        "--from",
        "vm-app",
        "--to",
        "contoso-aoai.openai.azure.com",
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn what_if_refuses_a_client_neither_scenario_has() {
    for from in ["", "vm-nope", "127.0.0.1"] {
        let o = azpath(&[
            "what-if",
            SHOWCASE,
            COUNTERPART,
            "--from",
            from,
            "--to",
            "10.0.2.4",
        ]);
        assert_eq!(o.status.code(), Some(2), "{from:?}: {}", stdout(&o));
        assert!(stderr(&o).contains("--from"), "{}", stderr(&o));
    }
}

#[test]
fn port_0_is_refused_wherever_a_flow_port_is_taken() {
    let flows: [&[&str]; 7] = [
        &[
            "trace", SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4", "--port", "0",
        ],
        &[
            "trace",
            SHOWCASE,
            "--from",
            "vm-app",
            "--to",
            "10.0.2.4",
            "--source-port",
            "0",
        ],
        &["trace", SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4:0"],
        &[
            "flow-verify",
            SHOWCASE,
            "--at",
            "vm-app",
            "--direction",
            "outbound",
            "--remote",
            "10.0.2.4",
            "--port",
            "0",
        ],
        &[
            "flow-verify",
            SHOWCASE,
            "--at",
            "vm-app",
            "--direction",
            "outbound",
            "--remote",
            "10.0.2.4",
            "--source-port",
            "0",
        ],
        &["reach", SHOWCASE, "--port", "0"],
        &[
            "what-if", SHOWCASE, SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4", "--port", "0",
        ],
    ];
    for args in flows {
        let o = azpath(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.contains('0')
                && (err.contains("--port")
                    || err.contains("--source-port")
                    || err.contains("--to")),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("1..=65535") || err.contains("1 to 65535"),
            "{args:?}: {err}"
        );
    }
    let o = azpath(&[
        "diagnose",
        DNS_LESSON,
        "--from",
        "vm-app",
        "--to",
        "contoso-aoai.openai.azure.com:0",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("`0` is not a port"), "{}", stderr(&o));
}

#[test]
fn max_input_bytes_bounds_check_generate_and_import_alike() {
    let small = azpath(&["--max-input-bytes", "100", "check", SHOWCASE]);
    assert_eq!(small.status.code(), Some(2), "{}", stderr(&small));
    assert!(
        stderr(&small).contains("larger than 100 bytes"),
        "{}",
        stderr(&small)
    );
    assert!(azpath(&["check", SHOWCASE, "--max-input-bytes", "1000000"])
        .status
        .success());
    let generated = azpath(&["generate", "--max-input-bytes", "1000"]);
    assert!(!generated.status.success());
    assert!(
        stderr(&generated).contains("more than 1000 bytes"),
        "{}",
        stderr(&generated)
    );
    let import = azpath(&["import", "--max-input-bytes", "10", SHOWCASE]);
    assert!(!import.status.success());
    assert!(
        stderr(&import).contains("larger than 10 bytes"),
        "{}",
        stderr(&import)
    );
}

#[test]
fn import_deploys_a_template_with_a_parameter_file_and_p_values() {
    let dir = scratch("import-arm");
    let tpl = dir.join("azuredeploy.json");
    std::fs::write(
        &tpl,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  // a comment, as ARM allows
  "parameters": {"vnetName": {"type": "string"}, "prefix": {"type": "string", "defaultValue": "10.9.0.0/16"}},
  "resources": [{"type": "Microsoft.Network/virtualNetworks", "name": "[parameters('vnetName')]",
    "location": "[resourceGroup().location]",
    "properties": {"addressSpace": {"addressPrefixes": ["[parameters('prefix')]"]},
      "subnets": [{"name": "app", "properties": {"addressPrefix": "[cidrSubnet(parameters('prefix'), 24, 1)]"}}]}}]}"#,
    )
    .unwrap();
    let params = dir.join("params.json");
    std::fs::write(
        &params,
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "parameters": {"vnetName": {"value": "vnet-file"}}}"#,
    )
    .unwrap();
    let o = azpath(&[
        "import",
        tpl.to_str().unwrap(),
        "--parameters",
        params.to_str().unwrap(),
        "-p",
        "prefix=10.8.0.0/16",
        "--location",
        "northeurope",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ron = stdout(&o);
    assert!(ron.contains("name: \"vnet-file\""), "{ron}");
    assert!(ron.contains("\"10.8.1.0/24\""), "{ron}");
    assert!(ron.contains("region: \"northeurope\""), "{ron}");
    assert!(!ron.contains("[parameters("), "{ron}");
    // The parameter file alone holds no resources: it says what it is, and exits 2.
    let alone = azpath(&["import", params.to_str().unwrap()]);
    assert_eq!(alone.status.code(), Some(2), "{}", stderr(&alone));
    assert!(
        stderr(&alone).contains("--parameters FILE"),
        "{}",
        stderr(&alone)
    );
}

#[test]
fn reach_summary_counts_by_group_and_only_failing_keeps_the_failing_pairs() {
    let file = "scenarios/nsg/subnet-and-nic-order.ron";
    let all = stdout(&azpath(&["reach", file, "--format", "csv"]));
    let failing_rows: Vec<&str> = all
        .lines()
        .skip(1)
        .filter(|l| !l.contains(",Delivered,"))
        .collect();
    assert!(!failing_rows.is_empty());
    let only = azpath(&["reach", file, "--format", "csv", "--only", "failing"]);
    assert_eq!(only.status.code(), Some(1), "pairs fail: {}", stderr(&only));
    let out = stdout(&only);
    assert_eq!(out.lines().skip(1).collect::<Vec<_>>(), failing_rows);
    let summary = azpath(&["reach", file, "--summary", "--group-by", "vnet"]);
    assert_eq!(
        summary.status.code(),
        Some(1),
        "pairs fail: {}",
        stderr(&summary)
    );
    let out = stdout(&summary);
    assert!(out.contains("12 pairs;"), "{out}");
    assert!(out.contains("SOURCE VNET"), "{out}");
    assert!(!out.contains("DESTINATION  ADDRESS"), "no pairs: {out}");
    let json = azpath(&["reach", file, "--summary", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let groups = v["groups"].as_array().unwrap();
    let total: u64 = groups.iter().map(|g| g["pairs"].as_u64().unwrap()).sum();
    assert_eq!(v["summary"]["pairs"].as_u64(), Some(total));
    assert!(stderr(&json).is_empty(), "no progress off a terminal");
}

#[test]
fn routes_at_a_gateway_site_or_hub_and_traces_from_a_site() {
    let hybrid = "scenarios/hybrid/gateway-transit-and-what-is-advertised.ron";
    let gw = azpath(&["routes", hybrid, "--at", "vpngw"]);
    assert!(gw.status.success(), "{}", stderr(&gw));
    let out = stdout(&gw);
    assert!(out.contains("Advertised to on-premises"), "{out}");
    assert!(
        out.contains("10.1.0.0/16") && !out.contains("10.2.0.0/16"),
        "{out}"
    );
    assert!(!out.contains("10.50.0.0/16"), "{out}");
    let site = stdout(&azpath(&["routes", hybrid, "--at", "dc"]));
    assert!(site.contains("172.16.20.0/24"), "{site}");
    let delivered = azpath(&[
        "trace",
        hybrid,
        "--from",
        "dc:192.168.1.10",
        "--to",
        "10.1.1.4:22",
    ]);
    assert_eq!(delivered.status.code(), Some(0), "{}", stdout(&delivered));
    let unrouted = azpath(&["trace", hybrid, "--from", "dc", "--to", "10.2.1.4:22"]);
    assert_eq!(unrouted.status.code(), Some(1));
    assert!(stdout(&unrouted).contains("NotRoutedFromSite"));
    let outside = azpath(&[
        "trace",
        hybrid,
        "--from",
        "dc:10.9.9.9",
        "--to",
        "10.1.1.4:22",
    ]);
    assert_eq!(outside.status.code(), Some(2));
    assert!(
        stderr(&outside).contains("not an address of site `dc`"),
        "{}",
        stderr(&outside)
    );
    let wan = "scenarios/virtual-wan/routing-intent-two-secured-hubs.ron";
    let hub = stdout(&azpath(&["routes", wan, "--at", "hub-eus"]));
    assert!(
        hub.contains("Address Prefixes") && hub.contains("Azure Firewall"),
        "{hub}"
    );
    assert!(hub.contains("_policy_PrivateTraffic"), "{hub}");
    let fw = stdout(&azpath(&["routes", wan, "--at", "hub-eus/fw-eus"]));
    assert!(
        fw.contains("Remote Hub") && fw.contains("65520-65520"),
        "{fw}"
    );
}

#[test]
fn trace_dot_clusters_by_region_and_vnet_and_labels_each_step_with_what_decided_it() {
    let dot = stdout(&azpath(&[
        "trace",
        "scenarios/virtual-wan/cross-region-private-endpoint.ron",
        "--from",
        "app-dev",
        "--to",
        "aoai-dev.openai.azure.com",
        "--format",
        "dot",
    ]));
    assert!(
        dot.contains("subgraph cluster_r0 {") && dot.contains("label=\"westus\""),
        "{dot}"
    );
    assert!(
        dot.contains("label=\"virtual hub hub-eus\\n10.200.0.0/23\""),
        "{dot}"
    );
    // The West US firewall's application rule, with its SNAT, on the step it decided.
    assert!(
        dot.contains("fw-wus: apps-to-openai Allow\\nSNAT to 10.100.0.132"),
        "{dot}"
    );
    assert!(
        dot.contains("route 10.0.0.0/8 (VirtualNetworkGateway)"),
        "{dot}"
    );
    assert!(dot.contains("DNS: aoai-dev.openai.azure.com"), "{dot}");
    // The verdict hangs off the hop where the trace ended: the reply's last, the client.
    let app = dot
        .lines()
        .find(|l| l.contains("[label=\"app-dev\\n10.1.1.4\""))
        .and_then(|l| l.split_whitespace().next())
        .unwrap();
    assert!(dot.contains(&format!("{app} -> verdict")), "{dot}");
    let refused = stdout(&azpath(&[
        "trace",
        "scenarios/virtual-wan/cross-region-private-endpoint.ron",
        "--from",
        "app-dev",
        "--to",
        "10.3.2.4",
        "--host",
        "aoai-dev.cognitiveservices.azure.com",
        "--format",
        "dot",
    ]));
    let fw = refused
        .lines()
        .find(|l| l.contains("[label=\"fw-wus\\n10.100.0.132\""))
        .and_then(|l| l.split_whitespace().next())
        .unwrap();
    assert!(refused.contains(&format!("{fw} -> verdict")), "{refused}");
    assert!(refused.contains("label=\"DroppedByFirewall\""), "{refused}");
}

#[test]
fn trace_svg_draws_the_topology_and_the_path_without_graphviz() {
    let o = azpath(&[
        "trace",
        "scenarios/virtual-wan/cross-region-private-endpoint.ron",
        "--from",
        "app-dev",
        "--to",
        "10.3.2.4",
        "--format",
        "svg",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let svg = stdout(&o);
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.contains("data-id=\"nic:fw-eus\"") && svg.contains("class=\"seg rep\""));
    assert!(svg.contains("<g class=\"verdict ok\""));
}

/// Starts `azpath serve` with `args` and returns what it says on standard error before it
/// serves (up to its "serving" line), then stops it.
fn serve_announcement(args: &[&str]) -> String {
    use std::io::BufRead as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_azpath"))
        .current_dir(root())
        .arg("serve")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        said += &line;
        said.push('\n');
        if line.contains("serving") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    said
}

#[test]
fn serve_listens_on_the_loopback_only_unless_told_and_then_warns() {
    let said = serve_announcement(&["scenarios", "--port", "0"]);
    assert!(
        said.contains("serving the scenario library on http://127.0.0.1:")
            && !said.contains("warning"),
        "{said}"
    );
    let said = serve_announcement(&["scenarios", "--port", "0", "--listen", "0.0.0.0"]);
    assert!(said.starts_with("warning: listening on 0.0.0.0"), "{said}");
    let missing = azpath(&["serve", "no-such-folder", "--port", "0"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no-such-folder: cannot serve"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn a_url_is_traced_to_its_host_and_port_with_the_path_as_a_note() {
    let file = root().join("scenarios/virtual-wan/cross-region-private-endpoint.ron");
    let o = azpath(&[
        "trace",
        file.to_str().unwrap(),
        "--from",
        "app-dev",
        "--to",
        "https://aoai-dev.openai.azure.com/openai/deployments/x",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).starts_with(
        "Trace Tcp from `app-dev` to `aoai-dev.openai.azure.com` port 443: Delivered"
    ));
    assert!(stderr(&o).contains("the path `/openai/deployments/x` is part of the request"));
}

#[test]
fn resolve_and_diagnose_take_a_url_or_host_port_too() {
    let file = root().join("scenarios/virtual-wan/cross-region-private-endpoint.ron");
    let f = file.to_str().unwrap();
    for name in [
        "https://aoai-dev.openai.azure.com/openai",
        "aoai-dev.openai.azure.com:443",
    ] {
        let o = azpath(&["resolve", f, "--from", "app-dev", "--name", name]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert!(stdout(&o).contains("=> resolved to 10.3.2.4"), "{name}");
    }
    let o = azpath(&[
        "diagnose",
        f,
        "--from",
        "app-dev",
        "--to",
        "http://aoai-dev.openai.azure.com:443/x",
    ]);
    assert!(
        stdout(&o).starts_with("Diagnosis of app-dev -> aoai-dev.openai.azure.com:443"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn what_if_of_a_terraform_plan_shows_the_routes_it_changes() {
    let o = azpath(&[
        "what-if",
        "--terraform-plan",
        "engine/tests/import/terraform/plan.json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // The plan adds a default route to the firewall on the spoke's route table, and peers
    // the spoke with the hub (the peerings' ids are known only after apply).
    assert!(out.contains("Routes of vnet-spoke/snet-app:"), "{out}");
    assert!(
        out.contains("+ 0.0.0.0/0 User VirtualAppliance 10.0.1.4 Active"),
        "{out}"
    );
    assert!(
        out.contains("+ 10.0.0.0/16 Default VNetPeering Active"),
        "{out}"
    );
    assert!(
        stderr(&o).contains("spoke_to_hub.id is known after apply"),
        "{}",
        stderr(&o)
    );
    let both = azpath(&["what-if", "a.ron", "b.ron", "--terraform-plan", "p.json"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn trace_permit_all_lists_the_blocking_nsg_rule_and_exits_0_when_routing_alone_delivers() {
    let file = root().join("scenarios/nsg/subnet-and-nic-order.ron");
    let file = file.to_str().unwrap();
    let plain = azpath(&["trace", file, "--from", "vm-web", "--to", "10.10.2.4:1433"]);
    assert_eq!(plain.status.code(), Some(1), "{}", stderr(&plain));
    let o = azpath(&[
        "trace",
        file,
        "--from",
        "vm-web",
        "--to",
        "10.10.2.4:1433",
        "--permit-all",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("NSG `nsg-web-nic` rule `deny-sql-out` (Outbound, at `vm-web`)"),
        "{text}"
    );
    assert!(text.contains("Routing alone delivers it"), "{text}");
}

// ---- diagnose --symptom --------------------------------------------------------------------

const SEED_ONE: &str = "scenarios/virtual-wan/cross-region-private-endpoint.ron";

#[test]
fn diagnose_symptom_reads_the_error_string_and_ranks_the_flows_that_produce_it() {
    let o = azpath(&[
        "diagnose",
        SEED_ONE,
        "--symptom",
        "openai.APIConnectionError: Connection error.",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("read as an SDK connection error"), "{out}");
    assert!(
        out.contains("1. [exact] firewall decision and SNAT: DroppedByFirewall"),
        "{out}"
    );
}

#[test]
fn diagnose_symptom_says_when_the_flow_disagrees_and_fails() {
    let o = azpath(&[
        "diagnose",
        SEED_ONE,
        "--symptom",
        "nxdomain",
        "--from",
        "app-dev",
        "--to",
        "aoai-dev.openai.azure.com",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("MISMATCH: the model says"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn diagnose_symptom_refuses_an_unknown_symptom_with_the_likely_word() {
    let o = azpath(&["diagnose", SEED_ONE, "--symptom", "timout"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown symptom `timout` (hint: did you mean `timeout`?)"),
        "{}",
        stderr(&o)
    );
    let o = azpath(&["diagnose", SEED_ONE]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "no flow and no symptom is a usage error"
    );
    let o = azpath(&[
        "diagnose",
        SEED_ONE,
        "--symptom",
        "timeout",
        "--emit-variant",
        "x",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a symptom has no single flow to fix"
    );
}

// ---- compare -------------------------------------------------------------------------------

#[test]
fn compare_shows_differences_first_and_fails_when_the_sides_differ() {
    let fix = "scenarios/virtual-wan/fixes/co-located-private-endpoint.ron";
    let o = azpath(&["compare", SEED_ONE, fix]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("differs in:"), "{out}");
    assert!(out.contains("The same on both sides"), "{out}");
    assert!(
        out.find("differs in:") < out.find("The same on both sides"),
        "{out}"
    );
    let same = azpath(&["compare", SEED_ONE, SEED_ONE]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(stdout(&same).contains("The two sides agree"));
}

#[test]
fn compare_takes_two_flows_of_one_scenario_and_refuses_one_file_alone() {
    let o = azpath(&[
        "compare",
        SEED_ONE,
        "--from",
        "app-dev",
        "--to",
        "https://aoai-dev.openai.azure.com/openai/deployments/x",
        "--b-from",
        "app-prod",
        "--b-to",
        "aoai-dev.openai.azure.com",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("A: app-dev -> aoai-dev.openai.azure.com:443"),
        "{out}"
    );
    assert!(
        out.contains("B: app-prod -> aoai-dev.openai.azure.com:443"),
        "{out}"
    );
    assert_eq!(azpath(&["compare", SEED_ONE]).status.code(), Some(2));
    let o = azpath(&[
        "compare", SEED_ONE, "--from", "app-dve", "--to", "x", "--b-from", "app-prod", "--b-to",
        "y",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn explain_shows_the_lessons_sources_and_each_questions_comment() {
    let o = azpath(&["explain", "scenarios/dns/zone-linked-to-the-hub-only.ron"]);
    let out = stdout(&o);
    assert!(
        out.contains("Sources:\n  - Azure Private Endpoint DNS configuration: https://learn.microsoft.com/azure/private-link/private-endpoint-dns\n"),
        "{out}"
    );
    let q = out.find("Question 3 (line 31)").expect("question 3");
    let note = out
        .find("Note: From the hub it works")
        .expect("its comment");
    let answer = out[q..].find("Answer:").map(|i| q + i).unwrap();
    assert!(q < note && note < answer, "{out}");
}

#[test]
fn import_scope_deploys_each_portal_export_to_its_own_resource_group() {
    let o = azpath(&[
        "import",
        "engine/tests/import/arm-cases/export-hub.json",
        "--scope",
        "engine/tests/import/arm-cases/export-hub.json=/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"),
        "{out}"
    );
    let bad = azpath(&[
        "import",
        "engine/tests/import/arm-cases/export-hub.json",
        "--scope",
        "rg-hub",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("FILE=/subscriptions/"));
}

const DNAT_LESSON: &str = "scenarios/load-balancer/firewall-dnat-to-public-lb.ron";

#[test]
fn diagnose_symptom_suggests_a_next_command_that_runs_for_an_internet_client() {
    let o = azpath(&["diagnose", DNAT_LESSON, "--symptom", "timeout"]);
    let out = stdout(&o);
    let next = out
        .lines()
        .find_map(|l| l.strip_prefix("Next: `azpath "))
        .and_then(|l| l.split('`').next())
        .unwrap_or_else(|| panic!("no next command in {out}"));
    let args: Vec<&str> = next
        .split_whitespace()
        .map(|a| if a == "FILE" { DNAT_LESSON } else { a })
        .collect();
    assert!(args.contains(&"203.0.113.7"), "{next}");
    let o = azpath(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("the client is outside Azure"), "{out}");
}

#[test]
fn diagnose_offers_the_host_route_for_the_firewall_public_ip_for_a_reply_dropped_at_its_private_ip()
{
    let o = azpath(&[
        "diagnose",
        DNAT_LESSON,
        "--from",
        "203.0.113.7",
        "--to",
        "20.185.97.136:3389",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("route 20.185.97.136/32 from `spoke/web` to the Internet"),
        "{out}"
    );
    assert!(
        out.contains("--address-prefix 20.185.97.136/32 --next-hop-type Internet"),
        "{out}"
    );
    assert!(!out.contains("always SNAT"), "{out}");
}
