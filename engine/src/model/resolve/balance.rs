//! Load balancers, NAT gateways, private subnets and instance public IPs, with what Azure
//! refuses of them (Microsoft Learn, "High availability ports overview", "Azure Load Balancer
//! concepts", "Outbound rules", "What is Azure NAT Gateway?").

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::{find, unknown_name_hint, Resolver};
use crate::model::*;
use crate::scenario::{self as doc, Text};

impl Resolver {
    /// NAT gateways: a name and public IPs (at most 16).
    pub(super) fn nat_gateways(&mut self, gateways: &[doc::NatGatewayDoc]) {
        let mut seen = BTreeMap::new();
        for g in gateways {
            if !self.unique(&mut seen, &g.name, "NAT gateway") {
                continue;
            }
            if g.public_ips.is_empty() || g.public_ips.len() > 16 {
                self.error(
                    g.name.span,
                    format!(
                        "NAT gateway `{}` has {} public IPs",
                        g.name.value,
                        g.public_ips.len()
                    ),
                    Some("a NAT gateway has 1 to 16 public IPv4 addresses".into()),
                );
                continue;
            }
            let ips: Vec<Option<IpAddr>> = g
                .public_ips
                .iter()
                .map(|t| self.public_ip(t, "NAT gateway public IP"))
                .collect();
            let Some(public_ips) = ips.into_iter().collect::<Option<Vec<_>>>() else {
                continue;
            };
            self.net.nat_gateways.push(NatGateway {
                name: g.name.value.clone(),
                public_ips,
            });
        }
    }

    /// A public address: parsed, and refused when private.
    fn public_ip(&mut self, text: &Text, what: &str) -> Option<IpAddr> {
        let ip = self.host_ip(text, what)?;
        if is_private(ip) {
            self.error(
                text.span,
                format!("{what} `{ip}` is a private address"),
                Some("a public IP resource holds a public address".into()),
            );
            return None;
        }
        Some(ip)
    }

    /// Subnets' NAT gateways and `defaultOutboundAccess`, and workloads' instance public IPs.
    pub(super) fn egress(&mut self, vnets: &[doc::VnetDoc], workloads: &[doc::WorkloadDoc]) {
        let mut nat_vnet: BTreeMap<NatGatewayId, VnetId> = BTreeMap::new();
        for v in vnets {
            for s in &v.subnets {
                let key = format!("{}/{}", v.name.value, s.name.value);
                let Some(subnet) = self.subnet_ids.get(&key).copied() else {
                    continue;
                };
                if s.default_outbound_access == Some(false) {
                    self.net.egress.private_subnets.insert(subnet);
                }
                let Some(name) = &s.nat_gateway else { continue };
                let names: BTreeMap<String, NatGatewayId> = self
                    .net
                    .nat_gateways
                    .iter_ids()
                    .map(|(id, g)| (g.name.clone(), id))
                    .collect();
                let Some(id) = self.found(find(&names, name, "NAT gateway")) else {
                    continue;
                };
                if s.name.value == "GatewaySubnet" {
                    self.error(
                        name.span,
                        format!("NAT gateway `{}` on `GatewaySubnet`", name.value),
                        Some("Azure does not allow a NAT gateway on the gateway subnet".into()),
                    );
                    continue;
                }
                let Some(vnet) = self.net.subnet(subnet).map(|s| s.vnet) else {
                    continue;
                };
                if *nat_vnet.entry(id).or_insert(vnet) != vnet {
                    self.error(
                        name.span,
                        format!(
                            "NAT gateway `{}` is attached to subnets of two vnets",
                            name.value
                        ),
                        Some("a NAT gateway serves subnets of one virtual network".into()),
                    );
                    continue;
                }
                self.net.egress.nat_gateway.insert(subnet, id);
            }
        }
        for w in workloads {
            let Some(text) = &w.public_ip else { continue };
            let Some(ip) = self.public_ip(text, "instance public IP") else {
                continue;
            };
            let Some(id) = self.net.workloads.position(|x| x.name == w.name.value) else {
                continue;
            };
            if let Some(other) = self.net.workload_with_public_ip(ip) {
                let other = self.net.workloads.get(other).map(|o| o.name.clone());
                self.error(
                    text.span,
                    format!(
                        "public IP `{ip}` is already `{}`'s",
                        other.unwrap_or_default()
                    ),
                    Some("a public IP is associated with one NIC".into()),
                );
                continue;
            }
            self.net.egress.public_ips.insert(id, ip);
        }
    }

