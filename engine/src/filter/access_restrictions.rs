//! App Service access restrictions on a web app's public inbound traffic
//! (<https://learn.microsoft.com/azure/app-service/overview-access-restrictions>): rules by
//! priority, first match decides, else the unmatched-rule action; a blocked request gets HTTP
//! 403. Traffic through a private endpoint never meets them ("Access restrictions don't apply
//! to traffic coming through a private endpoint"), so only the public endpoint asks.
//!
//! How the caller is matched ("Set up Azure App Service access restrictions",
//! <https://learn.microsoft.com/azure/app-service/app-service-ip-restrictions>): "If the `FROM`
//! address is in a subnet that's configured by using service endpoints to `Microsoft.Web`, the
//! source subnet is compared against the virtual network rules"; such a request carries the
//! subnet's private address ("Virtual Network service endpoints": "the source IP address that
//! the target service sees becomes a private IP address from your virtual network"), and "IP-based
//! access restriction rules only handle virtual network address ranges when your app is in an App
//! Service Environment", so in the multitenant service no IP or service-tag rule matches it.
//! Any other request is matched by its public address against IP and service-tag rules.

use std::net::IpAddr;

use crate::model::{Access, AccessRestriction, AccessRestrictions, RestrictionSource, SubnetId};

/// Who a request to a web app's public endpoint comes from, as App Service sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// From a public address (the client's, or its way out's: NAT gateway, firewall, ...).
    Public(IpAddr),
    /// Over the `Microsoft.Web` service endpoint of `subnet`, with its private address.
    ServiceEndpoint {
        /// The subnet the request left through.
        subnet: SubnetId,
        /// Its private source address.
        ip: IpAddr,
    },
}

impl Caller {
    /// The address the app sees.
    pub fn ip(self) -> IpAddr {
        match self {
            Caller::Public(ip) | Caller::ServiceEndpoint { ip, .. } => ip,
        }
    }
}

/// The outcome for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision<'a> {
    /// Allow or deny.
    pub access: Access,
    /// The rule that decided (`None`: the unmatched-rule action).
    pub rule: Option<&'a str>,
    /// Rules whose source matched and whose header filters azpath took as
    /// `AccessRestrictions::headers_present` says, in evaluation order.
    pub headers_assumed: Vec<&'a str>,
}

/// Whether a rule's source covers the caller: IP and service-tag rules match public addresses
/// only; service-endpoint rules (and `AnyVnets`) match service-endpoint requests only.
pub fn source_matches(source: &RestrictionSource, caller: Caller) -> bool {
    match (source, caller) {
        (RestrictionSource::Ip(prefixes), Caller::Public(ip))
        | (RestrictionSource::ServiceTag { prefixes, .. }, Caller::Public(ip)) => {
            prefixes.iter().any(|p| p.contains(&ip))
        }
        (RestrictionSource::Subnet(s), Caller::ServiceEndpoint { subnet, .. }) => *s == subnet,
        (RestrictionSource::AnyVnets, Caller::ServiceEndpoint { .. }) => true,
        (RestrictionSource::Ip(_), Caller::ServiceEndpoint { .. })
        | (RestrictionSource::ServiceTag { .. }, Caller::ServiceEndpoint { .. })
        | (RestrictionSource::Subnet(_) | RestrictionSource::AnyVnets, Caller::Public(_)) => false,
    }
}

/// Whether a rule applies: its source matches and, if it filters headers, the request is taken
/// to carry them ("The http header filters are evaluated after the rule itself and both
/// conditions must be true for the rule to apply").
fn applies(rule: &AccessRestriction, caller: Caller, headers_present: bool) -> bool {
    source_matches(&rule.source, caller) && (rule.headers.is_empty() || headers_present)
}

