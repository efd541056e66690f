//! Name resolution as a client in Azure sees it (Microsoft Learn, "Azure Private Endpoint DNS
//! configuration", "What is a virtual network link?", "Azure DNS Private Resolver", "Fallback
//! to internet for Azure Private DNS zones", "Name resolution for resources in Azure virtual
//! networks"):
//!
//! - a client asks its VNet's DNS servers (Azure DNS, 168.63.129.16, unless custom servers are
//!   set; an integrated App Service may override them);
//! - Azure DNS answers in the context of a VNet: forwarding rulesets linked to it first (longest
//!   domain wins; azpath's assumption where a private zone covers the same name), then the
//!   private zones linked to it (the longest zone owning the name is authoritative: a missing
//!   record is NXDOMAIN unless the link falls back to the Internet), then public DNS;
//! - links do not follow peering: each VNet resolves with its own links;
//! - publicly, a service with private endpoints is a CNAME to `<name>.privatelink.<zone>`, which
//!   a linked privatelink zone answers privately; elsewhere the chain ends at the public IP;
//! - a custom server applies its conditional forwarders (longest domain wins), forwarding to
//!   168.63.129.16 means Azure DNS in the server's own VNet; a resolver inbound endpoint is Azure
//!   DNS in the endpoint's VNet;
//! - an Azure Firewall's private IP answers DNS only with the firewall policy's DNS proxy on:
//!   it forwards the query to the firewall's own DNS servers (Azure DNS from the firewall's
//!   VNet unless custom servers are set); with the proxy off nothing listens on port 53 and the
//!   client's query times out ("Azure Firewall DNS settings",
//!   <https://learn.microsoft.com/azure/firewall/dns-settings>);
//! - every query is recorded, and a repeated (server, name) or more than 16 steps is a loop.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::model::{
    find_record, under, DnsPoint, FirewallId, ForwarderId, InboundEndpointId, Network, PublicName,
    RecordData, ResolutionPolicy, RulesetId, VnetId, AZURE_DNS,
};

/// The most queries and aliases one resolution may take before azpath calls it a loop.
pub const STEP_LIMIT: usize = 16;

pub use crate::model::Resolver;

/// How a resolution ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "outcome")]
#[non_exhaustive]
pub enum DnsOutcome {
    /// The name has these addresses.
    Resolved {
        /// The addresses (the client uses the first).
        addresses: Vec<IpAddr>,
    },
    /// The authoritative answer: no such name.
    NxDomain,
    /// The query went round in circles.
    Loop,
    /// No server that the client (or a forwarder) asked exists in the scenario.
    NoServer {
        /// The server address nobody holds.
        server: IpAddr,
    },
    /// The query went to an Azure Firewall's private IP, whose policy has the DNS proxy off:
    /// nothing listens on port 53 there, and the query times out.
    DnsProxyDisabled {
        /// The firewall.
        firewall: String,
        /// Its private IP, the server asked.
        server: IpAddr,
    },
}

/// One step of a resolution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "step")]
pub enum DnsStep {
    /// A server is asked.
    Ask {
        /// The server, described.
        server: String,
        /// The name asked for.
        name: String,
    },
    /// A forwarding rule (of a ruleset or a DNS server) sends the query on.
    Forward {
        /// The ruleset or server holding the rule.
        by: String,
        /// The rule's domain (`.` for all).
        domain: String,
        /// Where it goes.
        to: IpAddr,
    },
    /// A private zone linked to the VNet owns the name.
    PrivateZone {
        /// The zone.
        zone: String,
        /// The VNet whose link made it answer.
        vnet: String,
        /// The record found, if any.
        found: Option<String>,
    },
    /// The private zone has no record, and the link falls back to the Internet.
    FallbackToInternet {
        /// The zone.
        zone: String,
    },
    /// A CNAME.
    Alias {
        /// The name.
        from: String,
        /// Its alias.
        to: String,
        /// Where the record is: a private zone or public DNS.
        source: String,
    },
    /// An address answer.
    Address {
        /// The name.
        name: String,
        /// Its addresses.
        addresses: Vec<IpAddr>,
        /// Where the record is.
        source: String,
    },
    /// No record anywhere that was asked.
    NoRecord {
        /// The name.
        name: String,
        /// Who answered NXDOMAIN.
        source: String,
    },
}

