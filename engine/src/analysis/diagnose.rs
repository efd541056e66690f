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
use super::Named;
use crate::dataplane::DataPlane;
use crate::dns::DnsOutcome;
use crate::model::{is_private, Network, NicRef, PrivateEndpointId, SubnetId};
use crate::scenario::PrivateEndpointNetworkPolicies;
use crate::trace::{ApimBlocked, Step, TraceAnswer, Verdict};

/// The checklist's steps, in the order they are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
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

/// How a step came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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

/// What the trace shows at one step, in Azure's terms; `report::diagnosis` says it in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "evidence")]
pub enum Evidence {
    /// The client connects to an address, not a name.
    ConnectsToAddress,
    /// The name does not resolve for the client.
    NameNotResolved {
        /// The name.
        name: String,
        /// Who resolved it.
        client: String,
        /// How resolution ended.
        outcome: DnsOutcome,
    },
    /// The name resolves to a public address though private endpoints of its service exist:
    /// no private zone linked to the client's VNet answers for it.
    PublicAnswerDespiteEndpoint {
        /// The name.
        name: String,
        /// Who resolved it.
        client: String,
        /// The public address.
        address: IpAddr,
        /// The record or server that answered (`None`: no record).
        answered_by: Option<String>,
        /// The service's private endpoints.
        endpoints: Vec<Named<PrivateEndpointId>>,
    },
    /// The name resolves.
    NameResolved {
        /// The name.
        name: String,
        /// The address the client uses.
        address: IpAddr,
        /// Whether it is a private address.
        private: bool,
        /// The record or server that answered (`None`: no record).
        answered_by: Option<String>,
    },
    /// The client is a NIC in the VNet (not an App Service app).
    ClientIsNic,
    /// An App Service app's traffic leaves from its own outbound address, past the VNet's
    /// routes, NSGs and firewall.
    BypassesVnet {
        /// The app.
        app: String,
        /// Its route-all setting.
        route_all: bool,
        /// The destination, when the name resolved.
        destination: Option<IpAddr>,
    },
    /// An App Service app's traffic and whether it enters the VNet.
    AppEgress {
        /// The app.
        app: String,
        /// Whether it enters.
        enters_vnet: bool,
    },
    /// No packet was sent.
    NoPacketSent,
    /// The path ends in the trace's verdict after these hops.
    PathBroken {
        /// How it ended.
        verdict: Verdict,
        /// The NICs passed.
        hops: Vec<String>,
    },
    /// The path's hops.
    Path {
        /// The NICs passed.
        hops: Vec<String>,
    },
    /// An NSG rule denies the flow.
    NsgDenies {
        /// The NSG.
        nsg: String,
        /// The rule.
        rule: String,
        /// Where.
        nic: String,
        /// When the NIC is a private endpoint: its subnet, whose network policies make the
        /// subnet's NSG apply to it.
        endpoint_subnet: Option<EndpointSubnet>,
    },
    /// No NSG was evaluated.
    NoNsgEvaluated,
    /// Every NSG evaluation allows.
    NsgsAllow {
        /// How many evaluations.
        evaluations: usize,
    },
    /// The trace's verdict is the step's failure.
    TraceVerdict {
        /// The verdict.
        verdict: Verdict,
    },
    /// No firewall on the path.
    NoFirewall,
    /// A firewall denies the flow: the rules that nearly matched and the row it logs.
    FirewallDenies {
        /// The trace's verdict.
        verdict: Verdict,
        /// Why no allow rule matched.
        explanation: Box<super::firewall_deny::DenyExplanation>,
    },
    /// Every firewall decision allows.
    FirewallsAllow {
        /// How many decisions.
        decisions: usize,
        /// Source translations, in order.
        snat: Vec<Translation>,
    },
    /// No reply was sent.
    NoReply,
    /// The reply comes back.
    ReplyReturns {
        /// Over this many hops.
        hops: usize,
    },
    /// The service answered on its public endpoint, not a private one.
    AnsweredPublicly {
        /// The service.
        service: String,
    },
    /// The public endpoint is not on the path.
    PublicEndpointNotOnPath,
    /// The name the client asks for is not in the certificate.
    NameNotInCertificate {
        /// The name.
        name: String,
        /// The names the certificate covers.
        certificate: Vec<String>,
    },
    /// The name matches the certificate, or none is checked.
    NameInCertificate,
    /// The flow is not delivered.
    NotDelivered,
    /// Delivered across regions or through stateful devices: the shape of path the field
    /// reports as intermittent.
    FragilePath {
        /// The private destination address (`None`: a service by name or public address).
        destination: Option<IpAddr>,
        /// Regions, in order.
        regions: Vec<String>,
        /// Stateful devices, in order.
        stateful_devices: Vec<String>,
    },
    /// API Management's subnet NSG denies the inbound traffic the service needs to work.
    ApimCutOff {
        /// The API Management instance.
        service: String,
        /// What is blocked, and by which rule.
        blocked: ApimBlocked,
    },
    /// API Management does not serve the host name the client asks for.
    HostNotServed {
        /// The API Management instance.
        service: String,
        /// The host asked for, or the address.
        name: String,
    },
    /// The packet left for a place azpath does not follow (the Internet, a service endpoint):
    /// the flow is not delivered to the destination it was meant for.
    LeftTheModel {
        /// How it ended.
        verdict: Verdict,
        /// The NICs passed.
        hops: Vec<String>,
    },
    /// Delivered in one region without stateful devices.
    CleanPath {
        /// Hops.
        hops: usize,
        /// Regions.
        regions: Vec<String>,
    },
    /// The client is outside Azure (on the Internet, or at an on-premises site): it enters at
    /// a public address or through a gateway, not from a NIC.
    ClientOutsideAzure,
}

