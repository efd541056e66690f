//! Fix suggestions: a bounded set of single configuration changes, each applied to the scenario
//! and re-simulated; only the changes that make the flow work without breaking any other
//! question of the scenario are kept.
//!
//! The candidates are the fixes the field applies, in the order of the diagnosis checklist:
//! link the private DNS zone to the client's VNet, turn on App Service route-all, change the
//! endpoint subnet's network policies, allow the flow in the NSG that drops it, put a private
//! endpoint in the client's own VNet, and call the service by its FQDN. Every kept fix carries
//! the `az` command that applies it, and can be written as a variant file.

use std::collections::BTreeSet;
use std::net::IpAddr;

use serde::Serialize;

use super::diagnose::{diagnose, CheckStep, Diagnosis};
use super::flow::{self, FlowSpec};
use crate::expect::{check, Asked, CheckReport, Evidence, Outcome};
use crate::model::NicRef;
use crate::scenario::{
    Access, Direction, Document, NsgRuleDoc, PrivateEndpointDoc, PrivateEndpointNetworkPolicies,
    QuestionDoc, Spanned, Text, TraceExpectDoc, VerdictName,
};
use crate::trace::Verdict;
use crate::{load_document, Loaded};

/// One configuration change (or, for the name, a client-side change).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "fix")]
pub enum Fix {
    /// Link a private DNS zone to a VNet.
    LinkZone {
        /// The zone.
        zone: String,
        /// The VNet.
        vnet: String,
    },
    /// Turn on `vnetRouteAllEnabled` for an App Service app.
    RouteAll {
        /// The app.
        app: String,
    },
    /// Set a subnet's `privateEndpointNetworkPolicies`.
    EndpointPolicies {
        /// The subnet, `vnet/subnet`.
        subnet: String,
        /// The new value.
        policies: PrivateEndpointNetworkPolicies,
    },
    /// Add an NSG rule allowing the flow.
    AllowInNsg {
        /// The NSG.
        nsg: String,
        /// The new rule's name.
        rule: String,
        /// Its priority.
        priority: u32,
        /// Inbound or outbound.
        direction: Direction,
        /// The client's address.
        source: String,
        /// The destination's address.
        destination: String,
        /// The port.
        port: u16,
    },
    /// Create a private endpoint for the same service in the client's VNet (and point the DNS
    /// record at it).
    ColocateEndpoint {
        /// The new endpoint.
        endpoint: String,
        /// Its subnet.
        subnet: String,
        /// Its address.
        ip: IpAddr,
        /// The endpoint it copies.
        copies: String,
        /// Zone records re-pointed to it, as `record.zone`.
        records: Vec<String>,
    },
    /// Add a conditional forwarder to the client's DNS server: the service's public zone to
    /// Azure DNS (168.63.129.16), answered in the server's VNet.
    ForwardZone {
        /// The DNS server (its workload).
        server: String,
        /// The domain.
        domain: String,
    },
    /// Add a UDR in the client's subnet sending the destination's range to an appliance.
    AddUdr {
        /// The client's subnet, `vnet/subnet`.
        subnet: String,
        /// Its route table (created when the subnet has none).
        table: String,
        /// Whether the table is new.
        new_table: bool,
        /// The destination range.
        prefix: String,
        /// The appliance's address.
        appliance: IpAddr,
    },
    /// Make an Azure Firewall SNAT what its network rules allow (private ranges
    /// `255.255.255.255/32`), so replies come back to it.
    AlwaysSnat {
        /// The firewall.
        firewall: String,
    },
    /// Call the service by its own FQDN.
    UseFqdn {
        /// The name to use.
        fqdn: String,
    },
}

