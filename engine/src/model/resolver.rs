//! Who resolves a name: the client side of DNS, named in questions and resolved with the rest
//! of the network (the resolution itself is [`crate::dns`]'s).

use super::{Network, VnetId, WorkloadId};

/// Who resolves: a workload (with its VNet's or its own DNS servers), or a VNet's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolver {
    /// A workload (an App Service instance may have its own servers).
    Workload(WorkloadId),
    /// Any machine in this VNet using the VNet's DNS settings.
    Vnet(VnetId),
    /// A client on the Internet: public DNS only.
    Internet,
}

impl Resolver {
    /// Who resolves when a question names `name`: the workload of that name, else any machine
    /// in the VNet of that name; `None` when neither exists.
    pub fn by_name(net: &Network, name: &str) -> Option<Resolver> {
        let workload = net.workloads.iter().position(|w| w.name == name);
        let vnet = || net.vnets.iter().position(|v| v.name == name);
        workload
            .map(|w| Resolver::Workload(WorkloadId(w)))
            .or_else(|| vnet().map(|v| Resolver::Vnet(VnetId(v))))
    }

    /// Every name [`Resolver::by_name`] accepts, for a did-you-mean hint.
    pub fn names(net: &Network) -> impl Iterator<Item = &str> + Clone {
        let workloads = net.workloads.iter().map(|w| w.name.as_str());
        workloads.chain(net.vnets.iter().map(|v| v.name.as_str()))
    }
}
