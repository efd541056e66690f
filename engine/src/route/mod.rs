//! Stage 3: effective routes. Computes, per subnet, the routes Azure offers ([`system`]),
//! decides which are `Active` ([`select`]), and compiles them for longest-prefix match
//! ([`table`], over the [`Lpm`] trait).

pub mod lpm;
pub mod select;
pub mod system;
pub mod table;
mod types;

pub use lpm::{LinearLpm, Lpm, TrieLpm};
pub use table::RouteTableView;
pub use types::*;
