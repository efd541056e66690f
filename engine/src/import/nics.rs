//! Network interfaces of virtual machines and appliances: each becomes a workload named after
//! its VM (or the NIC, when it is attached to none).

use super::context::{text, Context, Ns};
use super::field::{is_ipv6, Invalid, Node};
use super::resource::{last_segment, Resource};
use super::Section;
use crate::scenario::{WorkloadDoc, WorkloadKind};

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/networkInterfaces") {
        let Some(r) = cx.res(i) else { continue };
        let props = r.props();
        if props.at("/privateEndpoint/id").is_some() {
            // The NIC Azure creates for a private endpoint: the endpoint itself is imported.
            cx.take(i);
            continue;
        }
        if props.at("/privateLinkService/id").is_some() {
            continue;
        }
        cx.take(i);
        if let Err(e) = nic(cx, r) {
            cx.invalid(None, format!("network interface {}", r.id), &e);
        }
    }
}

fn nic(cx: &mut Context<'_>, r: &Resource) -> Result<(), Invalid> {
    let props = r.props();
    let configs = props.items("/ipConfigurations")?;
    let mut primary: Option<&Node<'_>> = None;
    for c in &configs {
        if c.opt_bool("/primary")? == Some(true) && primary.is_none() {
            primary = Some(c);
        }
    }
    let Some(config) = primary.or_else(|| configs.first()) else {
        cx.skip(r.id.clone(), "it has no IP configuration");
        return Ok(());
    };
    let subnet_id = config.str("/subnet/id")?;
    let ip = config.opt_str("/privateIPAddress")?.unwrap_or("");
    let forwards = props.bool_or("/enableIPForwarding", false)?;
    let nsg_id = props.opt_str("/networkSecurityGroup/id")?;
    let vm = props.opt_str("/virtualMachine/id")?;
    let public_ip = config.opt_str("/publicIPAddress/id")?;
    if is_ipv6(ip) {
        cx.skip(
            format!("`{ip}` at `{}`", config.path_of("/privateIPAddress")),
            "IPv6, which azpath does not model (IPv4 only)",
        );
        cx.skip(
            r.id.clone(),
            "its primary IP configuration is IPv6, which azpath does not model",
        );
        return Ok(());
    }
    let Some(subnet) = cx.subnet_name(subnet_id) else {
        cx.skip(
            r.id.clone(),
            format!("its subnet {subnet_id} is not in an imported VNet"),
        );
        return Ok(());
    };
    let preferred = vm.map(last_segment).unwrap_or(&r.name).to_string();
    let name = cx.name(Ns::Nic, &r.id, &preferred);
    let dynamic = config
        .opt_str("/privateIPAllocationMethod")?
        .is_some_and(|m| m.eq_ignore_ascii_case("Dynamic"));
    let net = cx
        .subnet_prefix(&subnet)
        .and_then(|p| p.parse::<ipnet::Ipv4Net>().ok());
    let inside = |ip: &str| match (ip.parse::<std::net::Ipv4Addr>(), net) {
        (Ok(ip), Some(net)) => net.contains(&ip),
        _ => true,
    };
    if !ip.is_empty() && !inside(ip) {
        if dynamic {
            // A template exported from one deployment and deployed again: Azure allocates a
            // dynamic address anew, whatever address the template still holds.
            cx.comment(
                Section::Workload,
                &name,
                format!("the written address `{ip}` is outside its subnet `{subnet}` and the allocation is Dynamic: Azure allocates a new one"),
            );
        } else {
            cx.forget(Ns::Nic, &r.id);
            return Err(config.prop("/privateIPAddress").map_or_else(
                || config.missing("/privateIPAddress", "an address in the subnet"),
                |n| n.invalid(format!("is `{ip}`, outside its subnet `{subnet}`")),
            ));
        }
    }
    let ip = if ip.is_empty() || !inside(ip) {
        // A dynamic address: Azure allocates it on deployment.
        match cx.allocate(&subnet, Section::Workload, &name) {
            Some(ip) => ip,
            None => {
                cx.forget(Ns::Nic, &r.id);
                cx.skip(
                    r.id.clone(),
                    format!("its private IP is not in the input and subnet `{subnet}` has no free address to allocate"),
                );
                return Ok(());
            }
        }
    } else {
        ip.to_string()
    };
    cx.comment(Section::Workload, &name, r.id.clone());
    if configs.len() > 1 {
        cx.comment(
            Section::Workload,
            &name,
            "further IP configurations are not imported: azpath gives a workload one address",
        );
        cx.skip(
            format!("further IP configurations of workload `{name}`"),
            "azpath gives a workload one address",
        );
    }
    let nsg = match nsg_id {
        Some(id) => {
            let found = cx.name_of(Ns::Nsg, id);
            if found.is_none() {
                cx.skip(
                    format!("NSG of workload `{name}`: {id}"),
                    "not in the input or left out: the NIC is imported without it",
                );
            }
            found
        }
        None => None,
    };
    let mut public_address = None;
    if let Some(id) = public_ip {
        public_address = super::egress::public_ip_address(cx, id)?;
        if public_address.is_none() {
            cx.unmodelled(
                Section::Workload,
                &name,
                format!("public IP {id} of workload `{name}`"),
                "its address is not in the input (allocated on deployment): imported without it",
            );
        }
    }
    if forwards {
        cx.comment(
            Section::Workload,
            &name,
            "IP forwarding on: an appliance, assumed stateful and not SNATing",
        );
    }
    cx.doc.workloads.push(WorkloadDoc {
        name: text(name),
        kind: if forwards {
            WorkloadKind::Nva
        } else {
            WorkloadKind::Vm
        },
        subnet: text(subnet),
        ip: text(ip),
        nsg: nsg.map(text),
        stateful: None,
        snat: false,
        public_ip: public_address.map(text),
    });
    Ok(())
}

/// Takes the private addresses written in the input (NICs, private endpoints), so that the
/// dynamic ones Azure would allocate skip them.
pub(super) fn reserve_static(cx: &mut Context<'_>) {
    let mut found = Vec::new();
    for kind in [
        "Microsoft.Network/networkInterfaces",
        "Microsoft.Network/privateEndpoints",
    ] {
        for i in cx.of_kind(kind) {
            let Some(r) = cx.res(i) else { continue };
            let props = r.props();
            let endpoint_subnet = props.opt_str("/subnet/id").ok().flatten();
            for c in props.items("/ipConfigurations").unwrap_or_default() {
                let subnet = c.opt_str("/subnet/id").ok().flatten().or(endpoint_subnet);
                let ip = c.opt_str("/privateIPAddress").ok().flatten();
                if let (Some(subnet), Some(ip)) = (subnet, ip) {
                    found.push((subnet.to_string(), ip.to_string()));
                }
            }
            for c in props.items("/customDnsConfigs").unwrap_or_default() {
                for ip in c.strings("/ipAddresses").unwrap_or_default() {
                    if let Some(subnet) = endpoint_subnet {
                        found.push((subnet.to_string(), ip));
                    }
                }
            }
        }
    }
    for (subnet_id, ip) in found {
        if let Some(subnet) = cx.subnet_name(&subnet_id) {
            cx.allocator.reserve(&subnet, &ip);
        }
    }
}
