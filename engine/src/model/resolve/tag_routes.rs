//! Service tags as UDR address prefixes: a route's `addressPrefix` may name a service tag
//! (`Storage`, `Storage.WestEurope`, `AzureCloud`), and the route then covers every prefix of the
//! tag; a route table holds at most 25 such routes ("Virtual network traffic routing", section
//! "Service tags for user-defined routes",
//! <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#service-tags-for-user-defined-routes>).
//!
//! azpath has no copy of Azure's tag ranges (they change weekly): a tag route needs the tag's
//! prefixes declared in `service_tags`, taken from a dated download of the Service Tags file, and
//! is refused otherwise; a tag declared with no prefixes makes the route cover nothing, with a
//! warning.

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::naming::Seen;
use super::{unknown_name_hint, Resolver};
use crate::model::UserRoute;
use crate::scenario::{self as doc, Text};

/// Azure's limit of service-tag routes in one route table.
pub const MAX_TAG_ROUTES_PER_TABLE: usize = 25;

impl Resolver {
    /// The service tag a route prefix names, `None` when it is written as an address prefix
    /// (or as a malformed one, which the prefix parser refuses). A tag name starts with a letter.
    pub(super) fn route_service_tag(&self, text: &Text) -> Option<String> {
        let v = text.value.trim();
        let first = v.chars().next()?;
        let tag_like = first.is_ascii_alphabetic()
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
        // An IPv6 prefix may start with a letter (`fd00::/8`): it has a colon, so it is no tag.
        (tag_like && v.parse::<IpNet>().is_err()).then(|| v.to_string())
    }

    /// Whether `tag` is declared with no prefixes (as import declares the tags whose ranges its
    /// input lacks): a route naming it covers nothing here.
    pub(super) fn tag_declared_empty(&self, tag: &str) -> bool {
        self.tag_ids
            .get(tag)
            .and_then(|i| self.net.service_tags.get(*i))
            .is_some_and(|(_, p)| p.is_empty())
    }