/// A private endpoint's subnet and its network policies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EndpointSubnet {
    /// The subnet.
    pub subnet: Named<SubnetId>,
    /// Its `privateEndpointNetworkPolicies`.
    pub policies: PrivateEndpointNetworkPolicies,
}

/// A source address translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Translation {
    /// Before.
    pub from: IpAddr,
    /// After.
    pub to: IpAddr,
}

/// One step's outcome with its evidence.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// The step.
    pub step: CheckStep,
    /// Its outcome.
    pub status: Status,
    /// What the trace shows.
    pub evidence: Evidence,
}

/// The checklist run on one flow.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Diagnosis {
    /// The flow.
    pub flow: FlowSpec,
    /// The trace's verdict.
    pub verdict: Verdict,
    /// Every step, in order.
    pub findings: Vec<Finding>,
    /// The first failing step (or, when the flow is delivered, the first warning).
    pub root_cause: Option<Finding>,
    /// The trace the findings read (what the client sees is its symptom).
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
    let findings = ensure_failure(checklist(net, dp, &trace), &trace);
    let root_cause = findings
        .iter()
        .find(|f| f.status == Status::Fail)
        .or_else(|| findings.iter().find(|f| f.status == Status::Warn))
        .cloned();
    Some(Diagnosis {
        flow: flow.clone(),
        verdict: trace.verdict.clone(),
        findings,
        root_cause,
        trace,
    })
}

/// Every step of the checklist read from `trace`.
fn checklist(net: &Network, dp: &DataPlane, trace: &TraceAnswer) -> Vec<Finding> {
    // An intermittent failure is read where the refused addresses fail.
    if let Verdict::SnatAddressDecides { refusal, .. } = &trace.verdict {
        let mut refused = trace.clone();
        refused.verdict = (**refusal).clone();
        return checklist(net, dp, &refused);
    }
    vec![
        name_resolution(net, trace),
        enters_vnet(trace),
        path(trace),
        nsgs(net, trace),
        firewall(net, dp, trace),
        return_path(trace),
        public_access(trace),
        certificate(trace),
        quality(trace),
    ]
}

