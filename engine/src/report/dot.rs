//! DOT rendering (Graphviz): a next-hop decision as a picture.

use std::fmt::Write as _;

use crate::query::{NextHopAnswer, Verdict};

/// The decision as a graph: the source subnet, every covering route, and the next hop reached.
/// The winning path is bold; Invalid routes are dashed.
pub fn next_hop(answer: &NextHopAnswer) -> String {
    let mut out = String::from(
        "digraph next_hop {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    let _ = writeln!(
        out,
        "  src [label={}];",
        label(&[&answer.subnet, &format!("→ {}", answer.destination)])
    );
    for (i, c) in answer.candidates.iter().enumerate() {
        let r = &c.route;
        let text = label(&[
            &format!("{} {}", r.prefix, r.state),
            &format!("{} {}", r.source, r.table_name()),
        ]);
        let (style, edge) = match c.verdict {
            Verdict::Selected => ("bold", "selected".to_string()),
            Verdict::ShorterPrefix { than } => ("solid", format!("shorter than {than}")),
            Verdict::Invalid => ("dashed", "invalid".to_string()),
        };
        let _ = writeln!(out, "  r{i} [label={text}, style={style}];");
        let _ = writeln!(
            out,
            "  src -> r{i} [label={}, style={style}];",
            label(&[&edge])
        );
        if c.verdict == Verdict::Selected {
            let _ = writeln!(out, "  r{i} -> hop [style=bold];");
        }
    }
    let _ = writeln!(
        out,
        "  hop [label={}, shape=ellipse];",
        label(&[&answer.next_hop.to_string()])
    );
    out.push_str("}\n");
    out
}

/// The one way text enters a DOT file: each line as a double-quoted string under Graphviz's
/// rules, lines joined by `\n` (a centred line break). Inside the quotes a `"` is written `\"`
/// and a backslash `\\` (else `\n`, `\l`, `\N`… in a name would be read as escapes); a line
/// break inside a line becomes `\n` too, and every other character that could hide or reorder
/// text is shown as `\u{…}` (as in terminal output), so the picture shows the name as it is.
pub fn label(lines: &[&str]) -> String {
    let mut out = String::from("\"");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("\\n");
        }
        for c in super::terminal::escape(line).chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push(' '),
                c => out.push(c),
            }
        }
    }
    out.push('"');
    out
}

