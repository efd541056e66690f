//! Services, DNS, App Service integration and API Management: names resolved, addresses parsed,
//! and the rules Azure enforces (zone names, dedicated resolver subnets, one link per zone and
//! VNet) checked.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;

use super::{find, unknown_name_hint, Resolver};
use crate::model::*;
use crate::scenario::{self as doc, Span, Text};

/// Lower case, without a trailing dot.
fn fqdn(text: &str) -> String {
    text.trim().trim_end_matches('.').to_lowercase()
}

/// Every public name a service of `kind` whose FQDN is `fqdn` answers on, `fqdn` first: the
/// same first label in each public zone of the kind (an AI Foundry / AI services account answers
/// on `<name>.cognitiveservices.azure.com`, `<name>.openai.azure.com` and
/// `<name>.services.ai.azure.com`). `None`: `fqdn` is in none of the kind's zones.
pub(crate) fn service_names(kind: ServiceKind, fqdn: &str) -> Option<Vec<String>> {
    let (own, _) = kind.zone_of(fqdn)?;
    let label = fqdn.split('.').next()?;
    let mut names = vec![fqdn.to_string()];
    for (zone, _) in kind.zones() {
        if *zone != own {
            names.push(format!("{label}.{zone}"));
        }
    }
    Some(names)
}

impl Resolver {
    pub(super) fn services(&mut self, services: &[doc::ServiceDoc]) {
        let mut seen = BTreeMap::new();
        for (i, s) in services.iter().enumerate() {
            if !self.unique(&mut seen, &s.name, "service") {
                continue;
            }
            let name = fqdn(&s.fqdn.value);
            let Some(fqdns) = service_names(s.kind, &name) else {
                let zones: Vec<String> = s
                    .kind
                    .zones()
                    .iter()
                    .map(|(z, _)| format!("`<name>.{z}`"))
                    .collect();
                let zone = s.kind.public_zone();
                self.error(
                    s.fqdn.span,
                    format!(
                        "service `{}` FQDN `{name}` is not a name under `{zone}`",
                        s.name.value
                    ),
                    Some(format!(
                        "a {:?} service is named {}",
                        s.kind,
                        zones.join(" or ")
                    )),
                );
                continue;
            };
            let public_ip = match &s.public_ip {
                Some(t) => match self
                    .public_ips(std::slice::from_ref(t), "service public IP")
                    .first()
                {
                    Some(ip) => *ip,
                    None => continue,
                },
                // A placeholder in TEST-NET-2, so that an invented address is plainly one.
                None => IpAddr::V4(Ipv4Addr::new(
                    198,
                    51,
                    100,
                    10u8.saturating_add(u8::try_from(i % 200).unwrap_or(0)),
                )),
            };
            // Unset: enabled (a web app with a private endpoint is closed later,
            // [`Resolver::web_apps_closed_by_endpoints`]).
            let public_access = match &s.public_network_access {
                None | Some(doc::PublicAccessDoc::Enabled) => PublicAccess::Enabled,
                Some(doc::PublicAccessDoc::Disabled) => PublicAccess::Disabled,
                Some(doc::PublicAccessDoc::SelectedNetworks(list)) => {
                    PublicAccess::SelectedNetworks(
                        list.iter()
                            .filter_map(|t| self.prefix(t, "allowed network"))
                            .collect::<Vec<IpNet>>(),
                    )
                }
            };
            let scm_fqdn = scm_name(s.kind, &name);
            let certificate_names = if s.certificate_names.is_empty() {
                fqdns
                    .iter()
                    .chain(scm_fqdn.iter())
                    .filter_map(|f| f.split_once('.'))
                    .map(|(_, parent)| format!("*.{parent}"))
                    .collect()
            } else {
                s.certificate_names.iter().map(|t| fqdn(&t.value)).collect()
            };
            let access_restrictions = self.access_restrictions(s);
            let scm_restrictions = self.scm_restrictions(s);
            let secure_transfer_required = self.secure_transfer_required(s);
            self.net.services.push(Service {
                name: s.name.value.clone(),
                kind: s.kind,
                fqdn: name,
                fqdns,
                public_ip,
                public_access,
                certificate_names,
                private_endpoints_elsewhere: s.private_endpoints_elsewhere,
                access_restrictions,
                span: s.name.span,
                scm_fqdn,
                scm_restrictions,
                secure_transfer_required,
            });
        }
    }

