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

//!
//! ## One example per stage
//!
//! Each example loads the same small estate: a spoke whose `0.0.0.0/0` UDR points at a hub
//! appliance, and a private endpoint in the hub.
//!
//! ```
//! # fn estate() -> azpath_engine::Loaded { azpath_engine::load_str("estate.ron", r#"Scenario(
//! #   vnets: [(name: "hub", region: "eastus", address_space: ["10.0.0.0/16"],
//! #            subnets: [(name: "nva", prefix: "10.0.1.0/24"), (name: "pe", prefix: "10.0.2.0/24")]),
//! #           (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"],
//! #            subnets: [(name: "app", prefix: "10.1.1.0/24", route_table: "rt")])],
//! #   peerings: [(between: ("hub", "spoke"), allow_forwarded_traffic: true)],
//! #   route_tables: [(name: "rt", routes: [(name: "all", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4"))])],
//! #   private_endpoints: [(name: "pe-blob", subnet: "hub/pe", ip: "10.0.2.4")],
//! #   workloads: [(name: "vm-app", subnet: "spoke/app", ip: "10.1.1.4"),
//! #               (name: "nva", kind: Nva, subnet: "hub/nva", ip: "10.0.1.4")],
//! #   questions: [NextHop(from: "vm-app", to: "10.0.2.4", expect: (next_hop: InterfaceEndpoint))],
//! # )"#).unwrap() }
//! use azpath_engine::model::NextHopType;
//!
//! // scenario + model: a RON file becomes a validated network with typed ids.
//! let loaded = estate();
//! let net = &loaded.network;
//! let app = net.subnet_by_name("spoke/app").unwrap();
//!
//! // route + dataplane: the subnet's effective routes, each with its state and reason.
//! let dp = loaded.dataplane();
//! let routes = azpath_engine::query::routes(net, &dp, app).unwrap();
//! assert!(routes.routes.iter().any(|r| r.prefix.to_string() == "10.0.2.4/32"
//!     && r.next_hop.next_hop_type == NextHopType::InterfaceEndpoint));
//!
//! // query: the next hop, with every competing route and why it lost.
//! let hop = azpath_engine::query::next_hop(net, &dp, app, "10.0.2.4".parse().unwrap());
//! assert_eq!(hop.next_hop.next_hop_type, NextHopType::InterfaceEndpoint);
//!
//! // filter: Network Watcher's IP flow verify at a NIC (no NSG here: Azure's defaults allow).
//! use azpath_engine::model::{Access, Direction, FlowProtocol, RemoteEnd};
//! let nic = net.nic_by_name("vm-app").unwrap();
//! let remote = RemoteEnd { protocol: FlowProtocol::Tcp, address: "10.0.2.4".parse().unwrap(),
//!                          port: 443, source_port: 50000 };
//! let nsgs = azpath_engine::query::flow_verify(net, &dp, nic, Direction::Outbound, remote).unwrap();
//! assert_eq!(nsgs.access, Access::Allow);
//!
//! // trace: the packet hop by hop, and its reply.
//! use azpath_engine::trace::{trace, TraceRequest};
//! let Some(azpath_engine::model::NicRef::Workload(vm)) = net.nic_by_name("vm-app") else { panic!() };
//! let request = TraceRequest { protocol: FlowProtocol::Tcp, destination: "10.0.2.4".parse().unwrap(),
//!                              port: 443, source_port: 50000, host: None };
//! let answer = trace(net, &dp, vm, request).unwrap();
//! assert!(answer.verdict.is_success());
//!
//! // expect: the scenario's own questions against their expected answers.
//! let report = azpath_engine::expect::check(net, &dp);
//! assert_eq!((report.passed(), report.failed()), (1, 0));
//!
//! // analysis: every workload to every workload and private endpoint.
//! use azpath_engine::analysis::reach::{reach, Destinations, ReachRequest};
//! let matrix = reach(net, &dp, &ReachRequest { protocol: FlowProtocol::Tcp, port: 443,
//!                    source_port: 50000, destinations: Destinations::Everything,
//!                    sites: false });
//! assert!(matrix.summary.pairs > 0);
//!
//! // report: text for people, JSON (with its schema version) for scripts.
//! assert!(azpath_engine::report::text::next_hop(&hop).contains("InterfaceEndpoint"));
//! assert!(azpath_engine::report::json::render(&hop).unwrap().contains("\"schema_version\": 1"));
//! ```
//!
//! Networks can also be built in Rust ([`build`]) and generated for property tests
//! (`strategy`, with the `proptest` feature).

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
    load_bytes, load_document, load_file, load_file_within, load_str, LoadError, Loaded,
    MAX_EXTENDS_DEPTH,
};
