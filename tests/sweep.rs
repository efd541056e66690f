//! Every subcommand over every bad input: the bad-input corpus (`engine/tests/bad_inputs/`), the
//! hostile corpus (`tests/hostile/`, see its README) and hostile inputs built at test time (a
//! 70,000-character name, a 1,500-file `extends` chain, folders with symlink loops, a FIFO and a
//! device, 40,000 address prefixes, a reader that closes the pipe).
//!
//! For every run: the exit code is 0, 1 or 2 (no panic, abort, signal or hang), nothing says
//! "panicked", and every error line on standard error is located: `file:line:col`, or an error
//! about a command-line value (`error: --at: …`), or an I/O error that has no line to point at.
//! The files of `tests/hostile/refused/` are what Azure refuses or what would otherwise be a
//! silently wrong answer: loading each must fail with a located error (exit 2), importing each
//! `import-*.json` must fail or name the offending value, and comparing each
//! `compare-routes-*.json` must fail (exit 2, not "differences"). A device (`/dev/zero`, directly
//! or through a symlink) must be refused for what it is or by a byte limit, not read until memory
//! runs out.
//!
//! Each run has a time limit and a memory limit, so a hang or a runaway read is reported as a
//! failure, not waited for.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// How one run ended.
struct Run {
    args: Vec<String>,
    /// The exit code; `None` when killed by a signal or by the time limit.
    code: Option<i32>,
    timed_out: bool,
    elapsed: Duration,
    stdout: String,
    stderr: String,
}

impl Run {
    fn what(&self) -> String {
        format!("azpath {}", self.args.join(" "))
    }
}

/// Virtual memory a run may use (KiB): a read that never ends fails instead of eating the host.
const MEMORY_KIB: u64 = 1024 * 1024;

