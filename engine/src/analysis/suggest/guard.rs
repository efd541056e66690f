//! The regression guard: which of the scenario's questions a fix may change (those that state
//! the diagnosed flow's failure, and the same client's failures it now delivers), and which
//! changes are regressions.

use std::net::IpAddr;

use super::super::diagnose::Diagnosis;
use super::super::flow::FlowSpec;
use crate::model::NicRef;
use crate::query::{CheckReport, Evidence, Outcome};
use crate::scenario::{Document, QuestionDoc};
use crate::trace::Verdict;
use crate::Loaded;

/// What identifies "this flow" among the scenario's questions.
pub(super) struct Context {
    client_vnet: Option<String>,
    client_ip: Option<IpAddr>,
    destination: IpAddr,
    destination_nic: Option<String>,
}

impl Context {
    pub(super) fn of(loaded: &Loaded, flow: &FlowSpec, d: &Diagnosis) -> Self {
        let net = &loaded.network;
        let client = match net.nic_by_name(&flow.from) {
            Some(NicRef::Workload(w)) => net.workloads.get(w.0),
            _ => None,
        };
        Context {
            client_vnet: client
                .and_then(|w| net.subnet(w.subnet))
                .and_then(|s| net.vnet(s.vnet))
                .map(|v| v.name.clone()),
            client_ip: client.map(|w| w.ip),
            destination: d.trace.request.destination,
            destination_nic: d.trace.forward.last().map(|h| h.nic.clone()),
        }
    }

    /// Whether question `q` asks about the diagnosed flow itself (it states the failure, so it
    /// is expected to change).
    fn about_flow(&self, q: &QuestionDoc, flow: &FlowSpec) -> bool {
        let dest = self.destination.to_string();
        match q {
            QuestionDoc::Trace { from, to, .. } => {
                from.value == flow.from && (to.value == flow.to || to.value == dest)
            }
            QuestionDoc::Resolve { from, name, .. } => {
                name.value == flow.to
                    && (from.value == flow.from || Some(&from.value) == self.client_vnet.as_ref())
            }
            QuestionDoc::FlowVerify { at, remote, .. } => {
                Some(&at.value) == self.destination_nic.as_ref()
                    && remote.value.parse().ok() == self.client_ip
            }
            QuestionDoc::NextHop { from, to, .. } => from.value == flow.from && to.value == dest,
            _ => false,
        }
    }
}

/// Questions that passed before and fail after (regressions), and those that changed but state
/// the diagnosed flow itself.
pub(super) fn compare(
    doc: &Document,
    before: &CheckReport,
    after: &CheckReport,
    ctx: &Context,
    flow: &FlowSpec,
) -> (Vec<String>, Vec<String>) {
    let mut broken = Vec::new();
    let mut also = Vec::new();
    for ((b, a), q) in before
        .results
        .iter()
        .zip(&after.results)
        .zip(&doc.questions)
    {
        let was = matches!(b.outcome, Outcome::Pass);
        let now = matches!(a.outcome, Outcome::Pass);
        if !was || now {
            continue;
        }
        // Only the questions that state the diagnosed flow's failure may change, and the same
        // client's other failures that the fix now delivers; any other question whose answer
        // moves (another client's deny that now delivers included) is a regression.
        let same_client = matches!(q, QuestionDoc::Trace { from, .. } if from.value == flow.from);
        let now_delivers = matches!(&a.evidence, Some(Evidence::Trace(t)) if matches!(t.verdict, Verdict::Delivered | Verdict::DeliveredPublicly { .. }));
        if ctx.about_flow(q, flow) || (same_client && now_delivers) {
            also.push(a.question.clone());
        } else {
            broken.push(a.question.clone());
        }
    }
    (broken, also)
}
