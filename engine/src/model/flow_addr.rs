//! The two ends of a flow as people type them, and the addresses no Azure flow can have.
//!
//! A destination is written as an address (`10.0.2.4`, `fd00::4`), an IPv6 address with a port
//! (`[fd00::4]:443`), an IPv4 address or a name with a port (`10.0.2.4:443`,
//! `app.contoso.com:8443`) or a name alone. A source is a workload, or a public address (a
//! client on the Internet). Unspecified, loopback, broadcast and multicast addresses never leave
//! or reach a NIC in a virtual network: Azure's data plane carries unicast between real
//! addresses only, so a question about them has no answer and is refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv6Net};

use super::{addr, is_private, Network, NicRef, TraceSource, TraceTarget};

/// Why an address cannot be either end of a flow in Azure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub enum Unroutable {
    /// `0.0.0.0/8` or `::`: "this host on this network", only a source while a host boots.
    Unspecified,
    /// `127.0.0.0/8` or `::1`: never leaves the machine.
    Loopback,
    /// `255.255.255.255`: the limited broadcast, which Azure VNets do not carry.
    Broadcast,
    /// `224.0.0.0/4` or `ff00::/8`: Azure VNets carry no multicast.
    Multicast,
}

impl Unroutable {
    /// The address block of this kind that `ip` falls in, e.g. `127.0.0.0/8`.
    pub fn block(self, ip: IpAddr) -> IpNet {
        let v4 = match ip {
            IpAddr::V4(_) => true,
            IpAddr::V6(v6) => v6.to_ipv4_mapped().is_some(),
        };
        let refused = match self {
            Unroutable::Unspecified => addr::THIS_NETWORK,
            Unroutable::Loopback => addr::LOOPBACK,
            Unroutable::Broadcast => addr::BROADCAST,
            Unroutable::Multicast => addr::MULTICAST,
        };
        match (v4, self) {
            (false, Unroutable::Unspecified) => {
                IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 128))
            }
            (false, Unroutable::Loopback) => {
                IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::LOCALHOST, 128))
            }
            (false, Unroutable::Multicast) => IpNet::V6(Ipv6Net::new_assert(
                Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0),
                8,
            )),
            _ => IpNet::V4(refused.range),
        }
    }

    /// What the block is, e.g. "the loopback range".
    pub fn what(self) -> &'static str {
        match self {
            Unroutable::Unspecified => addr::THIS_NETWORK.what,
            Unroutable::Loopback => addr::LOOPBACK.what,
            Unroutable::Broadcast => addr::BROADCAST.what,
            Unroutable::Multicast => addr::MULTICAST.what,
        }
    }
}

/// Why `ip` can never be an end of a flow in Azure, or `None` when it can: refused on the
/// command line and in a scenario alike, as the destination or source of a question, a DNS
/// server, an A record or a next hop. IPv4-mapped IPv6 addresses are judged as the IPv4
/// address they carry.
pub fn unroutable(ip: IpAddr) -> Option<Unroutable> {
    match ip {
        IpAddr::V4(v4) => unroutable_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => unroutable_v4(v4),
            None => unroutable_v6(v6),
        },
    }
}

fn unroutable_v4(ip: Ipv4Addr) -> Option<Unroutable> {
    let [first, ..] = ip.octets();
    if first == 0 {
        Some(Unroutable::Unspecified)
    } else if ip.is_loopback() {
        Some(Unroutable::Loopback)
    } else if ip.is_broadcast() {
        Some(Unroutable::Broadcast)
    } else if ip.is_multicast() {
        Some(Unroutable::Multicast)
    } else {
        None
    }
}

fn unroutable_v6(ip: Ipv6Addr) -> Option<Unroutable> {
    if ip.is_unspecified() {
        Some(Unroutable::Unspecified)
    } else if ip.is_loopback() {
        Some(Unroutable::Loopback)
    } else if ip.is_multicast() {
        Some(Unroutable::Multicast)
    } else {
        None
    }
}