    /// A private endpoint's `target` names a service when it has no dot; a dotless name that is
    /// no service is a typo.
    pub(super) fn pe_targets(&mut self, endpoints: &[doc::PrivateEndpointDoc]) {
        let services: std::collections::BTreeSet<&str> =
            self.net.services.iter().map(|s| s.name.as_str()).collect();
        let mut unknown: Vec<&Text> = Vec::new();
        for pe in endpoints {
            let Some(t) = &pe.target else { continue };
            if !t.value.contains('.') && !services.contains(t.value.as_str()) {
                unknown.push(t);
            }
        }
        for t in unknown {
            let names = self.net.services.iter().map(|s| s.name.as_str());
            let hint = unknown_name_hint(&t.value, names, "service");
            self.error(t.span, format!("unknown service `{}`", t.value), Some(hint));
        }
    }

    pub(super) fn app_services(&mut self, apps: &[doc::AppServiceDoc]) {
        for a in apps {
            let Some(subnet) = &a.integration_subnet else {
                self.error(
                    a.name.span,
                    format!("app service `{}` has no `integration_subnet`", a.name.value),
                    Some("azpath traces apps with regional VNet integration; name the integration subnet".into()),
                );
                continue;
            };
            let ip_text = match &a.instance_ip {
                Some(t) => t.clone(),
                None => {
                    // The first address Azure hands out in a subnet: the network address + 4.
                    let first = self
                        .subnet_ids
                        .get(&subnet.value)
                        .and_then(|id| self.net.subnet(*id))
                        .map(|s| match s.prefix {
                            IpNet::V4(p) => IpAddr::from(Ipv4Addr::from(
                                u32::from(p.network()).saturating_add(4),
                            )),
                            IpNet::V6(p) => IpAddr::from(p.network()),
                        });
                    let mut t = Text::new(first.map(|ip| ip.to_string()).unwrap_or_default());
                    t.span = subnet.span;
                    t
                }
            };
            let Some((subnet_id, ip)) = self.nic(&a.name, subnet, &ip_text, "app service") else {
                continue;
            };
            let workload = WorkloadId(self.net.workloads.len());
            self.net.workloads.push(Workload {
                name: a.name.value.clone(),
                kind: WorkloadKind::Vm,
                subnet: subnet_id,
                ip,
                nsg: None,
                forwarding: None,
                span: a.name.span,
            });
            let dns_servers = a
                .dns_servers
                .iter()
                .filter_map(|t| self.host_ip(t, "DNS server"))
                .collect();
            let outbound_ip = a.outbound_ip.as_ref().and_then(|t| {
                self.public_ips(std::slice::from_ref(t), "outbound IP")
                    .first()
                    .copied()
            });
            self.net.app_services.push(AppService {
                name: a.name.value.clone(),
                workload,
                route_all: a.route_all,
                dns_servers,
                outbound_ip,
            });
        }
    }

    pub(super) fn api_managements(&mut self, apims: &[doc::ApiManagementDoc]) {
        for m in apims {
            let Some((subnet, ip)) = self.nic(&m.name, &m.subnet, &m.private_ip, "API Management")
            else {
                continue;
            };
            if self.net.subnet(subnet).is_some_and(|s| s.nsg.is_none()) {
                self.warn(
                    m.subnet.span,
                    format!("the subnet of API Management `{}` has no NSG", m.name.value),
                    Some("Microsoft requires an NSG on the API Management subnet for its load balancer to work".into()),
                );
            }
            let workload = WorkloadId(self.net.workloads.len());
            self.net.workloads.push(Workload {
                name: m.name.value.clone(),
                kind: WorkloadKind::Vm,
                subnet,
                ip,
                nsg: None,
                forwarding: None,
                span: m.name.span,
            });
            let hostnames = if m.hostnames.is_empty() {
                let n = m.name.value.to_lowercase();
                ["", ".portal", ".developer", ".management", ".scm"]
                    .iter()
                    .map(|part| format!("{n}{part}.azure-api.net"))
                    .collect()
            } else {
                m.hostnames.iter().map(|t| fqdn(&t.value)).collect()
            };
            self.net.api_managements.push(ApiManagement {
                name: m.name.value.clone(),
                mode: m.mode,
                workload,
                hostnames,
            });
        }
    }

    pub(super) fn dns(&mut self, d: &doc::DnsDoc) {
        self.zones(&d.zones);
        self.forwarders(&d.forwarders);
        self.inbound_endpoints(&d.inbound_endpoints);
        self.rulesets(&d.rulesets);
        self.net.dns.public_records = self.sorted_records(&d.public_records, None);
        self.public_names();
    }

