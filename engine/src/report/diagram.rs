//! The topology as a picture: regions side by side, each VNet a box inside its region with its
//! subnets as rows and what sits in them (workloads, appliances, private endpoints, firewalls,
//! gateways, virtual hub routers, DNS resolvers), PaaS services to the right, on-premises sites
//! and the Internet to the left, private DNS zones along the bottom; peerings (global ones
//! marked), hub connections, hub-to-hub links, private links and zone links between them.
//!
//! The layout is a deterministic grid, computed here rather than by a general graph layout:
//! Azure's topology is containment first (a region holds VNets, a VNet holds subnets, a subnet
//! holds NICs), which a grid shows as it is, and the same estate draws the same for every trace,
//! so stepping through a trace highlights hops without anything moving. The result is plain data
//! ([`Diagram`], serialisable), which the SVG and DOT renderers draw.

use serde::Serialize;

use crate::model::{GatewayKind, Network, VnetId, WorkloadKind};
use crate::trace::TraceAnswer;

/// Width of a node box.
pub const NODE_W: f64 = 132.0;
/// Height of a node box.
pub const NODE_H: f64 = 38.0;
const GAP: f64 = 10.0;
const PAD: f64 = 12.0;
const SUBNET_HEAD: f64 = 18.0;
const VNET_HEAD: f64 = 34.0;
const REGION_HEAD: f64 = 30.0;
const PER_ROW: usize = 2;
const VNET_W: f64 = PAD * 2.0 + NODE_W * PER_ROW as f64 + GAP * (PER_ROW as f64 - 1.0);
const COLUMN_W: f64 = VNET_W + PAD * 2.0;
const MARGIN: f64 = 20.0;

/// A rectangle in diagram coordinates (pixels, origin top left).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// The centre.
    pub fn centre(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// The whole picture.
#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Diagram {
    /// Canvas width.
    pub width: f64,
    /// Canvas height.
    pub height: f64,
    /// Columns: one per Azure region, then the outside columns.
    pub columns: Vec<Column>,
    /// VNets (a virtual hub's managed VNet included, marked as a hub).
    pub vnets: Vec<VnetBox>,
    /// Subnets, as rows of their VNet.
    pub subnets: Vec<SubnetRow>,
    /// Everything a trace can pass or a lesson can name.
    pub nodes: Vec<NodeBox>,
    /// Links between VNets and nodes.
    pub links: Vec<Link>,
}

/// A column of the picture.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Column {
    /// Its heading: a region's name, or what the outside column holds.
    pub name: String,
    /// What the column is.
    pub kind: ColumnKind,
    /// Where.
    pub rect: Rect,
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum ColumnKind {
    /// An Azure region's VNets and hubs.
    Region,
    /// The Internet and on-premises sites.
    Outside,
    /// PaaS services reached over private links or publicly.
    Services,
    /// Private DNS zones (a row along the bottom).
    Zones,
}

/// A VNet.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct VnetBox {
    /// `vnet:NAME`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// Its address space.
    pub address_space: Vec<String>,
    /// The virtual hub it is the managed VNet of.
    pub hub: Option<String>,
    /// Where.
    pub rect: Rect,
}

/// A subnet row inside its VNet.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SubnetRow {
    /// `vnet/subnet`.
    pub name: String,
    /// Its prefix.
    pub prefix: String,
    /// Where.
    pub rect: Rect,
}

