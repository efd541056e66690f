//! Address facts Azure relies on: private ranges and the addresses it reserves in each subnet.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net};

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

/// A range an address or prefix falls in that Azure refuses for the use at hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The range, e.g. `224.0.0.0/4`.
    pub range: Ipv4Net,
    /// What it is, e.g. "the multicast range".
    pub what: &'static str,
}

/// A constant IPv4 prefix (checked at compile time).
const fn v4net(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len)
}

/// 224.0.0.0/4 (RFC 5771): Azure VNets carry no multicast.
pub const MULTICAST: Refused = Refused {
    range: v4net(224, 0, 0, 0, 4),
    what: "the multicast range",
};
/// 255.255.255.255/32, the limited broadcast address (RFC 919): Azure VNets carry no broadcast.
pub const BROADCAST: Refused = Refused {
    range: v4net(255, 255, 255, 255, 32),
    what: "the broadcast address",
};
/// 127.0.0.0/8 (RFC 1122): a host's own loopback, never on the wire.
pub const LOOPBACK: Refused = Refused {
    range: v4net(127, 0, 0, 0, 8),
    what: "the loopback range",
};
/// 169.254.0.0/16 (RFC 3927): link-local, used inside a VM for the instance metadata service.
pub const LINK_LOCAL: Refused = Refused {
    range: v4net(169, 254, 0, 0, 16),
    what: "the link-local range",
};
/// 168.63.129.16/32: Azure's virtual public IP for DNS, DHCP and health probes.
pub const AZURE_HOST: Refused = Refused {
    range: v4net(168, 63, 129, 16, 32),
    what: "Azure's host address",
};
/// 0.0.0.0/8 (RFC 1122 §3.2.1.3, "this network"): only a source while a host learns its
/// address, never an address a host holds or a destination.
pub const THIS_NETWORK: Refused = Refused {
    range: v4net(0, 0, 0, 0, 8),
    what: "the \"this network\" range",
};

/// The first of `ranges` that `prefix` shares an address with.
fn first_overlapping(prefix: IpNet, ranges: &[Refused]) -> Option<Refused> {
    ranges
        .iter()
        .copied()
        .find(|r| overlaps(IpNet::V4(r.range), prefix))
}

/// Why Azure refuses `prefix` in a VNet's address space (and so in any subnet): the virtual
/// network FAQ ("What address ranges can I use in my virtual networks?") lists 224.0.0.0/4,
/// 255.255.255.255/32, 127.0.0.0/8, 169.254.0.0/16 and 168.63.129.16/32; 0.0.0.0/8 holds no
/// host address at all.
pub fn refused_in_vnet_address_space(prefix: IpNet) -> Option<Refused> {
    first_overlapping(
        prefix,
        &[
            THIS_NETWORK,
            MULTICAST,
            BROADCAST,
            LOOPBACK,
            LINK_LOCAL,
            AZURE_HOST,
        ],
    )
}

/// Whether two prefixes share any address (one contains the other).
pub fn overlaps(a: IpNet, b: IpNet) -> bool {
    a.contains(&b) || b.contains(&a)
}

/// The first and last address of `net` as integers of one scale (IPv4 mapped into the IPv6
/// space), so that prefixes of both families sort together without colliding.
fn bounds(net: IpNet) -> (u128, u128) {
    match net {
        IpNet::V4(n) => {
            let offset = 0xffff_u128 << 32;
            (
                offset | u128::from(u32::from(n.network())),
                offset | u128::from(u32::from(n.broadcast())),
            )
        }
        IpNet::V6(n) => (u128::from(n.network()), u128::from(n.broadcast())),
    }
}

/// Which of `prefixes` to refuse so that the rest do not overlap, each with the index of a kept
/// prefix it overlaps: `(refused, kept)`, in file order. A prefix is refused when it overlaps one
/// written before it and kept. The kept prefixes are disjoint, so an ordered map by first
/// address answers each check with two look-ups (the kept prefix starting at or before it, and
/// the first starting inside it): O(n log n), not O(n²).
pub fn overlapping(prefixes: &[IpNet]) -> Vec<(usize, usize)> {
    let mut kept: BTreeMap<u128, (u128, usize)> = BTreeMap::new();
    let mut refused = Vec::new();
    for (i, p) in prefixes.iter().enumerate() {
        let (first, last) = bounds(*p);
        let before = kept
            .range(..=first)
            .next_back()
            .filter(|(_, (end, _))| *end >= first);
        let inside = || kept.range(first..=last).next();
        match before.or_else(inside) {
            Some((_, (_, k))) => refused.push((i, *k)),
            None => {
                kept.insert(first, (last, i));
            }
        }
    }
    refused
}

/// Whether `prefix` lies inside one of `disjoint`, which must be sorted by first address and
/// not overlap (as a VNet's address space is once checked): a binary search.
pub fn inside_any(disjoint: &[IpNet], prefix: IpNet) -> bool {
    let first = bounds(prefix).0;
    let at = disjoint.partition_point(|p| bounds(*p).0 <= first);
    at.checked_sub(1)
        .and_then(|i| disjoint.get(i))
        .is_some_and(|p| p.contains(&prefix))
}

/// The first pair, one prefix from each, that overlaps; `a` and `b` must each be sorted by
/// first address and disjoint. A merge: O(n), as each step passes the prefix that ends first.
pub fn first_overlap(a: &[IpNet], b: &[IpNet]) -> Option<(IpNet, IpNet)> {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        if overlaps(*x, *y) {
            return Some((*x, *y));
        }
        if bounds(*x).1 < bounds(*y).1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    None
}

