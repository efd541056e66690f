//! Load balancers: a Standard (or Gateway) load balancer becomes a `load_balancers` entry with
//! its frontend address (private in its subnet, or the address of its public IP), its
//! load-balancing rules, health probes, inbound NAT rules, outbound rules and the workloads in
//! its backend pool (Microsoft Learn, "Load Balancers - Get",
//! <https://learn.microsoft.com/rest/api/load-balancer/load-balancers/get>; "Azure Load Balancer
//! components", <https://learn.microsoft.com/azure/load-balancer/components>).
//!
//! The scenario gives a load balancer one frontend for its inbound rules and one backend pool of
//! workloads: what does not fit (Basic SKU, rules on several frontends or pools, pools by IP
//! address, port-range NAT rules) is listed as not modelled, never guessed.

use std::collections::{BTreeMap, BTreeSet};

use super::context::{text, Context, Ns};
use super::field::{Invalid, Node};
use super::resource::{last_segment, Resource};
use super::Section;
use crate::scenario::{
    FlowProtocol, InboundNatRuleDoc, LoadBalancerDoc, LoadBalancerRuleDoc, OutboundRuleDoc,
    ProbeDoc, ProbeProtocol,
};

/// Why a load balancer (or a part of it) is left out.
enum Left {
    Invalid(Invalid),
    Unmodelled(String),
}

impl From<Invalid> for Left {
    fn from(e: Invalid) -> Self {
        Left::Invalid(e)
    }
}

pub(super) fn import(cx: &mut Context<'_>) {
    let members = pool_members(cx);
    for i in cx.of_kind("Microsoft.Network/loadBalancers") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        match load_balancer(cx, r, &members) {
            Ok(doc) => cx.doc.load_balancers.push(doc),
            Err(Left::Invalid(e)) => {
                cx.forget(Ns::LoadBalancer, &r.id);
                cx.invalid(None, format!("load balancer {}", r.id), &e);
            }
            Err(Left::Unmodelled(why)) => {
                cx.forget(Ns::LoadBalancer, &r.id);
                cx.skip(r.id.clone(), why);
            }
        }
    }
    // A chain names a Gateway Load Balancer that may have been left out after all.
    let names: BTreeSet<String> = cx
        .doc
        .load_balancers
        .iter()
        .map(|b| b.name.value.clone())
        .collect();
    let mut dropped = Vec::new();
    for b in &mut cx.doc.load_balancers {
        if let Some(c) = &b.chain {
            if !names.contains(&c.value) {
                dropped.push((b.name.value.clone(), c.value.clone()));
                b.chain = None;
            }
        }
    }
    for (lb, gw) in dropped {
        cx.unmodelled(
            Section::LoadBalancer,
            &lb,
            format!("Gateway Load Balancer chain of load balancer `{lb}` to `{gw}`"),
            "that Gateway Load Balancer is left out: imported without the chain",
        );
    }
}

/// The lower-case id of a NIC IP configuration's NIC (`…/networkInterfaces/n/ipConfigurations/c`).
fn nic_of_config(id: &str) -> Option<&str> {
    let at = id.to_lowercase().find("/ipconfigurations/")?;
    id.get(..at)
}

/// The lower-case id of the resource a sub-resource id belongs to
/// (`…/loadBalancers/lb/backendAddressPools/p` → `…/loadBalancers/lb`).
fn owner_of(id: &str, child: &str) -> Option<String> {
    let lower = id.to_lowercase();
    let at = lower.find(&format!("/{}/", child.to_lowercase()))?;
    lower.get(..at).map(str::to_string)
}