/// Something a packet can pass or a lesson can name.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NodeBox {
    /// `nic:NAME` for what a trace hop names (workloads, appliances, private endpoints,
    /// firewalls, hub routers, the Internet), `gw:`, `svc:`, `zone:`, `site:`, `dns:` otherwise.
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
    /// Its name.
    pub name: String,
    /// Its address, if it has one.
    pub detail: String,
    /// Its VNet, if it sits in one.
    pub vnet: Option<String>,
    /// Where.
    pub rect: Rect,
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum NodeKind {
    /// A virtual machine.
    Vm,
    /// A network virtual appliance (forwards).
    Nva,
    /// A DNS forwarder VM.
    DnsServer,
    /// A DNS Private Resolver inbound endpoint.
    DnsResolver,
    /// A private endpoint.
    PrivateEndpoint,
    /// An Azure Firewall.
    Firewall,
    /// A VPN gateway.
    VpnGateway,
    /// An ExpressRoute gateway.
    ExpressRouteGateway,
    /// A virtual hub's router.
    HubRouter,
    /// A PaaS service.
    Service,
    /// A private DNS zone.
    Zone,
    /// An on-premises site or branch.
    Site,
    /// The Internet.
    Internet,
    /// A hop a trace names that the topology does not place.
    Other,
}

/// A link between two VNets or nodes (ids as in [`VnetBox::id`] and [`NodeBox::id`]).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Link {
    /// One end.
    pub from: String,
    /// The other end.
    pub to: String,
    /// What it is.
    pub kind: LinkKind,
}

/// What a link is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "link")]
pub enum LinkKind {
    /// A VNet peering; `global` across regions; `connected` false when either side is not
    /// Connected (such a peering programs no routes).
    Peering {
        /// Across regions.
        global: bool,
        /// Both sides Connected.
        connected: bool,
    },
    /// A virtual hub's connection to a VNet.
    HubConnection,
    /// Two virtual hubs: the hubs of a Virtual WAN are connected to each other in a full mesh
    /// ("Virtual WAN overview", hub-to-hub connections,
    /// <https://learn.microsoft.com/azure/virtual-wan/virtual-wan-about>); a scenario holds one
    /// WAN, so every pair of its hubs is linked.
    HubToHub {
        /// Across regions.
        global: bool,
    },
    /// A private endpoint to its service.
    PrivateLink,
    /// A private DNS zone's virtual network link.
    ZoneLink,
    /// A hub's on-premises site or branch.
    SiteConnection,
}

/// A node before layout.
struct Pending {
    id: String,
    kind: NodeKind,
    name: String,
    detail: String,
    place: Place,
}

/// Where a node goes.
#[derive(Clone, PartialEq, Eq)]
enum Place {
    /// A subnet (by full name) of a VNet (by index).
    Subnet(usize, String),
    /// A VNet, no subnet known.
    Vnet(usize),
    Outside,
    Services,
    Zones,
}

/// The topology of `net`, with a node for every hop of `traces` (so a trace over it can be
/// drawn hop by hop).
pub fn build(net: &Network, traces: &[&TraceAnswer]) -> Diagram {
    let mut pending = nodes(net);
    extra_hops(net, traces, &mut pending);
    let mut d = layout(net, &pending);
    d.links = links(net);
    d
}

fn vnet_index(net: &Network, id: VnetId) -> usize {
    id.index().min(net.vnets.len())
}

fn subnet_place(net: &Network, subnet: crate::model::SubnetId) -> Place {
    match net.subnet(subnet) {
        Some(s) => Place::Subnet(vnet_index(net, s.vnet), s.name.clone()),
        None => Place::Outside,
    }
}

/// The place of an address inside a VNet: the subnet that contains it, else the VNet.
fn address_place(net: &Network, vnet: VnetId, ip: std::net::IpAddr) -> Place {
    let i = vnet_index(net, vnet);
    net.vnet(vnet)
        .and_then(|v| {
            v.subnets
                .iter()
                .filter_map(|s| net.subnet(*s))
                .find(|s| s.prefix.contains(&ip))
        })
        .map_or(Place::Vnet(i), |s| Place::Subnet(i, s.name.clone()))
}

