//! A scale generator: a deterministic hub-and-spoke estate of any size, as scenario text, for
//! benchmarks, property tests and design sessions that need a realistic network.
//!
//! Address plan: region `r`'s hub is `172.(16+r).0.0/16` with an Azure Firewall at
//! `172.(16+r).1.4`; region `r`'s spokes share `10.(16r).0.0/12`, its `i`-th spoke being the
//! `/20` at `10.(16r + i/16).((i%16)*16).0` with one `/24` per subnet, the last of which holds
//! the spoke's private endpoints. Every spoke sends `0.0.0.0/0` and `10.0.0.0/8` to its region's
//! firewall; the hubs are peered with each other, and each firewall sends the other regions'
//! `/12`s to their firewalls, so traffic between regions crosses both. Each private endpoint
//! serves a storage account of its own, whose record is in a privatelink zone linked to the
//! spokes.
//!
//! `generate` refuses what `check` would: NSG rule priorities stay in Azure's 100–4096 (10
//! apart, closer for more than 400 rules), and an estate whose text would pass the loader's
//! file size limit ([`MAX_FILE_BYTES`]) is refused with that limit named, before writing when
//! its counts alone pass it, else as soon as the text does.

use std::fmt::Write as _;

use crate::scenario::MAX_FILE_BYTES;

/// Azure's range of NSG rule priorities, which `check` holds custom rules to.
const MIN_NSG_PRIORITY: usize = 100;
const MAX_NSG_PRIORITY: usize = 4096;

/// The shape of an estate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EstateSize {
    /// Regions, each with a hub (1 to 16).
    pub regions: usize,
    /// Spokes per region (at most 256).
    pub spokes_per_region: usize,
    /// Subnets per spoke (2 to 16; the last holds private endpoints).
    pub subnets_per_spoke: usize,
    /// Private endpoints, spread over the spokes (at most 250 per spoke).
    pub private_endpoints: usize,
    /// Custom rules per spoke NSG.
    pub nsg_rules: usize,
    /// Seed: the same seed gives the same estate.
    pub seed: u64,
}

/// Where an estate's private endpoints live and how many landing zones it has, beyond
/// [`EstateSize`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EstateShape {
    /// How many of the private endpoints are centralised in the hubs (spread over the regions,
    /// in a `pe` subnet of each hub, `172.x.128.0/17`, with route-table network policies); the
    /// rest stay in the spokes.
    pub hub_private_endpoints: usize,
    /// Landing zones side by side (1 to 16, at most 16 hubs in all): each a hub-and-spoke
    /// estate of its own over the same regions, its hubs peered and routed only with each
    /// other, so traffic between landing zones finds no route. The privatelink zone is shared,
    /// as a central private DNS subscription holds it.
    pub landing_zones: usize,
}

impl Default for EstateShape {
    /// Endpoints in the spokes, one landing zone.
    fn default() -> Self {
        EstateShape {
            hub_private_endpoints: 0,
            landing_zones: 1,
        }
    }
}

/// Why an estate cannot be generated.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SizeError(String);

/// SplitMix64: a small, well-known generator, enough to vary rules and policies reproducibly.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// One of `items` (the first if none: callers pass fixed, non-empty lists).
    fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        let i = self.below(items.len() as u64) as usize;
        items.get(i).or(items.first()).copied().unwrap_or_default()
    }
}

const REGIONS: [&str; 16] = [
    "eastus",
    "westus",
    "westeurope",
    "northeurope",
    "uksouth",
    "australiaeast",
    "japaneast",
    "canadacentral",
    "eastus2",
    "westus2",
    "francecentral",
    "germanywestcentral",
    "swedencentral",
    "southeastasia",
    "brazilsouth",
    "centralindia",
];

/// The estate as scenario text, within the loader's default bound ([`MAX_FILE_BYTES`]).
pub fn estate(size: EstateSize) -> Result<String, SizeError> {
    estate_within(size, MAX_FILE_BYTES)
}

/// The estate as scenario text of at most `max_bytes` (what `check --max-input-bytes` admits).
pub fn estate_within(size: EstateSize, max_bytes: usize) -> Result<String, SizeError> {
    estate_shaped(size, EstateShape::default(), max_bytes)
}

