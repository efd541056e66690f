//! A packet for the host's own addresses (168.63.129.16, 169.254.169.254) never enters the
//! routed network: the host answers Azure DNS, IMDS and the VM agent's WireServer itself, and
//! 168.63.129.16 is not subject to UDRs (Learn, "What is IP address 168.63.129.16?",
//! <https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16>).

use super::walk::Tracer;
use super::{Packet, Verdict};
use crate::filter::platform::{is_platform_address, platform_service};

impl Tracer<'_> {
    /// How a request for a host address ends once it has left the NIC (its NSGs passed):
    /// answered by the service, or, on a port no platform service listens on, by nobody.
    pub(super) fn platform(&self, packet: Packet) -> Option<Verdict> {
        if !is_platform_address(packet.dst) {
            return None;
        }
        Some(match platform_service(&packet.flow(self.protocol)) {
            Some(service) => Verdict::AnsweredByPlatform { service },
            None => Verdict::NoDestination {
                address: packet.dst,
            },
        })
    }
}
