//! Service-tag routes among user routes with the same prefix: "If there are multiple routes with
//! the same address prefix, Azure selects the route based on": an explicit prefix over a tag, a
//! regional tag (`Storage.EastUS`) over its top-level tag (`Storage`), and `AzureCloud` tags
//! last, `AzureCloud.<region>` before `AzureCloud` ("Virtual network traffic routing", section
//! "Service tags for user-defined routes",
//! <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#service-tags-for-user-defined-routes>).
//! Routes with different prefixes still go by longest prefix match: the order only breaks ties.

use super::types::{Candidate, Origin};

/// How strongly a user route holds its prefix against another user route with the same
/// prefix: 4 explicit prefix, 3 regional tag, 2 top-level tag, 1 `AzureCloud.<region>`,
/// 0 `AzureCloud`.
pub fn tag_precedence(tag: Option<&str>) -> u8 {
    let Some(tag) = tag else { return 4 };
    let (base, regional) = match tag.split_once('.') {
        Some((base, _)) => (base, true),
        None => (tag, false),
    };
    match (base.eq_ignore_ascii_case("AzureCloud"), regional) {
        (false, true) => 3,
        (false, false) => 2,
        (true, true) => 1,
        (true, false) => 0,
    }
}

/// The service tag a candidate's user route names, if any.
pub fn tag_of(c: &Candidate) -> Option<&str> {
    match &c.origin {
        Origin::UserRoute { service_tag, .. } => service_tag.as_deref(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{hop, row, rows, table};
    use super::super::types::Why;
    use super::*;
    use crate::model::{NextHopType as H, RouteSource as S, RouteState};

    #[test]
    fn an_explicit_prefix_outranks_a_regional_tag_which_outranks_its_top_level_tag_and_azurecloud_comes_last(
    ) {
        let order = [
            None,
            Some("Storage.EastUS"),
            Some("Storage"),
            Some("AzureCloud.eastus"),
            Some("AzureCloud"),
        ];
        for pair in order.windows(2) {
            if let [a, b] = pair {
                assert!(tag_precedence(*a) > tag_precedence(*b), "{a:?} over {b:?}");
            }
        }
    }

    /// A subnet with a route table holding `routes`, the tags `Storage` and `Storage.EastUS`
    /// declared with `20.60.0.0/16` and `20.60.128.0/18` shared as Learn's example has it.
    fn net(routes: &str) -> String {
        format!(
            r#"Scenario(
            vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"],
                subnets: [(name: "app", prefix: "10.0.1.0/24", route_table: "rt"), (name: "nva", prefix: "10.0.9.0/24")])],
            service_tags: [
                (name: "Storage", prefixes: ["20.60.0.0/16", "20.60.128.0/18", "52.239.0.0/17"]),
                (name: "Storage.EastUS", prefixes: ["20.60.128.0/18"]),
                (name: "AzureCloud", prefixes: ["20.0.0.0/8"]),
            ],
            route_tables: [(name: "rt", routes: [{routes}])],
        )"#
        )
    }

    #[test]
    fn a_tag_route_covers_every_prefix_of_the_tag() {
        let t = table(
            &net(r#"(name: "storage", prefix: "Storage", next_hop: VirtualAppliance("10.0.9.4"))"#),
            "v/app",
        );
        for p in ["20.60.0.0/16", "20.60.128.0/18", "52.239.0.0/17"] {
            let r = row(&t, p, S::User);
            assert_eq!(r.state, RouteState::Active, "{p}");
            assert_eq!(r.next_hop.next_hop_type, H::VirtualAppliance, "{p}");
            assert_eq!(r.route_name(), Some("storage"), "{p}");
        }
    }

    #[test]
    fn an_explicit_prefix_route_wins_over_a_tag_route_with_the_same_prefix() {
        let t = table(
            &net(
                // The tag route's next hop (Internet) would win a tie between system routes:
                // the explicit prefix must win on its own account.
                r#"(name: "storage", prefix: "Storage", next_hop: Internet),
                   (name: "direct", prefix: "20.60.0.0/16", next_hop: VirtualAppliance("10.0.9.4"))"#,
            ),
            "v/app",
        );
        let same = rows(&t, "20.60.0.0/16");
        let active: Vec<_> = same
            .iter()
            .filter(|r| r.state == RouteState::Active)
            .collect();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].route_name(), Some("direct"));
        let tag = same
            .iter()
            .find(|r| r.route_name() == Some("storage"))
            .unwrap_or_else(|| panic!("tag row"));
        assert_eq!(tag.state, RouteState::Invalid);
        assert!(
            matches!(&tag.why, Why::UserRouteSamePrefix { winner_route, winner_tag: None } if winner_route == "direct"),
            "{:?}",
            tag.why
        );
    }

    #[test]
    fn a_regional_tag_route_carries_a_prefix_its_top_level_tag_also_holds() {
        let t = table(
            &net(r#"(name: "storage", prefix: "Storage", next_hop: Internet),
                   (name: "storage-eastus", prefix: "Storage.EastUS", next_hop: VirtualAppliance("10.0.9.4"))"#),
            "v/app",
        );
        let same = rows(&t, "20.60.128.0/18");
        let active: Vec<_> = same
            .iter()
            .filter(|r| r.state == RouteState::Active)
            .collect();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].route_name(), Some("storage-eastus"));
        // The rest of the top-level tag keeps its own route.
        assert_eq!(
            row(&t, "20.60.0.0/16", S::User).route_name(),
            Some("storage")
        );
    }

    #[test]
    fn azurecloud_loses_a_shared_prefix_to_any_other_tag_but_longest_prefix_still_decides() {
        let t = table(
            &net(r#"(name: "cloud", prefix: "AzureCloud", next_hop: None),
                   (name: "storage", prefix: "Storage", next_hop: VirtualAppliance("10.0.9.4"))"#),
            "v/app",
        );
        // Different prefixes: both rows stay active; a Storage address takes the longer one.
        assert_eq!(row(&t, "20.0.0.0/8", S::User).route_name(), Some("cloud"));
        assert_eq!(
            row(&t, "20.60.0.0/16", S::User).route_name(),
            Some("storage")
        );
        assert_eq!(hop(&t, "20.60.1.1"), H::VirtualAppliance);
        assert_eq!(hop(&t, "20.1.1.1"), H::None);
    }
}
