//! Analyses over whole networks: design checks that need effective routes, the reachability
//! matrix, and the scale generator.

pub mod generate;
pub mod lint;
pub mod reach;
