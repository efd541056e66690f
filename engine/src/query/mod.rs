//! Stage 5: questions and their answers. Answers are plain data that carry their evidence;
//! rendering them is [`crate::report`]'s job.

mod compare_routes;
mod flow_verify;
mod hub_routes;
mod next_hop;
mod onprem;
mod routes;

pub use compare_routes::{
    compare_routes, parse_az_routes, AzEffectiveRoute, AzEffectiveRouteList, RouteComparison,
    RouteDifference, RouteRow,
};
pub use flow_verify::{
    decide as decide_nsgs, flow_verify, nsgs_at, FlowVerifyAnswer, NsgDecision, NsgLevel, NsgStage,
    StageDecision, StageRef,
};
pub use hub_routes::{
    hub_routes, hub_table_by_name, HubEffectiveRoute, HubNextHopType, HubRoutesAnswer,
};
pub use next_hop::{next_hop, next_hop_and_route, CandidateRoute, NextHopAnswer, Verdict};
pub use onprem::{
    gateway_routes, onprem_routes, site_routes, GatewayRoutes, LearnedRow, OnPremRoutes, SiteRoutes,
};
pub use routes::{routes, RoutesAnswer};
