//! A trace as a numbered narrative: every hop, the NSG rules and routes that decided it, the
//! reply, and what the client sees.

use std::fmt::Write as _;

use super::reasons::{hub_next_hop, hub_origin, origin, why};
use crate::dns::{DnsOutcome, DnsStep, Resolution};
use crate::filter::firewall::FirewallDecision;
use crate::query::NextHopAnswer;
use crate::query::{FlowVerifyAnswer, NsgLevel, StageDecision, Verdict as RouteVerdict};
use crate::route::hub::{HubLookup, Ingress};
use crate::trace::{Hop, Step, TraceAnswer, Verdict};

/// The whole trace as text.
pub fn trace(answer: &TraceAnswer) -> String {
    let r = &answer.request;
    let mut out = String::new();
    let to = match (&answer.resolution, answer.destination) {
        (Some(res), _) => format!("`{}`", res.name),
        (None, Some(address)) => address.to_string(),
        (None, None) => "nowhere".to_string(),
    };
    let _ = writeln!(
        out,
        "Trace {:?}{} from `{}` to {to} port {}: {}",
        r.protocol,
        super::established::flow_state(answer.flow),
        answer.source,
        r.port,
        verdict(&answer.verdict)
    );
    let _ = writeln!(out, "client sees: {}", answer.symptom);
    if let Some(seen) = &answer.source_seen {
        let _ = writeln!(out, "{}", super::egress::source_seen(seen));
    }
    if let Some(res) = &answer.resolution {
        out += "\nName resolution:\n";
        resolution_steps(&mut out, res);
    }
    if !answer.forward.is_empty() {
        out += "\nRequest:\n";
        hops(&mut out, &answer.forward);
    }
    if !answer.reply.is_empty() {
        out += "\nReply:\n";
        hops(&mut out, &answer.reply);
    }
    let q = &answer.quality;
    let devices = if q.stateful_devices.is_empty() {
        "none".to_string()
    } else {
        q.stateful_devices
            .iter()
            .map(|d| format!("`{d}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let hubs = if q.hubs.is_empty() {
        String::new()
    } else {
        format!("; virtual hubs {}", q.hubs.join(" -> "))
    };
    let _ = writeln!(
        out,
        "\nPath: {} hop(s); regions {}; {} peering(s), {} global{hubs}; stateful appliances: {devices}",
        q.hops,
        q.regions.join(" -> "),
        q.peerings,
        q.global_peerings
    );
    for a in &answer.assumptions {
        let _ = writeln!(out, "assumption: {a}");
    }
    out
}

/// A verdict in a few words.
pub fn verdict(v: &Verdict) -> String {
    v.to_string()
}

/// What happened at one hop, a line per decision (NSGs, the route look-up and the routes that
/// competed, the firewall rule, address translation, peerings), as the trace's narrative says it.
pub fn hop_steps(h: &Hop) -> String {
    let mut out = String::new();
    for s in &h.steps {
        step(&mut out, s);
    }
    out
}

fn hops(out: &mut String, hops: &[Hop]) {
    for (i, h) in hops.iter().enumerate() {
        let p = &h.packet;
        // A hop outside Azure (the Internet client) has no subnet to name.
        let place = if h.vnet.is_empty() {
            String::new()
        } else {
            format!(" in {} ({}, {})", h.subnet, h.vnet, h.region)
        };
        let _ = writeln!(
            out,
            " {}. `{}`{place}: {}:{} -> {}:{}",
            i + 1,
            h.nic,
            p.src,
            p.src_port,
            p.dst,
            p.dst_port
        );
        for s in &h.steps {
            step(out, s);
        }
    }
}

fn step(out: &mut String, s: &Step) {
    match s {
        Step::InboundNsgs(a) => {
            if let Some(admin) = &a.admin {
                let _ = writeln!(out, "    {}", super::admin::admin_decision(admin));
            }
            let _ = writeln!(out, "    inbound NSGs: {}", nsgs(a));
        }
        Step::OutboundNsgs(a) => {
            if let Some(admin) = &a.admin {
                let _ = writeln!(out, "    {}", super::admin::admin_decision(admin));
            }
            let _ = writeln!(out, "    outbound NSGs: {}", nsgs(a));
        }
        Step::StatefulReply => out.push_str("    NSGs: reply of an allowed flow (stateful)\n"),
        Step::Snat { from, to } => {
            let _ = writeln!(out, "    SNAT: source {from} -> {to}");
        }
        Step::UnSnat { from, to } => {
            let _ = writeln!(out, "    un-SNAT: destination {from} -> {to}");
        }
        Step::Dnat { from, to } => {
            let _ = writeln!(out, "    DNAT: destination {from} -> {to}");
        }
        Step::UnDnat { from, to } => {
            let _ = writeln!(out, "    un-DNAT: source {from} -> {to}");
        }
        Step::LoadBalancer {
            load_balancer,
            rule,
            backend,
            pool,
        } => {
            let _ = writeln!(
                out,
                "    load balancer `{load_balancer}` rule `{rule}`: to `{backend}` (1 of {pool} healthy backends by the flow's hash; the client's address is kept)"
            );
        }
        Step::Route(a) => route(out, a),
        Step::Peering { from, to, global } => {
            let kind = if *global { "global peering" } else { "peering" };
            let _ = writeln!(out, "    crosses {kind} `{from}` -> `{to}`");
        }
        Step::Firewall(d) => firewall(out, d),
        Step::FirewallFqdnUnresolved {
            firewall,
            fqdn,
            outcome,
        } => {
            let _ = writeln!(
                out,
                "    firewall `{firewall}` could not resolve `{fqdn}` ({}): its network rules naming it match no address",
                super::verdict::dns_outcome(outcome)
            );
        }
        Step::HubRoute(l) => hub_route(out, l),
        Step::HubToHub { from, to, global } => {
            let kind = if *global { " (across regions)" } else { "" };
            let _ = writeln!(out, "    hub-to-hub `{from}` -> `{to}`{kind}");
        }
        Step::AppServiceEgress {
            app,
            route_all,
            into_vnet,
        } => app_service(out, app, *route_all, *into_vnet),
        Step::FlowSymmetricReply => out
            .push_str("    reply retraces the request's path (flow-symmetric private endpoint)\n"),
        Step::SiteRoute(r) => {
            let _ = writeln!(
                out,
                "    on-premises route {} -> gateway `{}` ({})",
                r.prefix,
                r.gateway,
                super::onprem::site_route_why(&r.why)
            );
        }
        Step::BranchRoute(r) => {
            let _ = writeln!(
                out,
                "    branch route {} -> hub `{}` (advertised by the hub: {})",
                r.prefix,
                r.hub,
                hub_origin(&r.origin)
            );
        }
        Step::BackendsDown {
            load_balancer,
            down,
        } => super::egress::backends_down(out, load_balancer, down),
        Step::Egress { method, source } => super::egress::egress(out, method, *source),
        Step::InstancePublicIp { public, private } => {
            let _ = writeln!(out, "    instance public IP {public} -> {private}");
        }
        Step::GatewayChain { gateway } => {
            let _ = writeln!(
                out,
                "    chained Gateway Load Balancer `{gateway}`: the flow is detoured through this appliance unchanged (VXLAN), both directions"
            );
        }
        Step::EstablishedFlow {
            load_balancer,
            rule,
            backend,
            outcome,
        } => super::established::established(out, load_balancer, rule, backend, outcome),
        Step::GatewayChainReply { gateway } => {
            let _ = writeln!(
                out,
                "    chained Gateway Load Balancer `{gateway}`: the reply crosses the request's appliance on its way out, unchanged (VXLAN; flow symmetry)"
            );
        }
        Step::InboundNat {
            load_balancer,
            rule,
        } => {
            let _ = writeln!(
                out,
                "    load balancer `{load_balancer}` inbound NAT rule `{rule}` (the client's address is kept)"
            );
        }
    }
}

/// A route look-up: the winning route and every covering route that lost, with why.
fn route(out: &mut String, a: &NextHopAnswer) {
    match &a.route {
        Some(r) => {
            let _ = writeln!(
                out,
                "    route: {} {} ({}, {}) from {}: {}",
                r.prefix,
                a.next_hop,
                r.source,
                a.route_table,
                origin(&r.origin),
                why(&r.why)
            );
            for c in a
                .candidates
                .iter()
                .filter(|c| c.verdict != RouteVerdict::Selected)
            {
                let reason = match &c.verdict {
                    RouteVerdict::ShorterPrefix { than } => format!("shorter than {than}"),
                    _ => why(&c.route.why),
                };
                let _ = writeln!(
                    out,
                    "      lost: {} {} {}: {reason}",
                    c.route.prefix, c.route.source, c.route.next_hop
                );
            }
        }
        None => out.push_str("    route: none matches\n"),
    }
}

/// An Azure Firewall's decision.
fn firewall(out: &mut String, d: &FirewallDecision) {
    let host = d
        .host
        .as_deref()
        .map(|h| format!(" for `{h}`"))
        .unwrap_or_default();
    let what = match &d.rule {
        Some(r) => format!(
            "{:?} rule `{}/{}/{}` (group {}, collection {})",
            d.stage, r.group, r.collection, r.rule, r.group_priority, r.collection_priority
        ),
        None => "no rule matches: default deny".into(),
    };
    let snat = if d.snat { ", SNAT" } else { "" };
    let _ = writeln!(
        out,
        "    firewall `{}`{host}: {what}: {}{snat}",
        d.firewall, d.access
    );
}

/// A virtual hub's routing decision: the chosen route and the covering routes that lost.
fn hub_route(out: &mut String, l: &HubLookup) {
    let from = match &l.ingress {
        Ingress::Connection { vnet, .. } => format!("from connection `{vnet}`"),
        Ingress::RemoteHub { hub, .. } => format!("from hub `{hub}`"),
        Ingress::Firewall => "after the firewall".into(),
        Ingress::Branch { site } => format!("from branch `{site}`"),
    };
    match &l.chosen {
        Some(r) => {
            let _ = writeln!(
                out,
                "    hub `{}` ({from}, {}): {} -> {} from {}",
                l.hub,
                l.table,
                r.prefix,
                hub_next_hop(&r.next_hop),
                hub_origin(&r.origin)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "    hub `{}` ({from}, {}): no route to {}",
                l.hub, l.table, l.destination
            );
        }
    }
    for r in l.covering.iter().skip(1) {
        let _ = writeln!(
            out,
            "      lost: {} -> {} from {}",
            r.prefix,
            hub_next_hop(&r.next_hop),
            hub_origin(&r.origin)
        );
    }
}

/// An App Service app's outbound routing.
fn app_service(out: &mut String, app: &str, route_all: bool, into_vnet: bool) {
    let why = match (route_all, into_vnet) {
        (true, _) => "route-all is on: all outbound traffic enters the VNet",
        (false, true) => "route-all is off, but the destination is RFC 1918 (or a service endpoint of the subnet): it enters the VNet",
        (false, false) => "route-all is off and the destination is public: it leaves from the app's own outbound addresses, past the VNet's NSGs and routes",
    };
    let _ = writeln!(out, "    app service `{app}`: {why}");
}

/// A resolution's steps, numbered, then its outcome.
pub fn resolution_steps(out: &mut String, res: &Resolution) {
    for (i, s) in res.steps.iter().enumerate() {
        let line = match s {
            DnsStep::Ask { server, name } => format!("{server} is asked for `{name}`"),
            DnsStep::Forward { by, domain, to } => {
                format!("{by} forwards `{domain}` to {to}")
            }
            DnsStep::PrivateZone { zone, vnet, found } => match found {
                Some(r) => format!("private zone `{zone}` (linked to `{vnet}`) holds `{r}`"),
                None => format!(
                    "private zone `{zone}` (linked to `{vnet}`) owns the name but has no record"
                ),
            },
            DnsStep::FallbackToInternet { zone } => {
                format!("the link to `{zone}` falls back to the Internet (NxDomainRedirect)")
            }
            DnsStep::Alias { from, to, source } => format!("`{from}` CNAME `{to}` ({source})"),
            DnsStep::Address {
                name,
                addresses,
                source,
            } => {
                let a: Vec<String> = addresses.iter().map(ToString::to_string).collect();
                format!("`{name}` A {} ({source})", a.join(", "))
            }
            DnsStep::NoRecord { name, source } => format!("`{name}`: NXDOMAIN ({source})"),
        };
        let _ = writeln!(out, " {}. {line}", i + 1);
    }
    let outcome = match &res.outcome {
        DnsOutcome::Resolved { addresses } => {
            let a: Vec<String> = addresses.iter().map(ToString::to_string).collect();
            format!("resolved to {}", a.join(", "))
        }
        DnsOutcome::NxDomain => "NXDOMAIN".into(),
        DnsOutcome::Loop => "the resolution loops".into(),
        DnsOutcome::NoServer { server } => format!("no DNS server at {server}"),
        DnsOutcome::DnsProxyDisabled { firewall, server } => {
            format!(
                "firewall `{firewall}` ({server}) has DNS proxy off: nothing answers on port 53"
            )
        }
    };
    let _ = writeln!(out, " => {outcome}");
}

/// The NSG levels of one crossing, on one line.
fn nsgs(a: &FlowVerifyAnswer) -> String {
    let parts: Vec<String> = a
        .stages
        .iter()
        .map(|s| {
            let level = match s.level {
                NsgLevel::Nic => "NIC",
                NsgLevel::Subnet => "subnet",
            };
            match &s.decision {
                StageDecision::NoNsg => format!("{level} none"),
                StageDecision::Matched(m) => {
                    let note = m
                        .note
                        .as_ref()
                        .map(|n| format!(" [{}]", super::reasons::match_note(n)))
                        .unwrap_or_default();
                    format!(
                        "{level} `{}` rule `{}` ({}): {}{note}",
                        m.nsg, m.rule, m.priority, m.access
                    )
                }
                StageDecision::NotEvaluated { nsg } => format!("{level} `{nsg}` not evaluated"),
                StageDecision::IgnoredForPrivateEndpoint { nsg, policies } => {
                    format!("{level} `{nsg}` ignored for the private endpoint ({policies:?})")
                }
                StageDecision::PlatformExempt { nsg, service } => format!(
                    "{level} `{nsg}` exempt: platform traffic to {}",
                    super::reasons::platform_service(*service)
                ),
            }
        })
        .collect();
    format!("{} -> {}", parts.join("; "), a.access)
}
