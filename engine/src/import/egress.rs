//! Public IPs and NAT gateways: a NAT gateway becomes a `nat_gateways` entry that subnets name,
//! a NIC's public IP its workload's `public_ip` (Microsoft Learn, "What is Azure NAT
//! Gateway?", "Public IP addresses").

use super::context::{text, Context, Ns};
use super::field::Invalid;
use super::resource::Resource;
use crate::scenario::NatGatewayDoc;

/// NAT gateways with the addresses of their public IPs.
pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/natGateways") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        match nat_gateway(cx, r) {
            Ok(Some(doc)) => cx.doc.nat_gateways.push(doc),
            Ok(None) => cx.forget(Ns::NatGateway, &r.id),
            Err(e) => {
                cx.forget(Ns::NatGateway, &r.id);
                cx.invalid(None, format!("NAT gateway {}", r.id), &e);
            }
        }
    }
}

fn nat_gateway(cx: &mut Context<'_>, r: &Resource) -> Result<Option<NatGatewayDoc>, Invalid> {
    let props = r.props();
    let mut public_ips = Vec::new();
    for p in props.items("/publicIpAddresses")? {
        let id = p.str("/id")?;
        match public_ip_address(cx, id)? {
            Some(ip) => public_ips.push(text(ip)),
            // In the input without an address (a template's): Azure allocates it on deployment,
            // so a stated stand-in keeps the NAT gateway, which decides the subnet's egress.
            None => match cx.find(id) {
                Some(i) => {
                    let name = cx.name_of(Ns::NatGateway, &r.id);
                    let ip = name
                        .as_deref()
                        .and_then(|n| cx.stand_in_public_ip(id, super::Section::NatGateway, n));
                    if let Some(ip) = ip {
                        cx.take(i);
                        public_ips.push(text(ip));
                    }
                }
                None => cx.skip(
                    format!("public IP {id} of NAT gateway {}", r.id),
                    "its address is not in the input (allocated on deployment)",
                ),
            },
        }
    }
    for p in props.items("/publicIpPrefixes")? {
        let id = p.str("/id")?;
        cx.skip(
            format!("public IP prefix {id} of NAT gateway {}", r.id),
            "not modelled: azpath shows a NAT gateway's source from its public IPs",
        );
    }
    if public_ips.is_empty() {
        cx.skip(
            r.id.clone(),
            "none of its public IP addresses is in the input, so its source address is unknown",
        );
        return Ok(None);
    }
    let Some(name) = cx.name_of(Ns::NatGateway, &r.id) else {
        return Ok(None);
    };
    Ok(Some(NatGatewayDoc {
        name: text(name),
        public_ips,
    }))
}

/// The address of the public IP resource `id`, marking it imported; `None` when the resource
/// or its address is not in the input.
pub(super) fn public_ip_address(cx: &mut Context<'_>, id: &str) -> Result<Option<String>, Invalid> {
    let Some(i) = cx.find(id) else {
        return Ok(None);
    };
    let Some(r) = cx.res(i) else {
        return Ok(None);
    };
    let address = r.props().opt_str("/ipAddress")?.map(str::to_string);
    if address.is_some() {
        cx.take(i);
    }
    Ok(address)
}
