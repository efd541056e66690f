//! Diagnosis: the field checklist for "my app cannot reach the service", run in order on one
//! flow, with the first failing step named as the root cause.
//!
//! Engineers who debug private-endpoint connectivity check, in this order: what the name
//! resolves to from the client's network; whether the client's traffic enters the VNet at all
//! (App Service route-all); the next hop and the whole path; the NSGs on the way; the firewall's
//! decision and SNAT; the return path; the service's public-access setting; and the name used
//! against the certificate. Each step here is a reading of the trace's evidence, so the
//! diagnosis can never disagree with `trace`.

use std::net::IpAddr;

use serde::Serialize;

use super::flow::{self, FlowSpec};
use crate::dataplane::DataPlane;
use crate::dns::DnsOutcome;
use crate::model::{is_private, Network, NicRef};
use crate::trace::{Step, TraceAnswer, Verdict};

/// The checklist's steps, in the order they are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum CheckStep {
    /// What the name resolves to from the client's network, and why.
    NameResolution,
    /// Whether the client's traffic enters the VNet (App Service route-all).
    EntersVnet,
    /// The next hop and the whole path.
    Path,
    /// The NSGs on the way.
    Nsgs,
    /// The firewall's decision and SNAT.
    Firewall,
    /// The reply's way back.
    ReturnPath,
    /// The service's public network access.
    PublicAccess,
    /// The name used against the certificate.
    Certificate,
    /// Delivered, but through stateful devices or across regions.
    PathQuality,
}

impl CheckStep {
    /// The step as the checklist names it.
    pub fn title(self) -> &'static str {
        match self {
            CheckStep::NameResolution => "name resolution",
            CheckStep::EntersVnet => "traffic enters the VNet",
            CheckStep::Path => "next hop and path",
            CheckStep::Nsgs => "NSGs on the way",
            CheckStep::Firewall => "firewall decision and SNAT",
            CheckStep::ReturnPath => "return path",
            CheckStep::PublicAccess => "service public access",
            CheckStep::Certificate => "name used vs certificate",
            CheckStep::PathQuality => "path quality",
        }
    }
}

/// How a step came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Status {
    /// As it should be.
    Pass,
    /// Broken: this step explains the failure.
    Fail,
    /// Works, but is what the field reports as intermittent or slow.
    Warn,
    /// Does not apply to this flow.
    NotApplicable,
}

/// One step's outcome with its evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The step.
    pub step: CheckStep,
    /// Its outcome.
    pub status: Status,
    /// What the trace shows.
    pub evidence: String,
}

/// The checklist run on one flow.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnosis {
    /// The flow.
    pub flow: FlowSpec,
    /// The trace's verdict in a few words.
    pub verdict: String,
    /// What the client sees.
    pub symptom: String,
    /// Every step, in order.
    pub findings: Vec<Finding>,
    /// The first failing step (or, when the flow is delivered, the first warning).
    pub root_cause: Option<Finding>,
    /// The trace the findings read.
    pub trace: TraceAnswer,
}

impl Diagnosis {
    /// Whether the flow needs fixing: a failing step, or a delivered path the field reports as
    /// flaky.
    pub fn needs_fix(&self) -> bool {
        self.root_cause.is_some()
    }
}

/// Runs the checklist on `flow`; `None` when its client is not in `net`.
pub fn diagnose(net: &Network, dp: &DataPlane, flow: &FlowSpec) -> Option<Diagnosis> {
    let trace = flow::trace(net, dp, flow)?;
    let findings = vec![
        name_resolution(net, &trace),
        enters_vnet(&trace),
        path(&trace),
        nsgs(net, &trace),
        firewall(&trace),
        return_path(&trace),
        public_access(&trace),
        certificate(&trace),
        quality(&trace),
    ];
    let root_cause = findings
        .iter()
        .find(|f| f.status == Status::Fail)
        .or_else(|| findings.iter().find(|f| f.status == Status::Warn))
        .cloned();
    Some(Diagnosis {
        flow: flow.clone(),
        verdict: trace.verdict.describe(),
        symptom: trace.symptom.to_string(),
        findings,
        root_cause,
        trace,
    })
}

fn finding(step: CheckStep, status: Status, evidence: impl Into<String>) -> Finding {
    Finding {
        step,
        status,
        evidence: evidence.into(),
    }
}

fn delivered(v: &Verdict) -> bool {
    matches!(v, Verdict::Delivered)
}

