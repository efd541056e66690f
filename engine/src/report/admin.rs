//! Virtual Network Manager security admin decisions in words.

use crate::filter::admin::AdminDecision;
use crate::model::AdminAccess;

/// One line: which admin rule decided and what that means for the NSGs.
pub fn admin_decision(d: &AdminDecision) -> String {
    match d {
        AdminDecision::Matched(m) => {
            let then = match m.access {
                AdminAccess::Deny => "dropped, NSGs not consulted",
                AdminAccess::AlwaysAllow => "allowed, NSGs not consulted",
                AdminAccess::Allow => "handed to the NSGs",
            };
            format!(
                "security admin rule `{}` of `{}` priority {}: {:?}, {then}",
                m.rule, m.collection, m.priority, m.access
            )
        }
        AdminDecision::NoMatch => "security admin rules: none matches, the NSGs decide".into(),
        AdminDecision::NotApplied { subnet } => {
            format!("security admin rules: not applied in subnet `{subnet}` (Azure leaves it out)")
        }
        AdminDecision::NotAppliedToIntentPolicyService { subnet, service } => format!(
            "security admin rules: not applied in subnet `{subnet}`: its VNet holds a subnet delegated to `{service}` and no configuration sets `AllowRulesOnly`"
        ),
    }
}