/// A trace over the topology it crosses, as Graphviz clusters: one per region, inside it one per
/// VNet (a virtual hub's managed VNet marked) holding the NICs, firewalls, hub routers and
/// endpoints in it; peerings (global ones marked) and hub-to-hub links between the VNets on the
/// path; the request as bold numbered edges labelled with what decided each step (the route that
/// won, the firewall rule, SNAT), the reply dashed, the name resolution the trace started
/// with, and the verdict attached to the hop where the trace ended.
pub fn trace(answer: &crate::trace::TraceAnswer, net: &crate::model::Network) -> String {
    use super::diagram::{self, LinkKind};
    let d = diagram::build(net, &[answer]);
    let hops: Vec<&crate::trace::Hop> = answer.forward.iter().chain(&answer.reply).collect();
    let on_path = |vnet: &str| hops.iter().any(|h| &*h.vnet == vnet);
    let node_id = |id: &str| {
        d.nodes
            .iter()
            .position(|n| n.id == id)
            .map(|i| format!("n{i}"))
    };
    let mut out = String::from(
        "digraph {\n  compound=true;\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    // An anchor per VNet on the path, for edges between clusters.
    let mut anchors: Vec<(String, String, usize)> = Vec::new();
    let mut regions: Vec<&str> = Vec::new();
    for v in &d.vnets {
        if on_path(&v.name) && !regions.contains(&v.region.as_str()) {
            regions.push(&v.region);
        }
    }
    for (ri, region) in regions.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph cluster_r{ri} {{\n    label={};\n    style=rounded;\n    color=gray60;",
            label(&[region])
        );
        for (vi, v) in d.vnets.iter().enumerate() {
            if v.region != *region || !on_path(&v.name) {
                continue;
            }
            let title = match &v.hub {
                Some(h) => format!("virtual hub {h}"),
                None => v.name.clone(),
            };
            let space = v.address_space.join(" ");
            let _ = writeln!(
                out,
                "    subgraph cluster_v{vi} {{\n      label={};\n      style=filled;\n      fillcolor=\"{}\";\n      color=gray40;",
                label(&[&title, &space]),
                if v.hub.is_some() { "#eef6ff" } else { "#f6f8fa" }
            );
            let mut first = None;
            for (ni, n) in d.nodes.iter().enumerate() {
                if n.vnet.as_deref() != Some(v.name.as_str()) {
                    continue;
                }
                let on = hops.iter().any(|h| format!("nic:{}", h.nic) == n.id);
                if !on {
                    continue;
                }
                first.get_or_insert(ni);
                let _ = writeln!(
                    out,
                    "      n{ni} [label={}, style=filled, fillcolor=white{}];",
                    label(&[&n.name, &n.detail]),
                    node_shape(n.kind)
                );
            }
            match first {
                Some(ni) => anchors.push((v.name.clone(), format!("n{ni}"), vi)),
                None => {
                    let _ = writeln!(out, "      v{vi} [shape=point, style=invis];");
                    anchors.push((v.name.clone(), format!("v{vi}"), vi));
                }
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
    }
    // Hops outside any VNet (the Internet client).
    for (ni, n) in d.nodes.iter().enumerate() {
        if n.vnet.is_none() && hops.iter().any(|h| format!("nic:{}", h.nic) == n.id) {
            let _ = writeln!(
                out,
                "  n{ni} [label={}, shape=oval, style=dashed];",
                label(&[&n.name])
            );
        }
    }
    let anchor = |name: &str| anchors.iter().find(|(v, _, _)| v == name);
    for l in &d.links {
        let text = match l.kind {
            LinkKind::Peering { global: true, .. } => "global peering",
            LinkKind::Peering { .. } => "peering",
            LinkKind::HubConnection => "hub connection",
            _ => continue,
        };
        let from = l
            .from
            .strip_prefix("vnet:")
            .map(str::to_string)
            .or_else(|| {
                d.nodes
                    .iter()
                    .find(|n| n.id == l.from)
                    .and_then(|n| n.vnet.clone())
            });
        let to = l.to.strip_prefix("vnet:");
        if let (Some(a), Some(b)) = (from.as_deref().and_then(anchor), to.and_then(anchor)) {
            let _ = writeln!(
                out,
                "  {} -> {} [label={}, dir=none, color=gray60, ltail=cluster_v{}, lhead=cluster_v{}];",
                a.1,
                b.1,
                label(&[text]),
                a.2,
                b.2
            );
        }
    }
    for l in &d.links {
        if let LinkKind::HubToHub { global } = l.kind {
            if let (Some(a), Some(b)) = (node_id(&l.from), node_id(&l.to)) {
                let on = |id: &str| hops.iter().any(|h| format!("nic:{}", h.nic) == id);
                if on(&l.from) && on(&l.to) {
                    let text = if global {
                        "hub-to-hub (inter-region)"
                    } else {
                        "hub-to-hub"
                    };
                    let _ = writeln!(
                        out,
                        "  {a} -> {b} [label={}, dir=none, color=\"#0969da\", penwidth=2];",
                        label(&[text])
                    );
                }
            }
        }
    }
    if let (Some(res), Some(first)) = (&answer.resolution, answer.forward.first()) {
        if let Some(n) = node_id(&format!("nic:{}", first.nic)) {
            let to = answer
                .destination
                .map_or_else(|| "no address".to_string(), |a| a.to_string());
            let _ = writeln!(
                out,
                "  dns [label={}, shape=note, style=filled, fillcolor=\"#dafbe1\"];\n  {n} -> dns [label=\"resolves\", style=dotted];",
                label(&[&format!("DNS: {}", res.name), &to])
            );
        }
    }
    for (path, reply) in [(&answer.forward, false), (&answer.reply, true)] {
        for (i, pair) in path.windows(2).enumerate() {
            let [a, b] = pair else { continue };
            let (Some(x), Some(y)) = (
                node_id(&format!("nic:{}", a.nic)),
                node_id(&format!("nic:{}", b.nic)),
            ) else {
                continue;
            };
            let step = if reply {
                format!("r{}", i + 1)
            } else {
                format!("{}", i + 1)
            };
            let mut lines = vec![step];
            lines.extend(deciding(a));
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let style = if reply {
                "style=dashed, color=darkgreen, fontcolor=darkgreen"
            } else {
                "style=bold, color=blue, fontcolor=blue"
            };
            let _ = writeln!(out, "  {x} -> {y} [label={}, {style}];", label(&refs));
        }
    }
    // The verdict where the trace ended: the last hop walked.
    let last = answer.reply.last().or(answer.forward.last());
    let name = answer.verdict.name();
    let delivered = matches!(answer.verdict, crate::trace::Verdict::Delivered);
    let _ = writeln!(
        out,
        "  verdict [label={}, shape=ellipse, style=filled, fillcolor=\"{}\"];",
        label(&[name]),
        if delivered { "#dafbe1" } else { "#ffebe9" }
    );
    if let Some(n) = last.and_then(|h| node_id(&format!("nic:{}", h.nic))) {
        let _ = writeln!(out, "  {n} -> verdict [style=dotted, arrowhead=none];");
    }
    out.push_str("}\n");
    out
}

/// A node kind's Graphviz shape.
fn node_shape(kind: super::diagram::NodeKind) -> &'static str {
    use super::diagram::NodeKind;
    match kind {
        NodeKind::Firewall => ", shape=box3d, fillcolor=\"#fff1e5\"",
        NodeKind::Nva => ", shape=box3d, fillcolor=\"#fff8c5\"",
        NodeKind::PrivateEndpoint => ", shape=cds, fillcolor=\"#ddf4ff\"",
        NodeKind::HubRouter => ", shape=hexagon, fillcolor=\"#eef6ff\"",
        _ => "",
    }
}

/// What decided where the packet went from this hop, a line each: the route that won, the
/// firewall rule (with SNAT), address translation, the hub's route.
fn deciding(h: &crate::trace::Hop) -> Vec<String> {
    use crate::trace::Step;
    let mut out = Vec::new();
    for s in &h.steps {
        match s {
            Step::Route(a) => {
                if let Some(r) = &a.route {
                    out.push(format!("route {} ({})", r.prefix, r.source));
                }
            }
            Step::Firewall(f) => {
                let rule = f
                    .rule
                    .as_ref()
                    .map_or_else(|| "default deny".to_string(), |r| r.rule.to_string());
                out.push(format!("{}: {rule} {}", f.firewall, f.access));
            }
            Step::Snat { to, .. } => out.push(format!("SNAT to {to}")),
            Step::Dnat { to, .. } => out.push(format!("DNAT to {to}")),
            Step::HubRoute(l) => {
                if let Some(r) = &l.chosen {
                    out.push(format!("hub route {}", r.prefix));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn quotes_are_escaped() {
        assert_eq!(label(&["a\"b"]), "\"a\\\"b\"");
    }

    #[test]
    fn backslashes_are_escaped_so_a_name_cannot_smuggle_a_graphviz_escape() {
        assert_eq!(label(&["a\\nb\\"]), "\"a\\\\nb\\\\\"");
    }

    #[test]
    fn a_line_break_in_a_name_becomes_a_graphviz_line_break() {
        assert_eq!(label(&["a\nb"]), "\"a\\nb\"");
    }

    #[test]
    fn lines_are_joined_by_centred_line_breaks() {
        assert_eq!(label(&["vnet", "eastus"]), "\"vnet\\neastus\"");
    }

    #[test]
    fn control_and_bidi_characters_are_shown_as_escapes() {
        assert_eq!(label(&["a\u{202e}b\u{7}"]), "\"a\\\\u{202e}b\\\\u{7}\"");
    }

    /// Graphviz itself reads what `label` writes: the names come back in the SVG as they are.
    /// Skipped where `dot` is not installed (CI installs Graphviz).
    #[test]
    fn graphviz_accepts_labels_with_quotes_backslashes_and_line_breaks() {
        use std::io::Write as _;
        use std::process::{Command, Stdio};
        let Ok(mut child) = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        else {
            return;
        };
        let names = ["q\"uote", "back\\slash\\", "new\nline", "\\\"\\n", "end\\"];
        let mut graph = String::from("digraph g {\n");
        for (i, n) in names.iter().enumerate() {
            graph += &format!("  n{i} [label={}];\n", label(&[n, "second"]));
        }
        graph += "}\n";
        if let Some(mut stdin) = child.stdin.take() {
            assert!(stdin.write_all(graph.as_bytes()).is_ok());
        }
        let out = child.wait_with_output();
        let Ok(out) = out else {
            return;
        };
        let svg = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{graph}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for text in [
            "q&quot;uote",
            "back\\slash\\",
            ">new<",
            ">line<",
            "\\&quot;\\n",
            "end\\",
        ] {
            assert!(svg.contains(text), "{text} not in\n{svg}");
        }
    }
}
