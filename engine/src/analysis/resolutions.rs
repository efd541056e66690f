//! Name resolutions cached for a run of many questions (a matrix, a what-if or a diagnosis):
//! the clients of one VNet ask the same DNS servers from the same VNet, so a name resolves the
//! same way for all of them, and is resolved once per (client VNet, name).
//!
//! A workload that has DNS servers of its own (an App Service app's, see
//! [`crate::dns::resolve`]) is its own key. The cached resolution is handed out with the asker's
//! name as its client, so it equals what [`crate::dns::resolve`] answers for that asker.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::dns::{self, Resolution};
use crate::model::{Network, Resolver, VnetId, WorkloadId};

/// Whose DNS settings a resolution follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Settings {
    /// The VNet's DNS servers (Azure DNS by default), asked from that VNet.
    Vnet(Option<VnetId>),
    /// A workload's own DNS servers.
    Own(WorkloadId),
    /// Public DNS, from the Internet.
    Internet,
}

/// Resolutions of one network, cached per (client VNet, name); shareable between threads.
#[derive(Debug)]
pub struct Resolutions<'a> {
    net: &'a Network,
    cache: Mutex<HashMap<(Settings, String), Resolution>>,
}

impl<'a> Resolutions<'a> {
    /// An empty cache for `net`.
    pub fn new(net: &'a Network) -> Self {
        Resolutions {
            net,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// `name` resolved as `client` does: [`dns::resolve`]'s answer, computed once per (client
    /// VNet, name).
    pub fn resolve(&self, client: Resolver, name: &str) -> Resolution {
        let key = (self.settings(client), name.to_string());
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        let mut out = match cached {
            Some(r) => r,
            None => {
                let r = dns::resolve(self.net, client, name);
                self.cache
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key, r.clone());
                r
            }
        };
        out.client = self.asker(client);
        out
    }

    /// Distinct (client VNet, name) pairs resolved so far.
    pub fn len(&self) -> usize {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing was resolved yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn settings(&self, client: Resolver) -> Settings {
        let net = self.net;
        match client {
            Resolver::Workload(w) => {
                let own = net
                    .app_services
                    .iter()
                    .any(|a| a.workload == w && !a.dns_servers.is_empty());
                if own {
                    Settings::Own(w)
                } else {
                    let vnet = net
                        .workloads
                        .get(w)
                        .and_then(|x| net.subnet(x.subnet))
                        .map(|s| s.vnet);
                    Settings::Vnet(vnet)
                }
            }
            Resolver::Vnet(v) => Settings::Vnet(Some(v)),
            Resolver::Internet => Settings::Internet,
        }
    }

    /// Who asked, named as [`dns::resolve`] names its client.
    fn asker(&self, client: Resolver) -> String {
        let net = self.net;
        match client {
            Resolver::Workload(w) => net
                .workloads
                .get(w)
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            Resolver::Vnet(v) => net.vnet(v).map(|x| x.name.clone()).unwrap_or_default(),
            Resolver::Internet => "Internet client".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_file;

    /// Every workload and VNet of the DNS lessons, asking for every private link name and a
    /// public one: the cached answer is [`dns::resolve`]'s, and one VNet's clients share it.
    #[test]
    fn a_cached_resolution_is_the_one_the_client_would_get_and_is_shared_per_vnet() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        for file in [
            "dns/custom-dns-without-forwarding.ron",
            "dns/private-resolver-for-spokes.ron",
            "dns/zone-linked-to-the-hub-only.ron",
            "dns/nxdomain-and-fallback-to-internet.ron",
            "private-endpoint/client-uses-the-wrong-name.ron",
        ] {
            let loaded = load_file(&root.join(file)).unwrap();
            let net = &loaded.network;
            let cache = Resolutions::new(net);
            let mut names: Vec<String> = net
                .private_endpoints
                .iter()
                .filter_map(|p| p.target.clone())
                .collect();
            names.push("www.example.com".into());
            let clients: Vec<Resolver> = net
                .workloads
                .ids()
                .map(Resolver::Workload)
                .chain(net.vnets.ids().map(Resolver::Vnet))
                .chain([Resolver::Internet])
                .collect();
            for _ in 0..2 {
                for name in &names {
                    for &c in &clients {
                        assert_eq!(
                            cache.resolve(c, name),
                            dns::resolve(net, c, name),
                            "{file}: {c:?} {name}"
                        );
                    }
                }
            }
            // One entry per (VNet, name) and per (own servers, name), not per client.
            assert!(cache.len() <= names.len() * (net.vnets.len() + 1 + net.app_services.len()));
        }
    }
}
