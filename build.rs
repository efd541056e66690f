//! Sets `AZPATH_VERSION` for `azpath --version`: the crate version and, when built from a git
//! checkout with git on the path, the short commit (`0.1.0 (3f2c1ab)`). Anywhere else (a
//! crates.io download, no git) it is the crate version alone.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Asks cargo to rebuild when the git file `path` changes, if it exists (a missing file would
/// make cargo run this script on every build).
fn watch(path: &str) {
    if let Some(p) = git(&["rev-parse", "--git-path", path]) {
        if std::path::Path::new(&p).exists() {
            println!("cargo:rerun-if-changed={p}");
        }
    }
}

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    println!("cargo:rerun-if-changed=build.rs");
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    match &commit {
        Some(commit) => {
            println!("cargo:rustc-env=AZPATH_VERSION={version} ({commit})");
            // Rebuild when the checkout moves to another commit.
            watch("HEAD");
            watch("packed-refs");
            if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
                watch(&head);
            }
        }
        None => println!("cargo:rustc-env=AZPATH_VERSION={version}"),
    }
}