/// A resolution: the name, every step, and the outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Resolution {
    /// The name asked for.
    pub name: String,
    /// Who asked.
    pub client: String,
    /// What happened, in order.
    pub steps: Vec<DnsStep>,
    /// How it ended.
    pub outcome: DnsOutcome,
    /// The zones, DNS servers, resolver endpoints and rulesets it passed, in order, as ids (for
    /// checking a question's `via`; the steps above name them for people).
    #[serde(skip)]
    pub(crate) passed: Vec<DnsPoint>,
}

impl Resolution {
    /// The first address, if resolved.
    pub fn address(&self) -> Option<IpAddr> {
        match &self.outcome {
            DnsOutcome::Resolved { addresses } => addresses.first().copied(),
            _ => None,
        }
    }
}

/// A resolution under way. A repeated (server, name) is a loop: the servers and names asked are
/// the `Ask` steps themselves, so no set of them is kept beside the steps.
struct Walk<'a> {
    net: &'a Network,
    steps: Vec<DnsStep>,
    passed: Vec<DnsPoint>,
}

impl<'a> Walk<'a> {
    fn new(net: &'a Network) -> Self {
        // A name through a CNAME into a private zone takes five steps.
        Walk {
            net,
            steps: Vec::with_capacity(6),
            passed: Vec::with_capacity(2),
        }
    }
}

/// `name` as resolvers compare it: trimmed, without the final dot, in lower case (an ASCII name,
/// every DNS name on the wire, lowered in place of a Unicode case mapping).
fn canonical(name: &str) -> String {
    let name = name.trim().trim_end_matches('.');
    if !name.is_ascii() {
        return name.to_lowercase();
    }
    let mut name = name.to_owned();
    name.make_ascii_lowercase();
    name
}

/// Resolves `name` as `client` does.
pub fn resolve(net: &Network, client: Resolver, name: &str) -> Resolution {
    let name = canonical(name);
    let (who, vnet, server) = match client {
        Resolver::Workload(w) => {
            let workload = net.workloads.get(w);
            let vnet = workload.and_then(|x| net.subnet(x.subnet)).map(|s| s.vnet);
            let own = net
                .app_services
                .iter()
                .find(|a| a.workload == w)
                .and_then(|a| a.dns_servers.first().copied());
            let server = own.unwrap_or_else(|| vnet_server(net, vnet));
            let who = workload.map(|x| x.name.clone()).unwrap_or_default();
            (who, vnet, Some(server))
        }
        Resolver::Vnet(v) => (
            net.vnet(v).map(|x| x.name.clone()).unwrap_or_default(),
            Some(v),
            Some(vnet_server(net, Some(v))),
        ),
        Resolver::Internet => ("Internet client".into(), None, None),
    };
    let mut walk = Walk::new(net);
    let outcome = match server {
        Some(server) => walk.ask(server, vnet, &name),
        None => walk.public(None, &name, 0),
    };
    Resolution {
        name,
        client: who,
        steps: walk.steps,
        outcome,
        passed: walk.passed,
    }
}

/// Resolves `name` as Azure Firewall `fw` itself does, for the FQDNs of its network and
/// application rules: with its policy's DNS servers, else Azure DNS in the context of the
/// firewall's VNet (not the VNet's own DNS servers setting) ("Azure Firewall DNS settings",
/// <https://learn.microsoft.com/azure/firewall/dns-settings>: "By default, Azure Firewall uses
/// Azure DNS for FQDN name resolution"). `None` when the network holds no such firewall.
pub fn resolve_as_firewall(net: &Network, fw: FirewallId, name: &str) -> Option<Resolution> {
    let firewall = net.firewalls.get(fw)?;
    let vnet = net.subnet(firewall.subnet).map(|s| s.vnet);
    let name = canonical(name);
    let mut walk = Walk::new(net);
    let server = firewall_server(&firewall.dns.servers);
    let outcome = walk.ask(server, vnet, &name);
    Some(Resolution {
        name,
        client: format!("firewall `{}`", firewall.name),
        steps: walk.steps,
        outcome,
        passed: walk.passed,
    })
}