/// Every prefix that holds `ip`, from the host route (`/32`) to `0.0.0.0/0`: for look-ups in a
/// set of prefixes by exact key.
pub fn prefixes_holding(ip: IpAddr) -> impl Iterator<Item = IpNet> {
    let max = match ip {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    };
    (0..=max).filter_map(move |len| IpNet::new(ip, len).ok().map(|n| n.trunc()))
}

/// `prefixes` sorted by first address, for [`inside_any`].
pub fn sorted_by_start(prefixes: &[IpNet]) -> Vec<IpNet> {
    let mut out = prefixes.to_vec();
    out.sort_by_key(|p| (bounds(*p).0, p.prefix_len()));
    out
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

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    // Virtual network FAQ, "What address ranges can I use in my virtual networks?".
    #[test]
    fn vnet_address_space_refuses_the_ranges_the_faq_lists_and_this_network() {
        for (p, range) in [
            ("224.0.0.0/4", "224.0.0.0/4"),
            ("239.1.0.0/16", "224.0.0.0/4"),
            ("255.255.255.255/32", "255.255.255.255/32"),
            ("127.0.0.0/8", "127.0.0.0/8"),
            ("169.254.0.0/16", "169.254.0.0/16"),
            ("168.63.129.16/32", "168.63.129.16/32"),
            ("168.63.128.0/23", "168.63.129.16/32"),
            ("0.0.0.0/8", "0.0.0.0/8"),
            ("0.0.0.0/0", "0.0.0.0/8"),
        ] {
            let refused = refused_in_vnet_address_space(net(p)).map(|r| r.range.to_string());
            assert_eq!(refused.as_deref(), Some(range), "{p}");
        }
        for p in [
            "10.0.0.0/8",
            "100.64.0.0/10",
            "20.0.0.0/8",
            "1.0.0.0/8",
            "168.63.130.0/24",
        ] {
            assert_eq!(refused_in_vnet_address_space(net(p)), None, "{p}");
        }
    }

    /// The quadratic definition the sweep must agree with: a prefix is refused when it
    /// overlaps one written before it that is kept.
    fn refused_by_pairs(prefixes: &[IpNet]) -> Vec<usize> {
        let mut kept: Vec<IpNet> = Vec::new();
        let mut refused = Vec::new();
        for (i, p) in prefixes.iter().enumerate() {
            if kept.iter().any(|k| overlaps(*k, *p)) {
                refused.push(i);
            } else {
                kept.push(*p);
            }
        }
        refused
    }

    #[test]
    fn the_ordered_check_refuses_what_pairwise_checks_refuse_on_random_prefixes() {
        // A small linear congruential generator: deterministic, no dependency.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            seed >> 33
        };
        for round in 0..2000 {
            // Alternately wide prefixes in 10.0.0.0/8 and narrow ones (down to host routes)
            // crowded into 10.0.0.0/24, where blocks end where others start.
            let (span, min_len, lens) = if round % 2 == 0 {
                (0x00ff_ff00_u32, 16, 9)
            } else {
                (0x0000_00ff_u32, 24, 9)
            };
            let nets: Vec<IpNet> = (0..(next() % 12))
                .map(|_| {
                    let len = min_len + (next() % lens) as u8;
                    let addr = Ipv4Addr::from(0x0a00_0000 | ((next() as u32) & span));
                    IpNet::V4(Ipv4Net::new(addr, len).unwrap().trunc())
                })
                .collect();
            let refused: Vec<usize> = overlapping(&nets).into_iter().map(|(r, _)| r).collect();
            assert_eq!(refused, refused_by_pairs(&nets), "{nets:?}");
        }
    }

    #[test]
    fn the_ordered_check_refuses_what_pairwise_checks_refuse() {
        let cases: [&[&str]; 5] = [
            &["10.0.0.0/16", "10.1.0.0/16", "10.0.1.0/24"],
            &["10.0.1.0/24", "10.0.0.0/8", "10.2.0.0/16"],
            &["10.0.0.0/24", "10.0.0.0/24"],
            &["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16", "11.0.0.0/8"],
            &["10.1.0.0/16", "10.2.0.0/16", "10.0.0.0/8", "10.3.0.0/16"],
        ];
        for case in cases {
            let nets: Vec<IpNet> = case.iter().map(|p| net(p)).collect();
            let swept: Vec<usize> = overlapping(&nets).into_iter().map(|(r, _)| r).collect();
            assert_eq!(swept, refused_by_pairs(&nets), "{case:?}");
            for (r, k) in overlapping(&nets) {
                assert!(overlaps(nets[r], nets[k]) && k != r, "{case:?}");
            }
        }
    }

    #[test]
    fn a_merge_finds_the_overlap_of_two_address_spaces() {
        let a = sorted_by_start(&[net("10.2.0.0/16"), net("10.0.0.0/16")]);
        let b = sorted_by_start(&[net("10.1.0.0/16"), net("10.2.5.0/24")]);
        assert_eq!(
            first_overlap(&a, &b),
            Some((net("10.2.0.0/16"), net("10.2.5.0/24")))
        );
        assert_eq!(first_overlap(&a, &[net("10.1.0.0/16")]), None);
        assert!(inside_any(&a, net("10.2.3.0/24")));
        assert!(!inside_any(&a, net("10.1.3.0/24")));
        assert!(!inside_any(&a, net("10.0.0.0/15")));
    }

    #[test]
    fn an_address_is_held_by_its_33_truncations() {
        let held: Vec<IpNet> = prefixes_holding("10.1.2.3".parse().unwrap()).collect();
        assert_eq!(held.len(), 33);
        assert!(held.contains(&net("10.1.2.3/32")));
        assert!(held.contains(&net("10.1.0.0/16")));
        assert!(held.contains(&net("0.0.0.0/0")));
        assert!(held
            .iter()
            .all(|p| p.contains(&"10.1.2.3".parse::<IpAddr>().unwrap())));
    }
}