/// The checklist step at which a verdict shows, and how: every verdict but `Delivered` is a
/// failure somewhere (served publicly is a warning: it works, but not privately). One arm per
/// verdict and no catch-all, so a new verdict cannot be diagnosed as a working flow.
pub fn step_of(v: &Verdict) -> Option<(CheckStep, Status)> {
    let fail = |step| Some((step, Status::Fail));
    match v {
        Verdict::Delivered | Verdict::AnsweredByPlatform { .. } => None,
        Verdict::NameNotResolved { .. } => fail(CheckStep::NameResolution),
        Verdict::NoRoute { .. }
        | Verdict::NoDestination { .. }
        | Verdict::InvalidNextHop { .. }
        | Verdict::PeeringBlocked { .. }
        | Verdict::Loop { .. }
        | Verdict::SentToOnPremises { .. }
        | Verdict::SentToInternet
        | Verdict::SentToServiceEndpoint
        | Verdict::NotRoutedFromSite { .. }
        | Verdict::NoLoadBalancingRule { .. }
        | Verdict::NoHealthyBackend { .. }
        | Verdict::LoadBalancerHairpin { .. }
        | Verdict::NoOutboundAccess { .. }
        | Verdict::PublicIpClosed { .. } => fail(CheckStep::Path),
        Verdict::DroppedByNsg { .. }
        | Verdict::DroppedBySecurityAdminRule { .. }
        | Verdict::ServiceUnhealthy { .. } => fail(CheckStep::Nsgs),
        Verdict::DroppedByFirewall { .. } => fail(CheckStep::Firewall),
        Verdict::AsymmetricReturnDropped { .. } | Verdict::ReplyDropped { .. } => {
            fail(CheckStep::ReturnPath)
        }
        Verdict::PublicAccessDisabled { .. } | Verdict::ServiceFirewallDenied { .. } => {
            fail(CheckStep::PublicAccess)
        }
        Verdict::DeliveredPublicly { .. } => Some((CheckStep::PublicAccess, Status::Warn)),
        Verdict::TlsNameMismatch { .. }
        | Verdict::HostNotServed { .. }
        | Verdict::PortNotServed { .. }
        | Verdict::SecureTransferRequired { .. } => fail(CheckStep::Certificate),
        // Intermittent: it fails where the refused addresses fail.
        Verdict::SnatAddressDecides { refusal, .. } => step_of(refusal),
    }
}

/// The findings with the verdict's own step failed when no step reads the failure (a guard:
/// every step function reads its verdicts, and a test checks they agree with [`step_of`]).
fn ensure_failure(mut findings: Vec<Finding>, t: &TraceAnswer) -> Vec<Finding> {
    let Some((step, status)) = step_of(&t.verdict) else {
        return findings;
    };
    if findings.iter().any(|f| f.status == status) {
        return findings;
    }
    if let Some(f) = findings.iter_mut().find(|f| f.step == step) {
        f.status = status;
        f.evidence = trace_verdict(t);
    }
    findings
}

fn finding(step: CheckStep, status: Status, evidence: Evidence) -> Finding {
    Finding {
        step,
        status,
        evidence,
    }
}

fn delivered(v: &Verdict) -> bool {
    matches!(v, Verdict::Delivered)
}

/// How a public answer for a service with private endpoints rates: a warning when the service
/// still served the flow on its public endpoint (it works, but not privately), else a failure.
fn public_answer_status(v: &Verdict) -> Status {
    match v {
        Verdict::DeliveredPublicly { .. } => Status::Warn,
        _ => Status::Fail,
    }
}

