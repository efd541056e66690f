//! SVG rendering of a [`Diagram`], with a trace drawn over it: the request as numbered solid
//! arrows, the reply dashed in another colour, and the verdict at the hop where the trace ended.
//! Every element a viewer may highlight carries a `data-` attribute: nodes `data-id` (as in
//! [`super::diagram::NodeBox::id`]), trace segments and hop marks `data-seq` (the hop's index,
//! the request's hops first, then the reply's).

use std::fmt::Write as _;

use super::diagram::{ColumnKind, Diagram, LinkKind, NodeKind, Rect};
use crate::trace::TraceAnswer;

/// Text as it may appear in SVG: shown as in a terminal (control and bidi characters escaped),
/// then XML-escaped.
pub fn text(s: &str) -> String {
    let shown = super::terminal::escape(s);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
.col>rect{fill:#f6f8fa;stroke:#d0d7de}
.col.Outside>rect,.col.Services>rect,.col.Zones>rect{fill:#fbfbf4}
.col>text{font:bold 14px sans-serif;fill:#57606a}
.vnet>rect{fill:#fff;stroke:#8c959f;stroke-width:1.2}
.vnet.hub>rect{fill:#eef6ff;stroke:#0969da;stroke-width:1.5}
.vnet>text{font:bold 12px sans-serif;fill:#24292f}
.vnet>text.sub{font:11px sans-serif;fill:#57606a}
.subnet>rect{fill:#f6f8fa;stroke:none}
.subnet>text{font:10px sans-serif;fill:#57606a}
.node>rect{fill:#fff;stroke:#57606a;rx:5}
.node>text{font:11px sans-serif;fill:#24292f}
.node>text.sub{font:10px monospace;fill:#57606a}
.node.Firewall>rect{fill:#fff1e5;stroke:#bc4c00}
.node.Nva>rect{fill:#fff8c5;stroke:#9a6700}
.node.PrivateEndpoint>rect{fill:#ddf4ff;stroke:#0969da}
.node.Service>rect{fill:#fbefff;stroke:#8250df}
.node.Zone>rect{fill:#dafbe1;stroke:#1a7f37}
.node.HubRouter>rect{fill:#eef6ff;stroke:#0969da;stroke-dasharray:4 2}
.node.VpnGateway>rect,.node.ExpressRouteGateway>rect{fill:#f5f0ff;stroke:#6639ba}
.node.Site>rect,.node.Internet>rect{fill:#f6f8fa;stroke:#24292f;stroke-dasharray:2 2}
.link{fill:none;stroke:#8c959f;stroke-width:1.5}
.link.global{stroke:#bc4c00;stroke-dasharray:8 4}
.link.down{stroke:#cf222e;stroke-dasharray:2 4}
.link.HubConnection{stroke:#0969da}
.link.HubToHub{stroke:#0969da;stroke-width:3}
.link.PrivateLink{stroke:#8250df;stroke-dasharray:3 3}
.link.ZoneLink{stroke:#1a7f37;stroke-width:0.8;stroke-dasharray:1 3}
.link.SiteConnection{stroke:#24292f;stroke-dasharray:6 3}
.linklabel{font:10px sans-serif;fill:#bc4c00}
.seg{fill:none;stroke-width:3}
.seg.req{stroke:#0550ae;marker-end:url(#arrow-req)}
.seg.rep{stroke:#1a7f37;stroke-dasharray:7 4;marker-end:url(#arrow-rep)}
.hopmark>circle{stroke:#fff;stroke-width:1.5}
.hopmark.req>circle{fill:#0550ae}
.hopmark.rep>circle{fill:#1a7f37}
.hopmark>text{font:bold 10px sans-serif;fill:#fff;text-anchor:middle}
.verdict>rect{fill:#ffebe9;stroke:#cf222e;stroke-width:2}
.verdict.ok>rect{fill:#dafbe1;stroke:#1a7f37}
.verdict>text{font:bold 12px sans-serif;fill:#24292f}
";

/// The diagram, with `trace` drawn over it when given.
pub fn render(d: &Diagram, trace: Option<&TraceAnswer>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"azpath-diagram\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">",
        w = d.width.ceil(),
        h = d.height.ceil()
    );
    let _ = writeln!(out, "<style>{STYLE}</style>");
    out += "<defs>\
<marker id=\"arrow-req\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#0550ae\"/></marker>\
<marker id=\"arrow-rep\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#1a7f37\"/></marker>\
</defs>\n";
    out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
    for c in &d.columns {
        let kind = match c.kind {
            ColumnKind::Region => "Region",
            ColumnKind::Outside => "Outside",
            ColumnKind::Services => "Services",
            ColumnKind::Zones => "Zones",
        };
        let _ = writeln!(
            out,
            "<g class=\"col {kind}\">{}<text x=\"{:.0}\" y=\"{:.0}\">{}</text></g>",
            rect(&c.rect, 8.0),
            c.rect.x + 10.0,
            c.rect.y + 20.0,
            text(&c.name)
        );
    }
    for v in &d.vnets {
        let hub = if v.hub.is_some() { " hub" } else { "" };
        let title = match &v.hub {
            Some(h) => format!("virtual hub {h}"),
            None => v.name.clone(),
        };
        let _ = writeln!(
            out,
            "<g class=\"vnet{hub}\" data-id=\"{}\">{}<text x=\"{:.0}\" y=\"{:.0}\">{}</text><text class=\"sub\" x=\"{:.0}\" y=\"{:.0}\">{}</text></g>",
            text(&v.id),
            rect(&v.rect, 6.0),
            v.rect.x + 8.0,
            v.rect.y + 15.0,
            text(&title),
            v.rect.x + 8.0,
            v.rect.y + 28.0,
            text(&v.address_space.join(" "))
        );
    }
    for s in &d.subnets {
        let short = s.name.rsplit('/').next().unwrap_or(&s.name);
        let _ = writeln!(
            out,
            "<g class=\"subnet\" data-id=\"subnet:{}\">{}<text x=\"{:.0}\" y=\"{:.0}\">{} {}</text></g>",
            text(&s.name),
            rect(&s.rect, 3.0),
            s.rect.x + 4.0,
            s.rect.y + 12.0,
            text(short),
            text(&s.prefix)
        );
    }
    links(&mut out, d);
    for n in &d.nodes {
        let kind = node_kind(n.kind);
        let _ = writeln!(
            out,
            "<g class=\"node {kind}\" data-id=\"{}\"><title>{}</title>{}<text x=\"{:.0}\" y=\"{:.0}\">{}</text><text class=\"sub\" x=\"{:.0}\" y=\"{:.0}\">{}</text></g>",
            text(&n.id),
            text(&format!("{kind} {}", n.name)),
            rect(&n.rect, 5.0),
            n.rect.x + 6.0,
            n.rect.y + 15.0,
            text(&clip(&n.name, 20)),
            n.rect.x + 6.0,
            n.rect.y + 30.0,
            text(&clip(&n.detail, 22))
        );
    }
    if let Some(t) = trace {
        overlay(&mut out, d, t);
    }
    out += "</svg>\n";
    out
}

/// A node kind's class name.
pub fn node_kind(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Vm => "Vm",
        NodeKind::Nva => "Nva",
        NodeKind::DnsServer => "DnsServer",
        NodeKind::DnsResolver => "DnsResolver",
        NodeKind::PrivateEndpoint => "PrivateEndpoint",
        NodeKind::Firewall => "Firewall",
        NodeKind::VpnGateway => "VpnGateway",
        NodeKind::ExpressRouteGateway => "ExpressRouteGateway",
        NodeKind::HubRouter => "HubRouter",
        NodeKind::Service => "Service",
        NodeKind::Zone => "Zone",
        NodeKind::Site => "Site",
        NodeKind::Internet => "Internet",
        NodeKind::Other => "Other",
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(n.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

fn rect(r: &Rect, radius: f64) -> String {
    format!(
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"{radius}\"/>",
        r.x, r.y, r.w, r.h
    )
}

/// The point where the segment from `r`'s centre towards `(tx, ty)` leaves `r`.
fn border(r: &Rect, tx: f64, ty: f64) -> (f64, f64) {
    let (cx, cy) = r.centre();
    let (dx, dy) = (tx - cx, ty - cy);
    if dx.abs() < f64::EPSILON && dy.abs() < f64::EPSILON {
        return (cx, cy);
    }
    let sx = if dx.abs() > f64::EPSILON {
        (r.w / 2.0) / dx.abs()
    } else {
        f64::INFINITY
    };
    let sy = if dy.abs() > f64::EPSILON {
        (r.h / 2.0) / dy.abs()
    } else {
        f64::INFINITY
    };
    let s = sx.min(sy).min(1.0);
    (cx + dx * s, cy + dy * s)
}

/// A path from rectangle `a` to `b`: straight between columns, bowed to the right when the
/// two sit one above the other (so the line does not run through the boxes between them);
/// `bow` separates parallel paths.
fn path(a: &Rect, b: &Rect, bow: f64) -> (String, (f64, f64)) {
    let (ax, ay) = a.centre();
    let (bx, by) = b.centre();
    if (ax - bx).abs() < a.w / 2.0 {
        // One above the other: leave and enter on the right side.
        let (x1, y1) = (a.x + a.w, ay);
        let (x2, y2) = (b.x + b.w, by);
        let out = 30.0 + bow + (y2 - y1).abs() / 12.0;
        let cx = x1.max(x2) + out;
        (
            format!("M{x1:.1},{y1:.1} C{cx:.1},{y1:.1} {cx:.1},{y2:.1} {x2:.1},{y2:.1}"),
            (cx - out / 4.0, (y1 + y2) / 2.0),
        )
    } else {
        let (x1, y1) = border(a, bx, by + bow);
        let (x2, y2) = border(b, ax, ay + bow);
        let (y1, y2) = (y1 + bow, y2 + bow);
        (
            format!("M{x1:.1},{y1:.1} L{x2:.1},{y2:.1}"),
            ((x1 + x2) / 2.0, (y1 + y2) / 2.0),
        )
    }
}

fn links(out: &mut String, d: &Diagram) {
    for l in &d.links {
        let (Some(a), Some(b)) = (d.rect_of(&l.from), d.rect_of(&l.to)) else {
            continue;
        };
        let (class, label) = match l.kind {
            LinkKind::Peering { global, connected } => {
                let mut c = String::from("Peering");
                if global {
                    c += " global";
                }
                if !connected {
                    c += " down";
                }
                let label = match (global, connected) {
                    (_, false) => "peering not Connected",
                    (true, true) => "global peering",
                    (false, true) => "",
                };
                (c, label)
            }
            LinkKind::HubConnection => ("HubConnection".into(), ""),
            LinkKind::HubToHub { global } => (
                if global {
                    "HubToHub global".into()
                } else {
                    "HubToHub".into()
                },
                if global {
                    "hub-to-hub (inter-region)"
                } else {
                    "hub-to-hub"
                },
            ),
            LinkKind::PrivateLink => ("PrivateLink".into(), ""),
            LinkKind::ZoneLink => ("ZoneLink".into(), ""),
            LinkKind::SiteConnection => ("SiteConnection".into(), ""),
        };
        let (p, (mx, my)) = path(&a, &b, 0.0);
        let _ = write!(
            out,
            "<path class=\"link {class}\" data-from=\"{}\" data-to=\"{}\" d=\"{p}\"/>",
            text(&l.from),
            text(&l.to)
        );
        if !label.is_empty() {
            let _ = write!(
                out,
                "<text class=\"linklabel\" x=\"{mx:.0}\" y=\"{:.0}\">{}</text>",
                my - 4.0,
                text(label)
            );
        }
        out.push('\n');
    }
}

/// The trace over the diagram.
fn overlay(out: &mut String, d: &Diagram, t: &TraceAnswer) {
    out.push_str("<g class=\"trace\">\n");
    let rect = |nic: &str| d.rect_of(&format!("nic:{nic}"));
    let mut seq = 0usize;
    let mut marks: Vec<(String, usize)> = Vec::new();
    for (hops, class, bow) in [(&t.forward, "req", -6.0), (&t.reply, "rep", 6.0)] {
        let mut prev: Option<Rect> = None;
        for (i, h) in hops.iter().enumerate() {
            let here = rect(&h.nic);
            if let (Some(a), Some(b)) = (prev, here) {
                if a != b {
                    let (p, _) = path(&a, &b, bow);
                    let _ = writeln!(
                        out,
                        "<path class=\"seg {class}\" data-seq=\"{seq}\" d=\"{p}\"/>"
                    );
                }
            }
            if let Some(r) = here {
                let n = marks.iter().filter(|(nic, _)| **nic == *h.nic).count();
                marks.push((h.nic.to_string(), seq));
                let cx = r.x + r.w - 9.0 - n as f64 * 17.0;
                let cy = r.y - 2.0;
                let label = if class == "req" {
                    (i + 1).to_string()
                } else {
                    format!("r{}", i + 1)
                };
                let _ = writeln!(
                    out,
                    "<g class=\"hopmark {class}\" data-seq=\"{seq}\"><circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"8\"/><text x=\"{cx:.1}\" y=\"{:.1}\">{label}</text></g>",
                    cy + 3.5
                );
            }
            prev = here.or(prev);
            seq += 1;
        }
    }
    // The verdict at the last hop walked: where the request or the reply ended.
    let last = t.reply.last().or(t.forward.last());
    let ok = matches!(t.verdict, crate::trace::Verdict::Delivered);
    if let Some(r) = last.and_then(|h| rect(&h.nic)) {
        let name = t.verdict.name();
        let w = 16.0 + name.len() as f64 * 7.0;
        let x = r.x + r.w / 2.0 - w / 2.0;
        let y = r.y + r.h + 4.0;
        let _ = writeln!(
            out,
            "<g class=\"verdict{}\" data-seq=\"{}\"><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"20\" rx=\"10\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            if ok { " ok" } else { "" },
            seq.saturating_sub(1),
            x + 8.0,
            y + 14.0,
            text(name)
        );
    }
    out.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn markup_in_a_name_is_escaped() {
        assert_eq!(
            text("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

#[cfg(test)]
mod drawing {
    use crate::expect::{check, Evidence};
    use crate::report::diagram::build;

    fn traces(path: &str) -> (crate::Loaded, Vec<crate::trace::TraceAnswer>) {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios")
            .join(path);
        let l = crate::load_file(&file).unwrap();
        let t = check(&l.network, l.dataplane())
            .results
            .into_iter()
            .filter_map(|r| match r.evidence {
                Some(Evidence::Trace(t)) => Some(*t),
                _ => None,
            })
            .collect();
        (l, t)
    }

    #[test]
    fn the_request_is_numbered_the_reply_dashed_and_the_verdict_at_the_last_hop() {
        let (l, t) = traces("virtual-wan/cross-region-private-endpoint.ron");
        let delivered = t.iter().find(|t| t.reply.len() == 5).unwrap();
        let d = build(&l.network, &[delivered]);
        let svg = super::render(&d, Some(delivered));
        assert_eq!(svg.matches("class=\"seg req\"").count(), 4);
        assert_eq!(svg.matches("class=\"seg rep\"").count(), 4);
        assert!(svg.contains("<g class=\"verdict ok\" data-seq=\"9\">"));
        // Refused by the West US firewall's application rules: the verdict at hop 2, fw-wus.
        let refused = t
            .iter()
            .find(|t| t.verdict.name() == "DroppedByFirewall")
            .unwrap();
        let svg = super::render(&d, Some(refused));
        let fw = d.rect_of("nic:fw-wus").unwrap();
        let at = "<g class=\"verdict\" data-seq=\"1\"><rect x=\"";
        let x: f64 = svg
            .split(at)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(x >= fw.x - 60.0 && x <= fw.x + fw.w, "{x} vs {fw:?}");
    }

    #[test]
    fn a_global_peering_is_drawn_dashed_and_labelled() {
        let (l, _) = traces("nsg/reply-meets-an-nsg-without-the-flow.ron");
        let svg = super::render(&build(&l.network, &[]), None);
        assert!(svg.contains("<svg") && svg.ends_with("</svg>\n"));
        let (l, _) = traces("virtual-wan/cross-region-private-endpoint.ron");
        let svg = super::render(&build(&l.network, &[]), None);
        assert!(svg.contains("class=\"link HubToHub global\""));
        assert!(svg.contains(">hub-to-hub (inter-region)</text>"));
    }
}
