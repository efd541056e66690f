//! The JSON Schema of every JSON answer and of the scenario format, derived from the types that
//! are serialised (so a schema cannot drift from what is printed). `azpath schema KIND` prints
//! them; the command line's tests validate every JSON it prints against them.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};

use crate::analysis::permit::PermitAll;
use crate::analysis::side_by_side::Comparison;
use crate::analysis::suggest::Suggestions;
use crate::analysis::symptom::SymptomDiagnosis;
use crate::analysis::whatif::WhatIfAnswer;
use crate::dns::Resolution;
use crate::query::{
    AzEffectiveRouteList, FlowVerifyAnswer, HubRoutesAnswer, NextHopAnswer, OnPremRoutes,
    RouteComparison, RoutesAnswer,
};
use crate::report::az::AzNextHop;
use crate::report::json::{TestRun, Versioned};
use crate::report::reach::{ReachMatrix, ReachSummaryJson};
use crate::scenario::Document;
use crate::trace::TraceAnswer;

/// A shape azpath reads or writes as JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `routes --format json`.
    Routes,
    /// `next-hop --format json`.
    NextHop,
    /// `flow-verify --format json`.
    FlowVerify,
    /// `trace --format json`.
    Trace,
    /// `resolve --format json`.
    Resolve,
    /// `reach --format json`.
    Reach,
    /// `test --format json` (and `check`).
    Test,
    /// `compare-routes --format json`.
    CompareRoutes,
    /// `what-if --format json`.
    WhatIf,
    /// `diagnose --format json`.
    Diagnose,
    /// `diagnose --symptom S --format json`.
    DiagnoseSymptom,
    /// `compare --format json`.
    Compare,
    /// `trace --permit-all --format json`.
    TracePermitAll,
    /// `routes --format az-json`: `az network nic show-effective-route-table` (no
    /// `schema_version`: the shape is Azure's).
    AzRoutes,
    /// `next-hop --format az-json`: `az network watcher show-next-hop` (no `schema_version`).
    AzNextHop,
    /// A scenario file, as its RON maps onto JSON (structs as objects, enums externally tagged).
    Scenario,
    /// `routes --at GATEWAY|SITE --format json`: what a VNet gateway learned and advertises, or
    /// an on-premises site's ranges and routes.
    RoutesGateway,
    /// `routes --at HUB[/TABLE|/FIREWALL] --format json`: a virtual hub route table.
    RoutesHub,
    /// `reach --summary --format json`: the counts, without the pairs.
    ReachSummary,
}

impl Kind {
    /// Every kind, in the order `azpath schema` lists them.
    pub const ALL: [Kind; 19] = [
        Kind::Routes,
        Kind::NextHop,
        Kind::FlowVerify,
        Kind::Trace,
        Kind::Resolve,
        Kind::Reach,
        Kind::Test,
        Kind::CompareRoutes,
        Kind::WhatIf,
        Kind::Diagnose,
        Kind::DiagnoseSymptom,
        Kind::Compare,
        Kind::TracePermitAll,
        Kind::AzRoutes,
        Kind::AzNextHop,
        Kind::Scenario,
        Kind::RoutesGateway,
        Kind::RoutesHub,
        Kind::ReachSummary,
    ];

    /// The kind's name, as `azpath schema` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Routes => "routes",
            Kind::NextHop => "next-hop",
            Kind::FlowVerify => "flow-verify",
            Kind::Trace => "trace",
            Kind::Resolve => "resolve",
            Kind::Reach => "reach",
            Kind::Test => "test",
            Kind::CompareRoutes => "compare-routes",
            Kind::WhatIf => "what-if",
            Kind::Diagnose => "diagnose",
            Kind::DiagnoseSymptom => "diagnose-symptom",
            Kind::Compare => "compare",
            Kind::TracePermitAll => "trace-permit-all",
            Kind::AzRoutes => "az-routes",
            Kind::AzNextHop => "az-next-hop",
            Kind::Scenario => "scenario",
            Kind::RoutesGateway => "routes-gateway",
            Kind::RoutesHub => "routes-hub",
            Kind::ReachSummary => "reach-summary",
        }
    }

    /// The kind named `name`.
    pub fn by_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The JSON Schema (draft 2020-12) of this kind.
    pub fn schema(self) -> Schema {
        match self {
            Kind::Routes => answer::<RoutesAnswer>(),
            Kind::NextHop => answer::<NextHopAnswer>(),
            Kind::FlowVerify => answer::<FlowVerifyAnswer>(),
            Kind::Trace => answer::<TraceAnswer>(),
            Kind::Resolve => answer::<Resolution>(),
            Kind::Reach => written::<ReachMatrix>(),
            Kind::Test => answer::<TestRun>(),
            Kind::CompareRoutes => answer::<RouteComparison>(),
            Kind::WhatIf => answer::<WhatIfAnswer>(),
            Kind::Diagnose => answer::<Suggestions>(),
            Kind::DiagnoseSymptom => answer::<SymptomDiagnosis>(),
            Kind::Compare => answer::<Comparison>(),
            Kind::TracePermitAll => answer::<PermitAll>(),
            Kind::AzRoutes => written::<AzEffectiveRouteList>(),
            Kind::AzNextHop => written::<AzNextHop>(),
            Kind::Scenario => SchemaSettings::draft2020_12()
                .for_deserialize()
                .into_generator()
                .into_root_schema_for::<Document>(),
            Kind::RoutesGateway => answer::<OnPremRoutes>(),
            Kind::RoutesHub => answer::<HubRoutesAnswer>(),
            Kind::ReachSummary => written::<ReachSummaryJson<'static>>(),
        }
    }
}

/// The schema of `T` as written, with `schema_version` first.
fn answer<T: JsonSchema>() -> Schema {
    written::<Versioned<T>>()
}

/// The schema of `T` as serialised.
fn written<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn every_kind_has_a_schema_and_a_unique_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::by_name(kind.name()), Some(kind));
            let schema = kind.schema();
            assert!(schema
                .as_object()
                .is_some_and(|o| o.contains_key("$schema")));
        }
    }

    #[test]
    fn answers_require_schema_version_and_azure_shapes_do_not_have_it() {
        let requires = |kind: Kind| {
            kind.schema()
                .get("required")
                .and_then(|r| r.as_array())
                .is_some_and(|r| r.iter().any(|f| f == "schema_version"))
        };
        assert!(requires(Kind::Trace));
        assert!(requires(Kind::Test));
        assert!(requires(Kind::Reach));
        assert!(requires(Kind::ReachSummary));
        assert!(requires(Kind::RoutesGateway));
        assert!(requires(Kind::RoutesHub));
        assert!(!requires(Kind::AzRoutes));
        assert!(!requires(Kind::Scenario));
    }
}
