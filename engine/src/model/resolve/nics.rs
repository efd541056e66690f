//! NICs: workloads and private endpoints.

use std::collections::HashMap;
use std::net::IpAddr;

use super::{find, Resolver};
use crate::model::*;
use crate::scenario::{self as doc, Text};

impl Resolver {
    pub(super) fn nics(
        &mut self,
        endpoints: &[doc::PrivateEndpointDoc],
        workloads: &[doc::WorkloadDoc],
    ) {
        // Services by name, the first of a name winning as a scan would: one look-up per
        // endpoint instead of a scan of every service (a hub can hold tens of thousands).
        let mut services: HashMap<String, ServiceId> = HashMap::new();
        for (i, s) in self.net.services.iter().enumerate() {
            services.entry(s.name.clone()).or_insert(ServiceId(i));
        }
        for pe in endpoints {
            if let Some((subnet, ip)) = self.nic(&pe.name, &pe.subnet, &pe.ip, "private endpoint") {
                self.net.private_endpoints.push(PrivateEndpoint {
                    name: pe.name.value.clone(),
                    subnet,
                    ip,
                    target: pe.target.as_ref().map(|t| t.value.clone()),
                    service: pe
                        .target
                        .as_ref()
                        .and_then(|t| services.get(&t.value).copied()),
                    span: pe.name.span,
                });
            }
        }
        for w in workloads {
            let nsg = w
                .nsg
                .as_ref()
                .and_then(|t| self.found(find(&self.nsg_ids, t, "nsg")));
            let forwarding = self.forwarding(w);
            if let Some((subnet, ip)) = self.nic(&w.name, &w.subnet, &w.ip, "workload") {
                self.net.workloads.push(Workload {
                    name: w.name.value.clone(),
                    kind: w.kind,
                    subnet,
                    ip,
                    nsg,
                    forwarding,
                    span: w.name.span,
                });
            }
        }
    }

    /// An NVA forwards (stateful unless told otherwise); a VM does not, and NVA settings on it
    /// are refused.
    fn forwarding(&mut self, w: &doc::WorkloadDoc) -> Option<Forwarding> {
        match w.kind {
            WorkloadKind::Nva => Some(Forwarding {
                stateful: w.stateful.unwrap_or(true),
                snat: w.snat,
            }),
            WorkloadKind::Vm => {
                if w.stateful.is_some() || w.snat {
                    self.error(
                        w.name.span,
                        format!(
                            "workload `{}` sets `stateful` or `snat`, which only an `Nva` has",
                            w.name.value
                        ),
                        Some("add `kind: Nva` (IP forwarding on), or remove the setting".into()),
                    );
                }
                None
            }
        }
    }

    /// Checks a NIC (workload or private endpoint): unique name, known subnet, an address inside
    /// it that Azure does not reserve and no other NIC uses.
    pub(super) fn nic(
        &mut self,
        name: &Text,
        subnet: &Text,
        ip: &Text,
        kind: &str,
    ) -> Option<(SubnetId, IpAddr)> {
        let mut names = std::mem::take(&mut self.nic_names);
        let unique = self.unique(&mut names, name, "workload, private endpoint or firewall");
        self.nic_names = names;
        let subnet_id = self.found(find(&self.subnet_ids, subnet, "subnet"));
        let addr = self.ip(ip, &format!("{kind} address"));
        let (subnet_id, addr) = (subnet_id?, addr?);
        let prefix = self.net.subnet(subnet_id)?.prefix;
        for reserved in ["GatewaySubnet", "AzureFirewallSubnet"] {
            let only = if reserved == "GatewaySubnet" {
                "gateways"
            } else {
                "an Azure Firewall"
            };
            if subnet.value.ends_with(&format!("/{reserved}")) && kind != "firewall" {
                self.error(
                    subnet.span,
                    format!(
                        "{kind} `{}` cannot be placed in `{}`",
                        name.value, subnet.value
                    ),
                    Some(format!(
                        "Azure keeps `{reserved}` for {only}; use another subnet"
                    )),
                );
                return None;
            }
        }
        if !prefix.contains(&addr) {
            self.error(
                ip.span,
                format!(
                    "{kind} `{}` address `{addr}` is outside subnet `{}` (`{prefix}`)",
                    name.value, subnet.value
                ),
                Some(format!("pick an address in `{prefix}`")),
            );
            return None;
        }
        if let Some(hint) = reserved_hint(prefix, addr) {
            self.error(
                ip.span,
                format!(
                    "{kind} `{}` address `{addr}` is reserved by Azure in subnet `{}`",
                    name.value, subnet.value
                ),
                Some(hint),
            );
            return None;
        }
        // Addresses repeat across unpeered VNets that share a range; within a VNet (and so
        // across peered VNets, which cannot overlap) each NIC needs its own.
        let vnet = self.net.subnet(subnet_id)?.vnet;
        if let Some(other) = self.nic_ips.get(&(vnet, addr)) {
            let message = format!(
                "{kind} `{}` address `{addr}` is already used by `{other}`",
                name.value
            );
            self.error(
                ip.span,
                message,
                Some("each NIC needs its own address".into()),
            );
            return None;
        }
        self.nic_ips.insert((vnet, addr), name.value.clone());
        unique.then_some((subnet_id, addr))
    }
}

/// When `addr` is one of the addresses Azure reserves in `subnet`, a hint naming them.
pub(super) fn reserved_hint(subnet: ipnet::IpNet, addr: std::net::IpAddr) -> Option<String> {
    let reserved = reserved_addresses(subnet);
    if !reserved.contains(&addr) {
        return None;
    }
    let first = reserved.get(3).map(ToString::to_string).unwrap_or_default();
    Some(match subnet {
        ipnet::IpNet::V4(_) => {
            format!("Azure reserves the first four addresses and the last; use one after `{first}`")
        }
        ipnet::IpNet::V6(_) => {
            format!("Azure reserves the first four addresses; use one after `{first}`")
        }
    })
}