fn nodes(net: &Network) -> Vec<Pending> {
    let mut out = Vec::new();
    let forwarders: Vec<_> = net.dns.forwarders.iter().map(|f| f.workload).collect();
    for (id, w) in net.workloads.iter_ids() {
        let kind = if forwarders.contains(&id) {
            NodeKind::DnsServer
        } else {
            match w.kind {
                WorkloadKind::Vm => NodeKind::Vm,
                WorkloadKind::Nva => NodeKind::Nva,
            }
        };
        out.push(Pending {
            id: format!("nic:{}", w.name),
            kind,
            name: w.name.clone(),
            detail: w.ip.to_string(),
            place: subnet_place(net, w.subnet),
        });
    }
    for pe in net.private_endpoints.iter() {
        out.push(Pending {
            id: format!("nic:{}", pe.name),
            kind: NodeKind::PrivateEndpoint,
            name: pe.name.clone(),
            detail: pe.ip.to_string(),
            place: subnet_place(net, pe.subnet),
        });
    }
    for fw in net.firewalls.iter() {
        out.push(Pending {
            id: format!("nic:{}", fw.name),
            kind: NodeKind::Firewall,
            name: fw.name.to_string(),
            detail: fw.ip.to_string(),
            place: subnet_place(net, fw.subnet),
        });
    }
    for gw in net.gateways.iter() {
        let (kind, what) = match gw.kind {
            GatewayKind::Vpn => (NodeKind::VpnGateway, "VPN"),
            GatewayKind::ExpressRoute => (NodeKind::ExpressRouteGateway, "ExpressRoute"),
        };
        let place = net
            .vnet(gw.vnet)
            .and_then(|v| {
                v.subnets
                    .iter()
                    .filter_map(|s| net.subnet(*s))
                    .find(|s| s.name.ends_with("/GatewaySubnet"))
            })
            .map_or(Place::Vnet(vnet_index(net, gw.vnet)), |s| {
                Place::Subnet(vnet_index(net, gw.vnet), s.name.clone())
            });
        out.push(Pending {
            id: format!("gw:{}", gw.name),
            kind,
            name: gw.name.clone(),
            detail: what.to_string(),
            place,
        });
        // The on-premises networks the gateway learns, as one site beside it.
        if !gw.learned.is_empty() {
            out.push(Pending {
                id: format!("onprem:{}", gw.name),
                kind: NodeKind::Site,
                name: format!("on-premises via {}", gw.name),
                detail: gw
                    .learned
                    .iter()
                    .map(|l| l.prefix.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                place: Place::Outside,
            });
        }
    }
    for hub in net.virtual_hubs.iter() {
        let detail = hub
            .router_ips
            .first()
            .map_or_else(|| hub.address_prefix.to_string(), ToString::to_string);
        out.push(Pending {
            id: format!("nic:{} router", hub.name),
            kind: NodeKind::HubRouter,
            name: format!("{} router", hub.name),
            detail,
            place: Place::Vnet(vnet_index(net, hub.vnet)),
        });
        for site in &hub.sites {
            out.push(Pending {
                id: format!("site:{}", site.name),
                kind: NodeKind::Site,
                name: site.name.clone(),
                detail: site
                    .prefixes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
                place: Place::Outside,
            });
        }
    }
    for ie in &net.dns.inbound_endpoints {
        out.push(Pending {
            id: format!("dns:{}", ie.name),
            kind: NodeKind::DnsResolver,
            name: ie.name.clone(),
            detail: ie.ip.to_string(),
            place: address_place(net, ie.vnet, ie.ip),
        });
    }
    for s in net.services.iter() {
        out.push(Pending {
            id: format!("svc:{}", s.name),
            kind: NodeKind::Service,
            name: s.name.clone(),
            detail: s.fqdn.clone(),
            place: Place::Services,
        });
    }
    // A private endpoint's target that names no modelled service still has a place to point.
    for pe in net.private_endpoints.iter() {
        if let (None, Some(t)) = (endpoint_service(net, pe), &pe.target) {
            let id = format!("svc:{t}");
            if !out.iter().any(|p| p.id == id) {
                out.push(Pending {
                    id,
                    kind: NodeKind::Service,
                    name: t.clone(),
                    detail: "private link target".into(),
                    place: Place::Services,
                });
            }
        }
    }
    for z in net.dns.zones.iter() {
        out.push(Pending {
            id: format!("zone:{}", z.label()),
            kind: NodeKind::Zone,
            name: z.label(),
            detail: format!("{} record(s)", z.records.len()),
            place: Place::Zones,
        });
    }
    out
}

/// A node for every hop the topology does not already place (the Internet client, an app's
/// outbound addresses, …), so every hop of a trace can be drawn.
fn extra_hops(net: &Network, traces: &[&TraceAnswer], out: &mut Vec<Pending>) {
    for t in traces {
        for h in t.forward.iter().chain(&t.reply) {
            let id = format!("nic:{}", h.nic);
            if out.iter().any(|p| p.id == id) {
                continue;
            }
            let vnet = net.vnets.iter_ids().find(|(_, v)| *v.name == *h.vnet);
            let (kind, place) = match vnet {
                Some((vid, _)) => (NodeKind::Other, address_place(net, vid, h.packet.dst)),
                None if &*h.nic == "Internet" => (NodeKind::Internet, Place::Outside),
                None => (NodeKind::Other, Place::Outside),
            };
            let place = match (&place, net.subnets.iter().find(|s| *s.name == *h.subnet)) {
                (Place::Vnet(i), Some(s)) => Place::Subnet(*i, s.name.clone()),
                _ => place,
            };
            out.push(Pending {
                id,
                kind,
                name: h.nic.to_string(),
                detail: String::new(),
                place,
            });
        }
    }
}

/// A one-node-wide column beside the regions (outside Azure on the left, services on the
/// right) at `x`, its `members` placed top-down in it.
fn side_column(x: f64, members: &[usize], placed: &mut [Option<Rect>]) -> Rect {
    let (rects, h) = grid(x + PAD, MARGIN + REGION_HEAD, members.len(), 1);
    for (i, r) in members.iter().zip(rects) {
        if let Some(slot) = placed.get_mut(*i) {
            *slot = Some(r);
        }
    }
    Rect {
        x,
        y: MARGIN,
        w: NODE_W + PAD * 2.0,
        h: REGION_HEAD + h + PAD,
    }
}

/// Lays out `count` nodes in rows of [`PER_ROW`] from `(x, y)`; returns their rectangles and
/// the height used.
fn grid(x: f64, y: f64, count: usize, per_row: usize) -> (Vec<Rect>, f64) {
    let rects = (0..count)
        .map(|i| Rect {
            x: x + (i % per_row) as f64 * (NODE_W + GAP),
            y: y + (i / per_row) as f64 * (NODE_H + GAP),
            w: NODE_W,
            h: NODE_H,
        })
        .collect();
    let rows = count.div_ceil(per_row);
    (rects, rows as f64 * (NODE_H + GAP))
}

fn layout(net: &Network, pending: &[Pending]) -> Diagram {
    let mut d = Diagram::default();
    let mut placed: Vec<Option<Rect>> = vec![None; pending.len()];
    let outside: Vec<usize> = (0..pending.len())
        .filter(|i| pending.get(*i).is_some_and(|p| p.place == Place::Outside))
        .collect();
    let mut x = MARGIN;
    let mut bottom: f64 = 0.0;
    // The outside column first (left): the Internet and on-premises sites.
    if !outside.is_empty() {
        let rect = side_column(x, &outside, &mut placed);
        let w = rect.w;
        bottom = bottom.max(rect.y + rect.h);
        d.columns.push(Column {
            name: "outside Azure".into(),
            kind: ColumnKind::Outside,
            rect,
        });
        x += w + GAP * 2.0;
    }
    // Regions in the order their first VNet is declared; hubs first within a region.
    let mut regions: Vec<&str> = Vec::new();
    for v in net.vnets.iter() {
        if !regions.contains(&v.region.as_str()) {
            regions.push(&v.region);
        }
    }
    for region in regions {
        let mut y = MARGIN + REGION_HEAD;
        let mut ids: Vec<(VnetId, &crate::model::Vnet)> = net
            .vnets
            .iter_ids()
            .filter(|(_, v)| v.region == region)
            .collect();
        ids.sort_by_key(|(_, v)| v.hub.is_none());
        for (vid, v) in ids {
            let vi = vnet_index(net, vid);
            let top = y;
            y += VNET_HEAD;
            let inner_x = x + PAD * 2.0;
            // Nodes with no subnet (a hub's router) first.
            let loose: Vec<usize> = (0..pending.len())
                .filter(|i| pending.get(*i).is_some_and(|p| p.place == Place::Vnet(vi)))
                .collect();
            let (rects, h) = grid(inner_x, y, loose.len(), PER_ROW);
            for (i, r) in loose.iter().zip(rects) {
                if let Some(slot) = placed.get_mut(*i) {
                    *slot = Some(r);
                }
            }
            y += h;
            for s in v.subnets.iter().filter_map(|s| net.subnet(*s)) {
                let inside: Vec<usize> = (0..pending.len())
                    .filter(|i| {
                        pending
                            .get(*i)
                            .is_some_and(|p| p.place == Place::Subnet(vi, s.name.clone()))
                    })
                    .collect();
                let row_top = y;
                let (rects, h) = grid(inner_x, y + SUBNET_HEAD, inside.len(), PER_ROW);
                for (i, r) in inside.iter().zip(rects) {
                    if let Some(slot) = placed.get_mut(*i) {
                        *slot = Some(r);
                    }
                }
                y += SUBNET_HEAD + h + GAP / 2.0;
                d.subnets.push(SubnetRow {
                    name: s.name.clone(),
                    prefix: s.prefix.to_string(),
                    rect: Rect {
                        x: inner_x - PAD / 2.0,
                        y: row_top,
                        w: VNET_W - PAD,
                        h: y - row_top - GAP / 4.0,
                    },
                });
            }
            y += PAD / 2.0;
            let hub = v
                .hub
                .and_then(|h| net.virtual_hubs.get(h))
                .map(|h| h.name.clone());
            d.vnets.push(VnetBox {
                id: format!("vnet:{}", v.name),
                name: v.name.clone(),
                region: v.region.clone(),
                address_space: v.address_space.iter().map(ToString::to_string).collect(),
                hub,
                rect: Rect {
                    x: x + PAD,
                    y: top,
                    w: VNET_W,
                    h: y - top,
                },
            });
            y += GAP * 2.0;
        }
        let rect = Rect {
            x,
            y: MARGIN,
            w: COLUMN_W,
            h: y - MARGIN,
        };
        bottom = bottom.max(rect.y + rect.h);
        d.columns.push(Column {
            name: region.to_string(),
            kind: ColumnKind::Region,
            rect,
        });
        x += COLUMN_W + GAP * 3.0;
    }
    // Services on the right.
    let services: Vec<usize> = (0..pending.len())
        .filter(|i| pending.get(*i).is_some_and(|p| p.place == Place::Services))
        .collect();
    if !services.is_empty() {
        let rect = side_column(x, &services, &mut placed);
        let w = rect.w;
        bottom = bottom.max(rect.y + rect.h);
        d.columns.push(Column {
            name: "PaaS services".into(),
            kind: ColumnKind::Services,
            rect,
        });
        x += w + GAP;
    }
    // Zones along the bottom.
    let zones: Vec<usize> = (0..pending.len())
        .filter(|i| pending.get(*i).is_some_and(|p| p.place == Place::Zones))
        .collect();
    if !zones.is_empty() {
        let top = bottom + GAP * 2.0;
        let per_row = (((x - MARGIN) / (NODE_W * 1.6 + GAP)).floor() as usize).max(1);
        let (rects, h) = grid(MARGIN + PAD, top + REGION_HEAD, zones.len(), per_row);
        for (i, r) in zones.iter().zip(rects) {
            if let Some(slot) = placed.get_mut(*i) {
                *slot = Some(Rect {
                    x: MARGIN + PAD + (r.x - MARGIN - PAD) * 1.6,
                    w: NODE_W * 1.5,
                    ..r
                });
            }
        }
        let rect = Rect {
            x: MARGIN,
            y: top,
            w: (x - MARGIN).max(NODE_W * 2.0),
            h: REGION_HEAD + h + PAD,
        };
        bottom = rect.y + rect.h;
        d.columns.push(Column {
            name: "private DNS zones".into(),
            kind: ColumnKind::Zones,
            rect,
        });
    }
    for (p, r) in pending.iter().zip(placed) {
        let vnet = match &p.place {
            Place::Subnet(i, _) | Place::Vnet(i) => {
                net.vnets.iter().nth(*i).map(|v| v.name.clone())
            }
            _ => None,
        };
        d.nodes.push(NodeBox {
            id: p.id.clone(),
            kind: p.kind,
            name: p.name.clone(),
            detail: p.detail.clone(),
            vnet,
            rect: r.unwrap_or_default(),
        });
    }
    d.width = x + MARGIN;
    d.height = bottom + MARGIN;
    d
}

/// The service a private endpoint serves: the one it names, or the one whose FQDN its target is.
fn endpoint_service<'n>(
    net: &'n Network,
    pe: &crate::model::PrivateEndpoint,
) -> Option<&'n crate::model::Service> {
    pe.service.and_then(|s| net.services.get(s)).or_else(|| {
        let t = pe.target.as_deref()?;
        net.services.iter().find(|s| s.answers(t))
    })
}