/// What the name resolves to from the client's network. A public answer is wrong when the
/// service has a private endpoint here: the client was meant to use it, and the public endpoint
/// is usually closed.
fn name_resolution(net: &Network, t: &TraceAnswer) -> Finding {
    let step = CheckStep::NameResolution;
    let Some(r) = &t.resolution else {
        return finding(step, Status::NotApplicable, Evidence::ConnectsToAddress);
    };
    let answered_by = r.steps.iter().rev().find_map(|s| match s {
        crate::dns::DnsStep::Address { source, .. } => Some(source.clone()),
        _ => None,
    });
    let Some(address) = r.address() else {
        return finding(
            step,
            Status::Fail,
            Evidence::NameNotResolved {
                name: r.name.clone(),
                client: r.client.clone(),
                outcome: r.outcome.clone(),
            },
        );
    };
    let service = net.services.position(|s| s.answers(&r.name));
    let endpoints: Vec<Named<PrivateEndpointId>> = net
        .private_endpoints
        .iter_ids()
        .filter(|(_, p)| service.is_some() && p.service == service)
        .map(|(i, p)| Named::new(i, p.name.clone()))
        .collect();
    let private = is_private(address);
    if !private && !endpoints.is_empty() && !delivered(&t.verdict) {
        return finding(
            step,
            public_answer_status(&t.verdict),
            Evidence::PublicAnswerDespiteEndpoint {
                name: r.name.clone(),
                client: r.client.clone(),
                address,
                answered_by,
                endpoints,
            },
        );
    }
    finding(
        step,
        Status::Pass,
        Evidence::NameResolved {
            name: r.name.clone(),
            address,
            private,
            answered_by,
        },
    )
}

/// Whether an App Service app's traffic enters the VNet (route-all).
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
        None if matches!(t.source, crate::trace::Source::Workload { .. }) => {
            finding(step, Status::NotApplicable, Evidence::ClientIsNic)
        }
        None => finding(step, Status::NotApplicable, Evidence::ClientOutsideAzure),
        Some((app, route_all, false)) if !delivered(&t.verdict) => finding(
            step,
            Status::Fail,
            Evidence::BypassesVnet {
                app: app.clone(),
                route_all,
                destination: t.destination,
            },
        ),
        Some((app, _, into)) => finding(
            step,
            Status::Pass,
            Evidence::AppEgress {
                app: app.clone(),
                enters_vnet: into,
            },
        ),
    }
}

/// The next hop and the whole path.
fn path(t: &TraceAnswer) -> Finding {
    let step = CheckStep::Path;
    let hops: Vec<String> = t.forward.iter().map(|h| h.nic.to_string()).collect();
    let broken = match &t.verdict {
        Verdict::NoRoute { .. }
        | Verdict::NoDestination { .. }
        | Verdict::InvalidNextHop { .. }
        | Verdict::PeeringBlocked { .. }
        | Verdict::Loop { .. }
        | Verdict::SentToOnPremises { .. }
        | Verdict::NotRoutedFromSite { .. }
        | Verdict::NoLoadBalancingRule { .. }
        | Verdict::NoHealthyBackend { .. }
        | Verdict::LoadBalancerHairpin { .. }
        | Verdict::NoOutboundAccess { .. }
        | Verdict::PublicIpClosed { .. } => true,
        Verdict::SentToInternet => t.destination.is_some_and(is_private),
        _ => false,
    };
    let left = matches!(
        t.verdict,
        Verdict::SentToInternet | Verdict::SentToServiceEndpoint
    ) && !broken;
    if t.forward.is_empty() {
        return finding(step, Status::NotApplicable, Evidence::NoPacketSent);
    }
    if broken {
        return finding(
            step,
            Status::Fail,
            Evidence::PathBroken {
                verdict: t.verdict.clone(),
                hops,
            },
        );
    }
    if left {
        return finding(
            step,
            Status::Fail,
            Evidence::LeftTheModel {
                verdict: t.verdict.clone(),
                hops,
            },
        );
    }
    finding(step, Status::Pass, Evidence::Path { hops })
}

