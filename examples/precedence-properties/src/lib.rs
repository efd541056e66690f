//! Property tests of Azure's route precedence, written against `azpath-engine`'s public API
//! only: see `tests/precedence.rs`.
