//! Address facts Azure relies on: private ranges and the addresses it reserves in each subnet.

use std::net::IpAddr;

use ipnet::IpNet;

/// Whether `ip` is a private address: RFC 1918, the shared address space 100.64.0.0/10 that
/// Azure treats as private, or IPv6 unique-local fc00::/7.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            // 100.64.0.0/10: first octet 100, top two bits of the second 01.
            v4.is_private() || (a == 100 && b & 0xc0 == 0x40)
        }
        IpAddr::V6(v6) => (v6.segments().first().copied().unwrap_or(0) & 0xfe00) == 0xfc00,
    }
}

/// The addresses Azure reserves in `subnet`: the network address, the next three (default
/// gateway and two for Azure DNS) and, in IPv4, the broadcast address. No NIC or private
/// endpoint can use them.
pub fn reserved_addresses(subnet: IpNet) -> Vec<IpAddr> {
    match subnet {
        IpNet::V4(net) => {
            let base = u32::from(net.network());
            let mut out: Vec<IpAddr> = (0..4)
                .filter_map(|i| base.checked_add(i))
                .map(|a| IpAddr::V4(a.into()))
                .collect();
            out.push(IpAddr::V4(net.broadcast()));
            out
        }
        IpNet::V6(net) => {
            let base = u128::from(net.network());
            (0..4)
                .filter_map(|i| base.checked_add(i))
                .map(|a| IpAddr::V6(a.into()))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_include_rfc1918_and_shared_address_space() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.9.9",
            "100.64.0.1",
            "100.127.255.255",
            "fd00::1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "100.128.0.1",
            "100.63.255.255",
            "172.32.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn azure_reserves_first_four_and_last_address_of_a_subnet() {
        let r: Vec<String> = reserved_addresses("10.0.2.0/24".parse().unwrap())
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            r,
            ["10.0.2.0", "10.0.2.1", "10.0.2.2", "10.0.2.3", "10.0.2.255"]
        );
    }
}