    /// Load balancers: a public frontend, or a private one in a subnet (internal), with rules,
    /// probes and backends that are workloads of one VNet.
    pub(super) fn load_balancers(&mut self, lbs: &[doc::LoadBalancerDoc]) {
        let mut seen = BTreeMap::new();
        for lb in lbs {
            if !self.unique(&mut seen, &lb.name, "load balancer") {
                continue;
            }
            let Some((frontend_ip, frontend_subnet)) = self.frontend(lb) else {
                continue;
            };
            let internal = frontend_subnet.is_some();
            let backends = self.pool(lb, frontend_subnet);
            let probes: Vec<HealthProbe> = lb
                .probes
                .iter()
                .map(|p| HealthProbe {
                    name: p.name.value.clone(),
                    protocol: p.protocol,
                    port: p.port,
                })
                .collect();
            let Some(rules) = self.lb_rules(lb, internal, &probes) else {
                continue;
            };
            let unhealthy = self.members(lb, &lb.unhealthy, &backends, "unhealthy backend");
            let inbound_nat_rules = self.inbound_nat_rules(lb, internal);
            let outbound_rules = self.outbound_rules(lb, internal);
            self.net.load_balancers.push(LoadBalancer {
                name: lb.name.value.clone(),
                frontend_ip,
                frontend_subnet,
                rules,
                backends,
                probes,
                unhealthy,
                inbound_nat_rules,
                outbound_rules,
                gateway: lb.gateway,
                chain: None,
                span: lb.name.span,
            });
        }
        self.chains(lbs);
    }

    /// Gateway Load Balancers: internal, HA-ports rules only; a public load balancer's `chain`
    /// names one (Learn, "Gateway Load Balancer",
    /// <https://learn.microsoft.com/azure/load-balancer/gateway-overview>).
    fn chains(&mut self, lbs: &[doc::LoadBalancerDoc]) {
        for lb in lbs {
            if lb.gateway && (lb.subnet.is_none() || lb.rules.iter().any(|r| !r.ha_ports)) {
                self.error(
                    lb.name.span,
                    format!(
                        "Gateway Load Balancer `{}` is not internal with HA-ports rules",
                        lb.name.value
                    ),
                    Some(
                        "a Gateway Load Balancer has a private frontend and HA-ports rules only"
                            .into(),
                    ),
                );
            }
            let Some(chain) = &lb.chain else { continue };
            let target = self
                .net
                .load_balancers
                .position(|l| l.gateway && l.name == chain.value);
            let this = self
                .net
                .load_balancers
                .position(|l| l.name == lb.name.value);
            let public = this
                .and_then(|t| self.net.load_balancers.get(t))
                .is_some_and(|l| !l.is_internal());
            match (target, this) {
                (Some(target), Some(this)) if public => {
                    if let Some(l) = self.net.load_balancers.get_mut(this) {
                        l.chain = Some(target);
                    }
                }
                (Some(_), Some(_)) => self.error(
                    chain.span,
                    format!(
                        "`{}` chains to a Gateway Load Balancer but is not public",
                        lb.name.value
                    ),
                    Some(
                        "a Gateway Load Balancer is chained from a public Standard frontend".into(),
                    ),
                ),
                _ => {
                    let names: Vec<&str> = self
                        .net
                        .load_balancers
                        .iter()
                        .filter(|l| l.gateway)
                        .map(|l| l.name.as_str())
                        .collect();
                    let hint = unknown_name_hint(&chain.value, names, "Gateway Load Balancer");
                    self.error(
                        chain.span,
                        format!("unknown Gateway Load Balancer `{}`", chain.value),
                        Some(hint),
                    );
                }
            }
        }
    }