/// Backend pool ids (lower case) and the NIC IP configurations in them, from the NICs'
/// `loadBalancerBackendAddressPools` (what `az network nic show` prints).
fn pool_members(cx: &Context<'_>) -> BTreeMap<String, BTreeSet<String>> {
    let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in cx.of_kind("Microsoft.Network/networkInterfaces") {
        let Some(r) = cx.res(i) else { continue };
        for c in r.props().items("/ipConfigurations").unwrap_or_default() {
            let config = c
                .at("/id")
                .and_then(|n| n.value.as_str().map(str::to_string))
                .or_else(|| {
                    c.at("/name")
                        .and_then(|n| n.value.as_str())
                        .map(|n| format!("{}/ipConfigurations/{n}", r.id))
                });
            let Some(config) = config else { continue };
            for p in c
                .items("/loadBalancerBackendAddressPools")
                .unwrap_or_default()
            {
                if let Ok(pool) = p.str("/id") {
                    members
                        .entry(pool.to_lowercase())
                        .or_default()
                        .insert(config.to_lowercase());
                }
            }
        }
    }
    members
}

fn load_balancer(
    cx: &mut Context<'_>,
    r: &Resource,
    members: &BTreeMap<String, BTreeSet<String>>,
) -> Result<LoadBalancerDoc, Left> {
    let node = r.node();
    let sku = node.opt_str("/sku/name")?;
    let gateway = match sku {
        Some(s) if s.eq_ignore_ascii_case("Standard") => false,
        Some(s) if s.eq_ignore_ascii_case("Gateway") => true,
        Some(s) if s.eq_ignore_ascii_case("Basic") => {
            return Err(Left::Unmodelled(
                "Basic SKU, which azpath does not model (Standard and Gateway only; Basic was retired on 30 September 2025)".into(),
            ))
        }
        Some(other) => {
            return Err(node
                .prop("/sku/name")
                .map_or_else(
                    || node.missing("/sku/name", "Standard, Gateway or Basic"),
                    |n| n.invalid(format!("is `{other}`, not Standard, Gateway or Basic")),
                )
                .into())
        }
        None => {
            return Err(Left::Unmodelled(
                "its SKU is not in the input (`sku.name`): the API's default is Basic, which azpath does not model".into(),
            ))
        }
    };
    let props = r.props();
    let name = cx
        .name_of(Ns::LoadBalancer, &r.id)
        .unwrap_or_else(|| cx.name(Ns::LoadBalancer, &r.id, &r.name));

    // The frontends by lower-case id (or name), with what they hold.
    let mut frontends: BTreeMap<String, Node<'_>> = BTreeMap::new();
    for f in props.items("/frontendIPConfigurations")? {
        let key = f
            .opt_str("/id")?
            .map(str::to_lowercase)
            .or(f.opt_str("/name")?.map(str::to_lowercase))
            .unwrap_or_default();
        frontends.insert(key, f);
    }
    let frontend_key = |id: &str| -> String {
        let lower = id.to_lowercase();
        if frontends.contains_key(&lower) {
            lower
        } else {
            last_segment(&lower).to_string()
        }
    };

    // Inbound rules (load-balancing and NAT) share one frontend and one pool.
    let mut inbound_frontends = BTreeSet::new();
    let mut pools = BTreeSet::new();
    let mut rules = Vec::new();
    for rule in props.items("/loadBalancingRules")? {
        let rule_name = rule.str("/name")?;
        inbound_frontends.insert(frontend_key(rule.str("/frontendIPConfiguration/id")?));
        if let Some(p) = rule.opt_str("/backendAddressPool/id")? {
            pools.insert(p.to_lowercase());
        }
        for p in rule.items("/backendAddressPools")? {
            pools.insert(p.str("/id")?.to_lowercase());
        }
        let protocol = rule.str("/protocol")?;
        let frontend_port = port(&rule, "/frontendPort")?;
        let backend_port = match rule.prop("/backendPort") {
            Some(_) => port(&rule, "/backendPort")?,
            None => frontend_port,
        };
        let ha_ports = protocol.eq_ignore_ascii_case("All");
        if ha_ports && (frontend_port != 0 || backend_port != 0) {
            return Err(rule
                .prop("/frontendPort")
                .map_or_else(
                    || rule.missing("/frontendPort", "0 on an All-protocol rule"),
                    |n| n.invalid("is not 0: a rule of protocol All is an HA-ports rule, ports 0"),
                )
                .into());
        }
        let flow = if ha_ports {
            FlowProtocol::Tcp
        } else {
            flow_protocol(&rule, protocol)?
        };
        if let Some(d) = rule.opt_str("/loadDistribution")? {
            if !d.eq_ignore_ascii_case("Default") {
                cx.unmodelled(
                    Section::LoadBalancer,
                    &name,
                    format!("distribution `{d}` of rule `{rule_name}` of {}", r.id),
                    "not modelled: azpath spreads flows by the five-tuple (Default)",
                );
            }
        }
        rules.push(LoadBalancerRuleDoc {
            name: text(rule_name),
            protocol: flow,
            frontend_port,
            backend_port,
            ha_ports,
            floating_ip: rule.bool_or("/enableFloatingIP", false)?,
            probe: rule.opt_str("/probe/id")?.map(|p| text(last_segment(p))),
            disable_outbound_snat: rule.bool_or("/disableOutboundSnat", false)?,
        });
    }

    let mut probes = Vec::new();
    for p in props.items("/probes")? {
        let protocol = p.str("/protocol")?;
        let protocol = match protocol.to_ascii_lowercase().as_str() {
            "tcp" => ProbeProtocol::Tcp,
            "http" => ProbeProtocol::Http,
            "https" => ProbeProtocol::Https,
            _ => {
                return Err(p
                    .prop("/protocol")
                    .map_or_else(
                        || p.missing("/protocol", "Tcp, Http or Https"),
                        |n| n.invalid(format!("is `{protocol}`, not Tcp, Http or Https")),
                    )
                    .into())
            }
        };
        probes.push(ProbeDoc {
            name: text(p.str("/name")?),
            protocol,
            port: port(&p, "/port")?,
        });
    }

    // Inbound NAT rules name one backend IP configuration each.
    let mut nat_rules = Vec::new();
    for n in props.items("/inboundNatRules")? {
        let rule_name = n.str("/name")?;
        if n.prop("/frontendPortRangeStart").is_some() || n.prop("/backendAddressPool").is_some() {
            cx.unmodelled(
                Section::LoadBalancer,
                &name,
                format!("inbound NAT rule `{rule_name}` of {}", r.id),
                "a port range over a backend pool, which azpath does not model (one frontend port to one workload only)",
            );
            continue;
        }
        inbound_frontends.insert(frontend_key(n.str("/frontendIPConfiguration/id")?));
        let Some(config) = n.opt_str("/backendIPConfiguration/id")? else {
            cx.unmodelled(
                Section::LoadBalancer,
                &name,
                format!("inbound NAT rule `{rule_name}` of {}", r.id),
                "it has no backend IP configuration: it forwards to nothing",
            );
            continue;
        };
        let Some(backend) = workload_of(cx, config) else {
            cx.unmodelled(
                Section::LoadBalancer,
                &name,
                format!("inbound NAT rule `{rule_name}` of {}", r.id),
                "its backend is not an imported workload's primary IP configuration",
            );
            continue;
        };
        let frontend_port = port(&n, "/frontendPort")?;
        nat_rules.push(InboundNatRuleDoc {
            name: text(rule_name),
            protocol: flow_protocol(&n, n.str("/protocol")?)?,
            frontend_port,
            backend: text(backend),
            backend_port: match n.prop("/backendPort") {
                Some(_) => port(&n, "/backendPort")?,
                None => frontend_port,
            },
        });
    }

    let mut outbound_rules = Vec::new();
    let mut outbound_frontends = Vec::new();
    for o in props.items("/outboundRules")? {
        let rule_name = o.str("/name")?;
        pools.insert(o.str("/backendAddressPool/id")?.to_lowercase());
        let mut ips = Vec::new();
        for f in o.items("/frontendIPConfigurations")? {
            let key = frontend_key(f.str("/id")?);
            outbound_frontends.push(key.clone());
            let Some(front) = frontends.get(&key) else {
                return Err(f
                    .invalid("names a frontend this load balancer does not have")
                    .into());
            };
            match front.opt_str("/publicIPAddress/id")? {
                Some(pip) => match super::egress::public_ip_address(cx, pip)? {
                    Some(ip) => ips.push(text(ip)),
                    None => {
                        return Err(Left::Unmodelled(format!(
                            "the address of public IP {pip} of outbound rule `{rule_name}` is not in the input"
                        )))
                    }
                },
                None => {
                    if front.prop("/publicIPPrefix").is_some() {
                        return Err(Left::Unmodelled(format!(
                            "outbound rule `{rule_name}` SNATs to a public IP prefix, which azpath does not model"
                        )));
                    }
                    return Err(f
                        .invalid("names a frontend without a public IP: outbound rules need public frontends")
                        .into());
                }
            }
        }
        outbound_rules.push(OutboundRuleDoc {
            name: text(rule_name),
            frontend_ips: ips,
        });
    }

    if inbound_frontends.len() > 1 {
        return Err(Left::Unmodelled(format!(
            "its inbound rules use {} frontends, and azpath gives a load balancer one",
            inbound_frontends.len()
        )));
    }
    if pools.len() > 1 {
        return Err(Left::Unmodelled(format!(
            "its rules use {} backend pools, and azpath gives a load balancer one",
            pools.len()
        )));
    }
    let frontend = inbound_frontends
        .into_iter()
        .next()
        .or_else(|| outbound_frontends.first().cloned())
        .or_else(|| {
            (frontends.len() == 1)
                .then(|| frontends.keys().next().cloned())
                .flatten()
        });
    let Some(front) = frontend.as_ref().and_then(|k| frontends.get(k)) else {
        return Err(Left::Unmodelled(
            "no rule names a frontend this load balancer has, so its frontend is unknown".into(),
        ));
    };
    for (key, _) in frontends.iter() {
        if Some(key) != frontend.as_ref() && !outbound_frontends.contains(key) {
            cx.unmodelled(
                Section::LoadBalancer,
                &name,
                format!("frontend `{}` of {}", last_segment(key), r.id),
                "no rule azpath imports uses it: not modelled",
            );
        }
    }

    let mut subnet = None;
    let mut chain = None;
    let frontend_ip = match front.opt_str("/publicIPAddress/id")? {
        Some(pip) => match super::egress::public_ip_address(cx, pip)? {
            Some(ip) => ip,
            None => {
                return Err(Left::Unmodelled(format!(
                    "the address of its frontend's public IP {pip} is not in the input (allocated on deployment)"
                )))
            }
        },
        None => {
            let subnet_id = front.str("/subnet/id")?;
            let Some(s) = cx.subnet_name(subnet_id) else {
                return Err(Left::Unmodelled(format!(
                    "its frontend's subnet {subnet_id} is not in an imported VNet"
                )));
            };
            let Some(ip) = front.opt_str("/privateIPAddress")? else {
                return Err(Left::Unmodelled(
                    "its frontend's private IP is not in the input (allocated on deployment)"
                        .into(),
                ));
            };
            subnet = Some(text(s));
            ip.to_string()
        }
    };
    if let Some(g) = front.opt_str("/gatewayLoadBalancer/id")? {
        let Some(owner) = owner_of(g, "frontendIPConfigurations") else {
            return Err(front
                .prop("/gatewayLoadBalancer/id")
                .map_or_else(
                    || front.missing("/gatewayLoadBalancer/id", "a frontend id"),
                    |n| n.invalid("is not the id of a load balancer's frontend"),
                )
                .into());
        };
        match cx.name_of(Ns::LoadBalancer, &owner) {
            Some(g) => chain = Some(text(g)),
            None => cx.unmodelled(
                Section::LoadBalancer,
                &name,
                format!("Gateway Load Balancer chain of {} to {g}", r.id),
                "that Gateway Load Balancer is not in the input: imported without the chain",
            ),
        }
    }

    // The backend pool: NIC IP configurations, from the pool and from the NICs.
    let mut backends = Vec::new();
    if let Some(pool_id) = pools.iter().next().cloned().or_else(|| {
        let all = props.items("/backendAddressPools").unwrap_or_default();
        match all.as_slice() {
            [one] => one.opt_str("/id").ok().flatten().map(str::to_lowercase),
            _ => None,
        }
    }) {
        let mut configs: BTreeSet<String> = members.get(&pool_id).cloned().unwrap_or_default();
        for p in props.items("/backendAddressPools")? {
            if p.opt_str("/id")?.map(str::to_lowercase).as_deref() != Some(pool_id.as_str()) {
                continue;
            }
            for c in p.items("/backendIPConfigurations")? {
                configs.insert(c.str("/id")?.to_lowercase());
            }
            for a in p.items("/loadBalancerBackendAddresses")? {
                let by_ip = a.opt_str("/ipAddress")?.unwrap_or("?");
                if a.prop("/networkInterfaceIPConfiguration").is_none() {
                    cx.unmodelled(
                        Section::LoadBalancer,
                        &name,
                        format!("backend address `{by_ip}` of pool {pool_id}"),
                        "a backend by IP address, which azpath does not model (NIC members only)",
                    );
                }
            }
        }
        for c in configs {
            match workload_of(cx, &c) {
                Some(w)
                    if !backends
                        .iter()
                        .any(|b: &crate::scenario::Text| b.value == w) =>
                {
                    backends.push(text(w))
                }
                Some(_) => {}
                None => cx.unmodelled(
                    Section::LoadBalancer,
                    &name,
                    format!("backend {c} of load balancer `{name}`"),
                    "not an imported workload's primary IP configuration: left out of the pool",
                ),
            }
        }
    }
    cx.comment(Section::LoadBalancer, &name, r.id.clone());
    Ok(LoadBalancerDoc {
        name: text(name),
        frontend_ip: text(frontend_ip),
        subnet,
        rules,
        backends,
        probes,
        unhealthy: Vec::new(),
        inbound_nat_rules: nat_rules,
        outbound_rules,
        gateway,
        chain,
    })
}