fn links(net: &Network) -> Vec<Link> {
    let mut out = Vec::new();
    let name = |id: VnetId| net.vnet(id).map(|v| (v.name.clone(), v.region.clone()));
    let hub_peerings: Vec<_> = net
        .virtual_hubs
        .iter()
        .flat_map(|h| h.connections.iter().map(|c| c.peering))
        .collect();
    for (pid, p) in net.peerings.iter_ids() {
        if hub_peerings.contains(&pid) {
            continue;
        }
        let [a, b] = p.vnets.map(name);
        if let (Some((a, ra)), Some((b, rb))) = (a, b) {
            out.push(Link {
                from: format!("vnet:{a}"),
                to: format!("vnet:{b}"),
                kind: LinkKind::Peering {
                    global: ra != rb,
                    connected: p.state == crate::scenario::PeeringState::Connected,
                },
            });
        }
    }
    let hubs: Vec<_> = net.virtual_hubs.iter().collect();
    for (i, h) in hubs.iter().enumerate() {
        for c in &h.connections {
            if let Some((v, _)) = name(c.vnet) {
                out.push(Link {
                    from: format!("nic:{} router", h.name),
                    to: format!("vnet:{v}"),
                    kind: LinkKind::HubConnection,
                });
            }
        }
        for site in &h.sites {
            out.push(Link {
                from: format!("site:{}", site.name),
                to: format!("nic:{} router", h.name),
                kind: LinkKind::SiteConnection,
            });
        }
        for other in hubs.iter().skip(i + 1) {
            out.push(Link {
                from: format!("nic:{} router", h.name),
                to: format!("nic:{} router", other.name),
                kind: LinkKind::HubToHub {
                    global: h.region != other.region,
                },
            });
        }
    }
    for gw in net.gateways.iter().filter(|g| !g.learned.is_empty()) {
        out.push(Link {
            from: format!("onprem:{}", gw.name),
            to: format!("gw:{}", gw.name),
            kind: LinkKind::SiteConnection,
        });
    }
    for pe in net.private_endpoints.iter() {
        let to = match (endpoint_service(net, pe), &pe.target) {
            (Some(s), _) => Some(s.name.clone()),
            (None, Some(t)) => Some(t.clone()),
            (None, None) => None,
        };
        if let Some(to) = to {
            out.push(Link {
                from: format!("nic:{}", pe.name),
                to: format!("svc:{to}"),
                kind: LinkKind::PrivateLink,
            });
        }
    }
    for z in net.dns.zones.iter() {
        for (v, _) in &z.links {
            if let Some((v, _)) = name(*v) {
                out.push(Link {
                    from: format!("zone:{}", z.label()),
                    to: format!("vnet:{v}"),
                    kind: LinkKind::ZoneLink,
                });
            }
        }
    }
    out
}