    /// The frontend: a public address, or a private one inside the named subnet that no NIC
    /// of its VNet holds.
    fn frontend(&mut self, lb: &doc::LoadBalancerDoc) -> Option<(IpAddr, Option<SubnetId>)> {
        let ip = self.host_ip(&lb.frontend_ip, "load balancer frontend")?;
        let Some(subnet_name) = &lb.subnet else {
            if is_private(ip) {
                self.error(
                    lb.frontend_ip.span,
                    format!("load balancer frontend `{ip}` is a private address"),
                    Some(
                        "an internal load balancer names its frontend's subnet: `subnet: \"vnet/subnet\"`"
                            .into(),
                    ),
                );
                return None;
            }
            return Some((ip, None));
        };
        let subnet_id = self.found(find(&self.subnet_ids, subnet_name, "subnet"))?;
        let (prefix, vnet) = self.net.subnet(subnet_id).map(|s| (s.prefix, s.vnet))?;
        if !prefix.contains(&ip) {
            self.error(
                lb.frontend_ip.span,
                format!(
                    "internal frontend `{ip}` is outside `{}` ({prefix})",
                    subnet_name.value
                ),
                Some("an internal frontend takes an address of its subnet".into()),
            );
            return None;
        }
        if let Some(holder) = self.nic_ips.get(&(vnet, ip)).cloned() {
            self.error(
                lb.frontend_ip.span,
                format!("internal frontend `{ip}` is already `{holder}`'s address"),
                Some("give the frontend a free address of the subnet".into()),
            );
            return None;
        }
        Some((ip, Some(subnet_id)))
    }

    /// The backend pool: workloads of one VNet (the frontend's, for an internal load
    /// balancer: an LB rule's frontend and backends are in one VNet).
    fn pool(&mut self, lb: &doc::LoadBalancerDoc, frontend: Option<SubnetId>) -> Vec<WorkloadId> {
        let mut backends = Vec::new();
        let mut vnet = frontend.and_then(|s| self.net.subnet(s)).map(|s| s.vnet);
        for b in &lb.backends {
            let Some(w) = self.workload_named(b) else {
                continue;
            };
            let here = self
                .net
                .workloads
                .get(w)
                .and_then(|w| self.net.subnet(w.subnet))
                .map(|s| s.vnet);
            if vnet.is_some() && here != vnet {
                self.error(
                    b.span,
                    format!(
                        "backend `{}` of `{}` is in another vnet",
                        b.value, lb.name.value
                    ),
                    Some("a load balancer's backend pool lies in one vnet".into()),
                );
                continue;
            }
            vnet = here;
            backends.push(w);
        }
        backends
    }

    fn workload_named(&mut self, name: &Text) -> Option<WorkloadId> {
        if let Some(NicRef::Workload(w)) = self.net.nic_by_name(&name.value) {
            return Some(w);
        }
        let names: Vec<&str> = self.net.workloads.iter().map(|w| w.name.as_str()).collect();
        let hint = unknown_name_hint(&name.value, names, "workload");
        self.error(
            name.span,
            format!("unknown workload `{}`", name.value),
            Some(hint),
        );
        None
    }

    /// Names that must be members of the pool.
    fn members(
        &mut self,
        lb: &doc::LoadBalancerDoc,
        names: &[Text],
        pool: &[WorkloadId],
        what: &str,
    ) -> Vec<WorkloadId> {
        let mut out = Vec::new();
        for n in names {
            let Some(w) = self.workload_named(n) else {
                continue;
            };
            if !pool.contains(&w) {
                self.error(
                    n.span,
                    format!(
                        "{what} `{}` is not in `{}`'s backend pool",
                        n.value, lb.name.value
                    ),
                    Some("list it in `backends` too".into()),
                );
                continue;
            }
            out.push(w);
        }
        out
    }