/// The imported workload whose primary (or only) IP configuration is `config`.
fn workload_of(cx: &Context<'_>, config: &str) -> Option<String> {
    let nic_id = nic_of_config(config)?;
    let i = cx.find(nic_id)?;
    let nic = cx.res(i)?;
    let configs = nic.props().items("/ipConfigurations").ok()?;
    let wanted = last_segment(config).to_lowercase();
    let primary = configs
        .iter()
        .find(|c| c.opt_bool("/primary").ok().flatten() == Some(true))
        .or(configs.first())?;
    let primary_name = primary.opt_str("/name").ok().flatten()?.to_lowercase();
    if primary_name != wanted {
        return None;
    }
    let name = cx.name_of(Ns::Nic, nic_id)?;
    cx.doc
        .workloads
        .iter()
        .any(|w| w.name.value == name)
        .then_some(name)
}

fn port(node: &Node<'_>, pointer: &str) -> Result<u16, Invalid> {
    let n = node.port_number(pointer, 0..=65535)?;
    u16::try_from(n).map_err(|_| node.missing(pointer, "a port from 0 to 65535"))
}

fn flow_protocol(node: &Node<'_>, protocol: &str) -> Result<FlowProtocol, Invalid> {
    match protocol.to_ascii_lowercase().as_str() {
        "tcp" => Ok(FlowProtocol::Tcp),
        "udp" => Ok(FlowProtocol::Udp),
        _ => Err(node.prop("/protocol").map_or_else(
            || node.missing("/protocol", "Tcp or Udp"),
            |n| n.invalid(format!("is `{protocol}`, not Tcp or Udp")),
        )),
    }
}