impl Diagram {
    /// The rectangle of a VNet or node by id.
    pub fn rect_of(&self, id: &str) -> Option<Rect> {
        self.nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.rect)
            .or_else(|| self.vnets.iter().find(|v| v.id == id).map(|v| v.rect))
    }
}

#[cfg(test)]
mod tests {
    use super::{build, Diagram, LinkKind, NodeKind, Rect};
    use crate::expect::{check, Evidence};
    use crate::trace::TraceAnswer;
    use crate::Loaded;

    fn lesson(path: &str) -> Loaded {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios")
            .join(path);
        crate::load_file(&file).unwrap()
    }

    fn traces(l: &Loaded) -> Vec<TraceAnswer> {
        check(&l.network, l.dataplane())
            .results
            .into_iter()
            .filter_map(|r| match r.evidence {
                Some(Evidence::Trace(t)) => Some(*t),
                _ => None,
            })
            .collect()
    }

    fn inside(inner: &Rect, outer: &Rect) -> bool {
        inner.x >= outer.x
            && inner.y >= outer.y
            && inner.x + inner.w <= outer.x + outer.w
            && inner.y + inner.h <= outer.y + outer.h
    }

    fn overlap(a: &Rect, b: &Rect) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    const CROSS_REGION: &str = "virtual-wan/cross-region-private-endpoint.ron";