/// The estate as scenario text of at most `max_bytes`, with the endpoints placed as `shape`
/// says.
pub fn estate_shaped(
    size: EstateSize,
    shape: EstateShape,
    max_bytes: usize,
) -> Result<String, SizeError> {
    if !(1..=16).contains(&size.regions) {
        return Err(SizeError(format!(
            "`--regions {}` is outside 1–16",
            size.regions
        )));
    }
    if !(1..=256).contains(&size.spokes_per_region) {
        return Err(SizeError(format!(
            "`--spokes-per-region {}` is outside 1–256",
            size.spokes_per_region
        )));
    }
    if !(2..=16).contains(&size.subnets_per_spoke) {
        return Err(SizeError(format!(
            "`--subnets-per-spoke {}` is outside 2–16",
            size.subnets_per_spoke
        )));
    }
    if !(1..=16).contains(&shape.landing_zones) || size.regions * shape.landing_zones > 16 {
        return Err(SizeError(format!(
            "`--landing-zones {}` of {} regions each is outside the 16 hubs the address plan holds",
            shape.landing_zones, size.regions
        )));
    }
    // Every landing zone's hubs and spokes, numbered as one estate: hub `h` is region
    // `h % regions` of landing zone `h / regions`.
    let size = EstateSize {
        regions: size.regions * shape.landing_zones,
        ..size
    };
    let spokes = size.regions * size.spokes_per_region;
    if shape.hub_private_endpoints > size.private_endpoints {
        return Err(SizeError(format!(
            "{} hub private endpoints are more than the {} private endpoints",
            shape.hub_private_endpoints, size.private_endpoints
        )));
    }
    let per_hub = hub_endpoint_room();
    if shape.hub_private_endpoints > size.regions * per_hub {
        return Err(SizeError(format!(
            "{} hub private endpoints do not fit {} hubs ({per_hub} each)",
            shape.hub_private_endpoints, size.regions
        )));
    }
    if size.private_endpoints - shape.hub_private_endpoints > spokes * 250 {
        return Err(SizeError(format!(
            "{} private endpoints do not fit {spokes} spokes (250 each)",
            size.private_endpoints
        )));
    }
    if size.nsg_rules > 1000 {
        return Err(SizeError("Azure allows at most 1,000 rules per NSG".into()));
    }
    let least = least_bytes(size);
    if least > max_bytes {
        return Err(too_big(&format!("at least {least} bytes"), max_bytes));
    }
    let mut s = Budget {
        text: String::new(),
        max: max_bytes,
    };
    match write_estate(size, shape, &mut s) {
        Ok(()) => Ok(s.text),
        Err(std::fmt::Error) => Err(too_big(&format!("more than {max_bytes} bytes"), max_bytes)),
    }
}

/// The refusal of an estate whose text would pass the loader's size limit.
fn too_big(size: &str, max_bytes: usize) -> SizeError {
    SizeError(format!(
        "the estate's scenario would be {size}, and `check` refuses a scenario file of more than {max_bytes} bytes: ask for fewer spokes, subnets, private endpoints or NSG rules, or raise the bound (`--max-input-bytes`)"
    ))
}

/// Text that refuses to grow past the loader's file size limit, so that generating an estate
/// too large to load stops there.
struct Budget {
    text: String,
    max: usize,
}

impl std::fmt::Write for Budget {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.text.len() + s.len() > self.max {
            return Err(std::fmt::Error);
        }
        self.text.push_str(s);
        Ok(())
    }
}

/// A lower bound on the size of the estate's text: the fewest bytes its private endpoints,
/// NSG rules and workloads take (each at least the fixed part of its line), so that an estate
/// far past the limit is refused before any of it is written.
fn least_bytes(size: EstateSize) -> usize {
    let spokes = size.regions.saturating_mul(size.spokes_per_region);
    // A private endpoint writes a service (>= 100 bytes), an endpoint (>= 70) and a record (>= 25).
    let endpoints = size.private_endpoints.saturating_mul(195);
    // An NSG rule is >= 110 bytes; a workload >= 60.
    let rules = spokes.saturating_mul(size.nsg_rules).saturating_mul(110);
    let workloads = spokes
        .saturating_mul(size.subnets_per_spoke.saturating_sub(1))
        .saturating_mul(60);
    endpoints.saturating_add(rules).saturating_add(workloads)
}

