//! The one mapping from a trace's verdict to the verdict vocabulary scenarios write.

use crate::scenario::VerdictName;
use crate::trace::Verdict;

/// The name a scenario gives `verdict`: the variant without its details.
pub fn verdict_name(verdict: &Verdict) -> VerdictName {
    match verdict {
        Verdict::Delivered => VerdictName::Delivered,
        Verdict::DroppedByNsg { .. } => VerdictName::DroppedByNsg,
        Verdict::DroppedByFirewall { .. } => VerdictName::DroppedByFirewall,
        Verdict::NoRoute { .. } => VerdictName::NoRoute,
        Verdict::NoDestination { .. } => VerdictName::NoDestination,
        Verdict::InvalidNextHop { .. } => VerdictName::InvalidNextHop,
        Verdict::PeeringBlocked { .. } => VerdictName::PeeringBlocked,
        Verdict::SentToInternet => VerdictName::SentToInternet,
        Verdict::SentToOnPremises { .. } => VerdictName::SentToOnPremises,
        Verdict::SentToServiceEndpoint => VerdictName::SentToServiceEndpoint,
        Verdict::Loop { .. } => VerdictName::Loop,
        Verdict::AsymmetricReturnDropped { .. } => VerdictName::AsymmetricReturnDropped,
        Verdict::ReplyDropped { .. } => VerdictName::ReplyDropped,
        Verdict::NameNotResolved { .. } => VerdictName::NameNotResolved,
        Verdict::TlsNameMismatch { .. } => VerdictName::TlsNameMismatch,
        Verdict::PublicAccessDisabled { .. } => VerdictName::PublicAccessDisabled,
        Verdict::ServiceFirewallDenied { .. } => VerdictName::ServiceFirewallDenied,
        Verdict::DeliveredPublicly { .. } => VerdictName::DeliveredPublicly,
        Verdict::HostNotServed { .. } => VerdictName::HostNotServed,
        Verdict::ServiceUnhealthy { .. } => VerdictName::ServiceUnhealthy,
    }
}
