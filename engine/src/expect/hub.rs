//! A virtual hub routes question: the table's rows, as `az network vhub get-effective-routes`
//! prints them, compared with the expected rows (one route per row, as for a subnet's routes).

use super::answer::{Asked, Evidence, Problem, QuestionResult};
use super::check::{result, RowMismatch};
use crate::model::{HubHopType, HubRoutesExpect, HubRowExpect, HubTableRef, Network, Question};
use crate::query::{hub_routes, HubEffectiveRoute, HubNextHopType};
use crate::route::hub::HubTableId;

/// Checks one hub routes question.
pub(super) fn check(
    net: &Network,
    q: &Question,
    at: HubTableRef,
    expect: &HubRoutesExpect,
) -> QuestionResult {
    let id = match at {
        HubTableRef::Table { hub, index } => HubTableId::Table { hub, index },
        HubTableRef::Firewall { hub } => HubTableId::FirewallForwarding { hub },
    };
    let answer = hub_routes(net, id);
    let question = Asked::Routes {
        at: answer
            .as_ref()
            .map_or_else(String::new, |a| format!("{}/{}", a.hub, a.table)),
        mode: expect.mode,
        rows: expect.rows.len(),
    };
    let problems = answer.as_ref().map(|a| problems(expect, &a.routes));
    result(question, q.span, problems, answer.map(Evidence::HubRoutes))
}

/// The type a scenario names for the type the query computed.
fn hop_type(t: HubNextHopType) -> HubHopType {
    match t {
        HubNextHopType::VirtualNetworkConnection => HubHopType::VirtualNetworkConnection,
        HubNextHopType::VpnS2sGateway => HubHopType::VpnS2sGateway,
        HubNextHopType::ExpressRouteGateway => HubHopType::ExpressRouteGateway,
        HubNextHopType::RemoteHub => HubHopType::RemoteHub,
        HubNextHopType::AzureFirewall => HubHopType::AzureFirewall,
        HubNextHopType::Internet => HubHopType::Internet,
    }
}

/// Whether a hub route fits an expected row (fields not written are not checked).
pub(super) fn hub_row_matches(row: &HubRowExpect, route: &HubEffectiveRoute) -> bool {
    row.prefix
        .is_none_or(|p| route.address_prefixes.contains(&p))
        && row
            .next_hop_type
            .is_none_or(|t| t == hop_type(route.next_hop_type))
        && row
            .next_hop
            .as_ref()
            .is_none_or(|h| route.next_hops.contains(h))
        && row.origin.as_ref().is_none_or(|o| *o == route.route_origin)
}

/// A hub table's rows compared with its routes ([`super::check::compare_rows`]).
fn problems(expect: &HubRoutesExpect, actual: &[HubEffectiveRoute]) -> Vec<Problem> {
    super::check::compare_rows(expect.mode, &expect.rows, actual, hub_row_matches)
        .into_iter()
        .map(|m| match m {
            RowMismatch::Present(row, r) => Problem::ExcludedHubRoutePresent {
                expected: row.clone(),
                actual: r.clone(),
            },
            RowMismatch::Missing(row) => Problem::MissingHubRoute {
                expected: row.clone(),
            },
            RowMismatch::Unexpected(r) => Problem::UnexpectedHubRoute { actual: r.clone() },
        })
        .collect()
}
