//! Estate-wide questions: every case is checked (each pair traced, each subnet's table read),
//! and a failure lists the counterexamples, the first few with their answers.

use super::check::{
    describe_routes, result, routes_problems, trace_problems, Evidence, Problem, QuestionResult,
};
use super::routes;
use crate::dataplane::DataPlane;
use crate::model::{Network, NicRef, Question, QuestionKind, TraceSource};
use crate::trace::{trace_to, Probe};

/// How many counterexamples keep their full answer in the report.
const SHOWN: usize = 3;

/// Checks an estate-wide question.
pub(super) fn check(net: &Network, dp: &DataPlane, q: &Question) -> QuestionResult {
    let mut checked = 0;
    let mut problems = Vec::new();
    let mut shown = Vec::new();
    let mut fail = |case: String, found: Vec<Problem>, evidence: Evidence| {
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
            sets,
            from,
            to,
            protocol,
            port,
            expect,
        } => {
            for w in from {
                let source = net
                    .workloads
                    .get(w.0)
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                for target in to.iter().filter(|t| t.nic != Some(NicRef::Workload(*w))) {
                    let request = Probe {
                        protocol: *protocol,
                        port: *port,
                        source_port: 50000,
                        host: target.host.clone(),
                    };
                    let from = TraceSource::Workload(*w);
                    let answer = trace_to(net, dp, from, &target.to, request);
                    let Some(answer) = answer else { continue };
                    checked += 1;
                    let found = trace_problems(expect, &answer);
                    if !found.is_empty() {
                        let case = format!("`{source}` -> `{}`", target.name);
                        fail(case, found, Evidence::Trace(Box::new(answer)));
                    }
                }
            }
            format!(
                "for all traces {protocol:?} port {port} {sets}: {:?}",
                expect.verdict
            )
        }
        QuestionKind::ForAllRoutes { set, at, expect } => {
            for s in at {
                let Some(answer) = routes(net, dp, *s) else {
                    continue;
                };
                checked += 1;
                let found = routes_problems(expect, &answer.routes);
                if !found.is_empty() {
                    let case = format!("`{}`", answer.subnet);
                    fail(case, found, Evidence::Routes(answer));
                }
            }
            format!("for {set}, routes {}", describe_routes(expect))
        }
        _ => String::new(),
    };
    let failed = problems.len();
    let question = format!("{question} ({checked} case(s))");
    let evidence = (failed > 0).then_some(Evidence::Counterexamples {
        checked,
        failed,
        shown,
    });
    result(question, q.span, Some(problems), evidence)
}
