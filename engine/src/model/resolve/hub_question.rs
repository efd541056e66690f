//! `Routes(at: "<hub>[/<route table>|/<firewall>]")`: the hub table named, and each expected row
//! in the columns of `az network vhub get-effective-routes` (prefix, next hop type, next hop,
//! origin). Subnet columns (`source`, `state`, `next_hop`, `next_hop_ip`) are refused in a hub
//! row, and hub columns in a subnet row, so no row checks a column its table does not have.

use super::Resolver;
use crate::diag::unknown_name_hint;
use crate::model::*;
use crate::scenario::{self as doc, Span, Text};

impl Resolver {
    /// Whether `at` is not a subnet or workload but starts with a virtual hub's name.
    pub(super) fn names_hub(&self, at: &Text) -> bool {
        let hub_name = at
            .value
            .split_once('/')
            .map_or(at.value.as_str(), |(h, _)| h);
        self.net.place_by_name(&at.value).is_none()
            && self
                .net
                .virtual_hubs
                .position(|h| h.name == hub_name)
                .is_some()
    }

    /// The hub table `at` names, when its first segment is a virtual hub's name; `None` (with
    /// no error) when it names no hub, so `at` is looked up as a subnet or workload.
    pub(super) fn question_hub_table(&mut self, at: &Text) -> Option<Option<HubTableRef>> {
        let (hub_name, table) = match at.value.split_once('/') {
            Some((h, t)) => (h, Some(t)),
            None => (at.value.as_str(), None),
        };
        let hub = self.net.virtual_hubs.position(|h| h.name == hub_name)?;
        let h = self.net.hub(hub)?;
        let Some(table) = table else {
            return Some(Some(HubTableRef::Table { hub, index: 0 }));
        };
        if let Some(index) = h.tables.iter().position(|x| x.name == table) {
            return Some(Some(HubTableRef::Table { hub, index }));
        }
        let firewall = h.firewall.and_then(|f| self.net.firewalls.get(f));
        if firewall.is_some_and(|f| f.name == table) {
            return Some(Some(HubTableRef::Firewall { hub }));
        }
        let mut names: Vec<String> = h.tables.iter().map(|t| t.name.clone()).collect();
        names.extend(firewall.map(|f| f.name.to_string()));
        let hint = unknown_name_hint(
            table,
            names.iter().map(String::as_str),
            "route table or firewall of this hub",
        );
        let message = format!("virtual hub `{hub_name}` has no route table or firewall `{table}`");
        self.error(at.span, message, Some(hint));
        Some(None)
    }

    /// A hub routes question; `None` after an error.
    pub(super) fn hub_routes_question(
        &mut self,
        at: HubTableRef,
        expect: &doc::RoutesExpectDoc,
        span: Span,
    ) -> Option<Question> {
        let (mode, rows) = self.routes_mode(expect, span)?;
        let rows: Vec<Option<HubRowExpect>> = rows.iter().map(|r| self.hub_row(r, span)).collect();
        let rows = rows.into_iter().collect::<Option<Vec<_>>>()?;
        Some(Question {
            kind: QuestionKind::HubRoutes {
                at,
                expect: HubRoutesExpect { mode, rows },
            },
            span,
        })
    }

    fn hub_row(&mut self, row: &doc::RouteRowDoc, at: Span) -> Option<HubRowExpect> {
        let subnet_columns = [
            ("source", row.source.is_some()),
            ("state", row.state.is_some()),
            ("next_hop", row.next_hop.is_some()),
            ("next_hop_ip", row.next_hop_ip.is_some()),
        ];
        if let Some((column, _)) = subnet_columns.iter().find(|(_, given)| *given) {
            let span = row.prefix.as_ref().map_or(at, |p| p.span);
            self.error(
                span,
                format!("`{column}` is a column of a subnet's effective routes, not of a hub's"),
                Some(
                    "a hub row has `prefix`, `next_hop_type`, `next_hop_name` and `origin`".into(),
                ),
            );
            return None;
        }
        let prefix = match &row.prefix {
            Some(p) => Some(self.prefix(p, "expected prefix")?),
            None => None,
        };
        let next_hop_type = match &row.next_hop_type {
            Some(t) => {
                let Some(parsed) = HubHopType::parse(&t.value) else {
                    let hint = unknown_name_hint(
                        &t.value,
                        HubHopType::ALL.iter().map(|(name, _)| *name),
                        "hub next hop type",
                    );
                    self.error(
                        t.span,
                        format!(
                            "`{}` is not a next hop type of hub effective routes",
                            t.value
                        ),
                        Some(hint),
                    );
                    return None;
                };
                Some(parsed)
            }
            None => None,
        };
        Some(HubRowExpect {
            prefix,
            next_hop_type,
            next_hop: row.next_hop_name.as_ref().map(|t| t.value.clone()),
            origin: row.origin.as_ref().map(|t| t.value.clone()),
        })
    }

    /// Refuses hub columns in a subnet's row; `false` after an error.
    pub(super) fn no_hub_columns(&mut self, row: &doc::RouteRowDoc) -> bool {
        let hub_columns = [
            ("next_hop_type", &row.next_hop_type),
            ("next_hop_name", &row.next_hop_name),
            ("origin", &row.origin),
        ];
        match hub_columns
            .iter()
            .find_map(|(c, t)| t.as_ref().map(|t| (c, t)))
        {
            Some((column, text)) => {
                self.error(
                    text.span,
                    format!("`{column}` is a column of a virtual hub's effective routes, not of a subnet's"),
                    Some("use `next_hop` (and `next_hop_ip`) for a subnet's routes".into()),
                );
                false
            }
            None => true,
        }
    }
}
