//! "Does Azure show the effective routes azpath computes?" Rows in the shape of
//! `az network nic show-effective-route-table` (Network Watcher's `effectiveRouteListResult`),
//! compared row by row.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// One row of `az network nic show-effective-route-table`, with the REST API's field names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzEffectiveRoute {
    /// The prefixes (Azure prints one per row, as a list).
    #[serde(default)]
    pub address_prefix: Vec<String>,
    /// Whether the subnet's route table stops gateway route propagation.
    #[serde(default)]
    pub disable_bgp_route_propagation: bool,
    /// The UDR's name; none for other routes.
    #[serde(default)]
    pub name: Option<String>,
    /// Next hop addresses (several for equal-cost gateway routes).
    #[serde(default)]
    pub next_hop_ip_address: Vec<String>,
    /// `VnetLocal`, `VirtualAppliance`, …
    #[serde(default)]
    pub next_hop_type: String,
    /// `Default`, `User` or `VirtualNetworkGateway`.
    #[serde(default)]
    pub source: String,
    /// `Active` or `Invalid`.
    #[serde(default)]
    pub state: String,
}

/// The whole list, as `az` prints it (`{"value": [...]}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzEffectiveRouteList {
    /// The rows.
    pub value: Vec<AzEffectiveRoute>,
}

/// Reads Azure's effective routes: the `az` output (`{"value": [...]}`) or a bare list.
pub fn parse_az_routes(text: &str) -> Result<Vec<AzEffectiveRoute>, serde_json::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        List(AzEffectiveRouteList),
        Rows(Vec<AzEffectiveRoute>),
    }
    Ok(match serde_json::from_str::<Either>(text)? {
        Either::List(l) => l.value,
        Either::Rows(r) => r,
    })
}

/// A row as compared: order and case of what Azure prints do not matter.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RouteRow {
    /// The route source.
    pub source: String,
    /// The prefixes, sorted.
    pub prefixes: Vec<String>,
    /// The next hop type.
    pub next_hop_type: String,
    /// The state.
    pub state: String,
    /// The next hop addresses, sorted.
    pub next_hop_ips: Vec<String>,
}

impl RouteRow {
    fn of(r: &AzEffectiveRoute) -> Self {
        let sorted = |v: &[String]| {
            let set: BTreeSet<String> = v.iter().map(|s| s.trim().to_string()).collect();
            set.into_iter().collect::<Vec<_>>()
        };
        Self {
            source: r.source.clone(),
            prefixes: sorted(&r.address_prefix),
            next_hop_type: r.next_hop_type.clone(),
            state: r.state.clone(),
            next_hop_ips: sorted(&r.next_hop_ip_address),
        }
    }

    fn same_route(&self, other: &Self) -> bool {
        self.source.eq_ignore_ascii_case(&other.source)
            && self.prefixes == other.prefixes
            && self
                .next_hop_type
                .eq_ignore_ascii_case(&other.next_hop_type)
    }

    fn same_prefix(&self, other: &Self) -> bool {
        self.source.eq_ignore_ascii_case(&other.source) && self.prefixes == other.prefixes
    }

    fn equal(&self, other: &Self) -> bool {
        self.same_route(other)
            && self.state.eq_ignore_ascii_case(&other.state)
            && self.next_hop_ips == other.next_hop_ips
    }
}

/// One difference between azpath's table and Azure's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "difference")]
pub enum RouteDifference {
    /// azpath computes the row; Azure does not show it.
    Missing {
        /// azpath's row.
        expected: RouteRow,
    },
    /// Azure shows the row; azpath does not compute it.
    Extra {
        /// Azure's row.
        actual: RouteRow,
    },
    /// The same route (source, prefix and, unless `next_hop_type` is named, next hop type)
    /// with a different state or next hop.
    Differs {
        /// azpath's row.
        expected: RouteRow,
        /// Azure's row.
        actual: RouteRow,
        /// The fields that differ: `state`, `next_hop_type`, `next_hop_ips`.
        fields: Vec<String>,
    },
}

/// The comparison of one subnet's effective routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteComparison {
    /// The subnet, `vnet/subnet`.
    pub subnet: String,
    /// Rows equal on both sides.
    pub matched: usize,
    /// Every difference, azpath's row order first.
    pub differences: Vec<RouteDifference>,
}

