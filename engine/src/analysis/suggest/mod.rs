//! Fix suggestions: a bounded set of single configuration changes, each applied to the scenario
//! and re-simulated; only the changes that make the flow work without breaking any other
//! question of the scenario are kept.
//!
//! The candidates are the fixes the field applies, in the order of the diagnosis checklist, one
//! module per kind of fix, each with its `candidates` (what to try for a diagnosis) and its
//! `apply` (the change written into the scenario): link the private DNS zone to the client's
//! VNet ([`link_zone`]), turn on App Service route-all ([`route_all`]), change the endpoint
//! subnet's network policies ([`endpoint_policies`]), allow the flow in the NSG that drops it
//! ([`allow_in_nsg`]), put a private endpoint in the client's own VNet
//! ([`colocated_endpoint`], re-pointing its [`record`]s), forward the service's zone on the
//! client's DNS server ([`forward_zone`]), add a UDR to an appliance ([`udr`]), SNAT at the
//! firewall that saw half the flow ([`snat`]), and call the service by its FQDN ([`use_fqdn`]).
//!
//! A fix names what it changes by the model's ids together with the names they resolved to
//! ([`Named`]); its sentence and `az` commands are rendered in `report::fix`.

pub mod add_record;
pub mod allow_in_nsg;
pub mod apim_rules;
pub mod colocated_endpoint;
pub mod create_zone;
pub mod endpoint_policies;
pub mod forward_zone;
mod guard;
pub mod host_route;
pub mod link_zone;
pub mod rank;
pub mod record;
pub mod relink_zone;
pub mod route_all;
pub mod snat;
pub mod udr;
pub mod use_fqdn;

use serde::Serialize;

pub use super::Named;

use super::diagnose::{diagnose, CheckStep, Diagnosis};
use super::flow::{self, FlowSpec};
use crate::expect::{check, Asked};
use crate::model::{
    Network, NicRef, PrivateEndpoint, PrivateEndpointId, Subnet, SubnetId, Vnet, VnetId, Workload,
    WorkloadId,
};
use crate::scenario::{Document, QuestionDoc, Text, TraceExpectDoc, VerdictName};
use crate::trace::Verdict;
use crate::{load_document, Loaded};

/// One configuration change (or, for the name, a client-side change).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "fix")]
pub enum Fix {
    /// Link a private DNS zone to a VNet.
    LinkZone(link_zone::LinkZone),
    /// Turn on `vnetRouteAllEnabled` for an App Service app.
    RouteAll(route_all::RouteAll),
    /// Set a subnet's `privateEndpointNetworkPolicies`.
    EndpointPolicies(endpoint_policies::EndpointPolicies),
    /// Add an NSG rule allowing the flow.
    AllowInNsg(allow_in_nsg::AllowInNsg),
    /// Create a private endpoint for the same service in the client's VNet (and point the DNS
    /// records at it).
    ColocateEndpoint(colocated_endpoint::ColocateEndpoint),
    /// Add a conditional forwarder to the client's DNS server.
    ForwardZone(forward_zone::ForwardZone),
    /// Add a UDR in the client's subnet sending the destination's range to an appliance.
    AddUdr(udr::AddUdr),
    /// Make an Azure Firewall SNAT what its network rules allow.
    AlwaysSnat(snat::AlwaysSnat),
    /// Call the service by its own FQDN.
    UseFqdn(use_fqdn::UseFqdn),
    /// Add API Management's required inbound rules to its subnet's NSG.
    ApimRules(apim_rules::ApimRules),
    /// Create a private DNS zone with its records, linked to the client's VNet.
    CreateZone(create_zone::CreateZone),
    /// Move the client VNet's link to the copy of a zone that holds the name.
    RelinkZone(relink_zone::RelinkZone),
    /// Add a host route for a firewall's public IP (or its NAT gateway's) with next hop
    /// Internet, so the reply reaches the firewall where its session is.
    HostRoute(host_route::HostRouteToInternet),
    /// Add the A record a name needs to the zone linked to the client's VNet.
    AddRecord(add_record::AddRecord),
}

impl Fix {
    /// Whether the fix acts on the checklist step `step` (the field's first remedy for a
    /// failure there).
    pub fn addresses(&self, step: CheckStep) -> bool {
        matches!(
            (self, step),
            (
                Fix::LinkZone(_)
                    | Fix::ForwardZone(_)
                    | Fix::CreateZone(_)
                    | Fix::RelinkZone(_)
                    | Fix::AddRecord(_),
                CheckStep::NameResolution
            ) | (Fix::RouteAll(_), CheckStep::EntersVnet)
                | (Fix::AddUdr(_), CheckStep::Path)
                | (Fix::HostRoute(_), CheckStep::ReturnPath)
                | (
                    Fix::AllowInNsg(_) | Fix::EndpointPolicies(_) | Fix::ApimRules(_),
                    CheckStep::Nsgs
                )
                | (
                    Fix::AlwaysSnat(_),
                    CheckStep::Firewall | CheckStep::ReturnPath
                )
                | (Fix::UseFqdn(_), CheckStep::Certificate)
                | (
                    Fix::ColocateEndpoint(_),
                    CheckStep::PathQuality | CheckStep::Firewall
                )
        )
    }
}

