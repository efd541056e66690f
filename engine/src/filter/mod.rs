//! Packet filters: network security groups and Azure Firewall policies.

pub mod access_restrictions;
pub mod admin;
pub mod firewall;
pub mod kms;
pub mod nsg;
pub mod platform;

pub use nsg::{evaluate, Flow, MatchNote, RuleMatch, TagScope};
