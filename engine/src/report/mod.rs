//! Stage 6: rendering. Every renderer takes an answer by reference and only formats it:
//! [`text`] for people, [`lesson`] for a classroom screen, [`json`] for scripts, [`dot`] for
//! pictures; [`reach`] streams the reachability matrix as text, CSV or JSON; [`az`] gives routes
//! and next hops in the shapes Azure's own tools print; [`whatif`] and [`diagnosis`] show what a
//! change moves and what the checklist finds; [`fix`] says a suggested fix in a sentence and as
//! the `az` commands that apply it.

pub mod admin;
pub mod az;
pub mod compare;
pub mod diagnosis;
pub mod diagram;
pub mod dot;
pub mod egress;
pub mod established;
pub mod firewall_deny;
pub mod fix;
pub mod flow_addr;
pub mod hub_routes;
mod hub_rows;
pub mod json;
pub mod lesson;
pub mod lesson_notes;
pub mod narrative;
pub mod onprem;
pub mod permit;
pub mod reach;
pub mod reasons;
pub mod schema;
pub mod side_by_side;
pub mod svg;
pub mod symptom;
pub mod terminal;
pub mod text;
pub mod verdict;
pub mod whatif;