/// Runs `azpath ARGS`, killing it after `limit`; with `close_stdout`, the reader of its standard
/// output goes away at once (`azpath … | head -0`).
fn azpath(args: &[String], limit: Duration, close_stdout: bool) -> Run {
    // The inputs built to hang or to be read forever run under a memory limit (set by a shell,
    // as the standard library cannot); the others run directly, which is faster.
    let mut command = if limit == HANG_LIMIT {
        let script = format!("ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\"");
        let mut c = Command::new("sh");
        c.arg("-c").arg(script).arg(env!("CARGO_BIN_EXE_azpath"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_azpath"))
    };
    // A closed pipe: the reading end is gone before the command starts, so its first write fails.
    let stdout = if close_stdout {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        Stdio::from(writer)
    } else {
        Stdio::piped()
    };
    let mut child = command
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take();
    let mut err = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(mut out) = out {
            let _ = out.read_to_end(&mut s);
        }
        String::from_utf8_lossy(&s).into_owned()
    });
    let stderr = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    Run {
        args: args.to_vec(),
        code: status.code(),
        timed_out,
        elapsed: start.elapsed(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Whether `line` holds `something:LINE:COL`.
fn has_line_and_column(line: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = line.split(':').collect();
    parts
        .windows(3)
        .any(|w| !w[0].trim().is_empty() && digits(w[1]) && digits(w[2]))
}

/// Command-line values an error may point at instead of a file position (not `--actual`, whose
/// value is a file with a content).
const VALUE_FLAGS: [&str; 9] = [
    "--at",
    "--from",
    "--to",
    "--remote",
    "--name",
    "--direction",
    "--port",
    "--host",
    "--format",
];

/// Errors about a file as a whole, which have no line to point at: it cannot be read, is not a
/// regular file, or is over a size or depth limit; and import's closing count of refused
/// values, each listed above it at its `file#/json/pointer`.
const UNLOCATED: [&str; 9] = [
    "at the JSON paths listed above",
    "cannot read",
    "os error",
    "not a regular file",
    "limit",
    "too large",
    "too deep",
    "symbolic link",
    "symlink",
];

/// Why the error lines of `stderr` are not all located, if they are not.
fn unlocated(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .filter(|l| l.contains("error:"))
        .find(|l| {
            let value = VALUE_FLAGS.iter().any(|f| {
                l.starts_with(&format!("error: {f}:")) || l.starts_with(&format!("error: {f} "))
            });
            !(has_line_and_column(l) || value || UNLOCATED.iter().any(|k| l.contains(k)))
        })
        .map(str::to_string)
}

/// What is wrong with a run, if anything.
fn problem(run: &Run) -> Option<String> {
    if run.timed_out {
        return Some("did not end within its time limit (a hang or unbounded work)".into());
    }
    if run.stderr.contains("panicked") || run.code == Some(101) {
        let first = run
            .stderr
            .lines()
            .find(|l| l.contains("panicked"))
            .unwrap_or("");
        return Some(format!("panicked (exit {:?}): {first}", run.code));
    }
    match run.code {
        Some(0..=2) => {}
        Some(c) => return Some(format!("exit {c}")),
        None => return Some("killed by a signal (abort, stack overflow or out of memory)".into()),
    }
    unlocated(&run.stderr).map(|l| format!("error without a location: {l}"))
}

/// The first workload name declared in a scenario text, to give commands a real client.
fn first_workload(text: &str) -> Option<String> {
    let rest = &text[text.find("workloads")?..];
    let rest = &rest[rest.find("name:")? + 5..];
    let rest = &rest[rest.find('"')? + 1..];
    let name = &rest[..rest.find('"')?];
    // Command-line arguments cannot hold a NUL, and escapes are not worth decoding here.
    (!name.contains(['\0', '\\'])).then(|| name.to_string())
}

const GOOD: &str = "tests/hostile/any/valid-baseline.ron";

/// Every subcommand over the scenario file `file`.
fn scenario_runs(file: &str, text: &str) -> Vec<Vec<String>> {
    let who = first_workload(text).unwrap_or_else(|| "vm-app".into());
    let empty = "tests/hostile/any/compare-routes-empty.json";
    let runs: Vec<Vec<&str>> = vec![
        vec!["check", file],
        vec!["test", file],
        vec!["explain", file],
        vec!["routes", file, "--at", &who],
        vec!["routes", file, "--at", "spoke/app", "--format", "az-json"],
        vec![
            "next-hop", file, "--from", &who, "--to", "10.0.2.4", "--format", "dot",
        ],
        vec![
            "flow-verify",
            file,
            "--at",
            &who,
            "--direction",
            "inbound",
            "--remote",
            "10.0.0.4",
        ],
        vec!["trace", file, "--from", &who, "--to", "10.0.2.4"],
        vec![
            "trace",
            file,
            "--from",
            &who,
            "--to",
            "contoso-aoai.openai.azure.com",
            "--format",
            "dot",
        ],
        vec![
            "trace", file, "--from", &who, "--to", "10.0.2.4", "--format", "svg",
        ],
        vec![
            "resolve",
            file,
            "--from",
            &who,
            "--name",
            "contoso-aoai.openai.azure.com",
        ],
        vec!["reach", file, "--format", "csv"],
        vec![
            "diagnose",
            file,
            "--from",
            &who,
            "--to",
            "contoso-aoai.openai.azure.com",
        ],
        vec!["what-if", file, file],
        vec!["compare-routes", file, "--at", &who, "--actual", empty],
        vec!["import", file],
    ];
    runs.into_iter()
        .map(|r| r.into_iter().map(String::from).collect())
        .collect()
}

/// The JSON file `file` as input to the commands that read JSON.
fn json_runs(file: &str) -> Vec<Vec<String>> {
    let runs: Vec<Vec<&str>> = vec![
        vec!["import", file],
        vec!["compare-routes", GOOD, "--at", "vm-app", "--actual", file],
        vec!["check", file],
    ];
    runs.into_iter()
        .map(|r| r.into_iter().map(String::from).collect())
        .collect()
}

fn files_in(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_in(&p, out);
        } else if p.extension().is_some_and(|e| e == "ron" || e == "json") {
            out.push(p);
        }
    }
}

fn relative(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// Runs every job on a few threads; returns each run with its problem.
fn run_all(jobs: Vec<(Vec<String>, Duration, bool)>) -> Vec<(Run, Option<String>)> {
    let queue = Mutex::new(jobs.into_iter().enumerate().collect::<Vec<_>>());
    let done = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let Some((i, (args, limit, close))) = queue.lock().unwrap().pop() else {
                    break;
                };
                let run = azpath(&args, limit, close);
                let p = problem(&run);
                done.lock().unwrap().push((i, run, p));
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|(i, _, _)| *i);
    done.into_iter().map(|(_, r, p)| (r, p)).collect()
}

/// The time limit of a run: far above what any input within the documented limits takes, even
/// in a debug build on a loaded two-core machine.
const LIMIT: Duration = Duration::from_secs(30);
/// The time limit of the runs built to hang (loops, FIFOs, devices, quadratic work): an
/// exponential walk or an endless read takes minutes; a bounded one, well under a second.
const HANG_LIMIT: Duration = Duration::from_secs(15);

/// The offending value each refused import must name when it does not fail outright.
const IMPORT_VALUES: [(&str, &str); 7] = [
    ("import-nsg-access-typo.json", "Dney"),
    ("import-nsg-access-trailing-space.json", "Deny "),
    ("import-nsg-access-missing.json", "access"),
    ("import-nsg-direction-unknown.json", "Sideways"),
    ("import-nsg-protocol-unknown.json", "Tpc"),
    ("import-nsg-priority-string.json", "high"),
    ("import-firewall-action-unknown.json", "Dney"),
];

/// Where the error of a refused file is: its line, as `file:LINE:`.
const ERROR_LINES: [(&str, u32); 6] = [
    ("utf8-bom-with-error.ron", 6),
    ("cr-only-line-endings-with-error.ron", 6),
    ("crlf-line-endings-with-error.ron", 6),
    ("non-utf8-latin1-in-comment.ron", 1),
    ("non-utf8-in-name.ron", 20),
    ("nul-byte.ron", 20),
];

/// Inputs built at test time: too big, too deep or too odd to commit.
fn generated(dir: &Path) -> Vec<(Vec<String>, Duration, bool)> {
    let base = std::fs::read_to_string(root().join(GOOD)).unwrap();
    let s = |p: &Path| p.display().to_string();
    let mut jobs = Vec::new();
    // A table cell of 70,000 characters.
    let huge = dir.join("huge-name.ron");
    let long = "a".repeat(70_000);
    std::fs::write(&huge, base.replace("\"vm-app\"", &format!("\"{long}\""))).unwrap();
    for args in scenario_runs(&s(&huge), "") {
        if args[0] != "diagnose" && args[0] != "what-if" {
            jobs.push((args, LIMIT, false));
        }
    }
    jobs.push((
        vec!["routes".into(), s(&huge), "--at".into(), long.clone()],
        LIMIT,
        false,
    ));
    // An `extends` chain of 1,500 files.
    let chain = dir.join("chain");
    std::fs::create_dir_all(&chain).unwrap();
    std::fs::write(chain.join("c0.ron"), &base).unwrap();
    for i in 1..=1500 {
        std::fs::write(
            chain.join(format!("c{i}.ron")),
            format!("Scenario(extends: \"c{}.ron\")\n", i - 1),
        )
        .unwrap();
    }
    let top = s(&chain.join("c1500.ron"));
    for cmd in ["check", "routes"] {
        let mut args = vec![cmd.to_string(), top.clone()];
        if cmd == "routes" {
            args.extend(["--at".into(), "spoke/app".into()]);
        }
        jobs.push((args, LIMIT, false));
    }
    // A folder with symlinks that loop back, a FIFO and a device.
    let scan = dir.join("scan");
    std::fs::create_dir_all(&scan).unwrap();
    std::fs::write(scan.join("ok.ron"), &base).unwrap();
    std::os::unix::fs::symlink(&scan, scan.join("loop-a")).unwrap();
    std::os::unix::fs::symlink(&scan, scan.join("loop-b")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", scan.join("zero.ron")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", scan.join("zero.json")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(scan.join("fifo.ron"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(fifo, "mkfifo");
    for cmd in ["test", "check", "import"] {
        jobs.push((vec![cmd.into(), s(&scan)], HANG_LIMIT, false));
    }
    jobs.push((
        vec!["check".into(), s(&scan.join("zero.ron"))],
        HANG_LIMIT,
        false,
    ));
    jobs.push((
        vec!["import".into(), s(&scan.join("zero.json"))],
        HANG_LIMIT,
        false,
    ));
    jobs.push((
        vec![
            "compare-routes".into(),
            GOOD.into(),
            "--at".into(),
            "vm-app".into(),
            "--actual".into(),
            "/dev/zero".into(),
        ],
        HANG_LIMIT,
        false,
    ));
    // 40,000 address prefixes in one VNet: overlap checks in O(n log n) end at once.
    let many: Vec<String> = (0..40_000u32)
        .map(|i| format!("\"11.{}.{}.0/24\"", i / 256, i % 256))
        .collect();
    let wide = dir.join("many-prefixes.ron");
    std::fs::write(
        &wide,
        base.replacen(
            "\"10.0.0.0/16\"",
            &format!("\"10.0.0.0/16\", {}", many.join(", ")),
            1,
        ),
    )
    .unwrap();
    jobs.push((vec!["check".into(), s(&wide)], HANG_LIMIT, false));
    // A reader that goes away: a closed pipe ends quietly.
    jobs.push((vec!["test".into(), "tests/hostile/any".into()], LIMIT, true));
    jobs.push((vec!["reach".into(), GOOD.into()], LIMIT, true));
    jobs.push((vec!["explain".into(), GOOD.into()], LIMIT, true));
    jobs
}

#[test]
fn every_subcommand_over_every_bad_and_hostile_input_exits_0_1_or_2_without_panic_with_located_errors(
) {
    let mut files = Vec::new();
    files_in(&root().join("engine/tests/bad_inputs"), &mut files);
    files_in(&root().join("tests/hostile"), &mut files);
    assert!(files.len() > 150, "{} files", files.len());
    let mut jobs: Vec<(Vec<String>, Duration, bool)> = Vec::new();
    for f in &files {
        let rel = relative(f);
        let runs = if rel.ends_with(".json") {
            json_runs(&rel)
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
            scenario_runs(&rel, &text)
        };
        jobs.extend(runs.into_iter().map(|r| (r, LIMIT, false)));
    }
    let scratch = std::env::temp_dir().join(format!("azpath-sweep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    jobs.extend(generated(&scratch));
    let count = jobs.len();
    let results = run_all(jobs);
    let _ = std::fs::remove_dir_all(&scratch);

    let mut failures: Vec<String> = results
        .iter()
        .filter_map(|(run, p)| p.as_ref().map(|p| format!("{}: {p}", run.what())))
        .collect();

    // What Azure refuses, or what would be silently wrong, is refused with a located error.
    for (run, _) in &results {
        let [cmd, file, ..] = run.args.as_slice() else {
            continue;
        };
        let name = file.rsplit('/').next().unwrap_or(file);
        if !file.starts_with("tests/hostile/refused/") || run.code.is_none() {
            continue;
        }
        if cmd == "check" && file.ends_with(".ron") {
            let located = run
                .stderr
                .lines()
                .any(|l| l.contains("error:") && has_line_and_column(l));
            if run.code != Some(2) || !located {
                failures.push(format!(
                    "{}: must be refused with a located error, got exit {:?}: {}",
                    run.what(),
                    run.code,
                    run.stderr.lines().next().unwrap_or("")
                ));
            }
            if let Some((_, line)) = ERROR_LINES.iter().find(|(f, _)| *f == name) {
                let at = format!("{name}:{line}:");
                if !run.stderr.contains(&at) {
                    failures.push(format!(
                        "{}: the error must point at line {line}: {}",
                        run.what(),
                        run.stderr.lines().next().unwrap_or("")
                    ));
                }
            }
        }
        if cmd == "import" && name.starts_with("import-") {
            let value = IMPORT_VALUES
                .iter()
                .find(|(f, _)| *f == name)
                .map_or("", |(_, v)| *v);
            if run.code != Some(2) && !run.stderr.contains(value) {
                failures.push(format!(
                    "{}: must fail or name `{value}` as left out, got exit {:?} and nothing about it",
                    run.what(),
                    run.code
                ));
            }
        }
    }
    // A device is refused for what it is or for its size, not read until memory runs out.
    for (run, _) in &results {
        let device = run
            .args
            .iter()
            .any(|a| a.ends_with("/zero.ron") || a.ends_with("/zero.json") || a == "/dev/zero");
        let bounded = ["limit", "not a regular file", "too large", "larger than"]
            .iter()
            .any(|k| run.stderr.contains(k));
        if device && run.code.is_some() && !bounded {
            failures.push(format!(
                "{}: a device must be refused by kind or by a byte limit, got exit {:?}: {}",
                run.what(),
                run.code,
                run.stderr.lines().next().unwrap_or("")
            ));
        }
    }
    for (run, _) in &results {
        let is_compare = run.args.first().is_some_and(|c| c == "compare-routes");
        let actual = run.args.last().map(String::as_str).unwrap_or("");
        if is_compare
            && actual.starts_with("tests/hostile/refused/compare-routes-")
            && run.code != Some(2)
        {
            failures.push(format!(
                "{}: an invalid `az` route must be refused (exit 2), got exit {:?}: {}",
                run.what(),
                run.code,
                run.stdout.lines().last().unwrap_or("")
            ));
        }
    }
    let mut slowest: Vec<&Run> = results.iter().map(|(r, _)| r).collect();
    slowest.sort_by_key(|r| std::cmp::Reverse(r.elapsed));
    let slowest: Vec<String> = slowest
        .iter()
        .take(8)
        .map(|r| format!("{:>6} ms  {}", r.elapsed.as_millis(), r.what()))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {count} runs failed:\n{}\nslowest runs:\n{}",
        failures.len(),
        failures.join("\n"),
        slowest.join("\n")
    );
}
