//! App Service access restrictions on a web app's public inbound traffic
//! (<https://learn.microsoft.com/azure/app-service/overview-access-restrictions>): rules by
//! priority, first match decides, else the unmatched-rule action; a blocked request gets HTTP
//! 403. Traffic through a private endpoint never meets them ("Access restrictions don't apply
//! to traffic coming through a private endpoint"), so only the public endpoint asks.

use std::net::IpAddr;

use crate::model::{Access, AccessRestrictions};

/// The action for a public request from `caller`, with the matching rule's name (`None`: the
/// unmatched-rule action decided).
pub fn decide(r: &AccessRestrictions, caller: IpAddr) -> (Access, Option<&str>) {
    match r.rules.iter().find(|rule| rule.prefix.contains(&caller)) {
        Some(rule) => (rule.action, Some(rule.name.as_str())),
        None => (r.unmatched, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{unmatched_action_default, AccessRestriction};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn rule(name: &str, priority: u32, action: Access, prefix: &str) -> AccessRestriction {
        AccessRestriction {
            name: name.into(),
            priority,
            action,
            prefix: prefix.parse().unwrap_or_default(),
        }
    }

    #[test]
    fn the_unmatched_action_is_allow_without_rules_and_deny_once_a_rule_exists() {
        assert_eq!(unmatched_action_default(false), Access::Allow);
        assert_eq!(unmatched_action_default(true), Access::Deny);
    }

    #[test]
    fn access_restrictions_are_evaluated_by_priority_and_the_first_match_decides() {
        let r = AccessRestrictions {
            rules: vec![
                rule("block-one", 100, Access::Deny, "203.0.113.66/32"),
                rule("office", 200, Access::Allow, "203.0.113.0/24"),
            ],
            unmatched: unmatched_action_default(true),
        };
        assert_eq!(
            decide(&r, ip("203.0.113.7")),
            (Access::Allow, Some("office"))
        );
        assert_eq!(
            decide(&r, ip("203.0.113.66")),
            (Access::Deny, Some("block-one"))
        );
        assert_eq!(decide(&r, ip("52.160.0.7")), (Access::Deny, None));
    }
}
