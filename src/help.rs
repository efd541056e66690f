//! The texts of `--help` and `--version` that are not a flag's own: the version with its
//! commit, the exit-code table, and each subcommand's Examples section (a new subcommand adds
//! its own: a test checks every subcommand has one).

/// `azpath --version`: the crate version and, when built from a git checkout, the commit (see
/// `build.rs`).
pub const VERSION: &str = env!("AZPATH_VERSION");

/// The exit-code table every command follows (`azpath --help`, the man page and the README).
pub const EXIT_CODES: &str = "\
Exit status (every command):
  0  answered, and the answer is a success: every expectation held; the flow got through
     (Delivered, DeliveredPublicly, SentToInternet, SentToOnPremises, SentToServiceEndpoint);
     the NSGs allow; the name resolves; every `reach` pair got through; the route tables agree;
     `compare` found both sides alike; `import` wrote a scenario with resources in it;
     `diagnose` found nothing to fix. Commands that only show something (routes, next-hop,
     what-if, generate, completions, man, schema) exit 0 once they have shown it, and so does
     any command whose reader closes the pipe.
  1  answered, and the answer is a failure: an expectation failed; the flow was dropped or
     refused (any other verdict); an NSG denies; the name does not resolve; a `reach` pair did
     not get through; a route row differs; `compare` found a difference; `import` found
     nothing to import; `diagnose` found something to fix (with `--symptom`: a flow produces
     the reported failure, or the model disagrees with the report).
  2  no answer: bad usage, a file that cannot be read or is not valid (named with line and
     column), a name the scenario does not have, or output that cannot be written.

Files: `-` reads standard input wherever a FILE is read (once per command). `-o FILE` writes
standard output to FILE. Verdicts are coloured on a terminal; NO_COLOR turns colour off.

Examples:
  azpath trace estate.ron --from vm-app --to 10.0.2.4 --port 443
  azpath completions bash > /etc/bash_completion.d/azpath
  azpath man | man -l -";

/// `azpath routes --help`.
pub const ROUTES: &str = "\
Examples:
  azpath routes scenarios/private-endpoint/zero-default-udr-vs-pe.ron --at spoke/app
  azpath routes estate.ron --at vm-app --format az-json -o expected-routes.json
  azpath generate | azpath routes - --at spoke-1-1/snet-1";

/// `azpath next-hop --help`.
pub const NEXT_HOP: &str = "\
Examples:
  azpath next-hop scenarios/private-endpoint/zero-default-udr-vs-pe.ron --from vm-app --to 10.0.2.4
  azpath next-hop estate.ron --from spoke/app --to 10.0.2.4 --format dot | dot -Tsvg -o hop.svg";

/// `azpath flow-verify --help`.
pub const FLOW_VERIFY: &str = "\
Examples:
  azpath flow-verify scenarios/nsg/subnet-and-nic-order.ron --at vm-web --direction inbound --remote 203.0.113.7 --port 443
  azpath flow-verify estate.ron --at vm-db --direction outbound --remote 10.0.2.4 --port 1433 --format json";

/// `azpath trace --help`.
pub const TRACE: &str = "\
Examples:
  azpath trace scenarios/private-endpoint/route-table-policy-forces-firewall.ron --from vm-app --to 10.0.2.4 --port 443
  azpath trace scenarios/dns/zone-linked-to-the-hub-only.ron --from vm-app --to contoso-aoai.openai.azure.com
  azpath trace estate.ron --from vm-app --to 10.0.2.4:443 --format dot | dot -Tsvg -o trace.svg
  azpath trace scenarios/private-endpoint/route-table-policy-forces-firewall.ron --from vm-app --to 10.0.2.4 --port 443 --permit-all";

/// `azpath resolve --help`.
pub const RESOLVE: &str = "\
Examples:
  azpath resolve scenarios/dns/zone-linked-to-the-hub-only.ron --from vm-app --name contoso-aoai.openai.azure.com
  azpath resolve estate.ron --from spoke --name app.contoso.com --format json";

