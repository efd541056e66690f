//! Estate-wide questions: the named sets they quantify over, resolved to the objects they select.

use super::Resolver;
use crate::model::*;

/// The most cases (source–destination pairs, or subnets) the estate-wide questions of one
/// scenario may check together, so that a broad pattern fails at load instead of running for
/// hours: each trace pair costs a full trace.
pub const MAX_FORALL_CASES: usize = 20_000;
use crate::scenario::{self as doc, SetDoc, Span, Text};

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return true;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = rest.get(i + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Where a set is written: its first pattern (a set with no pattern has no position).
fn set_text(set: &SetDoc) -> Option<&Text> {
    let (a, b) = match set {
        SetDoc::Workloads { vnet, name }
        | SetDoc::Subnets { vnet, name }
        | SetDoc::PrivateEndpoints { vnet, name } => (vnet.as_ref(), name.as_ref()),
        SetDoc::Services { name } => (None, name.as_ref()),
    };
    a.or(b)
}

/// Where a set is written, for reporting it.
pub(super) fn set_span(set: &SetDoc) -> Span {
    set_text(set).map(|t| t.span).unwrap_or_default()
}

/// Where an estate-wide question is written: the first position among its sets' patterns and
/// its expectation's names, prefixes and addresses.
pub(super) fn question_span(q: &doc::QuestionDoc) -> Span {
    let texts: Vec<&Text> = match q {
        doc::QuestionDoc::ForAllTraces {
            from, to, expect, ..
        } => set_text(from)
            .into_iter()
            .chain(set_text(to))
            .chain(&expect.via)
            .chain(&expect.not_via)
            .chain(expect.regions.iter().flatten())
            .collect(),
        doc::QuestionDoc::ForAllRoutes { at, expect } => {
            let (doc::RoutesExpectDoc::Contains(rows)
            | doc::RoutesExpectDoc::Excludes(rows)
            | doc::RoutesExpectDoc::Exactly(rows)) = expect;
            set_text(at)
                .into_iter()
                .chain(
                    rows.iter()
                        .flat_map(|r| r.prefix.iter().chain(&r.next_hop_ip)),
                )
                .collect()
        }
        _ => Vec::new(),
    };
    texts
        .into_iter()
        .map(|t| t.span)
        .filter(|s| *s != Span::default())
        .min()
        .unwrap_or_default()
}

fn matches(pattern: Option<&Text>, value: &str) -> bool {
    pattern.is_none_or(|p| glob(&p.value, value))
}

/// A set as written, for the answer.
fn pattern(set: &SetDoc) -> SetPattern {
    let text = |t: &Option<Text>| t.as_ref().map(|t| t.value.clone());
    let (kind, vnet, name) = match set {
        SetDoc::Workloads { vnet, name } => (SetKind::Workloads, text(vnet), text(name)),
        SetDoc::Subnets { vnet, name } => (SetKind::Subnets, text(vnet), text(name)),
        SetDoc::PrivateEndpoints { vnet, name } => {
            (SetKind::PrivateEndpoints, text(vnet), text(name))
        }
        SetDoc::Services { name } => (SetKind::Services, None, text(name)),
    };
    SetPattern { kind, vnet, name }
}

fn describe(set: &SetDoc) -> String {
    let filter = |vnet: &Option<Text>, name: &Option<Text>| {
        let mut parts = Vec::new();
        if let Some(v) = vnet {
            parts.push(format!("in vnet `{}`", v.value));
        }
        if let Some(n) = name {
            parts.push(format!("named `{}`", n.value));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" {}", parts.join(" "))
        }
    };
    match set {
        SetDoc::Workloads { vnet, name } => format!("every workload{}", filter(vnet, name)),
        SetDoc::Subnets { vnet, name } => format!("every subnet{}", filter(vnet, name)),
        SetDoc::PrivateEndpoints { vnet, name } => {
            format!("every private endpoint{}", filter(vnet, name))
        }
        SetDoc::Services { name } => format!("every service{}", filter(&None, name)),
    }
}

impl Resolver {
    fn vnet_of(&self, subnet: SubnetId) -> &str {
        self.net
            .subnet(subnet)
            .and_then(|s| self.net.vnet(s.vnet))
            .map_or("", |v| v.name.as_str())
    }

    fn workloads_in(&self, vnet: Option<&Text>, name: Option<&Text>) -> Vec<WorkloadId> {
        (0..self.net.workloads.len())
            .map(WorkloadId)
            .filter(|w| {
                self.net.workloads.get(*w).is_some_and(|x| {
                    matches(vnet, self.vnet_of(x.subnet)) && matches(name, &x.name)
                })
            })
            .collect()
    }