impl Fix {
    /// Whether the fix acts on the checklist step `step` (the field's first remedy for a
    /// failure there).
    pub fn addresses(&self, step: CheckStep) -> bool {
        matches!(
            (self, step),
            (
                Fix::LinkZone { .. } | Fix::ForwardZone { .. },
                CheckStep::NameResolution
            ) | (Fix::RouteAll { .. }, CheckStep::EntersVnet)
                | (Fix::AddUdr { .. }, CheckStep::Path)
                | (
                    Fix::AllowInNsg { .. } | Fix::EndpointPolicies { .. },
                    CheckStep::Nsgs
                )
                | (
                    Fix::AlwaysSnat { .. },
                    CheckStep::Firewall | CheckStep::ReturnPath
                )
                | (Fix::UseFqdn { .. }, CheckStep::Certificate)
                | (Fix::ColocateEndpoint { .. }, CheckStep::PathQuality)
        )
    }

    /// The fix in one sentence.
    pub fn summary(&self) -> String {
        match self {
            Fix::LinkZone { zone, vnet } => format!("link private DNS zone `{zone}` to VNet `{vnet}`"),
            Fix::RouteAll { app } => format!("turn on route-all (vnetRouteAllEnabled) for `{app}`"),
            Fix::EndpointPolicies { subnet, policies } => format!("set privateEndpointNetworkPolicies of `{subnet}` to {policies:?}"),
            Fix::AllowInNsg { nsg, rule, priority, direction, source, destination, port } => format!("add {direction:?} rule `{rule}` (priority {priority}) to `{nsg}` allowing {source} -> {destination}:{port}"),
            Fix::ColocateEndpoint { endpoint, subnet, ip, copies, .. } => format!("create private endpoint `{endpoint}` at {ip} in `{subnet}`, for the service of `{copies}`, and use it"),
            Fix::ForwardZone { server, domain } => format!("add a conditional forwarder for `{domain}` to 168.63.129.16 on DNS server `{server}`"),
            Fix::AddUdr { subnet, table, prefix, appliance, .. } => format!("route {prefix} from `{subnet}` to the appliance at {appliance} (route table `{table}`)"),
            Fix::AlwaysSnat { firewall } => format!("make firewall `{firewall}` always SNAT network-rule traffic (private ranges 255.255.255.255/32)"),
            Fix::UseFqdn { fqdn } => format!("call the service by its FQDN `{fqdn}`"),
        }
    }

    /// The Azure CLI commands that apply the fix (`<rg>` stands for the resource group).
    pub fn az(&self) -> Vec<String> {
        let split = |s: &str| -> (String, String) {
            let (v, n) = s.split_once('/').unwrap_or((s, ""));
            (v.to_string(), n.to_string())
        };
        match self {
            Fix::LinkZone { zone, vnet } => vec![format!("az network private-dns link vnet create --resource-group <rg> --zone-name {zone} --name link-{vnet} --virtual-network {vnet} --registration-enabled false")],
            Fix::RouteAll { app } => vec![format!("az webapp config set --resource-group <rg> --name {app} --vnet-route-all-enabled true")],
            Fix::EndpointPolicies { subnet, policies } => {
                let (v, n) = split(subnet);
                vec![format!("az network vnet subnet update --resource-group <rg> --vnet-name {v} --name {n} --private-endpoint-network-policies {policies:?}")]
            }
            Fix::AllowInNsg { nsg, rule, priority, direction, source, destination, port } => vec![format!("az network nsg rule create --resource-group <rg> --nsg-name {nsg} --name {rule} --priority {priority} --direction {direction:?} --access Allow --protocol Tcp --source-address-prefixes {source} --destination-address-prefixes {destination} --destination-port-ranges {port}")],
            Fix::ColocateEndpoint { endpoint, subnet, ip, records, .. } => {
                let (v, n) = split(subnet);
                let mut cmds = vec![format!("az network private-endpoint create --resource-group <rg> --name {endpoint} --vnet-name {v} --subnet {n} --private-connection-resource-id <service-id> --group-id <group> --connection-name {endpoint} --ip-config name=ipconfig1 private-ip-address={ip}")];
                for r in records {
                    let (record, zone) = r.split_once('.').unwrap_or((r, ""));
                    cmds.push(format!("az network private-dns record-set a update --resource-group <rg> --zone-name {zone} --name {record} --set aRecords[0].ipv4Address={ip}"));
                }
                cmds
            }
            Fix::ForwardZone { server, domain } => vec![format!("# on DNS server {server} (Windows DNS): Add-DnsServerConditionalForwarderZone -Name {domain} -MasterServers 168.63.129.16")],
            Fix::AddUdr { subnet, table, new_table, prefix, appliance } => {
                let (v, n) = split(subnet);
                let mut cmds = Vec::new();
                if *new_table {
                    cmds.push(format!("az network route-table create --resource-group <rg> --name {table}"));
                    cmds.push(format!("az network vnet subnet update --resource-group <rg> --vnet-name {v} --name {n} --route-table {table}"));
                }
                cmds.push(format!("az network route-table route create --resource-group <rg> --route-table-name {table} --name to-{} --address-prefix {prefix} --next-hop-type VirtualAppliance --next-hop-ip-address {appliance}", prefix.replace(['/', '.'], "-")));
                cmds
            }
            Fix::AlwaysSnat { firewall } => vec![format!("az network firewall policy update --resource-group <rg> --name <policy of {firewall}> --private-ranges 255.255.255.255/32")],
            Fix::UseFqdn { fqdn } => vec![format!("# no Azure change: configure the client to call https://{fqdn}/")],
        }
    }
}