    /// DNS forwarders: workloads that forward by rule, else recurse or forward everything.
    fn forwarders(&mut self, forwarders: &[doc::ForwarderDoc]) {
        for f in forwarders {
            let Some(w) = self.found(find(&self.workload_ids(), &f.workload, "workload")) else {
                continue;
            };
            let Some((ip, vnet)) = self
                .net
                .workloads
                .get(w)
                .and_then(|x| Some((x.ip, self.net.subnet(x.subnet)?.vnet)))
            else {
                continue;
            };
            let rules = self.forward_rules(&f.rules);
            let otherwise = match &f.otherwise {
                doc::OtherwiseDoc::Recursive => None,
                doc::OtherwiseDoc::Forward(list) => Some(
                    list.iter()
                        .filter_map(|t| self.host_ip(t, "DNS server"))
                        .collect(),
                ),
            };
            self.net.dns.forwarders.push(Forwarder {
                workload: w,
                name: f.workload.value.clone(),
                ip,
                vnet,
                rules,
                otherwise,
            });
        }
    }

    /// DNS Private Resolver inbound endpoints, each in a dedicated subnet.
    fn inbound_endpoints(&mut self, endpoints: &[doc::InboundEndpointDoc]) {
        let mut seen = BTreeMap::new();
        for e in endpoints {
            if !self.unique(&mut seen, &e.name, "inbound endpoint") {
                continue;
            }
            let Some(subnet) = self.found(find(&self.subnet_ids, &e.subnet, "subnet")) else {
                continue;
            };
            let Some(ip) = self.ip(&e.ip, "inbound endpoint address") else {
                continue;
            };
            let Some(s) = self.net.subnet(subnet) else {
                continue;
            };
            let (vnet, prefix) = (s.vnet, s.prefix);
            if !prefix.contains(&ip) {
                self.error(
                    e.ip.span,
                    format!(
                        "inbound endpoint `{}` address `{ip}` is outside `{}` (`{prefix}`)",
                        e.name.value, e.subnet.value
                    ),
                    Some(format!("pick an address in `{prefix}`")),
                );
                continue;
            }
            if self.net.workloads.iter().any(|w| w.subnet == subnet)
                || self
                    .net
                    .private_endpoints
                    .iter()
                    .any(|p| p.subnet == subnet)
            {
                self.error(
                    e.subnet.span,
                    format!(
                        "subnet `{}` of inbound endpoint `{}` holds other resources",
                        e.subnet.value, e.name.value
                    ),
                    Some("a DNS Private Resolver endpoint needs a dedicated subnet".into()),
                );
                continue;
            }
            self.net.dns.inbound_endpoints.push(InboundEndpoint {
                name: e.name.value.clone(),
                vnet,
                ip,
            });
        }
    }

    /// DNS forwarding rulesets and the vnets they are linked to.
    fn rulesets(&mut self, rulesets: &[doc::RulesetDoc]) {
        let mut seen = BTreeMap::new();
        for r in rulesets {
            if !self.unique(&mut seen, &r.name, "DNS forwarding ruleset") {
                continue;
            }
            let links = r
                .links
                .iter()
                .filter_map(|t| self.found(find(&self.vnet_ids, t, "vnet")))
                .collect();
            let rules = self.forward_rules(&r.rules);
            self.net.dns.rulesets.push(Ruleset {
                name: r.name.value.clone(),
                links,
                rules,
            });
        }
    }

    /// Records sorted by name for look-ups; a name given twice is an error.
    fn sorted_records(&mut self, records: &[doc::RecordDoc], zone: Option<&str>) -> Vec<Record> {
        let mut out: Vec<(Record, Span)> = records
            .iter()
            .filter_map(|r| self.record(r, zone).map(|x| (x, r.name.span)))
            .collect();
        out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        let mut kept: Vec<Record> = Vec::new();
        for (r, span) in out {
            if kept.last().is_some_and(|k| k.name == r.name) {
                self.error(
                    span,
                    format!("record set `{}` is given twice", r.name),
                    Some("put all addresses of a name in one record set".into()),
                );
                continue;
            }
            kept.push(r);
        }
        kept
    }

