//! Integration tests of the engine: one binary, one module per purpose.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod access_restrictions;
mod admin_exemptions;
mod appliance_reentry;
mod architecture;
mod azure_refuses;
mod bad_inputs;
mod branches;
mod dataplane;
mod dns_properties;
mod egress_reentry;
mod established_flows;
mod expectations;
mod firewall_dnat;
mod firewall_egress;
mod firewall_source_tags;
mod hub_questions;
mod hybrid;
mod import;
mod import_admin;
mod import_arm;
mod import_balance;
mod import_secure_transfer;
mod import_service_names;
mod import_service_tags;
mod import_site_access;
mod import_terraform;
mod import_terraform_web_apps;
mod import_trust;
mod lessons;
mod load_balancers;
mod nsg_properties;
mod platform;
mod platform_kms;
mod properties;
mod reach;
mod reach_properties;
mod reach_sites;
mod reach_summary;
mod readme_tables;
mod reference;
mod reply_translations;
mod scenarios;
mod scm_site;
mod security_admin;
mod seeds;
mod service_ports;
mod side_by_side;
mod snat_candidates;
mod support;
mod symptom;
mod tag_route_ranges;
mod trace_cases;
mod validation;
mod wan_properties;
mod whatif;
