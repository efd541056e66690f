//! Analyses over whole networks: design checks that need effective routes, the reachability
//! matrix, and the scale generator.

pub mod diagnose;
pub mod firewall_deny;
pub mod flow;
pub mod generate;
pub mod permit;
pub mod reach;
pub mod resolutions;
pub mod side_by_side;
pub mod suggest;
pub mod symptom;
pub mod whatif;
#[cfg(test)]
mod zone_copies;

/// An object of the model: its id, and the name it resolved to (for the scenario file and the
/// `az` commands).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
pub struct Named<I> {
    /// The model's id.
    pub id: I,
    /// Its name as the scenario writes it (`vnet/subnet` for a subnet).
    pub name: String,
}

impl<I> Named<I> {
    /// `id` named `name`.
    pub fn new(id: I, name: impl Into<String>) -> Self {
        Named {
            id,
            name: name.into(),
        }
    }
}
