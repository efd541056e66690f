//! Analyses over whole networks: design checks that need effective routes, the reachability
//! matrix, and the scale generator.

pub mod diagnose;
pub mod flow;
pub mod generate;
pub mod reach;
pub mod suggest;
pub mod whatif;