/// The NSGs on the way; a private endpoint's subnet NSG applies only under its network
/// policies.
fn nsgs(net: &Network, t: &TraceAnswer) -> Finding {
    let step = CheckStep::Nsgs;
    if let Verdict::DroppedByNsg { nsg, rule, nic } = &t.verdict {
        let endpoint_subnet = match net.nic_by_name(nic) {
            Some(NicRef::PrivateEndpoint(p)) => net
                .private_endpoints
                .get(p)
                .and_then(|p| net.subnet(p.subnet).map(|s| (p.subnet, s)))
                .map(|(id, s)| EndpointSubnet {
                    subnet: Named::new(id, s.name.clone()),
                    policies: s.private_endpoint_network_policies,
                }),
            _ => None,
        };
        return finding(
            step,
            Status::Fail,
            Evidence::NsgDenies {
                nsg: nsg.clone(),
                rule: rule.clone(),
                nic: nic.clone(),
                endpoint_subnet,
            },
        );
    }
    if let Verdict::DroppedBySecurityAdminRule { .. } = &t.verdict {
        // A network manager's rule decided before any NSG: the verdict names it.
        return finding(step, Status::Fail, trace_verdict(t));
    }
    if let Verdict::ServiceUnhealthy { service, reason } = &t.verdict {
        return finding(
            step,
            Status::Fail,
            Evidence::ApimCutOff {
                service: service.clone(),
                blocked: reason.clone(),
            },
        );
    }
    let evaluations = t
        .forward
        .iter()
        .chain(&t.reply)
        .flat_map(|h| &h.steps)
        .filter(|s| matches!(s, Step::InboundNsgs(_) | Step::OutboundNsgs(_)))
        .count();
    if evaluations == 0 {
        finding(step, Status::NotApplicable, Evidence::NoNsgEvaluated)
    } else {
        finding(step, Status::Pass, Evidence::NsgsAllow { evaluations })
    }
}

/// The firewall's decision and SNAT; a deny with the rules that nearly matched and the log row.
fn firewall(net: &Network, dp: &DataPlane, t: &TraceAnswer) -> Finding {
    let step = CheckStep::Firewall;
    if let Verdict::DroppedByFirewall { .. } = &t.verdict {
        return match super::firewall_deny::explain(net, dp, t) {
            Some(explanation) => finding(
                step,
                Status::Fail,
                Evidence::FirewallDenies {
                    verdict: t.verdict.clone(),
                    explanation: Box::new(explanation),
                },
            ),
            None => finding(step, Status::Fail, trace_verdict(t)),
        };
    }
    let steps = || t.forward.iter().flat_map(|h| &h.steps);
    let decisions = steps().filter(|s| matches!(s, Step::Firewall(_))).count();
    let snat: Vec<Translation> = steps()
        .filter_map(|s| match s {
            Step::Snat { from, to } => Some(Translation {
                from: *from,
                to: *to,
            }),
            _ => None,
        })
        .collect();
    if decisions == 0 && snat.is_empty() {
        return finding(step, Status::NotApplicable, Evidence::NoFirewall);
    }
    finding(
        step,
        Status::Pass,
        Evidence::FirewallsAllow { decisions, snat },
    )
}

fn trace_verdict(t: &TraceAnswer) -> Evidence {
    Evidence::TraceVerdict {
        verdict: t.verdict.clone(),
    }
}

/// The reply's way back.
fn return_path(t: &TraceAnswer) -> Finding {
    let step = CheckStep::ReturnPath;
    match &t.verdict {
        Verdict::AsymmetricReturnDropped { .. } | Verdict::ReplyDropped { .. } => {
            finding(step, Status::Fail, trace_verdict(t))
        }
        _ if t.reply.is_empty() => finding(step, Status::NotApplicable, Evidence::NoReply),
        _ => finding(
            step,
            Status::Pass,
            Evidence::ReplyReturns {
                hops: t.reply.len(),
            },
        ),
    }
}

/// The service's public network access.
fn public_access(t: &TraceAnswer) -> Finding {
    let step = CheckStep::PublicAccess;
    match &t.verdict {
        Verdict::PublicAccessDisabled { .. } | Verdict::ServiceFirewallDenied { .. } => {
            finding(step, Status::Fail, trace_verdict(t))
        }
        Verdict::DeliveredPublicly { service } => finding(
            step,
            Status::Warn,
            Evidence::AnsweredPublicly {
                service: service.clone(),
            },
        ),
        _ => finding(
            step,
            Status::NotApplicable,
            Evidence::PublicEndpointNotOnPath,
        ),
    }
}

