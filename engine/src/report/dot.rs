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

/// What a node of the trace picture stands for.
#[derive(Debug)]
enum Node {
    Vnet { name: String, region: String },
    Nic { name: String, subnet: String },
    Verdict(String),
}

/// What an edge of the trace picture stands for.
#[derive(Debug)]
enum Edge {
    /// A peering between two VNets on the path.
    Peering { global: bool },
    /// A NIC sits in a VNet.
    Member,
    /// A step of the request.
    Request(usize),
    /// A step of the reply.
    Reply(usize),
    /// Where the trace ended.
    End,
}

/// A trace over the topology it crosses: the VNets on the path with their peerings, the NICs in
/// them, the request in bold, the reply dashed, and the verdict. Built as a `petgraph` graph and
/// written with its DOT writer.
pub fn trace(answer: &crate::trace::TraceAnswer, net: &crate::model::Network) -> String {
    use petgraph::dot::{Config, Dot};
    use petgraph::graph::{DiGraph, NodeIndex};
    use std::collections::BTreeMap;

    let mut g: DiGraph<Node, Edge> = DiGraph::new();
    let mut vnets: BTreeMap<String, NodeIndex> = BTreeMap::new();
    let mut nics: BTreeMap<String, NodeIndex> = BTreeMap::new();
    for h in answer.forward.iter().chain(&answer.reply) {
        let v = *vnets.entry(h.vnet.clone()).or_insert_with(|| {
            g.add_node(Node::Vnet {
                name: h.vnet.clone(),
                region: h.region.clone(),
            })
        });
        if !nics.contains_key(&h.nic) {
            let n = g.add_node(Node::Nic {
                name: h.nic.clone(),
                subnet: h.subnet.clone(),
            });
            g.add_edge(n, v, Edge::Member);
            nics.insert(h.nic.clone(), n);
        }
    }
    for p in &net.peerings {
        let [a, b] = p
            .vnets
            .map(|id| net.vnet(id).map(|v| (v.name.clone(), v.region.clone())));
        if let (Some((a, ra)), Some((b, rb))) = (a, b) {
            if let (Some(x), Some(y)) = (vnets.get(&a), vnets.get(&b)) {
                g.add_edge(*x, *y, Edge::Peering { global: ra != rb });
            }
        }
    }
    for (path, reply) in [(&answer.forward, false), (&answer.reply, true)] {
        for (i, pair) in path.windows(2).enumerate() {
            if let [a, b] = pair {
                if let (Some(x), Some(y)) = (nics.get(&a.nic), nics.get(&b.nic)) {
                    g.add_edge(
                        *x,
                        *y,
                        if reply {
                            Edge::Reply(i + 1)
                        } else {
                            Edge::Request(i + 1)
                        },
                    );
                }
            }
        }
    }
    let verdict = g.add_node(Node::Verdict(answer.verdict.name().to_string()));
    if let Some(last) = answer
        .reply
        .last()
        .or(answer.forward.last())
        .and_then(|h| nics.get(&h.nic))
    {
        g.add_edge(*last, verdict, Edge::End);
    }
    let node = |_, (_, n): (NodeIndex, &Node)| node_attributes(n);
    let edge = |_, e: petgraph::graph::EdgeReference<'_, Edge>| edge_attributes(e.weight());
    let dot = Dot::with_attr_getters(
        &g,
        &[Config::EdgeNoLabel, Config::NodeNoLabel],
        &edge,
        &node,
    );
    format!("{dot:?}")
}

/// A node's DOT attributes: VNets as gray folders, NICs as boxes, the verdict filled.
fn node_attributes(n: &Node) -> String {
    match n {
        Node::Vnet { name, region } => format!(
            "label={}, shape=folder, color=gray40",
            label(&[name, region])
        ),
        Node::Nic { name, subnet } => {
            format!("label={}, shape=box", label(&[name, subnet]))
        }
        Node::Verdict(v) => format!(
            "label={}, shape=ellipse, style=filled, fillcolor=lightyellow",
            label(&[v])
        ),
    }
}

/// An edge's DOT attributes: the request bold, the reply dashed, peerings and membership pale.
fn edge_attributes(e: &Edge) -> String {
    match e {
        Edge::Peering { global } => {
            let text = if *global { "global peering" } else { "peering" };
            format!("label={}, dir=none, color=gray60", label(&[text]))
        }
        Edge::Member => "dir=none, style=dotted, color=gray70".to_string(),
        Edge::Request(i) => format!("label=\"{i}\", style=bold, color=blue"),
        Edge::Reply(i) => format!("label=\"r{i}\", style=dashed, color=darkgreen"),
        Edge::End => "style=dotted".to_string(),
    }
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