/// NSG rule priorities: 100, 110, … as long as they fit Azure's range (100–4096), closer
/// together for more rules.
fn priority_step(rules: usize) -> usize {
    let span = MAX_NSG_PRIORITY - MIN_NSG_PRIORITY;
    (span / rules.saturating_sub(1).max(1)).min(10)
}

/// The address plan of an estate (see the module doc), shared by its sections.
#[derive(Clone, Copy)]
struct Plan {
    size: EstateSize,
    spokes: usize,
    /// Private endpoints in the hubs (the last ones written).
    in_hubs: usize,
    /// Regions per landing zone (`size.regions` counts the hubs of every landing zone).
    zone_regions: usize,
}

impl Plan {
    /// The region of spoke `k`.
    fn spoke_region(self, k: usize) -> usize {
        k / self.size.spokes_per_region.max(1)
    }

    /// The Azure region of hub `h`.
    fn region_name(self, h: usize) -> &'static str {
        REGIONS
            .get(h % self.zone_regions.max(1))
            .copied()
            .unwrap_or("eastus")
    }

    /// Whether hubs `x` and `y` are in the same landing zone.
    fn same_zone(self, x: usize, y: usize) -> bool {
        let n = self.zone_regions.max(1);
        x / n == y / n
    }

    /// How many endpoints hub `h` holds: they are dealt to the hubs in turn.
    fn hub_endpoints(self, h: usize) -> usize {
        let hubs = self.size.regions.max(1);
        (self.in_hubs + hubs - 1 - h.min(hubs - 1)) / hubs
    }

    /// The second and third octets of spoke `k`'s `/20`.
    fn base(self, k: usize) -> (usize, usize) {
        let (r, i) = (self.spoke_region(k), k % self.size.spokes_per_region.max(1));
        (r * 16 + i / 16, (i % 16) * 16)
    }
}

/// The hubs' private endpoint subnets, filled in this order: name, third octet of the first
/// address, prefix length. The first is the `/17` every estate with hub endpoints has; the
/// others are written only when a hub holds more endpoints than it can, as a real hub adds a
/// subnet when one fills up.
const HUB_ENDPOINT_SUBNETS: [(&str, usize, u8); 3] =
    [("pe", 128, 17), ("pe2", 64, 18), ("pe3", 32, 19)];

/// Addresses a subnet of this prefix length gives to endpoints: Azure reserves the first four
/// and the last.
fn usable(len: u8) -> usize {
    (1usize << (32 - u32::from(len))) - 5
}

/// How many endpoints one hub holds across its endpoint subnets.
fn hub_endpoint_room() -> usize {
    HUB_ENDPOINT_SUBNETS
        .iter()
        .map(|(_, _, len)| usable(*len))
        .sum()
}

/// The subnet and address of a hub's `n`-th endpoint (from 0); the last subnet's past its room
/// (the caller checks the room first).
fn hub_endpoint_slot(hub: usize, n: usize) -> (&'static str, String) {
    let mut n = n;
    let mut slot = ("pe", 128);
    for (name, third, len) in HUB_ENDPOINT_SUBNETS {
        slot = (name, third);
        if n < usable(len) {
            break;
        }
        n -= usable(len);
    }
    let host = n + 4;
    let ip = format!("172.{}.{}.{}", 16 + hub, slot.1 + host / 256, host % 256);
    (slot.0, ip)
}

/// The endpoint subnets of hub `hub` holding `endpoints` endpoints, as scenario text: none
/// without endpoints, then as many as they fill.
fn hub_endpoint_subnets(hub: usize, endpoints: usize) -> String {
    let mut text = String::new();
    let mut room = 0;
    for (name, third, len) in HUB_ENDPOINT_SUBNETS {
        if room >= endpoints {
            break;
        }
        room += usable(len);
        text.push_str(&format!(
            ", (name: \"{name}\", prefix: \"172.{}.{third}.0/{len}\", private_endpoint_network_policies: RouteTableEnabled)",
            16 + hub
        ));
    }
    text
}