fn name_resolution(net: &Network, t: &TraceAnswer) -> Finding {
    let step = CheckStep::NameResolution;
    let Some(r) = &t.resolution else {
        return finding(
            step,
            Status::NotApplicable,
            "the client connects to an address, not a name",
        );
    };
    let answered_by = r
        .steps
        .iter()
        .rev()
        .find_map(|s| match s {
            crate::dns::DnsStep::Address { source, .. } => Some(source.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "no record".into());
    let address = match &r.outcome {
        DnsOutcome::Resolved { addresses } => addresses.first().copied(),
        _ => None,
    };
    let Some(address) = address else {
        return finding(
            step,
            Status::Fail,
            format!(
                "`{}` does not resolve for {}: {:?}",
                r.name, r.client, r.outcome
            ),
        );
    };
    // A public answer is wrong when the service has a private endpoint here: the client was
    // meant to use it, and the public endpoint is usually closed.
    let service = net.services.iter().find(|s| s.fqdn == r.name);
    let endpoints: Vec<&str> = service
        .map(|s| {
            net.private_endpoints
                .iter()
                .filter(|p| {
                    p.service
                        .and_then(|id| net.services.get(id.0))
                        .is_some_and(|x| x.name == s.name)
                })
                .map(|p| p.name.as_str())
                .collect()
        })
        .unwrap_or_default();
    if !is_private(address) && !endpoints.is_empty() && !delivered(&t.verdict) {
        return finding(
            step,
            Status::Fail,
            format!(
                "`{}` resolves to the public address {address} for {} (answered by {answered_by}), though private endpoint {} serves it: no private zone linked to the client's VNet answers for it",
                r.name,
                r.client,
                endpoints.join(", ")
            ),
        );
    }
    let kind = if is_private(address) {
        "private"
    } else {
        "public"
    };
    finding(
        step,
        Status::Pass,
        format!(
            "`{}` resolves to {address} ({kind}), answered by {answered_by}",
            r.name
        ),
    )
}

fn enters_vnet(t: &TraceAnswer) -> Finding {
    let step = CheckStep::EntersVnet;
    let egress = t
        .forward
        .iter()
        .flat_map(|h| &h.steps)
        .find_map(|s| match s {
            Step::AppServiceEgress {
                app,
                route_all,
                into_vnet,
            } => Some((app, *route_all, *into_vnet)),
            _ => None,
        });
    match egress {
        None => finding(step, Status::NotApplicable, "the client is a NIC in the VNet"),
        Some((app, route_all, false)) if !delivered(&t.verdict) => finding(
            step,
            Status::Fail,
            format!("`{app}` has route-all {}: its traffic to {} leaves from the app's own outbound address, past the VNet's routes, NSGs and firewall", if route_all { "on" } else { "off" }, t.destination.map_or_else(|| "the name".to_string(), |d| d.to_string())),
        ),
        Some((app, _, into)) => finding(step, Status::Pass, format!("`{app}`'s traffic {} the VNet", if into { "enters" } else { "does not enter" })),
    }
}

fn path(t: &TraceAnswer) -> Finding {
    let step = CheckStep::Path;
    let hops: Vec<&str> = t.forward.iter().map(|h| h.nic.as_str()).collect();
    let broken = match &t.verdict {
        Verdict::NoRoute { .. }
        | Verdict::NoDestination { .. }
        | Verdict::InvalidNextHop { .. }
        | Verdict::PeeringBlocked { .. }
        | Verdict::Loop { .. }
        | Verdict::SentToOnPremises { .. } => true,
        Verdict::SentToInternet => t.destination.is_some_and(is_private),
        _ => false,
    };
    if t.forward.is_empty() {
        return finding(step, Status::NotApplicable, "no packet was sent");
    }
    if broken {
        return finding(
            step,
            Status::Fail,
            format!("{} after {}", t.verdict.describe(), hops.join(" -> ")),
        );
    }
    finding(
        step,
        Status::Pass,
        format!("{} hop(s): {}", hops.len(), hops.join(" -> ")),
    )
}

fn nsgs(net: &Network, t: &TraceAnswer) -> Finding {
    let step = CheckStep::Nsgs;
    if let Verdict::DroppedByNsg { nsg, rule, nic } = &t.verdict {
        let policy = match net.nic_by_name(nic) {
            Some(NicRef::PrivateEndpoint(p)) => net
                .private_endpoints
                .get(p.0)
                .and_then(|p| net.subnet(p.subnet))
                .map(|s| format!(" (a private endpoint: its subnet `{}` has privateEndpointNetworkPolicies {:?}, so the subnet's NSG applies to it)", s.name, s.private_endpoint_network_policies))
                .unwrap_or_default(),
            _ => String::new(),
        };
        return finding(
            step,
            Status::Fail,
            format!("rule `{rule}` of `{nsg}` denies the flow at `{nic}`{policy}"),
        );
    }
    let checked = t
        .forward
        .iter()
        .chain(&t.reply)
        .flat_map(|h| &h.steps)
        .filter(|s| matches!(s, Step::InboundNsgs(_) | Step::OutboundNsgs(_)))
        .count();
    if checked == 0 {
        finding(step, Status::NotApplicable, "no NSG was evaluated")
    } else {
        finding(
            step,
            Status::Pass,
            format!("{checked} NSG evaluation(s), all allow"),
        )
    }
}

fn firewall(t: &TraceAnswer) -> Finding {
    let step = CheckStep::Firewall;
    if let Verdict::DroppedByFirewall { .. } = &t.verdict {
        return finding(step, Status::Fail, t.verdict.describe());
    }
    let decisions = t
        .forward
        .iter()
        .flat_map(|h| &h.steps)
        .filter(|s| matches!(s, Step::Firewall(_)))
        .count();
    let snat: Vec<String> = t
        .forward
        .iter()
        .flat_map(|h| &h.steps)
        .filter_map(|s| match s {
            Step::Snat { from, to } => Some(format!("{from} -> {to}")),
            _ => None,
        })
        .collect();
    match (decisions, snat.is_empty()) {
        (0, true) => finding(step, Status::NotApplicable, "no firewall on the path"),
        (n, true) => finding(
            step,
            Status::Pass,
            format!("{n} firewall decision(s) allow, no SNAT"),
        ),
        (n, false) => finding(
            step,
            Status::Pass,
            format!("{n} firewall decision(s) allow; SNAT {}", snat.join(", ")),
        ),
    }
}

fn return_path(t: &TraceAnswer) -> Finding {
    let step = CheckStep::ReturnPath;
    match &t.verdict {
        Verdict::AsymmetricReturnDropped { .. } | Verdict::ReplyDropped { .. } => {
            finding(step, Status::Fail, t.verdict.describe())
        }
        _ if t.reply.is_empty() => finding(step, Status::NotApplicable, "no reply was sent"),
        _ => finding(
            step,
            Status::Pass,
            format!("the reply comes back over {} hop(s)", t.reply.len()),
        ),
    }
}

fn public_access(t: &TraceAnswer) -> Finding {
    let step = CheckStep::PublicAccess;
    match &t.verdict {
        Verdict::PublicAccessDisabled { .. } | Verdict::ServiceFirewallDenied { .. } => {
            finding(step, Status::Fail, t.verdict.describe())
        }
        Verdict::DeliveredPublicly { service } => finding(
            step,
            Status::Warn,
            format!("`{service}` answered on its public endpoint, not a private one"),
        ),
        _ => finding(
            step,
            Status::NotApplicable,
            "the public endpoint is not on the path",
        ),
    }
}

fn certificate(t: &TraceAnswer) -> Finding {
    let step = CheckStep::Certificate;
    match &t.verdict {
        Verdict::TlsNameMismatch { name, certificate } => finding(
            step,
            Status::Fail,
            format!("the client asks for `{name}`, which the certificate ({}) does not cover: call the service by its own FQDN", certificate.join(", ")),
        ),
        _ => finding(step, Status::Pass, "the name matches the certificate, or none is checked"),
    }
}

fn quality(t: &TraceAnswer) -> Finding {
    let step = CheckStep::PathQuality;
    let q = &t.quality;
    if !delivered(&t.verdict) {
        return finding(step, Status::NotApplicable, "not delivered");
    }
    if q.regions.len() > 1 || !q.stateful_devices.is_empty() {
        let private: Option<IpAddr> = t.destination.filter(|a| is_private(*a));
        return finding(
            step,
            Status::Warn,
            format!(
                "delivered to {} across {} region(s) ({}) through {} stateful device(s) ({}): the shape of path the field reports as intermittent",
                private.map_or("the service".to_string(), |a| a.to_string()),
                q.regions.len(),
                q.regions.join(" -> "),
                q.stateful_devices.len(),
                q.stateful_devices.join(", ")
            ),
        );
    }
    finding(
        step,
        Status::Pass,
        format!("{} hop(s) in {}", q.hops, q.regions.join(", ")),
    )
}