    /// The services' public names, indexed for the resolver.
    fn public_names(&mut self) {
        let net = &self.net;
        let mut names: Vec<(String, PublicName)> = Vec::new();
        // Which services have a private endpoint here, marked in one pass over the endpoints.
        let mut has_endpoint = vec![false; net.services.len()];
        for p in net.private_endpoints.iter() {
            if let Some(flag) = p.service.and_then(|ServiceId(i)| has_endpoint.get_mut(i)) {
                *flag = true;
            }
        }
        for (i, s) in net.services.iter().enumerate() {
            let service = ServiceId(i);
            let private_link =
                s.private_endpoints_elsewhere || has_endpoint.get(i).copied().unwrap_or(false);
            for f in &s.fqdns {
                names.push((
                    f.clone(),
                    PublicName::Fqdn {
                        service,
                        private_link,
                    },
                ));
            }
            if let Some(scm) = &s.scm_fqdn {
                names.push((
                    scm.clone(),
                    PublicName::Fqdn {
                        service,
                        private_link,
                    },
                ));
            }
            if private_link {
                for p in s.privatelink_names() {
                    names.push((p, PublicName::PrivateLink { service }));
                }
                if let Some(p) = s.scm_privatelink_name() {
                    names.push((p, PublicName::PrivateLink { service }));
                }
            }
        }
        names.sort_by(|a, b| a.0.cmp(&b.0));
        names.dedup_by(|a, b| a.0 == b.0);
        self.net.dns.public_names = names;
    }

    fn zones(&mut self, zones: &[doc::ZoneDoc]) {
        let mut seen = BTreeMap::new();
        let shared = super::zone_copies::shared_names(zones);
        let mut by_name: BTreeMap<(VnetId, String), String> = BTreeMap::new();
        for z in zones {
            let Some(resource_group) = self.zone_identity(&mut seen, z, &shared) else {
                continue;
            };
            let name = fqdn(&z.name.value);
            let label = zone_label(resource_group.as_deref(), &name);
            if name.split('.').count() < 2 {
                self.error(
                    z.name.span,
                    format!("private DNS zone `{name}` has a single label"),
                    Some(
                        "Azure requires at least two labels, e.g. `privatelink.openai.azure.com`"
                            .into(),
                    ),
                );
                continue;
            }
            let mut links: Vec<(VnetId, ResolutionPolicy)> = Vec::new();
            let mut linked: BTreeMap<VnetId, usize> = BTreeMap::new();
            for t in &z.links {
                let Some(v) = self.found(find(&self.vnet_ids, t, "vnet")) else {
                    continue;
                };
                if self.refuse_hub_link(t, v, &name) {
                    continue;
                }
                if linked.contains_key(&v) {
                    self.error(
                        t.span,
                        format!("vnet `{}` is linked to zone `{label}` twice", t.value),
                        Some("Azure allows one link per zone and vnet".into()),
                    );
                    continue;
                }
                if !self.one_zone_of_a_name_per_vnet(&mut by_name, t, v, &name, &label) {
                    continue;
                }
                linked.insert(v, links.len());
                links.push((v, ResolutionPolicy::Default));
            }
            for t in &z.nx_domain_redirect {
                let Some(v) = self.found(find(&self.vnet_ids, t, "vnet")) else {
                    continue;
                };
                if !name.starts_with("privatelink.") {
                    self.error(
                        t.span,
                        format!("zone `{name}` is not a privatelink zone, so it cannot fall back to the Internet"),
                        Some("`NxDomainRedirect` is only for links of `privatelink.*` zones".into()),
                    );
                    continue;
                }
                match linked.get(&v).and_then(|i| links.get_mut(*i)) {
                    Some(link) => link.1 = ResolutionPolicy::NxDomainRedirect,
                    None => self.error(
                        t.span,
                        format!("vnet `{}` is not linked to zone `{name}`", t.value),
                        Some("list it in `links` too; the policy is a property of the link".into()),
                    ),
                }
            }
            let records = self.sorted_records(&z.records, Some(&name));
            self.net.dns.zones.push(Zone {
                name,
                resource_group,
                links,
                records,
            });
        }
    }

