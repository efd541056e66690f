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

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_are_escaped() {
        assert_eq!(super::quote("a\"b"), "\"a\\\"b\"");
    }
}