/// The estate's text, section by section in the scenario's field order; the generator's draws
/// come in that order too (subnet policies, then NSG rules), so a seed gives one estate.
fn write_estate(size: EstateSize, shape: EstateShape, s: &mut Budget) -> std::fmt::Result {
    let plan = Plan {
        size,
        spokes: size.regions * size.spokes_per_region,
        in_hubs: shape.hub_private_endpoints,
        zone_regions: size.regions / shape.landing_zones.max(1),
    };
    let mut rng = Mix(size.seed);
    if shape.landing_zones > 1 {
        writeln!(
            s,
            "// Generated by `azpath generate`: {} landing zones x {} regions x {} spokes x {} subnets, {} private endpoints, seed {}.",
            shape.landing_zones, plan.zone_regions, size.spokes_per_region, size.subnets_per_spoke, size.private_endpoints, size.seed
        )?;
    } else {
        writeln!(
            s,
            "// Generated by `azpath generate`: {} regions x {} spokes x {} subnets, {} private endpoints, seed {}.",
            size.regions, size.spokes_per_region, size.subnets_per_spoke, size.private_endpoints, size.seed
        )?;
    }
    writeln!(
        s,
        "Scenario(\n    title: \"Generated hub-and-spoke estate\",\n    vnets: ["
    )?;
    write_vnets(plan, &mut rng, s)?;
    write_peerings(plan, s)?;
    write_route_tables(plan, s)?;
    write_nsgs(plan, &mut rng, s)?;
    write_firewalls(plan, s)?;
    write_endpoints(plan, s)?;
    write_workloads(plan, s)?;
    s.write_str("    ],\n)\n")?;
    Ok(())
}

/// One hub per region, then the spokes, each subnet but the last with the spoke's NSG and the
/// last (`pe`) with a drawn private endpoint network policy.
fn write_vnets(plan: Plan, rng: &mut Mix, s: &mut Budget) -> std::fmt::Result {
    let size = plan.size;
    for r in 0..size.regions {
        let region = plan.region_name(r);
        writeln!(
            s,
            "        (name: \"hub-{r}\", region: \"{region}\", address_space: [\"172.{}.0.0/16\"], subnets: [(name: \"AzureFirewallSubnet\", prefix: \"172.{0}.1.0/26\", route_table: \"rt-fw-{r}\"), (name: \"shared\", prefix: \"172.{0}.2.0/24\"){}]),",
            16 + r,
            hub_endpoint_subnets(r, plan.hub_endpoints(r))
        )?;
    }
    for k in 0..plan.spokes {
        let r = plan.spoke_region(k);
        let region = plan.region_name(r);
        let (a, b) = plan.base(k);
        write!(s, "        (name: \"spoke-{k}\", region: \"{region}\", address_space: [\"10.{a}.{b}.0/20\"], subnets: [")?;
        for j in 0..size.subnets_per_spoke {
            let last = j + 1 == size.subnets_per_spoke;
            let (name, extra) = if last {
                let policy = rng.pick(&[
                    "Disabled",
                    "RouteTableEnabled",
                    "NetworkSecurityGroupEnabled",
                    "Enabled",
                ]);
                (
                    "pe".to_string(),
                    format!(", private_endpoint_network_policies: {policy}"),
                )
            } else {
                (format!("app{j}"), format!(", nsg: \"nsg-{k}\""))
            };
            write!(
                s,
                "(name: \"{name}\", prefix: \"10.{a}.{}.0/24\", route_table: \"rt-{r}\"{extra}),",
                b + j
            )?;
        }
        s.write_str("]),\n")?;
    }
    Ok(())
}

/// Each spoke peered with its region's hub, and the hubs with each other.
fn write_peerings(plan: Plan, s: &mut Budget) -> std::fmt::Result {
    s.write_str("    ],\n    peerings: [\n")?;
    for k in 0..plan.spokes {
        writeln!(
            s,
            "        (between: (\"hub-{}\", \"spoke-{k}\"), allow_forwarded_traffic: true),",
            plan.spoke_region(k)
        )?;
    }
    for x in 0..plan.size.regions {
        for y in (x + 1..plan.size.regions).filter(|y| plan.same_zone(x, *y)) {
            writeln!(
                s,
                "        (between: (\"hub-{x}\", \"hub-{y}\"), allow_forwarded_traffic: true),"
            )?;
        }
    }
    Ok(())
}

