//! The command line's conventions, end to end: the exit-code table every command follows,
//! `-` for standard input, `-o FILE`, colour and `NO_COLOR`, completions, the man page,
//! `--version` and each subcommand's Examples.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs azpath with `stdin` on standard input and `env` set; colour variables are cleared
/// first so the caller's terminal settings do not leak in.
fn run(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_azpath"));
    command
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    // The command may not read standard input at all: a closed pipe is not an error here.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

fn azpath(args: &[&str]) -> Output {
    run(args, "", &[])
}

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const SHOWCASE: &str = "scenarios/private-endpoint/zero-default-udr-vs-pe.ron";
const NSG_ORDER: &str = "scenarios/nsg/subnet-and-nic-order.ron";
const RESERVED: &str = "scenarios/routing/reserved-prefixes.ron";

#[test]
fn trace_exits_0_when_the_flow_leaves_for_the_internet_as_routed() {
    let o = azpath(&[
        "trace",
        RESERVED,
        "--from",
        "vm-inside",
        "--to",
        "93.184.216.34",
    ]);
    assert!(out(&o).contains(": SentToInternet"), "{}", out(&o));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

#[test]
fn trace_exits_1_when_the_flow_is_dropped() {
    let o = azpath(&["trace", NSG_ORDER, "--from", "vm-web", "--to", "10.10.2.4"]);
    let text = out(&o);
    assert!(
        text.lines().next().unwrap_or_default().contains("Dropped"),
        "{text}{}",
        err(&o)
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn flow_verify_exits_1_on_a_deny_and_0_on_an_allow() {
    let flow = |remote: &str| {
        let args = [
            "flow-verify",
            NSG_ORDER,
            "--at",
            "vm-web",
            "--direction",
            "inbound",
        ];
        azpath(&[&args[..], &["--remote", remote, "--port", "443"]].concat())
    };
    let deny = flow("203.0.113.7");
    assert!(
        out(&deny).lines().next().unwrap().ends_with(": Deny"),
        "{}",
        out(&deny)
    );
    assert_eq!(deny.status.code(), Some(1));
    let allow = azpath(&[
        "flow-verify",
        SHOWCASE,
        "--at",
        "vm-app",
        "--direction",
        "outbound",
        "--remote",
        "10.0.2.4",
        "--port",
        "443",
    ]);
    assert!(
        out(&allow).lines().next().unwrap().ends_with(": Allow"),
        "{}",
        out(&allow)
    );
    assert_eq!(allow.status.code(), Some(0));
}

#[test]
fn reach_exits_1_with_drops_and_0_when_every_pair_gets_through() {
    let drops = azpath(&["reach", NSG_ORDER, "--format", "csv"]);
    assert!(out(&drops).contains(",DroppedByNsg,"), "{}", out(&drops));
    assert_eq!(drops.status.code(), Some(1));
    let clean = azpath(&["reach", SHOWCASE, "--format", "csv"]);
    assert!(!out(&clean).contains("Dropped"), "{}", out(&clean));
    assert_eq!(clean.status.code(), Some(0), "{}", err(&clean));
}

#[test]
fn import_exits_1_when_nothing_is_imported() {
    let storage = r#"[{"type": "Microsoft.Storage/storageAccounts", "name": "s",
        "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s"}]"#;
    let o = run(&["import", "-"], storage, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("nothing imported"), "{}", err(&o));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(azpath(&["trace", SHOWCASE]).status.code(), Some(2));
    assert_eq!(azpath(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(
        azpath(&["routes", "missing.ron", "--at", "a/b"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_dash_reads_the_scenario_from_standard_input() {
    let text = std::fs::read_to_string(root().join(SHOWCASE)).unwrap();
    let piped = run(&["routes", "-", "--at", "spoke/app"], &text, &[]);
    let named = azpath(&["routes", SHOWCASE, "--at", "spoke/app"]);
    assert_eq!(piped.status.code(), Some(0), "{}", err(&piped));
    assert_eq!(out(&piped), out(&named));
    // Diagnostics name standard input.
    let bad = run(&["check", "-"], "Scenario(vnets: [(name: 1)])", &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(err(&bad).contains("<stdin>:1:"), "{}", err(&bad));
}

#[test]
fn standard_input_is_read_once_per_command() {
    let text = std::fs::read_to_string(root().join(SHOWCASE)).unwrap();
    let o = run(&["what-if", "-", "-"], &text, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("standard input (`-`) can be read once"),
        "{}",
        err(&o)
    );
}

#[test]
fn a_dash_reads_azures_routes_from_standard_input() {
    let expected = azpath(&["routes", SHOWCASE, "--at", "vm-app", "--format", "az-json"]);
    let o = run(
        &[
            "compare-routes",
            SHOWCASE,
            "--at",
            "vm-app",
            "--actual",
            "-",
        ],
        &out(&expected),
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("azpath-conventions-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn dash_o_writes_standard_output_to_the_file_and_only_once_there_is_an_answer() {
    let dir = scratch("o");
    let file = dir.join("matrix.csv");
    let o = azpath(&[
        "reach",
        SHOWCASE,
        "--format",
        "csv",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(o.stdout.is_empty());
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with("source,destination,"), "{written}");
    // Refused before any answer: no file.
    let none = dir.join("none.txt");
    let refused = azpath(&[
        "routes",
        SHOWCASE,
        "--at",
        "nowhere",
        "-o",
        none.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(!none.exists());
    // A file that cannot be created is exit 2 with the path.
    let blocked = dir.join("no-such-dir").join("x.txt");
    let o = azpath(&[
        "routes",
        SHOWCASE,
        "--at",
        "spoke/app",
        "-o",
        blocked.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("-o: cannot create"), "{}", err(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

const ESC: char = '\u{1b}';

#[test]
fn verdicts_are_coloured_only_when_asked_and_never_with_no_color() {
    let args = ["trace", SHOWCASE, "--from", "vm-app", "--to", "10.0.2.4"];
    // A pipe is not a terminal: no colour.
    assert!(!out(&azpath(&args)).contains(ESC));
    let forced = run(&args, "", &[("CLICOLOR_FORCE", "1")]);
    let first = out(&forced).lines().next().unwrap().to_string();
    assert!(
        first.contains(&format!("{ESC}[32mDelivered{ESC}[0m")),
        "{first:?}"
    );
    let no_color = run(&args, "", &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!out(&no_color).contains(ESC));
    // JSON is data: never coloured.
    let json = run(
        &[&args[..], &["--format", "json"]].concat(),
        "",
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!out(&json).contains(ESC));
}

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = azpath(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", err(&o));
        let script = out(&o);
        assert!(
            script.contains("flow-verify") && script.contains("output"),
            "{shell}"
        );
    }
    assert_eq!(azpath(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_man_page_lists_the_subcommands_and_the_exit_codes() {
    let o = azpath(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = out(&o);
    assert!(page.contains(".TH azpath 1"), "{page}");
    assert!(page.contains("flow\\-verify") || page.contains("flow-verify"));
    assert!(page.contains("Exit status"), "{page}");
}

#[test]
fn version_names_the_crate_version() {
    let o = azpath(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let v = out(&o);
    assert!(
        v.starts_with(concat!("azpath ", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
}

#[test]
fn every_subcommand_help_ends_with_examples() {
    let top = out(&azpath(&["--help"]));
    let names: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .collect();
    assert!(names.len() > 10, "{top}");
    for name in names {
        let help = out(&azpath(&[name, "--help"]));
        assert!(
            help.contains("\nExamples:\n  azpath "),
            "`azpath {name} --help`:\n{help}"
        );
    }
    assert!(top.contains("Exit status"), "{top}");
}