    fn cross_region() -> (Loaded, Diagram) {
        let l = lesson(CROSS_REGION);
        let t = traces(&l);
        let refs: Vec<&TraceAnswer> = t.iter().collect();
        let d = build(&l.network, &refs);
        (l, d)
    }

    #[test]
    fn vnets_sit_inside_their_regions_column_and_nodes_inside_their_vnet() {
        let (_, d) = cross_region();
        for v in &d.vnets {
            let col = d.columns.iter().find(|c| c.name == v.region).unwrap();
            assert!(inside(&v.rect, &col.rect), "{}", v.name);
        }
        for n in d.nodes.iter().filter(|n| n.vnet.is_some()) {
            let v = d
                .vnets
                .iter()
                .find(|v| Some(&v.name) == n.vnet.as_ref())
                .unwrap();
            assert!(inside(&n.rect, &v.rect), "{}", n.name);
        }
        let regions: Vec<&str> = d.columns.iter().map(|c| c.name.as_str()).collect();
        assert!(
            regions.contains(&"westus") && regions.contains(&"eastus"),
            "{regions:?}"
        );
    }

    #[test]
    fn nothing_overlaps_in_any_bundled_lesson() {
        for path in [
            CROSS_REGION,
            "dns/private-resolver-for-spokes.ron",
            "firewall/hub-inspects-every-private-endpoint-flow.ron",
            "routing/gateway-transit-propagation-off.ron",
            "ai-foundry/network-secured-agents.ron",
        ] {
            let l = lesson(path);
            let d = build(&l.network, &[]);
            for (i, a) in d.nodes.iter().enumerate() {
                for b in d.nodes.iter().skip(i + 1) {
                    assert!(!overlap(&a.rect, &b.rect), "{path}: {} and {}", a.id, b.id);
                }
            }
            for (i, a) in d.vnets.iter().enumerate() {
                for b in d.vnets.iter().skip(i + 1) {
                    assert!(!overlap(&a.rect, &b.rect), "{path}: {} and {}", a.id, b.id);
                }
            }
        }
    }

