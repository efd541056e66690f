//! # azpath-engine
//!
//! Which path does a packet take through an Azure network, and why? This crate answers offline
//! and deterministically, computing what Azure's data plane computes and keeping every reason.
//!
//! Data flows one way, one module per stage:
//!
//! 1. [`scenario`] reads a RON file into a [`scenario::Document`]: serde types with spans.
//! 2. [`model`] resolves names to typed ids and validates addresses into a [`model::Network`],
//!    reporting every problem at once with its position and a hint.
//! 3. [`route`] computes each subnet's effective routes (system routes, private-endpoint /32s,
//!    UDRs, gateway routes, peering) with Azure's precedence rules, one function per rule, and
//!    compiles them into a longest-prefix-match table behind the [`route::Lpm`] trait.
//! 4. [`dataplane`] holds the compiled tables of a whole network; [`filter`] evaluates NSGs and
//!    Azure Firewall policies.
//! 5. [`query`] answers questions (effective routes, next hop, NSG flow verify) and [`trace`]
//!    follows a packet and its reply hop by hop; answers are plain data that carries its
//!    evidence. [`expect`] then checks each of the scenario's questions against its expected
//!    answer, with typed differences. [`analysis`] holds whole-network checks and the scale
//!    generator.
//! 6. [`report`] renders answers as text for people, JSON for scripts and DOT for pictures.
//!
//! Beside the flow, [`import`] turns Azure's own JSON (what `az … list/show` prints) into a
//! scenario [`scenario::Document`], so a design session starts from the estate people run.
//!
//! ```
//! use azpath_engine::{load_str, query};
//!
//! let scenario = r#"Scenario(
//!     vnets: [(name: "hub", region: "eastus", address_space: ["10.0.0.0/16"],
//!              subnets: [(name: "pe", prefix: "10.0.2.0/24")])],
//!     private_endpoints: [(name: "pe-blob", subnet: "hub/pe", ip: "10.0.2.4")],
//! )"#;
//! let loaded = load_str("example.ron", scenario).unwrap();
//! let dp = loaded.dataplane();
//! let at = loaded.network.subnet_by_name("hub/pe").unwrap();
//! let answer = query::next_hop(&loaded.network, &dp, at, "10.0.2.4".parse().unwrap());
//! assert_eq!(answer.next_hop.next_hop_type.to_string(), "InterfaceEndpoint");
//! ```

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod analysis;
pub mod build;
pub mod dataplane;
pub mod diag;
pub mod dns;
pub mod expect;
pub mod filter;
pub mod import;
pub mod input;
pub mod model;
pub mod query;
pub mod report;
pub mod route;
pub mod scenario;
pub mod span;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod trace;

mod load;

pub use load::{
    load_bytes, load_document, load_file, load_str, LoadError, Loaded, MAX_EXTENDS_DEPTH,
};