    /// One route per prefix of the tag the route names, or a located refusal.
    pub(super) fn tag_route(
        &mut self,
        table: &doc::RouteTableDoc,
        route: &doc::RouteDoc,
        tag: String,
        names: &mut Seen,
        tags: &mut BTreeMap<String, String>,
        routes: &mut Vec<UserRoute>,
    ) {
        let name_ok = self.unique(names, &route.name, "route");
        let next_hop = self.udr_next_hop(&route.next_hop, &route.name);
        if let Some(other) = tags.get(&tag) {
            self.error(
                route.prefix.span,
                format!(
                    "routes `{other}` and `{}` in `{}` both name service tag `{tag}`",
                    route.name.value, table.name.value
                ),
                Some("a route table holds one route per address prefix or tag; remove one".into()),
            );
            return;
        }
        tags.insert(tag.clone(), route.name.value.clone());
        if tags.len() > MAX_TAG_ROUTES_PER_TABLE {
            self.error(
                route.prefix.span,
                format!(
                    "route table `{}` has more than {MAX_TAG_ROUTES_PER_TABLE} routes naming a service tag",
                    table.name.value
                ),
                Some(format!(
                    "Azure allows at most {MAX_TAG_ROUTES_PER_TABLE} service-tag routes per route table"
                )),
            );
            return;
        }
        let Some(prefixes) = self
            .tag_ids
            .get(&tag)
            .and_then(|i| self.net.service_tags.get(*i))
            .map(|(_, p)| p.clone())
        else {
            let declared = self.net.service_tags.iter().map(|(n, _)| n.as_str());
            let known = unknown_name_hint(&tag, declared, "service tag");
            self.error(
                route.prefix.span,
                format!(
                    "route `{}` names service tag `{tag}`, whose prefixes this scenario does not declare",
                    route.name.value
                ),
                Some(format!(
                    "azpath has no copy of Azure's tag ranges: declare `service_tags: [(name: \"{tag}\", prefixes: [...])]` from a dated Service Tags download ({known})"
                )),
            );
            return;
        };
        // A tag declared with no prefixes (as import declares the tags whose ranges its input
        // lacks) is kept: the route covers no address, said in a warning, as an NSG rule naming
        // the tag matches nothing.
        if prefixes.is_empty() {
            self.warn(
                route.prefix.span,
                format!(
                    "route `{}` names service tag `{tag}`, which is declared with no prefixes, so it covers no address",
                    route.name.value
                ),
                Some(format!("list the prefixes of `{tag}` in `service_tags`, from a dated Service Tags download")),
            );
        }
        let (true, Some(next_hop)) = (name_ok, next_hop) else {
            return;
        };
        let mut seen = std::collections::BTreeSet::new();
        for prefix in prefixes {
            if seen.insert(prefix) {
                routes.push(UserRoute {
                    name: route.name.value.clone(),
                    prefix,
                    next_hop,
                    service_tag: Some(tag.clone()),
                    span: route.name.span,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    fn refusal(routes: &str, tags: &str) -> String {
        let ron = format!(
            r#"Scenario(
            vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"],
                subnets: [(name: "app", prefix: "10.0.1.0/24", route_table: "rt")])],
            service_tags: [{tags}],
            route_tables: [(name: "rt", routes: [
{routes}
            ])],
        )"#
        );
        match crate::load_str("tags.ron", &ron) {
            Ok(_) => panic!("accepted:\n{ron}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_route_naming_a_tag_whose_prefixes_are_unknown_is_refused_where_it_is_written() {
        let e = refusal(
            r#"                (name: "storage", prefix: "Storage.WestEurope", next_hop: Internet),"#,
            r#"(name: "Storage", prefixes: ["20.60.0.0/16"])"#,
        );
        assert!(e.contains("tags.ron:6:43:"), "{e}");
        assert!(e.contains("`Storage.WestEurope`"), "{e}");
        assert!(e.contains("service_tags"), "{e}");
    }

    #[test]
    fn a_table_holds_one_route_per_service_tag() {
        let e = refusal(
            r#"                (name: "a", prefix: "Storage", next_hop: Internet),
                (name: "b", prefix: "Storage", next_hop: None),"#,
            r#"(name: "Storage", prefixes: ["20.60.0.0/16"])"#,
        );
        assert!(e.contains("both name service tag `Storage`"), "{e}");
    }

    #[test]
    fn a_table_holds_at_most_25_service_tag_routes() {
        let tags: Vec<String> = (0..26)
            .map(|i| format!(r#"(name: "Tag{i}", prefixes: ["20.{i}.0.0/16"])"#))
            .collect();
        let routes: Vec<String> = (0..26)
            .map(|i| format!(r#"(name: "r{i}", prefix: "Tag{i}", next_hop: Internet),"#))
            .collect();
        let e = refusal(&routes.join("\n"), &tags.join(", "));
        assert!(
            e.contains("more than 25 routes naming a service tag"),
            "{e}"
        );
        let ok_tags = tags.get(..25).unwrap_or_default().join(", ");
        let ok_routes = routes.get(..25).unwrap_or_default().join("\n");
        let ron = format!(
            r#"Scenario(
            vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"],
                subnets: [(name: "app", prefix: "10.0.1.0/24", route_table: "rt")])],
            service_tags: [{ok_tags}],
            route_tables: [(name: "rt", routes: [{ok_routes}])],
        )"#
        );
        assert!(crate::load_str("ok.ron", &ron).is_ok());
    }

    #[test]
    fn a_malformed_address_prefix_is_still_refused_as_a_prefix() {
        let e = refusal(
            r#"                (name: "bad", prefix: "10.0.0.300/24", next_hop: Internet),"#,
            "",
        );
        assert!(e.contains("10.0.0.300/24"), "{e}");
        assert!(!e.contains("service tag"), "{e}");
    }
}
