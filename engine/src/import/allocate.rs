//! Addresses Azure allocates on deployment, filled in as Azure would allocate them, each
//! stated as an assumption: a dynamic private IP is "the next available unassigned or
//! unreserved IP address in the subnet's address range", and Azure reserves the first four
//! addresses of each subnet (and the last), so the first one given out is the fifth, `.4` in a
//! /24 (<https://learn.microsoft.com/azure/virtual-network/ip-services/private-ip-addresses#allocation-method>,
//! <https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets>).
//! Static addresses in the input are taken first; dynamic ones follow in input order.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// Addresses taken in each subnet (`vnet/subnet`).
#[derive(Clone, Debug, Default)]
pub(super) struct Allocator {
    taken: BTreeMap<String, BTreeSet<Ipv4Addr>>,
    /// Stand-ins given to public IPs Azure allocates on deployment, in order.
    public: u32,
}

/// Where stand-ins for public IPs Azure allocates on deployment come from: TEST-NET-3
/// (203.0.113.0/24), kept for documentation, so no real address is ever claimed
/// (<https://www.rfc-editor.org/rfc/rfc5737>).
const PUBLIC_STAND_INS: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 0);

/// The addresses Azure reserves at the start of a subnet: network, gateway and two for DNS.
const RESERVED_AT_START: u32 = 4;

impl Allocator {
    /// Records an address written in the input (a static one, or one Azure gave already).
    pub fn reserve(&mut self, subnet: &str, ip: &str) {
        if let Ok(ip) = ip.parse::<Ipv4Addr>() {
            self.taken.entry(subnet.to_string()).or_default().insert(ip);
        }
    }

    /// The address Azure would give the next dynamic configuration in `subnet` (prefix
    /// `prefix`): the lowest free one from the fifth on, short of the broadcast address.
    pub fn next(&mut self, subnet: &str, prefix: &str) -> Option<String> {
        let net: Ipv4Net = prefix.parse().ok()?;
        let first = u32::from(net.network()).checked_add(RESERVED_AT_START)?;
        let last = u32::from(net.broadcast()).checked_sub(1)?;
        let taken = self.taken.entry(subnet.to_string()).or_default();
        let ip = (first..=last)
            .map(Ipv4Addr::from)
            .find(|ip| !taken.contains(ip))?;
        taken.insert(ip);
        Some(ip.to_string())
    }
}

impl Allocator {
    /// A stand-in for the next public IP Azure allocates on deployment (`203.0.113.1`, `.2`, …);
    /// `None` once the 254 are used.
    pub fn next_public(&mut self) -> Option<String> {
        if self.public >= 254 {
            return None;
        }
        self.public += 1;
        Some(Ipv4Addr::from(u32::from(PUBLIC_STAND_INS) + self.public).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_ip_allocated_on_deployment_stands_in_as_a_documentation_address() {
        let mut a = Allocator::default();
        assert_eq!(a.next_public().as_deref(), Some("203.0.113.1"));
        assert_eq!(a.next_public().as_deref(), Some("203.0.113.2"));
    }

    #[test]
    fn a_dynamic_address_is_the_first_free_one_from_the_fifth_of_the_subnet() {
        let mut a = Allocator::default();
        assert_eq!(a.next("v/s", "10.0.1.0/24").as_deref(), Some("10.0.1.4"));
        a.reserve("v/s", "10.0.1.5");
        assert_eq!(a.next("v/s", "10.0.1.0/24").as_deref(), Some("10.0.1.6"));
        assert_eq!(a.next("v/t", "10.0.2.0/24").as_deref(), Some("10.0.2.4"));
    }

    #[test]
    fn a_full_subnet_gives_no_address() {
        let mut a = Allocator::default();
        // A /29 has 8 addresses: 5 reserved, 3 usable (.4, .5, .6).
        for want in ["10.0.0.4", "10.0.0.5", "10.0.0.6"] {
            assert_eq!(a.next("v/s", "10.0.0.0/29").as_deref(), Some(want));
        }
        assert_eq!(a.next("v/s", "10.0.0.0/29"), None);
    }
}