/// Compares azpath's rows (`expected`, see [`crate::report::az::routes`]) with Azure's.
pub fn compare_routes(
    subnet: &str,
    expected: &[AzEffectiveRoute],
    actual: &[AzEffectiveRoute],
) -> RouteComparison {
    let mut left: Vec<Option<RouteRow>> = expected.iter().map(|r| Some(RouteRow::of(r))).collect();
    let mut right: Vec<Option<RouteRow>> = actual.iter().map(|r| Some(RouteRow::of(r))).collect();
    let mut matched = 0;
    let mut pairs: Vec<(usize, RouteRow, RouteRow)> = Vec::new();
    // Equal rows first, then the same route with other details, then the same prefix and
    // source with another next hop type.
    type Same = fn(&RouteRow, &RouteRow) -> bool;
    let passes: [Same; 3] = [RouteRow::equal, RouteRow::same_route, RouteRow::same_prefix];
    for (pass, same) in passes.iter().enumerate() {
        for (i, slot) in left.iter_mut().enumerate() {
            let Some(e) = slot.as_ref() else { continue };
            let found = right
                .iter_mut()
                .find(|a| a.as_ref().is_some_and(|a| same(e, a)));
            if let Some(a) = found.and_then(Option::take) {
                if let Some(e) = slot.take() {
                    if pass == 0 {
                        matched += 1;
                    } else {
                        pairs.push((i, e, a));
                    }
                }
            }
        }
    }
    let mut ordered: Vec<(usize, RouteDifference)> = pairs
        .into_iter()
        .map(|(i, expected, actual)| {
            let mut fields = Vec::new();
            if !expected
                .next_hop_type
                .eq_ignore_ascii_case(&actual.next_hop_type)
            {
                fields.push("next_hop_type".to_string());
            }
            if !expected.state.eq_ignore_ascii_case(&actual.state) {
                fields.push("state".to_string());
            }
            if expected.next_hop_ips != actual.next_hop_ips {
                fields.push("next_hop_ips".to_string());
            }
            (
                i,
                RouteDifference::Differs {
                    expected,
                    actual,
                    fields,
                },
            )
        })
        .collect();
    for (i, slot) in left.into_iter().enumerate() {
        if let Some(expected) = slot {
            ordered.push((i, RouteDifference::Missing { expected }));
        }
    }
    ordered.sort_by_key(|(i, _)| *i);
    let mut differences: Vec<RouteDifference> = ordered.into_iter().map(|(_, d)| d).collect();
    differences.extend(
        right
            .into_iter()
            .flatten()
            .map(|actual| RouteDifference::Extra { actual }),
    );
    RouteComparison {
        subnet: subnet.to_string(),
        matched,
        differences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(source: &str, prefix: &str, kind: &str, state: &str, ips: &[&str]) -> AzEffectiveRoute {
        AzEffectiveRoute {
            address_prefix: vec![prefix.into()],
            next_hop_ip_address: ips.iter().map(|s| s.to_string()).collect(),
            next_hop_type: kind.into(),
            source: source.into(),
            state: state.into(),
            ..AzEffectiveRoute::default()
        }
    }

    #[test]
    fn rows_in_another_order_match() {
        let a = row("Default", "10.0.0.0/16", "VnetLocal", "Active", &[]);
        let b = row(
            "User",
            "0.0.0.0/0",
            "VirtualAppliance",
            "Active",
            &["10.0.1.4"],
        );
        let c = compare_routes("s", &[a.clone(), b.clone()], &[b, a]);
        assert_eq!(c.matched, 2);
        assert!(c.differences.is_empty());
    }

    #[test]
    fn a_state_change_is_one_difference_not_a_missing_and_an_extra_row() {
        let a = row("Default", "0.0.0.0/0", "Internet", "Active", &[]);
        let b = row("Default", "0.0.0.0/0", "Internet", "Invalid", &[]);
        let c = compare_routes("s", &[a], &[b]);
        assert!(matches!(
            &c.differences[..],
            [RouteDifference::Differs { fields, .. }] if fields == &["state"]
        ));
    }

    #[test]
    fn another_next_hop_type_for_the_same_prefix_is_named() {
        let a = row(
            "User",
            "0.0.0.0/0",
            "VirtualAppliance",
            "Active",
            &["10.0.1.4"],
        );
        let b = row("User", "0.0.0.0/0", "Internet", "Active", &[]);
        let extra = row("Default", "10.9.0.0/16", "VNetPeering", "Active", &[]);
        let c = compare_routes("s", &[a], &[b, extra]);
        assert_eq!(c.differences.len(), 2);
        assert!(
            matches!(&c.differences[0], RouteDifference::Differs { fields, .. } if fields.contains(&"next_hop_type".to_string()))
        );
        assert!(matches!(&c.differences[1], RouteDifference::Extra { .. }));
    }

    #[test]
    fn the_az_output_and_a_bare_list_both_parse() {
        let wrapped = r#"{"nextLink": null, "value": [{"addressPrefix": ["10.0.0.0/16"], "nextHopType": "VnetLocal", "source": "Default", "state": "Active", "nextHopIpAddress": [], "disableBgpRoutePropagation": false, "name": null}]}"#;
        assert_eq!(parse_az_routes(wrapped).unwrap().len(), 1);
        assert_eq!(parse_az_routes("[]").unwrap().len(), 0);
    }
}