/// The server a firewall resolves with, and its DNS proxy forwards to: the first of its custom
/// servers (Azure picks one of several; azpath takes the first), else Azure DNS.
fn firewall_server(servers: &[IpAddr]) -> IpAddr {
    servers.first().copied().unwrap_or(AZURE_DNS)
}

/// The server a client in `vnet` asks: the first of the VNet's DNS servers, else Azure DNS.
fn vnet_server(net: &Network, vnet: Option<VnetId>) -> IpAddr {
    vnet.and_then(|v| net.vnet(v))
        .and_then(|v| v.dns_servers.first().copied())
        .unwrap_or(AZURE_DNS)
}

impl Walk<'_> {
    fn vnet_name(&self, v: VnetId) -> &str {
        self.net.vnet(v).map_or("", |x| x.name.as_str())
    }

    /// Whether `server` was already asked for `name`.
    fn asked(&self, server: &str, name: &str) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s, DnsStep::Ask { server: s, name: n } if s == server && n == name))
    }

    fn too_long(&self) -> bool {
        self.steps.len() > STEP_LIMIT * 4
    }

    /// Asks the server at `server`; `client_vnet` is where a query to 168.63.129.16 comes from.
    fn ask(&mut self, server: IpAddr, client_vnet: Option<VnetId>, name: &str) -> DnsOutcome {
        let (label, outcome) = if server == AZURE_DNS {
            let label = match client_vnet {
                Some(v) => ["Azure DNS (168.63.129.16) from `", self.vnet_name(v), "`"].concat(),
                None => "Azure DNS (168.63.129.16)".into(),
            };
            (label, None)
        } else if let Some(f) = self.net.dns.forwarders.iter().find(|f| f.ip == server) {
            (format!("DNS server `{}` ({server})", f.name), None)
        } else if let Some(e) = self
            .net
            .dns
            .inbound_endpoints
            .iter()
            .find(|e| e.ip == server)
        {
            (
                format!("resolver inbound endpoint `{}` ({server})", e.name),
                None,
            )
        } else if let Some(fw) = self.net.firewalls.iter().find(|f| f.ip == server) {
            let label = format!("Azure Firewall `{}` ({server})", fw.name);
            let outcome = (!fw.dns.proxy).then(|| DnsOutcome::DnsProxyDisabled {
                firewall: fw.name.to_string(),
                server,
            });
            (label, outcome)
        } else {
            (format!("{server}"), Some(DnsOutcome::NoServer { server }))
        };
        if self.asked(&label, name) || self.too_long() {
            return DnsOutcome::Loop;
        }
        self.steps.push(DnsStep::Ask {
            server: label,
            name: name.to_string(),
        });
        let dns = &self.net.dns;
        let asked = (dns.forwarders.iter().position(|f| f.ip == server))
            .map(|i| DnsPoint::Forwarder(ForwarderId(i)))
            .or_else(|| {
                (dns.inbound_endpoints.iter().position(|e| e.ip == server))
                    .map(|i| DnsPoint::InboundEndpoint(InboundEndpointId(i)))
            });
        self.passed.extend(asked);
        let firewall = self.net.firewalls.position(|f| f.ip == server);
        self.passed.extend(firewall.map(DnsPoint::Firewall));
        if let Some(outcome) = outcome {
            return outcome;
        }
        if let Some(fw) = firewall.and_then(|i| self.net.firewalls.get(i)) {
            return self.proxy(fw, name);
        }
        if server == AZURE_DNS {
            return match client_vnet {
                Some(v) => self.azure_dns(v, name, 0),
                None => self.recursive(None, name, 0),
            };
        }
        if let Some(f) = self.net.dns.forwarders.iter().find(|f| f.ip == server) {
            let rule = f
                .rules
                .iter()
                .filter(|r| r.covers(name))
                .max_by_key(|r| r.domain.len());
            let (by, vnet) = (format!("DNS server `{}`", f.name), f.vnet);
            return match (rule, &f.otherwise) {
                (Some(r), _) => {
                    let (domain, targets) = (r.domain.clone(), r.targets.clone());
                    self.forward(by, domain, &targets, vnet, name)
                }
                (None, Some(targets)) => {
                    let targets = targets.clone();
                    self.forward(by, String::new(), &targets, vnet, name)
                }
                (None, None) => self.recursive(None, name, 0),
            };
        }
        match self
            .net
            .dns
            .inbound_endpoints
            .iter()
            .find(|e| e.ip == server)
        {
            Some(e) => self.azure_dns(e.vnet, name, 0),
            None => DnsOutcome::NoServer { server },
        }
    }

    /// An Azure Firewall's DNS proxy: it forwards the query to the firewall's own DNS server,
    /// and a query to Azure DNS is answered in the context of the firewall's VNet (its linked
    /// rulesets and private zones), whatever VNet the client is in.
    fn proxy(&mut self, fw: &crate::model::Firewall, name: &str) -> DnsOutcome {
        let Some(vnet) = self.net.subnet(fw.subnet).map(|s| s.vnet) else {
            return DnsOutcome::NoServer { server: fw.ip };
        };
        let by = format!("Azure Firewall `{}` DNS proxy", fw.name);
        let to = firewall_server(&fw.dns.servers);
        self.forward(by, String::new(), &[to], vnet, name)
    }

    fn forward(
        &mut self,
        by: String,
        domain: String,
        targets: &[IpAddr],
        from_vnet: VnetId,
        name: &str,
    ) -> DnsOutcome {
        let Some(to) = targets.first().copied() else {
            return DnsOutcome::NoServer { server: AZURE_DNS };
        };
        let domain = if domain.is_empty() {
            ".".into()
        } else {
            domain
        };
        self.steps.push(DnsStep::Forward { by, domain, to });
        self.ask(to, Some(from_vnet), name)
    }

    /// Azure DNS in the context of `vnet`: linked rulesets, then linked zones, then public DNS.
    fn azure_dns(&mut self, vnet: VnetId, name: &str, depth: usize) -> DnsOutcome {
        let rule = self
            .net
            .dns
            .rulesets
            .iter()
            .filter(|rs| rs.links.contains(&vnet))
            .flat_map(|rs| rs.rules.iter().map(move |r| (rs, r)))
            .filter(|(_, r)| r.covers(name))
            .max_by_key(|(_, r)| r.domain.len());
        if let Some((rs, r)) = rule {
            let ruleset = self.net.dns.rulesets.iter().position(|x| x.name == rs.name);
            self.passed
                .extend(ruleset.map(|i| DnsPoint::Ruleset(RulesetId(i))));
            let (by, domain, targets) = (
                format!("ruleset `{}`", rs.name),
                r.domain.clone(),
                r.targets.clone(),
            );
            return self.forward(by, domain, &targets, vnet, name);
        }
        self.recursive(Some(vnet), name, depth)
    }

    /// Azure's recursive resolution: private zones linked to `vnet` (if any), else public DNS.
    fn recursive(&mut self, vnet: Option<VnetId>, name: &str, depth: usize) -> DnsOutcome {
        if depth > STEP_LIMIT || self.too_long() {
            return DnsOutcome::Loop;
        }
        let zone = vnet.and_then(|v| {
            self.net
                .dns
                .zones
                .iter_ids()
                .filter(|(_, z)| under(name, &z.name))
                .filter_map(|(id, z)| {
                    z.links
                        .iter()
                        .find(|(l, _)| *l == v)
                        .map(|(_, policy)| (id, z, *policy))
                })
                .max_by_key(|(_, z, _)| z.name.len())
        });
        if let (Some((id, zone, policy)), Some(v)) = (zone, vnet) {
            let record = find_record(&zone.records, name);
            self.passed.push(DnsPoint::Zone(id));
            let label = zone.label();
            let source = ["private zone `", &label, "`"].concat();
            self.steps.push(DnsStep::PrivateZone {
                zone: label,
                vnet: self.vnet_name(v).to_owned(),
                found: record.map(|r| r.name.clone()),
            });
            return match record.map(|r| &r.data) {
                Some(RecordData::A(addresses)) => self.address(name, addresses, source),
                Some(RecordData::Cname(to)) => {
                    let to = to.clone();
                    self.alias(name, &to, source);
                    self.follow(vnet, &to, depth + 1)
                }
                None if policy == ResolutionPolicy::NxDomainRedirect => {
                    self.steps
                        .push(DnsStep::FallbackToInternet { zone: zone.label() });
                    self.public(None, name, depth + 1)
                }
                None => {
                    self.steps.push(DnsStep::NoRecord {
                        name: name.to_string(),
                        source,
                    });
                    DnsOutcome::NxDomain
                }
            };
        }
        self.public(vnet, name, depth)
    }

    /// Public DNS: a service's FQDN (a CNAME into its privatelink zone when it has private
    /// endpoints), its privatelink name (the public endpoint), declared public records.
    fn public(&mut self, vnet: Option<VnetId>, name: &str, depth: usize) -> DnsOutcome {
        let source = "public DNS".to_string();
        let net = self.net;
        match net.dns.public_name(name) {
            Some(PublicName::Fqdn {
                service,
                private_link,
            }) => {
                let Some(s) = net.services.get(service) else {
                    return DnsOutcome::NxDomain;
                };
                if private_link {
                    let to = s
                        .privatelink_name_for(name)
                        .unwrap_or_else(|| s.privatelink_name());
                    self.alias(name, &to, source);
                    return self.follow(vnet, &to, depth + 1);
                }
                return self.address(name, &[s.public_ip], source);
            }
            Some(PublicName::PrivateLink { service }) => {
                let ip = net.services.get(service).map(|s| s.public_ip);
                return self.address(name, ip.as_slice(), source);
            }
            None => {}
        }
        match net.dns.public_record(name) {
            Some(r) => match &r.data {
                RecordData::A(addresses) => self.address(name, addresses, source),
                RecordData::Cname(to) => {
                    let to = to.clone();
                    self.alias(name, &to, source);
                    self.follow(vnet, &to, depth + 1)
                }
            },
            None => {
                self.steps.push(DnsStep::NoRecord {
                    name: name.to_string(),
                    source,
                });
                DnsOutcome::NxDomain
            }
        }
    }

    /// Follows a CNAME: Azure DNS resolves the alias afresh in the same VNet's context (its
    /// rulesets and zones apply to it), the Internet resolver on the Internet.
    fn follow(&mut self, vnet: Option<VnetId>, to: &str, depth: usize) -> DnsOutcome {
        if depth > STEP_LIMIT || self.too_long() {
            return DnsOutcome::Loop;
        }
        match vnet {
            Some(v) => self.azure_dns(v, to, depth),
            None => self.recursive(None, to, depth),
        }
    }

    fn alias(&mut self, from: &str, to: &str, source: String) {
        self.steps.push(DnsStep::Alias {
            from: from.to_string(),
            to: to.to_string(),
            source,
        });
    }

    fn address(&mut self, name: &str, addresses: &[IpAddr], source: String) -> DnsOutcome {
        self.steps.push(DnsStep::Address {
            name: name.to_string(),
            addresses: addresses.to_vec(),
            source,
        });
        DnsOutcome::Resolved {
            addresses: addresses.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests;