    /// The destinations a set stands for.
    fn targets(&mut self, set: &SetDoc) -> Vec<ForAllTarget> {
        match set {
            SetDoc::Workloads { vnet, name } => self
                .workloads_in(vnet.as_ref(), name.as_ref())
                .into_iter()
                .filter_map(|w| {
                    let x = self.net.workloads.get(w)?;
                    Some(ForAllTarget {
                        name: x.name.clone(),
                        to: TraceTarget::Address(x.ip),
                        host: None,
                        nic: Some(NicRef::Workload(w)),
                    })
                })
                .collect(),
            SetDoc::PrivateEndpoints { vnet, name } => self
                .net
                .private_endpoints
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    matches(vnet.as_ref(), self.vnet_of(p.subnet))
                        && matches(name.as_ref(), &p.name)
                })
                .map(|(i, p)| ForAllTarget {
                    name: p.name.clone(),
                    to: TraceTarget::Address(p.ip),
                    host: p
                        .service
                        .and_then(|s| self.net.services.get(s))
                        .map(|s| s.fqdn.clone()),
                    nic: Some(NicRef::PrivateEndpoint(PrivateEndpointId(i))),
                })
                .collect(),
            SetDoc::Services { name } => self
                .net
                .services
                .iter()
                .filter(|s| matches(name.as_ref(), &s.name))
                .map(|s| ForAllTarget {
                    name: s.name.clone(),
                    to: TraceTarget::Name(s.fqdn.clone()),
                    host: None,
                    nic: None,
                })
                .collect(),
            SetDoc::Subnets { .. } => {
                self.error(
                    set_span(set),
                    "subnets cannot be trace destinations".into(),
                    Some("use `Workloads`, `PrivateEndpoints` or `Services`".into()),
                );
                Vec::new()
            }
        }
    }

    fn empty(&mut self, set: &SetDoc) {
        self.warn(
            set_span(set),
            format!(
                "{} selects nothing, so the question holds trivially",
                describe(set)
            ),
            Some("check the `vnet` and `name` patterns (`*` matches any run of characters)".into()),
        );
    }

    /// Counts `cases` more estate-wide cases; past [`MAX_FORALL_CASES`] in the file, refuses
    /// the question that crosses the bound.
    fn within_forall_bound(&mut self, cases: usize, span: Span) -> bool {
        let total = self.forall_cases.saturating_add(cases);
        if total > MAX_FORALL_CASES {
            self.error(
                span,
                format!(
                    "the estate-wide questions check {total} cases (pairs or subnets) up to here, more than the {MAX_FORALL_CASES} a scenario may check"
                ),
                Some("narrow the `vnet` and `name` patterns, or split the question across scenarios".into()),
            );
            return false;
        }
        self.forall_cases = total;
        true
    }

    /// An estate-wide question.
    pub(super) fn for_all(&mut self, q: &doc::QuestionDoc, span: Span) -> Option<Question> {
        match q {
            doc::QuestionDoc::ForAllTraces {
                from,
                to,
                port,
                protocol,
                expect,
            } => self.for_all_traces(from, to, *port, *protocol, expect, span),
            doc::QuestionDoc::ForAllRoutes { at, expect } => self.for_all_routes(at, expect, span),
            _ => None,
        }
    }

    /// Every workload of `from` traced to every target of `to`.
    fn for_all_traces(
        &mut self,
        from: &SetDoc,
        to: &SetDoc,
        port: u16,
        protocol: FlowProtocol,
        expect: &doc::TraceExpectDoc,
        span: Span,
    ) -> Option<Question> {
        let sources = match from {
            SetDoc::Workloads { vnet, name } => self.workloads_in(vnet.as_ref(), name.as_ref()),
            _ => {
                self.error(
                    set_span(from),
                    "traces start from workloads".into(),
                    Some("write `from: Workloads(…)`".into()),
                );
                return None;
            }
        };
        let targets = self.targets(to);
        if sources.is_empty() {
            self.empty(from);
        }
        if targets.is_empty() {
            self.empty(to);
        }
        let expect = self.trace_expect(expect)?;
        let cases = sources.len().saturating_mul(targets.len());
        if !self.within_forall_bound(cases, span) {
            return None;
        }
        Some(Question {
            kind: QuestionKind::ForAllTraces {
                from_set: pattern(from),
                to_set: pattern(to),
                from: sources,
                to: targets,
                protocol,
                port,
                expect,
            },
            span,
        })
    }

    /// The effective routes of every subnet of `at` (hubs have none of their own).
    fn for_all_routes(
        &mut self,
        at: &SetDoc,
        expect: &doc::RoutesExpectDoc,
        span: Span,
    ) -> Option<Question> {
        let subnets: Vec<SubnetId> = match at {
            SetDoc::Subnets { vnet, name } => (0..self.net.subnets.len())
                .map(SubnetId)
                .filter(|s| {
                    self.net.subnet(*s).is_some_and(|x| {
                        matches(vnet.as_ref(), self.vnet_of(*s))
                            && matches(name.as_ref(), &x.name)
                            && self.net.vnet(x.vnet).is_some_and(|v| v.hub.is_none())
                    })
                })
                .collect(),
            _ => {
                self.error(
                    set_span(at),
                    "effective routes belong to subnets".into(),
                    Some("write `at: Subnets(…)`".into()),
                );
                return None;
            }
        };
        if subnets.is_empty() {
            self.empty(at);
        }
        let expect = self.routes_expect(expect, span)?;
        if !self.within_forall_bound(subnets.len(), span) {
            return None;
        }
        Some(Question {
            kind: QuestionKind::ForAllRoutes {
                set: pattern(at),
                at: subnets,
                expect,
            },
            span,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn stars_match_any_run_of_characters() {
        assert!(glob("spoke-*", "spoke-a"));
        assert!(glob("*", ""));
        assert!(glob("*-app", "spoke-a-app"));
        assert!(glob("s*e*a", "spoke-a"));
        assert!(!glob("spoke-*", "hub"));
        assert!(!glob("*-db", "spoke-app"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
        assert!(!glob("a*a", "a"));
    }
}