    /// A record; in a zone, its name is relative (`@` for the apex).
    fn record(&mut self, r: &doc::RecordDoc, zone: Option<&str>) -> Option<Record> {
        if !self.well_formed_name(&r.name, "record") {
            return None;
        }
        let rel = fqdn(&r.name.value);
        let apex = zone.is_some() && rel == "@";
        let name = match zone {
            Some(z) if rel == "@" => z.to_string(),
            Some(z) => {
                if rel.ends_with(z) && rel != z {
                    self.warn(
                        r.name.span,
                        format!("record `{rel}` already ends with its zone `{z}`"),
                        Some(format!(
                            "names in a zone are relative: this one is `{rel}.{z}`"
                        )),
                    );
                }
                format!("{rel}.{z}")
            }
            None => rel,
        };
        let data = match (&r.cname, r.a.is_empty()) {
            (Some(_), true) if apex => {
                self.error(
                    r.name.span,
                    format!("record `@` of zone `{name}` is a CNAME"),
                    Some("a CNAME cannot be at a zone apex, which holds the zone's SOA and NS records (RFC 1034 §3.6.2); use A records".into()),
                );
                return None;
            }
            (Some(c), true) => RecordData::Cname(fqdn(&c.value)),
            (None, false) => RecordData::A(
                r.a.iter()
                    .filter_map(|t| self.host_ip(t, "record address"))
                    .collect(),
            ),
            _ => {
                self.error(
                    r.name.span,
                    format!("record `{name}` must hold either addresses or one CNAME"),
                    Some("a CNAME cannot share its name with other records".into()),
                );
                return None;
            }
        };
        Some(Record { name, data })
    }

    fn forward_rules(&mut self, rules: &[doc::ForwardRuleDoc]) -> Vec<ForwardRule> {
        rules
            .iter()
            .map(|r| ForwardRule {
                domain: fqdn(&r.domain.value),
                targets: r
                    .forward_to
                    .iter()
                    .filter_map(|t| self.host_ip(t, "DNS server"))
                    .collect(),
            })
            .collect()
    }

    fn workload_ids(&self) -> BTreeMap<String, WorkloadId> {
        self.net
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| (w.name.clone(), WorkloadId(i)))
            .collect()
    }
}

impl Resolver {
    /// A web app whose `publicNetworkAccess` was never set has public access off once it has a
    /// private endpoint ("If you don't set it ... public access is enabled unless a private
    /// endpoint exists", <https://learn.microsoft.com/azure/app-service/overview-access-restrictions>).
    pub(super) fn web_apps_closed_by_endpoints(
        &mut self,
        services: &[doc::ServiceDoc],
        endpoints: &[doc::PrivateEndpointDoc],
    ) {
        let targets = super::endpoint_targets(endpoints);
        for s in services {
            let has_endpoint =
                s.private_endpoints_elsewhere || targets.contains(s.name.value.as_str());
            if !web_app_public_access_implicitly_off(
                s.kind,
                s.public_network_access.is_some(),
                has_endpoint,
            ) {
                continue;
            }
            if let Some(service) = self
                .net
                .services
                .iter_mut()
                .find(|x| x.name == s.name.value)
            {
                service.public_access = PublicAccess::Disabled;
            }
        }
    }

    /// A storage account's "secure transfer required" as written; on any other kind it is
    /// refused (no other service has the setting), at the value's place.
    pub(super) fn secure_transfer_required(&mut self, s: &doc::ServiceDoc) -> Option<bool> {
        let set = s.secure_transfer_required.as_ref()?;
        if !s.kind.is_storage() {
            self.error(
                set.span,
                format!(
                    "service `{}` is {:?}, and only a storage account has \"secure transfer required\"",
                    s.name.value, s.kind
                ),
                Some("remove `secure_transfer_required`, or give the storage kind (StorageBlob, StorageFile, ...)".into()),
            );
            return None;
        }
        Some(set.value)
    }
}

/// Whether a service's public access is off without being set: a web app with a private
/// endpoint and no explicit `publicNetworkAccess`.
fn web_app_public_access_implicitly_off(
    kind: doc::ServiceKind,
    set: bool,
    has_endpoint: bool,
) -> bool {
    kind == doc::ServiceKind::WebApp && !set && has_endpoint
}

#[cfg(test)]
mod web_app_tests {
    use super::*;

    #[test]
    fn a_web_app_with_a_private_endpoint_has_public_access_off_unless_set() {
        let web = doc::ServiceKind::WebApp;
        assert!(web_app_public_access_implicitly_off(web, false, true));
        assert!(!web_app_public_access_implicitly_off(web, true, true));
        assert!(!web_app_public_access_implicitly_off(web, false, false));
        assert!(!web_app_public_access_implicitly_off(
            doc::ServiceKind::KeyVault,
            false,
            true
        ));
    }
}
