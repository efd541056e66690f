//! The regression guard: which of the scenario's questions a fix may change (those that state
//! the diagnosed flow's failure, and the same client's failures it now delivers), and which
//! changes are regressions. Questions are read in resolved form and compared by the base
//! network's ids.

use std::net::IpAddr;

use super::super::diagnose::Diagnosis;
use super::super::flow::{self, FlowSpec};
use crate::dns::Resolver;
use crate::expect::{Asked, CheckReport, Evidence, Outcome};
use crate::model::{
    NicRef, Place, Question, QuestionKind, TraceSource, TraceTarget, VnetId, WorkloadId,
};
use crate::trace::Verdict;
use crate::Loaded;

/// What identifies "this flow" among the scenario's questions.
pub(super) struct Context {
    source: Option<TraceSource>,
    client: Option<WorkloadId>,
    client_vnet: Option<VnetId>,
    client_ip: Option<IpAddr>,
    target: TraceTarget,
    destination: Option<IpAddr>,
    destination_nic: Option<NicRef>,
    /// The ports of API Management's required inbound traffic, when its NSG cuts it off (a
    /// question about that traffic at the instance states the diagnosed failure).
    apim_ports: Vec<u16>,
}

impl Context {
    pub(super) fn of(loaded: &Loaded, flow: &FlowSpec, d: &Diagnosis) -> Self {
        let net = &loaded.network;
        let source = flow::source(net, &flow.from);
        let client = match source {
            Some(TraceSource::Workload(w)) => Some(w),
            _ => None,
        };
        let workload = client.and_then(|w| net.workloads.get(w));
        Context {
            source,
            client,
            client_vnet: workload.and_then(|w| net.subnet(w.subnet)).map(|s| s.vnet),
            client_ip: workload.map(|w| w.ip),
            target: TraceTarget::parse(&flow.to),
            destination: d.trace.destination,
            destination_nic: d.trace.forward.last().and_then(|h| h.at),
            apim_ports: match &d.trace.verdict {
                Verdict::ServiceUnhealthy { .. } => crate::trace::ApimRequirement::ALL
                    .iter()
                    .map(|r| r.port())
                    .collect(),
                _ => Vec::new(),
            },
        }
    }

    /// Whether `to` is the flow's destination: the same name (DNS names are case-insensitive)
    /// or the address it reached.
    fn same_target(&self, to: &TraceTarget) -> bool {
        match (to, &self.target) {
            (TraceTarget::Name(a), TraceTarget::Name(b)) => same_name(a, b),
            (TraceTarget::Address(a), _) if Some(*a) == self.destination => true,
            (a, b) => a == b,
        }
    }

    /// Whether question `q` asks about the diagnosed flow itself (it states the failure, so it
    /// is expected to change).
    fn about_flow(&self, q: &Question) -> bool {
        match &q.kind {
            QuestionKind::Trace { from, to, .. } => {
                Some(*from) == self.source && self.same_target(to)
            }
            QuestionKind::Resolve { from, name, .. } => {
                let client = match from {
                    Resolver::Workload(w) => Some(*w) == self.client,
                    Resolver::Vnet(v) => Some(*v) == self.client_vnet,
                    Resolver::Internet => false,
                };
                client && matches!(&self.target, TraceTarget::Name(n) if same_name(n, name))
            }
            QuestionKind::FlowVerify { nic, remote, .. } => {
                Some(*nic) == self.destination_nic
                    && (Some(remote.address) == self.client_ip
                        || self.apim_ports.contains(&remote.port))
            }
            QuestionKind::NextHop { from, to, .. } => {
                self.client.map(Place::Workload) == Some(*from) && Some(*to) == self.destination
            }
            _ => false,
        }
    }

    /// Whether `q` is a resolution asked by the client or in its VNet (a DNS fix there changes
    /// its answers by design).
    fn resolves_like_client(&self, q: &Question) -> bool {
        match &q.kind {
            QuestionKind::Resolve { from, .. } => match from {
                Resolver::Workload(w) => Some(*w) == self.client,
                Resolver::Vnet(v) => Some(*v) == self.client_vnet,
                Resolver::Internet => false,
            },
            _ => false,
        }
    }

    /// Whether `q` is a trace from the same client.
    fn same_client(&self, q: &Question) -> bool {
        matches!(&q.kind, QuestionKind::Trace { from, .. } if Some(*from) == self.source)
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// Questions (of the base network, `questions`) that passed before and fail after
/// (regressions), and those that changed but state the diagnosed flow itself.
pub(super) fn compare(
    questions: &[Question],
    before: &CheckReport,
    after: &CheckReport,
    ctx: &Context,
    dns_fix: bool,
) -> (Vec<Asked>, Vec<Asked>) {
    let mut broken = Vec::new();
    let mut also = Vec::new();
    for ((b, a), q) in before.results.iter().zip(&after.results).zip(questions) {
        let was = matches!(b.outcome, Outcome::Pass);
        let now = matches!(a.outcome, Outcome::Pass);
        if !was || now {
            continue;
        }
        // Only the questions that state the diagnosed flow's failure may change, and the same
        // client's other failures that the fix now delivers; any other question whose answer
        // moves (another client's deny that now delivers included) is a regression.
        let now_delivers = matches!(&a.evidence, Some(Evidence::Trace(t)) if matches!(t.verdict, Verdict::Delivered | Verdict::DeliveredPublicly { .. }));
        // A DNS fix (a zone linked, created or re-linked) opens no rule: another client's
        // failure it turns into a private delivery is a change it makes, listed with the fix,
        // not an intended deny undone.
        let now_private =
            matches!(&a.evidence, Some(Evidence::Trace(t)) if t.verdict == Verdict::Delivered);
        if ctx.about_flow(q)
            || (ctx.same_client(q) && now_delivers)
            || (dns_fix && (now_private || ctx.resolves_like_client(q)))
        {
            also.push(a.question.clone());
        } else {
            broken.push(a.question.clone());
        }
    }
    (broken, also)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow};
    use super::*;

    #[test]
    fn the_questions_about_the_flow_are_its_trace_and_its_clients_resolution_only() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/dns/zone-linked-to-the-hub-only.ron");
        let loaded = crate::load_file(&path).unwrap();
        let f = flow("vm-app", "Contoso-AOAI.openai.azure.com.");
        let d = diagnosis(&loaded, &f);
        let ctx = Context::of(&loaded, &f, &d);
        let about: Vec<bool> = loaded
            .network
            .questions
            .iter()
            .map(|q| ctx.about_flow(q))
            .collect();
        // Resolve from hub, Resolve from spoke-app, Trace from vm-ops, Trace from vm-app,
        // Trace from vm-fixed.
        assert_eq!(about, [false, true, false, true, false]);
        let same: Vec<bool> = loaded
            .network
            .questions
            .iter()
            .map(|q| ctx.same_client(q))
            .collect();
        assert_eq!(same, [false, false, false, true, false]);
    }
}