/// `azpath reach --help`.
pub const REACH: &str = "\
Examples:
  azpath reach scenarios/nsg/subnet-and-nic-order.ron
  azpath reach estate.ron --to-private-endpoints --format csv -o matrix.csv";

/// `azpath generate --help`.
pub const GENERATE: &str = "\
Examples:
  azpath generate --regions 2 --spokes-per-region 10 -o estate.ron
  azpath generate --regions 4 --spokes-per-region 250 --private-endpoints 2000 --seed 7 -o big.ron";

/// `azpath test --help`.
pub const TEST: &str = "\
Examples:
  azpath test
  azpath test scenarios/routing/gateway-transit-propagation-off.ron
  azpath test my-lessons/ --format json -o results.json";

/// `azpath explain --help`.
pub const EXPLAIN: &str = "\
Examples:
  azpath explain scenarios/private-endpoint/zero-default-udr-vs-pe.ron";

/// `azpath check --help`.
pub const CHECK: &str = "\
Examples:
  azpath check estate.ron
  cat estate.ron | azpath check -";

/// `azpath import --help`.
pub const IMPORT: &str = "\
Examples:
  azpath import exported/ -o estate.ron
  az network vnet list -o json | azpath import - > vnets.ron";

/// `azpath compare-routes --help`.
pub const COMPARE_ROUTES: &str = "\
Examples:
  azpath compare-routes estate.ron --at vm-app --actual actual.json
  az network nic show-effective-route-table -g rg -n vm-app-nic -o json > actual.json
  az network nic show-effective-route-table -g rg -n vm-app-nic -o json | azpath compare-routes estate.ron --at vm-app --actual -";

/// `azpath what-if --help`.
pub const WHAT_IF: &str = "\
Examples:
  azpath what-if scenarios/virtual-wan/cross-region-private-endpoint.ron scenarios/virtual-wan/fixes/co-located-private-endpoint.ron
  azpath what-if estate.ron change.ron --from app-dev --to aoai-dev.openai.azure.com --format json";

/// `azpath diagnose --help`.
pub const DIAGNOSE: &str = "\
Examples:
  azpath diagnose scenarios/virtual-wan/cross-region-private-endpoint.ron --from app-dev --to aoai-dev.openai.azure.com
  azpath diagnose estate.ron --from app-dev --to aoai-dev.openai.azure.com --emit-variant fixes/
  azpath diagnose scenarios/virtual-wan/cross-region-private-endpoint.ron --symptom 'openai.APIConnectionError: Connection error.'
  azpath diagnose estate.ron --symptom timeout --from app-dev --to https://aoai-dev.openai.azure.com/openai/deployments/x";

/// `azpath compare --help`.
pub const COMPARE: &str = "\
Examples:
  azpath compare scenarios/virtual-wan/cross-region-private-endpoint.ron scenarios/virtual-wan/fixes/co-located-private-endpoint.ron
  azpath compare prod.ron design.ron --from app-prod --to aoai-prod.openai.azure.com --format json
  azpath compare estate.ron --from app-dev --to aoai-dev.openai.azure.com --b-from app-prod --b-to aoai-prod.openai.azure.com";

/// `azpath serve --help`.
pub const SERVE: &str = "\
Examples:
  azpath serve scenarios
  azpath serve scenarios/private-endpoint --port 8080";

/// `azpath completions --help`.
pub const COMPLETIONS: &str = "\
Examples:
  azpath completions bash > ~/.local/share/bash-completion/completions/azpath
  azpath completions zsh > ~/.zfunc/_azpath
  azpath completions fish > ~/.config/fish/completions/azpath.fish";

/// `azpath man --help`.
pub const MAN: &str = "\
Examples:
  azpath man | man -l -
  azpath man -o /usr/local/share/man/man1/azpath.1";

/// `azpath schema --help`.
pub const SCHEMA: &str = "\
Examples:
  azpath schema trace
  azpath schema scenario -o scenario.schema.json
  azpath schema > azpath.schemas.json";
