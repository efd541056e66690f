//! Analyses over whole networks: design checks that need effective routes, and the scale
//! generator.

pub mod generate;
pub mod lint;