/// A fix that made the flow work, with what it changed.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Suggestion {
    /// The change.
    pub fix: Fix,
    /// The flow as the fixed client makes it (differs from the diagnosed one for a name or
    /// endpoint change).
    pub flow: FlowSpec,
    /// Its verdict after the fix.
    pub verdict: Verdict,
    /// Questions of the scenario that expected this failure and now pass differently.
    pub also_changes: Vec<Asked>,
    /// What the fix weakens, which ranks it.
    pub weakens: rank::Weakening,
    /// Every other flow and resolution the fix changes, for every client (`None`: the estate
    /// is too large to compare in full; see [`super::whatif::BLAST_RADIUS_LIMIT`]).
    pub blast_radius: Option<super::whatif::WhatIfAnswer>,
    /// The changed scenario (applied to the base document).
    #[serde(skip)]
    pub document: Document,
}

/// A fix that made the flow work but changed the answer of another question.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Rejected {
    /// The change.
    pub fix: Fix,
    /// The first question it breaks.
    pub breaks: Asked,
}

/// The suggestion search's result.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Suggestions {
    /// The diagnosis the search started from.
    pub diagnosis: Diagnosis,
    /// Candidate changes tried.
    pub tried: usize,
    /// Candidates refused because they break another question.
    pub rejected_for_regressions: Vec<Rejected>,
    /// The changes that work, best first.
    pub kept: Vec<Suggestion>,
}

/// Diagnoses `flow` in `loaded` and searches the candidate fixes; `None` when the flow's client
/// is not in the scenario.
pub fn suggest(loaded: &Loaded, flow: &FlowSpec) -> Option<Suggestions> {
    let net = &loaded.network;
    let dp = loaded.dataplane();
    let diagnosis = diagnose(net, dp, flow)?;
    let mut out = Suggestions {
        tried: 0,
        rejected_for_regressions: Vec::new(),
        kept: Vec::new(),
        diagnosis,
    };
    if !out.diagnosis.needs_fix() {
        return Some(out);
    }
    let cause = out.diagnosis.root_cause.as_ref().map(|f| f.step);
    let quality_only = cause == Some(CheckStep::PathQuality);
    let dns_cause = cause == Some(CheckStep::NameResolution);
    let before_quality = out.diagnosis.trace.quality.clone();
    let baseline = check(net, dp);
    let context = guard::Context::of(loaded, flow, &out.diagnosis);
    for fix in candidates(loaded, flow, &out.diagnosis) {
        out.tried += 1;
        let Some((document, fixed_flow)) = apply(&loaded.document, flow, &fix) else {
            continue;
        };
        let Ok(candidate) = load_document(loaded.source.clone(), document.clone()) else {
            continue;
        };
        let Some(answer) = flow::trace(&candidate.network, candidate.dataplane(), &fixed_flow)
        else {
            continue;
        };
        // Served publicly counts when the service is meant to be public (the name was not the
        // problem); otherwise the goal is the private path.
        let reached = match answer.verdict {
            Verdict::Delivered => true,
            Verdict::DeliveredPublicly { .. } => !dns_cause,
            _ => false,
        };
        let works = reached
            && (!quality_only
                || (answer.quality.stateful_devices.len() < before_quality.stateful_devices.len()
                    && answer.quality.regions.len() <= before_quality.regions.len()));
        if !works {
            continue;
        }
        let after = check(&candidate.network, candidate.dataplane());
        let dns_fix = matches!(
            fix,
            Fix::LinkZone(_) | Fix::CreateZone(_) | Fix::RelinkZone(_) | Fix::AddRecord(_)
        );
        let (broken, also) = guard::compare(&net.questions, &baseline, &after, &context, dns_fix);
        if let Some(q) = broken.into_iter().next() {
            out.rejected_for_regressions
                .push(Rejected { fix, breaks: q });
            continue;
        }
        let left: Vec<String> = before_quality
            .stateful_devices
            .iter()
            .filter(|d| !answer.quality.stateful_devices.contains(d))
            .map(ToString::to_string)
            .collect();
        out.kept.push(Suggestion {
            blast_radius: super::whatif::blast_radius(loaded, &candidate, flow),
            weakens: rank::weakening(net, &fix, left),
            verdict: answer.verdict,
            flow: fixed_flow,
            also_changes: also,
            fix,
            document,
        });
    }
    // What a fix weakens ranks it first (never a protection-removing fix above one that keeps
    // it); within a rank, fixes of the root cause itself come first (stable: the checklist's
    // order within each).
    out.kept
        .sort_by_key(|s| (s.weakens.rank(), cause.is_some_and(|c| !s.fix.addresses(c))));
    Some(out)
}

