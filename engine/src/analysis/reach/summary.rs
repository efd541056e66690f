//! The matrix in counts: pairs per verdict for each source group and destination group (the
//! region, or the VNet, of the source workload and of the destination), counted by class
//! without expanding the pairs.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{Cell, Endpoint, ReachAnswer};
use crate::model::Network;
use crate::trace::Verdict;

/// What groups sources and destinations in [`by_group`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum GroupBy {
    /// The region of the endpoint's VNet.
    #[default]
    Region,
    /// The endpoint's VNet.
    Vnet,
}

/// The pairs from one source group to one destination group, per verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GroupCount {
    /// The sources' group (a region or VNet name).
    pub source: String,
    /// The destinations' group.
    pub destination: String,
    /// Pairs.
    pub pairs: u64,
    /// Pairs per verdict name.
    pub verdicts: BTreeMap<String, u64>,
}

/// Whether a connection with this verdict fails: the verdicts [`Verdict::is_success`] does not
/// accept, so the filter, the exit code and the summary agree.
pub fn failing(v: &Verdict) -> bool {
    !v.is_success()
}

/// The group of on-premises sites when grouping by region.
pub const ON_PREMISES: &str = "on-premises";

/// The groups of a network's endpoints, numbered, with their names. On-premises sites group
/// as [`ON_PREMISES`] by region and as `on-premises/SITE` by VNet, after the VNets' groups.
struct Groups {
    names: Vec<String>,
    /// Per VNet (index): its group.
    of_vnet: Vec<usize>,
    /// Per site (index): its group.
    of_site: Vec<usize>,
}

impl Groups {
    fn new(net: &Network, by: GroupBy) -> Self {
        let mut names: Vec<String> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let of_vnet = net
            .vnets
            .iter()
            .map(|v| {
                let key = match by {
                    GroupBy::Region => v.region.as_str(),
                    GroupBy::Vnet => v.name.as_str(),
                };
                *index.entry(key).or_insert_with(|| {
                    names.push(key.to_string());
                    names.len() - 1
                })
            })
            .collect();
        let of_site = net
            .sites
            .iter()
            .map(|site| {
                let key = match by {
                    GroupBy::Region => ON_PREMISES.to_string(),
                    GroupBy::Vnet => format!("{ON_PREMISES}/{}", site.name),
                };
                match names.iter().position(|n| *n == key) {
                    Some(i) => i,
                    None => {
                        names.push(key);
                        names.len() - 1
                    }
                }
            })
            .collect();
        Self {
            names,
            of_vnet,
            of_site,
        }
    }

    /// The group of a matrix endpoint.
    fn of(&self, net: &Network, e: &Endpoint) -> Option<usize> {
        if e.site {
            return self.of_site.get(e.index).copied();
        }
        let subnet = if e.private_endpoint {
            net.private_endpoints.as_slice().get(e.index)?.subnet
        } else {
            net.workloads.as_slice().get(e.index)?.subnet
        };
        let vnet = net.subnet(subnet)?.vnet;
        self.of_vnet.get(vnet.index()).copied()
    }
}

/// How many members of each class are in each group.
fn histogram(
    groups: &[Option<usize>],
    list: &[Endpoint],
    classes: usize,
) -> Vec<Vec<(usize, u64)>> {
    let mut out: Vec<BTreeMap<usize, u64>> = vec![BTreeMap::new(); classes];
    for (e, g) in list.iter().zip(groups) {
        if let (Some(h), Some(g)) = (out.get_mut(e.class), g) {
            *h.entry(*g).or_default() += 1;
        }
    }
    out.into_iter().map(|h| h.into_iter().collect()).collect()
}