    #[test]
    fn hubs_their_connections_and_the_hub_to_hub_link_are_drawn_and_marked_inter_region() {
        let (_, d) = cross_region();
        assert!(d.vnets.iter().any(|v| v.hub.as_deref() == Some("hub-wus")));
        let conn = |hub: &str, vnet: &str| {
            d.links.iter().any(|l| {
                l.kind == LinkKind::HubConnection
                    && l.from == format!("nic:{hub} router")
                    && l.to == format!("vnet:{vnet}")
            })
        };
        assert!(conn("hub-wus", "spoke-dev-wus") && conn("hub-eus", "spoke-ai-eus"));
        // A hub connection is a peering underneath; it is drawn once, as the connection.
        assert!(!d
            .links
            .iter()
            .any(|l| matches!(l.kind, LinkKind::Peering { .. })));
        assert!(d
            .links
            .iter()
            .any(|l| l.kind == LinkKind::HubToHub { global: true }));
    }

    #[test]
    fn a_peering_across_regions_is_global_and_one_not_connected_is_marked() {
        let l = lesson("routing/peering-states-and-access.ron");
        let d = build(&l.network, &[]);
        assert!(d.links.iter().any(|l| matches!(
            l.kind,
            LinkKind::Peering {
                connected: false,
                ..
            }
        )));
        let (_, wan) = cross_region();
        assert!(wan
            .links
            .iter()
            .all(|l| !matches!(l.kind, LinkKind::Peering { .. })));
    }

