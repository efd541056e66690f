//! What the pages show, built from the engine's typed answers: a lesson's questions with their
//! answers, a trace's hops with the routes that competed and the rules that decided, and the
//! diagram (drawn by the engine's SVG renderer).

use azpath_engine::expect::{Asked, CheckReport, Evidence, Outcome};
use azpath_engine::query::Verdict as RouteVerdict;
use azpath_engine::report::{diagram, narrative, svg, text};
use azpath_engine::scenario::{SourceFile, VerdictName};
use azpath_engine::trace::{Hop, Step, TraceAnswer};

/// One question of a lesson.
#[derive(Debug)]
pub struct QuestionView {
    /// 1-based.
    pub n: usize,
    /// Its line in the file.
    pub line: usize,
    /// The question in a sentence, without its answer.
    pub asked: String,
    /// The question with the answer the lesson expects.
    pub expected: String,
    /// The verdict names a student picks from (trace questions), else empty: a free guess.
    pub choices: Vec<&'static str>,
    /// The verdict azpath computed (trace questions).
    pub verdict: String,
    /// What the client sees (trace questions).
    pub symptom: String,
    /// Whether azpath's answer is the one the scenario expects.
    pub passed: bool,
    /// Pass, fail or skipped, in words.
    pub outcome: String,
    /// The answer's narrative.
    pub narrative: String,
    /// The lesson author's note above the question.
    pub note: String,
    /// The trace drawn on the diagram.
    pub trace: Option<TraceView>,
}

/// A trace over the diagram, hop by hop.
#[derive(Debug)]
pub struct TraceView {
    /// The diagram with the trace drawn (SVG rendered by the engine, names escaped).
    pub svg: String,
    /// Every hop, the request's first.
    pub hops: Vec<HopView>,
}

/// One hop of a trace.
#[derive(Debug)]
pub struct HopView {
    /// Index over the request's then the reply's hops (as the SVG's `data-seq`).
    pub seq: usize,
    /// `request` or `reply`.
    pub leg: &'static str,
    /// 1-based within its leg.
    pub n: usize,
    /// The NIC (its diagram id is `nic:` and this).
    pub nic: String,
    /// Subnet, VNet and region.
    pub place: String,
    /// The packet as it arrives.
    pub packet: String,
    /// The narrative's lines for this hop.
    pub steps: String,
    /// The routes that competed at this hop's look-up.
    pub routes: Vec<RouteRow>,
    /// The rules that decided (NSG and firewall).
    pub rules: Vec<String>,
}

/// A route that competed.
#[derive(Debug)]
pub struct RouteRow {
    /// Prefix.
    pub prefix: String,
    /// Source (Default, User, VirtualNetworkGateway, …).
    pub source: String,
    /// Active or Invalid.
    pub state: String,
    /// Next hop.
    pub next_hop: String,
    /// Why it won or lost.
    pub verdict: String,
    /// The one that won.
    pub selected: bool,
}

/// The lesson author's comment lines just above the question written at byte `offset`.
pub fn note_above(file: &SourceFile, offset: usize) -> String {
    let before = file.text.get(..offset).unwrap_or_default();
    let before = before
        .get(..before.rfind('\n').unwrap_or(0))
        .unwrap_or_default();
    let mut out: Vec<&str> = before
        .lines()
        .rev()
        .map(str::trim)
        .take_while(|l| l.starts_with("//"))
        .map(|l| l.trim_start_matches('/').trim())
        .collect();
    out.reverse();
    out.join(" ")
}

/// The comment at the top of a file's text, before the scenario starts.
pub fn header(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.starts_with("//") || l.is_empty())
        .map(|l| l.trim_start_matches('/').trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every web address the file cites (its sources), once each, in order.
pub fn sources(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, _) in text.match_indices("https://") {
        let rest = text.get(i..).unwrap_or_default();
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '>' | '<' | '\''))
            .unwrap_or(rest.len());
        let url = rest
            .get(..end)
            .unwrap_or_default()
            .trim_end_matches(['.', ',', ';', ':']);
        if !out.iter().any(|u| u == url) {
            out.push(url.to_string());
        }
    }
    out
}

/// The traces among a report's answers (for the diagram, which places every hop).
pub fn traces(report: &CheckReport) -> Vec<&TraceAnswer> {
    report
        .results
        .iter()
        .filter_map(|r| match &r.evidence {
            Some(Evidence::Trace(t)) => Some(t.as_ref()),
            _ => None,
        })
        .collect()
}

