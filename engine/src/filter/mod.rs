//! Packet filters: network security groups (and, later, firewall policies).

pub mod nsg;

pub use nsg::{evaluate, Flow, RuleMatch, TagScope};
