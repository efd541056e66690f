//! On-premises sites and gateway advertisements in words.

use crate::route::advertise::{AdvertisedWhy, SiteRouteWhy};

/// Why a gateway advertises a prefix, in a few words.
pub fn advertised_why(why: &AdvertisedWhy) -> String {
    match why {
        AdvertisedWhy::OwnAddressSpace { vnet } => format!("address space of `{vnet}`"),
        AdvertisedWhy::GatewayTransit { vnet } => {
            format!("peered vnet `{vnet}` uses the gateway (gateway transit)")
        }
        AdvertisedWhy::Summarized => "summarized gateway prefix".to_string(),
        AdvertisedWhy::OtherConnection { site: Some(site) } => {
            format!("learned from site `{site}`, passed on over BGP")
        }
        AdvertisedWhy::OtherConnection { site: None } => {
            "learned from another connection, passed on over BGP".to_string()
        }
    }
}

/// How a site has a route towards Azure, in a few words.
pub fn site_route_why(why: &SiteRouteWhy) -> String {
    match why {
        SiteRouteWhy::Static => "static route on-premises".to_string(),
        SiteRouteWhy::Learned { why } => format!("learned over BGP: {}", advertised_why(why)),
    }
}

/// A gateway's or a site's routes in both directions, as text.
pub fn routes(answer: &crate::query::OnPremRoutes) -> String {
    use crate::query::OnPremRoutes;
    use std::fmt::Write as _;
    let mut out = String::new();
    match answer {
        OnPremRoutes::Gateway(g) => {
            let _ = writeln!(
                out,
                "Gateway `{}` ({:?}, vnet `{}`)\n\nLearned from on-premises (VirtualNetworkGateway routes in the vnet and in peered vnets using it):",
                g.gateway, g.kind, g.vnet
            );
            if g.learned.is_empty() {
                out += "  (none)\n";
            }
            for l in &g.learned {
                let ips: Vec<String> = l.next_hop_ips.iter().map(ToString::to_string).collect();
                let via = match l.via {
                    crate::model::LearnedVia::Bgp => "BGP",
                    crate::model::LearnedVia::LocalNetworkGateway => "local network gateway",
                };
                let site = l
                    .site
                    .as_ref()
                    .map(|s| format!(", site `{s}`"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {:<18} next hop {} ({via}{site})",
                    l.prefix.to_string(),
                    ips.join(", ")
                );
            }
            out += "\nAdvertised to on-premises over BGP (route-table prefixes are never advertised):\n";
            if g.advertised.is_empty() {
                out += "  (none)\n";
            }
            for a in &g.advertised {
                let _ = writeln!(
                    out,
                    "  {:<18} {}",
                    a.prefix.to_string(),
                    advertised_why(&a.why)
                );
            }
        }
        OnPremRoutes::Site(s) => {
            let bgp = if s.bgp { "BGP" } else { "no BGP" };
            let _ = writeln!(
                out,
                "Site `{}` (gateway `{}`, {bgp})\n\nIts ranges, as Azure learned them:",
                s.site, s.gateway
            );
            for p in &s.learned_by_azure {
                let _ = writeln!(out, "  {:<18} learned by `{}`", p.to_string(), s.gateway);
            }
            for p in &s.filtered {
                let _ = writeln!(
                    out,
                    "  {:<18} filtered: inside the gateway vnet's address space",
                    p.to_string()
                );
            }
            out += "\nIts routes towards Azure:\n";
            if s.to_azure.is_empty() {
                out += "  (none: nothing in Azure is reachable from this site)\n";
            }
            for r in &s.to_azure {
                let _ = writeln!(
                    out,
                    "  {:<18} -> `{}` ({})",
                    r.prefix.to_string(),
                    r.gateway,
                    site_route_why(&r.why)
                );
            }
        }
    }
    out
}
