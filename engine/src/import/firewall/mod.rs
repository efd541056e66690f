//! Azure Firewalls with their policies: rule collection groups, SNAT private ranges, DNAT
//! rules; classic rule collections become one group.
//!
//! [`classic`] reads the rules on the firewall itself, [`policy`] a firewall policy's rule
//! collection groups, and [`rules`] the rules both of them hold.

mod classic;
mod policy;
mod rules;

use super::context::{text, Context, Ns};
use super::field::Invalid;
use super::resource::Resource;
use super::Section;
use crate::scenario::{FirewallDoc, SnatRangesDoc};

pub(super) fn import(cx: &mut Context<'_>) {
    ip_groups(cx);
    for i in cx.of_kind("Microsoft.Network/azureFirewalls") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Nic, &r.id, &r.name);
        match firewall(cx, r, &name) {
            Ok(Some(fw)) => cx.doc.firewalls.push(fw),
            Ok(None) => cx.forget(Ns::Nic, &r.id),
            Err(e) => {
                cx.forget(Ns::Nic, &r.id);
                cx.invalid(None, format!("firewall {}", r.id), &e);
            }
        }
    }
}

fn firewall(
    cx: &mut Context<'_>,
    r: &Resource,
    name: &str,
) -> Result<Option<FirewallDoc>, Invalid> {
    let props = r.props();
    let hub = props
        .opt_str("/virtualHub/id")?
        .and_then(|h| cx.name_of(Ns::Vnet, h));
    let configs = props.items("/ipConfigurations")?;
    let (subnet, private_ip) = match &hub {
        Some(hub) => (
            Some(format!("{hub}/AzureFirewallSubnet")),
            props.opt_str("/hubIPAddresses/privateIPAddress")?,
        ),
        None => match configs.first() {
            Some(c) => (
                c.opt_str("/subnet/id")?.and_then(|s| cx.subnet_name(s)),
                c.opt_str("/privateIPAddress")?,
            ),
            None => (None, None),
        },
    };
    // A firewall in a VNet whose address the input lacks: Azure gives it the first address
    // of its subnet that is not reserved.
    let private_ip = match (&subnet, private_ip.filter(|ip| !ip.is_empty())) {
        (_, Some(ip)) => Some(ip.to_string()),
        (Some(s), None) if hub.is_none() => cx.allocate(s, Section::Firewall, name),
        _ => None,
    };
    let (Some(subnet), Some(private_ip)) = (subnet, private_ip) else {
        cx.skip(
            r.id.clone(),
            "no private IP in an imported VNet or virtual hub",
        );
        return Ok(None);
    };
    cx.comment(Section::Firewall, name, r.id.clone());
    let public_ips = public_ips(cx, r, name)?;
    let mut fw = FirewallDoc {
        name: text(name),
        subnet: text(subnet),
        private_ip: text(private_ip),
        public_ips: public_ips.into_iter().map(text).collect(),
        management_subnet: management_subnet(cx, &props)?,
        snat_private_ranges: SnatRangesDoc::IanaPrivate,
        dnat_rules: Vec::new(),
        network_rules: Vec::new(),
        application_rules: Vec::new(),
        rule_collection_groups: Vec::new(),
        dns: None,
    };
    if let Some(ranges) = props.opt_str("/additionalProperties/Network.SNAT.PrivateRanges")? {
        fw.snat_private_ranges = snat(ranges.split(',').map(|s| s.trim().to_string()).collect());
    }
    // A firewall without a policy keeps its DNS settings in `additionalProperties`.
    let proxy = props.opt_str("/additionalProperties/Network.DNS.EnableProxy")?;
    let servers = props.opt_str("/additionalProperties/Network.DNS.Servers")?;
    if proxy.is_some() || servers.is_some() {
        fw.dns = Some(crate::scenario::FirewallDnsDoc {
            proxy: proxy.is_some_and(|p| p.eq_ignore_ascii_case("true")),
            servers: servers
                .into_iter()
                .flat_map(|s| s.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| text(s.to_string()))
                .collect(),
        });
    }
    classic::classic(cx, r, &mut fw)?;
    if let Some(policy) = props.opt_str("/firewallPolicy/id")? {
        match cx.find(policy) {
            Some(p) => {
                cx.take(p);
                if let Some(p) = cx.res(p) {
                    policy::firewall_policy(cx, p, &mut fw)?;
                }
            }
            None => {
                cx.comment(
                    Section::Firewall,
                    name,
                    format!("its policy {policy} is not in the input: no rules, so it denies everything"),
                );
                cx.skip(
                    format!("policy of firewall `{name}`: {policy}"),
                    "not in the input",
                );
            }
        }
    }
    Ok(Some(fw))
}

