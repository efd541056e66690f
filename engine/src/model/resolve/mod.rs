//! Document → Network: resolves names, parses addresses, and checks what Azure itself would
//! refuse. Every problem is collected, so a file is reported whole, not one error per run.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::*;
use crate::diag::{unknown_name_hint, Diagnostic, Severity};
use crate::scenario::{self as doc, Document, Text};

mod firewall;
mod forall;
mod names;
mod network;
mod nics;
mod questions;
mod security;
mod vwan;

/// Azure's limit on routes in one route table.
pub const MAX_ROUTES_PER_TABLE: usize = 400;

pub use forall::MAX_FORALL_CASES;

/// Resolves and validates `document`. On success returns the network and any warnings; on failure
/// every diagnostic (errors and warnings), in file order.
pub fn resolve(document: &Document) -> Result<(Network, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut r = Resolver::default();
    r.net.title.clone_from(&document.title);
    r.net.story.clone_from(&document.story);
    r.net.takeaway.clone_from(&document.takeaway);
    r.net.assumptions = document.assumptions.clone();
    r.service_prefixes(&document.service_endpoint_prefixes);
    r.route_tables(&document.route_tables);
    r.service_tags(&document.service_tags);
    r.nsgs(&document.nsgs);
    r.vnets(&document.vnets);
    r.virtual_hubs(&document.virtual_hubs);
    r.peerings(&document.peerings);
    r.peering_limits();
    r.gateways(&document.gateways);
    r.gateway_transit();
    r.services(&document.services);
    r.nics(&document.private_endpoints, &document.workloads);
    r.pe_targets(&document.private_endpoints);
    r.app_services(&document.app_services);
    r.api_managements(&document.api_managements);
    r.dns(&document.dns);
    r.firewalls(&document.firewalls);
    r.hub_firewalls(&document.virtual_hubs);
    r.load_balancers(&document.load_balancers);
    r.questions(&document.questions);
    r.udr_next_hops();
    let Resolver { net, mut diags, .. } = r;
    diags.sort_by_key(|d| (d.span.start, d.severity));
    if diags.iter().any(|d| d.severity == Severity::Error) {
        Err(diags)
    } else {
        Ok((net, diags))
    }
}

#[derive(Default)]
struct Resolver {
    net: Network,
    diags: Vec<Diagnostic>,
    vnet_ids: BTreeMap<String, VnetId>,
    subnet_ids: BTreeMap<String, SubnetId>,
    table_ids: BTreeMap<String, RouteTableId>,
    nsg_ids: BTreeMap<String, NsgId>,
    /// Workloads and private endpoints share one namespace: both are NICs a trace names.
    nic_names: BTreeMap<String, Span>,
    nic_ips: BTreeMap<(VnetId, IpAddr), String>,
    /// Cases the estate-wide questions resolved so far check (bounded by
    /// [`forall::MAX_FORALL_CASES`]).
    forall_cases: usize,
}

impl Resolver {
    fn error(&mut self, span: Span, message: String, hint: Option<String>) {
        self.diags
            .push(Diagnostic::error(span, message).with_hint_opt(hint));
    }

    fn warn(&mut self, span: Span, message: String, hint: Option<String>) {
        self.diags
            .push(Diagnostic::warning(span, message).with_hint_opt(hint));
    }

    // ---- value parsers -------------------------------------------------------------------

    /// A prefix with no host bits set.
    fn prefix(&mut self, text: &Text, what: &str) -> Option<IpNet> {
        let raw = text.value.trim();
        match raw.parse::<IpNet>() {
            Ok(net) if net.trunc() == net => Some(net),
            Ok(net) => {
                self.error(
                    text.span,
                    format!("{what} `{raw}` has host bits set"),
                    Some(format!("did you mean `{}`?", net.trunc())),
                );
                None
            }
            Err(_) => {
                let hint = match raw.parse::<IpAddr>() {
                    Ok(IpAddr::V4(_)) => format!("a single address is written `{raw}/32`"),
                    Ok(IpAddr::V6(_)) => format!("a single address is written `{raw}/128`"),
                    Err(_) => "write a prefix such as `10.0.0.0/16`".to_string(),
                };
                self.error(
                    text.span,
                    format!("{what} `{raw}` is not an IP prefix"),
                    Some(hint),
                );
                None
            }
        }
    }

    fn ip(&mut self, text: &Text, what: &str) -> Option<IpAddr> {
        let raw = text.value.trim();
        match raw.parse::<IpAddr>() {
            Ok(ip) => Some(ip),
            Err(_) => {
                let hint = if raw.contains('/') {
                    "write one address, without a prefix length".to_string()
                } else {
                    "write an address such as `10.0.1.4`".to_string()
                };
                self.error(
                    text.span,
                    format!("{what} `{raw}` is not an IP address"),
                    Some(hint),
                );
                None
            }
        }
    }

    fn unique(&mut self, seen: &mut BTreeMap<String, Span>, name: &Text, kind: &str) -> bool {
        if name.value.is_empty() {
            self.error(
                name.span,
                format!("{kind} name is empty"),
                Some("give it a name".into()),
            );
            return false;
        }
        if seen.contains_key(&name.value) {
            self.error(
                name.span,
                format!("duplicate {kind} name `{}`", name.value),
                Some(format!("{kind} names must be unique; rename one of them")),
            );
            return false;
        }
        seen.insert(name.value.clone(), name.span);
        true
    }

    /// Keeps a successful look-up, or records its diagnostic.
    fn found<T>(&mut self, lookup: Result<T, Diagnostic>) -> Option<T> {
        lookup.map_err(|d| self.diags.push(d)).ok()
    }
}

fn source(s: doc::RouteSourceDoc) -> RouteSource {
    match s {
        doc::RouteSourceDoc::Default => RouteSource::Default,
        doc::RouteSourceDoc::User => RouteSource::User,
        doc::RouteSourceDoc::VirtualNetworkGateway => RouteSource::VirtualNetworkGateway,
    }
}

/// Whether two prefixes share any address (one contains the other).
pub(crate) fn overlaps(a: IpNet, b: IpNet) -> bool {
    a.contains(&b) || b.contains(&a)
}

/// Looks `name` up in `map`; an unknown name gets a did-you-mean hint.
fn find<T: Copy>(map: &BTreeMap<String, T>, name: &Text, kind: &str) -> Result<T, Diagnostic> {
    map.get(&name.value).copied().ok_or_else(|| {
        let hint = unknown_name_hint(&name.value, map.keys().map(String::as_str), kind);
        Diagnostic::error(name.span, format!("unknown {kind} `{}`", name.value)).with_hint(hint)
    })
}
