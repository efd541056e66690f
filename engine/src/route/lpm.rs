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
    /// Every entry whose prefix contains `addr`, longest prefix first: the order a route
    /// look-up explains them in.
    fn covering_longest_first(&self, addr: IpAddr) -> Vec<(IpNet, &V)>;
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

/// The engine's LPM: a `prefix-trie` joint map (one trie per address family) from each prefix
/// to its entry, and the entries with a link from each to the next shorter stored prefix that
/// contains it. The links make the covering prefixes one longest-prefix match and a walk up the
/// chain: an explained route look-up lists every covering route at every hop of a trace.
///
/// IPv4 look-ups do not walk the trie: the address space is also kept cut into ranges, each
/// with the longest prefix over it, so a look-up is one binary search (the tracer looks up a
/// route at every hop). Cutting a range inserts into a sorted list: prefixes inserted in
/// address order (as the route tables and the reachability classes insert them, from sorted
/// maps) cut near its end, and any other order costs up to a shift of the list per insert.
#[derive(Clone, Debug)]
pub struct TrieLpm<V> {
    map: JointPrefixMap<IpNet, usize>,
    entries: Vec<Entry<V>>,
    /// The IPv4 ranges by first address, from `0.0.0.0`, each with the index of the longest
    /// stored prefix containing it.
    v4: Vec<(u32, Option<usize>)>,
}

/// A stored prefix, its value, and the index of the next shorter stored prefix containing it.
#[derive(Clone, Debug)]
struct Entry<V> {
    prefix: IpNet,
    value: V,
    parent: Option<usize>,
}

impl<V> Default for TrieLpm<V> {
    fn default() -> Self {
        Self {
            map: JointPrefixMap::new(),
            entries: Vec::new(),
            v4: vec![(0, None)],
        }
    }
}

impl<V> TrieLpm<V> {
    /// The entries from the one at `start` up its chain of ever shorter containing prefixes.
    fn chain(&self, start: Option<usize>) -> impl Iterator<Item = &Entry<V>> + Clone + '_ {
        let mut next = start;
        std::iter::from_fn(move || {
            let e = self.entries.get(next?)?;
            next = e.parent;
            Some(e)
        })
    }

    /// Every entry whose prefix contains `addr`, longest prefix first, without allocating: the
    /// longest match, then up its chain.
    pub fn covering_iter(&self, addr: IpAddr) -> impl Iterator<Item = (IpNet, &V)> + Clone + '_ {
        self.chain(self.longest_index(addr))
            .map(|e| (e.prefix, &e.value))
    }

    /// The index of the longest stored prefix containing `addr`.
    fn longest_index(&self, addr: IpAddr) -> Option<usize> {
        match addr {
            IpAddr::V4(a) => {
                let after = self.v4.partition_point(|(start, _)| *start <= a.to_bits());
                self.v4.get(after.checked_sub(1)?)?.1
            }
            IpAddr::V6(_) => self.map.get_lpm(&host(addr)).map(|(_, i)| *i),
        }
    }

    /// Where the IPv4 range starting at `at` is, cutting the range holding it in two if need be.
    fn cut_v4(&mut self, at: u32) -> usize {
        let after = self.v4.partition_point(|(start, _)| *start <= at);
        match after.checked_sub(1).and_then(|i| self.v4.get(i)) {
            Some((start, _)) if *start == at => after - 1,
            Some((_, over)) => {
                let over = *over;
                self.v4.insert(after, (at, over));
                after
            }
            None => after,
        }
    }

    /// Gives the new IPv4 `prefix` (entry `index`) the ranges inside it that its `parent`
    /// held: those had no longer prefix over them.
    fn claim_v4(&mut self, prefix: ipnet::Ipv4Net, index: usize, parent: Option<usize>) {
        let from = self.cut_v4(prefix.network().to_bits());
        let to = match prefix.broadcast().to_bits().checked_add(1) {
            Some(next) => self.cut_v4(next),
            None => self.v4.len(),
        };
        for (_, over) in self.v4.get_mut(from..to).unwrap_or_default() {
            if *over == parent {
                *over = Some(index);
            }
        }
    }

    /// The stored prefixes strictly inside `prefix` (their indexes).
    fn inside(&self, prefix: IpNet) -> Vec<usize> {
        let below = |(p, i): (IpNet, usize)| (p != prefix).then_some(i);
        match prefix {
            IpNet::V4(p) => self
                .map
                .t1
                .children(&p)
                .filter_map(|(c, i)| below((IpNet::V4(c), *i)))
                .collect(),
            IpNet::V6(p) => self
                .map
                .t2
                .children(&p)
                .filter_map(|(c, i)| below((IpNet::V6(c), *i)))
                .collect(),
        }
    }
}