    #[test]
    fn private_endpoints_link_to_their_service_and_zones_to_their_vnets() {
        let (_, d) = cross_region();
        assert!(d.links.iter().any(|l| l.kind == LinkKind::PrivateLink
            && l.from == "nic:pe-aoai-dev"
            && l.to == "svc:aoai-dev"));
        assert!(d.nodes.iter().any(|n| n.kind == NodeKind::Zone));
        assert!(d.links.iter().any(|l| l.kind == LinkKind::ZoneLink));
    }

    #[test]
    fn a_gateway_is_drawn_in_its_gateway_subnet_with_the_on_premises_networks_it_learns() {
        let l = lesson("routing/gateway-transit-propagation-off.ron");
        let d = build(&l.network, &[]);
        let gw = d
            .nodes
            .iter()
            .find(|n| matches!(n.kind, NodeKind::VpnGateway | NodeKind::ExpressRouteGateway))
            .unwrap();
        let row = d
            .subnets
            .iter()
            .find(|s| s.name.ends_with("/GatewaySubnet"))
            .unwrap();
        assert!(inside(&gw.rect, &row.rect), "{gw:?} in {row:?}");
        let site = d.nodes.iter().find(|n| n.kind == NodeKind::Site).unwrap();
        assert!(site.detail.contains("192.168."), "{site:?}");
        assert!(d
            .links
            .iter()
            .any(|l| l.kind == LinkKind::SiteConnection && l.from == site.id && l.to == gw.id));
    }

    #[test]
    fn every_hop_of_every_trace_has_a_node() {
        let (l, d) = cross_region();
        for t in traces(&l) {
            for h in t.forward.iter().chain(&t.reply) {
                assert!(d.rect_of(&format!("nic:{}", h.nic)).is_some(), "{}", h.nic);
            }
        }
    }

    #[test]
    fn the_topology_draws_the_same_whichever_trace_is_shown() {
        let l = lesson(CROSS_REGION);
        let t = traces(&l);
        let a = build(&l.network, &[]);
        let b = build(&l.network, &t.iter().collect::<Vec<_>>());
        for n in &a.nodes {
            assert_eq!(Some(n.rect), b.rect_of(&n.id), "{}", n.id);
        }
    }
}