/// The firewall's public addresses, from its public IP resources or its hub addresses.
fn public_ips(cx: &mut Context<'_>, r: &Resource, name: &str) -> Result<Vec<String>, Invalid> {
    let props = r.props();
    let mut out = Vec::new();
    for a in props.items("/hubIPAddresses/publicIPs/addresses")? {
        out.push(a.str("/address")?.to_string());
    }
    // A hub firewall's addresses are allocated by Azure from its public IP count (Learn,
    // `New-AzFirewallHubPublicIpAddress`): a template states the count only, so documentation
    // addresses stand in for them.
    if out.is_empty() && props.prop("/hubIPAddresses/publicIPs/count").is_some() {
        let count = props.number("/hubIPAddresses/publicIPs/count", 1..=250)?;
        for i in 0..count {
            let pip = format!("hub public IP {} of {}", i + 1, r.id);
            match cx.stand_in_public_ip(&pip, Section::Firewall, name) {
                Some(ip) => out.push(ip),
                None => {
                    cx.skip(
                        format!("public IPs {} to {count} of {}", i + 1, r.id),
                        "no documentation address is left to stand in for them (the stand-ins are shared by the whole import)",
                    );
                    break;
                }
            }
        }
    }
    for c in props.items("/ipConfigurations")? {
        let Some(id) = c.opt_str("/publicIPAddress/id")? else {
            continue;
        };
        let address = cx.find(id).and_then(|p| {
            cx.take(p);
            cx.res(p)?.prop_str("/ipAddress")
        });
        match address {
            Some(a) => out.push(a.to_string()),
            None => {
                let reason = "its address is not in the input (not imported, or allocated on deployment): DNAT to it is not modelled";
                cx.comment(Section::Firewall, name, format!("public IP {id}: {reason}"));
                cx.skip(format!("public IP {id} of firewall `{name}`"), reason);
            }
        }
    }
    Ok(out)
}

/// `snat.privateRanges` as azpath writes it.
fn snat(ranges: Vec<String>) -> SnatRangesDoc {
    let iana = |r: &String| r.eq_ignore_ascii_case("IANAPrivateRanges");
    match ranges.as_slice() {
        [] => SnatRangesDoc::IanaPrivate,
        [one] if iana(one) => SnatRangesDoc::IanaPrivate,
        [one] if one == "255.255.255.255/32" => SnatRangesDoc::Always,
        [one] if one == "0.0.0.0/0" => SnatRangesDoc::Never,
        _ => SnatRangesDoc::Ranges(
            ranges
                .iter()
                .flat_map(|r| {
                    if iana(r) {
                        [
                            "10.0.0.0/8",
                            "172.16.0.0/12",
                            "192.168.0.0/16",
                            "100.64.0.0/10",
                        ]
                        .iter()
                        .map(|s| s.to_string())
                        .collect()
                    } else {
                        vec![r.clone()]
                    }
                })
                .map(text)
                .collect(),
        ),
    }
}

/// The Management NIC's subnet (`managementIpConfiguration`), when the firewall has one.
fn management_subnet(
    cx: &Context<'_>,
    props: &super::field::Node<'_>,
) -> Result<Option<crate::scenario::Text>, super::field::Invalid> {
    let id = props.opt_str("/managementIpConfiguration/properties/subnet/id")?;
    Ok(id.and_then(|id| cx.subnet_name(id)).map(text))
}

/// IP groups (`Microsoft.Network/ipGroups`): their addresses, prefixes and ranges as written.
fn ip_groups(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/ipGroups") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        match r.props().strings("/ipAddresses") {
            Ok(addresses) => {
                let name = cx.name(Ns::IpGroup, &r.id, &r.name);
                cx.doc.ip_groups.push(crate::scenario::IpGroupDoc {
                    name: text(name),
                    addresses: addresses.into_iter().map(text).collect(),
                });
            }
            Err(e) => {
                cx.forget(Ns::IpGroup, &r.id);
                cx.invalid(None, format!("IP group {}", r.id), &e);
            }
        }
    }
}