impl<V> Lpm<V> for TrieLpm<V> {
    /// A new prefix's parent is the longest stored prefix containing its supernet; it becomes
    /// the parent of the stored prefixes inside it whose parent was shorter than it.
    fn insert(&mut self, prefix: IpNet, value: V) {
        let prefix = prefix.trunc();
        if let Some(e) = self.map.get(&prefix).and_then(|i| self.entries.get_mut(*i)) {
            e.value = value;
            return;
        }
        let parent = prefix
            .prefix_len()
            .checked_sub(1)
            .and_then(|shorter| IpNet::new(prefix.addr(), shorter).ok())
            .and_then(|supernet| self.map.get_lpm(&supernet.trunc()))
            .map(|(_, i)| *i);
        let index = self.entries.len();
        let len = prefix.prefix_len();
        for i in self.inside(prefix) {
            let parent_len = |p: Option<usize>| {
                p.and_then(|p| self.entries.get(p))
                    .map(|e| e.prefix.prefix_len())
            };
            let Some(child) = self.entries.get(i) else {
                continue;
            };
            if parent_len(child.parent).is_none_or(|l| l < len) {
                if let Some(child) = self.entries.get_mut(i) {
                    child.parent = Some(index);
                }
            }
        }
        self.entries.push(Entry {
            prefix,
            value,
            parent,
        });
        self.map.insert(prefix, index);
        if let IpNet::V4(p) = prefix {
            self.claim_v4(p, index, parent);
        }
    }

    fn longest_match(&self, addr: IpAddr) -> Option<(IpNet, &V)> {
        let e = self.entries.get(self.longest_index(addr)?)?;
        Some((e.prefix, &e.value))
    }

    fn covering(&self, addr: IpAddr) -> Vec<(IpNet, &V)> {
        let mut out = self.covering_longest_first(addr);
        out.reverse();
        out
    }

    fn covering_longest_first(&self, addr: IpAddr) -> Vec<(IpNet, &V)> {
        self.covering_iter(addr).collect()
    }

    fn len(&self) -> usize {
        self.entries.len()
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

    fn covering_longest_first(&self, addr: IpAddr) -> Vec<(IpNet, &V)> {
        let mut out = self.covering(addr);
        out.reverse();
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
        let longest_first: Vec<&str> = l
            .covering_longest_first("10.1.2.4".parse().unwrap())
            .into_iter()
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(longest_first, ["host", "ten-one", "ten", "default"]);
        assert_eq!(l.len(), 5);
    }

    #[test]
    fn trie_covering_holds_when_shorter_prefixes_arrive_later() {
        let mut l = TrieLpm::default();
        for (p, v) in [
            ("10.1.2.4/32", "host"),
            ("10.1.2.0/24", "subnet"),
            ("10.1.3.0/24", "other"),
            ("0.0.0.0/0", "default"),
            ("10.0.0.0/8", "ten"),
            ("10.1.0.0/16", "ten-one"),
        ] {
            l.insert(p.parse().unwrap(), v);
        }
        let cover = |a: &str| -> Vec<&str> {
            l.covering_iter(a.parse().unwrap())
                .map(|(_, v)| *v)
                .collect()
        };
        assert_eq!(
            cover("10.1.2.4"),
            ["host", "subnet", "ten-one", "ten", "default"]
        );
        assert_eq!(cover("10.1.3.9"), ["other", "ten-one", "ten", "default"]);
        assert_eq!(cover("10.2.0.1"), ["ten", "default"]);
        assert_eq!(cover("2001:db8::1"), Vec::<&str>::new());
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
