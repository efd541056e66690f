//! App Service apps with regional VNet integration (`virtualNetworkSubnetId`), their route-all
//! setting (`vnetRouteAllEnabled` or `outboundVnetRouting`), DNS servers and outbound address.

use serde_json::Value;

use super::context::{items, strings, text, Context, Ns};
use super::Section;
use crate::scenario::AppServiceDoc;

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Web/sites") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let Some(subnet_id) = r.prop_str("/virtualNetworkSubnetId") else {
            if cx.doc.services.iter().any(|s| s.name.value == r.name) {
                // Imported as the service its private endpoints reach.
                continue;
            }
            cx.skip(
                r.id.clone(),
                "no regional VNet integration (`virtualNetworkSubnetId`): its outbound traffic never enters a VNet",
            );
            continue;
        };
        let Some(subnet) = cx.subnet_name(subnet_id) else {
            cx.skip(
                r.id.clone(),
                format!("its integration subnet {subnet_id} is not in an imported VNet"),
            );
            continue;
        };
        let name = cx.name(Ns::Nic, &r.id, &r.name);
        cx.comment(Section::AppService, &name, r.id.clone());
        let flag = |p: &str| r.prop_bool(p).unwrap_or(false);
        let route_all = flag("/vnetRouteAllEnabled")
            || flag("/siteConfig/vnetRouteAllEnabled")
            || flag("/outboundVnetRouting/allTraffic")
            || flag("/outboundVnetRouting/applicationTraffic");
        let mut dns_servers = strings(r.prop("/dnsConfiguration/dnsServers"));
        if dns_servers.is_empty() {
            dns_servers = items(r.prop("/siteConfig/appSettings"))
                .iter()
                .filter(|s| s.get("name").and_then(Value::as_str) == Some("WEBSITE_DNS_SERVER"))
                .filter_map(|s| s.get("value").and_then(Value::as_str))
                .map(str::to_string)
                .collect();
        }
        let outbound_ip = r
            .prop_str("/outboundIpAddresses")
            .and_then(|a| a.split(',').map(str::trim).find(|a| !a.is_empty()))
            .map(text);
        cx.doc.app_services.push(AppServiceDoc {
            name: text(name),
            integration_subnet: Some(text(subnet)),
            instance_ip: None,
            route_all,
            dns_servers: dns_servers.into_iter().map(text).collect(),
            outbound_ip,
        });
    }
}