/// A fix that made the flow work, with what it changed.
#[derive(Clone, Debug, Serialize)]
pub struct Suggestion {
    /// The change.
    pub fix: Fix,
    /// One sentence.
    pub summary: String,
    /// The Azure CLI commands.
    pub az: Vec<String>,
    /// The flow as the fixed client makes it (differs from the diagnosed one for a name or
    /// endpoint change).
    pub flow: FlowSpec,
    /// Its verdict after the fix.
    pub verdict: String,
    /// Questions of the scenario that expected this failure and now pass differently.
    pub also_changes: Vec<Asked>,
    /// The changed scenario (applied to the base document).
    #[serde(skip)]
    pub document: Document,
}

/// The suggestion search's result.
#[derive(Clone, Debug, Serialize)]
pub struct Suggestions {
    /// The diagnosis the search started from.
    pub diagnosis: Diagnosis,
    /// Candidate changes tried.
    pub tried: usize,
    /// Candidates refused because they break another question, with the question.
    pub rejected_for_regressions: Vec<(String, Asked)>,
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
    let quality_only = out
        .diagnosis
        .root_cause
        .as_ref()
        .is_some_and(|f| f.step == CheckStep::PathQuality);
    let dns_cause = out
        .diagnosis
        .root_cause
        .as_ref()
        .is_some_and(|f| f.step == CheckStep::NameResolution);
    let before_quality = out.diagnosis.trace.quality.clone();
    let baseline = check(net, dp);
    let context = Context::of(loaded, flow, &out.diagnosis);
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
        let (broken, also) = compare(&loaded.document, &baseline, &after, &context, flow);
        if let Some(q) = broken.first() {
            out.rejected_for_regressions
                .push((fix.summary(), q.clone()));
            continue;
        }
        out.kept.push(Suggestion {
            summary: fix.summary(),
            az: fix.az(),
            verdict: answer.verdict.describe(),
            flow: fixed_flow,
            also_changes: also,
            fix,
            document,
        });
    }
    // Fixes of the root cause itself come first (stable: the checklist's order within each).
    if let Some(cause) = out.diagnosis.root_cause.as_ref().map(|f| f.step) {
        out.kept.sort_by_key(|s| !s.fix.addresses(cause));
    }
    Some(out)
}

/// What identifies "this flow" among the scenario's questions.
struct Context {
    client_vnet: Option<String>,
    client_ip: Option<IpAddr>,
    destination: Option<IpAddr>,
    destination_nic: Option<String>,
}