/// The spokes' tables to their region's firewall, and each firewall's table to the others.
fn write_route_tables(plan: Plan, s: &mut Budget) -> std::fmt::Result {
    let regions = plan.size.regions;
    s.write_str("    ],\n    route_tables: [\n")?;
    for r in 0..regions {
        let fw = format!("172.{}.1.4", 16 + r);
        writeln!(
            s,
            "        (name: \"rt-{r}\", routes: [(name: \"default\", prefix: \"0.0.0.0/0\", next_hop: VirtualAppliance(\"{fw}\")), (name: \"spokes\", prefix: \"10.0.0.0/8\", next_hop: VirtualAppliance(\"{fw}\"))]),"
        )?;
    }
    for r in 0..regions {
        write!(s, "        (name: \"rt-fw-{r}\", routes: [")?;
        for q in (0..regions).filter(|q| *q != r && plan.same_zone(*q, r)) {
            write!(
                s,
                "(name: \"region-{q}\", prefix: \"10.{}.0.0/12\", next_hop: VirtualAppliance(\"172.{}.1.4\")),",
                q * 16,
                16 + q
            )?;
        }
        s.write_str("]),\n")?;
    }
    Ok(())
}

/// One NSG per spoke with drawn rules: direction, access, port and the peer spoke.
fn write_nsgs(plan: Plan, rng: &mut Mix, s: &mut Budget) -> std::fmt::Result {
    s.write_str("    ],\n    nsgs: [\n")?;
    let step = priority_step(plan.size.nsg_rules);
    for k in 0..plan.spokes {
        write!(s, "        (name: \"nsg-{k}\", rules: [")?;
        for i in 0..plan.size.nsg_rules {
            let direction = if rng.below(2) == 0 {
                "Inbound"
            } else {
                "Outbound"
            };
            let access = if rng.below(4) == 0 { "Deny" } else { "Allow" };
            let port = rng.pick(&[22u16, 80, 443, 1433, 3389, 5432, 6379, 8080]);
            let peer = rng.below(plan.spokes as u64) as usize;
            let (a, b) = plan.base(peer);
            write!(
                s,
                "(name: \"r{i}\", priority: {}, direction: {direction}, access: {access}, protocol: Tcp, source: [\"10.{a}.{b}.0/20\"], destination_ports: [\"{port}\"]),",
                MIN_NSG_PRIORITY + i * step
            )?;
        }
        s.write_str("]),\n")?;
    }
    Ok(())
}

/// One firewall per hub.
fn write_firewalls(plan: Plan, s: &mut Budget) -> std::fmt::Result {
    s.write_str("    ],\n    firewalls: [\n")?;
    for r in 0..plan.size.regions {
        writeln!(
            s,
            "        (name: \"fw-{r}\", subnet: \"hub-{r}/AzureFirewallSubnet\", private_ip: \"172.{}.1.4\", network_rules: [(name: \"spokes-https\", source: [\"10.0.0.0/8\"], destination: [\"10.0.0.0/8\"], ports: [\"443\"], protocol: Tcp)], application_rules: [(name: \"azure\", source: [\"10.0.0.0/8\"], fqdns: [\"*.azure.com\", \"*.windows.net\"], ports: [\"443\"])]),",
            16 + r
        )?;
    }
    Ok(())
}

