//! Every JSON the command line prints validates against the schema `azpath schema KIND` prints
//! for it, and every bundled scenario against the scenario schema.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn azpath(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_azpath"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The JSON a command printed; it must have answered (exit 0 or 1).
fn json(args: &[&str]) -> Value {
    let o = azpath(args);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "azpath {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("azpath {}: not JSON: {e}", args.join(" ")))
}

struct Schemas(BTreeMap<String, jsonschema::Validator>);

impl Schemas {
    fn load() -> Self {
        let all = json(&["schema"]);
        let map = all
            .as_object()
            .unwrap()
            .iter()
            .map(|(kind, schema)| {
                let v = jsonschema::validator_for(schema)
                    .unwrap_or_else(|e| panic!("schema `{kind}` does not compile: {e}"));
                (kind.clone(), v)
            })
            .collect();
        Schemas(map)
    }

    fn check(&self, kind: &str, value: &Value, what: &str) {
        let validator = self
            .0
            .get(kind)
            .unwrap_or_else(|| panic!("no schema `{kind}`"));
        let errors: Vec<String> = validator
            .iter_errors(value)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not validate as `{kind}`:\n{}",
            errors.join("\n")
        );
    }
}

fn scenarios() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "ron") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("scenarios"), &mut files);
    files
}

#[test]
fn the_schemas_refuse_an_answer_that_breaks_them() {
    let schemas = Schemas::load();
    let showcase = "scenarios/private-endpoint/zero-default-udr-vs-pe.ron";
    let args = [
        "trace", showcase, "--from", "vm-app", "--to", "10.0.2.4", "--format", "json",
    ];
    let good = json(&args);
    let validator = &schemas.0["trace"];
    assert!(validator.is_valid(&good));
    let mut unknown_verdict = good.clone();
    unknown_verdict["verdict"]["verdict"] = "Bogus".into();
    assert!(!validator.is_valid(&unknown_verdict));
    let mut unversioned = good.clone();
    unversioned
        .as_object_mut()
        .unwrap()
        .remove("schema_version");
    assert!(!validator.is_valid(&unversioned));
    let mut wrong_type = good;
    wrong_type["request"] = "10.0.2.4".into();
    assert!(!validator.is_valid(&wrong_type));
}

#[test]
fn the_schema_of_one_kind_is_the_one_in_the_list_of_all() {
    let all = json(&["schema"]);
    assert_eq!(json(&["schema", "trace"]), all["trace"]);
    assert_eq!(azpath(&["schema", "no-such-kind"]).status.code(), Some(2));
}

#[test]
fn every_json_answer_carries_schema_version_and_validates_against_its_schema() {
    let schemas = Schemas::load();
    let files = scenarios();
    assert!(files.len() > 20);
    for file in &files {
        let f = file.to_str().unwrap();
        let matrix = json(&["reach", f, "--format", "json"]);
        assert_eq!(matrix["schema_version"], 1, "{f}");
        schemas.check("reach", &matrix, &format!("reach {f}"));
        // A few pairs of each matrix through every command that answers about one flow.
        for row in matrix["rows"].as_array().unwrap().iter().take(2) {
            let from = row["source"].as_str().unwrap();
            let ip = row["destination_ip"].as_str().unwrap();
            let what = format!("{f} from {from} to {ip}");
            let trace = json(&["trace", f, "--from", from, "--to", ip, "--format", "json"]);
            assert_eq!(trace["schema_version"], 1, "{what}");
            schemas.check("trace", &trace, &what);
            let permit = json(&[
                "trace",
                f,
                "--from",
                from,
                "--to",
                ip,
                "--permit-all",
                "--format",
                "json",
            ]);
            assert_eq!(permit["schema_version"], 1, "{what}");
            schemas.check("trace-permit-all", &permit, &format!("{what} --permit-all"));
            let routes = json(&["routes", f, "--at", from, "--format", "json"]);
            schemas.check("routes", &routes, &what);
            let az = json(&["routes", f, "--at", from, "--format", "az-json"]);
            assert!(
                az.get("schema_version").is_none(),
                "az-json is Azure's shape"
            );
            schemas.check("az-routes", &az, &what);
            let hop = json(&[
                "next-hop", f, "--from", from, "--to", ip, "--format", "json",
            ]);
            schemas.check("next-hop", &hop, &what);
            let az_hop = json(&[
                "next-hop", f, "--from", from, "--to", ip, "--format", "az-json",
            ]);
            schemas.check("az-next-hop", &az_hop, &what);
            let nsg = json(&[
                "flow-verify",
                f,
                "--at",
                from,
                "--direction",
                "outbound",
                "--remote",
                ip,
                "--format",
                "json",
            ]);
            schemas.check("flow-verify", &nsg, &what);
        }
    }
}

