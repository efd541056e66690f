//! The request leaves for the Internet: the outbound method [`super::egress`] chooses, or no
//! way out of a private subnet.

use super::egress::EgressMethod;
use super::walk::{Nic, Tracer};
use super::{Hop, Step, Verdict};
use crate::model::NicRef;

impl Tracer<'_> {
    /// The request leaves `at` for the Internet: the outbound method that applies, recorded on
    /// `hop`, and the verdict (sent, or no way out of a private subnet).
    pub(super) fn egress(&self, at: &Nic, hop: &mut Hop) -> Verdict {
        if let Some((method, source)) = self.way_out(at.id) {
            hop.steps.push(Step::Egress { method, source });
            return Verdict::SentToInternet;
        }
        let NicRef::Workload(_) = at.id else {
            return Verdict::SentToInternet;
        };
        if self.net.egress.private_subnets.contains(&at.subnet) {
            let subnet = self
                .net
                .subnet(at.subnet)
                .map(|s| s.name.clone())
                .unwrap_or_default();
            return Verdict::NoOutboundAccess {
                nic: at.name.to_string(),
                subnet,
            };
        }
        hop.steps.push(Step::Egress {
            method: EgressMethod::DefaultOutboundAccess,
            source: None,
        });
        Verdict::SentToInternet
    }
}