/// A flow's destination as typed: where it goes, and the port when the text names one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// The address or name.
    pub target: TraceTarget,
    /// The port written after it, if any.
    pub port: Option<u16>,
}

/// What is wrong with a host name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameProblem {
    /// Nothing was given.
    Empty,
    /// Longer than DNS's 253 characters.
    TooLong(usize),
    /// Two dots in a row, or a leading dot.
    EmptyLabel,
    /// A label longer than DNS's 63 characters.
    LabelTooLong(String),
    /// A character no DNS name holds (letters, digits, `-` and `_` only, labels joined by `.`).
    Character(char),
    /// Every label is digits: neither an address (a part is over 255, or there are not four)
    /// nor a name (no top-level domain is all digits).
    NotAnAddress,
}

/// What is wrong with a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortProblem {
    /// Nothing after the colon.
    Empty,
    /// Not a decimal number.
    NotANumber,
    /// Outside 1 to 65535.
    OutOfRange,
}

/// Why a destination was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DestinationError {
    /// The host part is not a usable name.
    Name {
        /// The host part as typed.
        name: String,
        /// What is wrong with it.
        problem: NameProblem,
    },
    /// The port after the last colon is not one.
    Port {
        /// The port as typed.
        port: String,
        /// What is wrong with it.
        problem: PortProblem,
    },
    /// Brackets that do not hold an IPv6 address, or text after `]` that is not `:PORT`.
    Brackets(String),
    /// Several colons that are not an IPv6 address: with a port it is written `[addr]:port`.
    Ipv6WithoutBrackets(String),
    /// An address no Azure flow can have.
    Unroutable {
        /// The address.
        address: IpAddr,
        /// Why.
        why: Unroutable,
    },
}

/// Parses a destination (`ADDRESS`, `[IPV6]:PORT`, `IPV4:PORT`, `NAME` or `NAME:PORT`) and
/// refuses the addresses no Azure flow can reach.
pub fn parse_destination(text: &str) -> Result<Destination, DestinationError> {
    let destination = split_destination(text.trim())?;
    if let TraceTarget::Address(address) = destination.target {
        if let Some(why) = unroutable(address) {
            return Err(DestinationError::Unroutable { address, why });
        }
    }
    Ok(destination)
}

fn split_destination(text: &str) -> Result<Destination, DestinationError> {
    if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest
            .split_once(']')
            .ok_or_else(|| DestinationError::Brackets(text.to_string()))?;
        let address = inside
            .parse::<Ipv6Addr>()
            .map_err(|_| DestinationError::Brackets(text.to_string()))?;
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(parse_port(port)?),
                None => return Err(DestinationError::Brackets(text.to_string())),
            },
        };
        return Ok(Destination {
            target: TraceTarget::Address(IpAddr::V6(address)),
            port,
        });
    }
    if let Ok(address) = text.parse::<IpAddr>() {
        return Ok(Destination {
            target: TraceTarget::Address(address),
            port: None,
        });
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((host, _)) if host.contains(':') => {
            return Err(DestinationError::Ipv6WithoutBrackets(text.to_string()))
        }
        Some((host, port)) => (host, Some(parse_port(port)?)),
        None => (text, None),
    };
    let target = match host.parse::<Ipv4Addr>() {
        Ok(v4) => TraceTarget::Address(IpAddr::V4(v4)),
        Err(_) => match host_name_problem(host) {
            None => TraceTarget::Name(host.to_string()),
            Some(problem) => {
                return Err(DestinationError::Name {
                    name: host.to_string(),
                    problem,
                })
            }
        },
    };
    Ok(Destination { target, port })
}

/// A TCP or UDP port as typed after a colon: decimal digits, 1 to 65535.
fn parse_port(text: &str) -> Result<u16, DestinationError> {
    let problem = if text.is_empty() {
        PortProblem::Empty
    } else if !text.bytes().all(|b| b.is_ascii_digit()) {
        PortProblem::NotANumber
    } else {
        match text.parse::<u16>() {
            Ok(port) if port > 0 => return Ok(port),
            _ => PortProblem::OutOfRange,
        }
    };
    Err(DestinationError::Port {
        port: text.to_string(),
        problem,
    })
}

