//! Several public IPs as the SNAT source: Azure picks one per connection, so a destination that
//! allows only some of them answers some connections and refuses others.
//!
//! Microsoft Learn, "Deploy an Azure Firewall with multiple public IP addresses"
//! (<https://learn.microsoft.com/azure/firewall/deploy-multi-public-ip-powershell>): "Azure
//! Firewall randomly selects the source public IP address to use for a connection. If you have
//! any downstream filtering on your network, you need to allow all public IP addresses
//! associated with your firewall." "Source Network Address Translation (SNAT) with Azure NAT
//! Gateway" (<https://learn.microsoft.com/azure/nat-gateway/nat-gateway-snat>): the SNAT port
//! inventory is provided by all the public IP addresses and prefixes attached to the NAT
//! gateway, any of which a connection may leave from. "Outbound rules"
//! (<https://learn.microsoft.com/azure/load-balancer/outbound-rules>): an outbound rule with
//! several frontend IP configurations uses all of them for its backends' connections.
//!
//! The trace takes the pool's first address (or the one asked for, [`pick`]); the walk records
//! every pool of several addresses it took a source from, and [`weigh`] compares the verdict
//! each candidate gets. When they agree the answer names the candidates; when some connect and
//! some do not, the verdict says so ([`Verdict::SnatAddressDecides`]).

use std::net::IpAddr;

use super::Verdict;

/// A pool of several public addresses a device took a flow's SNAT source from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SnatPool {
    /// The device (firewall, NAT gateway, load balancer) whose addresses these are.
    pub(super) device: String,
    /// Every address Azure may pick.
    pub(super) addresses: Vec<IpAddr>,
    /// The address the walk took.
    pub(super) chosen: IpAddr,
}

/// The address taken from `pool`: `choice` when the pool holds it, else its first.
pub(super) fn pick(pool: &[IpAddr], choice: Option<IpAddr>) -> Option<IpAddr> {
    choice
        .filter(|c| pool.contains(c))
        .or_else(|| pool.first().copied())
}

/// What weighing the candidates found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Weighed {
    /// Every candidate gets the same outcome: the addresses of the pool the walk took its
    /// source from.
    Agree(Vec<IpAddr>),
    /// Some candidates connect and some do not.
    Differ(Verdict),
}

/// Weighs every candidate of every pool the walk took a source from: `verdict` is what the
/// walk's own choice got, `rerun` walks the flow again with another address taken. One pool is
/// varied at a time, the others keeping the walk's choice. `None` when no pool had several
/// addresses.
pub(super) fn weigh(
    pools: &[SnatPool],
    verdict: &Verdict,
    rerun: impl Fn(IpAddr) -> Option<Verdict>,
) -> Option<Weighed> {
    let mut candidates = Vec::new();
    for pool in pools {
        let mut outcomes = vec![(pool.chosen, verdict.clone())];
        for address in pool.addresses.iter().filter(|a| **a != pool.chosen) {
            if let Some(v) = rerun(*address) {
                outcomes.push((*address, v));
            }
        }
        if let Some(differ) = differ(&pool.device, &pool.addresses, &outcomes) {
            return Some(Weighed::Differ(differ));
        }
        candidates.extend(pool.addresses.iter().copied());
    }
    (!candidates.is_empty()).then_some(Weighed::Agree(candidates))
}

/// The verdict of a flow whose outcome depends on which of `device`'s `addresses` Azure picks:
/// `None` when every candidate succeeds, or every candidate fails.
fn differ(device: &str, addresses: &[IpAddr], outcomes: &[(IpAddr, Verdict)]) -> Option<Verdict> {
    let (allowed, refused): (Vec<_>, Vec<_>) = outcomes.iter().partition(|(_, v)| v.is_success());
    let refusal = refused.first().map(|(_, v)| v.clone())?;
    if allowed.is_empty() {
        return None;
    }
    // In the pool's order, as Azure lists the addresses.
    let ordered = |set: &[&(IpAddr, Verdict)]| -> Vec<IpAddr> {
        addresses
            .iter()
            .filter(|a| set.iter().any(|(b, _)| b == *a))
            .copied()
            .collect()
    };
    Some(Verdict::SnatAddressDecides {
        device: device.to_string(),
        allowed: ordered(&allowed),
        refused: ordered(&refused),
        refusal: Box::new(refusal),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn pool() -> SnatPool {
        SnatPool {
            device: "fw".into(),
            addresses: vec![ip("20.0.0.1"), ip("20.0.0.2"), ip("20.0.0.3")],
            chosen: ip("20.0.0.1"),
        }
    }

    fn denied() -> Verdict {
        Verdict::DroppedByNsg {
            nsg: "nsg".into(),
            rule: "DenyAll".into(),
            nic: "vm".into(),
        }
    }

    #[test]
    fn the_address_asked_for_is_taken_only_from_a_pool_that_holds_it() {
        let p = pool().addresses;
        assert_eq!(pick(&p, None), Some(ip("20.0.0.1")));
        assert_eq!(pick(&p, Some(ip("20.0.0.3"))), Some(ip("20.0.0.3")));
        assert_eq!(pick(&p, Some(ip("52.0.0.9"))), Some(ip("20.0.0.1")));
        assert_eq!(pick(&[], Some(ip("20.0.0.3"))), None);
    }

    #[test]
    fn a_firewall_picking_its_public_ip_at_random_makes_a_destination_allowing_only_some_fail_intermittently(
    ) {
        let rerun = |a: IpAddr| {
            Some(if a == ip("20.0.0.2") {
                Verdict::Delivered
            } else {
                denied()
            })
        };
        let weighed = weigh(&[pool()], &Verdict::Delivered, rerun);
        assert_eq!(
            weighed,
            Some(Weighed::Differ(Verdict::SnatAddressDecides {
                device: "fw".into(),
                allowed: vec![ip("20.0.0.1"), ip("20.0.0.2")],
                refused: vec![ip("20.0.0.3")],
                refusal: Box::new(denied()),
            }))
        );
    }

    #[test]
    fn a_destination_allowing_every_public_ip_of_the_firewall_answers_as_one_and_names_them() {
        let weighed = weigh(&[pool()], &Verdict::Delivered, |_| Some(Verdict::Delivered));
        assert_eq!(weighed, Some(Weighed::Agree(pool().addresses)));
        // Refused whichever is picked: a failure, not an intermittent one.
        let weighed = weigh(&[pool()], &denied(), |_| Some(denied()));
        assert_eq!(weighed, Some(Weighed::Agree(pool().addresses)));
    }

    #[test]
    fn a_walk_that_took_no_pool_of_several_addresses_has_nothing_to_weigh() {
        assert_eq!(weigh(&[], &Verdict::Delivered, |_| None), None);
    }
}