    /// Rules: HA ports only on an internal load balancer, with ports 0, and not mixed with
    /// other rules; port 0 only on HA ports; probes by name.
    fn lb_rules(
        &mut self,
        lb: &doc::LoadBalancerDoc,
        internal: bool,
        probes: &[HealthProbe],
    ) -> Option<Vec<LoadBalancerRule>> {
        let mut rules = Vec::new();
        let mut ok = true;
        let ha = lb.rules.iter().filter(|r| r.ha_ports).count();
        if ha > 0 && ha < lb.rules.len() {
            self.error(
                lb.name.span,
                format!("`{}` mixes HA-ports and other rules", lb.name.value),
                Some(
                    "Azure does not allow HA-ports and non-HA-ports rules on one load balancer"
                        .into(),
                ),
            );
            ok = false;
        }
        for r in &lb.rules {
            if r.ha_ports && !internal {
                self.error(
                    r.name.span,
                    format!(
                        "HA-ports rule `{}` on public load balancer `{}`",
                        r.name.value, lb.name.value
                    ),
                    Some("HA ports exist on internal Standard load balancers only".into()),
                );
                ok = false;
            }
            if r.ha_ports && (r.frontend_port != 0 || r.backend_port != 0) {
                self.error(
                    r.name.span,
                    format!("HA-ports rule `{}` names ports", r.name.value),
                    Some("an HA-ports rule has frontend and backend port 0".into()),
                );
                ok = false;
            }
            if !r.ha_ports && (r.frontend_port == 0 || r.backend_port == 0) {
                self.error(
                    r.name.span,
                    format!("rule `{}` has port 0", r.name.value),
                    Some("port 0 means HA ports: write `ha_ports: true`, or give the ports".into()),
                );
                ok = false;
            }
            let probe = match &r.probe {
                None => None,
                Some(p) => match probes.iter().position(|x| x.name == p.value) {
                    Some(i) => Some(i),
                    None => {
                        let hint = unknown_name_hint(
                            &p.value,
                            probes.iter().map(|x| x.name.as_str()),
                            "probe",
                        );
                        self.error(p.span, format!("unknown probe `{}`", p.value), Some(hint));
                        ok = false;
                        None
                    }
                },
            };
            rules.push(LoadBalancerRule {
                name: r.name.value.clone(),
                protocol: r.protocol,
                frontend_port: r.frontend_port,
                backend_port: r.backend_port,
                ha_ports: r.ha_ports,
                floating_ip: r.floating_ip,
                probe,
                disable_outbound_snat: r.disable_outbound_snat,
            });
        }
        ok.then_some(rules)
    }

    /// Inbound NAT rules: public load balancers only in azpath.
    fn inbound_nat_rules(
        &mut self,
        lb: &doc::LoadBalancerDoc,
        internal: bool,
    ) -> Vec<InboundNatRule> {
        let mut out = Vec::new();
        for r in &lb.inbound_nat_rules {
            if internal {
                self.error(
                    r.name.span,
                    format!(
                        "inbound NAT rule `{}` on internal load balancer `{}`",
                        r.name.value, lb.name.value
                    ),
                    Some("azpath models inbound NAT rules on public load balancers".into()),
                );
                continue;
            }
            let Some(backend) = self.workload_named(&r.backend) else {
                continue;
            };
            out.push(InboundNatRule {
                name: r.name.value.clone(),
                protocol: r.protocol,
                frontend_port: r.frontend_port,
                backend,
                backend_port: r.backend_port,
            });
        }
        out
    }

    /// Outbound rules: public Standard load balancers only, with public frontend addresses.
    fn outbound_rules(&mut self, lb: &doc::LoadBalancerDoc, internal: bool) -> Vec<OutboundRule> {
        let mut out = Vec::new();
        for r in &lb.outbound_rules {
            if internal {
                self.error(
                    r.name.span,
                    format!(
                        "outbound rule `{}` on internal load balancer `{}`",
                        r.name.value, lb.name.value
                    ),
                    Some("outbound rules exist on public Standard load balancers only".into()),
                );
                continue;
            }
            let ips: Vec<Option<IpAddr>> = r
                .frontend_ips
                .iter()
                .map(|t| self.public_ip(t, "outbound rule frontend"))
                .collect();
            let Some(frontend_ips) = ips.into_iter().collect::<Option<Vec<_>>>() else {
                continue;
            };
            if frontend_ips.is_empty() {
                self.error(
                    r.name.span,
                    format!("outbound rule `{}` has no frontend", r.name.value),
                    Some("name the public IPs it SNATs to".into()),
                );
                continue;
            }
            out.push(OutboundRule {
                name: r.name.value.clone(),
                frontend_ips,
            });
        }
        out
    }
}