/// What keeps `name` from being a DNS host name, or `None` when it is one: at most 253
/// characters (a final dot aside), labels of 1 to 63 letters, digits, `-` or `_`.
pub fn host_name_problem(name: &str) -> Option<NameProblem> {
    let bare = name.strip_suffix('.').unwrap_or(name);
    if bare.is_empty() {
        return Some(NameProblem::Empty);
    }
    if bare.chars().count() > 253 {
        return Some(NameProblem::TooLong(bare.chars().count()));
    }
    if let Some(c) = bare
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(NameProblem::Character(c));
    }
    let labels: Vec<&str> = bare.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return Some(NameProblem::EmptyLabel);
    }
    if let Some(long) = labels.iter().find(|l| l.len() > 63) {
        return Some(NameProblem::LabelTooLong((*long).to_string()));
    }
    if labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        return Some(NameProblem::NotAnAddress);
    }
    None
}

/// Why a flow cannot start where the text says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceError {
    /// Nothing was given.
    Empty,
    /// An address is an Internet client, and this one is private.
    PrivateAddress(IpAddr),
    /// An address no Azure flow can come from.
    Unroutable {
        /// The address.
        address: IpAddr,
        /// Why.
        why: Unroutable,
    },
    /// A private endpoint, firewall or hub router: these answer, they never start a connection.
    NotAClient(String),
    /// No workload has this name.
    Unknown(String),
    /// The address given after a site's name is not one of the site's.
    SiteAddress {
        /// The site.
        site: String,
        /// The text after the colon.
        given: String,
    },
}

/// Where a flow starts: a workload by name, or a public address (a client on the Internet).
pub fn parse_source(net: &Network, text: &str) -> Result<TraceSource, SourceError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SourceError::Empty);
    }
    if let Ok(address) = text.parse::<IpAddr>() {
        if let Some(why) = unroutable(address) {
            return Err(SourceError::Unroutable { address, why });
        }
        if is_private(address) {
            return Err(SourceError::PrivateAddress(address));
        }
        return Ok(TraceSource::Internet(address));
    }
    if let Some(site) = site_source(net, text) {
        return site;
    }
    match net.nic_by_name(text) {
        Some(NicRef::Workload(w)) => Ok(TraceSource::Workload(w)),
        Some(
            NicRef::PrivateEndpoint(_)
            | NicRef::Firewall(_)
            | NicRef::HubRouter(_)
            | NicRef::Gateway(_)
            | NicRef::LoadBalancer(_),
        ) => Err(SourceError::NotAClient(text.to_string())),
        None => Err(SourceError::Unknown(text.to_string())),
    }
}

