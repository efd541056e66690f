//! Network security groups in resolved form: checked priorities, parsed addresses, ports and
//! service tags, and Azure's default rules.

use std::fmt;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

pub use crate::scenario::{Access, Direction, FlowProtocol, Protocol};

/// An NSG rule priority. Custom rules take 100..=4096 (checked when built); Azure's default
/// rules sit at 65000 and above, after every custom rule.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub struct NsgPriority(u16);

impl NsgPriority {
    /// The range Azure accepts for custom rules.
    pub const CUSTOM: std::ops::RangeInclusive<u32> = 100..=4096;

    /// A custom rule priority, if within 100..=4096.
    pub fn custom(p: u32) -> Option<Self> {
        u16::try_from(p)
            .ok()
            .filter(|p| Self::CUSTOM.contains(&u32::from(*p)))
            .map(Self)
    }

    fn default_rule(p: u16) -> Self {
        Self(p)
    }

    /// The number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for NsgPriority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A service tag an NSG rule can name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum ServiceTag {
    /// The VNet's address space, peered VNets, gateway-learned prefixes, the host address
    /// 168.63.129.16 and, as Azure documents, the prefixes of the subnet's UDRs.
    VirtualNetwork,
    /// Public address space.
    Internet,
    /// The host address 168.63.129.16, where health probes come from.
    AzureLoadBalancer,
    /// A tag whose prefixes the scenario declares (index into [`super::Network::service_tags`]).
    Declared(usize),
    /// `AzurePlatformDNS`: Azure DNS at the host address 168.63.129.16 (port 53). Outbound
    /// only; naming it in an outbound rule makes that NSG filter the platform's DNS traffic,
    /// which is otherwise exempt from NSGs.
    AzurePlatformDns,
    /// `AzurePlatformIMDS`: the instance metadata service at 169.254.169.254. Outbound only;
    /// as for `AzurePlatformDNS`.
    AzurePlatformImds,
    /// `AzurePlatformLKM`: Windows licensing, Azure's KMS hosts on TCP 1688. Outbound only; as
    /// for `AzurePlatformDNS` while the platform rule holds.
    AzurePlatformLkm,
}

/// An application security group: NICs grouped by role, named by NSG rules instead of
/// addresses. A rule naming one applies only to packets from (or to) its members
/// (<https://learn.microsoft.com/azure/virtual-network/application-security-groups>).
#[derive(Clone, Debug)]
pub struct ApplicationSecurityGroup {
    /// Its name.
    pub name: String,
    /// Its member workloads, all in one VNet.
    pub members: Vec<super::WorkloadId>,
    /// Where it was declared.
    pub span: crate::scenario::Span,
}

/// One source or destination of a rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum AddressMatch {
    /// `*`: any address.
    Any,
    /// An address or prefix.
    Prefix(#[schemars(with = "String")] IpNet),
    /// A service tag.
    Tag(ServiceTag),
    /// An application security group (index into
    /// [`super::Network::application_security_groups`]).
    Asg(usize),
}

impl AddressMatch {
    /// Whether it names one of the tags of Azure's platform traffic (`AzurePlatformDNS`,
    /// `AzurePlatformIMDS`, `AzurePlatformLKM`), which Azure accepts in fewer places than
    /// other tags.
    pub fn is_platform_tag(&self) -> bool {
        matches!(
            self,
            AddressMatch::Tag(
                ServiceTag::AzurePlatformDns
                    | ServiceTag::AzurePlatformImds
                    | ServiceTag::AzurePlatformLkm
            )
        )
    }
}

/// An inclusive port range; `*` is 0..=65535.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PortRange {
    /// First port.
    pub first: u16,
    /// Last port.
    pub last: u16,
}

impl PortRange {
    /// Every port.
    pub const ANY: PortRange = PortRange {
        first: 0,
        last: u16::MAX,
    };

    /// Whether `port` is in the range.
    pub fn contains(self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }
}