/// What the candidate searches read: the scenario, the flow, its diagnosis, and the client's
/// place in the network.
pub struct Scope<'a> {
    /// The resolved network.
    pub net: &'a Network,
    /// The scenario as written.
    pub doc: &'a Document,
    /// The diagnosed flow.
    pub flow: &'a FlowSpec,
    /// Its diagnosis.
    pub diagnosis: &'a Diagnosis,
    /// The client workload (an App Service app's instance included).
    pub client: Option<(WorkloadId, &'a Workload)>,
    /// Its subnet.
    pub client_subnet: Option<(SubnetId, &'a Subnet)>,
    /// Its VNet.
    pub client_vnet: Option<(VnetId, &'a Vnet)>,
    /// The last private endpoint the request reached (or was going to).
    pub reached: Option<(PrivateEndpointId, &'a PrivateEndpoint)>,
}

impl std::fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("flow", self.flow)
            .field("client", &self.client.map(|(id, _)| id))
            .finish_non_exhaustive()
    }
}

impl<'a> Scope<'a> {
    /// The scope of `flow` diagnosed as `d` in `loaded`.
    pub fn of(loaded: &'a Loaded, flow: &'a FlowSpec, d: &'a Diagnosis) -> Self {
        let net = &loaded.network;
        let client = match net.nic_by_name(&flow.from) {
            Some(NicRef::Workload(w)) => net.workloads.get(w).map(|x| (w, x)),
            _ => None,
        };
        let client_subnet = client.and_then(|(_, w)| net.subnet(w.subnet).map(|s| (w.subnet, s)));
        let client_vnet = client_subnet.and_then(|(_, s)| net.vnet(s.vnet).map(|v| (s.vnet, v)));
        // The endpoint the request reached or, when a device stopped it on the way, the
        // endpoint holding the address it was going to.
        let reached = d
            .trace
            .forward
            .iter()
            .rev()
            .find_map(|h| match h.at {
                Some(NicRef::PrivateEndpoint(p)) => net.private_endpoints.get(p).map(|x| (p, x)),
                _ => None,
            })
            .or_else(|| {
                let to = d.trace.destination?;
                net.private_endpoints.iter_ids().find(|(_, p)| p.ip == to)
            });
        Scope {
            net,
            doc: &loaded.document,
            flow,
            diagnosis: d,
            client,
            client_subnet,
            client_vnet,
            reached,
        }
    }
}

/// The bounded candidate set for `flow`, in the checklist's order.
pub fn candidates(loaded: &Loaded, flow: &FlowSpec, d: &Diagnosis) -> Vec<Fix> {
    let scope = Scope::of(loaded, flow, d);
    let mut out = Vec::new();
    out.extend(link_zone::candidates(&scope).into_iter().map(Fix::LinkZone));
    out.extend(route_all::candidates(&scope).into_iter().map(Fix::RouteAll));
    out.extend(
        endpoint_policies::candidates(&scope)
            .into_iter()
            .map(Fix::EndpointPolicies),
    );
    out.extend(
        allow_in_nsg::candidates(&scope)
            .into_iter()
            .map(Fix::AllowInNsg),
    );
    out.extend(
        colocated_endpoint::candidates(&scope)
            .into_iter()
            .map(Fix::ColocateEndpoint),
    );
    out.extend(
        forward_zone::candidates(&scope)
            .into_iter()
            .map(Fix::ForwardZone),
    );
    out.extend(udr::candidates(&scope).into_iter().map(Fix::AddUdr));
    out.extend(snat::candidates(&scope).into_iter().map(Fix::AlwaysSnat));
    out.extend(
        host_route::candidates(&scope)
            .into_iter()
            .map(Fix::HostRoute),
    );
    out.extend(use_fqdn::candidates(&scope).into_iter().map(Fix::UseFqdn));
    out.extend(
        apim_rules::candidates(&scope)
            .into_iter()
            .map(Fix::ApimRules),
    );
    out.extend(
        create_zone::candidates(&scope)
            .into_iter()
            .map(Fix::CreateZone),
    );
    out.extend(
        relink_zone::candidates(&scope)
            .into_iter()
            .map(Fix::RelinkZone),
    );
    out.extend(
        add_record::candidates(&scope)
            .into_iter()
            .map(Fix::AddRecord),
    );
    out
}

/// The scenario and the flow with `fix` applied; `None` when the fix cannot be written.
pub fn apply(doc: &Document, flow: &FlowSpec, fix: &Fix) -> Option<(Document, FlowSpec)> {
    let mut doc = doc.clone();
    let mut flow = flow.clone();
    match fix {
        Fix::LinkZone(f) => f.apply(&mut doc)?,
        Fix::RouteAll(f) => f.apply(&mut doc)?,
        Fix::EndpointPolicies(f) => f.apply(&mut doc)?,
        Fix::AllowInNsg(f) => f.apply(&mut doc)?,
        Fix::ColocateEndpoint(f) => f.apply(&mut doc, &mut flow)?,
        Fix::ForwardZone(f) => f.apply(&mut doc)?,
        Fix::AddUdr(f) => f.apply(&mut doc)?,
        Fix::AlwaysSnat(f) => f.apply(&mut doc)?,
        Fix::HostRoute(f) => f.apply(&mut doc)?,
        Fix::UseFqdn(f) => f.apply(&mut flow),
        Fix::ApimRules(f) => f.apply(&mut doc)?,
        Fix::CreateZone(f) => f.apply(&mut doc)?,
        Fix::RelinkZone(f) => f.apply(&mut doc)?,
        Fix::AddRecord(f) => f.apply(&mut doc)?,
    }
    Some((doc, flow))
}

/// A `vnet/subnet` name split in two.
pub(crate) fn split_subnet(name: &str) -> Option<(&str, &str)> {
    name.split_once('/')
}

/// The subnet named `vnet/subnet` in `doc`.
fn doc_subnet<'d>(doc: &'d mut Document, name: &str) -> Option<&'d mut crate::scenario::SubnetDoc> {
    let (v, s) = split_subnet(name)?;
    doc.vnets
        .iter_mut()
        .find(|x| x.name.value == v)?
        .subnets
        .iter_mut()
        .find(|x| x.name.value == s)
}

