//! Estate-wide questions: every case is checked (each pair traced, each subnet's table read),
//! and a failure lists the counterexamples, the first few with their answers.

use super::answer::{Asked, Case, Evidence, Problem, QuestionResult};
use super::check::{result, routes_problems, trace_problems};
use crate::dataplane::DataPlane;
use crate::model::{Network, NicRef, Question, QuestionKind, TraceSource};
use crate::query::routes;
use crate::scenario::DEFAULT_SOURCE_PORT;
use crate::trace::{trace_to, Probe};

/// How many counterexamples keep their full answer in the report.
const SHOWN: usize = 3;

/// Checks an estate-wide question; `None` for any other kind.
pub(super) fn check(net: &Network, dp: &DataPlane, q: &Question) -> Option<QuestionResult> {
    let mut checked = 0;
    let mut problems = Vec::new();
    let mut shown = Vec::new();
    let mut fail = |case: Case, found: Vec<Problem>, evidence: Evidence| {
        if shown.len() < SHOWN {
            shown.push((case.clone(), evidence));
        }
        problems.push(Problem::Counterexample {
            case,
            problems: found,
        });
    };
    let question = match &q.kind {
        QuestionKind::ForAllTraces {
            from_set,
            to_set,
            from,
            to,
            protocol,
            port,
            expect,
        } => {
            for w in from {
                let source = net
                    .workloads
                    .get(*w)
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                for target in to.iter().filter(|t| t.nic != Some(NicRef::Workload(*w))) {
                    let request = Probe {
                        protocol: *protocol,
                        port: *port,
                        source_port: DEFAULT_SOURCE_PORT,
                        host: target.host.clone(),
                    };
                    let from = TraceSource::Workload(*w);
                    let answer = trace_to(net, dp, from, &target.to, request);
                    let Some(answer) = answer else { continue };
                    checked += 1;
                    let found = trace_problems(net, expect, &answer);
                    if !found.is_empty() {
                        let case = Case::Pair {
                            from: source.clone(),
                            to: target.name.clone(),
                        };
                        fail(case, found, Evidence::Trace(Box::new(answer)));
                    }
                }
            }
            Asked::ForAllTraces {
                from: from_set.clone(),
                to: to_set.clone(),
                protocol: *protocol,
                port: *port,
                verdict: expect.verdict,
                cases: checked,
            }
        }
        QuestionKind::ForAllRoutes { set, at, expect } => {
            for s in at {
                let Some(answer) = routes(net, dp, *s) else {
                    continue;
                };
                checked += 1;
                let found = routes_problems(expect, &answer.routes);
                if !found.is_empty() {
                    let case = Case::Subnet {
                        subnet: answer.subnet.clone(),
                    };
                    fail(case, found, Evidence::Routes(answer));
                }
            }
            Asked::ForAllRoutes {
                at: set.clone(),
                mode: expect.mode,
                rows: expect.rows.len(),
                cases: checked,
            }
        }
        _ => return None,
    };
    let failed = problems.len();
    let evidence = (failed > 0).then_some(Evidence::Counterexamples {
        checked,
        failed,
        shown,
    });
    Some(result(question, q.span, Some(problems), evidence))
}