/// A security rule, custom or default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NsgRule {
    /// Its name (shared: every answer naming the rule counts a reference).
    pub name: super::Name,
    /// Its priority (lower first).
    pub priority: NsgPriority,
    /// Inbound or outbound.
    pub direction: Direction,
    /// Allow or deny.
    pub access: Access,
    /// Protocol matched.
    pub protocol: Protocol,
    /// Sources (any one matches).
    pub source: Vec<AddressMatch>,
    /// Source ports (any one matches).
    pub source_ports: Vec<PortRange>,
    /// Destinations (any one matches).
    pub destination: Vec<AddressMatch>,
    /// Destination ports (any one matches).
    pub destination_ports: Vec<PortRange>,
    /// Whether it is one of Azure's default rules.
    pub default_rule: bool,
}

/// A network security group: its custom rules sorted by priority, then Azure's defaults.
#[derive(Clone, Debug)]
pub struct Nsg {
    /// Its name (shared: every answer naming the NSG counts a reference).
    pub name: super::Name,
    /// Every rule in evaluation order within each direction (custom by priority, then defaults).
    pub rules: Vec<NsgRule>,
    /// Where it was declared.
    pub span: crate::scenario::Span,
}

impl Nsg {
    /// An NSG from its custom rules, sorted, with Azure's six default rules appended.
    pub fn new(name: String, mut custom: Vec<NsgRule>, span: crate::scenario::Span) -> Self {
        custom.sort_by_key(|r| (r.direction, r.priority));
        custom.extend(default_rules());
        Self {
            name: name.into(),
            rules: custom,
            span,
        }
    }

    /// The rules of one direction in evaluation order.
    pub fn rules(&self, direction: Direction) -> impl Iterator<Item = &NsgRule> {
        self.rules.iter().filter(move |r| r.direction == direction)
    }
}

/// Azure's default security rules, exactly as Azure lists them. They cannot be removed; custom
/// rules (priority 100–4096) come first.
pub fn default_rules() -> Vec<NsgRule> {
    use AddressMatch::{Any, Tag};
    use ServiceTag::{AzureLoadBalancer, Internet, VirtualNetwork};
    let rule = |name: &str,
                priority: u16,
                direction,
                access,
                source: AddressMatch,
                destination: AddressMatch| NsgRule {
        name: name.into(),
        priority: NsgPriority::default_rule(priority),
        direction,
        access,
        protocol: Protocol::Any,
        source: vec![source],
        source_ports: vec![PortRange::ANY],
        destination: vec![destination],
        destination_ports: vec![PortRange::ANY],
        default_rule: true,
    };
    vec![
        rule(
            "AllowVnetInBound",
            65000,
            Direction::Inbound,
            Access::Allow,
            Tag(VirtualNetwork),
            Tag(VirtualNetwork),
        ),
        rule(
            "AllowAzureLoadBalancerInBound",
            65001,
            Direction::Inbound,
            Access::Allow,
            Tag(AzureLoadBalancer),
            Any,
        ),
        rule(
            "DenyAllInBound",
            65500,
            Direction::Inbound,
            Access::Deny,
            Any,
            Any,
        ),
        rule(
            "AllowVnetOutBound",
            65000,
            Direction::Outbound,
            Access::Allow,
            Tag(VirtualNetwork),
            Tag(VirtualNetwork),
        ),
        rule(
            "AllowInternetOutBound",
            65001,
            Direction::Outbound,
            Access::Allow,
            Any,
            Tag(Internet),
        ),
        rule(
            "DenyAllOutBound",
            65500,
            Direction::Outbound,
            Access::Deny,
            Any,
            Any,
        ),
    ]
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        })
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::Allow => "Allow",
            Access::Deny => "Deny",
        })
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Any => "Any",
            Protocol::Tcp => "Tcp",
            Protocol::Udp => "Udp",
            Protocol::Icmp => "Icmp",
            Protocol::Esp => "Esp",
            Protocol::Ah => "Ah",
        })
    }
}