/// The services, their private endpoints and the privatelink zone.
///
/// Every private endpoint serves a storage account of its own, closed to the public; the
/// privatelink zone holds their records and is linked to every spoke (Azure allows 1,000
/// links per zone, which the largest estate reaches exactly).
fn write_endpoints(plan: Plan, s: &mut Budget) -> std::fmt::Result {
    let size = plan.size;
    s.write_str("    ],\n    services: [\n")?;
    for p in 0..size.private_endpoints {
        writeln!(
            s,
            "        (name: \"svc-{p}\", kind: StorageBlob, fqdn: \"st{p}.blob.core.windows.net\", public_network_access: Disabled),"
        )?;
    }
    s.write_str("    ],\n    private_endpoints: [\n")?;
    let mut records = Budget {
        text: String::new(),
        max: s.max,
    };
    let in_spokes = size.private_endpoints - plan.in_hubs;
    for p in 0..size.private_endpoints {
        let (subnet, ip) = if p < in_spokes {
            let k = p % plan.spokes;
            let n = p / plan.spokes;
            let (a, b) = plan.base(k);
            let third = b + size.subnets_per_spoke - 1;
            (format!("spoke-{k}/pe"), format!("10.{a}.{third}.{}", 4 + n))
        } else {
            let h = p - in_spokes;
            let (r, n) = (h % size.regions.max(1), h / size.regions.max(1));
            let (name, ip) = hub_endpoint_slot(r, n);
            (format!("hub-{r}/{name}"), ip)
        };
        writeln!(
            s,
            "        (name: \"pe-{p}\", subnet: \"{subnet}\", ip: \"{ip}\", target: \"svc-{p}\"),"
        )?;
        write!(records, "(name: \"st{p}\", a: [\"{ip}\"]),")?;
    }
    s.write_str(
        "    ],\n    dns: (zones: [(name: \"privatelink.blob.core.windows.net\", links: [",
    )?;
    // A zone has at most 1,000 VNet links: the hubs' come out of the spokes' share.
    let hub_links = if plan.in_hubs > 0 { size.regions } else { 0 };
    for k in 0..plan.spokes.min(1000 - hub_links) {
        write!(s, "\"spoke-{k}\",")?;
    }
    if plan.in_hubs > 0 {
        for r in 0..size.regions {
            write!(s, "\"hub-{r}\",")?;
        }
    }
    writeln!(s, "], records: [{}])]),", records.text)
}

