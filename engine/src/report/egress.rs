//! The words for load balancers, public IPs and the way out of Azure in a trace: backends out
//! of rotation, inbound NAT, the outbound method, and the source the destination sees.

use std::fmt::Write as _;

use crate::trace::balance::{BackendDown, DownBackend};
use crate::trace::egress::{EgressMethod, SourceSeen, Translation};

/// Backends that take no new flows.
pub(super) fn backends_down(out: &mut String, load_balancer: &str, down: &[DownBackend]) {
    for d in down {
        let why = match &d.reason {
            BackendDown::Declared => "its health probe fails".to_string(),
            BackendDown::ProbeDeniedByNsg { nsg, rule } => format!(
                "rule `{rule}` of `{nsg}` denies the health probe from 168.63.129.16 (AzureLoadBalancer)"
            ),
        };
        let _ = writeln!(
            out,
            "    load balancer `{load_balancer}`: backend `{}` is down, no new flows ({why})",
            d.backend
        );
    }
}

/// An outbound method in a few words.
pub fn method(m: &EgressMethod) -> String {
    match m {
        EgressMethod::NatGateway { name } => format!("NAT gateway `{name}`"),
        EgressMethod::InstancePublicIp => "the NIC's instance public IP".to_string(),
        EgressMethod::LoadBalancerOutboundRule {
            load_balancer,
            rule,
        } => format!("outbound rule `{rule}` of load balancer `{load_balancer}`"),
        EgressMethod::LoadBalancerRuleSnat {
            load_balancer,
            rule,
        } => format!("the implicit SNAT of rule `{rule}` of load balancer `{load_balancer}`"),
        EgressMethod::FirewallPublicIp => "the firewall's public IP".to_string(),
        EgressMethod::DefaultOutboundAccess => "default outbound access".to_string(),
    }
}

/// Leaving for the Internet.
pub(super) fn egress(out: &mut String, m: &EgressMethod, source: Option<std::net::IpAddr>) {
    let from = source.map_or(
        "a Microsoft-owned address that can change".to_string(),
        |s| s.to_string(),
    );
    let _ = writeln!(
        out,
        "    leaves for the Internet by {} as {from}",
        method(m)
    );
}

/// The line saying what source the destination sees.
pub(super) fn source_seen(s: &SourceSeen) -> String {
    let address = s
        .address
        .map_or("an unknown Microsoft-owned address".to_string(), |a| {
            a.to_string()
        });
    let how = match &s.translated_by {
        None => "the client's own address".to_string(),
        Some(Translation::Appliance { device }) => format!("SNAT by `{device}`"),
        Some(Translation::Egress { method: m }) => method(m),
    };
    if s.candidates.is_empty() {
        return format!("destination sees source: {address} ({how})");
    }
    let among: Vec<String> = s.candidates.iter().map(ToString::to_string).collect();
    format!(
        "destination sees source: {address} ({how}); Azure picks among {} per connection, each with the same outcome",
        among.join(", ")
    )
}
