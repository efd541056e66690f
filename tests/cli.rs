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
    assert!(o.status.success(), "{}", stderr(&o));
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
    let text = azpath(&["reach", file]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let out = stdout(&text);
    assert!(out.contains("12 pairs;"), "{out}");
    assert!(
        out.contains("DroppedByNsg (rule `deny-vnet-in` of `nsg-db-subnet` at `vm-db2`)"),
        "{out}"
    );
    let csv = azpath(&["reach", file, "--format", "csv", "--port", "22"]);
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
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
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
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
fn import_writes_a_scenario_that_check_accepts_and_lists_what_it_left_out() {
    let o = azpath(&["import", "engine/tests/import/hub-spoke"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("not imported (7):"), "{err}");
    assert!(
        err.contains("application security groups are not modelled"),
        "{err}"
    );
    let path = std::env::temp_dir().join(format!("azpath-import-{}.ron", std::process::id()));
    std::fs::write(&path, stdout(&o)).unwrap();
    let checked = azpath(&["check", path.to_str().unwrap()]);
    assert!(checked.status.success(), "{}", stderr(&checked));
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
    assert!(stderr(&refused).contains("`--format az-json` is not available for `flow-verify`"));
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

/// A scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("azpath-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