#[test]
fn test_resolve_compare_what_if_and_diagnose_json_validate() {
    let schemas = Schemas::load();
    let run = json(&["test", "--format", "json"]);
    assert_eq!(run["schema_version"], 1);
    schemas.check("test", &run, "test scenarios/");

    let dns = "scenarios/dns/zone-linked-to-the-hub-only.ron";
    let name = "contoso-aoai.openai.azure.com";
    for from in ["vm-app", "hub"] {
        let r = json(&[
            "resolve", dns, "--from", from, "--name", name, "--format", "json",
        ]);
        schemas.check("resolve", &r, &format!("resolve from {from}"));
    }
    let r = json(&[
        "resolve",
        dns,
        "--from",
        "vm-app",
        "--name",
        "nope.invalid",
        "--format",
        "json",
    ]);
    schemas.check("resolve", &r, "resolve of an unknown name");

    let showcase = "scenarios/private-endpoint/zero-default-udr-vs-pe.ron";
    let dir = std::env::temp_dir().join(format!("azpath-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let actual = dir.join("actual.json");
    let az = azpath(&["routes", showcase, "--at", "vm-app", "--format", "az-json"]);
    std::fs::write(&actual, &az.stdout).unwrap();
    let compared = json(&[
        "compare-routes",
        showcase,
        "--at",
        "vm-app",
        "--actual",
        actual.to_str().unwrap(),
        "--format",
        "json",
    ]);
    schemas.check("compare-routes", &compared, "compare-routes");
    let _ = std::fs::remove_dir_all(&dir);

    let base = "scenarios/virtual-wan/cross-region-private-endpoint.ron";
    let fix = "scenarios/virtual-wan/fixes/co-located-private-endpoint.ron";
    let to = "aoai-dev.openai.azure.com";
    schemas.check(
        "what-if",
        &json(&["what-if", base, fix, "--format", "json"]),
        "what-if",
    );
    let one = json(&[
        "what-if", base, fix, "--from", "app-dev", "--to", to, "--format", "json",
    ]);
    schemas.check("what-if", &one, "what-if of one flow");
    let d = json(&[
        "diagnose", base, "--from", "app-dev", "--to", to, "--format", "json",
    ]);
    assert_eq!(d["schema_version"], 1);
    schemas.check("diagnose", &d, "diagnose");
    for symptom in [
        "timeout",
        "intermittent",
        "403",
        "nxdomain",
        "SSL_ERROR_SYSCALL",
    ] {
        let all = json(&["diagnose", base, "--symptom", symptom, "--format", "json"]);
        assert_eq!(all["schema_version"], 1);
        schemas.check(
            "diagnose-symptom",
            &all,
            &format!("diagnose --symptom {symptom}"),
        );
        let one = json(&[
            "diagnose",
            base,
            "--symptom",
            symptom,
            "--from",
            "app-dev",
            "--to",
            to,
            "--format",
            "json",
        ]);
        schemas.check(
            "diagnose-symptom",
            &one,
            &format!("diagnose --symptom {symptom} of one flow"),
        );
    }
}

#[test]
fn every_bundled_scenario_validates_against_the_scenario_schema() {
    let schemas = Schemas::load();
    for file in scenarios() {
        let loaded = azpath_engine::load_file(&file).unwrap();
        let value = serde_json::to_value(&loaded.document).unwrap();
        schemas.check("scenario", &value, &file.display().to_string());
    }
}

#[test]
fn gateway_site_and_hub_routes_reach_summaries_and_compare_validate() {
    let schemas = Schemas::load();
    let hybrid = "scenarios/hybrid/gateway-transit-and-what-is-advertised.ron";
    for at in ["vpngw", "dc", "branch"] {
        let r = json(&["routes", hybrid, "--at", at, "--format", "json"]);
        assert_eq!(r["schema_version"], 1, "{at}");
        schemas.check("routes-gateway", &r, &format!("routes --at {at}"));
    }
    let wan = "scenarios/virtual-wan/hub-effective-routes-before-and-after-routing-intent.ron";
    for at in ["hub", "hub/fw"] {
        let r = json(&["routes", wan, "--at", at, "--format", "json"]);
        assert_eq!(r["schema_version"], 1, "{at}");
        schemas.check("routes-hub", &r, &format!("routes --at {at}"));
    }
    for file in [hybrid, wan] {
        for by in ["region", "vnet"] {
            let s = json(&[
                "reach",
                file,
                "--summary",
                "--sites",
                "--group-by",
                by,
                "--format",
                "json",
            ]);
            assert_eq!(s["schema_version"], 1, "{file}");
            schemas.check("reach-summary", &s, &format!("reach --summary {file}"));
        }
        let failing = json(&[
            "reach", file, "--sites", "--only", "failing", "--format", "json",
        ]);
        schemas.check("reach", &failing, &format!("reach --only failing {file}"));
    }

    let base = "scenarios/virtual-wan/cross-region-private-endpoint.ron";
    let fix = "scenarios/virtual-wan/fixes/co-located-private-endpoint.ron";
    let to = "aoai-dev.openai.azure.com";
    let both = json(&["compare", base, fix, "--format", "json"]);
    assert_eq!(both["schema_version"], 1);
    schemas.check("compare", &both, "compare A B");
    let one = json(&[
        "compare", base, fix, "--from", "app-dev", "--to", to, "--format", "json",
    ]);
    schemas.check("compare", &one, "compare A B of one flow");
    let flows = json(&[
        "compare",
        base,
        "--from",
        "app-dev",
        "--to",
        to,
        "--b-from",
        "app-prod",
        "--b-to",
        "aoai-prod.openai.azure.com",
        "--format",
        "json",
    ]);
    schemas.check("compare", &flows, "compare of two flows");
    let check = json(&["check", base, "--format", "json"]);
    schemas.check("test", &check, "check");
    let by_name = json(&[
        "trace", base, "--from", "app-dev", "--to", to, "--format", "json",
    ]);
    schemas.check("trace", &by_name, "trace to a name");
    let from_site = json(&[
        "trace",
        hybrid,
        "--from",
        "dc:192.168.1.10",
        "--to",
        "10.1.1.4",
        "--format",
        "json",
    ]);
    schemas.check("trace", &from_site, "trace from a site");
    let internet = "scenarios/egress/nat-gateway-vs-instance-public-ip.ron";
    let from_internet = json(&[
        "trace",
        internet,
        "--from",
        "203.0.113.7",
        "--to",
        "20.2.2.2",
        "--format",
        "json",
    ]);
    schemas.check("trace", &from_internet, "trace from the Internet");
}
