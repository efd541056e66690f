//! Windows activation (KMS) as platform traffic. Microsoft Learn, "Network security groups",
//! Azure platform considerations
//! (<https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#azure-platform-considerations>):
//! "Windows images running in virtual machines must be licensed. To ensure licensing, a request
//! is sent to the Key Management Service host servers that handle such queries. The request is
//! made outbound through port 1688. For deployments using default route 0.0.0.0/0
//! configuration, this platform rule is disabled." Like DNS and IMDS, this traffic is not
//! subject to NSGs unless a rule targets it with its tag, `AzurePlatformLKM` ("Windows
//! licensing or key management service [...] You can use this tag to disable the defaults for
//! licensing", outbound only: "Virtual network service tags",
//! <https://learn.microsoft.com/azure/virtual-network/service-tags-overview>).
//!
//! The KMS hosts of the Azure global cloud are `azkms.core.windows.net` (20.118.99.224,
//! 40.83.235.53) and `kms.core.windows.net` (23.102.135.246) (Learn, "Use Azure custom routes
//! to enable KMS activation with forced tunneling",
//! <https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/custom-routes-enable-kms-activation>).
//!
//! **What disables the platform rule is read narrowly**: a `0.0.0.0/0` user-defined route in
//! the route table of the VM's subnet. A default route learned over BGP (forced tunnelling
//! through a VPN or ExpressRoute gateway) is not considered (listed in the README).

use std::net::{IpAddr, Ipv4Addr};

use crate::model::{Network, Subnet};

/// The Azure global cloud's KMS hosts.
pub const KMS_ADDRESSES: [IpAddr; 3] = [
    IpAddr::V4(Ipv4Addr::new(20, 118, 99, 224)),
    IpAddr::V4(Ipv4Addr::new(40, 83, 235, 53)),
    IpAddr::V4(Ipv4Addr::new(23, 102, 135, 246)),
];

/// The KMS port.
pub const KMS_PORT: u16 = 1688;

/// Whether `ip` is one of Azure's KMS hosts.
pub fn is_kms_address(ip: IpAddr) -> bool {
    KMS_ADDRESSES.contains(&ip)
}

/// Whether the platform rule for Windows activation holds for VMs in `subnet`: it is disabled
/// when the subnet's route table has a `0.0.0.0/0` route ("for deployments using default route
/// 0.0.0.0/0 configuration, this platform rule is disabled"), so activation traffic then meets
/// the NSGs like any other.
pub fn kms_platform_rule_enabled(net: &Network, subnet: &Subnet) -> bool {
    let default = |p: &ipnet::IpNet| p.prefix_len() == 0 && p.addr().is_ipv4();
    !subnet
        .route_table
        .and_then(|t| net.route_table(t))
        .is_some_and(|t| t.routes.iter().any(|r| default(&r.prefix)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kms_hosts_of_the_global_cloud_are_known() {
        assert!(is_kms_address("20.118.99.224".parse().unwrap()));
        assert!(is_kms_address("40.83.235.53".parse().unwrap()));
        assert!(is_kms_address("23.102.135.246".parse().unwrap()));
        assert!(!is_kms_address("20.118.99.225".parse().unwrap()));
    }
}