/// The name used against the certificate.
fn certificate(t: &TraceAnswer) -> Finding {
    let step = CheckStep::Certificate;
    match &t.verdict {
        Verdict::TlsNameMismatch { name, certificate } => finding(
            step,
            Status::Fail,
            Evidence::NameNotInCertificate {
                name: name.clone(),
                certificate: certificate.clone(),
            },
        ),
        Verdict::HostNotServed { service, name } => finding(
            step,
            Status::Fail,
            Evidence::HostNotServed {
                service: service.clone(),
                name: name.clone(),
            },
        ),
        Verdict::PortNotServed { .. } | Verdict::SecureTransferRequired { .. } => {
            finding(step, Status::Fail, trace_verdict(t))
        }
        _ => finding(step, Status::Pass, Evidence::NameInCertificate),
    }
}

/// Delivered, but across regions or through stateful devices.
fn quality(t: &TraceAnswer) -> Finding {
    let step = CheckStep::PathQuality;
    let q = &t.quality;
    if !delivered(&t.verdict) {
        return finding(step, Status::NotApplicable, Evidence::NotDelivered);
    }
    if q.regions.len() > 1 || !q.stateful_devices.is_empty() {
        return finding(
            step,
            Status::Warn,
            Evidence::FragilePath {
                destination: t.destination.filter(|a| is_private(*a)),
                regions: q.regions.iter().map(ToString::to_string).collect(),
                stateful_devices: q.stateful_devices.iter().map(ToString::to_string).collect(),
            },
        );
    }
    finding(
        step,
        Status::Pass,
        Evidence::CleanPath {
            hops: q.hops,
            regions: q.regions.iter().map(ToString::to_string).collect(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::suggest::testing::{diagnosis, flow, load};

    const HUB_ONLY: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24", nsg: "nsg-pe", private_endpoint_network_policies: NetworkSecurityGroupEnabled)]),
            (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
        ],
        peerings: [(between: ("hub", "spoke"))],
        nsgs: [(name: "nsg-pe", rules: [(name: "deny-spoke", priority: 100, direction: Inbound, access: Deny, protocol: Any, source: ["10.1.0.0/16"], destination: ["*"], destination_ports: ["*"])])],
        services: [(name: "aoai", kind: OpenAI, fqdn: "contoso.openai.azure.com", public_ip: "20.42.0.10", public_network_access: Disabled)],
        private_endpoints: [(name: "pe-aoai", subnet: "hub/pe", ip: "10.0.2.4", target: "aoai")],
        dns: (zones: [(name: "privatelink.openai.azure.com", links: ["hub"], records: [(name: "contoso", a: ["10.0.2.4"])])]),
        workloads: [(name: "vm", subnet: "spoke/app", ip: "10.1.1.4")],
    )"#;

    fn every_lesson_trace() -> Vec<(String, std::rc::Rc<crate::Loaded>, FlowSpec)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "ron") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios"),
            &mut files,
        );
        files.sort();
        let mut out = Vec::new();
        for file in files {
            let loaded = std::rc::Rc::new(crate::load_file(&file).unwrap());
            for q in &loaded.document.questions {
                if let crate::scenario::QuestionDoc::Trace {
                    from,
                    to,
                    port,
                    host,
                    ..
                } = q
                {
                    let f = FlowSpec {
                        from: from.value.clone(),
                        to: to.value.clone(),
                        port: *port,
                        host: host.as_ref().map(|h| h.value.clone()),
                    };
                    out.push((file.display().to_string(), loaded.clone(), f));
                }
            }
        }
        out
    }

    #[test]
    fn every_verdict_but_delivered_is_a_failing_flow_read_by_its_own_step() {
        let mut seen = std::collections::BTreeSet::new();
        for (file, loaded, f) in every_lesson_trace() {
            let d = diagnosis(&loaded, &f);
            seen.insert(d.verdict.name());
            let Some((step, status)) = step_of(&d.verdict) else {
                assert!(
                    d.root_cause.is_none() || d.root_cause.as_ref().unwrap().status == Status::Warn,
                    "{file}: {f}"
                );
                continue;
            };
            // The step functions read the verdict themselves, without the guard.
            let raw = checklist(&loaded.network, loaded.dataplane(), &d.trace);
            assert!(
                raw.iter().any(|x| x.status == status),
                "{file}: {f}: {:?} read by no step (expected {step:?})",
                d.verdict
            );
            let cause = d.root_cause.as_ref().unwrap();
            // A warning verdict (served publicly) may have an earlier failing cause: a name
            // that resolves publicly although the service has private endpoints.
            let earlier_failure =
                status == Status::Warn && cause.status == Status::Fail && cause.step < step;
            assert!(
                cause.status == status || earlier_failure,
                "{file}: {f}: {cause:?}"
            );
            assert!(cause.step <= step, "{file}: {f}: {cause:?} after {step:?}");
        }
        assert!(seen.len() >= 15, "{seen:?}");
    }

    /// A trace of `flow` in `ron`, diagnosed: the root cause's step, status and evidence.
    fn cause_of(ron: &str, from: &str, to: &str) -> Finding {
        let loaded = load(ron);
        let d = diagnosis(&loaded, &flow(from, to));
        assert!(d.needs_fix(), "{:?}", d.verdict);
        d.root_cause.unwrap()
    }

    #[test]
    fn an_api_management_cut_off_by_its_nsg_is_a_failing_flow_at_the_nsg_step() {
        let loaded = crate::analysis::suggest::testing::lesson("apim/internal-mode-nsg-rules.ron");
        let d = diagnosis(&loaded, &flow("vm-app", "contoso-apim-old.azure-api.net"));
        assert!(matches!(d.verdict, Verdict::ServiceUnhealthy { .. }));
        let cause = d.root_cause.unwrap();
        assert_eq!((cause.step, cause.status), (CheckStep::Nsgs, Status::Fail));
        let Evidence::ApimCutOff { service, blocked } = cause.evidence else {
            panic!("{:?}", cause.evidence)
        };
        assert_eq!(service, "contoso-apim-old");
        assert_eq!(blocked.rule.unwrap().rule, "deny-all-in");
    }

    #[test]
    fn a_host_api_management_does_not_serve_is_a_failing_flow_at_the_name_used() {
        let loaded = crate::analysis::suggest::testing::lesson("apim/internal-mode-nsg-rules.ron");
        let d = diagnosis(&loaded, &flow("vm-app", "10.0.7.4"));
        let cause = d.root_cause.unwrap();
        assert_eq!(
            (cause.step, cause.status),
            (CheckStep::Certificate, Status::Fail)
        );
        assert!(matches!(cause.evidence, Evidence::HostNotServed { .. }));
    }

    const TWO_SUBNETS: &str = r#"Scenario(
        vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
            (name: "a", prefix: "10.0.1.0/24", route_table: "rt"),
            (name: "b", prefix: "10.0.2.0/24")])],
        route_tables: [(name: "rt", routes: [
            (name: "none", prefix: "10.0.2.0/24", next_hop: None),
            (name: "loop", prefix: "10.0.3.0/24", next_hop: VirtualAppliance("10.0.9.9"))])],
        workloads: [(name: "vm", subnet: "v/a", ip: "10.0.1.4")],
    )"#;

    #[test]
    fn a_flow_sent_to_the_internet_is_a_failing_flow_at_the_path_step() {
        let cause = cause_of(TWO_SUBNETS, "vm", "8.8.8.8");
        assert_eq!((cause.step, cause.status), (CheckStep::Path, Status::Fail));
        assert!(matches!(
            cause.evidence,
            Evidence::LeftTheModel {
                verdict: Verdict::SentToInternet,
                ..
            }
        ));
    }

    #[test]
    fn a_flow_with_a_none_next_hop_is_a_failing_flow_at_the_path_step() {
        let cause = cause_of(TWO_SUBNETS, "vm", "10.0.2.4");
        assert_eq!((cause.step, cause.status), (CheckStep::Path, Status::Fail));
    }

    #[test]
    fn a_flow_to_an_appliance_nobody_holds_is_a_failing_flow_at_the_path_step() {
        let cause = cause_of(TWO_SUBNETS, "vm", "10.0.3.4");
        assert_eq!((cause.step, cause.status), (CheckStep::Path, Status::Fail));
    }

    #[test]
    fn a_public_answer_served_publicly_despite_a_private_endpoint_is_a_warning_not_a_failure() {
        let open = HUB_ONLY.replace(
            "public_network_access: Disabled",
            "public_network_access: Enabled",
        );
        let loaded = load(&open);
        for from in ["vm", "203.0.113.9"] {
            let d = diagnosis(&loaded, &flow(from, "contoso.openai.azure.com"));
            assert!(
                matches!(d.verdict, Verdict::DeliveredPublicly { .. }),
                "{from}: {:?}",
                d.verdict
            );
            assert!(
                d.findings.iter().all(|f| f.status != Status::Fail),
                "{from}: {:?}",
                d.findings
            );
            let cause = d.root_cause.unwrap();
            assert_eq!(cause.status, Status::Warn, "{from}: {cause:?}");
        }
    }

    #[test]
    fn a_public_answer_for_a_service_with_a_private_endpoint_is_the_root_cause() {
        let loaded = load(HUB_ONLY);
        let d = diagnosis(&loaded, &flow("vm", "contoso.openai.azure.com"));
        let cause = d.root_cause.unwrap();
        assert_eq!(cause.step, CheckStep::NameResolution);
        let Evidence::PublicAnswerDespiteEndpoint {
            address, endpoints, ..
        } = cause.evidence
        else {
            panic!("{:?}", cause.evidence)
        };
        assert_eq!(address.to_string(), "20.42.0.10");
        assert_eq!(
            endpoints,
            [Named::new(PrivateEndpointId::for_test(0), "pe-aoai")]
        );
        assert!(matches!(d.verdict, Verdict::PublicAccessDisabled { .. }));
    }

    #[test]
    fn an_endpoint_subnets_nsg_applies_under_its_network_policies_and_is_named() {
        let loaded = load(HUB_ONLY);
        let d = diagnosis(&loaded, &flow("vm", "10.0.2.4"));
        let first = |step| d.findings.iter().find(|f| f.step == step).unwrap();
        assert_eq!(
            first(CheckStep::NameResolution).evidence,
            Evidence::ConnectsToAddress
        );
        let cause = d.root_cause.as_ref().unwrap();
        assert_eq!(cause.step, CheckStep::Nsgs);
        let Evidence::NsgDenies {
            rule,
            endpoint_subnet: Some(s),
            ..
        } = &cause.evidence
        else {
            panic!("{:?}", cause.evidence)
        };
        assert_eq!(rule, "deny-spoke");
        assert_eq!(s.subnet.name, "hub/pe");
        assert_eq!(
            s.policies,
            PrivateEndpointNetworkPolicies::NetworkSecurityGroupEnabled
        );
    }

    #[test]
    fn a_delivered_path_across_regions_through_firewalls_is_a_warning() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/virtual-wan/cross-region-private-endpoint.ron");
        let loaded = crate::load_file(&path).unwrap();
        let d = diagnosis(&loaded, &flow("app-dev", "aoai-dev.openai.azure.com"));
        let cause = d.root_cause.unwrap();
        assert_eq!(
            (cause.step, cause.status),
            (CheckStep::PathQuality, Status::Warn)
        );
        assert_eq!(
            cause.evidence,
            Evidence::FragilePath {
                destination: Some("10.3.2.4".parse().unwrap()),
                regions: vec!["westus".into(), "eastus".into()],
                stateful_devices: vec!["fw-wus".into(), "fw-eus".into()],
            }
        );
    }
}
