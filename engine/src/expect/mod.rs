//! Stage 7: does Azure answer as the scenario says? Asks every question of a scenario (with
//! [`crate::query`] and [`crate::trace`]) and compares the answer with the expectation, field by
//! field, on ids and enums. A difference is a typed [`Problem`]; the words are
//! [`crate::report`]'s.

mod answer;
mod check;
mod forall;
mod hub;
mod run;
mod verdict;

pub use answer::{
    Asked, Case, CheckReport, Client, Evidence, Outcome, Problem, QuestionResult, SkipReason,
};
pub use check::row_matches;
pub use run::check;
pub use verdict::verdict_name;