impl Context {
    fn of(loaded: &Loaded, flow: &FlowSpec, d: &Diagnosis) -> Self {
        let net = &loaded.network;
        let client = match net.nic_by_name(&flow.from) {
            Some(NicRef::Workload(w)) => net.workloads.get(w.0),
            _ => None,
        };
        Context {
            client_vnet: client
                .and_then(|w| net.subnet(w.subnet))
                .and_then(|s| net.vnets.get(s.vnet.0))
                .map(|v| v.name.clone()),
            client_ip: client.map(|w| w.ip),
            destination: d.trace.destination,
            destination_nic: d.trace.forward.last().map(|h| h.nic.clone()),
        }
    }

    /// Whether question `q` asks about the diagnosed flow itself (it states the failure, so it
    /// is expected to change).
    fn about_flow(&self, q: &QuestionDoc, flow: &FlowSpec) -> bool {
        let dest = self.destination.map(|d| d.to_string());
        match q {
            QuestionDoc::Trace { from, to, .. } => {
                from.value == flow.from && (to.value == flow.to || Some(&to.value) == dest.as_ref())
            }
            QuestionDoc::Resolve { from, name, .. } => {
                name.value == flow.to
                    && (from.value == flow.from || Some(&from.value) == self.client_vnet.as_ref())
            }
            QuestionDoc::FlowVerify { at, remote, .. } => {
                Some(&at.value) == self.destination_nic.as_ref()
                    && remote.value.parse().ok() == self.client_ip
            }
            QuestionDoc::NextHop { from, to, .. } => {
                from.value == flow.from && Some(&to.value) == dest.as_ref()
            }
            _ => false,
        }
    }
}

