//! `azpath generate --regions R --spokes-per-region S …`

use azpath_engine::analysis::generate::{estate_shaped, EstateShape, EstateSize};

use crate::out::{self, CliError, Outcome};

/// Arguments of `azpath generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Regions, each with a hub and an Azure Firewall (1 to 16).
    #[arg(long, default_value_t = 2)]
    regions: usize,
    /// Spokes per region.
    #[arg(long, default_value_t = 10)]
    spokes_per_region: usize,
    /// Subnets per spoke (2 to 16; the last holds the private endpoints).
    #[arg(long, default_value_t = 4)]
    subnets_per_spoke: usize,
    /// Private endpoints, spread over the spokes.
    #[arg(long, default_value_t = 20)]
    private_endpoints: usize,
    /// How many of the private endpoints are centralised in the hubs (spread over the regions);
    /// the rest stay in the spokes.
    #[arg(long, default_value_t = 0)]
    hub_private_endpoints: usize,
    /// Landing zones side by side, each a hub-and-spoke estate of `--regions` regions with its
    /// own hubs and firewalls, peered and routed only within itself (at most 16 hubs in all);
    /// the privatelink zone is shared.
    #[arg(long, default_value_t = 1)]
    landing_zones: usize,
    /// Custom rules in each spoke's NSG.
    #[arg(long, default_value_t = 10)]
    nsg_rules: usize,
    /// Seed: the same seed gives the same estate.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Runs the command: the estate's scenario on standard output.
pub fn run(args: Args) -> Result<Outcome, CliError> {
    let size = EstateSize {
        regions: args.regions,
        spokes_per_region: args.spokes_per_region,
        subnets_per_spoke: args.subnets_per_spoke,
        private_endpoints: args.private_endpoints,
        nsg_rules: args.nsg_rules,
        seed: args.seed,
    };
    let max = usize::try_from(super::max_input_bytes()).unwrap_or(usize::MAX);
    let shape = EstateShape {
        hub_private_endpoints: args.hub_private_endpoints,
        landing_zones: args.landing_zones,
    };
    let text = estate_shaped(size, shape, max)
        .map_err(|e| CliError::bad(format!("{e} (hint: see `azpath generate --help`)")))?;
    out::data(&text)?;
    Ok(Outcome::Held)
}
