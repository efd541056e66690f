//! Longest-prefix match behind a small trait, so the engine can use a trie while tests and
//! benches compare it with a linear scan that is obviously right.

use std::net::IpAddr;

use ipnet::IpNet;
use prefix_trie::joint::map::JointPrefixMap;

/// A map from IP prefixes (IPv4 and IPv6) to values with longest-prefix-match look-up.
pub trait Lpm<V> {
    /// Inserts or replaces the value for `prefix` (host bits are ignored).
    fn insert(&mut self, prefix: IpNet, value: V);
    /// The entry with the longest prefix containing `addr`.
    fn longest_match(&self, addr: IpAddr) -> Option<(IpNet, &V)>;
    /// Every entry whose prefix contains `addr`, shortest prefix first.
    fn covering(&self, addr: IpAddr) -> Vec<(IpNet, &V)>;
    /// How many prefixes are stored.
    fn len(&self) -> usize;
    /// Whether nothing is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn host(addr: IpAddr) -> IpNet {
    IpNet::from(addr)
}

/// The engine's LPM: a `prefix-trie` joint map (one trie per address family).
#[derive(Clone, Debug)]
pub struct TrieLpm<V> {
    map: JointPrefixMap<IpNet, V>,
}

impl<V> Default for TrieLpm<V> {
    fn default() -> Self {
        Self {
            map: JointPrefixMap::new(),
        }
    }
}

impl<V> Lpm<V> for TrieLpm<V> {
    fn insert(&mut self, prefix: IpNet, value: V) {
        self.map.insert(prefix.trunc(), value);
    }

    fn longest_match(&self, addr: IpAddr) -> Option<(IpNet, &V)> {
        self.map.get_lpm(&host(addr))
    }

    /// One longest-prefix match per covering prefix, each from the supernet of the last one
    /// found: a table has few prefixes over an address, and `cover` allocates at every trie
    /// node it passes.
    fn covering(&self, addr: IpAddr) -> Vec<(IpNet, &V)> {
        let mut out: Vec<(IpNet, &V)> = Vec::new();
        let mut probe = host(addr);
        while let Some((prefix, value)) = self.map.get_lpm(&probe) {
            out.push((prefix, value));
            let Some(shorter) = prefix.prefix_len().checked_sub(1) else {
                break;
            };
            match IpNet::new(prefix.addr(), shorter) {
                Ok(supernet) => probe = supernet.trunc(),
                Err(_) => break,
            }
        }
        out.reverse();
        out
    }

    fn len(&self) -> usize {
        self.map.len()
    }
}

/// The reference LPM: a list scanned in full on every look-up. Written for clarity, not speed.
#[derive(Clone, Debug)]
pub struct LinearLpm<V> {
    entries: Vec<(IpNet, V)>,
}

impl<V> Default for LinearLpm<V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<V> Lpm<V> for LinearLpm<V> {
    fn insert(&mut self, prefix: IpNet, value: V) {
        let prefix = prefix.trunc();
        match self.entries.iter_mut().find(|(p, _)| *p == prefix) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((prefix, value)),
        }
    }

    fn longest_match(&self, addr: IpAddr) -> Option<(IpNet, &V)> {
        let mut best: Option<(IpNet, &V)> = None;
        for (prefix, value) in &self.entries {
            if prefix.contains(&addr)
                && best.is_none_or(|(b, _)| prefix.prefix_len() > b.prefix_len())
            {
                best = Some((*prefix, value));
            }
        }
        best
    }

    fn covering(&self, addr: IpAddr) -> Vec<(IpNet, &V)> {
        let mut out: Vec<(IpNet, &V)> = self
            .entries
            .iter()
            .filter(|(p, _)| p.contains(&addr))
            .map(|(p, v)| (*p, v))
            .collect();
        out.sort_by_key(|(p, _)| p.prefix_len());
        out
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled<L: Lpm<&'static str> + Default>() -> L {
        let mut l = L::default();
        for (p, v) in [
            ("0.0.0.0/0", "default"),
            ("10.0.0.0/8", "ten"),
            ("10.1.0.0/16", "ten-one"),
            ("10.1.2.4/32", "host"),
            ("2001:db8::/32", "v6"),
        ] {
            l.insert(p.parse().unwrap(), v);
        }
        l
    }

    fn check<L: Lpm<&'static str> + Default>() {
        let l = filled::<L>();
        let at = |a: &str| l.longest_match(a.parse().unwrap()).map(|(_, v)| *v);
        assert_eq!(at("10.1.2.4"), Some("host"));
        assert_eq!(at("10.1.2.5"), Some("ten-one"));
        assert_eq!(at("10.9.9.9"), Some("ten"));
        assert_eq!(at("8.8.8.8"), Some("default"));
        assert_eq!(at("2001:db8::1"), Some("v6"));
        assert_eq!(at("2001:db9::1"), None, "no IPv6 default was inserted");
        let cover: Vec<&str> = l
            .covering("10.1.2.4".parse().unwrap())
            .into_iter()
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(cover, ["default", "ten", "ten-one", "host"]);
        assert_eq!(l.len(), 5);
    }

    #[test]
    fn trie_finds_longest_prefix_in_both_families() {
        check::<TrieLpm<_>>();
    }

    #[test]
    fn linear_scan_finds_longest_prefix_in_both_families() {
        check::<LinearLpm<_>>();
    }

    #[test]
    fn insert_ignores_host_bits_and_replaces() {
        let mut l = TrieLpm::default();
        l.insert("10.1.2.3/16".parse().unwrap(), 1);
        l.insert("10.1.0.0/16".parse().unwrap(), 2);
        assert_eq!(l.len(), 1);
        assert_eq!(
            l.longest_match("10.1.9.9".parse().unwrap()),
            Some(("10.1.0.0/16".parse().unwrap(), &2))
        );
    }
}
