//! The compiled data plane's own look-ups checked against the model they were compiled from,
//! on generated estates.

use azpath_engine::analysis::generate::{estate_shaped, EstateShape, EstateSize};

#[test]
fn a_connected_peering_is_found_by_one_search_as_the_vnets_own_list_finds_it() {
    let size = EstateSize {
        regions: 2,
        spokes_per_region: 3,
        subnets_per_spoke: 2,
        private_endpoints: 0,
        nsg_rules: 0,
        seed: 1,
    };
    let shape = EstateShape {
        landing_zones: 2,
        ..EstateShape::default()
    };
    let text = estate_shaped(size, shape, usize::MAX).unwrap_or_default();
    let loaded = azpath_engine::load_str("peers.ron", &text).unwrap_or_else(|e| panic!("{e}"));
    let (net, dp) = (&loaded.network, loaded.dataplane());
    let mut found = 0;
    for a in net.vnets.ids() {
        for b in net.vnets.ids() {
            let listed = net
                .connected_peers(a)
                .find(|(_, remote)| *remote == b)
                .map(|(p, _)| p as *const _);
            let searched = dp
                .connected_peering(a, b)
                .and_then(|p| net.peerings.get(p))
                .map(|p| p as *const _);
            assert_eq!(listed, searched, "{a:?} {b:?}");
            found += usize::from(searched.is_some());
        }
    }
    // 12 spoke peerings and one hub peering per landing zone, each seen from both ends.
    assert_eq!(found, 2 * (12 + 2));
}
