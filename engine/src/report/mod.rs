//! Stage 6: rendering. Every renderer takes an answer by reference and only formats it:
//! [`text`] for people, [`json`] for scripts, [`dot`] for pictures.

pub mod dot;
pub mod json;
pub mod narrative;
pub mod text;