fn text(s: &str) -> Text {
    Text::new(s.to_string())
}

/// A kept suggestion as a variant document of `base` (a path relative to where the variant is
/// written): the changed objects only, the fixed flow as its question, expected `Delivered`.
/// The title and takeaway are left to the renderer (`report::diagnosis::variant_file`).
pub fn variant(base: &str, original: &Document, s: &Suggestion) -> Document {
    let after = &s.document;
    let mut v = Document {
        extends: Some(Text::new(base.to_string())),
        ..Document::default()
    };
    macro_rules! changed {
        ($($field:ident).+) => {
            v.$($field).+ = after.$($field).+.iter().filter(|x| !original.$($field).+.contains(x)).cloned().collect();
        };
    }
    changed!(vnets);
    changed!(nsgs);
    changed!(private_endpoints);
    changed!(app_services);
    changed!(dns.zones);
    changed!(dns.forwarders);
    changed!(route_tables);
    changed!(firewalls);
    // A changed VNet is re-declared with only its changed subnets (the others are kept).
    for vnet in &mut v.vnets {
        if let Some(old) = original.vnets.iter().find(|o| o.name == vnet.name) {
            vnet.subnets.retain(|s| !old.subnets.contains(s));
        }
    }
    v.questions = vec![QuestionDoc::Trace {
        from: Text::new(s.flow.from.clone()),
        to: Text::new(s.flow.to.clone()),
        port: s.flow.port,
        protocol: crate::model::FlowProtocol::Tcp,
        host: s.flow.host.clone().map(Text::new),
        flow: crate::scenario::FlowState::New,
        expect: TraceExpectDoc {
            verdict: VerdictName::Delivered,
            via: Vec::new(),
            not_via: Vec::new(),
            symptom: None,
            regions: None,
            source_seen: None,
        },
    }];
    v
}

#[cfg(test)]
pub(crate) mod testing {
    //! Loading a small scenario and diagnosing a flow in it, for the fix modules' tests.

    use super::super::diagnose::{diagnose, Diagnosis};
    use super::super::flow::FlowSpec;
    use crate::Loaded;

    /// Loads `ron`.
    pub fn load(ron: &str) -> Loaded {
        crate::load_str("t.ron", ron).unwrap()
    }

    /// The flow `from -> to:443`.
    pub fn flow(from: &str, to: &str) -> FlowSpec {
        FlowSpec {
            from: from.into(),
            to: to.into(),
            port: 443,
            host: None,
        }
    }

    /// The bundled lesson at `rel` (under `scenarios/`).
    pub fn lesson(rel: &str) -> Loaded {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios")
            .join(rel);
        crate::load_file(&path).unwrap()
    }

    /// The diagnosis of `flow` in `loaded`.
    pub fn diagnosis(loaded: &Loaded, flow: &FlowSpec) -> Diagnosis {
        diagnose(&loaded.network, loaded.dataplane(), flow).unwrap()
    }
}
