//! Any scenario that validates compiles, and every look-up answers: the selected route really
//! covers the destination and is Active, and no longer Active prefix covers it.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};

use azpath_engine::model::RouteState;
use azpath_engine::{load_str, query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((addr, text)) = data.split_first_chunk::<4>() else { return };
    let Ok(text) = std::str::from_utf8(text) else { return };
    let Ok(loaded) = load_str("fuzz.ron", text) else { return };
    let dp = loaded.dataplane();
    let dst = IpAddr::V4(Ipv4Addr::from(*addr));
    for i in loaded.network.subnets.ids() {
        let answer = query::next_hop(&loaded.network, &dp, i, dst);
        if let Some(route) = &answer.route {
            assert!(route.prefix.contains(&dst) && route.state == RouteState::Active);
            let longest = answer
                .candidates
                .iter()
                .filter(|c| c.route.state == RouteState::Active)
                .map(|c| c.route.prefix.prefix_len())
                .max();
            assert_eq!(longest, Some(route.prefix.prefix_len()));
        }
    }
});