/// The action for a public-endpoint request from `caller`.
pub fn decide(r: &AccessRestrictions, caller: Caller) -> Decision<'_> {
    let mut headers_assumed = Vec::new();
    for rule in &r.rules {
        if !rule.headers.is_empty() && source_matches(&rule.source, caller) {
            headers_assumed.push(rule.name.as_str());
        }
        if applies(rule, caller, r.headers_present) {
            return Decision {
                access: rule.action,
                rule: Some(rule.name.as_str()),
                headers_assumed,
            };
        }
    }
    Decision {
        access: r.unmatched,
        rule: None,
        headers_assumed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::unmatched_action_default;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn public(s: &str) -> Caller {
        Caller::Public(ip(s))
    }

    fn from_subnet(subnet: usize, s: &str) -> Caller {
        Caller::ServiceEndpoint {
            subnet: SubnetId::for_test(subnet),
            ip: ip(s),
        }
    }

    fn with(
        name: &str,
        priority: u32,
        action: Access,
        source: RestrictionSource,
    ) -> AccessRestriction {
        AccessRestriction {
            name: name.into(),
            priority,
            action,
            source,
            headers: Vec::new(),
        }
    }

    fn rule(name: &str, priority: u32, action: Access, prefix: &str) -> AccessRestriction {
        let prefixes = prefix.parse().into_iter().collect();
        with(name, priority, action, RestrictionSource::Ip(prefixes))
    }

    fn restrictions(rules: Vec<AccessRestriction>) -> AccessRestrictions {
        AccessRestrictions {
            rules,
            unmatched: unmatched_action_default(true),
            headers_present: true,
        }
    }

    fn verdict(r: &AccessRestrictions, caller: Caller) -> (Access, Option<&str>) {
        let d = decide(r, caller);
        (d.access, d.rule)
    }

    #[test]
    fn the_unmatched_action_is_allow_without_rules_and_deny_once_a_rule_exists() {
        assert_eq!(unmatched_action_default(false), Access::Allow);
        assert_eq!(unmatched_action_default(true), Access::Deny);
    }

    #[test]
    fn access_restrictions_are_evaluated_by_priority_and_the_first_match_decides() {
        let r = restrictions(vec![
            rule("block-one", 100, Access::Deny, "203.0.113.66/32"),
            rule("office", 200, Access::Allow, "203.0.113.0/24"),
        ]);
        assert_eq!(
            verdict(&r, public("203.0.113.7")),
            (Access::Allow, Some("office"))
        );
        assert_eq!(
            verdict(&r, public("203.0.113.66")),
            (Access::Deny, Some("block-one"))
        );
        assert_eq!(verdict(&r, public("52.160.0.7")), (Access::Deny, None));
    }

    #[test]
    fn a_service_endpoint_rule_matches_requests_from_its_subnet_over_the_service_endpoint() {
        let r = restrictions(vec![with(
            "app-subnet",
            100,
            Access::Allow,
            RestrictionSource::Subnet(SubnetId::for_test(3)),
        )]);
        assert_eq!(
            verdict(&r, from_subnet(3, "10.1.1.4")),
            (Access::Allow, Some("app-subnet"))
        );
        // Another subnet's service-endpoint request is not this rule's.
        assert_eq!(
            verdict(&r, from_subnet(4, "10.1.2.4")),
            (Access::Deny, None)
        );
    }

    #[test]
    fn a_service_endpoint_rule_does_not_match_the_subnets_public_address() {
        // Without the service endpoint the subnet's requests arrive from its public egress
        // address, which a service-endpoint rule never matches.
        let r = restrictions(vec![with(
            "app-subnet",
            100,
            Access::Allow,
            RestrictionSource::Subnet(SubnetId::for_test(3)),
        )]);
        assert_eq!(verdict(&r, public("20.30.40.50")), (Access::Deny, None));
    }

    #[test]
    fn ip_rules_do_not_match_requests_over_a_service_endpoint() {
        // Neither the subnet's public egress address nor its private range: the multitenant
        // service compares such requests with virtual network rules only.
        let r = restrictions(vec![
            rule("egress-ip", 100, Access::Allow, "20.30.40.50/32"),
            rule("private-range", 200, Access::Allow, "10.1.0.0/16"),
        ]);
        assert_eq!(
            verdict(&r, from_subnet(3, "10.1.1.4")),
            (Access::Deny, None)
        );
        assert_eq!(
            verdict(&r, public("20.30.40.50")),
            (Access::Allow, Some("egress-ip"))
        );
    }

    #[test]
    fn any_vnets_matches_every_service_endpoint_request_and_no_public_one() {
        let r = restrictions(vec![with(
            "any",
            100,
            Access::Allow,
            RestrictionSource::AnyVnets,
        )]);
        assert_eq!(
            verdict(&r, from_subnet(9, "10.9.0.4")),
            (Access::Allow, Some("any"))
        );
        assert_eq!(verdict(&r, public("20.30.40.50")), (Access::Deny, None));
    }

    fn front_door(headers_present: bool) -> AccessRestrictions {
        let mut fd = with(
            "front-door",
            100,
            Access::Allow,
            RestrictionSource::ServiceTag {
                tags: vec!["AzureFrontDoor.Backend".into()],
                prefixes: "147.243.0.0/16".parse().into_iter().collect(),
            },
        );
        fd.headers = vec![("X-Azure-FDID".into(), vec!["b1f5…".into()])];
        AccessRestrictions {
            headers_present,
            ..restrictions(vec![fd])
        }
    }

    #[test]
    fn a_service_tag_rule_matches_the_tags_declared_prefixes() {
        let r = front_door(true);
        let d = decide(&r, public("147.243.1.1"));
        assert_eq!((d.access, d.rule), (Access::Allow, Some("front-door")));
        assert_eq!(d.headers_assumed, vec!["front-door"]);
        // Outside the tag: not the rule's; no header assumption was needed.
        let d = decide(&r, public("52.160.0.7"));
        assert_eq!((d.access, d.rule), (Access::Deny, None));
        assert!(d.headers_assumed.is_empty());
        // A service-endpoint request never matches a tag rule.
        assert_eq!(
            verdict(&r, from_subnet(1, "147.243.1.1")),
            (Access::Deny, None)
        );
    }

    #[test]
    fn a_rule_with_header_filters_applies_only_when_the_request_carries_them() {
        let r = front_door(false);
        let d = decide(&r, public("147.243.1.1"));
        assert_eq!((d.access, d.rule), (Access::Deny, None));
        assert_eq!(d.headers_assumed, vec!["front-door"]);
    }
}
