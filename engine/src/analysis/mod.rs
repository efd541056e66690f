//! Analyses over a compiled network: design checks that need effective routes.

pub mod lint;