/// A trace source naming an on-premises site behind a VNet gateway or a branch of a virtual
/// hub (one namespace): `site` (its default address) or `site:address` with an address inside
/// its ranges. `None` when `text` names no site.
pub fn site_source(net: &Network, text: &str) -> Option<Result<TraceSource, SourceError>> {
    let (name, given) = match text.split_once(':') {
        Some((name, address)) => (name.trim(), Some(address.trim())),
        None => (text.trim(), None),
    };
    let (site, ranges, start): (&str, &[IpNet], &dyn Fn(IpAddr) -> TraceSource) =
        match (net.site_by_name(name), net.branch_by_name(name)) {
            (Some(id), _) => {
                let s = net.site(id)?;
                (&s.name, &s.address_space, &move |a| {
                    TraceSource::Site(id, a)
                })
            }
            (None, Some(id)) => {
                let (_, s) = net.branch(id)?;
                (&s.name, &s.prefixes, &move |a| TraceSource::Branch(id, a))
            }
            (None, None) => return None,
        };
    let refused = || SourceError::SiteAddress {
        site: site.to_string(),
        given: given.unwrap_or_default().to_string(),
    };
    // The first host of the first range a host can be in (a site advertising 0.0.0.0/0 for
    // forced tunnelling also holds 0.0.0.1, which no host holds).
    let address = match given {
        None => ranges
            .iter()
            .map(super::onprem::first_host)
            .find(|a| unroutable(*a).is_none()),
        Some(g) => g
            .parse::<IpAddr>()
            .ok()
            .filter(|a| ranges.iter().any(|r| r.contains(a))),
    }
    .filter(|a| unroutable(*a).is_none());
    Some(address.map(start).ok_or_else(refused))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    fn address(s: &str, port: Option<u16>) -> Result<Destination, DestinationError> {
        Ok(Destination {
            target: TraceTarget::Address(ip(s)),
            port,
        })
    }

    fn name(s: &str, port: Option<u16>) -> Result<Destination, DestinationError> {
        Ok(Destination {
            target: TraceTarget::Name(s.to_string()),
            port,
        })
    }

    #[test]
    fn loopback_is_never_a_flow_end() {
        assert_eq!(unroutable(ip("127.0.0.1")), Some(Unroutable::Loopback));
        assert_eq!(unroutable(ip("127.255.0.9")), Some(Unroutable::Loopback));
        assert_eq!(unroutable(ip("::1")), Some(Unroutable::Loopback));
        assert_eq!(
            unroutable(ip("::ffff:127.0.0.1")),
            Some(Unroutable::Loopback)
        );
    }

    #[test]
    fn the_unspecified_address_and_this_network_are_never_a_flow_end() {
        assert_eq!(unroutable(ip("0.0.0.0")), Some(Unroutable::Unspecified));
        assert_eq!(unroutable(ip("0.1.2.3")), Some(Unroutable::Unspecified));
        assert_eq!(unroutable(ip("::")), Some(Unroutable::Unspecified));
    }

    #[test]
    fn the_limited_broadcast_is_never_a_flow_end() {
        assert_eq!(
            unroutable(ip("255.255.255.255")),
            Some(Unroutable::Broadcast)
        );
    }

    #[test]
    fn multicast_is_never_a_flow_end_because_vnets_carry_no_multicast() {
        assert_eq!(unroutable(ip("224.0.0.1")), Some(Unroutable::Multicast));
        assert_eq!(
            unroutable(ip("239.255.255.250")),
            Some(Unroutable::Multicast)
        );
        assert_eq!(unroutable(ip("ff02::1")), Some(Unroutable::Multicast));
    }

    #[test]
    fn unicast_private_public_and_platform_addresses_can_be_flow_ends() {
        for a in [
            "10.0.2.4",
            "1.1.1.1",
            "168.63.129.16",
            "169.254.169.254",
            "223.255.255.255",
            "240.0.0.1",
            "fd00::4",
            "2001:db8::1",
        ] {
            assert_eq!(unroutable(ip(a)), None, "{a}");
        }
    }

    #[test]
    fn each_unroutable_address_names_the_block_it_falls_in() {
        let block = |a: &str| unroutable(ip(a)).map(|w| (w.block(ip(a)).to_string(), w.what()));
        assert_eq!(
            block("127.0.0.1"),
            Some(("127.0.0.0/8".into(), "the loopback range"))
        );
        assert_eq!(
            block("0.1.2.3"),
            Some(("0.0.0.0/8".into(), "the \"this network\" range"))
        );
        assert_eq!(
            block("239.1.1.1"),
            Some(("224.0.0.0/4".into(), "the multicast range"))
        );
        assert_eq!(
            block("255.255.255.255"),
            Some(("255.255.255.255/32".into(), "the broadcast address"))
        );
        assert_eq!(block("::1"), Some(("::1/128".into(), "the loopback range")));
        assert_eq!(
            block("ff02::1"),
            Some(("ff00::/8".into(), "the multicast range"))
        );
        assert_eq!(
            block("::ffff:127.0.0.1"),
            Some(("127.0.0.0/8".into(), "the loopback range"))
        );
    }

    #[test]
    fn a_destination_is_an_address_a_name_and_an_optional_port() {
        assert_eq!(parse_destination("10.0.2.4"), address("10.0.2.4", None));
        assert_eq!(
            parse_destination("10.0.2.4:8443"),
            address("10.0.2.4", Some(8443))
        );
        assert_eq!(parse_destination("fd00::4"), address("fd00::4", None));
        assert_eq!(
            parse_destination("[fd00::4]:443"),
            address("fd00::4", Some(443))
        );
        assert_eq!(parse_destination("[fd00::4]"), address("fd00::4", None));
        assert_eq!(
            parse_destination("app.contoso.com"),
            name("app.contoso.com", None)
        );
        assert_eq!(
            parse_destination("app.contoso.com.:1433"),
            name("app.contoso.com.", Some(1433))
        );
        assert_eq!(parse_destination(" vm-db "), name("vm-db", None));
    }

    #[test]
    fn a_port_past_65535_is_a_port_error_not_part_of_a_host_name() {
        assert_eq!(
            parse_destination("app.contoso.com:99999"),
            Err(DestinationError::Port {
                port: "99999".into(),
                problem: PortProblem::OutOfRange
            })
        );
        assert!(matches!(
            parse_destination("app:0"),
            Err(DestinationError::Port {
                problem: PortProblem::OutOfRange,
                ..
            })
        ));
        assert!(matches!(
            parse_destination("app:"),
            Err(DestinationError::Port {
                problem: PortProblem::Empty,
                ..
            })
        ));
        assert!(matches!(
            parse_destination("app:+443"),
            Err(DestinationError::Port {
                problem: PortProblem::NotANumber,
                ..
            })
        ));
        assert!(matches!(
            parse_destination("[fd00::4]:70000"),
            Err(DestinationError::Port { .. })
        ));
    }

    #[test]
    fn a_bracketed_loopback_parses_and_is_refused_as_unroutable() {
        assert_eq!(split_destination("[::1]:443"), address("::1", Some(443)));
        assert_eq!(
            parse_destination("[::1]:443"),
            Err(DestinationError::Unroutable {
                address: ip("::1"),
                why: Unroutable::Loopback
            })
        );
        assert!(matches!(
            parse_destination("127.0.0.1:80"),
            Err(DestinationError::Unroutable { .. })
        ));
    }

    #[test]
    fn an_empty_name_is_refused() {
        for text in ["", "  ", ":443", "."] {
            assert!(
                matches!(
                    parse_destination(text),
                    Err(DestinationError::Name {
                        problem: NameProblem::Empty,
                        ..
                    })
                ),
                "{text:?}: {:?}",
                parse_destination(text)
            );
        }
    }

    #[test]
    fn names_dns_cannot_hold_are_refused() {
        let problem = |t: &str| match parse_destination(t) {
            Err(DestinationError::Name { problem, .. }) => Some(problem),
            _ => None,
        };
        assert_eq!(problem("a..b"), Some(NameProblem::EmptyLabel));
        assert_eq!(problem("a b"), Some(NameProblem::Character(' ')));
        assert_eq!(problem("a/b"), Some(NameProblem::Character('/')));
        assert_eq!(
            problem("a\u{202e}b"),
            Some(NameProblem::Character('\u{202e}'))
        );
        assert_eq!(problem("10.0.0.256"), Some(NameProblem::NotAnAddress));
        assert!(matches!(
            problem(&"a".repeat(64)),
            Some(NameProblem::LabelTooLong(_))
        ));
        let long = vec!["abc"; 64].join(".");
        assert_eq!(problem(&long), Some(NameProblem::TooLong(255)));
    }

    #[test]
    fn brackets_hold_only_an_ipv6_address_followed_by_a_port() {
        for text in ["[10.0.0.1]:443", "[app]:443", "[fd00::4", "[fd00::4]443"] {
            assert_eq!(
                parse_destination(text),
                Err(DestinationError::Brackets(text.to_string()))
            );
        }
        assert_eq!(
            parse_destination("fd00::4::443"),
            Err(DestinationError::Ipv6WithoutBrackets("fd00::4::443".into()))
        );
    }
}