/// Every question of a checked scenario, for the lesson page.
pub fn questions(
    report: &CheckReport,
    file: &SourceFile,
    d: &diagram::Diagram,
) -> Vec<QuestionView> {
    report
        .results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (line, _) = file.line_col(r.span.start);
            let trace = match &r.evidence {
                Some(Evidence::Trace(t)) => Some(t.as_ref()),
                _ => None,
            };
            let (passed, outcome) = match &r.outcome {
                Outcome::Pass => (true, "azpath's answer is the one the lesson expects".into()),
                Outcome::Fail { problems } => (
                    false,
                    format!(
                        "azpath's answer differs from the lesson's expectation ({} difference(s))",
                        problems.len()
                    ),
                ),
                Outcome::Skipped { .. } => (false, "not evaluated".into()),
            };
            QuestionView {
                n: i + 1,
                line,
                asked: text::asked_open(&r.question),
                expected: text::asked(&r.question),
                choices: match r.question {
                    Asked::Trace { .. } | Asked::ForAllTraces { .. } => {
                        VerdictName::ALL.iter().map(|v| v.as_str()).collect()
                    }
                    _ => Vec::new(),
                },
                verdict: match (&r.question, trace) {
                    (_, Some(t)) => t.verdict.name().to_string(),
                    // Every case ended as expected: that verdict is the answer.
                    (Asked::ForAllTraces { verdict, .. }, None) if passed => {
                        verdict.as_str().to_string()
                    }
                    _ => String::new(),
                },
                symptom: trace.map(|t| t.symptom.to_string()).unwrap_or_default(),
                passed,
                outcome,
                narrative: r.evidence.as_ref().map(text::evidence).unwrap_or_default(),
                note: note_above(file, r.span.start),
                trace: trace.map(|t| trace_view(d, t)),
            }
        })
        .collect()
}

/// A trace as the lesson page steps through it.
pub fn trace_view(d: &diagram::Diagram, t: &TraceAnswer) -> TraceView {
    let mut hops = Vec::new();
    for (leg, list) in [("request", &t.forward), ("reply", &t.reply)] {
        for (i, h) in list.iter().enumerate() {
            hops.push(hop_view(hops.len(), leg, i + 1, h));
        }
    }
    TraceView {
        svg: svg::render(d, Some(t)),
        hops,
    }
}

fn hop_view(seq: usize, leg: &'static str, n: usize, h: &Hop) -> HopView {
    let p = &h.packet;
    let mut routes = Vec::new();
    let mut rules = Vec::new();
    for s in &h.steps {
        match s {
            Step::Route(a) => {
                for c in &a.candidates {
                    let r = &c.route;
                    let (verdict, selected) = match &c.verdict {
                        RouteVerdict::Selected => ("selected: longest prefix".to_string(), true),
                        RouteVerdict::ShorterPrefix { than } => {
                            (format!("shorter than {than}"), false)
                        }
                        RouteVerdict::Invalid => ("Invalid".to_string(), false),
                        // A verdict added to the engine later: shown by its name, never as selected.
                        other => (format!("{other:?}"), false),
                    };
                    routes.push(RouteRow {
                        prefix: r.prefix.to_string(),
                        source: r.source.to_string(),
                        state: r.state.to_string(),
                        next_hop: r.next_hop.to_string(),
                        verdict,
                        selected,
                    });
                }
            }
            Step::InboundNsgs(a) | Step::OutboundNsgs(a) => {
                if let Some(m) = &a.rule {
                    rules.push(format!(
                        "NSG {} rule {} (priority {}): {} {}",
                        m.nsg, m.rule, m.priority, a.direction, m.access
                    ));
                }
            }
            Step::Firewall(f) => {
                let rule = f.rule.as_ref().map_or_else(
                    || "no rule matched (default deny)".to_string(),
                    |r| format!("rule {}/{}/{}", r.group, r.collection, r.rule),
                );
                let snat = if f.snat { ", SNAT to the firewall" } else { "" };
                rules.push(format!(
                    "firewall {} {:?} {rule}: {}{snat}",
                    f.firewall, f.stage, f.access
                ));
            }
            Step::Snat { from, to } => rules.push(format!("SNAT {from} -> {to}")),
            Step::Dnat { from, to } => rules.push(format!("DNAT {from} -> {to}")),
            _ => {}
        }
    }
    HopView {
        seq,
        leg,
        n,
        nic: h.nic.to_string(),
        place: if h.vnet.is_empty() {
            String::new()
        } else {
            format!("{} ({}, {})", h.subnet, h.vnet, h.region)
        },
        packet: format!("{}:{} -> {}:{}", p.src, p.src_port, p.dst, p.dst_port),
        steps: narrative::hop_steps(h),
        routes,
        rules,
    }
}
