//! Integration tests of the engine: one binary, one module per purpose.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod access_restrictions;
mod admin_exemptions;
mod architecture;
mod azure_refuses;
mod bad_inputs;
mod branches;
mod dns_properties;
mod egress_reentry;
mod expectations;
mod firewall_dnat;
mod firewall_egress;
mod hub_questions;
mod hybrid;
mod import;
mod import_arm;
mod import_balance;
mod import_service_names;
mod import_service_tags;
mod import_site_access;
mod import_terraform_web_apps;
mod import_trust;
mod lessons;
mod load_balancers;
mod nsg_properties;
mod platform;
mod properties;
mod reach;
mod reach_properties;
mod reach_sites;
mod reach_summary;
mod readme_tables;
mod reference;
mod scenarios;
mod scm_site;
mod security_admin;
mod seeds;
mod side_by_side;
mod support;
mod symptom;
mod trace_cases;
mod validation;
mod wan_properties;
mod whatif;