/// The pairs of `answer` per source group, destination group and verdict, in group order.
pub fn by_group(net: &Network, answer: &ReachAnswer, by: GroupBy) -> Vec<GroupCount> {
    let groups = Groups::new(net, by);
    let source_group: Vec<Option<usize>> =
        answer.sources.iter().map(|e| groups.of(net, e)).collect();
    let destination_group: Vec<Option<usize>> = answer
        .destinations
        .iter()
        .map(|e| groups.of(net, e))
        .collect();
    let width = answer.summary.destination_classes;
    let sources = histogram(
        &source_group,
        &answer.sources,
        answer.summary.source_classes,
    );
    let destinations = histogram(&destination_group, &answer.destinations, width);
    let mut counts: HashMap<(usize, usize, &'static str), i128> = HashMap::new();
    let shared_name = |a: usize, b: usize| match answer.cells.get(a * width + b) {
        Some(Cell::Shared { outcome, .. }) => answer.outcomes.get(*outcome).map(Verdict::name),
        _ => None,
    };
    for a in 0..answer.summary.source_classes {
        for b in 0..width {
            let Some(name) = shared_name(a, b) else {
                continue;
            };
            for (gs, ns) in sources.get(a).into_iter().flatten() {
                for (gd, nd) in destinations.get(b).into_iter().flatten() {
                    *counts.entry((*gs, *gd, name)).or_default() += i128::from(ns * nd);
                }
            }
        }
    }
    // A workload is never its own destination: take those pairs back out of shared cells.
    let position: HashMap<(bool, bool, usize), usize> = answer
        .destinations
        .iter()
        .enumerate()
        .map(|(j, d)| (d.key(), j))
        .collect();
    for (s, g) in answer.sources.iter().zip(&source_group) {
        let Some(d) = position
            .get(&s.key())
            .and_then(|j| answer.destinations.get(*j))
        else {
            continue;
        };
        if let (Some(name), Some(g)) = (shared_name(s.class, d.class), g) {
            *counts.entry((*g, *g, name)).or_default() -= 1;
        }
    }
    for single in &answer.one_by_one {
        let (Some(Some(gs)), Some(Some(gd)), Some(v)) = (
            source_group.get(single.source),
            destination_group.get(single.destination),
            answer.outcomes.get(single.outcome),
        ) else {
            continue;
        };
        *counts.entry((*gs, *gd, v.name())).or_default() += 1;
    }
    let mut out: BTreeMap<(usize, usize), GroupCount> = BTreeMap::new();
    for ((gs, gd, name), n) in counts {
        let n = u64::try_from(n).unwrap_or_default();
        if n == 0 {
            continue;
        }
        let g = out.entry((gs, gd)).or_insert_with(|| GroupCount {
            source: groups.names.get(gs).cloned().unwrap_or_default(),
            destination: groups.names.get(gd).cloned().unwrap_or_default(),
            ..GroupCount::default()
        });
        g.pairs += n;
        *g.verdicts.entry(name.to_string()).or_default() += n;
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::reach::{reach, Destinations, ReachRequest};
    use crate::model::FlowProtocol;

    /// Every group count equals a count of the expanded rows.
    #[test]
    fn group_counts_equal_the_expanded_pairs_counted_one_by_one() {
        let text = crate::analysis::generate::estate(crate::analysis::generate::EstateSize {
            regions: 2,
            spokes_per_region: 3,
            subnets_per_spoke: 3,
            private_endpoints: 4,
            nsg_rules: 3,
            seed: 7,
        })
        .unwrap();
        let loaded = crate::load_str("g.ron", &text).unwrap();
        let (net, dp) = (&loaded.network, loaded.dataplane());
        for destinations in [Destinations::Everything, Destinations::PrivateEndpoints] {
            let answer = reach(
                net,
                dp,
                &ReachRequest {
                    protocol: FlowProtocol::Tcp,
                    port: 443,
                    source_port: 50000,
                    destinations,
                    sites: false,
                },
            );
            for by in [GroupBy::Region, GroupBy::Vnet] {
                let groups = Groups::new(net, by);
                let name = |n: &str| {
                    let e = answer
                        .sources
                        .iter()
                        .chain(&answer.destinations)
                        .find(|e| e.name == n)
                        .unwrap();
                    groups.names[groups.of(net, e).unwrap()].clone()
                };
                let mut expected: BTreeMap<(String, String), BTreeMap<String, u64>> =
                    BTreeMap::new();
                for row in answer.rows() {
                    *expected
                        .entry((name(row.source), name(row.destination)))
                        .or_default()
                        .entry(row.verdict.name().to_string())
                        .or_default() += 1;
                }
                let got: BTreeMap<(String, String), BTreeMap<String, u64>> =
                    by_group(net, &answer, by)
                        .into_iter()
                        .map(|g| {
                            assert_eq!(g.pairs, g.verdicts.values().sum::<u64>());
                            ((g.source, g.destination), g.verdicts)
                        })
                        .collect();
                assert_eq!(got, expected, "{destinations:?} {by:?}");
            }
        }
    }

    #[test]
    fn only_delivered_connections_are_not_failing() {
        assert!(!failing(&Verdict::Delivered));
        assert!(!failing(&Verdict::DeliveredPublicly {
            service: "s".into()
        }));
        assert!(failing(&Verdict::NoRoute { prefix: None }));
    }
}
