//! Why a flow's source or destination was refused, in words, with a hint.

use std::fmt;

use crate::model::flow_addr::{
    DestinationError, NameProblem, PortProblem, SourceError, Unroutable,
};

impl fmt::Display for Unroutable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unroutable::Unspecified => {
                "the unspecified address (0.0.0.0/8, ::), which names no host"
            }
            Unroutable::Loopback => "a loopback address, which never leaves the machine",
            Unroutable::Broadcast => {
                "the broadcast address, which Azure virtual networks do not carry"
            }
            Unroutable::Multicast => {
                "a multicast address, and Azure virtual networks carry no multicast"
            }
        })
    }
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameProblem::Empty => f.write_str("the name is empty"),
            NameProblem::TooLong(n) => write!(f, "the name has {n} characters, over DNS's 253"),
            NameProblem::EmptyLabel => {
                f.write_str("the name has an empty label (two dots in a row, or a leading dot)")
            }
            NameProblem::LabelTooLong(l) => {
                write!(f, "the label `{l}` is over DNS's 63 characters")
            }
            NameProblem::Character(c) => write!(
                f,
                "a DNS name holds letters, digits, `-` and `_` in labels joined by `.`, not `{}`",
                c.escape_debug()
            ),
            NameProblem::NotAnAddress => f.write_str(
                "it is all digits: not an IPv4 address (four parts of 0 to 255) nor a name",
            ),
        }
    }
}

impl fmt::Display for PortProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PortProblem::Empty => "nothing follows the colon",
            PortProblem::NotANumber => "it is not a decimal number",
            PortProblem::OutOfRange => "a port is 1 to 65535",
        })
    }
}

impl fmt::Display for DestinationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DestinationError::Name { name, problem } => write!(
                f,
                "`{}` is not a host name: {problem} (hint: give an address, `[IPV6]:PORT`, a name or `NAME:PORT`)",
                name.escape_debug()
            ),
            DestinationError::Port { port, problem } => write!(
                f,
                "`{}` is not a port: {problem} (hint: write `NAME:PORT` with a port from 1 to 65535)",
                port.escape_debug()
            ),
            DestinationError::Brackets(text) => write!(
                f,
                "`{}`: brackets hold an IPv6 address, optionally followed by `:PORT` (hint: `[fd00::4]:443`)",
                text.escape_debug()
            ),
            DestinationError::Ipv6WithoutBrackets(text) => write!(
                f,
                "`{}` is not an IPv6 address (hint: an IPv6 address with a port is written `[ADDRESS]:PORT`)",
                text.escape_debug()
            ),
            DestinationError::Unroutable { address, why } => write!(
                f,
                "`{address}` is {why}: no Azure flow can go there (hint: give the address of a NIC, private endpoint, service or Internet host)"
            ),
        }
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Empty => f.write_str("the source is empty (hint: name a workload, or give a public address for an Internet client)"),
            SourceError::PrivateAddress(ip) => write!(
                f,
                "a trace from an address starts on the Internet, and `{ip}` is private (hint: name a workload to start inside Azure)"
            ),
            SourceError::Unroutable { address, why } => write!(
                f,
                "`{address}` is {why}: no Azure flow can come from it (hint: name a workload, or give a public unicast address)"
            ),
            SourceError::NotAClient(name) => write!(
                f,
                "`{}` is a private endpoint or firewall, which never starts a connection (hint: trace from a workload)",
                name.escape_debug()
            ),
            SourceError::Unknown(name) => write!(f, "unknown workload or site `{}`", name.escape_debug()),
            SourceError::SiteAddress { site, given } => write!(
                f,
                "`{}` is not an address of site `{}` (hint: give an address inside its address ranges, or the site alone)",
                given.escape_debug(),
                site.escape_debug()
            ),
        }
    }
}
