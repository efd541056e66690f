//! A packet a network virtual appliance forwards to the Internet without SNAT (another host's
//! address as its source) leaves through the appliance's own NIC and subnet, so Azure's way
//! out applies to it as to the appliance's own traffic: the NAT gateway on its subnet, else its
//! instance public IP, else a load balancer outbound rule, else default outbound access.
//! Microsoft Learn, "Tutorial: Use a NAT gateway with a hub and spoke network"
//! (<https://learn.microsoft.com/azure/nat-gateway/tutorial-hub-spoke-route-nat>): the spokes'
//! Internet traffic is routed to an appliance that only forwards (IP forwarding on), and leaves
//! with the public IP of the NAT gateway on the appliance's public subnet; "Default outbound
//! access" (<https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access>)
//! and "What is Azure NAT Gateway?", outbound connectivity
//! (<https://learn.microsoft.com/azure/nat-gateway/nat-overview#outbound-connectivity>) for the
//! order.

use std::net::IpAddr;

use super::walk::Nic;
use crate::model::NicRef;

/// Whether the packet `at` sends with `source` leaves by `at`'s own way out, `method`: the
/// NIC's own address always; a packet a VM appliance (IP forwarding on) forwards with another
/// host's address only through a NAT gateway. An instance public IP, an outbound rule and
/// default outbound access translate the IP configuration's own address: Learn, "Virtual network
/// traffic routing": an appliance routing to a public address "must either proxy the traffic,
/// or network address translate the source's private IP address to its own private IP address,
/// which Azure then network address translates to a public IP address".
pub(super) fn leaves_by_own_way_out(
    at: &Nic,
    source: IpAddr,
    method: Option<&super::egress::EgressMethod>,
) -> bool {
    source == at.ip
        || (forwarded_by_appliance(at)
            && matches!(method, Some(super::egress::EgressMethod::NatGateway { .. })))
}

/// Whether `at` is a VM appliance forwarding others' packets (IP forwarding on).
fn forwarded_by_appliance(at: &Nic) -> bool {
    matches!(at.id, NicRef::Workload(_)) && at.forwarding.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Forwarding, WorkloadId};

    fn nic(forwarding: Option<Forwarding>) -> Nic<'static> {
        Nic {
            id: NicRef::Workload(WorkloadId::for_test(0)),
            name: "nva".into(),
            subnet: crate::model::SubnetId::for_test(0),
            vnet: crate::model::VnetId::for_test(0),
            ip: IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 3, 4)),
            forwarding,
        }
    }

    #[test]
    fn a_packet_an_appliance_forwards_without_snat_leaves_only_by_a_nat_gateway() {
        use crate::trace::egress::EgressMethod;
        let other = IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 1, 4));
        let nat = EgressMethod::NatGateway { name: "ng".into() };
        let nva = nic(Some(Forwarding {
            stateful: true,
            snat: false,
        }));
        assert!(leaves_by_own_way_out(&nva, other, Some(&nat)));
        assert!(!leaves_by_own_way_out(
            &nva,
            other,
            Some(&EgressMethod::InstancePublicIp)
        ));
        assert!(!leaves_by_own_way_out(&nva, other, None));
        assert!(leaves_by_own_way_out(&nva, nva.ip, None));
        // A VM that does not forward sends only its own packets.
        let vm = nic(None);
        assert!(!leaves_by_own_way_out(&vm, other, Some(&nat)));
        assert!(leaves_by_own_way_out(&vm, vm.ip, Some(&nat)));
    }
}