/// One workload in each spoke subnet but the private endpoints' one.
fn write_workloads(plan: Plan, s: &mut Budget) -> std::fmt::Result {
    s.write_str("    workloads: [\n")?;
    for k in 0..plan.spokes {
        let (a, b) = plan.base(k);
        for j in 0..plan.size.subnets_per_spoke - 1 {
            writeln!(s, "        (name: \"vm-{k}-{j}\", subnet: \"spoke-{k}/app{j}\", ip: \"10.{a}.{}.4\"),", b + j)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(seed: u64) -> EstateSize {
        EstateSize {
            regions: 2,
            spokes_per_region: 3,
            subnets_per_spoke: 3,
            private_endpoints: 7,
            nsg_rules: 5,
            seed,
        }
    }

    #[test]
    fn a_generated_estate_is_valid_and_the_same_for_the_same_seed() {
        let text = estate(small(7)).unwrap();
        assert_eq!(text, estate(small(7)).unwrap());
        assert_ne!(text, estate(small(8)).unwrap());
        let loaded = crate::load_str("estate.ron", &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded.network.subnets.len(), 2 * 2 + 6 * 3);
        assert_eq!(loaded.network.private_endpoints.len(), 7);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    }

    #[test]
    fn sizes_outside_the_address_plan_are_refused() {
        assert!(estate(EstateSize {
            regions: 0,
            ..small(1)
        })
        .is_err());
        assert!(estate(EstateSize {
            subnets_per_spoke: 17,
            ..small(1)
        })
        .is_err());
        assert!(estate(EstateSize {
            private_endpoints: 10_000,
            ..small(1)
        })
        .is_err());
    }

    #[test]
    fn a_huge_count_is_refused_before_anything_overflows() {
        let e = estate(EstateSize {
            regions: usize::MAX,
            ..small(1)
        });
        assert!(e.is_err());
    }

    #[test]
    fn an_estate_larger_than_check_takes_is_refused_up_front_with_the_limit_named() {
        // 16 x 256 spokes with 250 private endpoints each: far past the limit by count alone.
        let huge = EstateSize {
            regions: 16,
            spokes_per_region: 256,
            subnets_per_spoke: 16,
            private_endpoints: 16 * 256 * 250,
            nsg_rules: 1000,
            seed: 1,
        };
        assert!(least_bytes(huge) > MAX_FILE_BYTES);
        let e = estate(huge).unwrap_err().to_string();
        assert!(e.contains("--max-input-bytes"), "{e}");
        assert!(
            e.contains(&MAX_FILE_BYTES.to_string()) && e.contains("`check` refuses"),
            "{e}"
        );
    }

    #[test]
    fn an_estate_just_past_the_limit_is_refused_and_one_within_it_is_not() {
        // No NSG rules or endpoints: the count bound lets it through, the text is what decides.
        const MAX: usize = 4 * 1024 * 1024;
        let mut size = EstateSize {
            regions: 4,
            spokes_per_region: 256,
            subnets_per_spoke: 16,
            private_endpoints: 0,
            nsg_rules: 0,
            seed: 1,
        };
        let within = estate_within(size, MAX).unwrap();
        assert!(within.len() <= MAX);
        // Each private endpoint adds about 200 bytes: enough of them pass the limit.
        size.private_endpoints = (MAX - within.len()) / 150 + 1;
        assert!(least_bytes(size) <= MAX, "the text, not the bound, refuses");
        let e = estate_within(size, MAX).unwrap_err().to_string();
        assert!(e.contains(&format!("more than {MAX} bytes")), "{e}");
    }

    #[test]
    fn hub_endpoints_live_in_the_hubs_and_the_rest_in_the_spokes() {
        let size = EstateSize {
            private_endpoints: 9,
            ..small(3)
        };
        let shape = EstateShape {
            hub_private_endpoints: 4,
            ..EstateShape::default()
        };
        let text = estate_shaped(size, shape, MAX_FILE_BYTES).unwrap();
        let loaded = crate::load_str("hubs.ron", &text).unwrap_or_else(|e| panic!("{e}"));
        let net = &loaded.network;
        let in_hubs = net
            .private_endpoints
            .iter()
            .filter(|pe| {
                let vnet = net.subnet(pe.subnet).unwrap().vnet;
                net.vnet(vnet).unwrap().name.starts_with("hub-")
            })
            .count();
        assert_eq!((net.private_endpoints.len(), in_hubs), (9, 4));
        assert_eq!(
            estate(size).unwrap(),
            estate_shaped(size, EstateShape::default(), MAX_FILE_BYTES).unwrap()
        );
        let too_many = EstateShape {
            hub_private_endpoints: 10,
            ..EstateShape::default()
        };
        assert!(estate_shaped(size, too_many, MAX_FILE_BYTES).is_err());
    }

    #[test]
    fn a_hub_past_one_subnets_room_fills_the_next_endpoint_subnet() {
        // A /17 gives 32,768 addresses, of which Azure reserves five.
        let first = usable(17);
        assert_eq!(first, 32_763);
        assert_eq!(hub_endpoint_slot(0, 0), ("pe", "172.16.128.4".to_string()));
        assert_eq!(
            hub_endpoint_slot(0, first - 1),
            ("pe", "172.16.255.254".to_string())
        );
        assert_eq!(
            hub_endpoint_slot(2, first),
            ("pe2", "172.18.64.4".to_string())
        );
        assert_eq!(
            hub_endpoint_slot(0, first + usable(18)),
            ("pe3", "172.16.32.4".to_string())
        );
        assert!(hub_endpoint_room() >= 50_000);
        assert_eq!(hub_endpoint_subnets(0, 0), "");
        assert_eq!(hub_endpoint_subnets(0, first).matches("(name:").count(), 1);
        assert_eq!(
            hub_endpoint_subnets(0, first + 1).matches("(name:").count(),
            2
        );
        // A small hub keeps the one endpoint subnet it always had.
        let size = EstateSize {
            regions: 1,
            private_endpoints: 3,
            ..small(3)
        };
        let shape = EstateShape {
            hub_private_endpoints: 3,
            ..EstateShape::default()
        };
        let text = estate_shaped(size, shape, MAX_FILE_BYTES).unwrap();
        assert!(text.contains("\"172.16.128.0/17\""));
        assert!(!text.contains("pe2"));
    }

    #[test]
    fn landing_zones_are_estates_side_by_side_that_reach_only_within_themselves() {
        use crate::model::{FlowProtocol, NicRef, TraceSource};
        use crate::trace::{trace_name, Probe, Verdict};
        let size = EstateSize {
            regions: 2,
            spokes_per_region: 2,
            subnets_per_spoke: 3,
            private_endpoints: 8,
            nsg_rules: 0,
            seed: 1,
        };
        let shape = EstateShape {
            landing_zones: 2,
            ..EstateShape::default()
        };
        let text = estate_shaped(size, shape, MAX_FILE_BYTES).unwrap();
        let loaded = crate::load_str("zones.ron", &text).unwrap_or_else(|e| panic!("{e}"));
        let (net, dp) = (&loaded.network, loaded.dataplane());
        // Four hubs, two per landing zone, over the same two regions.
        let hubs: Vec<(String, String)> = net
            .vnets
            .iter()
            .filter(|v| v.name.starts_with("hub-"))
            .map(|v| (v.name.clone(), v.region.clone()))
            .collect();
        let regions: Vec<&str> = hubs.iter().map(|(_, r)| r.as_str()).collect();
        assert_eq!(regions, ["eastus", "westus", "eastus", "westus"]);
        // Hubs are peered within their landing zone only.
        let hub_peers: Vec<(String, String)> = net
            .peerings
            .iter()
            .filter_map(|p| {
                let [a, b] = p.vnets.map(|v| net.vnet(v).unwrap().name.clone());
                (a.starts_with("hub-") && b.starts_with("hub-")).then_some((a, b))
            })
            .collect();
        assert_eq!(
            hub_peers,
            [
                ("hub-0".to_string(), "hub-1".to_string()),
                ("hub-2".to_string(), "hub-3".to_string())
            ]
        );
        let Some(NicRef::Workload(vm)) = net.nic_by_name("vm-0-0") else {
            panic!("no vm-0-0")
        };
        let probe = Probe {
            protocol: FlowProtocol::Tcp,
            port: 443,
            source_port: 50000,
            host: None,
        };
        let to = |name: &str| {
            trace_name(net, dp, TraceSource::Workload(vm), name, probe.clone())
                .unwrap()
                .verdict
        };
        // st2 is behind spoke-2 (landing zone 0's second region): through both firewalls.
        assert_eq!(to("st2.blob.core.windows.net"), Verdict::Delivered);
        // st4 is behind spoke-4 (landing zone 1): the first firewall has no route to it.
        assert!(
            matches!(to("st4.blob.core.windows.net"), Verdict::NoRoute { .. }),
            "{:?}",
            to("st4.blob.core.windows.net")
        );
    }

    #[test]
    fn landing_zones_beyond_the_sixteen_hubs_of_the_address_plan_are_refused() {
        let shape = |landing_zones| EstateShape {
            landing_zones,
            ..EstateShape::default()
        };
        let size = EstateSize {
            regions: 4,
            ..small(1)
        };
        assert!(estate_shaped(size, shape(4), MAX_FILE_BYTES).is_ok());
        for zones in [0, 5, 17] {
            let e = estate_shaped(size, shape(zones), MAX_FILE_BYTES).unwrap_err();
            assert!(e.to_string().contains("--landing-zones"), "{e}");
        }
    }

    #[test]
    fn the_tenant_estate_fits_the_default_bound() {
        // 16 regions x 250 spokes x 8 subnets (32,008 subnets) and 8,000 private endpoints.
        let tenant = EstateSize {
            regions: 16,
            spokes_per_region: 250,
            subnets_per_spoke: 8,
            private_endpoints: 8000,
            nsg_rules: 10,
            seed: 1,
        };
        let text = estate(tenant).unwrap();
        assert!(text.len() <= MAX_FILE_BYTES);
        assert!(estate_within(tenant, text.len() - 1).is_err());
    }

    #[test]
    fn the_largest_bound_and_the_text_agree_with_the_loader() {
        // The lower bound never refuses what the loader takes.
        for size in [small(1), small(2)] {
            let text = estate(size).unwrap();
            assert!(least_bytes(size) <= text.len());
        }
    }

    #[test]
    fn a_thousand_nsg_rules_keep_priorities_in_azures_range() {
        let size = EstateSize {
            regions: 1,
            spokes_per_region: 1,
            subnets_per_spoke: 2,
            private_endpoints: 0,
            nsg_rules: 1000,
            seed: 3,
        };
        let text = estate(size).unwrap();
        let loaded = crate::load_str("estate.ron", &text).unwrap_or_else(|e| panic!("{e}"));
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert!(text.contains("priority: 4096,"));
        // Up to 400 rules keep the step of 10, so estates generated before stay the same.
        assert_eq!(priority_step(400), 10);
        assert_eq!(priority_step(1000), 4);
    }
}