/// Questions that passed before and fail after (regressions), and those that changed but state
/// the diagnosed flow itself.
fn compare(
    doc: &Document,
    before: &CheckReport,
    after: &CheckReport,
    ctx: &Context,
    flow: &FlowSpec,
) -> (Vec<Asked>, Vec<Asked>) {
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

/// The bounded candidate set for `flow`, in the checklist's order.
pub fn candidates(loaded: &Loaded, flow: &FlowSpec, d: &Diagnosis) -> Vec<Fix> {
    let net = &loaded.network;
    let doc = &loaded.document;
    let mut out = Vec::new();
    let client = match net.nic_by_name(&flow.from) {
        Some(NicRef::Workload(w)) => net.workloads.get(w.0),
        _ => None,
    };
    let client_subnet = client.and_then(|w| net.subnet(w.subnet));
    let client_vnet = client_subnet.and_then(|s| net.vnets.get(s.vnet.0));
    // 1. DNS: every zone not linked to the client's VNet.
    if let Some(v) = client_vnet {
        for z in &doc.dns.zones {
            if !z.links.iter().any(|l| l.value == v.name) {
                out.push(Fix::LinkZone {
                    zone: z.name.value.clone(),
                    vnet: v.name.clone(),
                });
            }
        }
    }
    // 2. Route-all for an App Service client.
    if let Some(app) = net
        .app_services
        .iter()
        .find(|a| a.name == flow.from && !a.route_all)
    {
        out.push(Fix::RouteAll {
            app: app.name.clone(),
        });
    }
    // 3. Network policies of the subnets of private endpoints on the path.
    let path_endpoints: BTreeSet<&str> = d.trace.forward.iter().map(|h| h.nic.as_str()).collect();
    let pe_subnets: BTreeSet<&str> = net
        .private_endpoints
        .iter()
        .filter(|p| path_endpoints.contains(p.name.as_str()))
        .filter_map(|p| net.subnet(p.subnet).map(|s| s.name.as_str()))
        .collect();
    for s in pe_subnets {
        let current = net
            .subnet_by_name(s)
            .and_then(|id| net.subnet(id))
            .map(|x| x.private_endpoint_network_policies);
        for p in [
            PrivateEndpointNetworkPolicies::Disabled,
            PrivateEndpointNetworkPolicies::RouteTableEnabled,
            PrivateEndpointNetworkPolicies::NetworkSecurityGroupEnabled,
            PrivateEndpointNetworkPolicies::Enabled,
        ] {
            if Some(p) != current {
                out.push(Fix::EndpointPolicies {
                    subnet: s.to_string(),
                    policies: p,
                });
            }
        }
    }
    // 4. An allow rule in the NSG that dropped the flow.
    if let (Verdict::DroppedByNsg { nsg, nic, .. }, Some(c)) = (&d.trace.verdict, client) {
        let direction = if *nic == c.name {
            Direction::Outbound
        } else {
            Direction::Inbound
        };
        let used: BTreeSet<u32> = doc
            .nsgs
            .iter()
            .filter(|n| n.name.value == *nsg)
            .flat_map(|n| n.rules.iter().map(|r| r.priority.value))
            .collect();
        let hop = d
            .trace
            .forward
            .last()
            .map(|h| h.packet.dst)
            .or(d.trace.destination);
        if let (Some(priority), Some(hop)) = ((100..=4096).find(|p| !used.contains(p)), hop) {
            out.push(Fix::AllowInNsg {
                nsg: nsg.clone(),
                rule: format!("allow-{}-{}", c.name, flow.port),
                priority,
                direction,
                source: format!("{}/32", c.ip),
                destination: format!("{hop}/32"),
                port: flow.port,
            });
        }
    }
    // 5. The private endpoint reached, re-created in the client's VNet.
    let reached = d
        .trace
        .forward
        .iter()
        .rev()
        .find_map(|h| match net.nic_by_name(&h.nic) {
            Some(NicRef::PrivateEndpoint(p)) => net.private_endpoints.get(p.0),
            _ => None,
        });
    if let (Some(pe), Some(v), Some(cs)) = (
        reached.filter(|p| p.target.is_some()),
        client_vnet,
        client_subnet,
    ) {
        let pe_vnet = net.subnet(pe.subnet).map(|s| s.vnet);
        if pe_vnet != client_subnet.map(|s| s.vnet) {
            // Prefer a subnet of the client's VNet that already holds private endpoints, else
            // the client's own subnet (an App Service integration subnet is delegated: skip it).
            let integration: BTreeSet<usize> = net
                .app_services
                .iter()
                .filter_map(|a| net.workloads.get(a.workload.0))
                .map(|w| w.subnet.0)
                .collect();
            let subnet = v
                .subnets
                .iter()
                .find(|s| net.private_endpoints.iter().any(|p| p.subnet == **s))
                .or_else(|| v.subnets.iter().find(|s| !integration.contains(&s.0)))
                .and_then(|s| net.subnet(*s))
                .unwrap_or(cs);
            let taken: BTreeSet<IpAddr> = net
                .workloads
                .iter()
                .map(|w| w.ip)
                .chain(net.private_endpoints.iter().map(|p| p.ip))
                .collect();
            if let Some(ip) = subnet.prefix.hosts().skip(3).find(|a| !taken.contains(a)) {
                let records = doc
                    .dns
                    .zones
                    .iter()
                    .flat_map(|z| {
                        z.records
                            .iter()
                            .filter(|r| r.a.iter().any(|a| a.value == pe.ip.to_string()))
                            .map(move |r| format!("{}.{}", r.name.value, z.name.value))
                    })
                    .collect();
                out.push(Fix::ColocateEndpoint {
                    endpoint: format!("{}-{}", pe.name, v.name),
                    subnet: subnet.name.clone(),
                    ip,
                    copies: pe.name.clone(),
                    records,
                });
            }
        }
    }
    // 6. A conditional forwarder on the client's custom DNS server, when the name resolved
    //    publicly (or not at all) and a private zone exists for it.
    if let (Some(v), Some(res)) = (client_vnet, d.trace.resolution.as_ref()) {
        let private = res.address().is_some_and(crate::model::is_private);
        let server = v
            .dns_servers
            .first()
            .and_then(|ip| net.dns.forwarders.iter().find(|f| f.ip == *ip));
        let service = net.services.iter().find(|s| s.fqdn == res.name);
        if let (false, Some(f), Some(s)) = (private, server, service) {
            let domain = s.kind.public_zone().to_string();
            if !f.rules.iter().any(|r| r.domain == domain) {
                out.push(Fix::ForwardZone {
                    server: f.name.clone(),
                    domain,
                });
            }
        }
    }
    // 7. A UDR to an appliance the client's VNet reaches directly, for a destination it has no
    //    route to (or a dropping one).
    if let (Verdict::NoRoute { .. }, Some(cs), Some(c), Some(dst)) =
        (&d.trace.verdict, client_subnet, client, d.trace.destination)
    {
        let prefix = net
            .vnets
            .iter()
            .flat_map(|v| v.address_space.iter())
            .find(|p| p.contains(&dst))
            .copied()
            .unwrap_or_else(|| ipnet::IpNet::from(dst));
        let reachable = |vnet: crate::model::VnetId| {
            vnet == cs.vnet || net.connected_peers(cs.vnet).any(|(_, r)| r == vnet)
        };
        let appliances = net
            .workloads
            .iter()
            .filter(|w| w.forwarding.is_some())
            .map(|w| (w.subnet, w.ip))
            .chain(net.firewalls.iter().map(|f| (f.subnet, f.ip)))
            .filter(|(s, _)| net.subnet(*s).is_some_and(|x| reachable(x.vnet)));
        let (table, new_table) = match cs.route_table.and_then(|t| net.route_table(t)) {
            Some(t) => (t.name.clone(), false),
            None => (format!("rt-{}", cs.name.replace('/', "-")), true),
        };
        for (_, ip) in appliances {
            if ip != c.ip {
                out.push(Fix::AddUdr {
                    subnet: cs.name.clone(),
                    table: table.clone(),
                    new_table,
                    prefix: prefix.to_string(),
                    appliance: ip,
                });
            }
        }
    }
    // 8. SNAT at the firewall that saw only half the flow.
    if let Verdict::AsymmetricReturnDropped { device, .. } = &d.trace.verdict {
        if let Some(f) = net.firewalls.iter().find(|f| f.name == *device) {
            let always = f.snat_private_ranges.iter().any(|r| r.prefix_len() == 32);
            if !always {
                out.push(Fix::AlwaysSnat {
                    firewall: f.name.clone(),
                });
            }
        }
    }
    // 9. The service's own FQDN instead of an address or a privatelink name.
    let fqdn = reached
        .and_then(|pe| {
            pe.service
                .and_then(|s| net.services.get(s.0))
                .map(|s| s.fqdn.clone())
                .or_else(|| pe.target.clone().filter(|t| t.contains('.')))
        })
        .or_else(|| {
            net.services
                .iter()
                .find(|s| Some(s.public_ip) == d.trace.destination)
                .map(|s| s.fqdn.clone())
        });
    if let Some(fqdn) = fqdn.filter(|f| *f != flow.to) {
        out.push(Fix::UseFqdn { fqdn });
    }
    out
}

/// The scenario and the flow with `fix` applied; `None` when the fix cannot be written.
pub fn apply(doc: &Document, flow: &FlowSpec, fix: &Fix) -> Option<(Document, FlowSpec)> {
    let mut doc = doc.clone();
    let mut flow = flow.clone();
    let text = |s: &str| Text::new(s.to_string());
    match fix {
        Fix::LinkZone { zone, vnet } => {
            doc.dns
                .zones
                .iter_mut()
                .find(|z| z.name.value == *zone)?
                .links
                .push(text(vnet));
        }
        Fix::RouteAll { app } => {
            doc.app_services
                .iter_mut()
                .find(|a| a.name.value == *app)?
                .route_all = true;
        }
        Fix::EndpointPolicies { subnet, policies } => {
            let (v, s) = subnet.split_once('/')?;
            let vnet = doc.vnets.iter_mut().find(|x| x.name.value == v)?;
            vnet.subnets
                .iter_mut()
                .find(|x| x.name.value == s)?
                .private_endpoint_network_policies = *policies;
        }
        Fix::AllowInNsg {
            nsg,
            rule,
            priority,
            direction,
            source,
            destination,
            port,
        } => {
            let n = doc.nsgs.iter_mut().find(|n| n.name.value == *nsg)?;
            n.rules.push(NsgRuleDoc {
                name: text(rule),
                priority: Spanned::new(*priority),
                direction: *direction,
                access: Access::Allow,
                protocol: crate::scenario::Protocol::Tcp,
                source: vec![text(source)],
                source_ports: vec![text("*")],
                destination: vec![text(destination)],
                destination_ports: vec![text(&port.to_string())],
            });
        }
        Fix::ColocateEndpoint {
            endpoint,
            subnet,
            ip,
            copies,
            records,
        } => {
            let old = doc
                .private_endpoints
                .iter()
                .find(|p| p.name.value == *copies)?
                .clone();
            let old_ip = old.ip.value.clone();
            doc.private_endpoints.push(PrivateEndpointDoc {
                name: text(endpoint),
                subnet: text(subnet),
                ip: text(&ip.to_string()),
                target: old.target,
            });
            for z in &mut doc.dns.zones {
                for r in &mut z.records {
                    if records.contains(&format!("{}.{}", r.name.value, z.name.value)) {
                        for a in &mut r.a {
                            if a.value == old_ip {
                                a.value = ip.to_string();
                            }
                        }
                    }
                }
            }
            if flow.to == old_ip {
                flow.to = ip.to_string();
            }
        }
        Fix::ForwardZone { server, domain } => {
            doc.dns
                .forwarders
                .iter_mut()
                .find(|f| f.workload.value == *server)?
                .rules
                .push(crate::scenario::ForwardRuleDoc {
                    domain: text(domain),
                    forward_to: vec![text("168.63.129.16")],
                });
        }
        Fix::AddUdr {
            subnet,
            table,
            new_table,
            prefix,
            appliance,
        } => {
            if *new_table {
                doc.route_tables.push(crate::scenario::RouteTableDoc {
                    name: text(table),
                    propagate_gateway_routes: true,
                    routes: Vec::new(),
                });
                let (v, s) = subnet.split_once('/')?;
                doc.vnets
                    .iter_mut()
                    .find(|x| x.name.value == v)?
                    .subnets
                    .iter_mut()
                    .find(|x| x.name.value == s)?
                    .route_table = Some(text(table));
            }
            doc.route_tables
                .iter_mut()
                .find(|t| t.name.value == *table)?
                .routes
                .push(crate::scenario::RouteDoc {
                    name: text(&format!("to-{}", prefix.replace(['/', '.'], "-"))),
                    prefix: text(prefix),
                    next_hop: crate::scenario::NextHopDoc::VirtualAppliance(text(
                        &appliance.to_string(),
                    )),
                });
        }
        Fix::AlwaysSnat { firewall } => {
            doc.firewalls
                .iter_mut()
                .find(|f| f.name.value == *firewall)?
                .snat_private_ranges = crate::scenario::SnatRangesDoc::Always;
        }
        Fix::UseFqdn { fqdn } => {
            flow.to = fqdn.clone();
            flow.host = None;
        }
    }
    Some((doc, flow))
}

/// A kept suggestion as a variant document of `base` (a path relative to where the variant is
/// written): the changed objects only, the fixed flow as its question, expected `Delivered`.
pub fn variant(base: &str, original: &Document, s: &Suggestion) -> Document {
    let after = &s.document;
    let mut v = Document {
        extends: Some(Text::new(base.to_string())),
        title: format!("Fix: {}", s.summary),
        takeaway: Some(s.summary.clone()),
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
        expect: TraceExpectDoc {
            verdict: VerdictName::Delivered,
            via: Vec::new(),
            not_via: Vec::new(),
            symptom: None,
            regions: None,
        },
    }];
    v
}
