//! App Service apps with regional VNet integration (`virtualNetworkSubnetId`), their route-all
//! setting (`vnetRouteAllEnabled` or `outboundVnetRouting`), DNS servers and outbound address.

use super::context::{text, Context, Ns};
use super::field::Invalid;
use super::resource::Resource;
use super::Section;
use crate::scenario::AppServiceDoc;

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Web/sites") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        super::site_access::import(cx, r);
        if let Err(e) = app(cx, r) {
            cx.invalid(None, format!("app {}", r.id), &e);
        }
    }
}

fn app(cx: &mut Context<'_>, r: &Resource) -> Result<(), Invalid> {
    let props = r.props();
    let Some(subnet_id) = props.opt_str("/virtualNetworkSubnetId")? else {
        if cx.is_service(&r.name) {
            // Imported as the service its private endpoints reach.
            return Ok(());
        }
        cx.skip(
            r.id.clone(),
            "no regional VNet integration (`virtualNetworkSubnetId`): its outbound traffic never enters a VNet",
        );
        return Ok(());
    };
    // Azure's defaults: without route-all, only RFC 1918 traffic enters the VNet.
    let mut route_all = false;
    for p in [
        "/vnetRouteAllEnabled",
        "/siteConfig/vnetRouteAllEnabled",
        "/outboundVnetRouting/allTraffic",
        "/outboundVnetRouting/applicationTraffic",
    ] {
        route_all |= props.bool_or(p, false)?;
    }
    let mut dns_servers = props.strings("/dnsConfiguration/dnsServers")?;
    if dns_servers.is_empty() {
        for s in props.items("/siteConfig/appSettings")? {
            if s.str("/name")? == "WEBSITE_DNS_SERVER" {
                dns_servers.push(s.str("/value")?.to_string());
            }
        }
    }
    let outbound_ip = props
        .opt_str("/outboundIpAddresses")?
        .and_then(|a| a.split(',').map(str::trim).find(|a| !a.is_empty()))
        .map(text);
    let Some(subnet) = cx.subnet_name(subnet_id) else {
        cx.skip(
            r.id.clone(),
            format!("its integration subnet {subnet_id} is not in an imported VNet"),
        );
        return Ok(());
    };
    let name = cx.name(Ns::Nic, &r.id, &r.name);
    cx.comment(Section::AppService, &name, r.id.clone());
    // Each app integrated with a subnet holds an address of it, allocated as a NIC's is: the
    // scenario's default (the subnet's first usable address) would collide with a second app
    // or a NIC in the same subnet.
    let instance_ip = cx.allocate(&subnet, Section::AppService, &name).map(text);
    cx.doc.app_services.push(AppServiceDoc {
        name: text(name),
        integration_subnet: Some(text(subnet)),
        instance_ip,
        route_all,
        dns_servers: dns_servers.into_iter().map(text).collect(),
        outbound_ip,
    });
    Ok(())
}
