//! `azpath`: which path does packet X take through an Azure network, and why?
//!
//! A thin command line over `azpath-engine`: it parses arguments, reads files, calls the engine
//! and maps the result to an exit code. Everything that decides anything lives in the engine.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cmd;
mod help;
mod out;
mod stdin;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use out::{CliError, Outcome};

/// Which path does packet X take through an Azure network, and why?
#[derive(Debug, Parser)]
#[command(name = "azpath", version = help::VERSION, about, after_long_help = help::EXIT_CODES)]
struct Cli {
    /// Write what the command prints on standard output to FILE instead (`-`: standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE", global = true)]
    output: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
    /// The most bytes a scenario (with the files it extends), an import's input or a generated
    /// estate may have; memory grows with the bytes, about ten to one.
    #[arg(long, global = true, value_name = "BYTES", default_value_t = cmd::DEFAULT_MAX_INPUT_BYTES)]
    max_input_bytes: u64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show a subnet's effective routes, as `az network nic show-effective-route-table` would,
    /// with the reason each route is Active or Invalid.
    #[command(after_help = help::ROUTES)]
    Routes(cmd::routes::Args),
    /// Show the next hop from a workload or subnet to an IP, with every competing route and why
    /// it lost.
    #[command(after_help = help::NEXT_HOP)]
    NextHop(cmd::next_hop::Args),
    /// Check whether the NSGs at a NIC let a flow through, and which rule decides, like Network
    /// Watcher's IP flow verify.
    #[command(after_help = help::FLOW_VERIFY)]
    FlowVerify(cmd::flow_verify::Args),
    /// Follow a packet from a workload (or an Internet client) to an address or name hop by hop, then its reply, and say how it
    /// ends and what the client sees (exit 1 when it does not get through).
    #[command(after_help = help::TRACE)]
    Trace(cmd::trace::Args),
    /// Resolve a name as a workload (or any machine in a VNet) does: DNS servers, forwarders,
    /// rulesets, private zones and public DNS, step by step (exit 1 when it does not resolve).
    #[command(after_help = help::RESOLVE)]
    Resolve(cmd::resolve::Args),
    /// Trace from every workload to every workload and private endpoint (or every private
    /// endpoint) and show each pair's verdict, tracing one pair per class of alike pairs.
    #[command(after_help = help::REACH)]
    Reach(cmd::reach::Args),
    /// Write a deterministic hub-and-spoke estate of the given size as a scenario, for
    /// benchmarks and design sessions.
    #[command(after_help = help::GENERATE)]
    Generate(cmd::generate::Args),
    /// Run the scenario library (default `scenarios/`): every question of every scenario, one
    /// line each, and `N passed, N failed` (exit 1 when one fails).
    #[command(after_help = help::TEST)]
    Test(cmd::check::TestArgs),
    /// Print a scenario as a lesson: its story, each question, the answer and its explanation.
    #[command(after_help = help::EXPLAIN)]
    Explain(cmd::explain::Args),
    /// Validate scenarios and check every question's expected answer (the same as `test`).
    #[command(after_help = help::CHECK)]
    Check(cmd::check::Args),
    /// Turn Azure's JSON (`az … list/show`, Resource Graph, ARM export) into a scenario on
    /// standard output; what is not imported is listed on standard error and in comments.
    #[command(after_help = help::IMPORT)]
    Import(cmd::import::Args),
    /// Compare a subnet's effective routes with what Azure shows (`az network nic
    /// show-effective-route-table` output), row by row (exit 1 when a row differs).
    #[command(after_help = help::COMPARE_ROUTES)]
    CompareRoutes(cmd::compare_routes::Args),
    /// Compare a scenario with a changed copy (a variant that `extends` it): effective routes,
    /// each flow's verdict and path, and name resolutions, showing only what changed.
    #[command(after_help = help::WHAT_IF)]
    WhatIf(cmd::what_if::Args),
    /// Compare two scenarios (before/after, production/design) flow by flow, or two flows of
    /// one scenario (the dev app to its endpoint and the production app to its own): verdict,
    /// resolution, path, regions and stateful devices side by side, differences first (exit 1
    /// when anything differs).
    #[command(after_help = help::COMPARE)]
    Compare(cmd::compare::Args),
    /// Run the field checklist on one flow (DNS, VNet entry, path, NSGs, firewall, return path,
    /// public access, certificate), name the root cause, and list the single changes verified to
    /// fix it (exit 1 when the flow needs fixing).
    #[command(after_help = help::DIAGNOSE)]
    Diagnose(cmd::diagnose::Args),
    /// Print a shell completion script for bash, zsh, fish, elvish or PowerShell.
    #[command(after_help = help::COMPLETIONS)]
    Completions(cmd::conventions::CompletionsArgs),
    /// Print the manual page (roff), for `man -l -` or a `man1` folder.
    #[command(after_help = help::MAN)]
    Man,
    /// Print the JSON Schema of an answer (as `--format json` prints it), of Azure's `az`
    /// shapes, or of the scenario format; every JSON answer carries its `schema_version`.
    #[command(after_help = help::SCHEMA)]
    Schema(cmd::conventions::SchemaArgs),
    /// Serve the scenario library in a browser on this machine: lessons in quiz mode, diagrams
    /// with traces drawn hop by hop, what-if and an editor.
    #[command(after_help = help::SERVE)]
    Serve(cmd::serve::Args),
}

fn main() -> ExitCode {
    out::finish(try_main())
}

/// Parses the command line and runs the subcommand; every failure is a [`CliError`] that
/// [`out::finish`] turns into its message and exit code.
fn try_main() -> Result<Outcome, CliError> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage(&e),
    };
    cmd::set_max_input_bytes(cli.max_input_bytes);
    if let Some(path) = cli.output {
        out::redirect(path);
    }
    match cli.command {
        Command::Routes(args) => cmd::routes::run(args),
        Command::NextHop(args) => cmd::next_hop::run(args),
        Command::FlowVerify(args) => cmd::flow_verify::run(args),
        Command::Trace(args) => cmd::trace::run(args),
        Command::Resolve(args) => cmd::resolve::run(args),
        Command::Reach(args) => cmd::reach::run(args),
        Command::Generate(args) => cmd::generate::run(args),
        Command::Test(args) => cmd::check::test(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::CompareRoutes(args) => cmd::compare_routes::run(args),
        Command::WhatIf(args) => cmd::what_if::run(args),
        Command::Compare(args) => cmd::compare::run(args),
        Command::Diagnose(args) => cmd::diagnose::run(args),
        Command::Completions(args) => cmd::conventions::completions(args, Cli::command()),
        Command::Man => cmd::conventions::man(Cli::command()),
        Command::Schema(args) => cmd::conventions::schema(args),
        Command::Serve(args) => cmd::serve::run(args),
    }
}

/// Help and version on standard output (exit 0); a usage error on standard error (exit 2).
fn usage(e: &clap::Error) -> Result<Outcome, CliError> {
    let rendered = e.render().to_string();
    if e.use_stderr() {
        out::note(&rendered)?;
        Err(CliError::AlreadyReported)
    } else {
        out::text(&rendered)?;
        Ok(Outcome::Held)
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_has_an_examples_section_in_its_help() {
        for sub in Cli::command().get_subcommands() {
            let after = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                after.starts_with("Examples:") && after.contains("azpath "),
                "`azpath {} --help` has no Examples section",
                sub.get_name()
            );
        }
    }
}
