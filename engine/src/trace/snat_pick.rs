//! The trace takes its SNAT source from a device's several public IPs ([`super::snat_pool`]):
//! the address asked for, else the first, and the pool recorded for weighing.

use std::net::IpAddr;

use super::snat_pool::{pick, SnatPool};
use super::walk::Tracer;

impl Tracer<'_> {
    /// The SNAT source `device` takes from `pool` ([`pick`]), recording a pool of several
    /// addresses so that each candidate can be weighed once the walk is over.
    pub(super) fn pick_snat(&self, device: &str, pool: &[IpAddr]) -> Option<IpAddr> {
        let chosen = pick(pool, self.snat_choice)?;
        if pool.len() > 1 {
            let mut pools = self.snat_pools.take();
            if !pools
                .iter()
                .any(|p| p.device == device && p.addresses == pool)
            {
                pools.push(SnatPool {
                    device: device.to_string(),
                    addresses: pool.to_vec(),
                    chosen,
                });
            }
            self.snat_pools.set(pools);
        }
        Some(chosen)
    }

    /// The outbound method of `nic` and the address it leaves from, picking among a device's
    /// public IPs ([`super::egress::explicit_method_picking`]).
    pub(super) fn way_out(
        &self,
        nic: crate::model::NicRef,
    ) -> Option<(super::egress::EgressMethod, Option<IpAddr>)> {
        super::egress::explicit_method_picking(self.net, nic, &|device, pool| {
            self.pick_snat(device, pool)
        })
    }
}
