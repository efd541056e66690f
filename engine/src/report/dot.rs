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
        quote(&format!("{}\\n→ {}", answer.subnet, answer.destination))
    );
    for (i, c) in answer.candidates.iter().enumerate() {
        let r = &c.route;
        let label = format!("{} {}\\n{} {}", r.prefix, r.state, r.source, r.table_name());
        let (style, edge) = match c.verdict {
            Verdict::Selected => ("bold", "selected".to_string()),
            Verdict::ShorterPrefix { than } => ("solid", format!("shorter than {than}")),
            Verdict::Invalid => ("dashed", "invalid".to_string()),
        };
        let _ = writeln!(out, "  r{i} [label={}, style={style}];", quote(&label));
        let _ = writeln!(
            out,
            "  src -> r{i} [label={}, style={style}];",
            quote(&edge)
        );
        if c.verdict == Verdict::Selected {
            let _ = writeln!(out, "  r{i} -> hop [style=bold];");
        }
    }
    let _ = writeln!(
        out,
        "  hop [label={}, shape=ellipse];",
        quote(&answer.next_hop.to_string())
    );
    out.push_str("}\n");
    out
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\\\""))
}

/// A trace as a graph: the request's hops in bold, the reply's dashed, ending at the verdict.
pub fn trace(answer: &crate::trace::TraceAnswer) -> String {
    let mut out = String::from(
        "digraph trace {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    let mut names: Vec<&str> = Vec::new();
    for h in answer.forward.iter().chain(&answer.reply) {
        if !names.contains(&h.nic.as_str()) {
            let _ = writeln!(
                out,
                "  n{} [label={}];",
                names.len(),
                quote(&format!("{}\\n{} ({})", h.nic, h.subnet, h.region))
            );
            names.push(&h.nic);
        }
    }
    let id = |n: &str| names.iter().position(|x| *x == n).unwrap_or(0);
    for (path, style) in [(&answer.forward, "bold"), (&answer.reply, "dashed")] {
        for (i, pair) in path.windows(2).enumerate() {
            if let [a, b] = pair {
                let _ = writeln!(
                    out,
                    "  n{} -> n{} [style={style}, label=\"{}\"];",
                    id(&a.nic),
                    id(&b.nic),
                    i + 1
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "  verdict [shape=ellipse, label={}];",
        quote(answer.verdict.name())
    );
    if let Some(last) = answer.reply.last().or(answer.forward.last()) {
        let _ = writeln!(out, "  n{} -> verdict [style=dotted];", id(&last.nic));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_are_escaped() {
        assert_eq!(super::quote("a\"b"), "\"a\\\"b\"");
    }
}
